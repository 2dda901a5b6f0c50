//! The tables of a batch folder: the columns of `runs.csv`, its rows from each run's
//! metrics and the model's predictions, and how a table is written.

use crate::analysis::Prediction;
use crate::batch::{file_error, BatchError, RunResult};
use crate::scenario::{GridPoint, Sweep};
use crate::sinks::MachineMetrics;
use std::path::Path;

use serde_json::Value;

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
    "queue_slope_per_min",
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
    "run_queue_slope_max",
    "run_messages_left",
    "run_prediction_disagreements",
    "completed",
    "stopped_at_s",
    "stopped_queue",
];

/// The run-level columns of `runs.csv` (the `run_` ones) aggregated across seeds per grid
/// point, in `aggregates.csv`, under the same names: `run_jump_mean` is the run's pooled
/// mean jump, never a machine's `jump_mean` (which `machine_aggregates.csv` aggregates).
pub const AGGREGATED: [&str; 8] = [
    "run_jump_mean",
    "run_jump_p99",
    "run_jump_max",
    "run_max_clock_gap",
    "run_final_clock_spread",
    "run_queue_slope_max",
    "run_messages_left",
    "run_prediction_disagreements",
];

/// The per-machine columns of `runs.csv` aggregated across seeds per grid point and
/// machine id, in `machine_aggregates.csv`: the measures from `rate` to
/// `predicted_queue_growth_per_min` (not the machine id, nor the yes/no verdict).
pub const MACHINE_AGGREGATED: &[&str] = RUN_COLUMNS.split_at(1).1.split_at(22).0;

/// Index of `name` in [`RUN_COLUMNS`].
pub(super) fn column(name: &str) -> usize {
    RUN_COLUMNS.iter().position(|c| *c == name).expect("a runs.csv column")
}

pub(super) fn agrees(m: &MachineMetrics, p: &Prediction) -> bool {
    p.agrees_with(m.queue_growth_per_min, m.rate)
}

pub(super) fn header(sweep: &Sweep) -> Vec<String> {
    let mut h: Vec<String> = ["run", "point", "seed"].iter().map(|s| s.to_string()).collect();
    h.extend(sweep.parameter_names().iter().map(|s| s.to_string()));
    h.extend(RUN_COLUMNS.iter().map(|s| s.to_string()));
    h
}

pub(super) fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

pub(super) fn run_records(r: &RunResult, points: &[GridPoint]) -> Vec<csv::StringRecord> {
    let ms = &r.metrics.machines;
    let finals: Vec<u64> = ms.iter().map(|m| m.final_clock).collect();
    let spread = finals.iter().max().unwrap_or(&0) - finals.iter().min().unwrap_or(&0);
    // The machines' fitted queue slopes (not summary.json's queued-at-end per minute).
    let slope_max = ms.iter().map(|m| m.queue_growth_per_min).fold(f64::NEG_INFINITY, f64::max);
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
        slope_max.to_string(),
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
                // queue_slope_per_min: `MachineMetrics::queue_growth_per_min` is the fitted slope.
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

/// A CSV table: `header` then `records`, `\n` line ends.
pub(super) fn csv_bytes(path: &Path, header: &[String], records: &[csv::StringRecord]) -> Result<Vec<u8>, BatchError> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    w.write_record(header).map_err(|e| file_error(path, e))?;
    for r in records {
        w.write_record(r).map_err(|e| file_error(path, e))?;
    }
    w.into_inner().map_err(|e| file_error(path, e))
}

pub(super) fn pretty_json(doc: &Value) -> String {
    serde_json::to_string_pretty(doc).expect("json values serialize") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

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
            column(name);
        }
    }

    /// One name, one meaning: a run-level figure is `run_`-prefixed wherever it appears,
    /// a per-machine one never is, and the fitted queue slope is not called a growth
    /// (summary.json's `queue_growth_per_min` is queued-at-end per minute).
    #[test]
    fn run_level_and_per_machine_metrics_have_distinct_names() {
        assert!(AGGREGATED.iter().all(|name| name.starts_with("run_")), "{AGGREGATED:?}");
        assert!(MACHINE_AGGREGATED.iter().all(|name| !name.starts_with("run_")), "{MACHINE_AGGREGATED:?}");
        let run_level: Vec<&str> = RUN_COLUMNS.iter().copied().filter(|c| c.starts_with("run_")).collect();
        assert_eq!(run_level, AGGREGATED, "every run-level column is aggregated, in order");
        assert_eq!((column("queue_slope_per_min"), column("run_queue_slope_max")), (16, 29));
        assert!(!RUN_COLUMNS.contains(&"queue_growth_per_min") && !RUN_COLUMNS.contains(&"run_queue_growth_max"));
    }
}
