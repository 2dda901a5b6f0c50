//! The rules of one machine's rows: what its event mix can give, `system_time`, and acting
//! only with an empty queue.

use crate::analysis::check::Checker;
use crate::analysis::logread::SystemTimeField;
use crate::analysis::LogRow;
use crate::base::{count, format_date_time, were, EventKind, MachineId};
use crate::scenario::{MulticastClock, SendAllTargets};

impl Checker<'_> {
    /// Why the scenario's event mix and send targets cannot give this INTERNAL or SEND row of
    /// machine `id`, if they cannot (a SEND's receivers are known to be valid and distinct).
    pub(super) fn impossible_action(&self, id: MachineId, event: EventKind, peers: &[MachineId]) -> Option<String> {
        let scenario = self.ctx.scenario.as_ref()?;
        let (mix, n) = (scenario.event_mix, self.n);
        let next = (id + 1) % n;
        let after = ((u64::from(id) + 2) % u64::from(n)) as MachineId;
        let next_two = scenario.send_all_targets == SendAllTargets::NextTwo;
        // The receivers of a send to all: every other machine, or the next two.
        let in_all = |p: MachineId| p != id && (!next_two || p == next || p == after);
        let all_len =
            if next_two { usize::from(next != id) + usize::from(after != id && after != next) } else { n as usize - 1 };
        // Messages are built only for a violation: this runs on every SEND and INTERNAL row.
        let weights = || {
            format!(
                "event_mix: send_next {}, send_after {}, send_all {}, internal {}",
                mix.send_next, mix.send_after, mix.send_all, mix.internal
            )
        };
        match event {
            EventKind::Internal => {
                // A roll for a send that has no receiver (fewer than three machines) is an
                // internal event too.
                let possible = mix.internal > 0
                    || (mix.send_next > 0 && next == id)
                    || (mix.send_after > 0 && after == id)
                    || (mix.send_all > 0 && all_len == 0);
                (!possible).then(|| format!("INTERNAL, but this machine cannot make one ({})", weights()))
            }
            EventKind::Send => {
                let per_message = scenario.semantics.multicast == MulticastClock::IncrementPerMessage;
                let to_neighbour =
                    |p: MachineId| (mix.send_next > 0 && p == next) || (mix.send_after > 0 && p == after);
                let possible = match peers {
                    [p] if to_neighbour(*p) => true,
                    // A send to all that is logged one row per receiver.
                    [p] if per_message => mix.send_all > 0 && in_all(*p),
                    _ if per_message => {
                        return Some(format!(
                            "SEND to {peers:?}: with multicast: IncrementPerMessage each SEND row names one receiver"
                        ))
                    }
                    _ => mix.send_all > 0 && peers.len() == all_len && peers.iter().all(|&p| in_all(p)),
                };
                (!possible).then(|| {
                    let all = if next_two { format!("the next two, {next} and {after}") } else { "all others".into() };
                    format!(
                        "SEND to {peers:?} is not a send this machine can make (next {next}, after {after}, all: {all}; {})",
                        weights()
                    )
                })
            }
            EventKind::Receive => None,
        }
    }

    /// `system_time` = start time + `sim_time` (to the microsecond) when the scenario gives
    /// the start; without it, at least never going back.
    pub(super) fn check_system_time(&mut self, id: MachineId, row: &LogRow) {
        let micros = match row.system_time {
            SystemTimeField::Absent => return,
            SystemTimeField::Micros(micros) => micros,
            SystemTimeField::Malformed => {
                let reason = "system_time is not a date and time like 2026-11-25 18:40:23.000000".into();
                return self.violation(id, row.line, reason);
            }
        };
        let lane = &mut self.lanes[id as usize];
        let previous = lane.last_system_time.replace(micros);
        match &self.ctx.scenario {
            Some(scenario) => {
                let expected = scenario.start_time.micros_since_epoch() + (row.sim_nanos / 1_000) as i64;
                if micros != expected {
                    let reason = format!(
                        "system_time {} is not start_time + sim_time = {}",
                        format_date_time(micros),
                        format_date_time(expected)
                    );
                    self.violation(id, row.line, reason);
                }
            }
            None => {
                if let Some(previous) = previous.filter(|&p| micros < p) {
                    let reason = format!(
                        "system_time goes back: {} after {}",
                        format_date_time(micros),
                        format_date_time(previous)
                    );
                    self.violation(id, row.line, reason);
                }
            }
        }
    }

    /// A SEND or INTERNAL happens only with an empty queue.
    pub(super) fn check_idle(&mut self, id: MachineId, row: &LogRow) {
        if row.queue_len != 0 {
            let kind = if row.event == EventKind::Send { "SEND" } else { "INTERNAL" };
            self.violation(
                id,
                row.line,
                format!("{kind} with queue_len {}: a machine only acts when its queue is empty", row.queue_len),
            );
        }
        let waiting = self.lanes[id as usize].queue.len();
        if self.exact_queues && waiting > 0 {
            let reason = format!(
                "{} {} waiting, so this tick must be a RECEIVE",
                count(waiting as u64, "message"),
                were(waiting as u64)
            );
            self.violation(id, row.line, reason);
        }
        let lane = &self.lanes[id as usize];
        let (left, landed, previous) = (lane.left_waiting, lane.arrivals.must_be_waiting(), lane.last_line);
        if !self.exact_queues && left > 0 {
            self.violation(
                id,
                row.line,
                format!("line {previous} left {} waiting, so this tick must be a RECEIVE", count(left, "message")),
            );
        } else if let (false, Some(max), 1..) = (self.exact_queues, self.max_delay, landed) {
            self.violation(
                id,
                row.line,
                format!(
                    "{} to this machine, sent at least the largest delay ({max}ns) ago, {} landed \
                     and {} not received, so this tick must be a RECEIVE",
                    count(landed, "message"),
                    if landed == 1 { "has" } else { "have" },
                    if landed == 1 { "is" } else { "are" }
                ),
            );
        }
    }
}
