//! What the engine reports, through one interface: an [`Event`] per log row, then one
//! [`RunEnd`] with the end state and how the run ended. Logs, statistics, metrics and
//! fingerprints are all [`EventSink`]s of the same engine; none reads the simulation
//! afterwards.

use std::io;

use crate::base::{EventKind, LamportTime, MachineId, SimTime};

/// What happened, with the fields that depend on the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventDetail<'a> {
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

impl EventDetail<'_> {
    /// SEND, RECEIVE or INTERNAL.
    #[inline]
    pub fn kind(&self) -> EventKind {
        match self {
            EventDetail::Send { .. } => EventKind::Send,
            EventDetail::Receive { .. } => EventKind::Receive,
            EventDetail::Internal => EventKind::Internal,
        }
    }
}

/// One event of one machine: exactly one row of that machine's log.
///
/// Non-exhaustive, so fields can be added (a vector clock is planned) without breaking
/// sinks written elsewhere: read its fields, build one with [`Event::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Event<'a> {
    /// When it happened (simulated).
    pub time: SimTime,
    /// Which machine.
    pub machine: MachineId,
    /// The machine's tick index (0-based) this event belongs to.
    pub tick: u64,
    /// What happened.
    pub detail: EventDetail<'a>,
    /// The machine's Lamport clock after the event.
    pub clock: LamportTime,
    /// Messages in the machine's queue after the event (see `ReceiveQueueLen`).
    pub queue_len: u64,
}

impl<'a> Event<'a> {
    /// An event with the fields every event has.
    pub fn new(
        time: SimTime,
        machine: MachineId,
        tick: u64,
        detail: EventDetail<'a>,
        clock: LamportTime,
        queue_len: u64,
    ) -> Self {
        Event { time, machine, tick, detail, clock, queue_len }
    }
}

/// One machine's state: at the end of a run (in [`RunEnd`]), or whenever
/// [`crate::Simulation::machine_state`] is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MachineState {
    /// Ticks done.
    pub ticks: u64,
    /// Its Lamport clock.
    pub clock: LamportTime,
    /// Messages waiting in its queue.
    pub queued: u64,
    /// Messages sent to it that are still in the network.
    pub in_flight_to: u64,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ending {
    /// Every tick before the end ran, and the messages due before it landed.
    Complete,
    /// A machine's queue reached the scenario's `queue_limit` during a tick at `at`; the
    /// engine stopped inside that tick, before reporting its event.
    QueueLimit {
        /// The flooded machine.
        machine: MachineId,
        /// The limit.
        limit: u64,
        /// When.
        at: SimTime,
    },
    /// The run was stopped on request ([`crate::Simulation::stop`]) before its tick at `at`.
    Interrupted {
        /// The time of the first tick not run.
        at: SimTime,
    },
}

/// The end of a run, reported once to the sink after its last event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunEnd<'a> {
    /// How the run ended.
    pub ending: Ending,
    /// Each machine's state at the end, in id order.
    pub machines: &'a [MachineState],
    /// The simulated time the run covers, `[0, until)`: the scenario's end for a complete
    /// run, the stop for one that stopped early.
    pub until: SimTime,
}

/// Receives every event of a run in order, then its end. The engine stops at the first
/// error.
pub trait EventSink {
    /// Called once per event, in simulated-time order (ties in the engine's tie order).
    fn event(&mut self, event: &Event<'_>) -> io::Result<()>;

    /// Called once, after the last event: the end state and how the run ended. Sinks that
    /// need no end (a log writer flushes on its own) keep the default, which does nothing.
    fn end(&mut self, end: &RunEnd<'_>) -> io::Result<()> {
        let _ = end;
        Ok(())
    }
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

    fn end(&mut self, end: &RunEnd<'_>) -> io::Result<()> {
        (**self).end(end)
    }
}

/// Both sinks see every event and the end, the first one first.
impl<A: EventSink, B: EventSink> EventSink for (A, B) {
    #[inline(always)]
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        self.0.event(event)?;
        self.1.event(event)
    }

    fn end(&mut self, end: &RunEnd<'_>) -> io::Result<()> {
        self.0.end(end)?;
        self.1.end(end)
    }
}
