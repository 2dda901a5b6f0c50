//! The fingerprint hash: a fixed, documented 64-bit function of an event stream's fields
//! (not cryptographic). The fingerprint sink feeds it the engine's events; `check` feeds it
//! the rows of a log, to compare the two as an integrity check.
//!
//! Each event's fields are packed into two words, and one 128-bit folded multiply mixes them
//! into the state. It does not depend on the log format, so runs with and without logs
//! have the same fingerprint.

use crate::base::{mix64, EventKind, LamportTime, MachineId, SimTime};

const SEED: u64 = 0x243F_6A88_85A3_08D3;

/// The hash of the events added so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EventHash {
    state: u64,
    events: u64,
}

impl Default for EventHash {
    fn default() -> Self {
        EventHash { state: SEED, events: 0 }
    }
}

/// `a × b` as a 128-bit product folded to 64 bits: a fast mixer with good avalanche.
#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

impl EventHash {
    /// Adds one event. `peers` are a SEND's receivers in ascending order or a RECEIVE's
    /// sender; `msg_clock` is 0 for an INTERNAL event.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add(
        &mut self,
        time: SimTime,
        machine: MachineId,
        kind: EventKind,
        clock: LamportTime,
        queue_len: u64,
        peers: &[MachineId],
        msg_clock: LamportTime,
    ) {
        self.events += 1;
        // Every field goes into one of two words, at bit offsets of its own as far as their
        // ranges allow: time, queue length and machine; the clock, msg_clock, the kind (with
        // the peer of a RECEIVE, the receiver count of a SEND) and the receivers of a SEND.
        // One folded multiply of the running state by them mixes the event in (the
        // multiplier is odd, so no event can zero the state).
        let (kind, receivers) = match kind {
            EventKind::Send => (1 << 62 | peers.len() as u64, receivers_hash(peers)),
            EventKind::Receive => (2 << 62 | peers.first().map_or(0, |&p| u64::from(p)), 0),
            EventKind::Internal => (3 << 62, 0),
        };
        let place = time.as_nanos() ^ queue_len.rotate_left(40) ^ u64::from(machine).rotate_left(20);
        let stamp = clock ^ msg_clock.rotate_left(32) ^ receivers.rotate_left(16) ^ kind.rotate_left(48);
        self.state = fold(self.state ^ place ^ 0x452821E638D01377, (stamp ^ 0xBE5466CF34E90C6C) | 1);
    }

    /// The hash so far, as 16 hex digits.
    pub(crate) fn hex(&self) -> String {
        format!("{:016x}", mix64(self.state ^ self.events))
    }

    /// Events added so far.
    pub(crate) fn events(&self) -> u64 {
        self.events
    }
}

/// The receivers of a SEND as one word, order included: a polynomial in their ids (for
/// one receiver, its id + 1), with no multiply on the common one-receiver path.
#[inline]
fn receivers_hash(to: &[u32]) -> u64 {
    match to {
        [one] => u64::from(*one) + 1,
        _ => to.iter().fold(0, |h, &peer| h.wrapping_mul(0x2FFD72DBD01ADFB7) ^ (u64::from(peer) + 1)),
    }
}
