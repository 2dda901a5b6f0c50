//! `summary.json` against the logs: every figure recomputed here from the rows, following
//! the definitions of `docs/log-format.md` (not with the engine's statistics), and compared
//! one by one. What the logs cannot tell is taken from the summary and said in a note: how
//! the messages left at the end split between queues and the network under a delay, and,
//! without `scenario.ron`, each machine's rate, phase and ticks.

use serde_json::{json, Value};

use crate::analysis::check::{Checker, Violation};
use crate::analysis::LogRow;
use crate::base::{EventKind, MachineId, SimDuration, SimTime, SUMMARY_FILE};

/// The `summary.json` layout this checker knows.
const SCHEMA_VERSION: u64 = 1;

impl Checker<'_> {
    /// Counts one row of machine `id` (clock before it: `prev_clock`) into the figures the
    /// summary reports, and into the fingerprint.
    pub(super) fn tally(&mut self, id: MachineId, row: &LogRow, prev_clock: u64) {
        let lane = &mut self.lanes[id as usize];
        let kind = match row.event {
            EventKind::Send => 0,
            EventKind::Receive => 1,
            EventKind::Internal => 2,
        };
        lane.kinds[kind] += 1;
        // "The largest increase of the clock in one event": a clock that goes back (a
        // violation reported on its own) increases by nothing.
        let jump = row.clock.saturating_sub(prev_clock);
        lane.max_jump = lane.max_jump.max(jump);
        if row.event == EventKind::Receive {
            lane.receive_jumps = lane.receive_jumps.saturating_add(jump);
        }
        lane.max_queue_len = lane.max_queue_len.max(row.queue_len);
        let (time, msg_clock) = (SimTime(row.sim_nanos), row.msg_clock.unwrap_or(0));
        match row.event {
            EventKind::Send => {
                // The receivers of a SEND are a set: hashed in ascending order, however written.
                let mut to = row.peers.clone();
                to.sort_unstable();
                self.fingerprint.add_send(time, id, row.clock, row.queue_len, &to, msg_clock);
            }
            EventKind::Receive => {
                let from = row.peers.first().copied().unwrap_or(0);
                self.fingerprint.add_receive(time, id, row.clock, row.queue_len, from, msg_clock);
            }
            EventKind::Internal => self.fingerprint.add_internal(time, id, row.clock, row.queue_len),
        }
    }

    /// Compares `summary.json`, when the run has one, with the logs; each difference is a
    /// violation of `summary.json`.
    pub(super) fn check_summary(&mut self) {
        let Some(claimed) = self.ctx.summary.as_ref() else { return };
        let (problems, notes) = self.summary_problems(claimed);
        self.report.notes.extend(notes);
        for reason in problems {
            self.report.violation_count += 1;
            if self.report.violations.len() < self.ctx.max_reported {
                self.report.violations.push(Violation { file: SUMMARY_FILE.to_string(), line: None, reason });
            }
        }
    }

    /// Where `claimed` contradicts the summary the logs give, and notes on what could not
    /// be verified.
    fn summary_problems(&self, claimed: &Value) -> (Vec<String>, Vec<String>) {
        let mut problems = Vec::new();
        let mut notes = Vec::new();
        let scenario = self.ctx.scenario.as_ref();
        let claimed_machine = |id: usize| claimed.get("machines").and_then(|ms| ms.get(id));
        let seed_and_duration: Option<(u64, SimDuration)> = match scenario {
            Some(s) => Some((s.seed, s.duration)),
            None => claimed
                .get("seed")
                .and_then(Value::as_u64)
                .zip(claimed.get("duration").and_then(Value::as_str).and_then(|d| d.parse().ok())),
        };
        // Checked after the machines, so their problems come first.
        let minutes = seed_and_duration.map_or(1.0, |(_, d)| d.as_nanos() as f64 / 60e9);
        let mut machines = Vec::with_capacity(self.n as usize);
        for (id, lane) in self.lanes.iter().enumerate() {
            let Some(m) = claimed_machine(id) else {
                problems.push(format!("no entry for machine {id}"));
                continue;
            };
            let claimed_u64 = |field: &str| m.get(field).and_then(Value::as_u64);
            // Messages to it that were never received: in its queue, or (with a delay) still
            // in the network. Without a delay the replayed queue holds them all; with one the
            // logs cannot tell where they are, so only the sum is checked.
            let left = lane.addressed - lane.received;
            let split = claimed_u64("queued_at_end").zip(claimed_u64("in_flight_at_end"));
            let (queued, in_flight) = match split {
                _ if self.exact_queues => (lane.queue.len() as u64, 0),
                Some((q, f)) if u128::from(q) + u128::from(f) == u128::from(left) => (q, f),
                Some((q, f)) => {
                    let sum = u128::from(q) + u128::from(f);
                    problems.push(format!(
                        "machine {id}: queued_at_end + in_flight_at_end is {sum}, but the logs give {left}"
                    ));
                    (q, f)
                }
                None => (left, 0),
            };
            let (rate, phase, ticks) = match scenario.and_then(|s| s.machines.get(id)) {
                Some(setup) => (u64::from(setup.rate), setup.phase, lane.tick.map_or(0, |(k, _)| k + 1)),
                None => {
                    let phase = m.get("phase").and_then(Value::as_str).and_then(|p| p.parse::<SimDuration>().ok());
                    let (Some(rate), Some(phase), Some(ticks)) = (claimed_u64("rate"), phase, claimed_u64("ticks"))
                    else {
                        problems.push(format!("machine {id}: no valid rate, phase or ticks"));
                        continue;
                    };
                    (rate, phase, ticks)
                }
            };
            let [send, receive, internal] = lane.kinds;
            machines.push(json!({
                "id": id,
                "rate": rate,
                "phase": phase.to_string(),
                "ticks": ticks,
                "events": {"send": send, "receive": receive, "internal": internal, "total": send + receive + internal},
                "final_clock": lane.last_clock,
                "max_clock_jump": lane.max_jump,
                "mean_receive_jump": (receive > 0).then(|| lane.receive_jumps as f64 / receive as f64),
                "max_queue_len": lane.max_queue_len,
                "messages_sent": lane.sent_messages,
                "messages_received": receive,
                "queued_at_end": queued,
                "in_flight_at_end": in_flight,
                "queue_growth_per_min": queued as f64 / minutes,
            }));
        }
        if machines.len() != self.n as usize {
            return (problems, notes);
        }
        let Some((seed, duration)) = seed_and_duration else {
            problems.push("no valid seed or duration".into());
            return (problems, notes);
        };
        if !self.exact_queues {
            notes.push(
                "summary.json: with a network delay the logs do not say how the messages left at the end split \
                 between queues and the network: their sum is checked, queued_at_end, in_flight_at_end and \
                 queue_growth_per_min are not"
                    .to_string(),
            );
        }
        if scenario.is_none() {
            notes.push(
                "summary.json: without scenario.ron, each machine's rate, phase and ticks are not checked".into(),
            );
        }
        let field = |m: &Value, name: &str| m[name].as_u64().unwrap_or(0);
        let sum = |name: &str| machines.iter().map(|m| field(m, name)).fold(0, u64::saturating_add);
        let events =
            |kind: &str| machines.iter().map(|m| m["events"][kind].as_u64().unwrap_or(0)).fold(0, u64::saturating_add);
        let finals = machines.iter().map(|m| field(m, "final_clock"));
        let (max_final, min_final) = (finals.clone().max().unwrap_or(0), finals.min().unwrap_or(0));
        let max_of = |name: &str| machines.iter().map(|m| field(m, name)).max().unwrap_or(0);
        let overall = json!({
            "machines": machines.len(),
            "ticks": sum("ticks"),
            "events": {"send": events("send"), "receive": events("receive"), "internal": events("internal"), "total": events("total")},
            "messages_sent": sum("messages_sent"),
            "messages_received": sum("messages_received"),
            "queued_at_end": sum("queued_at_end"),
            "in_flight_at_end": sum("in_flight_at_end"),
            "max_final_clock": max_final,
            "final_clock_spread": max_final - min_final,
            "max_clock_jump": max_of("max_clock_jump"),
            "max_queue_len": max_of("max_queue_len"),
        });
        let this_version = env!("CARGO_PKG_VERSION");
        let writer = claimed.get("lamport_sim_version").and_then(Value::as_str);
        let mut skip = vec!["lamport_sim_version"];
        if writer != Some(this_version) {
            // The fingerprint function may change between versions (CHANGELOG.md).
            skip.push("fingerprint");
            notes.push(format!(
                "summary.json was written by lamport-sim {}, this is {this_version}: its fingerprint is not compared",
                writer.unwrap_or("(unknown version)"),
            ));
        }
        let expected = json!({
            "schema_version": SCHEMA_VERSION,
            "complete": true,
            "seed": seed,
            "duration": duration.to_string(),
            "fingerprint": self.fingerprint.hex(),
            "machines": machines,
            "overall": overall,
        });
        compare_json("", &expected, Some(claimed), &skip, &mut problems);
        if let Some(extra) = claimed.get("machines").and_then(Value::as_array).filter(|m| m.len() > self.n as usize) {
            problems.push(format!("{} machine entries, but there are {} machines", extra.len(), self.n));
        }
        (problems, notes)
    }
}

/// Adds to `problems` every leaf of `expected` (at `path`, like `machines[0].events.total`)
/// that `claimed` lacks or contradicts, as `machine 0: events.total is 9, but the logs give 8`.
/// Paths in `skip` are not compared; fractional figures may differ in their last digits.
fn compare_json(
    path: &str,
    expected: &serde_json::Value,
    claimed: Option<&serde_json::Value>,
    skip: &[&str],
    problems: &mut Vec<String>,
) {
    use serde_json::Value;
    if skip.contains(&path) {
        return;
    }
    let join = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    match expected {
        Value::Object(fields) => {
            for (key, value) in fields {
                compare_json(&join(key), value, claimed.and_then(|c| c.get(key)), skip, problems);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                compare_json(&format!("{path}[{i}]"), value, claimed.and_then(|c| c.get(i)), skip, problems);
            }
        }
        leaf => {
            // `machines[3].events.total` is told as `machine 3: events.total`.
            let label = match path.strip_prefix("machines[").and_then(|rest| rest.split_once("].")) {
                Some((id, field)) => format!("machine {id}: {field}"),
                None => path.replacen("overall.", "overall: ", 1),
            };
            let agree = |c: &Value| match (leaf.as_u64(), c.as_u64(), leaf.as_f64(), c.as_f64()) {
                (Some(a), Some(b), ..) => a == b,
                (None, _, Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                _ => leaf == c,
            };
            match claimed {
                None => problems.push(format!("no {label}")),
                Some(c) if agree(c) => {}
                Some(c) => problems.push(format!("{label} is {c}, but the logs give {leaf}")),
            }
        }
    }
}
