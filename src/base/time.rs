//! Virtual time: integer nanoseconds, tick schedules computed from the tick index, and the
//! human duration syntax (`"60s"`, `"150ms"`) used by scenario files and the command line.
//!
//! # Guarantees
//! - No floating point anywhere: a time is a `u64` count of nanoseconds since the run began.
//! - Tick `k` of a machine at `r` Hz with phase `p` happens at `p + floor(k * 1e9 / r)`,
//!   computed from `k` alone, so a machine at `r` Hz has exactly `r * T` ticks in a run of
//!   `T` whole seconds, however long the run (see [`ticks_before`]).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Nanoseconds in one second.
pub(crate) const NANOS_PER_SEC: u64 = 1_000_000_000;

/// A point in simulated time: nanoseconds since the start of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);

    /// Nanoseconds since the start of the run.
    pub fn as_nanos(self) -> u64 {
        self.0
    }

    /// This time moved later by `d`, saturating at the end of representable time.
    pub fn saturating_add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

/// Prints seconds with exactly nine decimals (`12.000000333`), the `sim_time` log column.
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}", self.0 / NANOS_PER_SEC, self.0 % NANOS_PER_SEC)
    }
}

/// A length of simulated time in nanoseconds. Written and read as `"60s"`, `"150ms"`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimDuration(pub u64);

impl SimDuration {
    /// No time at all.
    pub const ZERO: SimDuration = SimDuration(0);

    /// `secs` whole seconds.
    pub const fn from_secs(secs: u64) -> SimDuration {
        SimDuration(secs * NANOS_PER_SEC)
    }

    /// Length in nanoseconds.
    pub fn as_nanos(self) -> u64 {
        self.0
    }

    /// The duration as people write it, for terminal output: the largest unit (`h`, `m`,
    /// `s`, `ms`, `us`, `ns`) that shows it exactly with at most three decimals, so
    /// `"10m"`, `"1.5h"`, `"90.5s"`, `"10000m"`. It reads back as the same duration. (The
    /// [`Display`](fmt::Display) form, which files use, keeps whole numbers: `"600s"`.)
    pub fn human(self) -> HumanDuration {
        HumanDuration(self)
    }
}

/// A [`SimDuration`] shown as people write it; see [`SimDuration::human`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(SimDuration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, &str); 6] = [
            (3600 * NANOS_PER_SEC, "h"),
            (60 * NANOS_PER_SEC, "m"),
            (NANOS_PER_SEC, "s"),
            (1_000_000, "ms"),
            (1_000, "us"),
            (1, "ns"),
        ];
        let n = u128::from(self.0 .0);
        if n == 0 {
            return f.write_str("0s");
        }
        let (unit, name) = UNITS
            .iter()
            .map(|&(unit, name)| (u128::from(unit), name))
            .find(|&(unit, _)| n >= unit && (n * 1000).is_multiple_of(unit))
            .unwrap_or((1, "ns"));
        let (whole, thousandths) = (n / unit, n * 1000 / unit % 1000);
        if thousandths == 0 {
            write!(f, "{whole}{name}")
        } else {
            let fraction = format!("{thousandths:03}");
            write!(f, "{whole}.{}{name}", fraction.trim_end_matches('0'))
        }
    }
}

/// Largest unit that shows the value exactly: `60s`, `1500ms`, `7ns`.
impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        if n == 0 {
            f.write_str("0s")
        } else if n.is_multiple_of(NANOS_PER_SEC) {
            write!(f, "{}s", n / NANOS_PER_SEC)
        } else if n.is_multiple_of(1_000_000) {
            write!(f, "{}ms", n / 1_000_000)
        } else if n.is_multiple_of(1_000) {
            write!(f, "{}us", n / 1_000)
        } else {
            write!(f, "{n}ns")
        }
    }
}

/// Why a duration string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {text:?}: {reason} (expected a number and a unit, like \"60s\", \"1.5s\", \"150ms\", \"20us\", \"2m\")")]
pub struct DurationParseError {
    text: String,
    reason: &'static str,
}

impl FromStr for SimDuration {
    type Err = DurationParseError;

    /// Reads `<digits>[.<digits>]<unit>` with unit `ns`, `us`, `ms`, `s`, `m` or `h`.
    /// Decimal parsing is exact: `"0.1s"` is 100,000,000 ns, never a rounded float.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |reason| DurationParseError { text: text.to_string(), reason };
        let s = text.trim();
        let unit_at =
            s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).ok_or_else(|| err("missing unit"))?;
        let (number, unit) = s.split_at(unit_at);
        let scale: u64 = match unit {
            "ns" => 1,
            "us" | "µs" => 1_000,
            "ms" => 1_000_000,
            "s" => NANOS_PER_SEC,
            "m" | "min" => 60 * NANOS_PER_SEC,
            "h" => 3600 * NANOS_PER_SEC,
            _ if unit.starts_with('-') || number.is_empty() && s.starts_with('-') => {
                return Err(err("durations cannot be negative"))
            }
            _ => return Err(err("unknown unit")),
        };
        let number = number.replace('_', "");
        let (whole, frac) = match number.split_once('.') {
            Some((w, f)) => (w, f),
            None => (number.as_str(), ""),
        };
        if whole.is_empty() && frac.is_empty() {
            return Err(err("missing number"));
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err("malformed number"));
        }
        let too_big = || err("too large (at most about 584 years)");
        let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| too_big())? };
        let mut nanos = whole.checked_mul(scale).ok_or_else(too_big)?;
        // Each fractional digit is worth a tenth of the one before it; a digit worth less
        // than a nanosecond must be zero, so the value stays exact.
        let mut place = scale;
        for digit in frac.bytes() {
            let d = u64::from(digit - b'0');
            if !place.is_multiple_of(10) {
                if d != 0 {
                    return Err(err("finer than one nanosecond"));
                }
                continue;
            }
            place /= 10;
            nanos = nanos.checked_add(d * place).ok_or_else(too_big)?;
        }
        Ok(SimDuration(nanos))
    }
}

impl Serialize for SimDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SimDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DurationVisitor)
    }
}

/// Reads a duration string, and explains the format when given a bare number.
struct DurationVisitor;

impl serde::de::Visitor<'_> for DurationVisitor {
    type Value = SimDuration;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a duration string with a unit, like \"60s\" or \"150ms\"")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<SimDuration, E> {
        text.parse().map_err(E::custom)
    }

    fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<SimDuration, E> {
        Err(E::custom(format!("a duration is a string with a unit: write \"{n}s\" or \"{n}ms\", not {n}")))
    }

    fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<SimDuration, E> {
        Err(E::custom(format!("a duration is a string with a unit, like \"60s\", not {n} (and cannot be negative)")))
    }

    fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<SimDuration, E> {
        Err(E::custom(format!("a duration is a string with a unit: write \"{n}s\", not {n}")))
    }
}

/// The nominal time of tick `k` for a machine ticking `rate` times per second with the
/// first tick at `phase`: `phase + floor(k * 1e9 / rate)`, in 128-bit arithmetic so it is
/// exact for any `k` a run can reach.
pub fn tick_time(k: u64, rate: u32, phase: SimDuration) -> SimTime {
    let offset = match k.checked_mul(NANOS_PER_SEC) {
        // The common case (k below 1.8e10) in 64 bits: the same value, a cheaper division.
        Some(scaled) => scaled / u64::from(rate),
        None => {
            let wide = u128::from(k) * u128::from(NANOS_PER_SEC) / u128::from(rate);
            u64::try_from(wide).unwrap_or(u64::MAX)
        }
    };
    SimTime(phase.0.saturating_add(offset))
}

/// The nominal times of one machine's ticks, `k = 0, 1, 2, ...`, stepped without a
/// division: at every step [`TickSchedule::time`] equals [`tick_time`]`(k, rate, phase)`
/// exactly. It keeps `floor(k * 1e9 / rate)` as a quotient and a remainder and adds one
/// period's quotient and remainder per step, carrying like long addition, so nothing
/// accumulates (no floats, no rounding) however long the run. The engine steps every
/// machine this way rather than dividing per tick (`docs/benchmarks.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TickSchedule {
    k: u64,
    at: u64,
    /// `(k * 1e9) mod rate`.
    remainder: u64,
    /// `1e9 / rate` and `1e9 mod rate`: one period as quotient and remainder.
    whole: u64,
    frac: u64,
    rate: u64,
}

impl TickSchedule {
    /// Tick 0 of a machine ticking `rate` (at least 1) times per second from `phase`.
    pub(crate) fn new(rate: u32, phase: SimDuration) -> Self {
        let rate = u64::from(rate.max(1));
        TickSchedule { k: 0, at: phase.0, remainder: 0, whole: NANOS_PER_SEC / rate, frac: NANOS_PER_SEC % rate, rate }
    }

    /// The index `k` of the current tick.
    #[inline]
    pub(crate) fn index(&self) -> u64 {
        self.k
    }

    /// The current tick's nominal time, `tick_time(k, rate, phase)`.
    #[inline]
    pub(crate) fn time(&self) -> SimTime {
        SimTime(self.at)
    }

    /// Moves on to tick `k + 1`.
    #[inline]
    pub(crate) fn advance(&mut self) {
        self.k += 1;
        self.remainder += self.frac;
        // A select, not a branch: whether a step carries depends on the rate's digits.
        let carry = u64::from(self.remainder >= self.rate);
        self.remainder -= carry * self.rate;
        self.at = self.at.saturating_add(self.whole + carry);
    }
}

/// How many ticks of a machine (rate, phase) fall strictly before `end`: the `k >= 0` with
/// `tick_time(k) < end`. Equals `ceil((end - phase) * rate / 1e9)`; with `phase` shorter than
/// one period and `end` a whole number of seconds `T`, that is exactly `rate * T`.
pub fn ticks_before(end: SimTime, rate: u32, phase: SimDuration) -> u64 {
    let Some(span) = end.0.checked_sub(phase.0) else {
        return 0;
    };
    let scaled = u128::from(span) * u128::from(rate);
    let count = scaled.div_ceil(u128::from(NANOS_PER_SEC));
    u64::try_from(count).unwrap_or(u64::MAX)
}

/// Shortest gap between two consecutive ticks at `rate` Hz: `floor(1e9 / rate)` ns. Phases
/// and jitter must stay below it so ticks never swap order.
pub(crate) fn min_tick_gap(rate: u32) -> SimDuration {
    SimDuration(NANOS_PER_SEC / u64::from(rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_show_as_people_write_them_and_read_back() {
        for (nanos, shown) in [
            (0, "0s"),
            (7, "7ns"),
            (1_500, "1.5us"),
            (150_000_000, "150ms"),
            (1_500_000_000, "1.5s"),
            (60 * NANOS_PER_SEC, "1m"),
            (90 * NANOS_PER_SEC, "1.5m"),
            (90_500_000_000, "90.5s"),
            (5400 * NANOS_PER_SEC, "1.5h"),
            (600 * NANOS_PER_SEC, "10m"),
            (600_000 * NANOS_PER_SEC, "10000m"),
            (3600 * NANOS_PER_SEC + 1, "3600000000.001us"),
            (u64::MAX, "18446744073709551.615us"),
        ] {
            let d = SimDuration(nanos);
            assert_eq!(d.human().to_string(), shown, "{nanos} ns");
            assert_eq!(shown.parse::<SimDuration>(), Ok(d), "{shown} reads back");
        }
    }

    #[test]
    fn tick_schedule_steps_to_exactly_tick_time() {
        for rate in [1, 2, 3, 6, 7, 30, 999, 1_000_000, 999_999_937] {
            for phase in [SimDuration(0), SimDuration(123_456), SimDuration(NANOS_PER_SEC / u64::from(rate) - 1)] {
                let mut s = TickSchedule::new(rate, phase);
                for k in 0..5_000 {
                    assert_eq!((s.index(), s.time()), (k, tick_time(k, rate, phase)), "rate {rate} phase {phase:?}");
                    s.advance();
                }
            }
        }
    }

    #[test]
    fn tick_times_are_exact_integers() {
        assert_eq!(tick_time(0, 3, SimDuration(5)), SimTime(5));
        assert_eq!(tick_time(1, 3, SimDuration::ZERO), SimTime(333_333_333));
        assert_eq!(tick_time(2, 3, SimDuration::ZERO), SimTime(666_666_666));
        assert_eq!(tick_time(3, 3, SimDuration::ZERO), SimTime(NANOS_PER_SEC));
    }

    #[test]
    fn rate_times_duration_ticks_after_a_minute_and_after_a_million_minutes() {
        for rate in 1..=30u32 {
            for secs in [1u64, 60, 60 * 1_000_000] {
                let end = SimTime(secs * NANOS_PER_SEC);
                let gap = min_tick_gap(rate).0;
                for phase in [0, 1, gap / 2, gap - 1] {
                    let n = ticks_before(end, rate, SimDuration(phase));
                    assert_eq!(n, u64::from(rate) * secs, "rate {rate} secs {secs} phase {phase}");
                    assert!(tick_time(n - 1, rate, SimDuration(phase)) < end);
                    assert!(tick_time(n, rate, SimDuration(phase)) >= end);
                }
            }
        }
    }

    #[test]
    fn the_64_bit_fast_path_agrees_with_128_bit_arithmetic() {
        for rate in [1u32, 3, 7, 1_000_000] {
            for k in [0u64, 1, 17, 18_446_744_073, 18_446_744_074, 1 << 40, u64::MAX / 3] {
                let wide = u128::from(k) * u128::from(NANOS_PER_SEC) / u128::from(rate);
                let expected = u64::try_from(wide).unwrap_or(u64::MAX).saturating_add(5);
                assert_eq!(tick_time(k, rate, SimDuration(5)), SimTime(expected), "k {k} rate {rate}");
            }
        }
    }

    #[test]
    fn tick_times_strictly_increase() {
        for rate in [1, 3, 6, 7, 29] {
            let mut last = None;
            for k in 0..1000 {
                let t = tick_time(k, rate, SimDuration(17));
                assert!(last < Some(t));
                last = Some(t);
            }
        }
    }

    #[test]
    fn durations_parse_exactly_and_print_canonically() {
        let cases = [
            ("60s", 60 * NANOS_PER_SEC, "60s"),
            ("1.5s", 1_500_000_000, "1500ms"),
            ("0.1s", 100_000_000, "100ms"),
            ("150ms", 150_000_000, "150ms"),
            ("20us", 20_000, "20us"),
            ("7ns", 7, "7ns"),
            ("2m", 120 * NANOS_PER_SEC, "120s"),
            ("1h", 3600 * NANOS_PER_SEC, "3600s"),
            ("1_000ms", NANOS_PER_SEC, "1s"),
            ("0s", 0, "0s"),
        ];
        for (text, nanos, canonical) in cases {
            let d: SimDuration = text.parse().unwrap();
            assert_eq!(d.0, nanos, "{text}");
            assert_eq!(d.to_string(), canonical);
            assert_eq!(canonical.parse::<SimDuration>().unwrap(), d);
        }
    }

    #[test]
    fn bad_durations_are_rejected_with_a_reason() {
        for text in ["60", "-5ms", "5 parsecs", "s", "1.0000000001s", "99999999999999h", "", "1.2.3s"] {
            assert!(text.parse::<SimDuration>().is_err(), "{text} should not parse");
        }
    }

    #[test]
    fn sim_time_prints_nine_decimals() {
        assert_eq!(SimTime(12_000_000_333).to_string(), "12.000000333");
        assert_eq!(SimTime(0).to_string(), "0.000000000");
    }
}
