//! What the engine reports: one [`Event`] per log row, handed to an [`EventSink`]. Logs,
//! statistics and fingerprints are all sinks of the same engine.

use std::io;

use crate::time::SimTime;

/// A machine's id: its index, `0..N`.
pub type MachineId = u32;
/// A Lamport clock value.
pub type LamportTime = u64;

/// What happened, with the fields that depend on the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind<'a> {
    /// A send: one clock increment, one message to each receiver, all carrying `msg_clock`.
    Send {
        /// Receivers, in ascending id order (one receiver per row under
        /// `IncrementPerMessage`).
        to: &'a [MachineId],
        /// The timestamp every message of this send carries.
        msg_clock: LamportTime,
    },
    /// A message taken off the queue: `clock = max(clock, msg_clock) + 1`.
    Receive {
        /// The sender.
        from: MachineId,
        /// The timestamp the message carried.
        msg_clock: LamportTime,
    },
    /// A local event: `clock += 1`.
    Internal,
}

impl EventKind<'_> {
    /// The log's name for this kind: `SEND`, `RECEIVE` or `INTERNAL`.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Send { .. } => "SEND",
            EventKind::Receive { .. } => "RECEIVE",
            EventKind::Internal => "INTERNAL",
        }
    }
}

/// Rows of one machine by type, and messages sent: the counts every statistics sink keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindCounts {
    /// SEND rows.
    pub sends: u64,
    /// RECEIVE rows.
    pub receives: u64,
    /// INTERNAL rows.
    pub internals: u64,
    /// Messages sent (a SEND to two machines counts two).
    pub messages_sent: u64,
}

impl KindCounts {
    /// Counts one event.
    #[inline]
    pub fn count(&mut self, kind: &EventKind<'_>) {
        match kind {
            EventKind::Send { to, .. } => {
                self.sends += 1;
                self.messages_sent += to.len() as u64;
            }
            EventKind::Receive { .. } => self.receives += 1,
            EventKind::Internal => self.internals += 1,
        }
    }

    /// All rows.
    pub fn total(&self) -> u64 {
        self.sends + self.receives + self.internals
    }
}

/// One event of one machine: exactly one row of that machine's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    /// When it happened (simulated).
    pub time: SimTime,
    /// Which machine.
    pub machine: MachineId,
    /// The machine's tick index (0-based) this event belongs to.
    pub tick: u64,
    /// What happened.
    pub kind: EventKind<'a>,
    /// The machine's Lamport clock after the event.
    pub clock: LamportTime,
    /// Messages in the machine's queue after the event (see `ReceiveQueueLen`).
    pub queue_len: u64,
}

/// Receives every event of a run in order. The engine stops at the first error.
pub trait EventSink {
    /// Called once per event, in simulated-time order (ties in the engine's tie order).
    fn event(&mut self, event: &Event<'_>) -> io::Result<()>;
}

/// Discards events (for runs that need only the engine's end state).
#[derive(Debug, Default, Clone, Copy)]
pub struct NullSink;

impl EventSink for NullSink {
    #[inline]
    fn event(&mut self, _: &Event<'_>) -> io::Result<()> {
        Ok(())
    }
}

impl<S: EventSink + ?Sized> EventSink for &mut S {
    #[inline]
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        (**self).event(event)
    }
}

/// Both sinks see every event, the first one first.
impl<A: EventSink, B: EventSink> EventSink for (A, B) {
    #[inline(always)]
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        self.0.event(event)?;
        self.1.event(event)
    }
}

/// Every sink in the list sees every event, in list order.
impl EventSink for Vec<Box<dyn EventSink>> {
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        self.iter_mut().try_for_each(|s| s.event(event))
    }
}
