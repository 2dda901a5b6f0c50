//! The fingerprint of a run's event stream, recorded in `summary.json`, so two runs (or a
//! run and its replay) can be compared without their logs: the engine's events fed to the
//! shared hash function of `base::fingerprint`.

use std::io;

use crate::base::EventHash;
use crate::engine::{Event, EventDetail, EventSink};

/// Accumulates the fingerprint of every event it sees.
#[derive(Debug, Clone, Default)]
pub struct Fingerprint(EventHash);

impl Fingerprint {
    /// The fingerprint so far, as 16 hex digits.
    pub fn hex(&self) -> String {
        self.0.hex()
    }

    /// Events hashed so far.
    pub fn events(&self) -> u64 {
        self.0.events()
    }
}

impl EventSink for Fingerprint {
    #[inline(always)]
    fn event(&mut self, e: &Event<'_>) -> io::Result<()> {
        match e.detail {
            EventDetail::Send { to, msg_clock } => {
                self.0.add_send(e.time, e.machine, e.clock, e.queue_len, to, msg_clock)
            }
            EventDetail::Receive { from, msg_clock } => {
                self.0.add_receive(e.time, e.machine, e.clock, e.queue_len, from, msg_clock)
            }
            EventDetail::Internal => self.0.add_internal(e.time, e.machine, e.clock, e.queue_len),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::SimTime;

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
        let base = Event::new(SimTime(5), 0, 0, EventDetail::Send { to: &to, msg_clock: 3 }, 3, 0);
        let other_to = [2, 1];
        let variants = [
            Event { time: SimTime(6), ..base },
            Event { machine: 1, ..base },
            Event { clock: 4, ..base },
            Event { queue_len: 1, ..base },
            Event { detail: EventDetail::Send { to: &to, msg_clock: 2 }, ..base },
            Event { detail: EventDetail::Send { to: &other_to, msg_clock: 3 }, ..base },
            Event { detail: EventDetail::Send { to: &to[..1], msg_clock: 3 }, ..base },
            Event { detail: EventDetail::Receive { from: 1, msg_clock: 3 }, ..base },
            Event { detail: EventDetail::Internal, ..base },
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
