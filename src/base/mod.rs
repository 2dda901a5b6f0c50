//! What every part shares: virtual time and durations, machine ids, clock values and event
//! kinds, the seeded random streams, and the names of a run folder's files.

mod date;
mod fingerprint;
mod ids;
mod layout;
mod rng;
mod time;
mod words;

pub use date::StartTime;
pub(crate) use date::{format_date_time, parse_date_time, push_padded, DateTimeWriter};
pub(crate) use fingerprint::EventHash;
pub use ids::{EventKind, LamportTime, MachineId};
pub use layout::{log_file_name, log_ids, INCOMPLETE_FILE, SCENARIO_FILE, SUMMARY_FILE};
pub(crate) use rng::mix64;
pub use rng::{SimRng, StreamPurpose};
pub(crate) use words::{count, were};

pub(crate) use time::{min_tick_gap, TickSchedule, NANOS_PER_SEC};
pub use time::{tick_time, ticks_before, DurationParseError, HumanDuration, SimDuration, SimTime};
