//! The `--json` documents of `run`/`replay`, `check` and `diff`: one JSON object per
//! command on stdout, each carrying `schema_version` and `command`. docs/json.md is their
//! reference; change a field only with a new schema version and a CHANGELOG entry.

use std::path::Path;

use lamport_sim::{CheckReport, Divergence, LogRow, Summary};
use serde::Serialize;

/// The version of every document below. Adding a field keeps it; renaming, removing or
/// changing the meaning of one raises it.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// `run --json` and `replay --json`: a complete run.
#[derive(Debug, Serialize)]
pub(crate) struct RunDocument<'a> {
    pub(crate) schema_version: u32,
    pub(crate) command: &'static str,
    /// The run folder, as given or made (`runs/20261208-101500-seed42`).
    pub(crate) run_dir: String,
    /// Whether per-event logs were written (false with `--stats-only`).
    pub(crate) logs: bool,
    /// The run's `start_time`, as scenario.ron has it.
    pub(crate) start_time: String,
    /// What summary.json holds, field for field.
    pub(crate) summary: &'a Summary,
    /// The result of `--check-determinism`, or null without it.
    pub(crate) determinism: Option<Determinism>,
}

/// The two fingerprints `--check-determinism` compared.
#[derive(Debug, Serialize)]
pub(crate) struct Determinism {
    pub(crate) passed: bool,
    pub(crate) first_fingerprint: String,
    pub(crate) second_fingerprint: String,
}

/// `check --json`: the verdict and the violations shown.
#[derive(Debug, Serialize)]
pub(crate) struct CheckDocument {
    pub(crate) schema_version: u32,
    pub(crate) command: &'static str,
    pub(crate) run_dir: String,
    pub(crate) passed: bool,
    pub(crate) machines: u32,
    pub(crate) events: EventCounts,
    /// Messages sent (a SEND to two machines counts two).
    pub(crate) messages: u64,
    /// Messages not received by the end of the logs.
    pub(crate) unreceived: u64,
    /// What was checked, one sentence each.
    pub(crate) checks: Vec<&'static str>,
    /// What is worth knowing but is not a violation.
    pub(crate) notes: Vec<String>,
    /// All violations found, including those not listed.
    pub(crate) violation_count: u64,
    /// The first `--max-violations` of them.
    pub(crate) violations: Vec<Violation>,
}

/// Rows by event type.
#[derive(Debug, Serialize)]
pub(crate) struct EventCounts {
    pub(crate) send: u64,
    pub(crate) receive: u64,
    pub(crate) internal: u64,
    pub(crate) total: u64,
}

/// One broken rule: the file (as the other paths here, under the run folder given), the
/// 1-based line when it is at a row, and why.
#[derive(Debug, Serialize)]
pub(crate) struct Violation {
    pub(crate) file: String,
    pub(crate) line: Option<u64>,
    pub(crate) reason: String,
}

impl CheckDocument {
    pub(crate) fn new(run_dir: &Path, r: &CheckReport) -> CheckDocument {
        CheckDocument {
            schema_version: SCHEMA_VERSION,
            command: "check",
            run_dir: run_dir.display().to_string(),
            passed: r.passed(),
            machines: r.machines,
            events: EventCounts { send: r.sends, receive: r.receives, internal: r.internals, total: r.events() },
            messages: r.messages,
            unreceived: r.unreceived,
            checks: r.checks.clone(),
            notes: r.notes.clone(),
            violation_count: r.violation_count,
            violations: r
                .violations
                .iter()
                .map(|v| Violation {
                    file: run_dir.join(&v.file).display().to_string(),
                    line: v.line,
                    reason: v.reason.clone(),
                })
                .collect(),
        }
    }
}

/// `diff --json`: whether two runs are the same, and where they part.
#[derive(Debug, Serialize)]
pub(crate) struct DiffDocument {
    pub(crate) schema_version: u32,
    pub(crate) command: &'static str,
    pub(crate) run_a: String,
    pub(crate) run_b: String,
    pub(crate) identical: bool,
    /// Events the two runs share before they part (all of them when identical).
    pub(crate) common_events: u64,
    /// The first event that differs in each run; null where that run has no more events
    /// (and both null when the runs are identical).
    pub(crate) a: Option<Row>,
    pub(crate) b: Option<Row>,
    /// The causal past of the first differing event (A's, else B's), when there is one.
    pub(crate) causal_past: Option<CausalPast>,
    /// Lines of scenario.ron that differ, as `[A's line, B's line]` pairs.
    pub(crate) scenario_differences: Vec<[String; 2]>,
}

/// A log row and where it is.
#[derive(Debug, Serialize)]
pub(crate) struct Row {
    pub(crate) file: String,
    pub(crate) line: u64,
    pub(crate) sim_time: String,
    pub(crate) machine: u32,
    pub(crate) event: &'static str,
    pub(crate) clock: u64,
    pub(crate) queue_len: u64,
    pub(crate) peers: Vec<u32>,
    pub(crate) msg_clock: Option<u64>,
}

impl Row {
    fn new(file: &str, row: &LogRow) -> Row {
        Row {
            file: file.to_string(),
            line: row.line,
            sim_time: lamport_sim::SimTime(row.sim_nanos).to_string(),
            machine: row.machine,
            event: row.event.name(),
            clock: row.clock,
            queue_len: row.queue_len,
            peers: row.peers.clone(),
            msg_clock: row.msg_clock,
        }
    }
}

/// The events that happen-before an event.
#[derive(Debug, Serialize)]
pub(crate) struct CausalPast {
    /// Whose event: `"A"` or `"B"`.
    pub(crate) of: &'static str,
    /// How many events happen-before it.
    pub(crate) events: u64,
    /// Per machine that has any: its first `events` events, up to `last_line` of its log.
    pub(crate) machines: Vec<PastOnMachine>,
    /// The events that directly caused it.
    pub(crate) direct_causes: Vec<Row>,
}

/// One machine's share of a causal past.
#[derive(Debug, Serialize)]
pub(crate) struct PastOnMachine {
    pub(crate) machine: u32,
    pub(crate) events: u64,
    pub(crate) last_line: u64,
}

impl DiffDocument {
    pub(crate) fn new(a: &Path, b: &Path, common_events: u64, d: Option<&Divergence>) -> DiffDocument {
        let located = |r: &Option<lamport_sim::LocatedRow>| r.as_ref().map(|r| Row::new(&r.file, &r.row));
        let causal_past = d.and_then(|d| {
            let past = d.past.as_ref()?;
            Some(CausalPast {
                of: if d.a.is_some() { "A" } else { "B" },
                events: past.per_machine.iter().map(|(n, _)| n).sum(),
                machines: past
                    .per_machine
                    .iter()
                    .enumerate()
                    .filter_map(|(id, &(events, line))| {
                        line.map(|last_line| PastOnMachine { machine: id as u32, events, last_line })
                    })
                    .collect(),
                direct_causes: past.causes.iter().map(|c| Row::new(&c.file, &c.row)).collect(),
            })
        });
        DiffDocument {
            schema_version: SCHEMA_VERSION,
            command: "diff",
            run_a: a.display().to_string(),
            run_b: b.display().to_string(),
            identical: d.is_none(),
            common_events,
            a: d.and_then(|d| located(&d.a)),
            b: d.and_then(|d| located(&d.b)),
            causal_past,
            scenario_differences: if d.is_some() {
                lamport_sim::scenario_differences(a, b).into_iter().map(|(x, y)| [x, y]).collect()
            } else {
                Vec::new()
            },
        }
    }
}
