//! The network between machines: messages on their way under the scenario's delay model,
//! landing in due-time order (ties in send order).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::base::{LamportTime, MachineId, SimDuration, SimRng, SimTime};
use crate::scenario::NetworkDelay;

/// A message in a queue or in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Message {
    /// The sender.
    pub(super) from: MachineId,
    /// The sender's Lamport timestamp.
    pub(super) clock: LamportTime,
}

/// Messages in flight, and how long a new one takes.
#[derive(Debug, Clone)]
pub(super) struct Network {
    delay: NetworkDelay,
    /// Ordered by due time, then send order (`sent`, a counter).
    in_flight: BinaryHeap<Reverse<(SimTime, u64, MachineId, Message)>>,
    sent: u64,
}

impl Network {
    pub(super) fn new(delay: NetworkDelay) -> Self {
        Network { delay, in_flight: BinaryHeap::new(), sent: 0 }
    }

    /// Whether every message lands at its send (no delay model): the engine then skips
    /// the network altogether.
    #[inline]
    pub(super) fn is_instant(&self) -> bool {
        matches!(self.delay, NetworkDelay::NoDelay)
    }

    /// Whether no message is in flight.
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.in_flight.is_empty()
    }

    /// The delay of a new message, drawn from its sender's network stream.
    pub(super) fn draw_delay(&self, sender: &mut SimRng) -> u64 {
        match self.delay {
            NetworkDelay::NoDelay => 0,
            NetworkDelay::Fixed(d) => d.as_nanos(),
            NetworkDelay::Uniform { min, max } => sender.between(min.as_nanos(), max.as_nanos()),
            NetworkDelay::Exponential { mean } => sender.exponential(mean.as_nanos()),
        }
    }

    /// Sends `msg` to `to` at `now`, landing `delay` ns later.
    pub(super) fn push(&mut self, now: SimTime, delay: u64, to: MachineId, msg: Message) {
        self.sent += 1;
        let due = now.saturating_add(SimDuration(delay));
        self.in_flight.push(Reverse((due, self.sent, to, msg)));
    }

    /// The next message to land, if its due time passes `is_due`: when, to whom, what.
    pub(super) fn pop_due(&mut self, is_due: impl Fn(SimTime) -> bool) -> Option<(SimTime, MachineId, Message)> {
        let &Reverse((due, _, to, msg)) = self.in_flight.peek()?;
        if !is_due(due) {
            return None;
        }
        self.in_flight.pop();
        Some((due, to, msg))
    }
}
