//! Scenario files: the RON format users write, its validation with `file:line:col` errors,
//! and resolution into a [`Resolved`] scenario where every value (seed, rates, phases, start
//! time, every default) is explicit, so that replaying it reproduces a run byte for byte.
//!
//! The field reference with examples is `docs/scenario.md`.

mod sweep;

pub use sweep::{Grid, Seeds, Sweep};
pub(crate) use sweep::{GridPoint, RunSpec};

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::base::{min_tick_gap, SimDuration, NANOS_PER_SEC};
use crate::base::{SimRng, StreamPurpose};

/// Scenario files larger than this are refused before parsing.
pub const MAX_SCENARIO_BYTES: u64 = 1024 * 1024;
/// Largest machine count a scenario may ask for.
pub const MAX_MACHINES: u32 = 100_000;
/// Longest run: a million hours (114 years), so that no tick time, jitter included, comes
/// near the end of 64-bit nanoseconds.
pub const MAX_DURATION: SimDuration = SimDuration(1_000_000 * 3600 * NANOS_PER_SEC);
/// Largest clock rate, in ticks per simulated second.
pub const MAX_RATE: u32 = 1_000_000;

/// A scenario as written in a `.ron` file. Every field may be left out; what is left out
/// takes the classic experiment's value. See [`Scenario::resolve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Number of machines. Default: the length of an `Each` rate list, else 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machines: Option<MachineCount>,
    /// Clock rates (ticks per second). Default: `Range(min: 1, max: 6)`.
    #[serde(default)]
    pub rates: Rates,
    /// When each machine's first tick happens. Default: `Random`.
    #[serde(default)]
    pub phase: Phase,
    /// Simulated run length. Default: `"60s"`.
    #[serde(default = "default_duration")]
    pub duration: SimDuration,
    /// Seed of every random stream. Default: a fresh random seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The `system_time` of simulated time zero. Default: see [`Scenario::resolve`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<StartTime>,
    /// Weights of the actions an idle machine picks. Default: the classic 1/1/1/7.
    #[serde(default)]
    pub event_mix: EventMix,
    /// Who a `send_all` action sends to. Default: `AllOthers`.
    #[serde(default)]
    pub send_all_targets: SendAllTargets,
    /// How long a message takes to land in the receiver's queue. Default: `NoDelay` (at once).
    #[serde(default)]
    pub network_delay: NetworkDelay,
    /// Random lateness of each tick. Default: `NoJitter`.
    #[serde(default)]
    pub tick_jitter: TickJitter,
    /// The three points where published versions of the exercise disagree.
    #[serde(default)]
    pub semantics: Semantics,
    /// Largest number of messages one machine's queue may hold; a run that would exceed it
    /// stops with an error instead of exhausting memory. Default: 10,000,000.
    #[serde(default = "default_queue_limit")]
    pub queue_limit: u64,
}

/// Default [`Scenario::queue_limit`]: 10 million messages (160 MB) per queue.
pub const DEFAULT_QUEUE_LIMIT: u64 = 10_000_000;

fn default_queue_limit() -> u64 {
    DEFAULT_QUEUE_LIMIT
}

/// The classic experiment: 3 machines, rates from 1..=6, random phases, 60 simulated seconds.
impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            machines: None,
            rates: Rates::default(),
            phase: Phase::default(),
            duration: default_duration(),
            seed: None,
            start_time: None,
            event_mix: EventMix::default(),
            send_all_targets: SendAllTargets::default(),
            network_delay: NetworkDelay::default(),
            tick_jitter: TickJitter::default(),
            semantics: Semantics::default(),
            queue_limit: DEFAULT_QUEUE_LIMIT,
        }
    }
}

fn default_duration() -> SimDuration {
    SimDuration::from_secs(60)
}

/// A `u32` newtype that only holds `1..=max`: checked on construction (and so when a scenario
/// is read, through serde's `try_from`), written back as the plain number.
macro_rules! bounded_u32 {
    ($(#[$doc:meta])* $name:ident, max: $max:expr, get: $get_doc:literal, error: $error:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "u32", into = "u32")]
        pub struct $name(u32);

        impl $name {
            #[doc = $get_doc]
            pub fn get(self) -> u32 {
                self.0
            }
        }

        impl TryFrom<u32> for $name {
            type Error = String;
            fn try_from(n: u32) -> Result<Self, String> {
                if (1..=$max).contains(&n) {
                    Ok($name(n))
                } else {
                    Err(format!($error, max = $max, n = n))
                }
            }
        }

        impl From<$name> for u32 {
            fn from(value: $name) -> u32 {
                value.0
            }
        }
    };
}

bounded_u32!(
    /// A machine count in `1..=MAX_MACHINES`.
    MachineCount,
    max: MAX_MACHINES,
    get: "The count as a number.",
    error: "machines must be between 1 and {max}, got {n}"
);

bounded_u32!(
    /// A clock rate in ticks per second, in `1..=MAX_RATE`.
    Rate,
    max: MAX_RATE,
    get: "Ticks per second.",
    error: "a rate must be between 1 and {max} ticks per second, got {n}"
);

/// How machines get their clock rates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rates {
    /// Each machine draws a rate uniformly from `min..=max` (from the seed).
    Range {
        /// Slowest rate that may be drawn.
        min: Rate,
        /// Fastest rate that may be drawn.
        max: Rate,
    },
    /// One rate per machine, in machine order.
    Each(Vec<Rate>),
    /// Machine `i` gets `list[i % len]`: handy for many machines.
    Cycle(Vec<Rate>),
}

impl Default for Rates {
    fn default() -> Self {
        Rates::Range { min: Rate(1), max: Rate(6) }
    }
}

/// When each machine's first tick happens (its phase, below one tick period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Phase {
    /// A seeded random offset within the first period, as real threads start at arbitrary
    /// moments.
    #[default]
    Random,
    /// Every machine ticks first at time zero.
    Aligned,
    /// One offset per machine, each shorter than that machine's tick period.
    Explicit(Vec<SimDuration>),
}

/// Weights of what an idle machine (empty queue) does on a tick. The classic roll of
/// 1..=10 is `send_next: 1, send_after: 1, send_all: 1, internal: 7`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "EventMixFields")]
pub struct EventMix {
    /// Send to machine `(i + 1) mod N`.
    pub send_next: u32,
    /// Send to machine `(i + 2) mod N`.
    pub send_after: u32,
    /// Send to [`SendAllTargets`] in one event.
    pub send_all: u32,
    /// An internal event.
    pub internal: u32,
}

/// The unchecked form of [`EventMix`], validated by `TryFrom`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "EventMix")]
struct EventMixFields {
    send_next: u32,
    send_after: u32,
    send_all: u32,
    internal: u32,
}

impl TryFrom<EventMixFields> for EventMix {
    type Error = String;
    fn try_from(f: EventMixFields) -> Result<Self, String> {
        let total = u64::from(f.send_next) + u64::from(f.send_after) + u64::from(f.send_all) + u64::from(f.internal);
        if total == 0 {
            return Err("event_mix weights are all zero; at least one must be positive".into());
        }
        if total > u64::from(u32::MAX) {
            return Err(format!("event_mix weights add up to {total}; the total must fit in 32 bits"));
        }
        Ok(EventMix { send_next: f.send_next, send_after: f.send_after, send_all: f.send_all, internal: f.internal })
    }
}

impl EventMix {
    /// The classic assignment's mix: a roll of 1..=10 where 1, 2, 3 send and 4..=10 are internal.
    pub const CLASSIC: EventMix = EventMix { send_next: 1, send_after: 1, send_all: 1, internal: 7 };

    /// Sum of the weights (never zero for a validated mix).
    pub fn total(&self) -> u32 {
        self.send_next + self.send_after + self.send_all + self.internal
    }
}

impl Default for EventMix {
    fn default() -> Self {
        EventMix::CLASSIC
    }
}

/// Receivers of a `send_all` action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SendAllTargets {
    /// Every other machine (for three machines: both others, as in the classic).
    #[default]
    AllOthers,
    /// Machines `(i + 1) mod N` and `(i + 2) mod N` only, however many machines there are.
    NextTwo,
}

/// Time from a send to the message landing in the receiver's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum NetworkDelay {
    /// Messages land at the send instant (the original's in-memory queues).
    #[default]
    NoDelay,
    /// Every message takes exactly this long.
    Fixed(SimDuration),
    /// Uniform in `min..=max`, in whole nanoseconds.
    Uniform {
        /// Shortest delay.
        min: SimDuration,
        /// Longest delay.
        max: SimDuration,
    },
    /// Exponential with this mean, rounded to whole nanoseconds.
    Exponential {
        /// Mean delay.
        mean: SimDuration,
    },
}

/// Random lateness added to each tick's nominal time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum TickJitter {
    /// Ticks happen exactly on schedule.
    #[default]
    NoJitter,
    /// Each tick is late by a uniform amount in `0..=max`; `max` must be shorter than the
    /// fastest machine's tick period so ticks never swap order.
    Uniform {
        /// Largest lateness.
        max: SimDuration,
    },
}

/// The timestamp a message carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum MessageClock {
    /// The sender's clock after the send's increment (SPEC default).
    #[default]
    AfterIncrement,
    /// The sender's clock before the send's increment.
    BeforeIncrement,
}

/// How a send to several machines moves the sender's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum MulticastClock {
    /// One increment and one SEND row for the whole send (SPEC default).
    #[default]
    IncrementOnce,
    /// One increment and one SEND row per receiver, all at the tick's instant.
    IncrementPerMessage,
}

/// The `queue_len` logged on a RECEIVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ReceiveQueueLen {
    /// Messages still waiting after taking this one off (SPEC default).
    #[default]
    AfterTake,
    /// Messages waiting before taking this one off (one more).
    BeforeTake,
}

/// The three points where public implementations of the exercise disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Semantics {
    /// (a) The timestamp a message carries.
    #[serde(default)]
    pub message_clock: MessageClock,
    /// (b) Clock increments of a send to several machines.
    #[serde(default)]
    pub multicast: MulticastClock,
    /// (c) The queue length a RECEIVE row shows.
    #[serde(default)]
    pub receive_queue_len: ReceiveQueueLen,
}

/// The wall-clock-like time of simulated time zero, to the microsecond, with no time zone
/// (like Python's `datetime.now()`). Written `"2026-11-25 18:40:23.000000"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StartTime {
    micros_since_epoch: i64,
}

impl StartTime {
    /// Default start time of a seeded run that names no start time.
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

/// Latest start time accepted, so that start + duration stays a printable date.
const MAX_START_YEAR: i32 = 9000;

impl TryFrom<String> for StartTime {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let parsed = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S%.f").map_err(|e| {
            format!("invalid start_time {text:?}: {e} (expected \"YYYY-MM-DD HH:MM:SS.ffffff\", like \"2026-11-25 18:40:23.000000\")")
        })?;
        use chrono::{Datelike, Timelike};
        // chrono reads second 60 as a leap second; a run's clock has none, and it would roll
        // over into the next minute (even the next year) when written back.
        if parsed.nanosecond() >= 1_000_000_000 {
            return Err(format!("start_time {text:?} has second 60; seconds run from 00 to 59"));
        }
        if !(1970..=MAX_START_YEAR).contains(&parsed.year()) {
            return Err(format!("start_time {text:?} must be between the years 1970 and {MAX_START_YEAR}"));
        }
        Ok(StartTime::from_naive(parsed))
    }
}

impl From<StartTime> for String {
    fn from(t: StartTime) -> String {
        t.to_string()
    }
}

impl fmt::Display for StartTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = chrono::DateTime::from_timestamp_micros(self.micros_since_epoch).expect("validated range");
        write!(f, "{}", t.naive_utc().format("%Y-%m-%d %H:%M:%S%.6f"))
    }
}

/// A scenario that could not be read or is not valid.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read (the OS reason is the error's `source`).
    #[error("{path}: cannot read scenario")]
    Read {
        /// The scenario file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is over [`MAX_SCENARIO_BYTES`].
    #[error(
        "{path}: scenario file is {}",
        size.map_or(format!("over the limit of {MAX_SCENARIO_BYTES} bytes (1 MiB)"),
            |s| format!("{s} bytes; the limit is {MAX_SCENARIO_BYTES} bytes (1 MiB)"))
    )]
    TooLarge {
        /// The scenario file.
        path: String,
        /// Its size, when known before reading (not for a pipe or device).
        size: Option<u64>,
    },
    /// RON syntax, an unknown field, a wrong type, or a value out of range.
    #[error("{origin}:{line}:{col}: {message}")]
    Syntax {
        /// The scenario file, or `<scenario>` for text.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// Values that parse but do not fit together.
    #[error("{location}: {message}")]
    Invalid {
        /// `file:line:col` of the field at fault when it can be found, else the file or flag.
        location: String,
        /// What is wrong and what would be accepted.
        message: String,
    },
}

/// A RON error as a [`ScenarioError::Syntax`], made clearer where RON's own words mislead:
/// an error RON locates on the whitespace before a token is located at the token, and an
/// error that runs into the end of the file says so.
/// A RON error as `origin:line:col: message`, pointing at the fault rather than the blank
/// after it, saying what a truncated file lacks, and naming the field of an out-of-range
/// integer. `empty_hint` says what a minimal file looks like (scenario or sweep).
pub(crate) fn syntax_error(e: ron::error::SpannedError, text: &str, origin: &str, empty_hint: &str) -> ScenarioError {
    let last_line = text.rsplit('\n').next().unwrap_or("");
    let at_eof = e.span.end.line == text.matches('\n').count() + 1 && e.span.end.col == last_line.chars().count() + 1;
    let (line, col) = (e.span.start.line, e.span.start.col);
    let on_space = text
        .split('\n')
        .nth(line.saturating_sub(1))
        .is_none_or(|l| l.chars().nth(col.saturating_sub(1)).is_none_or(char::is_whitespace));
    let at = if on_space && !at_eof { e.span.end } else { e.span.start };
    let message = match &e.code {
        ron::Error::ExpectedComma if at_eof => {
            "Expected comma or closing bracket, but the file ends here: is a closing `)` or `]` missing?".to_string()
        }
        ron::Error::ExpectedNamedStructLike(_) if at_eof && text.trim().is_empty() => {
            format!("{}, but the file is empty ({empty_hint})", e.code)
        }
        ron::Error::ExpectedNamedStructLike(_) if at_eof => {
            format!("{}, but the file ends here ({empty_hint})", e.code)
        }
        ron::Error::IntegerOutOfBounds => {
            // Name the field and its range: "out of bounds" alone does not say which bounds.
            let range = |field: &str| match field {
                "machines" => format!("1 to {MAX_MACHINES}"),
                "rates" | "min" | "max" => format!("1 to {MAX_RATE} (ticks per second)"),
                // `seeds`, `start` and `end`: a sweep's seeds.
                "seed" | "seeds" | "start" | "end" | "queue_limit" => format!("0 to {}", u64::MAX),
                _ => format!("0 to {}", u32::MAX),
            };
            match field_before(text, at.line, at.col) {
                Some(field) => format!("{} in `{field}`: expected a whole number from {}", e.code, range(field)),
                None => e.code.to_string(),
            }
        }
        code => code.to_string(),
    };
    ScenarioError::Syntax { origin: origin.to_string(), line: at.line, col: at.col, message }
}

/// The name of the field whose value is at `line:col` (1-based, in characters): the last
/// `name:` before it.
fn field_before(text: &str, line: usize, col: usize) -> Option<&str> {
    let line_start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let in_line =
        text[line_start..].char_indices().nth(col.saturating_sub(1)).map_or(text.len() - line_start, |(i, _)| i);
    let mut before = &text[..line_start + in_line];
    while let Some(colon) = before.rfind(':') {
        before = &before[..colon];
        let trimmed = before.trim_end();
        // Char boundaries, not bytes: a non-ASCII character may come before the name.
        let name_start = trimmed
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let name = &trimmed[name_start..];
        // A colon inside a string (a time of day) has digits before it, not a field name.
        if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return Some(name);
        }
    }
    None
}

/// The text of a scenario or sweep file: at most [`MAX_SCENARIO_BYTES`] read, even from a
/// pipe or device (`/dev/zero`) that reports no size, UTF-8, and without a leading byte-order
/// mark (invisible in editors, and RON would refuse it at "1:1").
pub(crate) fn read_ron_file(path: &Path) -> Result<String, ScenarioError> {
    use std::io::Read;
    let name = path.display().to_string();
    let read_err = |source| ScenarioError::Read { path: name.clone(), source };
    let file = std::fs::File::open(path).map_err(read_err)?;
    // Refuse a large regular file by its size, unread; a pipe or device reports no size
    // and is read up to the limit below.
    let size = file.metadata().map_err(read_err)?.len();
    if size > MAX_SCENARIO_BYTES {
        return Err(ScenarioError::TooLarge { path: name, size: Some(size) });
    }
    let mut bytes = Vec::new();
    file.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes).map_err(read_err)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(ScenarioError::TooLarge { path: name, size: None });
    }
    ron_text(&bytes, &name).map(str::to_string)
}

/// The bytes of a scenario or sweep file (named `name` in errors) as text: UTF-8, and a
/// leading byte-order mark dropped. [`read_ron_file`] and the check fuzz target share it.
pub(crate) fn ron_text<'a>(bytes: &'a [u8], name: &str) -> Result<&'a str, ScenarioError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ScenarioError::Invalid {
        location: name.to_string(),
        message: format!("scenario is not UTF-8 text (invalid byte at offset {})", e.valid_up_to()),
    })?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

impl Scenario {
    /// Parses scenario text; `origin` names it in errors (a path, or `<scenario>`).
    pub fn from_ron_str(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        if text.len() as u64 > MAX_SCENARIO_BYTES {
            return Err(ScenarioError::TooLarge { path: origin.to_string(), size: Some(text.len() as u64) });
        }
        let scenario: Scenario = ron_options()
            .from_str(text)
            .map_err(|e| syntax_error(e, text, origin, "write `()` for the classic scenario"))?;
        scenario.check(&SourceText { text, origin })?;
        Ok(scenario)
    }

    /// Reads and parses a scenario file (refusing files over 1 MiB before reading them).
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let name = path.display().to_string();
        Scenario::from_ron_str(&read_ron_file(path)?, &name)
    }

    /// The scenario as RON text (pretty, one field per line).
    pub fn to_ron(&self) -> String {
        let config =
            ron::ser::PrettyConfig::new().struct_names(true).compact_arrays(true).indentor("    ").new_line("\n");
        ron_options().to_string_pretty(self, config).expect("scenarios always serialize")
    }

    /// The machine count this scenario asks for.
    pub fn machine_count(&self) -> u32 {
        match (&self.machines, &self.rates) {
            (Some(n), _) => n.get(),
            (None, Rates::Each(list)) => list.len().try_into().unwrap_or(u32::MAX),
            (None, _) => 3,
        }
    }

    /// Checks the rules that span several fields and do not depend on random draws.
    /// `source` locates fields in the text for error messages.
    fn check(&self, source: &SourceText<'_>) -> Result<(), ScenarioError> {
        let n = self.machine_count();
        let invalid = |field: &str, message: String| ScenarioError::Invalid { location: source.locate(field), message };
        // Before the machine count: an empty `Each` list would otherwise read as "0 machines".
        if let Rates::Each(list) | Rates::Cycle(list) = &self.rates {
            if list.is_empty() {
                return Err(invalid("rates", "rates list is empty; give at least one rate".into()));
            }
        }
        if n == 0 || n > MAX_MACHINES {
            return Err(invalid("rates", format!("machines must be between 1 and {MAX_MACHINES}, got {n}")));
        }
        match &self.rates {
            Rates::Range { min, max } if min > max => {
                return Err(invalid("rates", format!("rate range min {} is above max {}", min.get(), max.get())))
            }
            Rates::Each(list) if list.len() != n as usize => {
                return Err(invalid(
                    "rates",
                    format!(
                        "rates lists {} but there are {n} machines; give one rate per machine",
                        plural(list.len(), "rate")
                    ),
                ))
            }
            _ => {}
        }
        if let Phase::Explicit(list) = &self.phase {
            if list.len() != n as usize {
                return Err(invalid(
                    "phase",
                    format!(
                        "phase lists {} but there are {n} machines; give one per machine",
                        plural(list.len(), "offset")
                    ),
                ));
            }
        }
        if self.duration == SimDuration::ZERO {
            return Err(invalid("duration", "duration must be longer than 0s".into()));
        }
        if self.duration > MAX_DURATION {
            return Err(invalid(
                "duration",
                format!("duration {} is longer than the limit of 1000000h", self.duration),
            ));
        }
        if self.queue_limit == 0 {
            return Err(invalid("queue_limit", "queue_limit must be at least 1 message".into()));
        }
        if let NetworkDelay::Uniform { min, max } = self.network_delay {
            if min > max {
                return Err(invalid("network_delay", format!("network_delay Uniform min {min} is above max {max}")));
            }
        }
        // Rules that need the rates: checked against the slowest/fastest possible rate.
        let fastest = match &self.rates {
            Rates::Range { max, .. } => max.get(),
            Rates::Each(list) | Rates::Cycle(list) => list.iter().map(|r| r.get()).max().unwrap_or(1),
        };
        if let TickJitter::Uniform { max } = self.tick_jitter {
            let gap = min_tick_gap(fastest);
            if max >= gap {
                return Err(invalid(
                    "tick_jitter",
                    format!("tick_jitter max {max} must be shorter than the fastest machine's tick period ({gap} at {fastest} Hz)"),
                ));
            }
        }
        if let Phase::Explicit(list) = &self.phase {
            for (i, phase) in list.iter().enumerate() {
                let rate = self.fixed_rate(i as u32).unwrap_or(fastest);
                let gap = min_tick_gap(rate);
                if *phase >= gap {
                    return Err(invalid(
                        "phase",
                        format!("phase of machine {i} is {phase}; it must be shorter than its tick period ({gap} at {rate} Hz)"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Machine `i`'s rate if the scenario fixes it.
    fn fixed_rate(&self, i: u32) -> Option<u32> {
        match &self.rates {
            Rates::Range { min, max } if min == max => Some(min.get()),
            Rates::Range { .. } => None,
            Rates::Each(list) => list.get(i as usize).map(|r| r.get()),
            Rates::Cycle(list) => Some(list[i as usize % list.len()].get()),
        }
    }

    /// Validates the scenario (as if it came from `origin`) and makes every value explicit.
    ///
    /// What the scenario leaves open is filled in this order: the seed from `fresh.seed`;
    /// random rates and phases from the seed (each machine's setup stream); the start time
    /// from the scenario, else `2000-01-01 00:00:00` when the scenario names a seed (so a
    /// seeded run is a pure function of its inputs), else `fresh.start_time` (a fresh run
    /// looks like a real one).
    pub fn resolve(&self, fresh: Fresh, origin: &str) -> Result<Resolved, ScenarioError> {
        self.check(&SourceText { text: "", origin })?;
        let seed = self.seed.unwrap_or(fresh.seed);
        let start_time = match (self.start_time, self.seed) {
            (Some(t), _) => t,
            (None, Some(_)) => StartTime::SEEDED_DEFAULT,
            (None, None) => fresh.start_time,
        };
        let n = self.machine_count();
        let machines = (0..n)
            .map(|i| {
                let mut setup = SimRng::for_machine(seed, i, StreamPurpose::Setup);
                let rate = match &self.rates {
                    Rates::Range { min, max } => setup.between(min.get().into(), max.get().into()) as u32,
                    _ => self.fixed_rate(i).expect("list rates are fixed"),
                };
                let phase = match &self.phase {
                    Phase::Random => SimDuration(setup.below(min_tick_gap(rate).as_nanos())),
                    Phase::Aligned => SimDuration::ZERO,
                    Phase::Explicit(list) => list[i as usize],
                };
                MachineSetup { rate, phase }
            })
            .collect::<Vec<_>>();
        let resolved = Resolved {
            seed,
            start_time,
            duration: self.duration,
            machines,
            event_mix: self.event_mix,
            send_all_targets: self.send_all_targets,
            network_delay: self.network_delay,
            tick_jitter: self.tick_jitter,
            semantics: self.semantics,
            queue_limit: self.queue_limit,
        };
        // Drawn rates can still break a rate-dependent rule (an explicit phase or the jitter).
        resolved.to_scenario().check(&SourceText { text: "", origin })?;
        Ok(resolved)
    }
}

/// `1 rate`, `2 rates`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Values used for what a scenario leaves open (see [`Scenario::resolve`]).
#[derive(Debug, Clone, Copy)]
pub struct Fresh {
    /// Seed used when the scenario names none.
    pub seed: u64,
    /// Start time used when the scenario names neither a seed nor a start time.
    pub start_time: StartTime,
}

/// Scenario text kept for locating fields in error messages.
struct SourceText<'a> {
    text: &'a str,
    origin: &'a str,
}

impl SourceText<'_> {
    /// `origin:line:col` of the first `field:` outside a comment, or just `origin` when the
    /// field is not written in the text (it came from a default or a command-line flag).
    fn locate(&self, field: &str) -> String {
        for (line_no, line) in self.text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let mut search_from = 0;
            while let Some(pos) = code[search_from..].find(field) {
                let at = search_from + pos;
                let before_ok =
                    at == 0 || !code.as_bytes()[at - 1].is_ascii_alphanumeric() && code.as_bytes()[at - 1] != b'_';
                let rest = code[at + field.len()..].trim_start();
                if before_ok && rest.starts_with(':') {
                    return format!("{}:{}:{}", self.origin, line_no + 1, code[..at].chars().count() + 1);
                }
                search_from = at + field.len();
            }
        }
        self.origin.to_string()
    }
}

/// One machine's fixed setup in a resolved scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MachineSetup {
    /// Ticks per second.
    pub rate: u32,
    /// Time of the first tick, shorter than one tick period.
    pub phase: SimDuration,
}

/// A validated scenario with every value explicit: what the engine runs and what
/// `scenario.ron` records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Seed of every random stream.
    pub seed: u64,
    /// `system_time` of simulated time zero.
    pub start_time: StartTime,
    /// Run length.
    pub duration: SimDuration,
    /// Rate and phase of each machine, in id order.
    pub machines: Vec<MachineSetup>,
    /// Action weights of an idle machine.
    pub event_mix: EventMix,
    /// Receivers of a `send_all` action.
    pub send_all_targets: SendAllTargets,
    /// Message delay.
    pub network_delay: NetworkDelay,
    /// Tick lateness.
    pub tick_jitter: TickJitter,
    /// Clock and logging conventions.
    pub semantics: Semantics,
    /// Largest queue allowed.
    pub queue_limit: u64,
}

impl Resolved {
    /// The fully explicit scenario (every field present, rates and phases listed).
    pub fn to_scenario(&self) -> Scenario {
        Scenario {
            machines: Some(MachineCount(self.machines.len() as u32)),
            rates: Rates::Each(self.machines.iter().map(|m| Rate(m.rate)).collect()),
            phase: Phase::Explicit(self.machines.iter().map(|m| m.phase).collect()),
            duration: self.duration,
            seed: Some(self.seed),
            start_time: Some(self.start_time),
            event_mix: self.event_mix,
            send_all_targets: self.send_all_targets,
            network_delay: self.network_delay,
            tick_jitter: self.tick_jitter,
            semantics: self.semantics,
            queue_limit: self.queue_limit,
        }
    }

    /// The `scenario.ron` text: a comment header and the explicit scenario.
    pub fn to_ron(&self) -> String {
        format!(
            "// Resolved scenario written by lamport-sim {}: every value is explicit.\n\
             // Replay it byte for byte with: lamport-sim replay <this file or its run folder> --out DIR\n{}\n",
            env!("CARGO_PKG_VERSION"),
            self.to_scenario().to_ron()
        )
    }

    /// Total ticks in the run: the sum over machines of [`crate::base::ticks_before`].
    pub fn total_ticks(&self) -> u128 {
        let end = crate::base::SimTime(self.duration.as_nanos());
        self.machines.iter().map(|m| u128::from(crate::base::ticks_before(end, m.rate, m.phase))).sum()
    }

    /// Run length in whole and fractional seconds, for display only.
    pub fn duration_secs_f64(&self) -> f64 {
        self.duration.as_nanos() as f64 / NANOS_PER_SEC as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_out_of_bounds_integer_names_its_field() {
        let message = |text: &str| Scenario::from_ron_str(text, "s.ron").unwrap_err().to_string();
        assert_eq!(
            message("(event_mix: EventMix(send_next: 1, send_after: 1, send_all: 1,\n internal: -1))"),
            "s.ron:2:13: Integer is out of bounds in `internal`: expected a whole number from 0 to 4294967295"
        );
        // A string holding colons (a time of day), and non-ASCII text, before the field.
        assert!(message("(start_time: \"2026-11-25 18:40:23\", seed: -1)").contains("in `seed`: expected"));
        assert!(message("(/* é: ü */ seed: -1)").contains("in `seed`"));
        assert!(message("(/* é:*/ -1)").starts_with("s.ron:1:"), "no field: no panic");
    }

    fn fresh() -> Fresh {
        Fresh { seed: 99, start_time: StartTime::SEEDED_DEFAULT }
    }

    #[test]
    fn empty_scenario_is_the_classic() {
        let s = Scenario::from_ron_str("()", "<t>").unwrap();
        assert_eq!(s, Scenario::default());
        let r = s.resolve(fresh(), "<t>").unwrap();
        assert_eq!(r.machines.len(), 3);
        assert_eq!(r.duration, SimDuration::from_secs(60));
        assert_eq!(r.event_mix, EventMix::CLASSIC);
        for m in &r.machines {
            assert!((1..=6).contains(&m.rate));
            assert!(m.phase < min_tick_gap(m.rate));
        }
    }

    #[test]
    fn resolved_round_trips_through_ron() {
        let s = Scenario::from_ron_str(
            "(machines: 4, rates: Cycle([2, 5]), seed: 7, network_delay: Uniform(min: \"1ms\", max: \"3ms\"))",
            "<t>",
        )
        .unwrap();
        let r = s.resolve(fresh(), "<t>").unwrap();
        let text = r.to_ron();
        let back = Scenario::from_ron_str(&text, "<t>").unwrap();
        assert_eq!(back, r.to_scenario());
        assert_eq!(back.resolve(fresh(), "<t>").unwrap(), r);
    }

    #[test]
    fn seed_fixes_rates_phases_and_start() {
        let s = Scenario::from_ron_str("(seed: 5)", "<t>").unwrap();
        let a = s.resolve(Fresh { seed: 1, start_time: StartTime::SEEDED_DEFAULT }, "<t>").unwrap();
        let later = StartTime::try_from("2030-01-01 00:00:00".to_string()).unwrap();
        let b = s.resolve(Fresh { seed: 2, start_time: later }, "<t>").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.start_time.to_string(), "2000-01-01 00:00:00.000000");
    }

    #[test]
    fn errors_point_at_the_field() {
        let text = "(\n  machines: 2,\n  rates: Each([1, 2, 3]),\n)";
        let err = Scenario::from_ron_str(text, "f.ron").unwrap_err().to_string();
        assert!(err.starts_with("f.ron:3:3: rates lists 3 rates but there are 2 machines"), "{err}");
        let err = Scenario::from_ron_str("(\n machines: 0)", "f.ron").unwrap_err().to_string();
        assert!(err.starts_with("f.ron:2:"), "{err}");
        assert!(err.contains("machines must be between 1 and"), "{err}");
    }
}
