//! Messages across machines: every RECEIVE matches one earlier SEND, no sooner than the
//! smallest delay, and queues hold what the sends and receives say (replayed exactly
//! without a delay, bounded by what must and may have landed with one).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::rc::Rc;

use crate::analysis::check::{Checker, Pending};
use crate::analysis::LogRow;
use crate::base::{count, were, EventKind, LamportTime, MachineId, SimTime};

/// With a network delay (queues not replayed exactly), which messages to a machine must or
/// may have landed by its current row: a message sent at `s` lands at `s + d` with `d`
/// between the smallest and the largest delay, before any tick at that instant. Memory is
/// the messages sent within the last (largest) delay.
#[derive(Debug, Default)]
pub(super) struct Arrivals {
    /// Send instants of messages to this machine not yet counted in `may_have_landed`.
    within_min: VecDeque<u64>,
    /// Messages to this machine sent at least the smallest delay ago.
    may_have_landed: u64,
    /// Send instants of messages to this machine not yet counted in `must_have_landed`
    /// (kept only when the delay is bounded).
    within_max: VecDeque<u64>,
    /// Messages to this machine sent at least the largest delay ago.
    must_have_landed: u64,
    /// Send instants of received messages not yet counted in `received_landed`.
    received_recent: BinaryHeap<Reverse<u64>>,
    /// Received messages sent at least the largest delay ago.
    received_landed: u64,
}

impl Arrivals {
    /// Moves the window to a row at `now`.
    pub(super) fn advance(&mut self, now: u64, min: u64, max: Option<u64>) {
        if let Some(t) = now.checked_sub(min) {
            while self.within_min.front().is_some_and(|&s| s <= t) {
                self.within_min.pop_front();
                self.may_have_landed += 1;
            }
        }
        if let Some(t) = max.and_then(|max| now.checked_sub(max)) {
            while self.within_max.front().is_some_and(|&s| s <= t) {
                self.within_max.pop_front();
                self.must_have_landed += 1;
            }
            while self.received_recent.peek().is_some_and(|&Reverse(s)| s <= t) {
                self.received_recent.pop();
                self.received_landed += 1;
            }
        }
    }

    pub(super) fn sent(&mut self, at: u64, bounded: bool) {
        self.within_min.push_back(at);
        if bounded {
            self.within_max.push_back(at);
        }
    }

    pub(super) fn received(&mut self, sent_at: u64, bounded: bool) {
        if bounded {
            self.received_recent.push(Reverse(sent_at));
        }
    }

    /// Messages not yet received that must be in the queue by now (largest delay).
    pub(super) fn must_be_waiting(&self) -> u64 {
        self.must_have_landed.saturating_sub(self.received_landed)
    }
}

impl Checker<'_> {
    pub(super) fn send(&mut self, id: MachineId, row: &LogRow, prev_clock: LamportTime) {
        let line = row.line;
        let expected = u128::from(prev_clock) + 1;
        if u128::from(row.clock) != expected {
            self.violation(id, line, format!("SEND clock {} after {prev_clock}; expected {expected}", row.clock));
        }
        let before = self.before_increment();
        let carried = if before { row.clock.saturating_sub(1) } else { row.clock };
        let Some(msg_clock) = row.msg_clock else {
            self.violation(id, line, "SEND without msg_clock".into());
            return;
        };
        if msg_clock != carried {
            let which = if before { "before" } else { "after" };
            self.violation(
                id,
                line,
                format!("SEND msg_clock {msg_clock}; messages carry the clock {which} the send, {carried}"),
            );
        }
        if row.peers.is_empty() {
            self.violation(id, line, "SEND with no receiver in the peer column".into());
        }
        if let Some(reason) = self.bad_receivers(id, &row.peers) {
            self.violation(id, line, reason);
        }
        // The send in the receiver's past. Under BeforeIncrement the receiver can only know
        // the carried timestamp, so the send counts with that; `receive_not_after_send`
        // reports the consequence.
        let past = self.lanes[id as usize].past.as_ref().map(|p| {
            let mut p = p.clone();
            p.record(id as usize, carried);
            Rc::new(p)
        });
        for &to in &row.peers {
            if to >= self.n || to == id {
                continue;
            }
            let key = (id, msg_clock, to);
            let pending = Pending { sent_at: row.sim_nanos, send_clock: row.clock, past: past.clone() };
            if self.pending.insert(key, pending).is_some() {
                self.violation(id, line, format!("message (from {id}, clock {msg_clock}) to {to} is sent twice"));
                continue;
            }
            self.report.messages += 1;
            self.lanes[id as usize].sent_messages += 1;
            let receiver = &mut self.lanes[to as usize];
            receiver.addressed += 1;
            if self.exact_queues {
                receiver.queue.push_back((id, msg_clock));
            } else {
                receiver.arrivals.sent(row.sim_nanos, self.max_delay.is_some());
            }
        }
    }

    /// Why the receivers of a SEND are not valid, if they are not: out of range, the
    /// sender itself, named twice, or not a send the scenario can give. Receivers are a
    /// set: any order is accepted.
    pub(super) fn bad_receivers(&self, id: MachineId, peers: &[MachineId]) -> Option<String> {
        if let Some(p) = peers.iter().find(|&&p| p >= self.n || p == id) {
            return Some(format!("SEND to {p}: receivers must be other machines, 0..{}", self.n));
        }
        let mut sorted = peers.to_vec();
        sorted.sort_unstable();
        if let Some(twice) = sorted.windows(2).find(|w| w[0] == w[1]) {
            return Some(format!("SEND receivers {peers:?} name machine {} twice; a send reaches each once", twice[0]));
        }
        self.impossible_action(id, EventKind::Send, peers)
    }

    pub(super) fn receive(&mut self, id: MachineId, row: &LogRow, prev_clock: LamportTime) {
        let line = row.line;
        let (Some(msg_clock), [from]) = (row.msg_clock, row.peers.as_slice()) else {
            self.violation(id, line, "RECEIVE needs one sender in peer and its msg_clock".into());
            return;
        };
        let from = *from;
        let expected = u128::from(prev_clock.max(msg_clock)) + 1;
        if u128::from(row.clock) != expected {
            self.violation(
                id,
                line,
                format!("RECEIVE clock {}; expected max({prev_clock}, {msg_clock}) + 1 = {expected}", row.clock),
            );
        }
        let key = (from, msg_clock, id);
        let Some(pending) = self.pending.remove(&key) else {
            let pair = (from < self.n).then(|| from as usize * self.n as usize + id as usize);
            let seen_before =
                pair.and_then(|p| self.last_received.as_ref().and_then(|v| v[p])).is_some_and(|last| msg_clock <= last);
            let reason = if seen_before {
                format!("message (from {from}, clock {msg_clock}) is received a second time")
            } else {
                format!("no SEND from {from} with clock {msg_clock} to {id} happened before this RECEIVE")
            };
            self.violation(id, line, reason);
            self.check_queue_len(id, row, None);
            return;
        };
        if let (Some(v), true) = (&mut self.last_received, from < self.n) {
            let slot = &mut v[(from * self.n + id) as usize];
            *slot = Some(slot.map_or(msg_clock, |c| c.max(msg_clock)));
        }
        let lane = &mut self.lanes[id as usize];
        lane.received += 1;
        if !self.exact_queues {
            lane.arrivals.received(pending.sent_at, self.max_delay.is_some());
            lane.arrivals.advance(row.sim_nanos, self.min_delay, self.max_delay);
        }
        if row.clock <= pending.send_clock {
            self.report.receive_not_after_send += 1;
        }
        if u128::from(row.sim_nanos) < u128::from(pending.sent_at) + u128::from(self.min_delay) {
            self.violation(
                id,
                line,
                format!(
                    "received at {}s, before it was sent ({}s) plus the smallest delay ({}ns)",
                    SimTime(row.sim_nanos),
                    SimTime(pending.sent_at),
                    self.min_delay
                ),
            );
        }
        self.check_queue_len(id, row, Some((from, msg_clock)));
        if let (Some(past), Some(sent)) = (&mut self.lanes[id as usize].past, &pending.past) {
            past.merge(sent);
            let broken = past.entries().enumerate().find(|&(j, (_, &c))| j != id as usize && c >= row.clock);
            if let Some((j, (_, &c))) = broken {
                self.violation(
                    id,
                    line,
                    format!(
                        "clock condition: an event of machine {j} with clock {c} happens-before this event (clock {})",
                        row.clock
                    ),
                );
            }
        }
    }

    /// Replays the queue (no delay) or bounds `queue_len` (with delay) at a RECEIVE.
    pub(super) fn check_queue_len(&mut self, id: MachineId, row: &LogRow, message: Option<(MachineId, LamportTime)>) {
        let before_take = self.before_take();
        let lane = &mut self.lanes[id as usize];
        if self.exact_queues {
            let Some(message) = message else { return };
            let position = lane.queue.iter().position(|&m| m == message);
            let violation = match position {
                Some(0) => None,
                Some(p) => Some(format!(
                    "took a message that had {} ahead of it; queues are FIFO",
                    count(p as u64, "older message")
                )),
                None => Some("the message was not in the queue".to_string()),
            };
            if let Some(p) = position {
                lane.queue.remove(p);
            }
            let waiting = lane.queue.len() as u64 + u64::from(before_take);
            if let Some(reason) = violation {
                self.violation(id, row.line, reason);
            } else if row.queue_len != waiting {
                let when = if before_take { "before" } else { "after" };
                self.violation(
                    id,
                    row.line,
                    format!(
                        "queue_len {}; {} {} waiting {when} the take",
                        row.queue_len,
                        count(waiting, "message"),
                        were(waiting)
                    ),
                );
            }
        } else {
            let extra = u64::from(before_take);
            let outstanding = lane.addressed - lane.received + extra;
            // Sent at least the smallest delay ago: may be waiting; the largest: must be.
            let may = lane.arrivals.may_have_landed.saturating_sub(lane.received) + extra;
            let must = lane.arrivals.must_be_waiting() + extra;
            let (min, queue_len) = (self.min_delay, row.queue_len);
            let when = if before_take { "before" } else { "after" };
            let reason = if queue_len > outstanding {
                Some(format!(
                    "queue_len {queue_len}, but only {} to this machine {} outstanding",
                    count(outstanding, "message"),
                    were(outstanding)
                ))
            } else if queue_len > may {
                Some(format!(
                    "queue_len {queue_len}, but at most {} can have been waiting {when} the take: the \
                     other messages to this machine were sent less than the smallest delay ({min}ns) ago",
                    count(may, "message")
                ))
            } else if queue_len.saturating_sub(extra) + 1 < lane.left_waiting {
                Some(format!(
                    "queue_len {queue_len}, but line {} left {} waiting and a RECEIVE takes only one",
                    lane.last_line,
                    count(lane.left_waiting, "message")
                ))
            } else if queue_len < must {
                Some(format!(
                    "queue_len {queue_len}, but at least {} {} waiting {when} the take: messages to \
                     this machine sent at least the largest delay ({}ns) ago have landed",
                    count(must, "message"),
                    were(must),
                    self.max_delay.unwrap_or(0)
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                self.violation(id, row.line, reason);
            }
        }
    }
}
