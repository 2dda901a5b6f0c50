//! Aggregates across seeds: per grid point and metric (and per machine), the mean, sample
//! standard deviation and 95 % confidence interval of the completed runs, from the rows of
//! `runs.csv` (so a batch and a merge of its shards aggregate the same text).

use std::path::Path;

use serde_json::{json, Value};

use crate::batch::files::Manifest;
use crate::batch::tables::{csv_bytes, opt, pretty_json, AGGREGATED, MACHINE_AGGREGATED};
use crate::batch::BatchError;
use crate::scenario::Sweep;

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
pub(super) fn write_aggregates(
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
    let run_cols: Vec<usize> = AGGREGATED.iter().map(|name| col(name)).collect();
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
    // Version 2: metrics named as in aggregates.csv (`run_jump_mean`, `queue_slope_per_min`).
    let doc = json!({"schema_version": 2, "confidence": 0.95, "points": json_points});
    manifest.write(out, "aggregates.json", pretty_json(&doc).as_bytes(), None)?;
    Ok(per_point.iter().map(|p| p.stopped).sum())
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
        assert_eq!(i.ci95_half, Some(3.182 * sd / 2.0));
        assert_eq!(interval(&[5.0]).ci95, None);
    }
}
