//! `lamport-sim check`: verifies the Lamport clock rules and the model's invariants on the
//! logs of a run (ours or another program's, in the CSV format of docs/log-format.md), streaming, with
//! memory bounded by the messages outstanding at any moment rather than by the events.
//!
//! # What is checked
//! Per machine: `sim_time` never goes back; `system_time` reads as a date and time and,
//! with the scenario, is `start_time + sim_time`; the clock strictly increases; INTERNAL
//! and SEND add exactly 1; RECEIVE gives `max(previous, msg_clock) + 1`; a SEND's messages
//! carry its clock (or the clock before it, per the run's semantics) and name valid
//! receivers; a machine only sends or does an internal event with an empty queue
//! (`queue_len` 0). With the run's `scenario.ron`: each SEND or INTERNAL row is one the
//! event mix and send targets can give; one tick at each scheduled instant (within the
//! jitter) and exactly `rate x duration` ticks (a run marked `INCOMPLETE`: the ticks up to
//! its last event).
//!
//! Across machines (rows merged in time order, ties by machine id, as the engine orders
//! them): every RECEIVE matches exactly one earlier SEND (sender, msg_clock, receiver), no
//! sooner than the smallest network delay; no message is received twice; with no network
//! delay the queues are replayed exactly (FIFO order and every `queue_len`); with a delay,
//! `queue_len` lies between the messages that must have landed (sent at least the largest
//! delay ago, not yet received) and those that may have (the smallest delay), and a machine
//! does not act idle while a message must have landed. The clock condition (a
//! happens-before b implies C(a) < C(b)) is verified with vector clocks computed from the
//! logs, for up to [`VECTOR_CLOCK_MAX_MACHINES`] machines.
//!
//! `summary.json`, when the run has one, is compared figure by figure with what the logs
//! give, following the definitions of `docs/log-format.md` (`summary.rs`); where the logs
//! cannot tell a figure (how the messages left at the end split between queues and the
//! network under a delay), only what they can tell is checked, and the report says so.
//!
//! # An oracle, on purpose a second implementation
//! This module shares no code with what produces a run: not the engine, the sinks, the
//! runner, nor the engine's tick schedule. It reads logs with the log reader, the scenario
//! with the scenario reader, and computes everything else itself (the tick schedule in
//! `schedule.rs`, the summary's figures in `summary.rs`), so a wrongly defined statistic
//! or a wrong schedule in the engine is caught rather than rebuilt the same way. The one
//! function it shares is the fingerprint hash, compared as an integrity check over the
//! rows (receivers sorted, so their order in a row does not matter).

mod messages;
mod rules;
mod schedule;
mod summary;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use crate::analysis::causality::VectorClock;
use crate::analysis::logread::{listed_logs, open_logs};
use crate::analysis::{count_logs, LogReader, LogRow, LogsError, MergedLogs, ReadError};
use crate::base::{
    count, log_file_name, EventHash, EventKind, LamportTime, MachineId, SimTime, INCOMPLETE_FILE, SCENARIO_FILE,
    SUMMARY_FILE,
};
use crate::scenario::{
    Fresh, MessageClock, NetworkDelay, ReceiveQueueLen, Resolved, Scenario, ScenarioError, StartTime,
};
use messages::Arrivals;

/// Up to this many machines, the clock condition is verified with vector clocks.
pub(crate) const VECTOR_CLOCK_MAX_MACHINES: u32 = 64;
/// Up to this many machines, a second receive of a message is named as such.
const PAIR_TRACKING_MAX_MACHINES: u32 = 1024;

/// One broken rule: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The file (`machine-3.csv`, `summary.json`).
    pub file: String,
    /// 1-based line, when the violation is at a row.
    pub line: Option<u64>,
    /// One line saying what is wrong.
    pub reason: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

/// What a check found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Machines checked.
    pub machines: u32,
    /// Rows by type.
    pub sends: u64,
    /// RECEIVE rows.
    pub receives: u64,
    /// INTERNAL rows.
    pub internals: u64,
    /// Messages sent (a SEND to two machines counts two).
    pub messages: u64,
    /// Messages never received by the end.
    pub unreceived: u64,
    /// The first violations, in the order the merged log reached them.
    pub violations: Vec<Violation>,
    /// All violations, including those not kept.
    pub violation_count: u64,
    /// Which checks ran (some need the run's `scenario.ron` or `summary.json`).
    pub checks: Vec<&'static str>,
    /// RECEIVEs whose clock is not above their own SEND's: possible only when messages carry
    /// the clock from before the send (`message_clock: BeforeIncrement`), a known weakness
    /// of that variant rather than a broken rule.
    pub receive_not_after_send: u64,
    /// Things worth knowing that are not violations (one line each).
    pub notes: Vec<String>,
}

impl Report {
    /// Total rows.
    pub fn events(&self) -> u64 {
        self.sends + self.receives + self.internals
    }

    /// True when no rule was broken.
    pub fn passed(&self) -> bool {
        self.violation_count == 0
    }
}

/// Why a run could not be checked at all (as opposed to a violation found).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// A log could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The run's `scenario.ron` is not valid.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The folder holds no logs, or they are not numbered `0..N`.
    #[error("{0}")]
    Layout(String),
}

impl From<LogsError> for CheckError {
    fn from(e: LogsError) -> Self {
        match e {
            LogsError::Read(e) => CheckError::Read(e),
            LogsError::Layout(message) => CheckError::Layout(message),
        }
    }
}

/// What the checker knows about the run besides its logs.
#[derive(Debug, Clone, Default)]
pub(crate) struct CheckContext {
    /// The resolved scenario, when the run has one: semantics, schedule, delay.
    pub scenario: Option<Resolved>,
    /// `summary.json`, when the run has one.
    pub summary: Option<serde_json::Value>,
    /// How many violations to keep (all are counted).
    pub max_reported: usize,
    /// The run stopped early (its folder is marked `INCOMPLETE`: Ctrl-C, or a queue at its
    /// `queue_limit`): its logs end at some instant before the scenario's duration, so each
    /// machine must have the ticks scheduled up to its last event, not `rate x duration`.
    pub stopped_early: bool,
}

impl CheckContext {
    /// The context `check` builds from a run's parts: its `scenario.ron` (parsed; named
    /// `origin` in errors) resolved with the seed and start time it records, and the bytes of
    /// its `summary.json` (named `origin` in errors) parsed as JSON. [`check_dir`] reads the
    /// parts from the run folder, the fuzz harness from memory.
    pub(crate) fn for_run(
        scenario: Option<(Scenario, &str)>,
        summary: Option<(&[u8], &str)>,
        max_reported: usize,
    ) -> Result<CheckContext, CheckError> {
        let fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };
        let scenario = scenario.map(|(scenario, origin)| scenario.resolve(fresh, origin)).transpose()?;
        let summary = summary
            .map(|(bytes, origin)| {
                serde_json::from_slice(bytes).map_err(|e| ReadError {
                    file: origin.to_string(),
                    line: e.line() as u64,
                    message: format!("not valid JSON: {e}"),
                })
            })
            .transpose()?;
        Ok(CheckContext { scenario, summary, max_reported, stopped_early: false })
    }

    /// The number of machine logs to check, when the scenario says (else the logs found).
    pub(crate) fn machines(&self) -> Option<u32> {
        self.scenario.as_ref().map(|s| s.machines.len() as u32)
    }
}

/// Checks the run in `dir`: `machine-<id>.csv` for every machine, and `scenario.ron` and
/// `summary.json` when present.
pub fn check_dir(dir: &Path, max_reported: usize) -> Result<Report, CheckError> {
    listed_logs(dir)?; // a folder that can be listed, before reading anything in it
    let scenario_path = dir.join(SCENARIO_FILE);
    let scenario_origin = scenario_path.display().to_string();
    let scenario = if scenario_path.exists() { Some(Scenario::load(&scenario_path)?) } else { None };
    let summary_path = dir.join(SUMMARY_FILE);
    let summary_origin = summary_path.display().to_string();
    let summary = match std::fs::read(&summary_path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(ReadError { file: summary_origin, line: 0, message: format!("cannot read: {e}") }.into()),
    };
    let mut ctx = CheckContext::for_run(
        scenario.map(|s| (s, scenario_origin.as_str())),
        summary.as_deref().map(|b| (b, summary_origin.as_str())),
        max_reported,
    )?;
    ctx.stopped_early = dir.join(INCOMPLETE_FILE).exists();
    let machines = match ctx.machines() {
        Some(n) => n,
        None => count_logs(dir)?,
    };
    let ids = listed_logs(dir)?;
    if ids.is_empty() && ctx.scenario.is_some() {
        return Err(CheckError::Layout(format!(
            "{}: this run has no per-event logs (a --stats-only run), so there is nothing to check; \
             for its logs: lamport-sim run {} --out DIR",
            dir.display(),
            scenario_path.display()
        )));
    }
    let mut report = check_logs(open_logs(dir, machines, false)?, &ctx)?;
    if ctx.stopped_early {
        report.notes.push(format!(
            "the run is marked {INCOMPLETE_FILE} (it stopped early): its logs end before the scenario's duration, \
             so each machine's ticks are checked up to its last event"
        ));
    }
    let stray: Vec<String> = ids.into_iter().filter(|&id| id >= machines).map(log_file_name).collect();
    if !stray.is_empty() {
        report.notes.push(format!("not checked: {} (the run has {machines} machines)", stray.join(", ")));
    }
    Ok(report)
}

/// Checks streams of rows, one per machine (in id order), against the rules above.
pub(crate) fn check_logs<R: Read>(readers: Vec<LogReader<R>>, ctx: &CheckContext) -> Result<Report, CheckError> {
    let files = readers.iter().map(|r| r.file().to_string()).collect();
    let logs = MergedLogs::new(readers)?;
    Checker::new(files, ctx).run(logs)
}

/// The causal past of an event, each machine's last event in it marked with its Lamport
/// clock (the largest of that machine's in the past, its clocks only going up).
type Past = VectorClock<LamportTime>;

/// A message sent and not yet received.
#[derive(Debug)]
struct Pending {
    sent_at: u64,
    send_clock: LamportTime,
    past: Option<Rc<Past>>,
}

/// One machine's progress through its log.
#[derive(Debug)]
struct Lane {
    rows: u64,
    last_line: u64,
    last_time: Option<u64>,
    /// The last `system_time`, in microseconds since 1970.
    last_system_time: Option<i64>,
    last_clock: LamportTime,
    last_was_send: bool,
    /// Messages the last row says are still waiting after it (a RECEIVE's `queue_len`
    /// without the one taken; 0 after SEND and INTERNAL).
    left_waiting: u64,
    /// Index and instant of the tick the last row belonged to.
    tick: Option<(u64, u64)>,
    /// Messages in the queue, in arrival order (exact only without network delay).
    queue: VecDeque<(MachineId, LamportTime)>,
    /// Messages sent to it.
    addressed: u64,
    /// Messages it received.
    received: u64,
    /// Messages it sent (a SEND to two machines counts two).
    sent_messages: u64,
    /// Rows by kind: SEND, RECEIVE, INTERNAL.
    kinds: [u64; 3],
    /// The largest clock increase of one row, and the sum of those of RECEIVE rows.
    max_jump: u64,
    receive_jumps: u64,
    /// The largest `queue_len` logged.
    max_queue_len: u64,
    past: Option<Past>,
    /// With a network delay: what the smallest and largest delay say has landed.
    arrivals: Arrivals,
}

struct Checker<'a> {
    ctx: &'a CheckContext,
    /// Each machine's log name, for violations.
    files: Vec<String>,
    lanes: Vec<Lane>,
    n: u32,
    pending: HashMap<(MachineId, LamportTime, MachineId), Pending>,
    /// Last msg_clock received per (sender, receiver), to name a second receive.
    last_received: Option<Vec<Option<LamportTime>>>,
    exact_queues: bool,
    min_delay: u64,
    /// The largest network delay, when it is bounded.
    max_delay: Option<u64>,
    /// The fingerprint of the rows, receivers sorted: `summary.json`'s must match.
    fingerprint: EventHash,
    report: Report,
}

impl<'a> Checker<'a> {
    fn new(files: Vec<String>, ctx: &'a CheckContext) -> Self {
        let n = files.len() as u32;
        let vector_clocks = n <= VECTOR_CLOCK_MAX_MACHINES;
        let lanes = (0..n)
            .map(|_| Lane {
                rows: 0,
                last_line: 1,
                last_time: None,
                last_system_time: None,
                last_clock: 0,
                last_was_send: false,
                left_waiting: 0,
                tick: None,
                queue: VecDeque::new(),
                addressed: 0,
                received: 0,
                sent_messages: 0,
                kinds: [0; 3],
                max_jump: 0,
                receive_jumps: 0,
                max_queue_len: 0,
                past: vector_clocks.then(|| Past::new(n as usize, 0)),
                arrivals: Arrivals::default(),
            })
            .collect();
        let (exact_queues, min_delay, max_delay) = match ctx.scenario.as_ref().map(|s| s.network_delay) {
            Some(NetworkDelay::NoDelay) => (true, 0, Some(0)),
            Some(NetworkDelay::Fixed(d)) => (false, d.as_nanos(), Some(d.as_nanos())),
            Some(NetworkDelay::Uniform { min, max }) => (false, min.as_nanos(), Some(max.as_nanos())),
            Some(NetworkDelay::Exponential { .. }) | None => (false, 0, None),
        };
        let mut report = Report { machines: n, ..Report::default() };
        report.checks.push(
            "Lamport's clock rules on every machine (IR1: each event advances the clock; IR2: a RECEIVE moves it past the message's clock) and time order",
        );
        report.checks.push(if ctx.scenario.is_some() {
            "system_time = start_time + sim_time"
        } else {
            "system_time never goes back"
        });
        report.checks.push("every RECEIVE matches one earlier SEND; none received twice");
        if exact_queues {
            report.checks.push("FIFO queues and every queue_len, replayed exactly (no network delay)");
        } else {
            report
                .checks
                .push("queue_len bounded by the messages that may / must have landed (delay: exact queues unknown)");
        }
        if vector_clocks {
            report.checks.push("clock condition with vector clocks");
        }
        Checker {
            ctx,
            files,
            lanes,
            n,
            pending: HashMap::new(),
            last_received: (n <= PAIR_TRACKING_MAX_MACHINES).then(|| vec![None; (n * n) as usize]),
            exact_queues,
            min_delay,
            max_delay,
            fingerprint: EventHash::default(),
            report,
        }
    }

    fn violation(&mut self, machine: MachineId, line: u64, reason: String) {
        self.report.violation_count += 1;
        if self.report.violations.len() < self.ctx.max_reported {
            let file = self.files[machine as usize].clone();
            self.report.violations.push(Violation { file, line: Some(line), reason });
        }
    }

    fn run<R: Read>(mut self, mut logs: MergedLogs<R>) -> Result<Report, CheckError> {
        while let Some((id, row)) = logs.next_row()? {
            self.row(id, row);
        }
        self.finish();
        if self.report.receive_not_after_send > 0 && self.before_increment() {
            self.report.notes.push(format!(
                "{} {} a clock no greater than their own SEND's: messages carry the clock from before \
                 the send (message_clock: BeforeIncrement), so C(send) < C(receive) fails for those pairs",
                count(self.report.receive_not_after_send, "RECEIVE"),
                if self.report.receive_not_after_send == 1 { "has" } else { "have" }
            ));
        }
        if self.ctx.scenario.is_some() {
            self.report.checks.push("tick schedule: one tick per scheduled instant, rate x duration ticks");
        }
        if self.ctx.summary.is_some() {
            self.report.checks.push(
                "summary.json: every figure (per machine and overall) and the fingerprint, rebuilt from the logs",
            );
        }
        Ok(self.report)
    }

    fn row(&mut self, id: MachineId, row: LogRow) {
        let line = row.line;
        let lane = &self.lanes[id as usize];
        let (prev_clock, prev_time) = (lane.last_clock, lane.last_time);
        if row.machine != id {
            self.violation(id, line, format!("the machine column says {} in machine {id}'s log", row.machine));
        }
        if let Some(prev) = prev_time.filter(|&p| row.sim_nanos < p) {
            self.violation(id, line, format!("sim_time goes back: {} after {}", SimTime(row.sim_nanos), SimTime(prev)));
        }
        self.check_system_time(id, &row);
        self.check_tick(id, &row);
        if !self.exact_queues {
            self.lanes[id as usize].arrivals.advance(row.sim_nanos, self.min_delay, self.max_delay);
        }
        match row.event {
            EventKind::Internal => {
                self.report.internals += 1;
                // In u128: after a clock of u64::MAX no row is right, and none may pass by wrapping.
                let expected = u128::from(prev_clock) + 1;
                if u128::from(row.clock) != expected {
                    self.violation(
                        id,
                        line,
                        format!("INTERNAL clock {} after {prev_clock}; expected {expected}", row.clock),
                    );
                }
                if !row.peers.is_empty() || row.msg_clock.is_some() {
                    self.violation(id, line, "INTERNAL with a peer or msg_clock; both must be empty".into());
                }
                if let Some(reason) = self.impossible_action(id, EventKind::Internal, &[]) {
                    self.violation(id, line, reason);
                }
                self.check_idle(id, &row);
            }
            EventKind::Send => {
                self.report.sends += 1;
                self.send(id, &row, prev_clock);
                self.check_idle(id, &row);
            }
            EventKind::Receive => {
                self.report.receives += 1;
                self.receive(id, &row, prev_clock);
            }
        }
        self.tally(id, &row, prev_clock);
        if let Some(past) = &mut self.lanes[id as usize].past {
            past.record(id as usize, row.clock);
        }
        let before_take = self.before_take();
        let lane = &mut self.lanes[id as usize];
        lane.rows += 1;
        lane.last_line = line;
        lane.last_time = Some(row.sim_nanos.max(prev_time.unwrap_or(0)));
        lane.last_clock = row.clock;
        lane.last_was_send = row.event == EventKind::Send;
        lane.left_waiting = match row.event {
            EventKind::Receive => row.queue_len.saturating_sub(u64::from(before_take)),
            _ => 0,
        };
    }

    /// End of the logs: tick counts and the summary's figures.
    fn finish(&mut self) {
        self.report.unreceived = self.pending.len() as u64;
        self.check_tick_counts();
        self.check_summary();
    }

    /// Whether a message carries the sender's clock from before its send.
    fn before_increment(&self) -> bool {
        self.ctx.scenario.as_ref().is_some_and(|s| s.semantics.message_clock == MessageClock::BeforeIncrement)
    }

    /// Whether a RECEIVE's `queue_len` counts the message it takes.
    fn before_take(&self) -> bool {
        self.ctx.scenario.as_ref().is_some_and(|s| s.semantics.receive_queue_len == ReceiveQueueLen::BeforeTake)
    }
}
