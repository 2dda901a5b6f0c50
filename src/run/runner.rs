//! Runs a resolved scenario: wires the engine to its sinks (logs, the summary's statistics,
//! whatever else the caller adds), honours a stop request, and, into a run folder, writes the
//! completion mark last. `run`, `replay`, `batch` and the tests all run through here.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::base::SimTime;
use crate::engine::{EventSink, SimError, Simulation};
use crate::run::{RunDir, RunDirError};
use crate::scenario::Resolved;
use crate::sinks::{CsvLogs, Summary, SummarySink};

/// How often (in ticks) the stop flag is looked at: rare enough to cost nothing, often
/// enough that Ctrl-C feels immediate.
const STOP_CHECK_EVERY: u64 = 4096;

/// How a run into a folder ended (a run stopped by its `queue_limit` is a
/// [`RunError::Sim`]).
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

/// Runs `scenario` through `sink` to its end, or until `stop` becomes true (then the run is
/// ended as interrupted). Returns the time of the first tick not run when it was stopped.
/// The one loop every run of this crate goes through.
pub(crate) fn drive<S: EventSink + ?Sized>(
    scenario: &Resolved,
    sink: &mut S,
    stop: Option<&AtomicBool>,
) -> Result<(Option<SimTime>, u64), SimError> {
    let mut sim = Simulation::new(scenario);
    let stopped = match stop {
        Some(flag) => sim.run_until(sink, STOP_CHECK_EVERY, || flag.load(Ordering::Relaxed))?,
        None => {
            sim.run(sink)?;
            None
        }
    };
    if stopped.is_some() {
        sim.stop(sink)?;
    }
    Ok((stopped, sim.events()))
}

/// Runs the scenario with its statistics only, in memory: what `summary.json` would hold.
pub fn run_summary(scenario: &Resolved) -> Result<Summary, SimError> {
    let mut stats = SummarySink::new(scenario);
    drive(scenario, &mut stats, None)?;
    Ok(stats.summary().expect("a run reports its end"))
}

/// Runs the scenario into `dir`: `scenario.ron` first, then per-machine logs (when `logs`),
/// then `summary.json`. `extra` sees every event and the end too (`batch` measures its
/// metrics there; [`crate::NullSink`] for none). When `stop` becomes true the logs are flushed,
/// `INCOMPLETE` is written and the run returns [`RunOutcome::Interrupted`].
pub fn run_to_dir<S: EventSink + ?Sized>(
    scenario: &Resolved,
    dir: &RunDir,
    logs: bool,
    stop: &AtomicBool,
    extra: &mut S,
) -> Result<RunOutcome, RunError> {
    dir.write_scenario(scenario)?;
    let mut stats = SummarySink::new(scenario);
    let mut csv = if logs {
        Some(CsvLogs::create(dir.path(), scenario.machines.len(), scenario.start_time).map_err(|e| fail(dir, e))?)
    } else {
        None
    };
    // One loop per set of sinks, each compiled for its own (no per-event branch on `logs`).
    let driven = match &mut csv {
        Some(csv) => drive(scenario, &mut (csv, (&mut stats, extra)), Some(stop)),
        None => drive(scenario, &mut (&mut stats, extra), Some(stop)),
    };
    let (stopped, events) = match driven {
        Ok(driven) => driven,
        Err(e) => {
            if let Some(csv) = &mut csv {
                let _ = csv.flush(); // keep what can be kept; the first error is the one to report
            }
            return Err(fail(dir, e));
        }
    };
    if let Some(at) = stopped {
        dir.mark_incomplete(&format!("interrupted at simulated time {at}s"))?;
        return Ok(RunOutcome::Interrupted { at, events });
    }
    if let Some(csv) = csv {
        csv.finish().map_err(|e| fail(dir, e))?;
    }
    let summary = stats.summary().expect("a run reports its end");
    dir.write_summary(&summary)?;
    Ok(RunOutcome::Complete(Box::new(summary)))
}

/// Marks `dir` incomplete because of `e` (best effort: on a full disk even that may fail).
fn fail(dir: &RunDir, e: impl Into<RunError>) -> RunError {
    let e = e.into();
    let _ = dir.mark_incomplete(&e.to_string());
    e
}
