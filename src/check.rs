//! `lamport-sim check`: verifies the Lamport clock rules and the model's invariants on the
//! logs of a run (ours or another program's, in the SPEC's CSV format), streaming, with
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
//! `summary.json`, when the run has one, is rebuilt from the logs with the engine's own
//! statistics and fingerprint sinks and compared figure by figure (the fingerprint covers
//! every field of every row but `system_time`).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use crate::engine::MachineState;
use crate::event::{Event, EventKind, EventSink, LamportTime, MachineId};
use crate::fingerprint::Fingerprint;
use crate::logread::{
    format_system_time, open_logs, EventType, LogReader, LogRow, MergedLogs, ReadError, SystemTimeField,
};
use crate::logs::log_file_name;
use crate::rundir::{log_ids as listed_log_ids, INCOMPLETE_FILE, SCENARIO_FILE, SUMMARY_FILE};
use crate::scenario::{
    Fresh, MessageClock, MulticastClock, NetworkDelay, ReceiveQueueLen, Resolved, Scenario, ScenarioError,
    SendAllTargets, StartTime, TickJitter,
};
use crate::summary::{Stats, Summary};
use crate::time::{tick_time, ticks_before, SimDuration, SimTime};

/// Up to this many machines, the clock condition is verified with vector clocks.
pub const VECTOR_CLOCK_MAX_MACHINES: u32 = 64;
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

/// What the checker knows about the run besides its logs.
#[derive(Debug, Clone, Default)]
pub struct CheckContext {
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
    /// parts from the run folder, `fuzz_support::check_logs` from memory.
    pub fn for_run(
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
    pub fn machines(&self) -> Option<u32> {
        self.scenario.as_ref().map(|s| s.machines.len() as u32)
    }
}

/// Checks the run in `dir`: `machine-<id>.csv` for every machine, and `scenario.ron` and
/// `summary.json` when present.
pub fn check_dir(dir: &Path, max_reported: usize) -> Result<Report, CheckError> {
    log_ids(dir)?; // a folder that can be listed, before reading anything in it
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
    let ids = log_ids(dir)?;
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

/// Checks a run kept in memory ([`crate::runner::run_in_memory`]) against its scenario and
/// summary, exactly as `check` would check its folder.
pub fn check_memory_run(run: &crate::runner::MemoryRun, scenario: &Resolved) -> Result<Report, CheckError> {
    let summary = serde_json::to_value(&run.summary).expect("summaries serialize");
    check_memory_logs(&run.logs, Some(scenario), Some(summary))
}

/// Checks logs kept in memory (`logs[i]` is `machine-<i>.csv`), with the run's scenario and
/// `summary.json` when given, keeping the first 50 violations.
pub fn check_memory_logs(
    logs: &[Vec<u8>],
    scenario: Option<&Resolved>,
    summary: Option<serde_json::Value>,
) -> Result<Report, CheckError> {
    let readers = logs
        .iter()
        .enumerate()
        .map(|(id, bytes)| LogReader::new(&log_file_name(id as MachineId), bytes.as_slice()))
        .collect::<Result<Vec<_>, _>>()?;
    let ctx = CheckContext { scenario: scenario.cloned(), summary, max_reported: 50, stopped_early: false };
    check_logs(readers, &ctx)
}

/// The ids of the `machine-<id>.csv` logs in `dir`, ascending; a path that is not a folder
/// is told as such.
fn log_ids(dir: &Path) -> Result<Vec<u32>, CheckError> {
    listed_log_ids(dir).map_err(|e| {
        let what = if dir.exists() { "is not a run folder" } else { "does not exist" };
        CheckError::Layout(format!("{}: {what} (expected a folder of machine-<id>.csv logs): {e}", dir.display()))
    })
}

/// The number of machine logs in `dir`: ids must run `0..N` with no gap.
pub fn count_logs(dir: &Path) -> Result<u32, CheckError> {
    let ids = log_ids(dir)?;
    if ids.is_empty() {
        return Err(CheckError::Layout(format!("{}: no machine-<id>.csv logs (and no scenario.ron)", dir.display())));
    }
    if let Some(gap) = ids.iter().enumerate().find(|(i, id)| *i as u32 != **id) {
        return Err(CheckError::Layout(format!(
            "{}: machine logs must be numbered 0..N without gaps; machine-{}.csv is missing",
            dir.display(),
            gap.0
        )));
    }
    Ok(ids.len() as u32)
}

/// The vector clock of an event and, per machine, the largest Lamport clock in its past.
#[derive(Debug, Clone)]
struct Past {
    counts: Vec<u64>,
    clocks: Vec<LamportTime>,
}

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
    addressed: u64,
    received: u64,
    sent_messages: u64,
    past: Option<Past>,
    /// With a network delay: what the smallest and largest delay say has landed.
    arrivals: Arrivals,
}

/// With a network delay (queues not replayed exactly), which messages to a machine must or
/// may have landed by its current row: a message sent at `s` lands at `s + d` with `d`
/// between the smallest and the largest delay, before any tick at that instant. Memory is
/// the messages sent within the last (largest) delay.
#[derive(Debug, Default)]
struct Arrivals {
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
    fn advance(&mut self, now: u64, min: u64, max: Option<u64>) {
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

    fn sent(&mut self, at: u64, bounded: bool) {
        self.within_min.push_back(at);
        if bounded {
            self.within_max.push_back(at);
        }
    }

    fn received(&mut self, sent_at: u64, bounded: bool) {
        if bounded {
            self.received_recent.push(Reverse(sent_at));
        }
    }

    /// Messages not yet received that must be in the queue by now (largest delay).
    fn must_be_waiting(&self) -> u64 {
        self.must_have_landed.saturating_sub(self.received_landed)
    }
}

/// Checks streams of rows, one per machine (in id order), against the rules above.
pub fn check_logs<R: Read>(readers: Vec<LogReader<R>>, ctx: &CheckContext) -> Result<Report, CheckError> {
    let files = readers.iter().map(|r| r.file().to_string()).collect();
    let logs = MergedLogs::new(readers)?;
    Checker::new(files, ctx).run(logs)
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
    /// The statistics and fingerprint a run of these events would have: the summary
    /// `summary.json` must match, rebuilt with the same sinks the engine feeds.
    stats: Stats,
    fingerprint: Fingerprint,
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
                past: vector_clocks.then(|| Past { counts: vec![0; n as usize], clocks: vec![0; n as usize] }),
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
        report.checks.push("per-machine clock rules (IR1, IR2) and time order");
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
            stats: Stats::new(n as usize),
            fingerprint: Fingerprint::default(),
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
                "{} RECEIVE(s) have a clock no greater than their own SEND's: messages carry the clock from before \
                 the send (message_clock: BeforeIncrement), so C(send) < C(receive) fails for those pairs",
                self.report.receive_not_after_send
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
            EventType::Internal => {
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
                if let Some(reason) = self.impossible_action(id, EventType::Internal, &[]) {
                    self.violation(id, line, reason);
                }
                self.check_idle(id, &row);
            }
            EventType::Send => {
                self.report.sends += 1;
                self.send(id, &row, prev_clock);
                self.check_idle(id, &row);
            }
            EventType::Receive => {
                self.report.receives += 1;
                self.receive(id, &row, prev_clock);
            }
        }
        self.record(id, &row);
        if let Some(past) = &mut self.lanes[id as usize].past {
            past.counts[id as usize] += 1;
            past.clocks[id as usize] = row.clock;
        }
        let before_take = self.before_take();
        let lane = &mut self.lanes[id as usize];
        lane.rows += 1;
        lane.last_line = line;
        lane.last_time = Some(row.sim_nanos.max(prev_time.unwrap_or(0)));
        lane.last_clock = row.clock;
        lane.last_was_send = row.event == EventType::Send;
        lane.left_waiting = match row.event {
            EventType::Receive => row.queue_len.saturating_sub(u64::from(before_take)),
            _ => 0,
        };
    }

    /// Feeds the row to the sinks a run's summary comes from, to rebuild it at the end.
    fn record(&mut self, id: MachineId, row: &LogRow) {
        let msg_clock = row.msg_clock.unwrap_or(0);
        let kind = match row.event {
            EventType::Send => EventKind::Send { to: &row.peers, msg_clock },
            EventType::Receive => EventKind::Receive { from: row.peers.first().copied().unwrap_or(0), msg_clock },
            EventType::Internal => EventKind::Internal,
        };
        let time = SimTime(row.sim_nanos);
        let event = Event { time, machine: id, tick: 0, kind, clock: row.clock, queue_len: row.queue_len };
        // Both sinks only count in memory: they never fail.
        let _ = (&mut self.stats, &mut self.fingerprint).event(&event);
    }

    /// Why the scenario's event mix and send targets cannot give this INTERNAL or SEND row of
    /// machine `id`, if they cannot (a SEND's receivers are known to be valid and distinct).
    fn impossible_action(&self, id: MachineId, event: EventType, peers: &[MachineId]) -> Option<String> {
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
            EventType::Internal => {
                // A roll for a send that has no receiver (fewer than three machines) is an
                // internal event too.
                let possible = mix.internal > 0
                    || (mix.send_next > 0 && next == id)
                    || (mix.send_after > 0 && after == id)
                    || (mix.send_all > 0 && all_len == 0);
                (!possible).then(|| format!("INTERNAL, but this machine cannot make one ({})", weights()))
            }
            EventType::Send => {
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
            EventType::Receive => None,
        }
    }

    /// `system_time` = start time + `sim_time` (to the microsecond) when the scenario gives
    /// the start; without it, at least never going back.
    fn check_system_time(&mut self, id: MachineId, row: &LogRow) {
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
                        format_system_time(micros),
                        format_system_time(expected)
                    );
                    self.violation(id, row.line, reason);
                }
            }
            None => {
                if let Some(previous) = previous.filter(|&p| micros < p) {
                    let reason = format!(
                        "system_time goes back: {} after {}",
                        format_system_time(micros),
                        format_system_time(previous)
                    );
                    self.violation(id, row.line, reason);
                }
            }
        }
    }

    /// One event per tick at the scheduled instants (when the scenario is known).
    fn check_tick(&mut self, id: MachineId, row: &LogRow) {
        let Some(scenario) = &self.ctx.scenario else { return };
        let Some(setup) = scenario.machines.get(id as usize).copied() else { return };
        let lane = &self.lanes[id as usize];
        let per_message = scenario.semantics.multicast == MulticastClock::IncrementPerMessage;
        let same_tick = per_message
            && row.event == EventType::Send
            && lane.last_was_send
            && lane.tick.is_some_and(|(_, at)| at == row.sim_nanos);
        if same_tick {
            return;
        }
        let k = lane.tick.map_or(0, |(k, _)| k + 1);
        let (rate, phase) = (setup.rate, setup.phase);
        let nominal = tick_time(k, rate, phase).as_nanos();
        let (on_time, late_by) = match scenario.tick_jitter {
            TickJitter::NoJitter => (row.sim_nanos == nominal, 0),
            TickJitter::Uniform { max } => {
                (row.sim_nanos >= nominal && row.sim_nanos - nominal <= max.as_nanos(), max.as_nanos())
            }
        };
        let mut tick = (k, row.sim_nanos);
        if !on_time {
            let reason = if late_by == 0 {
                format!(
                    "tick {k} of a {rate} Hz machine (phase {phase}) is due at {}s, but this row is at {}s: a tick is missing or extra",
                    SimTime(nominal),
                    SimTime(row.sim_nanos)
                )
            } else {
                format!(
                    "tick {k} of a {rate} Hz machine is due between {}s and {}s (jitter), but this row is at {}s",
                    SimTime(nominal),
                    SimTime(nominal.saturating_add(late_by)),
                    SimTime(row.sim_nanos)
                )
            };
            self.violation(id, row.line, reason);
            // Resynchronise on the tick this row is nearest to, so one gap is one violation.
            let span = row.sim_nanos.saturating_sub(phase.as_nanos());
            let guess = (u128::from(span) * u128::from(rate) / 1_000_000_000) as u64;
            tick = (guess, row.sim_nanos);
        }
        self.lanes[id as usize].tick = Some(tick);
    }

    /// A SEND or INTERNAL happens only with an empty queue.
    fn check_idle(&mut self, id: MachineId, row: &LogRow) {
        if row.queue_len != 0 {
            let kind = if row.event == EventType::Send { "SEND" } else { "INTERNAL" };
            self.violation(
                id,
                row.line,
                format!("{kind} with queue_len {}: a machine only acts when its queue is empty", row.queue_len),
            );
        }
        let waiting = self.lanes[id as usize].queue.len();
        if self.exact_queues && waiting > 0 {
            self.violation(id, row.line, format!("{waiting} message(s) were waiting, so this tick must be a RECEIVE"));
        }
        let lane = &self.lanes[id as usize];
        let (left, landed, previous) = (lane.left_waiting, lane.arrivals.must_be_waiting(), lane.last_line);
        if !self.exact_queues && left > 0 {
            self.violation(
                id,
                row.line,
                format!("line {previous} left {left} message(s) waiting, so this tick must be a RECEIVE"),
            );
        } else if let (false, Some(max), 1..) = (self.exact_queues, self.max_delay, landed) {
            self.violation(
                id,
                row.line,
                format!(
                    "{landed} message(s) to this machine, sent at least the largest delay ({max}ns) ago, have landed \
                     and are not received, so this tick must be a RECEIVE"
                ),
            );
        }
    }

    fn send(&mut self, id: MachineId, row: &LogRow, prev_clock: LamportTime) {
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
            p.counts[id as usize] += 1;
            p.clocks[id as usize] = carried;
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

    /// Why the receivers of a SEND are not valid, if they are not.
    fn bad_receivers(&self, id: MachineId, peers: &[MachineId]) -> Option<String> {
        if let Some(p) = peers.iter().find(|&&p| p >= self.n || p == id) {
            return Some(format!("SEND to {p}: receivers must be other machines, 0..{}", self.n));
        }
        if peers.windows(2).any(|w| w[0] >= w[1]) {
            return Some(format!("SEND receivers {peers:?} must be distinct and in ascending order"));
        }
        self.impossible_action(id, EventType::Send, peers)
    }

    fn receive(&mut self, id: MachineId, row: &LogRow, prev_clock: LamportTime) {
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
            for j in 0..past.counts.len() {
                past.counts[j] = past.counts[j].max(sent.counts[j]);
                past.clocks[j] = past.clocks[j].max(sent.clocks[j]);
            }
            let broken = (0..past.clocks.len()).find(|&j| j != id as usize && past.clocks[j] >= row.clock);
            if let Some(j) = broken {
                let c = past.clocks[j];
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

    /// Whether a message carries the sender's clock from before its send.
    fn before_increment(&self) -> bool {
        self.ctx.scenario.as_ref().is_some_and(|s| s.semantics.message_clock == MessageClock::BeforeIncrement)
    }

    /// Whether a RECEIVE's `queue_len` counts the message it takes.
    fn before_take(&self) -> bool {
        self.ctx.scenario.as_ref().is_some_and(|s| s.semantics.receive_queue_len == ReceiveQueueLen::BeforeTake)
    }

    /// Replays the queue (no delay) or bounds `queue_len` (with delay) at a RECEIVE.
    fn check_queue_len(&mut self, id: MachineId, row: &LogRow, message: Option<(MachineId, LamportTime)>) {
        let before_take = self.before_take();
        let lane = &mut self.lanes[id as usize];
        if self.exact_queues {
            let Some(message) = message else { return };
            let position = lane.queue.iter().position(|&m| m == message);
            let violation = match position {
                Some(0) => None,
                Some(p) => Some(format!("took a message that had {p} older one(s) ahead of it; queues are FIFO")),
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
                    format!("queue_len {}; {waiting} message(s) were waiting {when} the take", row.queue_len),
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
                    "queue_len {queue_len}, but only {outstanding} message(s) to this machine were outstanding"
                ))
            } else if queue_len > may {
                Some(format!(
                    "queue_len {queue_len}, but at most {may} message(s) can have been waiting {when} the take: the \
                     other messages to this machine were sent less than the smallest delay ({min}ns) ago"
                ))
            } else if queue_len.saturating_sub(extra) + 1 < lane.left_waiting {
                Some(format!(
                    "queue_len {queue_len}, but line {} left {} message(s) waiting and a RECEIVE takes only one",
                    lane.last_line, lane.left_waiting
                ))
            } else if queue_len < must {
                Some(format!(
                    "queue_len {queue_len}, but at least {must} message(s) were waiting {when} the take: messages to \
                     this machine sent at least the largest delay ({}ns) ago have landed",
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

    /// End of the logs: tick counts and the summary's figures.
    fn finish(&mut self) {
        self.report.unreceived = self.pending.len() as u64;
        if let Some(scenario) = &self.ctx.scenario {
            let end = SimTime(scenario.duration.as_nanos());
            // A run stopped early ran, in time order, every tick before its last event and
            // possibly some at that instant: with jitter, every tick due more than the
            // largest jitter before it.
            let last = self.lanes.iter().filter_map(|l| l.last_time).max().unwrap_or(0);
            let jitter = match scenario.tick_jitter {
                TickJitter::NoJitter => 0,
                TickJitter::Uniform { max } => max.as_nanos(),
            };
            for id in 0..self.n {
                let setup = scenario.machines[id as usize];
                let expected = ticks_before(end, setup.rate, setup.phase);
                let lane = &self.lanes[id as usize];
                let ticks = lane.tick.map_or(0, |(k, _)| k + 1);
                if self.ctx.stopped_early {
                    let at_least = ticks_before(SimTime(last.saturating_sub(jitter)), setup.rate, setup.phase);
                    let at_most = ticks_before(SimTime(last.saturating_add(1)), setup.rate, setup.phase).min(expected);
                    if !(at_least..=at_most).contains(&ticks) {
                        let line = lane.last_line;
                        let reason = format!(
                            "the log has {ticks} ticks; a {} Hz machine of a run stopped at {}s makes {at_least} to \
                             {at_most}",
                            setup.rate,
                            SimTime(last)
                        );
                        self.violation(id, line, reason);
                    }
                    continue;
                }
                if ticks != expected {
                    let line = lane.last_line;
                    self.violation(
                        id,
                        line,
                        format!(
                            "the log has {ticks} ticks; a {} Hz machine makes {expected} in {}",
                            setup.rate, scenario.duration
                        ),
                    );
                }
            }
        }
        let Some(summary) = self.ctx.summary.as_ref() else { return };
        let (problems, note) = self.summary_problems(summary);
        self.report.notes.extend(note);
        for reason in problems {
            self.report.violation_count += 1;
            if self.report.violations.len() < self.ctx.max_reported {
                self.report.violations.push(Violation { file: SUMMARY_FILE.to_string(), line: None, reason });
            }
        }
    }

    /// Where `summary.json` (`claimed`) contradicts the summary these logs imply: the
    /// statistics and fingerprint rebuilt from the rows with the engine's own sinks, and each
    /// machine's end state (ticks, clock, messages left) from the logs. What logs cannot
    /// tell (rates and phases without `scenario.ron`; with a network delay, how the messages
    /// left split between queue and network) is taken from the summary itself. Also returns a
    /// note when the fingerprint cannot be compared.
    fn summary_problems(&self, claimed: &serde_json::Value) -> (Vec<String>, Option<String>) {
        let mut problems = Vec::new();
        let scenario = self.ctx.scenario.as_ref();
        let mut ends = Vec::with_capacity(self.n as usize);
        for id in 0..self.n {
            let Some(m) = claimed.get("machines").and_then(|ms| ms.get(id as usize)) else {
                problems.push(format!("no entry for machine {id}"));
                continue;
            };
            let claimed_u64 = |field: &str| m.get(field).and_then(|v| v.as_u64());
            let lane = &self.lanes[id as usize];
            let left = lane.addressed - lane.received;
            // As u128, so a sum of two figures never overflows.
            let claimed_left = claimed_u64("queued_at_end")
                .zip(claimed_u64("in_flight_at_end"))
                .map(|(q, f)| (q, f, u128::from(q) + u128::from(f)));
            if let Some((_, _, sum)) = claimed_left.filter(|&(_, _, sum)| sum != u128::from(left)) {
                problems
                    .push(format!("machine {id}: queued_at_end + in_flight_at_end is {sum}, but the logs give {left}"));
            }
            let (rate, phase, ticks) = match scenario.and_then(|s| s.machines.get(id as usize)) {
                Some(setup) => (setup.rate, setup.phase, lane.tick.map_or(0, |(k, _)| k + 1)),
                None => {
                    let rate = claimed_u64("rate").and_then(|r| u32::try_from(r).ok());
                    let phase = m.get("phase").and_then(|p| p.as_str()).and_then(|p| p.parse::<SimDuration>().ok());
                    let (Some(rate), Some(phase), Some(ticks)) = (rate, phase, claimed_u64("ticks")) else {
                        problems.push(format!("machine {id}: no valid rate, phase or ticks"));
                        continue;
                    };
                    (rate, phase, ticks)
                }
            };
            let (queued, in_flight_to) = match claimed_left {
                _ if self.exact_queues => (lane.queue.len() as u64, 0),
                Some((q, f, sum)) if sum == u128::from(left) => (q, f),
                _ => (left, 0),
            };
            ends.push(MachineState { rate, phase, ticks, clock: lane.last_clock, queued, in_flight_to });
        }
        if ends.len() != self.n as usize {
            return (problems, None);
        }
        let seed_and_duration = match scenario {
            Some(s) => Some((s.seed, s.duration)),
            None => claimed
                .get("seed")
                .and_then(|v| v.as_u64())
                .zip(claimed.get("duration").and_then(|v| v.as_str()).and_then(|d| d.parse::<SimDuration>().ok())),
        };
        let Some((seed, duration)) = seed_and_duration else {
            problems.push("no valid seed or duration".into());
            return (problems, None);
        };
        let expected = Summary::from_end_states(seed, duration, &self.stats, &ends, self.fingerprint.hex());
        let writer = claimed.get("lamport_sim_version").and_then(|v| v.as_str());
        let mut skip = vec!["lamport_sim_version"];
        let mut note = None;
        if writer != Some(expected.lamport_sim_version) {
            // The fingerprint function may change between versions (CHANGELOG.md).
            skip.push("fingerprint");
            note = Some(format!(
                "summary.json was written by lamport-sim {}, this is {}: its fingerprint is not compared",
                writer.unwrap_or("(unknown version)"),
                expected.lamport_sim_version
            ));
        }
        let expected = serde_json::to_value(&expected).expect("summaries serialize");
        compare_json("", &expected, Some(claimed), &skip, &mut problems);
        if let Some(extra) = claimed.get("machines").and_then(|m| m.as_array()).filter(|m| m.len() > ends.len()) {
            problems.push(format!("{} machine entries, but there are {} machines", extra.len(), ends.len()));
        }
        (problems, note)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::run_in_memory;

    fn resolved(ron: &str) -> Resolved {
        let fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };
        Scenario::from_ron_str(ron, "<test>").unwrap().resolve(fresh, "<test>").unwrap()
    }

    #[test]
    fn a_correct_run_passes_every_check() {
        let s = resolved("(rates: Each([1, 3, 6]), duration: \"40s\", seed: 3)");
        let report = check_memory_run(&run_in_memory(&s), &s).unwrap();
        assert!(report.passed(), "{:?}", report.violations);
        assert_eq!(report.events(), 400);
        assert_eq!(report.checks.len(), 7);
    }

    /// `log` with its lines (0 is the header) changed by `edit`.
    fn edit_lines(log: &[u8], edit: impl FnOnce(&mut Vec<String>)) -> Vec<u8> {
        let mut lines: Vec<String> = std::str::from_utf8(log).unwrap().lines().map(String::from).collect();
        edit(&mut lines);
        (lines.join("\n") + "\n").into_bytes()
    }

    /// Sets field `field` of CSV line `line` to `value`.
    fn set_field(lines: &mut [String], line: usize, field: usize, value: impl FnOnce(&str) -> String) {
        let mut fields: Vec<String> = lines[line].split(',').map(String::from).collect();
        fields[field] = value(&fields[field]);
        lines[line] = fields.join(",");
    }

    #[test]
    fn a_changed_clock_is_caught_at_its_line() {
        let s = resolved("(rates: Each([2, 3, 4]), duration: \"20s\", seed: 3)");
        let mut run = run_in_memory(&s);
        run.logs[1] = edit_lines(&run.logs[1], |lines| {
            set_field(lines, 10, 4, |clock| (clock.parse::<u64>().unwrap() + 5).to_string())
        });
        let report = check_memory_run(&run, &s).unwrap();
        let first = &report.violations[0];
        assert_eq!((first.file.as_str(), first.line), ("machine-1.csv", Some(11)), "{first}");
    }

    /// Checks `run` against `scenario` with `summary` in place of the run's own.
    fn check_with(run: &crate::runner::MemoryRun, scenario: &Resolved, summary: serde_json::Value) -> Report {
        check_memory_logs(&run.logs, Some(scenario), Some(summary)).unwrap()
    }

    #[test]
    fn every_figure_of_the_summary_is_checked_against_the_logs() {
        let s = resolved("(rates: Each([1, 3, 6]), duration: \"30s\", seed: 5)");
        let run = run_in_memory(&s);
        let summary = serde_json::to_value(&run.summary).unwrap();
        assert!(check_with(&run, &s, summary.clone()).passed());
        // One figure at a time, overall and per machine, integer and fractional.
        for (path, expected) in [
            ("/overall/messages_sent", "overall: messages_sent is 999"),
            ("/overall/max_final_clock", "overall: max_final_clock is 999"),
            ("/overall/events/total", "overall: events.total is 999"),
            ("/machines/1/max_queue_len", "machine 1: max_queue_len is 999"),
            ("/machines/2/max_clock_jump", "machine 2: max_clock_jump is 999"),
            ("/machines/0/mean_receive_jump", "machine 0: mean_receive_jump is 999"),
            ("/machines/0/queue_growth_per_min", "machine 0: queue_growth_per_min is 999"),
            ("/seed", "seed is 999"),
        ] {
            let mut edited = summary.clone();
            *edited.pointer_mut(path).unwrap() = serde_json::json!(999);
            let report = check_with(&run, &s, edited);
            let reasons: Vec<String> = report.violations.iter().map(|v| v.to_string()).collect();
            assert_eq!(reasons.len(), 1, "{path}: {reasons:?}");
            assert!(reasons[0].starts_with(&format!("summary.json: {expected}, but the logs give ")), "{reasons:?}");
        }
        // A fingerprint that is not the logs' own.
        let mut edited = summary.clone();
        edited["fingerprint"] = "0123456789abcdef".into();
        let report = check_with(&run, &s, edited);
        assert!(
            report.violations[0].reason.starts_with("fingerprint is \"0123456789abcdef\""),
            "{:?}",
            report.violations
        );
        // Another version's fingerprint is not compared, and the report says so.
        let mut edited = summary;
        edited["fingerprint"] = "0123456789abcdef".into();
        edited["lamport_sim_version"] = "0.0.1".into();
        let report = check_with(&run, &s, edited);
        assert!(report.passed(), "{:?}", report.violations);
        assert!(report.notes[0].contains("0.0.1"), "{:?}", report.notes);
    }

    #[test]
    fn system_time_is_start_time_plus_sim_time() {
        let s = resolved("(rates: Each([2, 3, 4]), duration: \"20s\", seed: 3)");
        let mut run = run_in_memory(&s);
        // The second row's system_time ten seconds early.
        run.logs[2] = edit_lines(&run.logs[2], |lines| {
            lines[2] = lines[2].replacen("2000-01-01 00:00:0", "1999-12-31 23:59:5", 1)
        });
        let report = check_memory_run(&run, &s).unwrap();
        let line = 3;
        let v = &report.violations[0];
        assert_eq!((v.file.as_str(), v.line), ("machine-2.csv", Some(line)), "{v}");
        assert!(v.reason.starts_with("system_time 1999-12-31 23:59:5"), "{v}");
        // The scenario's start time, a year later: every row is off.
        let mut later = s.clone();
        later.start_time = StartTime::try_from("2001-01-01 00:00:00".to_string()).unwrap();
        let report = check_memory_run(&run_in_memory(&s), &later).unwrap();
        assert_eq!(report.violation_count, report.events(), "{:?}", &report.violations[..3]);
    }

    /// Checks logs alone (no scenario.ron), with `summary` when given.
    fn check_without_scenario(logs: &[Vec<u8>], summary: Option<serde_json::Value>) -> Report {
        check_memory_logs(logs, None, summary).unwrap()
    }

    #[test]
    fn without_a_scenario_the_summary_is_rebuilt_from_its_own_rates_and_phases() {
        let s = resolved("(rates: Each([2, 5]), duration: \"20s\", seed: 8, network_delay: Fixed(\"700ms\"))");
        let run = run_in_memory(&s);
        let summary = serde_json::to_value(&run.summary).unwrap();
        let report = check_without_scenario(&run.logs, Some(summary.clone()));
        assert!(report.passed(), "{:?}", report.violations);
        // A wrong figure is still caught, and figures past u64 neither overflow nor pass.
        let mut edited = summary.clone();
        edited["machines"][1]["final_clock"] = 1.into();
        let v = &check_without_scenario(&run.logs, Some(edited)).violations[0];
        assert!(v.reason.starts_with("machine 1: final_clock is 1, but the logs give"), "{v}");
        let mut huge = summary;
        for m in 0..2 {
            huge["machines"][m]["ticks"] = u64::MAX.into();
        }
        let report = check_without_scenario(&run.logs, Some(huge));
        assert!(report.violations.iter().any(|v| v.reason.starts_with("overall: ticks is")), "{:?}", report.violations);
    }

    #[test]
    fn without_a_scenario_system_time_must_read_and_never_go_back() {
        let s = resolved("(rates: Each([2, 3]), duration: \"10s\", seed: 8)");
        let mut run = run_in_memory(&s);
        assert!(check_without_scenario(&run.logs, None).passed());
        run.logs[1] = edit_lines(&run.logs[1], |lines| {
            lines[3] = lines[3].replacen("2000-01-01 00:00:0", "1999-12-31 23:59:5", 1);
            lines[5] = lines[5].replacen("2000-01-01", "2000-13-01", 1);
        });
        let report = check_without_scenario(&run.logs, None);
        let found: Vec<(Option<u64>, &str)> =
            report.violations.iter().map(|v| (v.line, v.reason.split(':').next().unwrap())).collect();
        assert_eq!(
            found,
            [(Some(4), "system_time goes back"), (Some(6), "system_time is not a date and time like 2026-11-25 18")],
            "{:?}",
            report.violations
        );
    }

    #[test]
    fn per_message_sends_name_one_receiver_and_two_machines_have_no_send_to_self() {
        // IncrementPerMessage: a send to all is one row per receiver; a row naming two is wrong.
        let s = resolved(
            "(rates: Each([3, 3, 3]), duration: \"20s\", seed: 4, semantics: Semantics(multicast: IncrementPerMessage))",
        );
        let run = run_in_memory(&s);
        assert!(check_memory_run(&run, &s).unwrap().passed());
        let text = String::from_utf8(run.logs[0].clone()).unwrap();
        assert!(!text.lines().any(|l| l.contains(",SEND,") && l.contains(';')), "one receiver per row");
        // Machine 0's first SEND rewritten to name both others, as an IncrementOnce send to all.
        let i = text.lines().position(|l| l.contains(",SEND,")).unwrap();
        let mut joined = run.clone();
        joined.logs[0] = edit_lines(&run.logs[0], |lines| set_field(lines, i, 6, |_| "1;2".into()));
        let report = check_memory_run(&joined, &s).unwrap();
        let v = report.violations.iter().find(|v| v.file == "machine-0.csv").unwrap();
        assert_eq!(v.line, Some(i as u64 + 1), "{v}");
        assert!(v.reason.contains("each SEND row names one receiver"), "{v}");

        // Two machines: the one after is the machine itself, so that roll is an internal
        // event; with only send_after and internal 0, a run is all INTERNAL and passes.
        let two = resolved(
            "(rates: Each([2, 2]), duration: \"10s\", seed: 1, \
             event_mix: EventMix(send_next: 0, send_after: 1, send_all: 0, internal: 0))",
        );
        let report = check_memory_run(&run_in_memory(&two), &two).unwrap();
        assert!(report.passed() && report.internals == 40, "{:?}", report.violations);
    }

    #[test]
    fn rows_the_event_mix_cannot_give_are_violations() {
        let ron =
            |mix: &str| format!("(rates: Each([2, 3, 4]), duration: \"20s\", seed: 3, event_mix: EventMix({mix}))");
        let run = run_in_memory(&resolved(&ron("send_next: 1, send_after: 1, send_all: 1, internal: 7")));
        let first_line = |log: &[u8], pred: &dyn Fn(&[&str]) -> bool| {
            let text = std::str::from_utf8(log).unwrap();
            text.lines().position(|l| pred(&l.split(',').collect::<Vec<_>>())).unwrap() as u64 + 1
        };
        let recheck = |mix: &str| {
            let other = resolved(&ron(mix));
            let summary = serde_json::to_value(&run.summary).unwrap();
            check_with(&run, &other, summary)
        };
        // No internal events in the mix: the first INTERNAL row is caught.
        let report = recheck("send_next: 1, send_after: 1, send_all: 1, internal: 0");
        let line = first_line(&run.logs[0], &|f| f[3] == "INTERNAL");
        let v = report.violations.iter().find(|v| v.file == "machine-0.csv").unwrap();
        assert_eq!(v.line, Some(line), "{v}");
        assert!(v.reason.starts_with("INTERNAL, but this machine cannot make one"), "{v}");
        // No sends to the one after: machine 1's first SEND to machine 0 alone is caught.
        let report = recheck("send_next: 1, send_after: 0, send_all: 1, internal: 7");
        let line = first_line(&run.logs[1], &|f| f[3] == "SEND" && f[6] == "0");
        let v = report.violations.iter().find(|v| v.file == "machine-1.csv").unwrap();
        assert_eq!(v.line, Some(line), "{v}");
        assert!(v.reason.contains("is not a send this machine can make"), "{v}");
    }

    #[test]
    fn the_before_increment_note_appears_only_for_that_setting() {
        for (semantics, noted) in [("BeforeIncrement", true), ("AfterIncrement", false)] {
            let s = resolved(&format!(
                "(rates: Each([3, 3, 3]), phase: Aligned, duration: \"30s\", seed: 2, \
                 semantics: Semantics(message_clock: {semantics}))"
            ));
            let report = check_memory_run(&run_in_memory(&s), &s).unwrap();
            assert!(report.passed(), "{:?}", report.violations);
            assert_eq!(report.notes.iter().any(|n| n.contains("BeforeIncrement")), noted, "{semantics}");
        }
    }

    #[test]
    fn with_a_bounded_delay_landed_messages_must_be_waiting() {
        let s = resolved("(rates: Each([1, 6, 6]), duration: \"30s\", seed: 4, network_delay: Fixed(\"200ms\"))");
        let run = run_in_memory(&s);
        let lines: Vec<Vec<String>> = String::from_utf8(run.logs[0].clone())
            .unwrap()
            .lines()
            .map(|l| l.split(',').map(String::from).collect())
            .collect();
        // A RECEIVE of the slow machine that leaves two or more messages waiting, and the next
        // RECEIVE (index = line - 1).
        let i = (1..lines.len() - 1)
            .find(|&i| lines[i][3] == "RECEIVE" && lines[i][5].parse::<u64>().unwrap() >= 2)
            .expect("the slow machine queues");
        let check = |lines: &[Vec<String>]| {
            let mut run = run.clone();
            run.logs[0] = lines.iter().map(|f| f.join(",") + "\n").collect::<String>().into_bytes();
            check_memory_run(&run, &s).unwrap()
        };
        assert!(check(&lines).passed());
        // One fewer waiting than the messages sent at least the (fixed) delay ago.
        let mut fewer = lines.clone();
        fewer[i][5] = (fewer[i][5].parse::<u64>().unwrap() - 1).to_string();
        let v = &check(&fewer).violations[0];
        assert_eq!(v.line, Some(i as u64 + 1), "{v}");
        assert!(v.reason.contains("largest delay"), "{v}");
        // The next tick acts idle (an INTERNAL event) though those messages have landed.
        let mut idle = lines.clone();
        let clock = idle[i][4].parse::<u64>().unwrap() + 1;
        idle[i + 1][3..].clone_from_slice(&[
            "INTERNAL".into(),
            clock.to_string(),
            "0".into(),
            String::new(),
            String::new(),
        ]);
        let v = &check(&idle).violations[0];
        assert_eq!(v.line, Some(i as u64 + 2), "{v}");
        assert!(v.reason.contains("must be a RECEIVE"), "{v}");
        // The next RECEIVE says its queue is empty: a RECEIVE takes only one message.
        let mut emptied = lines.clone();
        emptied[i + 1][5] = "0".into();
        let v = &check(&emptied).violations[0];
        assert_eq!(v.line, Some(i as u64 + 2), "{v}");
        assert!(v.reason.contains("takes only one"), "{v}");
    }
}
