//! Mutation test of the checker (`lamport-sim check`, [`check_memory_run`]).
//!
//! Correct in-memory runs of several scenarios are verified to pass; then one machine's log
//! is corrupted at many positions, one corruption per mutant, in every class below, and the
//! checker must (a) report a violation and (b) name the right place. A kill-rate table per
//! class is printed (`--nocapture`) and asserted: 100 % killed and 100 % right place, except
//! documented undetectable mutants, which must be zero in runs without network delay.
//!
//! # Where the "right place" is, per class
//! Lines are 1-based file lines (the header is line 1, row `i` of a log is line `i + 2`).
//!
//! | class | right place |
//! |---|---|
//! | changed clock (clock ± k) | that row's line |
//! | dropped SEND, dropped RECEIVE, skipped tick (INTERNAL dropped) | the **gap**: the line now occupied by the following row of that machine (its tick is off-schedule and/or its clock is not the rule's); when the dropped row was the last one, the end-of-log tick-count violation (reported at the new last line). Exception, `IncrementPerMessage` only: a SEND that shares its tick with other SEND rows leaves no gap in the schedule; if the next row's clock is still consistent (a RECEIVE whose `msg_clock` is at least the dropped clock, or no next row), the log of that machine is locally valid and the right place is the **receiving side** (below) |
//! | duplicated RECEIVE (inserted right after the original) | the duplicate's line |
//! | two adjacent rows swapped | one of the two swapped lines |
//! | wrong `msg_clock` on a SEND | that row's line |
//! | wrong `msg_clock` on a RECEIVE | that row's line; with a network delay, if the new (sender, msg_clock) names another real message to this machine that was sent before this row and is not yet received (a **collision**), the row is a legal early receive of that message, and the right place is also that message's own later RECEIVE (now a second receive) or, for the message this row really took (now never received), a later row of this machine from the instant the largest delay says it must have landed. A collision with a message never received can be a valid run (counts unchanged): documented undetectable |
//! | wrong peer on a SEND | that row's line if the new peer set is not a legal send of that machine (self, out of range, a receiver twice, not next / after / all); otherwise (a legal set, in any order: the receivers are a set) the **receiving side** of every receiver added or removed |
//! | wrong peer on a RECEIVE | that row's line; **collision** as for `msg_clock` |
//! | wrong `queue_len` | that row's line; with a network delay also the next row of that machine (a queue loses one message per RECEIVE, so two consecutive rows can contradict each other, and the checker cannot tell which is wrong). With a delay a RECEIVE's queue is not known exactly: a value within what the delays allow is **undetectable**, counted separately (see [`QueueBounds`]) |
//!
//! The **receiving side** of a message (sender `s`, clock `c`, receiver `r`) that was added
//! or removed: any row of `r` after the SEND (merged order) up to and including `r`'s RECEIVE
//! of that message in the original run (all of `r`'s rows after the SEND when it never
//! received it, e.g. a receiver added to the peer set): the RECEIVE that now has no SEND,
//! or, with exact queues (no delay), an earlier RECEIVE whose `queue_len` counted the
//! message, or the first tick that should have taken a message that never came (with a
//! bounded delay: once the largest delay says it has landed). When the message was never
//! received (or `r` has no row after the send), `summary.json`'s per-machine totals
//! (`messages_sent`, `queued_at_end + in_flight_at_end`) are the evidence too.
//!
//! The table also gives "first%": how often the FIRST violation reported is at the right
//! place (a corruption can show first on another machine, e.g. a dropped SEND at its
//! receiver, which the merged time order reaches before the sender's next row), and, per
//! class, which case of the definition applied to the mutants caught.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use lamport_sim::testing::check_memory_run;
use lamport_sim::testing::{run_in_memory, MemoryRun};
use lamport_sim::{CheckReport as Report, Violation};
use lamport_sim::{
    Fresh, MulticastClock, NetworkDelay, ReceiveQueueLen, Resolved, Scenario, SendAllTargets, StartTime,
};

use crate::util::{line_of, LogFile, Row as LogRow};

/// The scenarios: the classic (no delay: exact queue replay), five machines without delay,
/// a uniform network delay (queues known only within bounds), a fixed delay (queue lengths
/// known exactly, order not replayed), `IncrementPerMessage`, and the other two semantics
/// flipped too (with tick jitter).
const SCENARIOS: [(&str, &str); 6] = [
    ("classic", "(seed: 42)"),
    ("5 machines, no delay", "(machines: 5, seed: 7, duration: \"30s\")"),
    (
        "uniform delay",
        "(machines: 4, seed: 11, duration: \"60s\", network_delay: Uniform(min: \"10ms\", max: \"700ms\"), \
         event_mix: EventMix(send_next: 1, send_after: 1, send_all: 1, internal: 3))",
    ),
    ("fixed delay", "(machines: 3, seed: 13, duration: \"30s\", network_delay: Fixed(\"450ms\"))"),
    (
        "IncrementPerMessage",
        "(machines: 4, seed: 5, duration: \"30s\", event_mix: EventMix(send_next: 1, send_after: 1, send_all: 2, internal: 4), \
         semantics: Semantics(multicast: IncrementPerMessage))",
    ),
    (
        "all semantics flipped, jitter",
        "(machines: 3, seed: 9, duration: \"40s\", rates: Range(min: 2, max: 6), tick_jitter: Uniform(max: \"60ms\"), \
         semantics: Semantics(message_clock: BeforeIncrement, multicast: IncrementPerMessage, receive_queue_len: BeforeTake))",
    ),
];

/// Positions per class and scenario (spread evenly over every machine's candidate rows).
const POSITIONS_PER_CLASS: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Class {
    ClockChanged,
    DroppedSend,
    DroppedReceive,
    DuplicatedReceive,
    SwappedRows,
    MsgClockOnSend,
    MsgClockOnReceive,
    PeerOnSend,
    PeerOnReceive,
    SkippedTick,
    QueueLen,
}

impl Class {
    const ALL: [Class; 11] = [
        Class::ClockChanged,
        Class::DroppedSend,
        Class::DroppedReceive,
        Class::DuplicatedReceive,
        Class::SwappedRows,
        Class::MsgClockOnSend,
        Class::MsgClockOnReceive,
        Class::PeerOnSend,
        Class::PeerOnReceive,
        Class::SkippedTick,
        Class::QueueLen,
    ];

    fn name(self) -> &'static str {
        match self {
            Class::ClockChanged => "changed clock",
            Class::DroppedSend => "dropped SEND",
            Class::DroppedReceive => "dropped RECEIVE",
            Class::DuplicatedReceive => "duplicated RECEIVE",
            Class::SwappedRows => "swapped rows",
            Class::MsgClockOnSend => "msg_clock on SEND",
            Class::MsgClockOnReceive => "msg_clock on RECEIVE",
            Class::PeerOnSend => "peer on SEND",
            Class::PeerOnReceive => "peer on RECEIVE",
            Class::SkippedTick => "skipped tick",
            Class::QueueLen => "queue_len",
        }
    }

    /// Rows of a log this class can corrupt.
    fn applies(self, rows: &[Row], i: usize) -> bool {
        let ev = rows[i].ev;
        match self {
            Class::ClockChanged | Class::QueueLen => true,
            Class::DroppedSend | Class::MsgClockOnSend | Class::PeerOnSend => ev == Ev::Send,
            Class::DroppedReceive | Class::DuplicatedReceive | Class::MsgClockOnReceive | Class::PeerOnReceive => {
                ev == Ev::Receive
            }
            Class::SwappedRows => i + 1 < rows.len(),
            Class::SkippedTick => ev == Ev::Internal,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ev {
    Send,
    Receive,
    Internal,
}

/// One row of an original (correct) log.
#[derive(Debug, Clone)]
struct Row {
    nanos: u64,
    ev: Ev,
    clock: u64,
    queue_len: u64,
    peers: Vec<u32>,
    msg: Option<u64>,
}

impl From<&LogRow> for Row {
    fn from(r: &LogRow) -> Self {
        Row {
            nanos: r.sim_nanos(),
            ev: match r.event.as_str() {
                "SEND" => Ev::Send,
                "RECEIVE" => Ev::Receive,
                "INTERNAL" => Ev::Internal,
                other => panic!("event {other}"),
            },
            clock: r.clock,
            queue_len: r.queue_len,
            peers: r.peers(),
            msg: r.msg_clock,
        }
    }
}

/// A place the checker may name.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Loc {
    /// A row of a machine log.
    Row { machine: u32, line: u64 },
    /// The end-of-log tick count of a machine, reported at its last line.
    TickCount { machine: u32, line: u64 },
    /// `summary.json`.
    Summary,
}

impl Loc {
    fn matches(&self, v: &Violation) -> bool {
        match *self {
            Loc::Row { machine, line } => v.file == format!("machine-{machine}.csv") && v.line == Some(line),
            Loc::TickCount { machine, line } => {
                v.file == format!("machine-{machine}.csv")
                    && v.line == Some(line)
                    && v.reason.starts_with("the log has")
            }
            Loc::Summary => v.file == "summary.json",
        }
    }
}

/// Where a mutant must be caught, and which case of the class's definition applies.
#[derive(Debug, Clone)]
struct Expect {
    locs: Vec<Loc>,
    case: &'static str,
    /// Set when the mutant may be genuinely undetectable (only with a network delay), and why.
    undetectable: Option<&'static str>,
}

impl Expect {
    fn at(locs: Vec<Loc>, case: &'static str) -> Self {
        Expect { locs, case, undetectable: None }
    }
}

/// One corrupted log.
struct Mutant {
    machine: u32,
    what: String,
    log: LogFile,
    expect: Expect,
}

/// A correct run and what the test knows about it.
struct Base {
    name: &'static str,
    scenario: Resolved,
    run: MemoryRun,
    n: u32,
    exact_queues: bool,
    per_message: bool,
    before_take: bool,
    delay: Option<(u64, u64)>,
    /// Every machine's log, as the test edits it.
    logs: Vec<LogFile>,
    rows: Vec<Vec<Row>>,
    /// Tick index of every row (rows of one `IncrementPerMessage` send share a tick).
    tick: Vec<Vec<u64>>,
    /// Position of every row in the merged order (time, then machine id, then line).
    pos: Vec<Vec<usize>>,
    /// Message (sender, msg_clock, receiver) -> row index of its SEND in the sender's log.
    sent: HashMap<(u32, u64, u32), usize>,
    /// Message -> row index of its RECEIVE in the receiver's log.
    received: HashMap<(u32, u64, u32), usize>,
}

impl Base {
    fn new(name: &'static str, ron: &str) -> Self {
        let fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };
        let scenario = Scenario::from_ron_str(ron, name).unwrap().resolve(fresh, name).unwrap();
        let run = run_in_memory(&scenario);
        let n = scenario.machines.len() as u32;
        let logs: Vec<LogFile> = (run.logs.iter().enumerate())
            .map(|(id, log)| LogFile::parse(std::str::from_utf8(log).unwrap(), &format!("{name}: machine-{id}.csv")))
            .collect();
        let rows: Vec<Vec<Row>> = logs.iter().map(|log| log.rows().iter().map(Row::from).collect()).collect();
        let per_message = scenario.semantics.multicast == MulticastClock::IncrementPerMessage;
        let tick: Vec<Vec<u64>> = rows
            .iter()
            .map(|rows: &Vec<Row>| {
                let mut ticks = Vec::with_capacity(rows.len());
                for (i, r) in rows.iter().enumerate() {
                    let same = i > 0
                        && per_message
                        && r.ev == Ev::Send
                        && rows[i - 1].ev == Ev::Send
                        && rows[i - 1].nanos == r.nanos;
                    let k = match (i, same) {
                        (0, _) => 0,
                        (_, true) => ticks[i - 1],
                        (_, false) => ticks[i - 1] + 1,
                    };
                    ticks.push(k);
                }
                ticks
            })
            .collect();
        let mut order: Vec<(u64, u32, usize)> = rows
            .iter()
            .enumerate()
            .flat_map(|(m, rows)| rows.iter().enumerate().map(move |(i, r)| (r.nanos, m as u32, i)))
            .collect();
        order.sort_unstable();
        let mut pos: Vec<Vec<usize>> = rows.iter().map(|r| vec![0; r.len()]).collect();
        for (p, &(_, m, i)) in order.iter().enumerate() {
            pos[m as usize][i] = p;
        }
        let (mut sent, mut received) = (HashMap::new(), HashMap::new());
        for (m, rows) in rows.iter().enumerate() {
            for (i, r) in rows.iter().enumerate() {
                match r.ev {
                    Ev::Send => {
                        for &to in &r.peers {
                            sent.insert((m as u32, r.msg.unwrap(), to), i);
                        }
                    }
                    Ev::Receive => {
                        received.insert((r.peers[0], r.msg.unwrap(), m as u32), i);
                    }
                    Ev::Internal => {}
                }
            }
        }
        let delay = match scenario.network_delay {
            NetworkDelay::NoDelay => None,
            NetworkDelay::Fixed(d) => Some((d.as_nanos(), d.as_nanos())),
            NetworkDelay::Uniform { min, max } => Some((min.as_nanos(), max.as_nanos())),
            NetworkDelay::Exponential { .. } => Some((0, u64::MAX)),
        };
        Base {
            name,
            exact_queues: delay.is_none(),
            per_message,
            before_take: scenario.semantics.receive_queue_len == ReceiveQueueLen::BeforeTake,
            delay,
            scenario,
            run,
            n,
            logs,
            rows,
            tick,
            pos,
            sent,
            received,
        }
    }

    fn check(&self, machine: u32, log: &LogFile) -> Report {
        let mut run = self.run.clone();
        run.logs[machine as usize] = log.to_text().into_bytes();
        check_memory_run(&run, &self.scenario).expect("a corrupted log is still readable")
    }

    /// Legal receiver sets of a SEND of machine `m`, per the scenario.
    fn legal_sends(&self, m: u32) -> Vec<Vec<u32>> {
        let n = self.n;
        let (next, after) = ((m + 1) % n, (m + 2) % n);
        let mut all: Vec<u32> = match self.scenario.send_all_targets {
            SendAllTargets::AllOthers => (0..n).filter(|&j| j != m).collect(),
            SendAllTargets::NextTwo => [next, after].into_iter().filter(|&j| j != m).collect(),
        };
        all.sort_unstable();
        all.dedup();
        let mut sets: Vec<Vec<u32>> =
            if self.per_message { all.iter().map(|&j| vec![j]).collect() } else { vec![vec![next], vec![after], all] };
        sets.retain(|s| !s.contains(&m));
        sets.sort();
        sets.dedup();
        sets
    }

    /// The receiving side of message (`from`, `msg`, `to`) sent by row `send_idx` of `from`:
    /// every row of `to` after the send up to its RECEIVE of the message, and the summary
    /// when the message was never received or `to` has no row after the send.
    fn receiving_side(&self, from: u32, send_idx: usize, msg: u64, to: u32, locs: &mut Vec<Loc>) {
        let send_pos = self.pos[from as usize][send_idx];
        let end = self.received.get(&(from, msg, to)).copied();
        let last = end.unwrap_or(usize::MAX);
        let mut any = false;
        for (j, &p) in self.pos[to as usize].iter().enumerate() {
            if p > send_pos && j <= last {
                locs.push(Loc::Row { machine: to, line: line_of(j) });
                any = true;
            }
        }
        if end.is_none() || !any {
            locs.push(Loc::Summary);
        }
    }

    /// Where a dropped row `i` of machine `m` shows.
    fn gap(&self, m: u32, i: usize) -> Expect {
        let rows = &self.rows[m as usize];
        let ticks = &self.tick[m as usize];
        let alone = (i == 0 || ticks[i - 1] != ticks[i]) && (i + 1 == rows.len() || ticks[i + 1] != ticks[i]);
        let last = i + 1 == rows.len();
        if alone {
            return if last {
                Expect::at(vec![Loc::TickCount { machine: m, line: line_of(i) - 1 }], "end-of-log tick count")
            } else {
                Expect::at(vec![Loc::Row { machine: m, line: line_of(i) }], "gap (schedule)")
            };
        }
        // A SEND sharing its tick (IncrementPerMessage): only the next row's clock can show it.
        if !last {
            let prev_clock = if i == 0 { 0 } else { rows[i - 1].clock };
            let next = &rows[i + 1];
            let rule = match next.ev {
                Ev::Receive => prev_clock.max(next.msg.unwrap()) + 1,
                _ => prev_clock + 1,
            };
            if rule != next.clock {
                return Expect::at(vec![Loc::Row { machine: m, line: line_of(i) }], "gap (clock)");
            }
        }
        let r = &rows[i];
        let mut locs = vec![];
        for &to in &r.peers {
            self.receiving_side(m, i, r.msg.unwrap(), to, &mut locs);
        }
        Expect::at(locs, "receiving side (no gap in a per-message send)")
    }

    /// Where a RECEIVE row `i` of machine `m` that now names message `key` shows.
    fn receive_named(&self, m: u32, i: usize, key: (u32, u64, u32)) -> Expect {
        let here = Loc::Row { machine: m, line: line_of(i) };
        let Some(&send_idx) = self.sent.get(&key) else { return Expect::at(vec![here], "row") };
        let sent_before = self.pos[key.0 as usize][send_idx] < self.pos[m as usize][i];
        let later_receive = self.received.get(&key).copied().filter(|&j| j > i);
        let unreceived = !self.received.contains_key(&key);
        if self.exact_queues || !sent_before || !(unreceived || later_receive.is_some()) {
            // Not sent yet, already received, or (no delay) not at the head of the FIFO queue.
            return Expect::at(vec![here], "row");
        }
        // A collision: the row is a legal early receive of the other message. The evidence is
        // that message's own later RECEIVE (now a second receive), or the message this row
        // really took, now never received: with a bounded delay it must have landed by
        // `sent + max`, so a later row of this machine from then on shows it.
        let mut locs = vec![here];
        if let Some(j) = later_receive {
            locs.push(Loc::Row { machine: m, line: line_of(j) });
        }
        let row = &self.rows[m as usize][i];
        let (from, msg) = (row.peers[0], row.msg.unwrap());
        let replaced_sent = self.rows[from as usize][self.sent[&(from, msg, m)]].nanos;
        let landed_by = replaced_sent.saturating_add(self.delay.expect("collisions only with a delay").1);
        for (j, r) in self.rows[m as usize].iter().enumerate().skip(i + 1) {
            if r.nanos >= landed_by && Some(j) != later_receive {
                locs.push(Loc::Row { machine: m, line: line_of(j) });
            }
        }
        let case = "collision: the other message's later RECEIVE or the replaced message's landing";
        Expect {
            locs,
            case,
            undetectable: unreceived.then_some(
                "with a delay the row is a legal early receive of another message to this machine that was \
                 never received, and the replaced message looks still in flight: message counts are unchanged \
                 (caught only when the largest delay says the replaced message must have landed before a later row)",
            ),
        }
    }

    /// What a RECEIVE at row `i` of `m` may show as `queue_len` with this network delay.
    fn queue_bounds(&self, m: u32, i: usize) -> QueueBounds {
        let (min, max) = self.delay.expect("only with a delay");
        let row = &self.rows[m as usize][i];
        let here = self.pos[m as usize][i];
        let taken = (row.peers[0], row.msg.unwrap(), m);
        let (mut landed_surely, mut landed_possibly) = (0, 0);
        for (&key, &send_idx) in &self.sent {
            if key.2 != m || key == taken || self.pos[key.0 as usize][send_idx] > here {
                continue;
            }
            if self.received.get(&key).is_some_and(|&j| j < i) {
                continue;
            }
            let sent_at = self.rows[key.0 as usize][send_idx].nanos;
            if sent_at.saturating_add(min) <= row.nanos {
                landed_possibly += 1;
            }
            if sent_at.saturating_add(max) <= row.nanos {
                landed_surely += 1;
            }
        }
        let extra = u64::from(self.before_take);
        QueueBounds { low: landed_surely + extra, high: landed_possibly + extra }
    }
}

/// With a network delay, the queue a RECEIVE leaves behind is only known within bounds:
/// messages to this machine not yet received (other than the one taken), sent at least the
/// largest delay ago, have surely landed (`low`); those sent at least the smallest delay ago
/// may have (`high`). Both plus one with `BeforeTake`. A `queue_len` in `low..=high` can be
/// what a run with other delays logs (a message landing sooner or later than it did), so it
/// is counted as documented undetectable, not as a miss; one outside must be caught. (Each
/// message's own arrival position, visible in the receive order, could rule out some of
/// those in range; neither the checker nor this classification reconstructs it.)
#[derive(Debug, Clone, Copy)]
struct QueueBounds {
    low: u64,
    high: u64,
}

/// A few nonzero changes, cycled over positions.
const DELTAS: [i64; 6] = [1, -1, 2, -3, 7, -1];

fn shifted(value: u64, k: usize) -> u64 {
    let d = DELTAS[k % DELTAS.len()];
    if d < 0 && value >= d.unsigned_abs() {
        value - d.unsigned_abs()
    } else {
        value + d.unsigned_abs()
    }
}

/// Evenly spread positions: up to `per_machine` of the candidate rows of each machine,
/// always including the first and the last.
fn sample(candidates: &[usize], per_machine: usize) -> Vec<usize> {
    if candidates.len() <= per_machine {
        return candidates.to_vec();
    }
    let mut out: Vec<usize> =
        (0..per_machine).map(|k| candidates[k * (candidates.len() - 1) / (per_machine - 1)]).collect();
    out.dedup();
    out
}

fn mutants(base: &Base, class: Class) -> Vec<Mutant> {
    let candidates: Vec<Vec<usize>> =
        base.rows.iter().map(|rows| (0..rows.len()).filter(|&i| class.applies(rows, i)).collect()).collect();
    // The smallest per-machine share that reaches the target (machines with few candidate
    // rows give all of theirs, the others make up the rest).
    let total = |cap: usize| candidates.iter().map(|c| c.len().min(cap)).sum::<usize>();
    let longest = candidates.iter().map(Vec::len).max().unwrap_or(0);
    let per_machine = (2..=longest.max(2)).find(|&cap| total(cap) >= POSITIONS_PER_CLASS).unwrap_or(longest.max(2));
    let mut out = vec![];
    let mut k = 0usize; // cycles the kind of change over positions
    for m in 0..base.n {
        let rows = &base.rows[m as usize];
        for i in sample(&candidates[m as usize], per_machine) {
            k += 1;
            let r = &rows[i];
            let here = Loc::Row { machine: m, line: line_of(i) };
            let mut log = base.logs[m as usize].clone();
            let (what, expect) = match class {
                Class::ClockChanged => {
                    let c = shifted(r.clock, k);
                    log.set(i, "clock", c);
                    (format!("clock {} -> {c}", r.clock), Expect::at(vec![here], "row"))
                }
                Class::DroppedSend | Class::DroppedReceive | Class::SkippedTick => {
                    log.lines.remove(i);
                    ("dropped".to_string(), base.gap(m, i))
                }
                Class::DuplicatedReceive => {
                    log.lines.insert(i + 1, log.lines[i].clone());
                    ("duplicated".to_string(), Expect::at(vec![Loc::Row { machine: m, line: line_of(i + 1) }], "row"))
                }
                Class::SwappedRows => {
                    log.lines.swap(i, i + 1);
                    let next = Loc::Row { machine: m, line: line_of(i + 1) };
                    ("swapped with the next row".to_string(), Expect::at(vec![here, next], "one of the two rows"))
                }
                Class::MsgClockOnSend => {
                    let c = shifted(r.msg.unwrap(), k);
                    log.set(i, "msg_clock", c);
                    (format!("msg_clock {} -> {c}", r.msg.unwrap()), Expect::at(vec![here], "row"))
                }
                Class::MsgClockOnReceive => {
                    let c = shifted(r.msg.unwrap(), k);
                    log.set(i, "msg_clock", c);
                    (format!("msg_clock {} -> {c}", r.msg.unwrap()), base.receive_named(m, i, (r.peers[0], c, m)))
                }
                Class::PeerOnSend => {
                    // The receivers are a set (docs/log-format.md): any order is the same send.
                    let as_set = |peers: &[u32]| {
                        let mut set = peers.to_vec();
                        set.sort_unstable();
                        set
                    };
                    let legal = base.legal_sends(m);
                    let (next, after) = ((m + 1) % base.n, (m + 2) % base.n);
                    let mut choices: Vec<Vec<u32>> = legal.iter().filter(|s| **s != r.peers).cloned().collect();
                    // The descending pair is a legal set in another order when {next, after}
                    // is a legal send (3 machines, or NextTwo), and illegal otherwise.
                    let odd = [vec![m], vec![base.n], vec![after, next], vec![next, next], vec![next, base.n + 3]];
                    choices.extend(odd.into_iter().filter(|s| !legal.contains(s)));
                    if base.n >= 5 && !base.per_message {
                        choices.push(vec![next, (m + 3) % base.n]); // two others, not "after", not "all"
                    }
                    // The same receivers in another order is no corruption.
                    choices.retain(|s| as_set(s) != r.peers);
                    let new = choices[k % choices.len()].clone();
                    log.set(i, "peer", new.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(";"));
                    let expect = if legal.contains(&as_set(&new)) {
                        let mut locs = vec![];
                        for &to in r.peers.iter().filter(|p| !new.contains(p)) {
                            base.receiving_side(m, i, r.msg.unwrap(), to, &mut locs);
                        }
                        for &to in new.iter().filter(|p| !r.peers.contains(p)) {
                            base.receiving_side(m, i, r.msg.unwrap(), to, &mut locs);
                        }
                        Expect::at(locs, "legal set: receiving side")
                    } else {
                        Expect::at(vec![here], "illegal set: row")
                    };
                    (format!("peer {:?} -> {new:?}", r.peers), expect)
                }
                Class::PeerOnReceive => {
                    let from = r.peers[0];
                    let choices: Vec<u32> = (0..=base.n).filter(|&p| p != from).collect();
                    let new = choices[k % choices.len()];
                    log.set(i, "peer", new);
                    let expect = if new == m || new >= base.n {
                        Expect::at(vec![here], "row")
                    } else {
                        base.receive_named(m, i, (new, r.msg.unwrap(), m))
                    };
                    (format!("peer {from} -> {new}"), expect)
                }
                Class::QueueLen => {
                    let q = shifted(r.queue_len, k);
                    log.set(i, "queue_len", q);
                    let what = format!("queue_len {} -> {q}", r.queue_len);
                    let mut expect = Expect::at(vec![here], "row");
                    if !base.exact_queues && i + 1 < rows.len() {
                        // With a delay, a RECEIVE's queue_len is checked against the row before
                        // (messages leave only by being taken): the contradiction may show at
                        // the next row.
                        expect.locs.push(Loc::Row { machine: m, line: line_of(i + 1) });
                        expect.case = "row, or the next row (delay)";
                    }
                    if r.ev == Ev::Receive && !base.exact_queues {
                        let b = base.queue_bounds(m, i);
                        if (b.low..=b.high).contains(&q) {
                            expect.undetectable = Some(
                                "queue_len within the per-row bounds the delays allow (messages sent at least the \
                                 largest delay ago .. at least the smallest delay ago): a run with other delays may \
                                 log it",
                            );
                        }
                    }
                    (what, expect)
                }
            };
            out.push(Mutant { machine: m, what: format!("row {i} (line {}): {what}", line_of(i)), log, expect });
        }
    }
    out
}

/// Results of one class.
#[derive(Debug, Default, Clone)]
struct Tally {
    mutants: u64,
    killed: u64,
    right: u64,
    first: u64,
    /// Documented undetectable mutants the checker did not catch, by reason.
    undetected: BTreeMap<&'static str, u64>,
    /// The documented undetectable mutants the checker did not catch.
    undetected_examples: Vec<String>,
    /// Of the undetectable ones, those `summary.json`'s fingerprint caught (without a line).
    caught_by_summary: u64,
    /// Killed mutants by which case of the class's definition applied.
    cases: BTreeMap<&'static str, u64>,
    failures: Vec<String>,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.mutants += other.mutants;
        self.killed += other.killed;
        self.right += other.right;
        self.first += other.first;
        self.caught_by_summary += other.caught_by_summary;
        for (k, v) in &other.undetected {
            *self.undetected.entry(k).or_default() += v;
        }
        for (k, v) in &other.cases {
            *self.cases.entry(k).or_default() += v;
        }
        self.failures.extend(other.failures.iter().cloned());
        self.undetected_examples.extend(other.undetected_examples.iter().cloned());
    }

    fn undetected_total(&self) -> u64 {
        self.undetected.values().sum()
    }
}

fn run_scenario(name: &'static str, ron: &str) -> (Base, BTreeMap<Class, Tally>) {
    // `MUTATION_VERBOSE=1` prints every mutant, where it was expected and what was reported.
    let verbose = std::env::var_os("MUTATION_VERBOSE").is_some();
    let base = Base::new(name, ron);
    let clean = check_memory_run(&base.run, &base.scenario).unwrap();
    assert!(clean.passed(), "{name}: the correct run must pass: {:?}", clean.violations);
    let mut tallies = BTreeMap::new();
    for class in Class::ALL {
        let t: &mut Tally = tallies.entry(class).or_default();
        for mutant in mutants(&base, class) {
            t.mutants += 1;
            let report = base.check(mutant.machine, &mutant.log);
            let describe = |verdict: &str| {
                let mut s = format!(
                    "[{name}] {} machine-{}.csv {}: {verdict}; expected {:?} ({}); got {} violation(s):",
                    class.name(),
                    mutant.machine,
                    mutant.what,
                    mutant.expect.locs,
                    mutant.expect.case,
                    report.violation_count
                );
                for v in report.violations.iter().take(6) {
                    let _ = write!(s, "\n      {v}");
                }
                s
            };
            if verbose {
                eprintln!("{}", describe("checked"));
            }
            // The rules cannot see a documented-undetectable mutant; `summary.json` (its
            // fingerprint of the event stream) still can, but names no line.
            let summary_only = !report.passed() && report.violations.iter().all(|v| v.file == "summary.json");
            if report.passed() || (summary_only && mutant.expect.undetectable.is_some()) {
                match mutant.expect.undetectable {
                    Some(why) if !base.exact_queues => {
                        *t.undetected.entry(why).or_default() += 1;
                        t.caught_by_summary += u64::from(summary_only);
                        t.undetected_examples.push(format!("[{name}] machine-{}.csv {}", mutant.machine, mutant.what));
                    }
                    _ => t.failures.push(describe("NOT CAUGHT")),
                }
                continue;
            }
            t.killed += 1;
            let hit = |v: &Violation| mutant.expect.locs.iter().any(|l| l.matches(v));
            if report.violations.iter().any(hit) {
                t.right += 1;
                *t.cases.entry(mutant.expect.case).or_default() += 1;
                if hit(&report.violations[0]) {
                    t.first += 1;
                }
            } else {
                t.failures.push(describe("caught at the wrong place"));
            }
        }
    }
    (base, tallies)
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "-".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

/// The law: every single-edit corruption of one machine's log of a valid run (one field
/// changed, or one row dropped, duplicated or swapped with the next; see [`Class`]) is
/// caught by `check`, at a place the table in the module doc defines as right for its class.
/// The only exception is the documented undetectable mutants of runs with a network delay
/// (none without one): the rules cannot see them, and `summary.json`'s fingerprint must
/// catch every one of them instead.
#[test]
fn check_catches_every_single_edit_corruption_of_a_valid_run_where_it_shows() {
    let started = std::time::Instant::now();
    let results: Vec<(Base, BTreeMap<Class, Tally>)> = std::thread::scope(|s| {
        let handles: Vec<_> = SCENARIOS.iter().map(|&(name, ron)| s.spawn(move || run_scenario(name, ron))).collect();
        handles.into_iter().map(|h| h.join().expect("scenario thread")).collect()
    });
    let mut table = String::new();
    let mut totals: BTreeMap<Class, Tally> = BTreeMap::new();
    let _ = writeln!(table, "\nmutation test of `check` ({:.1?})", started.elapsed());
    for (base, tallies) in &results {
        let rows: usize = base.rows.iter().map(Vec::len).sum();
        let _ = writeln!(
            table,
            "  scenario {:<30} {} machines, {rows} rows, {}",
            base.name,
            base.n,
            if base.exact_queues { "no delay: exact queues" } else { "network delay: bounded queues" }
        );
        let counts: Vec<String> = tallies.values().map(|t| t.mutants.to_string()).collect();
        let _ = writeln!(table, "    mutants per class (table order): {}", counts.join(" "));
        for (class, t) in tallies {
            totals.entry(*class).or_default().add(t);
        }
    }
    let _ = writeln!(
        table,
        "  {:<22} {:>7} {:>8} {:>8} {:>10} {:>8} {:>12}",
        "class", "mutants", "killed", "killed%", "right line", "first%", "undetectable"
    );
    let mut all = Tally::default();
    for (class, t) in &totals {
        let _ = writeln!(
            table,
            "  {:<22} {:>7} {:>8} {:>8} {:>10} {:>8} {:>12}",
            class.name(),
            t.mutants,
            t.killed,
            pct(t.killed, t.mutants - t.undetected_total()),
            pct(t.right, t.killed),
            pct(t.first, t.killed),
            t.undetected_total()
        );
        all.add(t);
    }
    let _ = writeln!(
        table,
        "  {:<22} {:>7} {:>8} {:>8} {:>10} {:>8} {:>12}",
        "all",
        all.mutants,
        all.killed,
        pct(all.killed, all.mutants - all.undetected_total()),
        pct(all.right, all.killed),
        pct(all.first, all.killed),
        all.undetected_total()
    );
    let _ = writeln!(table, "  cases (killed at the right place, by the definition that applied):");
    for (class, t) in &totals {
        let cases: Vec<String> = t.cases.iter().map(|(c, n)| format!("{c}: {n}")).collect();
        let _ = writeln!(table, "    {:<22} {}", class.name(), cases.join(", "));
    }
    let _ = writeln!(table, "  documented undetectable (network delay only), by scenario:");
    for (base, tallies) in &results {
        for (class, t) in tallies {
            for (why, n) in &t.undetected {
                let _ = writeln!(table, "    [{}] {}: {n} of {}: {why}", base.name, class.name(), t.mutants);
            }
        }
    }
    let _ = writeln!(
        table,
        "    of the {} undetectable by the rules, summary.json's fingerprint caught {} (no line: it covers the whole stream)",
        all.undetected_total(),
        all.caught_by_summary
    );
    for example in all.undetected_examples.iter().take(8) {
        let _ = writeln!(table, "      e.g. {example}");
    }
    eprintln!("{table}");
    for f in all.failures.iter().take(30) {
        eprintln!("  FAIL {f}");
    }

    for (base, tallies) in &results {
        for (class, t) in tallies {
            assert!(
                t.mutants >= 20 || base.rows.iter().flatten().count() < 100,
                "[{}] {}: too few",
                base.name,
                class.name()
            );
            if base.exact_queues {
                assert_eq!(
                    t.undetected_total(),
                    0,
                    "[{}] {}: no undetectable mutant without delay",
                    base.name,
                    class.name()
                );
            }
        }
    }
    for (class, t) in &totals {
        assert!(t.mutants >= 50, "{}: at least 50 mutants over the scenarios, got {}", class.name(), t.mutants);
        assert_eq!(t.killed + t.undetected_total(), t.mutants, "{}: every mutant is caught", class.name());
        assert_eq!(t.right, t.killed, "{}: every caught mutant is caught at the right place", class.name());
    }
    assert!(all.failures.is_empty(), "{} failure(s), see above", all.failures.len());
    // Every run here has its summary.json: its fingerprint covers every field of every row.
    assert_eq!(all.caught_by_summary, all.undetected_total(), "summary.json catches what the rules cannot");
}

/// The delay bounds the checker uses for `queue_len` and idle ticks (smallest delay: may have
/// landed; largest: must have landed) hold on correct runs of every delay kind, with jitter,
/// both queue_len conventions and many seeds: no false alarm.
#[test]
fn correct_runs_with_network_delay_pass_the_queue_bounds() {
    let fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };
    let delays = [
        "Fixed(\"300ms\")",
        "Fixed(\"1ms\")",
        "Uniform(min: \"0s\", max: \"2s\")",
        "Uniform(min: \"100ms\", max: \"150ms\")",
        "Exponential(mean: \"400ms\")",
    ];
    for (d, delay) in delays.iter().enumerate() {
        for seed in 0..8u64 {
            let extra = match seed % 4 {
                0 => "",
                1 => ", tick_jitter: Uniform(max: \"80ms\"), rates: Range(min: 2, max: 6)",
                2 => ", semantics: Semantics(receive_queue_len: BeforeTake, multicast: IncrementPerMessage)",
                _ => ", machines: 5, phase: Aligned, rates: Range(min: 1, max: 3)",
            };
            let ron = format!("(seed: {}, duration: \"20s\", network_delay: {delay}{extra})", seed * 10 + d as u64);
            let scenario = Scenario::from_ron_str(&ron, "<test>").unwrap().resolve(fresh, "<test>").unwrap();
            let report = check_memory_run(&run_in_memory(&scenario), &scenario).unwrap();
            assert!(report.passed(), "{ron}: {:?}", report.violations);
        }
    }
}
