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

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use rayon::prelude::*;
use serde_json::{json, Value};

use crate::analysis::{predict, Prediction};
use crate::base::SimTime;
use crate::engine::{Ending, SimError};
use crate::run::{drive, run_to_dir, RunDir, RunError};
use crate::scenario::{GridPoint, RunSpec, ScenarioError, Sweep};
use crate::sinks::{MachineMetrics, Metrics, RunMetrics};

/// Columns of `runs.csv` after `run,point,seed` and the varied parameters.
pub const RUN_COLUMNS: [&str; 35] = [
    "machine",
    "rate",
    "ticks",
    "sends",
    "receives",
    "internals",
    "final_clock",
    "jump_mean",
    "jump_p50",
    "jump_p99",
    "jump_max",
    "lag_mean",
    "lag_max",
    "queue_mean",
    "queue_max",
    "queue_final",
    "queue_growth_per_min",
    "messages_sent",
    "messages_received",
    "messages_left",
    "arrival_per_s",
    "predicted_arrival_per_s",
    "predicted_queue_growth_per_min",
    "prediction_agrees",
    "run_jump_mean",
    "run_jump_p99",
    "run_jump_max",
    "run_max_clock_gap",
    "run_final_clock_spread",
    "run_queue_growth_max",
    "run_messages_left",
    "run_prediction_disagreements",
    "completed",
    "stopped_at_s",
    "stopped_queue",
];

/// The run-level metrics aggregated across seeds (the `run_` columns), in
/// `aggregates.csv`.
pub const AGGREGATED: [&str; 8] = [
    "jump_mean",
    "jump_p99",
    "jump_max",
    "max_clock_gap",
    "final_clock_spread",
    "queue_growth_max",
    "messages_left",
    "prediction_disagreements",
];

/// The per-machine columns of `runs.csv` aggregated across seeds per grid point and
/// machine id, in `machine_aggregates.csv`: the measures from `rate` to
/// `predicted_queue_growth_per_min` (not the machine id, nor the yes/no verdict).
pub const MACHINE_AGGREGATED: &[&str] = RUN_COLUMNS.split_at(1).1.split_at(22).0;

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
fn run_one(sweep: &Sweep, spec: RunSpec, points: &[GridPoint], logs: Option<&Path>) -> Result<RunResult, BatchError> {
    let scenario = sweep.resolve_run(&points[spec.point], spec.seed)?;
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

/// Runs `sweep` into `out`.
pub fn run_batch(sweep: &Sweep, out: &Path, force: bool, options: BatchOptions<'_>) -> Result<BatchReport, BatchError> {
    prepare_out(out, force)?;
    let points = sweep.points();
    let runs: Vec<RunSpec> =
        sweep.runs().into_iter().filter(|r| options.shard.is_none_or(|(k, n)| r.run % n == k - 1)).collect();
    let runs_total = runs.len();
    let logs_dir = options.logs.then(|| out.join("runs"));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|e| file_error(out, format!("cannot start worker threads: {e}")))?;
    let results: Vec<RunResult> = pool.install(|| {
        runs.par_iter()
            .map(|&spec| {
                let result = run_one(sweep, spec, &points, logs_dir.as_deref());
                if let (Ok(r), Some(on_run_done)) = (&result, options.on_run_done) {
                    let simulated_minutes = r.metrics.duration_min;
                    on_run_done(RunDone { runs_total, events: r.events(), simulated_minutes });
                }
                result
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    let header = header(sweep);
    let records: Vec<csv::StringRecord> = results.iter().flat_map(|r| run_records(r, &points)).collect();
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

const SWEEP_FILE: &str = "sweep.ron";
const RUNS_FILE: &str = "runs.csv";
const DONE_FILE: &str = "batch.json";

/// A shard folder read back by `merge`, every file checked against its `batch.json`.
struct Shard {
    dir: PathBuf,
    /// `k` of `k/n` (an unsharded batch folder counts as shard 1/1).
    k: usize,
    n: usize,
    sweep_text: String,
    header: Vec<String>,
    records: Vec<csv::StringRecord>,
}

impl Shard {
    fn name(&self) -> String {
        format!("{} (shard {}/{})", self.dir.display(), self.k, self.n)
    }

    fn read(dir: &Path) -> Result<Shard, BatchError> {
        let done = dir.join(DONE_FILE);
        if !done.exists() {
            return Err(file_error(dir, "no batch.json: this shard did not complete"));
        }
        let text = fs::read_to_string(&done).map_err(|e| file_error(&done, e))?;
        let doc: Value = serde_json::from_str(&text).map_err(|e| file_error(&done, format!("not valid JSON: {e}")))?;
        let (k, n) = match &doc["shard"] {
            Value::Null => (1, 1),
            Value::String(s) => s
                .split_once('/')
                .and_then(|(k, n)| Some((k.parse().ok()?, n.parse().ok()?)))
                .filter(|&(k, n)| 1 <= k && k <= n)
                .ok_or_else(|| file_error(&done, format!("\"shard\" is {s:?}, not k/n")))?,
            other => return Err(file_error(&done, format!("\"shard\" is {other}, not \"k/n\""))),
        };
        let label = format!("shard {k}/{n}");
        let sweep_bytes = read_verified(dir, &doc, SWEEP_FILE, &label, None)?;
        let sweep_text = String::from_utf8(sweep_bytes)
            .map_err(|_| file_error(&dir.join(SWEEP_FILE), format!("{label}: not UTF-8 text")))?;
        let path = dir.join(RUNS_FILE);
        let runs_bytes = fs::read(&path).map_err(|e| file_error(&path, e))?;
        let mut reader = csv::Reader::from_reader(runs_bytes.as_slice());
        let header: Vec<String> =
            reader.headers().map_err(|e| file_error(&path, e))?.iter().map(String::from).collect();
        // A file cut short mid-row fails here with the row it broke at; the checksum below
        // catches everything else.
        let records: Vec<csv::StringRecord> =
            reader.records().collect::<Result<_, _>>().map_err(|e| file_error(&path, format!("{label}: {e}")))?;
        verify(dir, &doc, RUNS_FILE, &label, &runs_bytes, Some(records.len()))?;
        Ok(Shard { dir: dir.to_path_buf(), k, n, sweep_text, header, records })
    }
}

/// Reads `dir/name` and checks it against the record of it in the folder's `batch.json`.
fn read_verified(dir: &Path, doc: &Value, name: &str, label: &str, rows: Option<usize>) -> Result<Vec<u8>, BatchError> {
    let path = dir.join(name);
    let bytes = fs::read(&path).map_err(|e| file_error(&path, e))?;
    verify(dir, doc, name, label, &bytes, rows)?;
    Ok(bytes)
}

/// Checks `bytes` (and `rows`) of `dir/name` against the folder's `batch.json` record.
fn verify(
    dir: &Path,
    doc: &Value,
    name: &str,
    label: &str,
    bytes: &[u8],
    rows: Option<usize>,
) -> Result<(), BatchError> {
    let path = dir.join(name);
    let recorded = &doc["files"][name];
    if recorded.is_null() {
        return Err(file_error(
            &dir.join(DONE_FILE),
            format!("{label}: records no checksum of {name} (written by an older lamport-sim?); rerun this shard"),
        ));
    }
    let found = FileRecord::of(bytes, rows);
    if *recorded != found.to_json() {
        let what = match (recorded["rows"].as_u64(), rows) {
            (Some(expected), Some(got)) if expected != got as u64 => {
                format!("has {got} data rows but batch.json records {expected}")
            }
            _ => format!(
                "does not match batch.json ({} bytes, fnv1a64 {}; batch.json records {} bytes, fnv1a64 {})",
                found.bytes, found.fnv1a64, recorded["bytes"], recorded["fnv1a64"]
            ),
        };
        return Err(file_error(
            &path,
            format!("{label}: {what}: it was cut short or changed after the shard ran; rerun this shard"),
        ));
    }
    Ok(())
}

/// Merges shard folders into `out`: the same bytes as running the sweep unsharded.
pub fn merge(inputs: &[PathBuf], out: &Path, force: bool) -> Result<usize, BatchError> {
    if inputs.is_empty() {
        return Err(BatchError::Shards("merge needs at least one shard folder".into()));
    }
    let shards: Vec<Shard> = inputs.iter().map(|dir| Shard::read(dir)).collect::<Result<_, _>>()?;
    let first = &shards[0];
    let sweep_path = first.dir.join(SWEEP_FILE);
    let sweep = Sweep::from_ron_str(&first.sweep_text, &sweep_path.display().to_string())?;
    let header = header(&sweep);
    for shard in &shards {
        if shard.sweep_text != first.sweep_text {
            return Err(file_error(
                &shard.dir.join(SWEEP_FILE),
                format!("differs from {}: shards of different sweeps", sweep_path.display()),
            ));
        }
        if shard.header != header {
            return Err(file_error(&shard.dir.join(RUNS_FILE), "its columns differ from this version's runs.csv"));
        }
    }
    let n = first.n;
    // A map, not a vector of n slots: n comes from a file.
    let mut by_k: BTreeMap<usize, &Shard> = BTreeMap::new();
    for shard in &shards {
        if shard.n != n {
            return Err(BatchError::Shards(format!(
                "{} and {} are shards of different splits; merge the shards of one split",
                first.name(),
                shard.name()
            )));
        }
        if let Some(other) = by_k.insert(shard.k, shard) {
            return Err(BatchError::Shards(format!(
                "{} and {} are both shard {}/{n}; merge every shard exactly once",
                other.dir.display(),
                shard.dir.display(),
                shard.k
            )));
        }
    }
    if let Some(k) = (1..=n).find(|k| !by_k.contains_key(k)) {
        let given = shards.iter().map(Shard::name).collect::<Vec<_>>().join(", ");
        return Err(BatchError::Shards(format!(
            "shard {k}/{n} is missing (given: {given}); merge every shard exactly once"
        )));
    }
    let seeds = sweep.seeds.to_vec().len();
    let machines: Vec<usize> = sweep.points().iter().map(|p| p.scenario.machine_count() as usize).collect();
    let total = seeds * machines.len();
    // (run, row order, row): a shard's rows are in run order, so a stable sort by run
    // interleaves the shards back into the unsharded order.
    let mut records: Vec<(usize, usize, csv::StringRecord)> = Vec::new();
    for shard in &shards {
        let path = shard.dir.join(RUNS_FILE);
        for (i, record) in shard.records.iter().enumerate() {
            let run = check_row(record, seeds, &machines, shard)
                .map_err(|message| file_error(&path, format!("{}: row {}: {message}", shard.name(), i + 2)))?;
            records.push((run, records.len(), record.clone()));
        }
    }
    records.sort_by_key(|&(run, order, _)| (run, order));
    let mut rows = Vec::with_capacity(records.len());
    let mut next = 0;
    for (run, _, record) in records {
        if run > next {
            break;
        }
        next = run + 1;
        rows.push(record);
    }
    if next < total {
        let shard = by_k[&(next % n + 1)];
        return Err(file_error(
            &shard.dir.join(RUNS_FILE),
            format!("{}: run {next} is missing; rerun this shard", shard.name()),
        ));
    }
    prepare_out(out, force)?;
    let mut manifest = Manifest::default();
    manifest.write(out, SWEEP_FILE, first.sweep_text.as_bytes(), None)?;
    manifest.write(out, RUNS_FILE, &csv_bytes(&out.join(RUNS_FILE), &header, &rows)?, Some(rows.len()))?;
    let stopped = write_aggregates(out, &sweep, &header, &rows, &mut manifest)?;
    write_done(out, total, stopped, None, manifest)?;
    Ok(total)
}

/// Checks one row of a shard's `runs.csv` (everything the aggregates rely on) and returns
/// its run index.
fn check_row(record: &csv::StringRecord, seeds: usize, machines: &[usize], shard: &Shard) -> Result<usize, String> {
    let field = |i: usize| record.get(i).unwrap_or("");
    let run: usize = field(0).parse().map_err(|_| format!("bad run index {:?}", field(0)))?;
    let point = run / seeds;
    if point >= machines.len() {
        return Err(format!("run {run} is not a run of this sweep ({} runs)", seeds * machines.len()));
    }
    if run % shard.n != shard.k - 1 {
        return Err(format!("run {run} belongs to shard {}/{}, not to this one", run % shard.n + 1, shard.n));
    }
    if field(1) != point.to_string() {
        return Err(format!("run {run} is of grid point {point}, but the row says {:?}", field(1)));
    }
    let machine_col = record.len() - RUN_COLUMNS.len();
    let machine = field(machine_col);
    if machine.parse::<usize>().map_or(true, |m| m >= machines[point]) {
        return Err(format!("machine {machine:?} is not a machine of grid point {point}"));
    }
    let completed = field(machine_col + column("completed"));
    if completed != "true" && completed != "false" {
        return Err(format!("completed is {completed:?}, not true or false"));
    }
    Ok(run)
}

/// Index of `name` in [`RUN_COLUMNS`].
fn column(name: &str) -> usize {
    RUN_COLUMNS.iter().position(|c| *c == name).expect("a runs.csv column")
}

fn agrees(m: &MachineMetrics, p: &Prediction) -> bool {
    p.agrees_with(m.queue_growth_per_min, m.rate)
}

fn header(sweep: &Sweep) -> Vec<String> {
    let mut h: Vec<String> = ["run", "point", "seed"].iter().map(|s| s.to_string()).collect();
    h.extend(sweep.parameter_names().iter().map(|s| s.to_string()));
    h.extend(RUN_COLUMNS.iter().map(|s| s.to_string()));
    h
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn run_records(r: &RunResult, points: &[GridPoint]) -> Vec<csv::StringRecord> {
    let ms = &r.metrics.machines;
    let finals: Vec<u64> = ms.iter().map(|m| m.final_clock).collect();
    let spread = finals.iter().max().unwrap_or(&0) - finals.iter().min().unwrap_or(&0);
    let growth_max = ms.iter().map(|m| m.queue_growth_per_min).fold(f64::NEG_INFINITY, f64::max);
    let left: u64 = ms.iter().map(|m| m.messages_left).sum();
    // A stopped run's queue slopes cover only the time before the stop: no verdict on them.
    let completed = r.stop.is_none();
    let verdict = |text: String| if completed { text } else { String::new() };
    let disagreements = ms.iter().zip(&r.predictions).filter(|(m, p)| !agrees(m, p)).count();
    let run_level = [
        opt(r.metrics.jumps.mean()),
        opt(r.metrics.jumps.quantile(0.99)),
        opt(r.metrics.jumps.max()),
        r.metrics.max_clock_gap.to_string(),
        spread.to_string(),
        growth_max.to_string(),
        left.to_string(),
        verdict(disagreements.to_string()),
        completed.to_string(),
        opt(r.stop.map(|s| s.at)),
        opt(r.stop.map(|s| s.machine)),
    ];
    ms.iter()
        .zip(&r.predictions)
        .enumerate()
        .map(|(id, (m, p))| {
            let mut fields = vec![r.spec.run.to_string(), r.spec.point.to_string(), r.spec.seed.to_string()];
            fields.extend(points[r.spec.point].labels.iter().map(|(_, v)| v.clone()));
            fields.extend([
                id.to_string(),
                m.rate.to_string(),
                m.ticks.to_string(),
                m.sends.to_string(),
                m.receives.to_string(),
                m.internals.to_string(),
                m.final_clock.to_string(),
                opt(m.jump_mean),
                opt(m.jump_p50),
                opt(m.jump_p99),
                opt(m.jump_max),
                m.lag_mean.to_string(),
                m.lag_max.to_string(),
                m.queue_mean.to_string(),
                m.queue_max.to_string(),
                m.queue_final.to_string(),
                m.queue_growth_per_min.to_string(),
                m.messages_sent.to_string(),
                m.messages_received.to_string(),
                m.messages_left.to_string(),
                opt(m.arrival_per_s),
                p.arrival_rate.to_string(),
                p.queue_growth_per_min.to_string(),
                verdict(agrees(m, p).to_string()),
            ]);
            fields.extend(run_level.iter().cloned());
            csv::StringRecord::from(fields)
        })
        .collect()
}

/// Mean, sample standard deviation and 95 % confidence interval of the mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Interval {
    /// Values.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (`None` for fewer than 2 values).
    pub sd: Option<f64>,
    /// 95 % confidence interval of the mean, Student's t (`None` for fewer than 2 values).
    pub ci95: Option<(f64, f64)>,
    /// Half the width of `ci95`: `t × sd / √n` (`None` for fewer than 2 values).
    pub ci95_half: Option<f64>,
}

/// [`Interval`] of `values` (at least one).
pub(crate) fn interval(values: &[f64]) -> Interval {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Interval { n, mean, sd: None, ci95: None, ci95_half: None };
    }
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
    let sd = var.sqrt();
    let half = t_975(n - 1) * sd / (n as f64).sqrt();
    Interval { n, mean, sd: Some(sd), ci95: Some((mean - half, mean + half)), ci95_half: Some(half) }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (table to 30, then the
/// Cornish-Fisher expansion, within 1e-4).
pub(crate) fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    if (1..=30).contains(&df) {
        return TABLE[df - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let d = df as f64;
    z + (z.powi(3) + z) / (4.0 * d) + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * d * d)
}

/// The statistic columns of both aggregate tables, after the metric's name.
const STAT_COLUMNS: [&str; 8] =
    ["n", "mean", "sd", "ci95_low", "ci95_high", "ci95_half", "runs_completed", "runs_stopped"];

/// Values of one grid point, from its completed runs.
#[derive(Debug, Clone)]
struct PointValues {
    completed: usize,
    stopped: usize,
    /// Per [`AGGREGATED`] metric, one value per completed run.
    run: Vec<Vec<f64>>,
    /// Per machine id, per [`MACHINE_AGGREGATED`] metric, one value per completed run.
    machines: Vec<Vec<Vec<f64>>>,
}

/// One metric's statistics: the CSV cells from `n` on, and the JSON object.
fn statistics(values: &[f64], completed: usize, stopped: usize) -> (Vec<String>, Value) {
    let counts = [completed.to_string(), stopped.to_string()];
    if values.is_empty() {
        let mut cells =
            vec!["0".to_string(), String::new(), String::new(), String::new(), String::new(), String::new()];
        cells.extend(counts);
        return (cells, json!({"n": 0}));
    }
    let i = interval(values);
    let mut cells =
        vec![i.n.to_string(), i.mean.to_string(), opt(i.sd), opt(i.ci95.map(|c| c.0)), opt(i.ci95.map(|c| c.1))];
    cells.push(opt(i.ci95_half));
    cells.extend(counts);
    let doc =
        json!({"n": i.n, "mean": i.mean, "sd": i.sd, "ci95": i.ci95.map(|(a, b)| [a, b]), "ci95_half": i.ci95_half});
    (cells, doc)
}

/// Writes `aggregates.csv`, `machine_aggregates.csv` and `aggregates.json` from the rows of
/// `runs.csv` (so an unsharded and a merged batch aggregate the same text); only completed
/// runs are aggregated. Returns the number of stopped runs.
fn write_aggregates(
    out: &Path,
    sweep: &Sweep,
    header: &[String],
    records: &[csv::StringRecord],
    manifest: &mut Manifest,
) -> Result<usize, BatchError> {
    let params = sweep.parameter_names();
    let points = sweep.points();
    let col = |name: &str| header.iter().position(|h| h == name).expect("known column");
    let (run_col, point_col, machine_col, completed_col) = (col("run"), col("point"), col("machine"), col("completed"));
    let run_cols: Vec<usize> = AGGREGATED.iter().map(|name| col(&format!("run_{name}"))).collect();
    let machine_cols: Vec<usize> = MACHINE_AGGREGATED.iter().map(|name| col(name)).collect();
    let mut per_point: Vec<PointValues> = points
        .iter()
        .map(|p| PointValues {
            completed: 0,
            stopped: 0,
            run: vec![Vec::new(); AGGREGATED.len()],
            machines: vec![vec![Vec::new(); MACHINE_AGGREGATED.len()]; p.scenario.machine_count() as usize],
        })
        .collect();
    // Empty cells (no receive, so no jump) parse as nothing and are left out, so `n` counts
    // the runs or machines that have the metric.
    let push = |values: &mut [Vec<f64>], record: &csv::StringRecord, cols: &[usize]| {
        for (m, &c) in cols.iter().enumerate() {
            if let Ok(v) = record[c].parse::<f64>() {
                values[m].push(v);
            }
        }
    };
    let mut last_run = None;
    // Rows were written (or checked by merge) with valid indices.
    for record in records {
        let point = &mut per_point[record[point_col].parse::<usize>().expect("point index written by us")];
        let completed = &record[completed_col] == "true";
        if last_run != Some(&record[run_col]) {
            last_run = Some(&record[run_col]);
            if completed {
                point.completed += 1;
                push(&mut point.run, record, &run_cols);
            } else {
                point.stopped += 1;
            }
        }
        if completed {
            let machine: usize = record[machine_col].parse().expect("machine id written by us");
            push(&mut point.machines[machine], record, &machine_cols);
        }
    }
    let table_head = |extra: &[&'static str]| {
        let mut head: Vec<&str> = vec!["point"];
        head.extend(params.iter());
        head.extend(extra);
        head.push("metric");
        head.extend(STAT_COLUMNS);
        head
    };
    let mut run_rows = vec![table_head(&[]).iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let mut machine_rows = vec![table_head(&["machine"]).iter().map(|s| s.to_string()).collect::<Vec<_>>()];
    let mut json_points = Vec::new();
    for (point, values) in points.iter().zip(&per_point) {
        let p = point.index;
        let lead = |extra: Option<usize>| {
            let mut row = vec![p.to_string()];
            row.extend(point.labels.iter().map(|(_, v)| v.clone()));
            row.extend(extra.map(|m| m.to_string()));
            row
        };
        let mut json_metrics = serde_json::Map::new();
        for (name, values_of) in AGGREGATED.iter().zip(&values.run) {
            let (cells, doc) = statistics(values_of, values.completed, values.stopped);
            run_rows.push([lead(None), vec![name.to_string()], cells].concat());
            json_metrics.insert(name.to_string(), doc);
        }
        let mut json_machines = Vec::new();
        for (machine, metrics) in values.machines.iter().enumerate() {
            let mut json_machine = serde_json::Map::new();
            for (name, values_of) in MACHINE_AGGREGATED.iter().zip(metrics) {
                let (cells, doc) = statistics(values_of, values.completed, values.stopped);
                machine_rows.push([lead(Some(machine)), vec![name.to_string()], cells].concat());
                json_machine.insert(name.to_string(), doc);
            }
            json_machines.push(json!({"machine": machine, "metrics": json_machine}));
        }
        let labels: serde_json::Map<String, Value> =
            point.labels.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
        json_points.push(json!({
            "point": p,
            "parameters": labels,
            "runs_completed": values.completed,
            "runs_stopped": values.stopped,
            "metrics": json_metrics,
            "machines": json_machines,
        }));
    }
    for (name, rows) in [("aggregates.csv", &run_rows), ("machine_aggregates.csv", &machine_rows)] {
        let records: Vec<csv::StringRecord> = rows[1..].iter().map(|r| csv::StringRecord::from(r.clone())).collect();
        let bytes = csv_bytes(&out.join(name), &rows[0], &records)?;
        manifest.write(out, name, &bytes, Some(records.len()))?;
    }
    let doc = json!({"schema_version": 1, "confidence": 0.95, "points": json_points});
    manifest.write(out, "aggregates.json", pretty_json(&doc).as_bytes(), None)?;
    Ok(per_point.iter().map(|p| p.stopped).sum())
}

/// A CSV table: `header` then `records`, `\n` line ends.
fn csv_bytes(path: &Path, header: &[String], records: &[csv::StringRecord]) -> Result<Vec<u8>, BatchError> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    w.write_record(header).map_err(|e| file_error(path, e))?;
    for r in records {
        w.write_record(r).map_err(|e| file_error(path, e))?;
    }
    w.into_inner().map_err(|e| file_error(path, e))
}

fn pretty_json(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).expect("json values serialize") + "\n"
}

/// FNV-1a, 64 bits: a fixed, documented checksum of a file's bytes (not cryptographic: it
/// catches a file cut short or edited by mistake, not a forgery).
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Size, data rows (CSV tables) and checksum of a written file, as `batch.json` records it.
#[derive(Debug, Clone, PartialEq)]
struct FileRecord {
    bytes: usize,
    rows: Option<usize>,
    fnv1a64: String,
}

impl FileRecord {
    fn of(bytes: &[u8], rows: Option<usize>) -> FileRecord {
        FileRecord { bytes: bytes.len(), rows, fnv1a64: format!("{:016x}", fnv1a64(bytes)) }
    }

    fn to_json(&self) -> Value {
        match self.rows {
            Some(rows) => json!({"bytes": self.bytes, "rows": rows, "fnv1a64": self.fnv1a64}),
            None => json!({"bytes": self.bytes, "fnv1a64": self.fnv1a64}),
        }
    }
}

/// The files written so far, for `batch.json`.
#[derive(Debug, Default)]
struct Manifest(serde_json::Map<String, Value>);

impl Manifest {
    /// Writes `out/name` and records it (`rows`: data rows of a CSV table).
    fn write(&mut self, out: &Path, name: &str, bytes: &[u8], rows: Option<usize>) -> Result<(), BatchError> {
        write_bytes(&out.join(name), bytes)?;
        self.0.insert(name.to_string(), FileRecord::of(bytes, rows).to_json());
        Ok(())
    }
}

fn write_done(
    out: &Path,
    runs: usize,
    stopped: usize,
    shard: Option<String>,
    manifest: Manifest,
) -> Result<(), BatchError> {
    let doc = json!({
        "schema_version": 1,
        "lamport_sim_version": env!("CARGO_PKG_VERSION"),
        "complete": true,
        "runs": runs,
        "runs_stopped": stopped,
        "shard": shard,
        "files": manifest.0,
    });
    write_bytes(&out.join(DONE_FILE), pretty_json(&doc).as_bytes())
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), BatchError> {
    crate::run::write_atomically(path, bytes).map_err(|e| file_error(path, e))
}

/// The files a batch writes, `batch.json` (the completion mark) first to go.
const BATCH_FILES: [&str; 6] =
    ["batch.json", "aggregates.json", "machine_aggregates.csv", "aggregates.csv", "runs.csv", "sweep.ron"];

fn prepare_out(out: &Path, force: bool) -> Result<(), BatchError> {
    if out.exists() {
        if !out.is_dir() {
            return Err(file_error(out, "exists and is not a directory"));
        }
        let non_empty = fs::read_dir(out).map_err(|e| file_error(out, e))?.next().is_some();
        if non_empty && !force {
            return Err(file_error(
                out,
                "already exists and is not empty; choose another --out, or pass --force to replace the batch in it",
            ));
        }
        for name in BATCH_FILES {
            match fs::remove_file(out.join(name)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(file_error(&out.join(name), e)),
                _ => {}
            }
        }
        // The per-run folders of an earlier `--logs` batch (only folders this writes).
        if let Ok(entries) = fs::read_dir(out.join("runs")) {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with("run-") {
                    fs::remove_dir_all(entry.path()).map_err(|e| file_error(&entry.path(), e))?;
                }
            }
        }
    }
    fs::create_dir_all(out).map_err(|e| file_error(out, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles() {
        assert_eq!(t_975(1), 12.706);
        assert!((t_975(99) - 1.984).abs() < 1e-3, "{}", t_975(99));
        assert!((t_975(1000) - 1.962).abs() < 1e-3);
    }

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn every_aggregated_metric_is_a_runs_csv_column() {
        assert_eq!(
            (MACHINE_AGGREGATED.len(), MACHINE_AGGREGATED[0], MACHINE_AGGREGATED[21]),
            (22, "rate", "predicted_queue_growth_per_min")
        );
        for name in MACHINE_AGGREGATED {
            column(name);
        }
        for name in AGGREGATED {
            column(&format!("run_{name}"));
        }
    }

    #[test]
    fn interval_of_known_values() {
        let i = interval(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(i.mean, 2.5);
        let sd = i.sd.unwrap();
        assert!((sd - 1.2909944).abs() < 1e-6);
        let (lo, hi) = i.ci95.unwrap();
        assert!((hi - 2.5 - 3.182 * sd / 2.0).abs() < 1e-9 && (2.5 - lo - (hi - 2.5)).abs() < 1e-12);
        assert_eq!(i.ci95_half, Some(3.182 * sd / 2.0));
        assert_eq!(interval(&[5.0]).ci95, None);
    }
}
