//! Runs kept in memory, and checks of them, for the tests and the fuzz targets: small runs
//! only (a queue reaching its `queue_limit` panics).

use crate::analysis::{check_logs, CheckContext, CheckError, LogReader, Report};
use crate::base::{log_file_name, MachineId};
use crate::run::drive;
use crate::scenario::Resolved;
use crate::sinks::{MemoryLogs, Summary, SummarySink};

/// A run kept in memory: each machine's log bytes and the summary.
#[derive(Debug, Clone)]
pub struct MemoryRun {
    /// `machine-<id>.csv` contents, in machine order.
    pub logs: Vec<Vec<u8>>,
    /// What `summary.json` would hold.
    pub summary: Summary,
}

/// Runs the scenario with its logs in memory.
///
/// # Panics
/// If a queue reaches the scenario's `queue_limit`.
pub fn run_in_memory(scenario: &Resolved) -> MemoryRun {
    let mut logs = MemoryLogs::new(scenario.machines.len(), scenario.start_time);
    let mut stats = SummarySink::new(scenario);
    drive(scenario, &mut (&mut logs, &mut stats), None).expect("small in-memory runs do not fail");
    MemoryRun { logs: logs.into_logs(), summary: stats.summary().expect("a run reports its end") }
}

/// Checks a run kept in memory against its scenario and summary, exactly as `check` would
/// check its folder.
pub fn check_memory_run(run: &MemoryRun, scenario: &Resolved) -> Result<Report, CheckError> {
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
