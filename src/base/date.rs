//! Dates and times as the logs write them, `YYYY-MM-DD HH:MM:SS.ffffff` (what Python's
//! `datetime.now()` prints), with no time zone: the one formatter and the one parser, and
//! [`StartTime`], the `system_time` of simulated time zero.

use std::fmt;

use serde::{Deserialize, Serialize};

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Latest year a start time may have, so that start + duration stays a printable date.
const MAX_START_YEAR: i32 = 9000;

/// The wall-clock-like time of simulated time zero, to the microsecond, with no time zone
/// (like Python's `datetime.now()`). Written `"2026-11-25 18:40:23.000000"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StartTime {
    micros_since_epoch: i64,
}

impl StartTime {
    /// Default start time of a seeded run that names no start time: 2000-01-01 00:00:00.
    pub const SEEDED_DEFAULT: StartTime = StartTime { micros_since_epoch: 946_684_800_000_000 };

    /// Microseconds since 1970-01-01 00:00:00.
    pub fn micros_since_epoch(self) -> i64 {
        self.micros_since_epoch
    }

    /// The given naive date-time, truncated to the microsecond.
    pub fn from_naive(t: chrono::NaiveDateTime) -> StartTime {
        StartTime { micros_since_epoch: t.and_utc().timestamp_micros() }
    }
}

impl TryFrom<String> for StartTime {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let (layout, zone) = start_time_layout(&text);
        if let Some(zone) = zone {
            return Err(format!(
                "start_time {text:?} has a time zone ({zone}), but start times have none: they are the wall-clock \
                 reading at simulated time zero, as Python's datetime.now() gives it; write {:?}",
                layout.trim_end_matches(zone).trim()
            ));
        }
        let micros = parse_date_time(&layout, 9).map_err(|e| match e {
            DateError::SecondSixty => format!("start_time {text:?} has second 60; seconds run from 00 to 59"),
            other => format!(
                "invalid start_time {text:?}: {other} (expected \"YYYY-MM-DD HH:MM:SS.ffffff\", like \"2026-11-25 18:40:23.000000\")"
            ),
        })?;
        let year = chrono::DateTime::from_timestamp_micros(micros).map(|t| chrono::Datelike::year(&t));
        if !year.is_some_and(|y| (1970..=MAX_START_YEAR).contains(&y)) {
            return Err(format!("start_time {text:?} must be between the years 1970 and {MAX_START_YEAR}"));
        }
        Ok(StartTime { micros_since_epoch: micros })
    }
}

/// A start time in the logs' layout: ISO 8601's `T` between date and time becomes a blank.
/// Also the time-zone suffix (`Z`, `+02:00`, `-0500`) the text ends with, if any, which a
/// start time must not have.
fn start_time_layout(text: &str) -> (String, Option<&str>) {
    let trimmed = text.trim();
    let b = trimmed.as_bytes();
    let mut layout = trimmed.to_string();
    if b.len() > 10 && (b[10] == b'T' || b[10] == b't') && b[..10].iter().all(|c| c.is_ascii_digit() || *c == b'-') {
        layout.replace_range(10..11, " ");
    }
    // The zone starts after the seconds and their fraction.
    let mut end = 19.min(b.len());
    if b.get(end) == Some(&b'.') {
        end += 1;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
    }
    let suffix = trimmed.get(end..).unwrap_or("");
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    let is_zone = match suffix.as_bytes().first() {
        Some(b'Z' | b'z') => suffix.len() == 1,
        Some(b'+' | b'-') => {
            let rest = suffix[1..].replacen(':', "", 1);
            digits(&rest) && (rest.len() == 2 || rest.len() == 4)
        }
        _ => false,
    };
    (layout, is_zone.then_some(suffix))
}

impl From<StartTime> for String {
    fn from(t: StartTime) -> String {
        t.to_string()
    }
}

impl fmt::Display for StartTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_date_time(self.micros_since_epoch))
    }
}

/// Why a date and time could not be read. The words are chrono's, which read start times
/// before this parser did, so messages stay as they were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateError {
    /// A character where the format has another.
    Invalid,
    /// The text ends before the format does.
    TooShort,
    /// More after the seconds (or their fraction) than the format allows.
    Trailing,
    /// A month, day, hour or minute that does not exist (February 30th).
    OutOfRange,
    /// Second 60: a leap second, which a run's clock never has.
    SecondSixty,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateError::Invalid => "input contains invalid characters",
            DateError::TooShort => "premature end of input",
            DateError::Trailing => "trailing input",
            DateError::OutOfRange | DateError::SecondSixty => "input is out of range",
        })
    }
}

/// Reads `YYYY-MM-DD HH:MM:SS` with an optional fraction of 1 to `max_fraction_digits`
/// digits (Python's `str(datetime)` leaves it out at a whole second; digits past the
/// microsecond are dropped), surrounding blanks ignored, as microseconds since 1970.
pub(crate) fn parse_date_time(text: &str, max_fraction_digits: usize) -> Result<i64, DateError> {
    let b = text.trim().as_bytes();
    const LAYOUT: &[u8; 19] = b"dddd-dd-dd dd:dd:dd";
    for (i, &want) in LAYOUT.iter().enumerate() {
        let Some(&got) = b.get(i) else { return Err(DateError::TooShort) };
        let fits = if want == b'd' { got.is_ascii_digit() } else { got == want };
        if !fits {
            return Err(DateError::Invalid);
        }
    }
    let number = |from: usize, to: usize| b[from..to].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let micros = match &b[19..] {
        [] => 0,
        [b'.', fraction @ ..] => {
            if fraction.is_empty() {
                return Err(DateError::TooShort);
            }
            if let Some(bad) = fraction.iter().position(|d| !d.is_ascii_digit()) {
                return Err(if bad >= 1 { DateError::Trailing } else { DateError::Invalid });
            }
            if fraction.len() > max_fraction_digits {
                return Err(DateError::Trailing);
            }
            let kept = fraction.len().min(6);
            number(20, 20 + kept) * 10u32.pow(6 - kept as u32)
        }
        _ => return Err(DateError::Trailing),
    };
    let (hour, minute, second) = (number(11, 13), number(14, 16), number(17, 19));
    if second == 60 {
        return Err(DateError::SecondSixty);
    }
    let date = chrono::NaiveDate::from_ymd_opt(number(0, 4) as i32, number(5, 7), number(8, 10))
        .ok_or(DateError::OutOfRange)?;
    let time = date.and_hms_micro_opt(hour, minute, second, micros).ok_or(DateError::OutOfRange)?;
    Ok(time.and_utc().timestamp_micros())
}

/// Microseconds since 1970 as `YYYY-MM-DD HH:MM:SS.ffffff`.
pub(crate) fn format_date_time(micros: i64) -> String {
    let mut out = Vec::with_capacity(26);
    DateTimeWriter::default().write(micros, &mut out);
    String::from_utf8(out).expect("digits and separators")
}

/// Writes `YYYY-MM-DD HH:MM:SS.ffffff` fast, for a log row: the date part is recomputed
/// only when the day changes.
#[derive(Debug, Clone, Default)]
pub(crate) struct DateTimeWriter {
    /// The day (since 1970) `day_prefix` is for.
    day: Option<i64>,
    day_prefix: String,
}

impl DateTimeWriter {
    /// Appends the date and time `micros` microseconds after 1970-01-01 00:00:00.
    pub(crate) fn write(&mut self, micros: i64, out: &mut Vec<u8>) {
        let day = micros.div_euclid(MICROS_PER_DAY);
        if self.day != Some(day) {
            let date = chrono::DateTime::from_timestamp(day * 86_400, 0).map(|d| d.date_naive());
            self.day_prefix = match date {
                Some(d) => d.format("%Y-%m-%d ").to_string(),
                None => "9999-12-31 ".to_string(), // beyond chrono's range; validation prevents it
            };
            self.day = Some(day);
        }
        let in_day = micros.rem_euclid(MICROS_PER_DAY) as u64;
        let secs = in_day / 1_000_000;
        out.extend_from_slice(self.day_prefix.as_bytes());
        push_padded(out, secs / 3600, 2);
        out.push(b':');
        push_padded(out, secs / 60 % 60, 2);
        out.push(b':');
        push_padded(out, secs % 60, 2);
        out.push(b'.');
        push_padded(out, in_day % 1_000_000, 6);
    }
}

/// Appends `value` with at least `width` digits, zero-padded.
pub(crate) fn push_padded(out: &mut Vec<u8>, value: u64, width: usize) {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(value);
    for _ in digits.len()..width {
        out.push(b'0');
    }
    out.extend_from_slice(digits.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_python_prints_them_and_print_back() {
        let at = |text| parse_date_time(text, 6);
        assert_eq!(at("1970-01-01 00:00:00.000001"), Ok(1));
        assert_eq!(at("2000-01-01 00:00:01.5"), Ok(946_684_801_500_000));
        assert_eq!(at(" 2000-01-01 00:00:01 "), Ok(946_684_801_000_000));
        assert_eq!(format_date_time(946_684_801_500_000), "2000-01-01 00:00:01.500000");
        assert_eq!(format_date_time(-1), "1969-12-31 23:59:59.999999");
        for (bad, why) in [
            ("", DateError::TooShort),
            ("x", DateError::Invalid),
            ("2000-01-01T00:00:01", DateError::Invalid),
            ("2000-02-30 00:00:01", DateError::OutOfRange),
            ("2000-01-01 24:00:00", DateError::OutOfRange),
            ("2000-01-01 00:00:60", DateError::SecondSixty),
            ("2000-01-01 00:00:01.", DateError::TooShort),
            ("2000-01-01 00:00:01.1234567", DateError::Trailing),
            ("2000-01-01 00:00:01.12a", DateError::Trailing),
            ("2000-1-01 00:00:01", DateError::Invalid),
            ("2000-01-01 00:00:01 x", DateError::Trailing),
        ] {
            assert_eq!(at(bad), Err(why), "{bad:?}");
        }
        // A start time may name nanoseconds; they are dropped.
        assert_eq!(parse_date_time("2000-01-01 00:00:01.123456789", 9), Ok(946_684_801_123_456));
    }

    #[test]
    fn start_times_are_checked_and_written_canonically() {
        let t = StartTime::try_from("2026-11-25 18:40:23".to_string()).unwrap();
        assert_eq!(t.to_string(), "2026-11-25 18:40:23.000000");
        let err = |text: &str| StartTime::try_from(text.to_string()).unwrap_err();
        assert!(err("2026-02-30 00:00:00").ends_with(
            ": input is out of range (expected \"YYYY-MM-DD HH:MM:SS.ffffff\", like \"2026-11-25 18:40:23.000000\")"
        ));
        assert!(err("2026/11/25 18:40:23")
            .starts_with("invalid start_time \"2026/11/25 18:40:23\": input contains invalid characters"));
        assert_eq!(
            err("9000-12-31 23:59:60"),
            "start_time \"9000-12-31 23:59:60\" has second 60; seconds run from 00 to 59"
        );
        assert!(err("1969-12-31 23:59:59").ends_with("must be between the years 1970 and 9000"));
        assert!(err("9001-01-01 00:00:00").ends_with("must be between the years 1970 and 9000"));
    }

    #[test]
    fn start_times_take_iso_8601s_t_but_no_time_zone() {
        let t = |text: &str| StartTime::try_from(text.to_string()).map(|t| t.to_string());
        assert_eq!(t("2026-11-25T18:40:23"), Ok("2026-11-25 18:40:23.000000".to_string()));
        assert_eq!(t("2026-11-25t18:40:23.25"), Ok("2026-11-25 18:40:23.250000".to_string()));
        for (text, zone) in [
            ("2026-11-25T18:40:23Z", "Z"),
            ("2026-11-25 18:40:23.5+02:00", "+02:00"),
            ("2026-11-25T18:40:23-0500", "-0500"),
            ("2026-11-25T18:40:23+01", "+01"),
        ] {
            let err = t(text).unwrap_err();
            assert!(err.contains(&format!("has a time zone ({zone}), but start times have none")), "{err}");
            let want = text.replacen('T', " ", 1);
            let want = want.trim_end_matches(zone);
            assert!(err.ends_with(&format!("write {want:?}")), "{err}");
        }
        // Not a zone: still the parser's own error.
        assert!(t("2026-11-25T18:40:23 x").unwrap_err().contains("trailing input"));
        assert!(t("2026-11-25X18:40:23").unwrap_err().contains("invalid characters"));
    }

    #[test]
    fn the_writer_changes_day_at_midnight() {
        let mut w = DateTimeWriter::default();
        let mut out = Vec::new();
        w.write(86_400_000_000 - 1, &mut out);
        out.push(b'|');
        w.write(86_400_000_000, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "1970-01-01 23:59:59.999999|1970-01-02 00:00:00.000000");
    }
}
