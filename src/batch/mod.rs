//! `lamport-sim batch` and `merge`: many runs of a sweep, statistics only, on all cores;
//! tidy per-run CSV and per-grid-point aggregates with 95 % confidence intervals. The
//! output bytes are the same for any thread count and for sharded runs merged afterwards.
//!
//! # Files of a batch folder
//! - `sweep.ron`: the sweep, normalised (rewritten from what was parsed: comments dropped,
//!   defaults written out, durations in seconds); merge checks all shards ran the same one.
//! - `runs.csv`: one row per run × machine (see [`RUN_COLUMNS`]), in run order. A run whose
//!   queue reached the scenario's `queue_limit` is kept, measured up to the stop, with
//!   `completed` false.
//! - `aggregates.csv` (unsharded or merged only): per grid point and run-level metric
//!   ([`AGGREGATED`]), across the seeds' completed runs: n, mean, sample sd, 95 % confidence
//!   interval; `machine_aggregates.csv` the same per grid point, machine and per-machine
//!   metric ([`MACHINE_AGGREGATED`]); `aggregates.json` both, nested by point.
//! - `batch.json`: written last, the completion mark, with the size, row count and FNV-1a
//!   checksum of every file written before it (merge verifies a shard's files with them).
//! - `runs/run-<r>/` (with `--logs` only): each run's folder, as `lamport-sim run` writes it.
//!
//! Each run goes through the runner as `lamport-sim run` does, with the batch's metrics as
//! an extra sink (with `--logs`, into its run folder, simulated once).

mod aggregate;
mod files;
mod merge;
mod tables;

pub use merge::merge;
pub use tables::{AGGREGATED, MACHINE_AGGREGATED, RUN_COLUMNS};

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

use crate::analysis::{predict, Prediction};
use crate::base::SimTime;
use crate::engine::{Ending, SimError};
use crate::run::{drive, run_to_dir, RunDir, RunError};
use crate::scenario::{RunSpec, ScenarioError, Sweep};
use crate::sinks::{Metrics, RunMetrics};
use aggregate::write_aggregates;
use files::{prepare_out, write_done, Manifest, RUNS_FILE, SWEEP_FILE};
use tables::{agrees, csv_bytes, header, run_records};

/// One finished run, as told to a progress display.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunDone {
    /// Runs in this batch (or shard).
    pub runs_total: usize,
    /// Events the run simulated.
    pub events: u64,
    /// Simulated minutes (up to the stop, for a stopped run).
    pub simulated_minutes: f64,
}

/// How a batch runs.
#[derive(Clone, Copy)]
pub struct BatchOptions<'a> {
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Run only shard `k` of `n` (1-based): the runs with `run % n == k - 1`.
    pub shard: Option<(usize, usize)>,
    /// Called once per finished run, from the worker threads, in any order (a progress
    /// display; the library draws nothing itself).
    pub on_run_done: Option<&'a (dyn Fn(RunDone) + Sync)>,
    /// Also write each run's folder (logs, scenario.ron, summary.json) under `runs/`.
    pub logs: bool,
}

impl std::fmt::Debug for BatchOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchOptions")
            .field("threads", &self.threads)
            .field("shard", &self.shard)
            .field("logs", &self.logs)
            .field("on_run_done", &self.on_run_done.map(|_| "callback"))
            .finish()
    }
}

/// A batch that could not run or be merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The sweep is not valid.
    #[error(transparent)]
    Sweep(#[from] ScenarioError),
    /// A run failed for a reason other than its `queue_limit` (a run that reaches the
    /// limit is recorded as stopped, not an error).
    #[error("run {run} (grid point {point}, seed {seed}): {cause}")]
    Run {
        /// Run index.
        run: usize,
        /// Grid point.
        point: usize,
        /// Seed.
        seed: u64,
        /// Why it failed.
        cause: SimError,
    },
    /// An output or input file.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The shard folders given to `merge` do not make up one sweep (a shard missing, given
    /// twice, or from another split); the message names the folders.
    #[error("{0}")]
    Shards(String),
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> BatchError {
    BatchError::File { path: path.to_path_buf(), message: e.to_string() }
}

/// Where and why a run stopped before its end.
#[derive(Debug, Clone, Copy)]
struct Stop {
    /// The machine whose queue reached the limit.
    machine: u32,
    /// Simulated time of the stop.
    at: SimTime,
}

/// One finished run.
#[derive(Debug, Clone)]
struct RunResult {
    spec: RunSpec,
    metrics: RunMetrics,
    predictions: Vec<Prediction>,
    /// `Some` when a queue reached the scenario's `queue_limit`.
    stop: Option<Stop>,
}

impl RunResult {
    /// Events the run simulated.
    fn events(&self) -> u64 {
        self.metrics.machines.iter().map(|m| m.sends + m.receives + m.internals).sum()
    }
}

/// One run of the sweep, through the runner like `lamport-sim run`: into its own run folder
/// under `logs` when given (simulated once, the metrics measured on the way), else metrics
/// only. A run stopped by its queue_limit is a result (its folder keeps the logs up to the
/// stop and an INCOMPLETE file), not an error.
fn run_one(sweep: &Sweep, spec: RunSpec, logs: Option<&Path>) -> Result<RunResult, BatchError> {
    let scenario = sweep.resolve_run(spec)?;
    let mut metrics = Metrics::new(&scenario);
    match logs {
        Some(dir) => {
            let path = dir.join(format!("run-{}", spec.run));
            let run_dir = RunDir::create(&path, false).map_err(|e| file_error(&path, e))?;
            let never = AtomicBool::new(false);
            match run_to_dir(&scenario, &run_dir, true, &never, &mut metrics) {
                Ok(_) | Err(RunError::Sim(SimError::QueueLimit { .. })) => {}
                Err(e) => return Err(file_error(&path, e)),
            }
        }
        None => match drive(&scenario, &mut metrics, None) {
            Ok(_) | Err(SimError::QueueLimit { .. }) => {}
            Err(cause) => return Err(BatchError::Run { run: spec.run, point: spec.point, seed: spec.seed, cause }),
        },
    }
    let metrics = metrics.result().expect("a run reports its end");
    let stop = match metrics.ending {
        Ending::QueueLimit { machine, at, .. } => Some(Stop { machine, at }),
        _ => None,
    };
    Ok(RunResult { spec, metrics, predictions: predict(&scenario), stop })
}

/// What a batch did, for the command's report.
#[derive(Debug, Clone)]
pub struct BatchReport {
    /// Runs done (completed or stopped).
    pub runs: usize,
    /// Runs stopped early because a queue reached the scenario's `queue_limit` (in
    /// `runs.csv` with `completed` false; left out of the aggregates).
    pub stopped: usize,
    /// Events simulated.
    pub events: u64,
    /// Simulated minutes (up to the stop, for stopped runs).
    pub simulated_minutes: f64,
    /// Completed runs where the analytical model disagreed with a machine's queue growth.
    pub disagreements: usize,
}

/// How many runs a batch of `sweep` makes: all of them, or shard `k` of `n`'s share (runs
/// `k - 1`, `k - 1 + n`, ... in grid order), for a progress display to know its length.
pub fn planned_runs(sweep: &Sweep, shard: Option<(usize, usize)>) -> usize {
    let total = usize::try_from(sweep.run_count()).unwrap_or(usize::MAX);
    match shard {
        Some((k, n)) => total / n + usize::from(total % n >= k),
        None => total,
    }
}

/// Runs `sweep` into `out`.
pub fn run_batch(sweep: &Sweep, out: &Path, force: bool, options: BatchOptions<'_>) -> Result<BatchReport, BatchError> {
    prepare_out(out, force)?;
    let total = usize::try_from(sweep.run_count()).unwrap_or(usize::MAX);
    let in_shard = |run: &usize| options.shard.is_none_or(|(k, n)| run % n == k - 1);
    let runs_total = planned_runs(sweep, options.shard);
    let logs_dir = options.logs.then(|| out.join("runs"));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|e| file_error(out, format!("cannot start worker threads: {e}")))?;
    let results: Vec<RunResult> = pool.install(|| {
        (0..total)
            .into_par_iter()
            .filter(in_shard)
            .map(|run| {
                let result = run_one(sweep, sweep.run(run), logs_dir.as_deref());
                if let (Ok(r), Some(on_run_done)) = (&result, options.on_run_done) {
                    let simulated_minutes = r.metrics.duration_min;
                    on_run_done(RunDone { runs_total, events: r.events(), simulated_minutes });
                }
                result
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let header = header(sweep);
    let records: Vec<csv::StringRecord> = results.iter().flat_map(|r| run_records(r, sweep.points())).collect();
    let mut manifest = Manifest::default();
    manifest.write(out, SWEEP_FILE, sweep.to_ron().as_bytes(), None)?;
    manifest.write(out, RUNS_FILE, &csv_bytes(&out.join(RUNS_FILE), &header, &records)?, Some(records.len()))?;
    if options.shard.is_none() {
        write_aggregates(out, sweep, &header, &records, &mut manifest)?;
    }
    // A stopped run's queue slopes cover only the time before the stop (noisy, and the
    // flooded queue is capped); it is reported as stopped instead.
    let disagreements = results
        .iter()
        .filter(|r| r.stop.is_none() && r.metrics.machines.iter().zip(&r.predictions).any(|(m, p)| !agrees(m, p)))
        .count();
    let stopped = results.iter().filter(|r| r.stop.is_some()).count();
    let shard = options.shard.map(|(k, n)| format!("{k}/{n}"));
    write_done(out, results.len(), stopped, shard, manifest)?;
    Ok(BatchReport {
        runs: results.len(),
        stopped,
        events: results.iter().map(RunResult::events).sum(),
        // Folded from +0.0: an empty sum of f64 is -0.0, which prints as "-0" (a shard
        // with no run).
        simulated_minutes: results.iter().fold(0.0, |sum, r| sum + r.metrics.duration_min),
        disagreements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The progress display's length is the number of runs the batch reports done.
    #[test]
    fn planned_runs_counts_what_each_shard_runs() {
        let sweep = Sweep::from_ron_str("Sweep(seeds: Count(5), duration: \"1s\")", "<test>").expect("valid");
        let tmp = tempfile::tempdir().expect("temp dir");
        assert_eq!(planned_runs(&sweep, None), 5);
        let mut runs = 0;
        for k in 1..=3 {
            let done = std::sync::atomic::AtomicUsize::new(0);
            let totals = std::sync::Mutex::new(Vec::new());
            let on_run_done = |d: RunDone| {
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                totals.lock().expect("lock").push(d.runs_total);
            };
            let options =
                BatchOptions { threads: 1, shard: Some((k, 3)), logs: false, on_run_done: Some(&on_run_done) };
            run_batch(&sweep, &tmp.path().join(format!("s{k}")), false, options).expect("batch runs");
            let planned = planned_runs(&sweep, Some((k, 3)));
            assert_eq!(done.into_inner(), planned, "shard {k}/3");
            assert!(totals.into_inner().expect("lock").iter().all(|&t| t == planned), "shard {k}/3");
            runs += planned;
        }
        assert_eq!(runs, 5, "the shards share the runs out");
        assert_eq!(planned_runs(&sweep, Some((3, 3))), 1);
    }
}
