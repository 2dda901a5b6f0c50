//! A fingerprint of a run's event stream: a 64-bit hash of every event's fields, recorded in
//! `summary.json`, so two runs (or a run and its replay) can be compared without their logs.
//!
//! The hash is a fixed, documented function (not cryptographic): each event's fields are
//! packed into two words, and one 128-bit folded multiply mixes them into the state.
//! It does not depend on the log format, so runs with and without logs have the same
//! fingerprint.

use std::io;

use crate::event::{Event, EventKind, EventSink};

const SEED: u64 = 0x243F_6A88_85A3_08D3;

/// Accumulates the fingerprint of every event it sees.
#[derive(Debug, Clone)]
pub struct Fingerprint {
    state: u64,
    events: u64,
}

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint { state: SEED, events: 0 }
    }
}

/// `a × b` as a 128-bit product folded to 64 bits: a fast mixer with good avalanche.
#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

impl Fingerprint {
    /// The fingerprint so far, as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", crate::rng::mix64(self.state ^ self.events))
    }

    /// Events hashed so far.
    pub fn events(&self) -> u64 {
        self.events
    }
}

impl EventSink for Fingerprint {
    #[inline]
    fn event(&mut self, e: &Event<'_>) -> io::Result<()> {
        self.events += 1;
        // Every field goes into one of two words, at bit offsets of its own as far as their
        // ranges allow: time, queue length and machine; the clock, msg_clock, the kind (with
        // the peer of a RECEIVE, the receiver count of a SEND) and the receivers of a SEND.
        // One folded multiply of the running state by them mixes the event in (the
        // multiplier is odd, so no event can zero the state).
        let (kind, msg_clock, receivers) = match e.kind {
            EventKind::Send { to, msg_clock } => (1 << 62 | to.len() as u64, msg_clock, receivers_hash(to)),
            EventKind::Receive { from, msg_clock } => (2 << 62 | u64::from(from), msg_clock, 0),
            EventKind::Internal => (3 << 62, 0, 0),
        };
        let place = e.time.as_nanos() ^ e.queue_len.rotate_left(40) ^ u64::from(e.machine).rotate_left(20);
        let stamp = e.clock ^ msg_clock.rotate_left(32) ^ receivers.rotate_left(16) ^ kind.rotate_left(48);
        self.state = fold(self.state ^ place ^ 0x452821E638D01377, (stamp ^ 0xBE5466CF34E90C6C) | 1);
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimTime;

    fn hex_of(events: &[Event<'_>]) -> String {
        let mut f = Fingerprint::default();
        for e in events {
            f.event(e).unwrap();
        }
        f.hex()
    }

    #[test]
    fn every_field_and_the_order_count() {
        let to = [1, 2];
        let base = Event {
            time: SimTime(5),
            machine: 0,
            tick: 0,
            kind: EventKind::Send { to: &to, msg_clock: 3 },
            clock: 3,
            queue_len: 0,
        };
        let other_to = [2, 1];
        let variants = [
            Event { time: SimTime(6), ..base },
            Event { machine: 1, ..base },
            Event { clock: 4, ..base },
            Event { queue_len: 1, ..base },
            Event { kind: EventKind::Send { to: &to, msg_clock: 2 }, ..base },
            Event { kind: EventKind::Send { to: &other_to, msg_clock: 3 }, ..base },
            Event { kind: EventKind::Send { to: &to[..1], msg_clock: 3 }, ..base },
            Event { kind: EventKind::Receive { from: 1, msg_clock: 3 }, ..base },
            Event { kind: EventKind::Internal, ..base },
        ];
        let reference = hex_of(&[base]);
        let mut seen = std::collections::BTreeSet::from([reference.clone()]);
        for v in &variants {
            assert!(seen.insert(hex_of(&[*v])), "{v:?} collides");
        }
        assert_ne!(hex_of(&[base, variants[0]]), hex_of(&[variants[0], base]), "order matters");
        assert_eq!(hex_of(&[base]), reference, "and it is a pure function");
    }
}
