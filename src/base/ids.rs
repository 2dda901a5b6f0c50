//! The names every part shares: which machine, what its Lamport clock reads, and the three
//! kinds of event a log row records.

use std::fmt;
use std::str::FromStr;

/// A machine's id: its index, `0..N`.
pub type MachineId = u32;
/// A Lamport clock value.
pub type LamportTime = u64;

/// The kind of an event: the `event` column of a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    /// `SEND`: one clock increment, one message to each receiver.
    Send,
    /// `RECEIVE`: one message taken off the queue.
    Receive,
    /// `INTERNAL`: a local event.
    Internal,
}

impl EventKind {
    /// The log's name for this kind: `SEND`, `RECEIVE` or `INTERNAL`.
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Send => "SEND",
            EventKind::Receive => "RECEIVE",
            EventKind::Internal => "INTERNAL",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Reads the exact names [`EventKind::name`] writes; the error is the text that is not one.
impl FromStr for EventKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "SEND" => Ok(EventKind::Send),
            "RECEIVE" => Ok(EventKind::Receive),
            "INTERNAL" => Ok(EventKind::Internal),
            other => Err(other.to_string()),
        }
    }
}
