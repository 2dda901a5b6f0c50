//! The types of a scenario's fields: what each setting can be, checked as it is read.

use serde::{Deserialize, Serialize};

use crate::base::SimDuration;
use crate::scenario::{MAX_MACHINES, MAX_RATE};

/// A `u32` newtype that only holds `1..=max`: checked on construction (and so when a scenario
/// is read, through serde's `try_from`), written back as the plain number.
macro_rules! bounded_u32 {
    ($(#[$doc:meta])* $name:ident, max: $max:expr, get: $get_doc:literal, error: $error:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "u32", into = "u32")]
        pub struct $name(pub(crate) u32);

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
    /// The sender's clock after the send's increment (the default).
    #[default]
    AfterIncrement,
    /// The sender's clock before the send's increment.
    BeforeIncrement,
}

/// How a send to several machines moves the sender's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum MulticastClock {
    /// One increment and one SEND row for the whole send (the default).
    #[default]
    IncrementOnce,
    /// One increment and one SEND row per receiver, all at the tick's instant.
    IncrementPerMessage,
}

/// The `queue_len` logged on a RECEIVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ReceiveQueueLen {
    /// Messages still waiting after taking this one off (the default).
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
