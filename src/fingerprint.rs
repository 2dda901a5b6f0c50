//! A fingerprint of a run's event stream: a 64-bit hash of every event's fields, recorded in
//! `summary.json`, so two runs (or a run and its replay) can be compared without their logs.
//!
//! The hash is a fixed, documented function (not cryptographic): each event's fields are
//! hashed with 128-bit folded multiplies into one word, which is folded into the state. It does not depend on the log format,
//! so runs with and without logs have the same fingerprint.

use std::io;

use crate::event::{Event, EventKind, EventSink};

const K: u64 = 0x9E37_79B9_7F4A_7C15;
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
    /// Folds one event's hash into the running state. Only this multiply is serial; the
    /// ones that hash the event's fields are independent, so they overlap in the CPU.
    #[inline]
    fn add(&mut self, event_hash: u64) {
        self.state = fold(self.state ^ event_hash, K);
    }

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
        // Five 64-bit words describe the event: time, clock, machine and queue length, the
        // kind (with the peer for a RECEIVE, the receiver count for a SEND) and msg_clock.
        let (kind, msg_clock) = match e.kind {
            EventKind::Send { to, msg_clock } => (1 << 62 | to.len() as u64, msg_clock),
            EventKind::Receive { from, msg_clock } => (2 << 62 | u64::from(from), msg_clock),
            EventKind::Internal => (3 << 62, 0),
        };
        let place = u64::from(e.machine) ^ e.queue_len.rotate_left(32);
        let mut h = fold(e.time.as_nanos() ^ 0x452821E638D01377, e.clock ^ 0xBE5466CF34E90C6C)
            ^ fold(place ^ 0xC0AC29B7C97C50DD, kind ^ 0x3F84D5B5B5470917)
            ^ fold(msg_clock ^ 0x9216D5D98979FB1B, 0xD1310BA698DFB5AC);
        if let EventKind::Send { to, .. } = e.kind {
            for &peer in to {
                h = fold(h ^ u64::from(peer), 0x2FFD72DBD01ADFB7);
            }
        }
        self.add(h);
        Ok(())
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
