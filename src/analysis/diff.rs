//! `lamport-sim diff`: where two runs part. Both runs' logs are read as one time-ordered
//! stream each; the first event that differs is shown side by side with its causal past
//! (the events that happen-before it, from vector clocks computed on the way).

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use crate::analysis::causality::VectorClock;
use crate::analysis::{count_logs, open_logs, LogRow, LogsError, MergedLogs};
use crate::base::{EventKind, LamportTime, MachineId, SCENARIO_FILE};

/// Runs with more machines than this are compared without computing causal pasts.
pub(crate) const CAUSAL_PAST_MAX_MACHINES: usize = 1024;

/// An event of one run, located in its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedRow {
    /// The log file.
    pub file: String,
    /// The row.
    pub row: LogRow,
}

/// The causal past of an event: per machine, how many of its first events happen-before
/// it (the past of an event is a prefix of every machine's log), and its direct causes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CausalPast {
    /// Per machine: the number of its events in the past, and the line of the last one.
    pub per_machine: Vec<(u64, Option<u64>)>,
    /// The previous event of the same machine and, for a RECEIVE, its SEND.
    pub causes: Vec<LocatedRow>,
}

/// Where two runs part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// Events both runs share before they part.
    pub common_events: u64,
    /// Run A's event at that point (`None`: A has ended).
    pub a: Option<LocatedRow>,
    /// Run B's event at that point (`None`: B has ended).
    pub b: Option<LocatedRow>,
    /// The causal past of A's event (of B's when A has ended), when computed.
    pub past: Option<CausalPast>,
}

/// The result of comparing two runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffOutcome {
    /// Every event is the same (`system_time` is not compared).
    Identical {
        /// Events in each run.
        events: u64,
    },
    /// The runs part.
    Differ(Box<Divergence>),
}

/// What a SEND leaves for its receivers: the sender's causal past (marks: the line of the
/// last event per machine) and the SEND row itself.
type SendRecord = Rc<(VectorClock<Option<u64>>, LocatedRow)>;

/// Vector clocks and direct causes, tracked along one run.
struct CausalTracker {
    pasts: Vec<VectorClock<Option<u64>>>,
    last: Vec<Option<LocatedRow>>,
    sends: HashMap<(MachineId, LamportTime, MachineId), SendRecord>,
}

impl CausalTracker {
    fn new(n: usize) -> Self {
        CausalTracker { pasts: vec![VectorClock::new(n, None); n], last: vec![None; n], sends: HashMap::new() }
    }

    /// The send a RECEIVE row takes its message from, if it was seen.
    fn send_of(&self, id: MachineId, row: &LogRow) -> Option<&SendRecord> {
        match (row.event, row.msg_clock, row.peers.as_slice()) {
            (EventKind::Receive, Some(m), [from]) => self.sends.get(&(*from, m, id)),
            _ => None,
        }
    }

    /// The causal past of `row` (machine `id`) given everything seen so far.
    fn past_of(&self, id: MachineId, row: &LogRow) -> CausalPast {
        let i = id as usize;
        let mut past = self.pasts[i].clone();
        let mut causes: Vec<LocatedRow> = self.last[i].iter().cloned().collect();
        if let Some(send) = self.send_of(id, row) {
            past.merge(&send.0);
            causes.push(send.1.clone());
        }
        CausalPast { per_machine: past.entries().map(|(n, line)| (n, *line)).collect(), causes }
    }

    fn record(&mut self, id: MachineId, file: &str, row: &LogRow) {
        let i = id as usize;
        if let Some(send) = self.send_of(id, row).cloned() {
            self.pasts[i].merge(&send.0);
            if let (Some(m), [from]) = (row.msg_clock, row.peers.as_slice()) {
                self.sends.remove(&(*from, m, id));
            }
        }
        self.pasts[i].record(i, Some(row.line));
        let located = LocatedRow { file: file.to_string(), row: row.clone() };
        if row.event == EventKind::Send {
            if let Some(m) = row.msg_clock {
                let snapshot = Rc::new((self.pasts[i].clone(), located.clone()));
                for &to in &row.peers {
                    self.sends.insert((id, m, to), Rc::clone(&snapshot));
                }
            }
        }
        self.last[i] = Some(located);
    }
}

/// Two rows describe the same event (the line and `system_time` aside).
fn same_event(a: &(MachineId, LogRow), b: &(MachineId, LogRow)) -> bool {
    let (ra, rb) = (&a.1, &b.1);
    a.0 == b.0
        && ra.sim_nanos == rb.sim_nanos
        && ra.event == rb.event
        && ra.clock == rb.clock
        && ra.queue_len == rb.queue_len
        && same_peers(&ra.peers, &rb.peers)
        && ra.msg_clock == rb.msg_clock
}

/// The peers of two rows name the same machines: a SEND's receivers are a set, written in
/// any order.
fn same_peers(a: &[MachineId], b: &[MachineId]) -> bool {
    if a.len() < 2 {
        return a == b;
    }
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

/// Compares the runs in folders `a` and `b`.
pub fn diff_dirs(a: &Path, b: &Path) -> Result<DiffOutcome, LogsError> {
    let (na, nb) = (count_logs(a)?, count_logs(b)?);
    let mut la = MergedLogs::new(open_logs(a, na, true)?)?;
    let mut lb = MergedLogs::new(open_logs(b, nb, true)?)?;
    let causal = na.max(nb) as usize <= CAUSAL_PAST_MAX_MACHINES;
    let mut ta = causal.then(|| CausalTracker::new(na as usize));
    let mut tb = causal.then(|| CausalTracker::new(nb as usize));
    let mut common = 0u64;
    loop {
        let (ea, eb) = (la.next_row()?, lb.next_row()?);
        match (&ea, &eb) {
            (None, None) => return Ok(DiffOutcome::Identical { events: common }),
            (Some(x), Some(y)) if same_event(x, y) => {
                if let Some(t) = &mut ta {
                    t.record(x.0, la.file(x.0), &x.1);
                }
                if let Some(t) = &mut tb {
                    t.record(y.0, lb.file(y.0), &y.1);
                }
                common += 1;
            }
            _ => {
                let past = match (&ea, &eb) {
                    (Some((id, row)), _) => ta.as_ref().map(|t| t.past_of(*id, row)),
                    (None, Some((id, row))) => tb.as_ref().map(|t| t.past_of(*id, row)),
                    (None, None) => None,
                };
                let locate = |logs: &MergedLogs<_>, e: Option<(MachineId, LogRow)>| {
                    e.map(|(id, row)| LocatedRow { file: logs.file(id).to_string(), row })
                };
                let (a_row, b_row) = (locate(&la, ea), locate(&lb, eb));
                return Ok(DiffOutcome::Differ(Box::new(Divergence {
                    common_events: common,
                    a: a_row,
                    b: b_row,
                    past,
                })));
            }
        }
    }
}

/// Lines of `scenario.ron` that differ between the runs (to say why they might part).
pub fn scenario_differences(a: &Path, b: &Path) -> Vec<(String, String)> {
    let read = |d: &Path| std::fs::read_to_string(d.join(SCENARIO_FILE)).unwrap_or_default();
    let (ta, tb) = (read(a), read(b));
    let strip = |t: &str| -> Vec<String> {
        t.lines().filter(|l| !l.trim_start().starts_with("//")).map(|l| l.trim().to_string()).collect()
    };
    let (la, lb) = (strip(&ta), strip(&tb));
    let mut out = Vec::new();
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i).cloned().unwrap_or_default(), lb.get(i).cloned().unwrap_or_default());
        if x != y {
            out.push((x, y));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sends_receivers_compare_as_a_set() {
        assert!(same_peers(&[2, 0], &[0, 2]));
        assert!(same_peers(&[1], &[1]));
        assert!(!same_peers(&[2, 0], &[0, 1]));
        assert!(!same_peers(&[0, 2], &[0, 2, 1]));
        assert!(!same_peers(&[1], &[2]));
    }
}
