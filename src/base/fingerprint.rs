//! The fingerprint hash: a fixed, documented 64-bit function of an event stream's fields
//! (not cryptographic). The fingerprint sink feeds it the engine's events; `check` feeds it
//! the rows of a log, to compare the two as an integrity check.
//!
//! Each event's fields are packed into two words, and one 128-bit folded multiply mixes them
//! into the state. It does not depend on the log format, so runs with and without logs
//! have the same fingerprint.

use crate::base::{mix64, LamportTime, MachineId, SimTime};

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
    /// Adds a SEND to `to` (receivers in ascending order) whose messages carry `msg_clock`.
    #[inline]
    pub(crate) fn add_send(
        &mut self,
        time: SimTime,
        machine: MachineId,
        clock: LamportTime,
        queue_len: u64,
        to: &[MachineId],
        msg_clock: LamportTime,
    ) {
        self.mix(time, machine, clock, queue_len, 1 << 62 | to.len() as u64, msg_clock, receivers_hash(to));
    }

    /// Adds a RECEIVE of a message from `from` that carried `msg_clock`.
    #[inline]
    pub(crate) fn add_receive(
        &mut self,
        time: SimTime,
        machine: MachineId,
        clock: LamportTime,
        queue_len: u64,
        from: MachineId,
        msg_clock: LamportTime,
    ) {
        self.mix(time, machine, clock, queue_len, 2 << 62 | u64::from(from), msg_clock, 0);
    }

    /// Adds an INTERNAL event.
    #[inline]
    pub(crate) fn add_internal(&mut self, time: SimTime, machine: MachineId, clock: LamportTime, queue_len: u64) {
        self.mix(time, machine, clock, queue_len, 3 << 62, 0, 0);
    }

    /// Mixes one event into the state. Every field goes into one of two words, at bit
    /// offsets of its own as far as their ranges allow: time, queue length and machine; the
    /// clock, msg_clock, the kind (with the peer of a RECEIVE, the receiver count of a SEND)
    /// and the receivers of a SEND. One folded multiply of the running state by them mixes
    /// the event in (the multiplier is odd, so no event can zero the state).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn mix(
        &mut self,
        time: SimTime,
        machine: MachineId,
        clock: LamportTime,
        queue_len: u64,
        kind: u64,
        msg_clock: LamportTime,
        receivers: u64,
    ) {
        self.events += 1;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::EventKind;

    /// One event's fields: time (ns), machine, kind, clock, queue length, peers,
    /// msg_clock.
    type Added = (u64, MachineId, EventKind, LamportTime, u64, &'static [MachineId], LamportTime);

    /// The start of a three-machine run, written out: machine 0 sends to both others,
    /// each receives it (machine 2 with one more message waiting), machine 1 has an
    /// internal event and machine 0 sends again, to machine 1 only.
    const EVENTS: [Added; 5] = [
        (0, 0, EventKind::Send, 1, 0, &[1, 2], 1),
        (250_000_000, 1, EventKind::Receive, 2, 0, &[0], 1),
        (333_333_333, 2, EventKind::Receive, 2, 1, &[0], 1),
        (500_000_000, 1, EventKind::Internal, 3, 0, &[], 0),
        (1_000_000_000, 0, EventKind::Send, 2, 0, &[1], 2),
    ];

    fn add(hash: &mut EventHash, (time, machine, kind, clock, queue_len, peers, msg_clock): Added) {
        let time = SimTime(time);
        match kind {
            EventKind::Send => hash.add_send(time, machine, clock, queue_len, peers, msg_clock),
            EventKind::Receive => hash.add_receive(time, machine, clock, queue_len, peers[0], msg_clock),
            EventKind::Internal => hash.add_internal(time, machine, clock, queue_len),
        }
    }

    fn hash_of(events: &[Added]) -> EventHash {
        let mut hash = EventHash::default();
        for &e in events {
            add(&mut hash, e);
        }
        hash
    }

    /// Known answers: the fingerprint in every run's `summary.json` is this function of its
    /// events, and `check` recomputes it from the logs. If any of these change, every
    /// `summary.json` changes (and summaries written before no longer match their logs).
    /// That is a reproducibility-breaking change and belongs in CHANGELOG.md.
    #[test]
    fn event_hash_known_answers() {
        // No event: mix64 of the seed (the event count is 0).
        assert_eq!(EventHash::default().hex(), KNOWN_EMPTY);
        assert_eq!(EventHash::default().events(), 0);
        // The hash after each prefix of EVENTS, so a change says which event kind it touched.
        for (n, known) in KNOWN_PREFIXES.iter().enumerate() {
            let hash = hash_of(&EVENTS[..=n]);
            assert_eq!(hash.hex(), *known, "after the first {} event(s)", n + 1);
            assert_eq!(hash.events(), n as u64 + 1);
        }
    }
    const KNOWN_EMPTY: &str = "2cb0f69f4abea221";
    const KNOWN_PREFIXES: [&str; 5] =
        ["8963f8d53da2e12e", "c287b04bd8c826a6", "491b8a4f259cafeb", "65059bf1c20b8d26", "42b404ddcecc2513"];

    /// A SEND's receivers are hashed as given, order included: `[1, 2]` and `[2, 1]` give
    /// different hashes. The receivers of a SEND are a set, so both callers hash them in
    /// ascending order: the engine sorts its targets before it sends, and `check` sorts the
    /// `peer` column of a row before hashing it (so `2;1` in a log hashes as `1;2`). Without
    /// that sort, the same run logged with another receiver order would not match its
    /// `summary.json`.
    #[test]
    fn a_send_hashes_its_receivers_in_the_order_given() {
        let send = |peers: &'static [MachineId]| hash_of(&[(0, 0, EventKind::Send, 1, 0, peers, 1)]).hex();
        assert_ne!(send(&[1, 2]), send(&[2, 1]));
        assert_eq!(send(&[1, 2]), KNOWN_PREFIXES[0], "the first event of EVENTS");
        // Three receivers: every order of them differs.
        let orders: [&'static [MachineId]; 6] =
            [&[1, 2, 3], &[1, 3, 2], &[2, 1, 3], &[2, 3, 1], &[3, 1, 2], &[3, 2, 1]];
        let hashes: std::collections::BTreeSet<String> = orders.iter().map(|&o| send(o)).collect();
        assert_eq!(hashes.len(), orders.len(), "{hashes:?}");
    }
}
