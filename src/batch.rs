//! `lamport-sim batch` and `merge`: many runs of a sweep, statistics only, on all cores;
//! tidy per-run CSV and per-grid-point aggregates with 95 % confidence intervals. The
//! output bytes are the same for any thread count and for sharded runs merged afterwards.
//!
//! # Files of a batch folder
//! - `sweep.ron`: the sweep as read (merge checks all shards ran the same one).
//! - `runs.csv`: one row per run × machine (see [`RUN_COLUMNS`]), in run order.
//! - `aggregates.csv` / `aggregates.json` (unsharded or merged only): per grid point and
//!   run-level metric, across seeds: n, mean, sample sd, 95 % confidence interval.
//! - `batch.json`: written last, the completion mark.
//! - `runs/run-<r>/` (with `--logs` only): each run's folder, as `lamport-sim run` writes it.

use std::fs;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use serde_json::json;

use crate::engine::Simulation;
use crate::metrics::{MachineMetrics, Metrics, RunMetrics};
use crate::predict::{predict, Prediction};
use crate::scenario::ScenarioError;
use crate::sweep::{RunSpec, Sweep};

/// Columns of `runs.csv` after `run,point,seed` and the varied parameters.
pub const RUN_COLUMNS: [&str; 31] = [
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
];

/// The run-level metrics aggregated across seeds (the `run_` columns).
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

/// How a batch runs.
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Run only shard `k` of `n` (1-based): the runs with `run % n == k - 1`.
    pub shard: Option<(usize, usize)>,
    /// Progress on stderr.
    pub progress: bool,
    /// Also write each run's folder (logs, scenario.ron, summary.json) under `runs/`.
    pub logs: bool,
}

/// A batch that could not run or be merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// The sweep is not valid.
    #[error(transparent)]
    Sweep(#[from] ScenarioError),
    /// A run stopped (a queue reached the scenario's `queue_limit`).
    #[error("run {run} (grid point {point}, seed {seed}): {cause}")]
    Run {
        /// Run index.
        run: usize,
        /// Grid point.
        point: usize,
        /// Seed.
        seed: u64,
        /// Why it stopped.
        cause: crate::engine::SimError,
    },
    /// An output or input file.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> BatchError {
    BatchError::File { path: path.to_path_buf(), message: e.to_string() }
}

/// One finished run.
#[derive(Debug, Clone)]
struct RunResult {
    spec: RunSpec,
    metrics: RunMetrics,
    predictions: Vec<Prediction>,
}

fn run_one(
    sweep: &Sweep,
    spec: RunSpec,
    points: &[crate::sweep::GridPoint],
    logs: Option<&Path>,
) -> Result<RunResult, BatchError> {
    let scenario = sweep.resolve_run(&points[spec.point], spec.seed)?;
    if let Some(dir) = logs {
        // A full run folder, exactly what `lamport-sim run` writes for this scenario.
        let path = dir.join(format!("run-{}", spec.run));
        let run_dir = crate::rundir::RunDir::create(&path, false).map_err(|e| file_error(&path, e))?;
        let never = std::sync::atomic::AtomicBool::new(false);
        crate::runner::run_to_dir(&scenario, &run_dir, true, &never).map_err(|e| file_error(&path, e))?;
    }
    let mut sim = Simulation::new(&scenario);
    let mut metrics = Metrics::new(scenario.machines.len());
    sim.run(&mut metrics).map_err(|cause| BatchError::Run {
        run: spec.run,
        point: spec.point,
        seed: spec.seed,
        cause,
    })?;
    Ok(RunResult { spec, metrics: metrics.finish(&sim), predictions: predict(&scenario) })
}

/// What a batch did, for the command's report.
#[derive(Debug, Clone)]
pub struct BatchReport {
    /// Runs done.
    pub runs: usize,
    /// Events simulated.
    pub events: u64,
    /// Simulated minutes.
    pub simulated_minutes: f64,
    /// Runs where the analytical model disagreed with a machine's queue growth.
    pub disagreements: usize,
    /// Wall-clock seconds (information only; never written to a file).
    pub seconds: f64,
}

/// Runs `sweep` (text `sweep_text`) into `out`.
pub fn run_batch(sweep: &Sweep, out: &Path, force: bool, options: BatchOptions) -> Result<BatchReport, BatchError> {
    prepare_out(out, force)?;
    let started = Instant::now();
    let points = sweep.points();
    let runs: Vec<RunSpec> =
        sweep.runs().into_iter().filter(|r| options.shard.is_none_or(|(k, n)| r.run % n == k - 1)).collect();
    let progress = Progress::new(runs.len() as u64, options.progress);
    let logs_dir = options.logs.then(|| out.join("runs"));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|e| file_error(out, format!("cannot start worker threads: {e}")))?;
    let results: Vec<RunResult> = pool.install(|| {
        runs.par_iter()
            .map(|&spec| {
                let result = run_one(sweep, spec, &points, logs_dir.as_deref());
                if let Ok(r) = &result {
                    let events: u64 = r.metrics.machines.iter().map(|m| m.sends + m.receives + m.internals).sum();
                    progress.done(events, r.metrics.duration_min);
                }
                result
            })
            .collect::<Result<Vec<_>, _>>()
    })?;
    progress.finish();
    let header = header(sweep);
    let records: Vec<csv::StringRecord> = results.iter().flat_map(|r| run_records(r, &points)).collect();
    write_text(&out.join("sweep.ron"), &sweep.to_ron())?;
    write_runs_csv(&out.join("runs.csv"), &header, &records)?;
    if options.shard.is_none() {
        write_aggregates(out, sweep, &header, &records)?;
    }
    let disagreements =
        results.iter().filter(|r| r.metrics.machines.iter().zip(&r.predictions).any(|(m, p)| !agrees(m, p))).count();
    let shard = options.shard.map(|(k, n)| format!("{k}/{n}"));
    write_done(out, results.len(), shard)?;
    Ok(BatchReport {
        runs: results.len(),
        events: progress.events.load(Ordering::Relaxed),
        simulated_minutes: results.iter().map(|r| r.metrics.duration_min).sum(),
        disagreements,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Merges shard folders into `out`: the same bytes as running the sweep unsharded.
pub fn merge(inputs: &[PathBuf], out: &Path, force: bool) -> Result<usize, BatchError> {
    let first = inputs.first().ok_or_else(|| file_error(out, "merge needs at least one shard folder"))?;
    let sweep_text =
        fs::read_to_string(first.join("sweep.ron")).map_err(|e| file_error(&first.join("sweep.ron"), e))?;
    let sweep = Sweep::from_ron_str(&sweep_text, &first.join("sweep.ron").display().to_string())?;
    let header = header(&sweep);
    // (run, input folder, row order, row)
    let mut records: Vec<(usize, usize, usize, csv::StringRecord)> = Vec::new();
    for (input, dir) in inputs.iter().enumerate() {
        let done = dir.join("batch.json");
        if !done.exists() {
            return Err(file_error(dir, "no batch.json: this shard did not complete"));
        }
        let text = fs::read_to_string(dir.join("sweep.ron")).map_err(|e| file_error(&dir.join("sweep.ron"), e))?;
        if text != sweep_text {
            return Err(file_error(
                &dir.join("sweep.ron"),
                format!("differs from {}: shards of different sweeps", first.display()),
            ));
        }
        let path = dir.join("runs.csv");
        let mut reader = csv::Reader::from_path(&path).map_err(|e| file_error(&path, e))?;
        let got: Vec<String> = reader.headers().map_err(|e| file_error(&path, e))?.iter().map(String::from).collect();
        if got != header {
            return Err(file_error(&path, "its columns differ from this version's runs.csv"));
        }
        for (i, record) in reader.records().enumerate() {
            let record = record.map_err(|e| file_error(&path, e))?;
            let run = record
                .get(0)
                .and_then(|r| r.parse().ok())
                .ok_or_else(|| file_error(&path, format!("row {}: bad run index", i + 2)))?;
            records.push((run, input, records.len(), record));
        }
    }
    records.sort_by_key(|(run, _, order, _)| (*run, *order));
    let total = sweep.runs().len();
    let mut expected = 0;
    let mut rows = Vec::with_capacity(records.len());
    let mut last: Option<(usize, usize)> = None;
    for (run, input, _, record) in records {
        match last {
            Some((r, i)) if r == run && i != input => {
                return Err(file_error(
                    out,
                    format!("run {run} appears in two shard folders; merge every shard exactly once"),
                ));
            }
            Some((r, _)) if r == run => {}
            _ => {
                if run != expected {
                    return Err(file_error(out, format!("run {expected} is missing; merge every shard exactly once")));
                }
                expected += 1;
                last = Some((run, input));
            }
        }
        rows.push(record);
    }
    if expected != total {
        return Err(file_error(out, format!("runs {expected}..{total} are missing; merge every shard exactly once")));
    }
    prepare_out(out, force)?;
    write_text(&out.join("sweep.ron"), &sweep_text)?;
    write_runs_csv(&out.join("runs.csv"), &header, &rows)?;
    write_aggregates(out, &sweep, &header, &rows)?;
    write_done(out, total, None)?;
    Ok(total)
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

fn run_records(r: &RunResult, points: &[crate::sweep::GridPoint]) -> Vec<csv::StringRecord> {
    let ms = &r.metrics.machines;
    let finals: Vec<u64> = ms.iter().map(|m| m.final_clock).collect();
    let spread = finals.iter().max().unwrap_or(&0) - finals.iter().min().unwrap_or(&0);
    let growth_max = ms.iter().map(|m| m.queue_growth_per_min).fold(f64::NEG_INFINITY, f64::max);
    let left: u64 = ms.iter().map(|m| m.messages_left).sum();
    let disagreements = ms.iter().zip(&r.predictions).filter(|(m, p)| !agrees(m, p)).count();
    let run_level = [
        opt(r.metrics.jumps.mean()),
        opt(r.metrics.jumps.quantile(0.99)),
        opt(r.metrics.jumps.max()),
        r.metrics.max_clock_gap.to_string(),
        spread.to_string(),
        growth_max.to_string(),
        left.to_string(),
        disagreements.to_string(),
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
                p.arrival_rate.to_string(),
                p.queue_growth_per_min.to_string(),
                agrees(m, p).to_string(),
            ]);
            fields.extend(run_level.iter().cloned());
            csv::StringRecord::from(fields)
        })
        .collect()
}

/// Mean, sample standard deviation and 95 % confidence interval of the mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Values.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (`None` for fewer than 2 values).
    pub sd: Option<f64>,
    /// 95 % confidence interval of the mean, Student's t (`None` for fewer than 2 values).
    pub ci95: Option<(f64, f64)>,
}

/// [`Interval`] of `values` (at least one).
pub fn interval(values: &[f64]) -> Interval {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return Interval { n, mean, sd: None, ci95: None };
    }
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
    let sd = var.sqrt();
    let half = t_975(n - 1) * sd / (n as f64).sqrt();
    Interval { n, mean, sd: Some(sd), ci95: Some((mean - half, mean + half)) }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (table to 30, then the
/// Cornish-Fisher expansion, within 1e-4).
pub fn t_975(df: usize) -> f64 {
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

fn write_aggregates(
    out: &Path,
    sweep: &Sweep,
    header: &[String],
    records: &[csv::StringRecord],
) -> Result<(), BatchError> {
    let params = sweep.parameter_names();
    let points = sweep.points();
    let col = |name: &str| header.iter().position(|h| h == name).expect("known column");
    let (run_col, point_col) = (col("run"), col("point"));
    // One value per run and metric: the run-level columns of the run's first row.
    let mut per_point: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); AGGREGATED.len()]; points.len()];
    let mut last_run = None;
    for record in records {
        let run = &record[run_col];
        if last_run == Some(run.to_string()) {
            continue;
        }
        last_run = Some(run.to_string());
        let point: usize = record[point_col].parse().expect("point index written by us");
        for (m, name) in AGGREGATED.iter().enumerate() {
            if let Ok(v) = record[col(&format!("run_{name}"))].parse::<f64>() {
                per_point[point][m].push(v);
            }
        }
    }
    let path = out.join("aggregates.csv");
    let mut csv_out = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let mut head: Vec<&str> = vec!["point"];
    head.extend(params.iter());
    head.extend(["metric", "n", "mean", "sd", "ci95_low", "ci95_high"]);
    csv_out.write_record(&head).map_err(|e| file_error(&path, e))?;
    let mut json_points = Vec::new();
    for (p, point) in points.iter().enumerate() {
        let mut json_metrics = serde_json::Map::new();
        for (m, name) in AGGREGATED.iter().enumerate() {
            let values = &per_point[p][m];
            let mut row: Vec<String> = vec![p.to_string()];
            row.extend(point.labels.iter().map(|(_, v)| v.clone()));
            row.push(name.to_string());
            if values.is_empty() {
                row.extend(["0", "", "", "", ""].map(String::from));
                json_metrics.insert(name.to_string(), json!({"n": 0}));
            } else {
                let i = interval(values);
                row.extend([
                    i.n.to_string(),
                    i.mean.to_string(),
                    opt(i.sd),
                    opt(i.ci95.map(|c| c.0)),
                    opt(i.ci95.map(|c| c.1)),
                ]);
                json_metrics.insert(
                    name.to_string(),
                    json!({"n": i.n, "mean": i.mean, "sd": i.sd, "ci95": i.ci95.map(|(a, b)| [a, b])}),
                );
            }
            csv_out.write_record(&row).map_err(|e| file_error(&path, e))?;
        }
        let labels: serde_json::Map<String, serde_json::Value> =
            point.labels.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
        json_points.push(json!({"point": p, "parameters": labels, "metrics": json_metrics}));
    }
    let bytes = csv_out.into_inner().map_err(|e| file_error(&path, e))?;
    write_bytes(&path, &bytes)?;
    let doc = json!({"schema_version": 1, "confidence": 0.95, "points": json_points});
    write_text(&out.join("aggregates.json"), &(serde_json::to_string_pretty(&doc).expect("json") + "\n"))
}

fn write_runs_csv(path: &Path, header: &[String], records: &[csv::StringRecord]) -> Result<(), BatchError> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    w.write_record(header).map_err(|e| file_error(path, e))?;
    for r in records {
        w.write_record(r).map_err(|e| file_error(path, e))?;
    }
    let bytes = w.into_inner().map_err(|e| file_error(path, e))?;
    write_bytes(path, &bytes)
}

fn write_done(out: &Path, runs: usize, shard: Option<String>) -> Result<(), BatchError> {
    let doc = json!({
        "schema_version": 1,
        "lamport_sim_version": env!("CARGO_PKG_VERSION"),
        "complete": true,
        "runs": runs,
        "shard": shard,
    });
    write_text(&out.join("batch.json"), &(serde_json::to_string_pretty(&doc).expect("json") + "\n"))
}

fn write_text(path: &Path, text: &str) -> Result<(), BatchError> {
    write_bytes(path, text.as_bytes())
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), BatchError> {
    crate::rundir::write_atomically(path, bytes).map_err(|e| file_error(path, e))
}

/// The files a batch writes, `batch.json` (the completion mark) first to go.
const BATCH_FILES: [&str; 5] = ["batch.json", "aggregates.json", "aggregates.csv", "runs.csv", "sweep.ron"];

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

/// Progress on stderr: a bar on a terminal, a plain line every 10 % otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    total: u64,
    done: AtomicU64,
    events: AtomicU64,
    minutes_milli: AtomicU64,
    started: Instant,
    last_line: Mutex<u64>,
}

impl Progress {
    fn new(total: u64, enabled: bool) -> Self {
        let terminal = io::stderr().is_terminal();
        let bar = (enabled && terminal).then(|| {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} runs  {msg}  ETA {eta}")
                    .expect("valid template"),
            );
            bar
        });
        Progress {
            bar,
            plain: enabled && !terminal,
            total,
            done: AtomicU64::new(0),
            events: AtomicU64::new(0),
            minutes_milli: AtomicU64::new(0),
            started: Instant::now(),
            last_line: Mutex::new(0),
        }
    }

    fn done(&self, events: u64, minutes: f64) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let events = self.events.fetch_add(events, Ordering::Relaxed) + events;
        let minutes =
            (self.minutes_milli.fetch_add((minutes * 1000.0) as u64, Ordering::Relaxed) as f64) / 1000.0 + minutes;
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let msg = format!("{minutes:.0} simulated min, {:.1}M events/s", events as f64 / secs / 1e6);
        if let Some(bar) = &self.bar {
            bar.set_message(msg);
            bar.inc(1);
        } else if self.plain {
            let tenth = done * 10 / self.total.max(1);
            let mut last = self.last_line.lock().expect("progress lock");
            if tenth > *last || done == self.total {
                *last = tenth;
                let eta = secs / done as f64 * (self.total - done) as f64;
                eprintln!("batch: {done}/{} runs, {msg}, ETA {eta:.0}s", self.total);
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
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
    fn interval_of_known_values() {
        let i = interval(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(i.mean, 2.5);
        let sd = i.sd.unwrap();
        assert!((sd - 1.2909944).abs() < 1e-6);
        let (lo, hi) = i.ci95.unwrap();
        assert!((hi - 2.5 - 3.182 * sd / 2.0).abs() < 1e-9 && (2.5 - lo - (hi - 2.5)).abs() < 1e-12);
        assert_eq!(interval(&[5.0]).ci95, None);
    }
}
