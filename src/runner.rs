//! Runs a resolved scenario into a run directory: wires the engine to its sinks (logs,
//! statistics, fingerprint), honours a stop request, and writes the completion mark last.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::{SimError, Simulation};
use crate::event::EventSink;
use crate::fingerprint::Fingerprint;
use crate::logs::{CsvLogs, MemoryLogs};
use crate::rundir::{RunDir, RunDirError};
use crate::scenario::Resolved;
use crate::summary::{Stats, Summary};
use crate::time::SimTime;

/// How often (in ticks) the stop flag is looked at: rare enough to cost nothing, often
/// enough that Ctrl-C feels immediate.
const STOP_CHECK_EVERY: u64 = 4096;

/// How a run ended.
#[derive(Debug, Clone)]
pub enum RunOutcome {
    /// Every tick ran; `summary.json` is written.
    Complete(Box<Summary>),
    /// A stop was requested; the logs hold the events before `at`, and `INCOMPLETE` says so.
    Interrupted {
        /// Simulated time of the first tick not run.
        at: SimTime,
        /// Events logged.
        events: u64,
    },
}

/// A run that failed part-way (its directory is marked `INCOMPLETE` where possible).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// Preparing or marking the run directory failed.
    #[error(transparent)]
    RunDir(#[from] RunDirError),
    /// Writing a log failed (for example, the disk is full).
    #[error(transparent)]
    Log(#[from] io::Error),
    /// The simulation stopped (a sink failed, or a queue reached the scenario's limit).
    #[error(transparent)]
    Sim(#[from] SimError),
}

/// A run kept in memory: each machine's log bytes and the summary.
#[derive(Debug, Clone)]
pub struct MemoryRun {
    /// `machine-<id>.csv` contents, in machine order.
    pub logs: Vec<Vec<u8>>,
    /// What `summary.json` would hold.
    pub summary: Summary,
}

/// Runs the scenario with its logs in memory (for tests and fuzzing: small runs only;
/// panics if a queue reaches the scenario's `queue_limit`).
pub fn run_in_memory(scenario: &Resolved) -> MemoryRun {
    let mut sim = Simulation::new(scenario);
    let mut logs = MemoryLogs::new(scenario.machines.len(), scenario.start_time);
    let mut stats = Stats::new(scenario.machines.len());
    let mut fingerprint = Fingerprint::default();
    sim.run(&mut (&mut logs, (&mut stats, &mut fingerprint))).expect("small in-memory runs do not fail");
    MemoryRun { logs: logs.into_logs(), summary: Summary::new(scenario, &stats, &sim, fingerprint.hex()) }
}

/// Runs the scenario with statistics and fingerprint only, in memory.
pub fn run_stats_only(scenario: &Resolved) -> Result<Summary, SimError> {
    let mut sim = Simulation::new(scenario);
    let mut stats = Stats::new(scenario.machines.len());
    let mut fingerprint = Fingerprint::default();
    sim.run(&mut (&mut stats, &mut fingerprint))?;
    Ok(Summary::new(scenario, &stats, &sim, fingerprint.hex()))
}

/// Runs the scenario into `dir`: `scenario.ron` first, then per-machine logs (when `logs`),
/// then `summary.json`. When `stop` becomes true the logs are flushed, `INCOMPLETE` is
/// written and the run returns [`RunOutcome::Interrupted`].
pub fn run_to_dir(scenario: &Resolved, dir: &RunDir, logs: bool, stop: &AtomicBool) -> Result<RunOutcome, RunError> {
    dir.write_scenario(scenario)?;
    let mut sim = Simulation::new(scenario);
    let mut stats = Stats::new(scenario.machines.len());
    let mut fingerprint = Fingerprint::default();
    let mut csv = if logs {
        Some(CsvLogs::create(dir.path(), scenario.machines.len(), scenario.start_time).map_err(|e| fail(dir, e))?)
    } else {
        None
    };
    let stopped = match &mut csv {
        Some(csv) => drive(&mut sim, &mut (csv, (&mut stats, &mut fingerprint)), stop),
        None => drive(&mut sim, &mut (&mut stats, &mut fingerprint), stop),
    };
    let stopped = match stopped {
        Ok(stopped) => stopped,
        Err(e) => {
            if let Some(csv) = &mut csv {
                let _ = csv.flush(); // keep what can be kept; the first error is the one to report
            }
            return Err(fail(dir, e));
        }
    };
    if let Some(at) = stopped {
        if let Some(csv) = &mut csv {
            csv.flush().map_err(|e| fail(dir, e))?;
        }
        dir.mark_incomplete(&format!("interrupted at simulated time {at}s"))?;
        return Ok(RunOutcome::Interrupted { at, events: sim.events() });
    }
    if let Some(csv) = csv {
        csv.finish().map_err(|e| fail(dir, e))?;
    }
    let summary = Summary::new(scenario, &stats, &sim, fingerprint.hex());
    dir.write_summary(&summary)?;
    Ok(RunOutcome::Complete(Box::new(summary)))
}

/// Marks `dir` incomplete because of `e` (best effort: on a full disk even that may fail).
fn fail(dir: &RunDir, e: impl Into<RunError>) -> RunError {
    let e = e.into();
    let _ = dir.mark_incomplete(&e.to_string());
    e
}

/// Runs the simulation to the end, or until `stop`; returns the time it stopped at.
fn drive<S: EventSink>(sim: &mut Simulation, sink: &mut S, stop: &AtomicBool) -> Result<Option<SimTime>, SimError> {
    sim.run_until(sink, STOP_CHECK_EVERY, || stop.load(Ordering::Relaxed))
}
