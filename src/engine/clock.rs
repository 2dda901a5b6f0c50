//! Lamport's clock rules, as pure functions the engine (and the tests) share.
//!
//! # Guarantees
//! - IR1: every local event (INTERNAL, SEND) advances the clock by exactly 1.
//! - IR2: a receive sets the clock to `max(clock, msg_clock) + 1`, so it is later than both
//!   the receiver's previous event and the send.

use crate::base::LamportTime;

/// The clock after a local event (internal event or send).
#[inline]
pub(crate) fn after_local(clock: LamportTime) -> LamportTime {
    clock + 1
}

/// The clock after receiving a message stamped `msg_clock`.
#[inline]
pub(crate) fn after_receive(clock: LamportTime, msg_clock: LamportTime) -> LamportTime {
    clock.max(msg_clock) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_event_adds_one() {
        assert_eq!(after_local(0), 1);
        assert_eq!(after_local(41), 42);
    }

    #[test]
    fn receive_advances_past_sender_and_self() {
        assert_eq!(after_receive(3, 10), 11);
        assert_eq!(after_receive(10, 3), 11);
        assert_eq!(after_receive(5, 5), 6);
    }
}
