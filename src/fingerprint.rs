//! A fingerprint of a run's event stream: a 64-bit hash of every event's fields, recorded in
//! `summary.json`, so two runs (or a run and its replay) can be compared without their logs.
//!
//! The hash is a fixed, documented function (not cryptographic): each field of each event is
//! folded in as a 64-bit word with a 128-bit multiply. It does not depend on the log format,
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

impl Fingerprint {
    #[inline]
    fn add(&mut self, word: u64) {
        let product = u128::from(self.state ^ word) * u128::from(K);
        self.state = (product as u64) ^ ((product >> 64) as u64);
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
        self.add(e.time.as_nanos());
        self.add(u64::from(e.machine));
        self.add(e.clock);
        self.add(e.queue_len);
        match e.kind {
            EventKind::Send { to, msg_clock } => {
                self.add(1 << 32 | to.len() as u64);
                self.add(msg_clock);
                for &peer in to {
                    self.add(u64::from(peer));
                }
            }
            EventKind::Receive { from, msg_clock } => {
                self.add(2 << 32 | u64::from(from));
                self.add(msg_clock);
            }
            EventKind::Internal => self.add(3 << 32),
        }
        Ok(())
    }
}
