//! `batch` and `merge`: the same bytes for any thread count and for sharded runs merged,
//! tidy tables with the right shape, and the analytical model agreeing with measurements.

use crate::util::{dir_bytes, lamport_sim, Table, TestResult};

const SWEEP: &str = r#"Sweep(
    base: Scenario(machines: 3),
    grid: Grid(
        rates: [Range(min: 1, max: 6), Each([2, 2, 5])],
        event_mix: [
            EventMix(send_next: 1, send_after: 1, send_all: 1, internal: 7),
            EventMix(send_next: 3, send_after: 3, send_all: 3, internal: 1),
        ],
    ),
    seeds: Count(6),
    duration: "3m",
)"#;

#[test]
fn batch_output_is_identical_for_any_threads_and_for_merged_shards() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("sweep.ron"), SWEEP)?;
    let batch = |args: &[&str]| {
        lamport_sim(tmp.path()).args(["batch", "sweep.ron", "--quiet"]).args(args).assert().success();
    };
    batch(&["--threads", "1", "--out", "one"]);
    batch(&["--threads", "2", "--out", "two"]);
    batch(&["--shard", "1/3", "--out", "s1"]);
    batch(&["--shard", "2/3", "--out", "s2"]);
    batch(&["--shard", "3/3", "--out", "s3", "--threads", "1"]);
    lamport_sim(tmp.path()).args(["merge", "s2", "s3", "s1", "--out", "merged"]).assert().success();
    let one = dir_bytes(&tmp.path().join("one"));
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        ["aggregates.csv", "aggregates.json", "batch.json", "machine_aggregates.csv", "runs.csv", "sweep.ron"]
    );
    assert_eq!(one, dir_bytes(&tmp.path().join("two")), "1 thread vs 2 threads");
    assert_eq!(one, dir_bytes(&tmp.path().join("merged")), "unsharded vs 3 shards merged");
    Ok(())
}

#[test]
fn runs_csv_is_tidy_and_counts_are_exact() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("sweep.ron"), SWEEP)?;
    lamport_sim(tmp.path()).args(["batch", "sweep.ron", "--quiet", "--out", "b"]).assert().success();
    let runs = Table::read(&tmp.path().join("b/runs.csv"));
    let (col, rows) = (|name: &str| runs.col(name), &runs.rows);
    assert_eq!(rows.len(), 4 * 6 * 3, "grid points x seeds x machines");
    let mut agreeing = 0;
    let (mut arrived, mut sent) = (0.0, 0);
    for row in rows {
        let rate: u64 = row[col("rate")].parse()?;
        assert_eq!(row[col("ticks")].parse::<u64>()?, rate * 180, "ticks = rate x 180 s");
        let events: u64 = ["sends", "receives", "internals"].iter().map(|c| row[col(c)].parse::<u64>().unwrap()).sum();
        assert_eq!(events, rate * 180);
        if &row[col("prediction_agrees")] == "true" {
            agreeing += 1;
        }
        assert_eq!((&row[col("completed")], &row[col("stopped_at_s")]), ("true", ""));
        // Measured arrivals: what was received plus what still waits, per second.
        let waiting: f64 = row[col("queue_final")].parse()?;
        let arrival: f64 = row[col("arrival_per_s")].parse()?;
        assert_eq!(arrival, (row[col("messages_received")].parse::<f64>()? + waiting) / 180.0);
        arrived += arrival * 180.0;
        sent += row[col("messages_sent")].parse::<u64>()?;
    }
    // No network delay: every message sent reached a queue.
    assert!((arrived - sent as f64).abs() < 1e-6 * sent as f64, "{arrived} arrived, {sent} sent");
    assert!(agreeing * 100 >= rows.len() * 95, "the queue model agrees on {agreeing} of {} machines", rows.len());
    let aggregates = std::fs::read_to_string(tmp.path().join("b/aggregates.csv"))?;
    assert_eq!(aggregates.lines().count(), 1 + 4 * 8, "header + points x metrics");
    assert!(aggregates.starts_with(
        "point,rates,event_mix,metric,n,mean,sd,ci95_low,ci95_high,ci95_half,runs_completed,runs_stopped\n"
    ));
    // The fitted queue slope is named as one (summary.json's queue_growth_per_min is queued
    // at end per minute; the model's predicted_queue_growth_per_min stays a growth rate),
    // and the run's largest is the largest of its machines' slopes.
    for old in ["queue_growth_per_min", "run_queue_growth_max"] {
        assert!(!runs.header.iter().any(|c| c == old), "{:?}", runs.header);
    }
    for run in rows.chunks(3) {
        let slopes = run.iter().map(|row| row[col("queue_slope_per_min")].parse::<f64>().unwrap());
        assert_eq!(run[0][col("run_queue_slope_max")].parse::<f64>()?, slopes.fold(f64::NEG_INFINITY, f64::max));
    }
    // aggregates.csv names each metric as the run-level runs.csv column it summarises (one
    // value per run: its first row), never as a per-machine one.
    let aggregates = Table::read(&tmp.path().join("b/aggregates.csv"));
    let (metric_col, mean_col) = (aggregates.col("metric"), aggregates.col("mean"));
    for (i, row) in aggregates.rows.iter().enumerate() {
        let (point, metric) = (&row[0], &row[metric_col]);
        assert_eq!(metric, lamport_sim::AGGREGATED[i % 8]);
        assert!(metric.starts_with("run_"), "{metric}");
        let values: Vec<f64> = (rows.iter().step_by(3))
            .filter(|r| &r[col("point")] == point)
            .filter_map(|r| r[col(metric)].parse().ok())
            .collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let got: f64 = row[mean_col].parse()?;
        assert!((got - mean).abs() <= 1e-9 * (1.0 + mean.abs()), "point {point} {metric}: {got} vs {mean}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("b/aggregates.json"))?)?;
    assert_eq!(json["schema_version"], 2);
    let m = &json["points"][0]["metrics"]["run_jump_mean"];
    assert_eq!(m["n"], 6);
    let (lo, mean, hi) = (m["ci95"][0].as_f64().unwrap(), m["mean"].as_f64().unwrap(), m["ci95"][1].as_f64().unwrap());
    assert!(lo < mean && mean < hi);
    Ok(())
}

#[test]
fn a_bad_sweep_is_refused_with_its_location() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("bad.ron"), "Sweep(\n    seeds: Count(3),\n    grid: Grid(machines: [0]),\n)")?;
    let out =
        lamport_sim(tmp.path()).args(["batch", "bad.ron", "--out", "x"]).assert().code(2).get_output().stderr.clone();
    let err = String::from_utf8(out)?;
    assert!(err.contains("bad.ron:3:") && err.contains("machines must be between 1"), "{err}");
    assert!(!tmp.path().join("x").exists());
    lamport_sim(tmp.path()).args(["batch", "bad.ron", "--out", "x", "--shard", "4/3"]).assert().code(2);
    Ok(())
}

#[test]
fn logs_flag_writes_checkable_run_folders_and_leaves_the_tables_unchanged() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("sweep.ron"), SWEEP)?;
    lamport_sim(tmp.path()).args(["batch", "sweep.ron", "--quiet", "--out", "plain"]).assert().success();
    lamport_sim(tmp.path()).args(["batch", "sweep.ron", "--quiet", "--logs", "--out", "logged"]).assert().success();
    let (plain, logged) = (dir_bytes(&tmp.path().join("plain")), dir_bytes(&tmp.path().join("logged")));
    assert_eq!(plain, logged, "the tables do not depend on --logs");
    let runs = tmp.path().join("logged/runs");
    assert_eq!(std::fs::read_dir(&runs)?.count(), 24);
    for run in ["run-0", "run-23"] {
        lamport_sim(tmp.path()).arg("check").arg(runs.join(run)).assert().success();
    }
    // --force replaces the batch, run folders included.
    lamport_sim(tmp.path()).args(["batch", "sweep.ron", "--quiet", "--logs", "--out", "logged"]).assert().code(2);
    lamport_sim(tmp.path())
        .args(["batch", "sweep.ron", "--quiet", "--logs", "--force", "--out", "logged"])
        .assert()
        .success();
    Ok(())
}

/// Runs `lamport-sim` in `dir` expecting exit code 2; returns its stderr.
fn refused(dir: &std::path::Path, args: &[&str]) -> String {
    let out = lamport_sim(dir).args(args).assert().code(2).get_output().stderr.clone();
    String::from_utf8(out).expect("UTF-8 stderr")
}

/// Runs `sweep.ron` in `dir` as shards `1/n` ... `n/n` into `s1` ... `sn`.
fn shards(dir: &std::path::Path, n: usize) {
    for k in 1..=n {
        lamport_sim(dir)
            .args(["batch", "sweep.ron", "--quiet", "--shard", &format!("{k}/{n}"), "--out", &format!("s{k}")])
            .assert()
            .success();
    }
}

#[test]
fn merge_names_the_missing_or_repeated_shard_and_the_input_folders() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("sweep.ron"), SWEEP)?;
    shards(tmp.path(), 3);
    let err = refused(tmp.path(), &["merge", "s1", "s3", "--out", "mx1"]);
    assert_eq!(
        err,
        "error: shard 2/3 is missing (given: s1 (shard 1/3), s3 (shard 3/3)); merge every shard exactly once\n"
    );
    let err = refused(tmp.path(), &["merge", "s1", "s2", "s3", "s2", "--out", "mx2"]);
    assert!(err.contains("s2 and s2 are both shard 2/3") && !err.contains("mx2"), "{err}");
    lamport_sim(tmp.path()).args(["batch", "sweep.ron", "--quiet", "--shard", "1/2", "--out", "h1"]).assert().success();
    let err = refused(tmp.path(), &["merge", "s1", "h1", "s2", "s3", "--out", "mx3"]);
    assert!(err.contains("s1 (shard 1/3) and h1 (shard 1/2) are shards of different splits"), "{err}");
    assert!(!tmp.path().join("mx1").exists() && !tmp.path().join("mx2").exists() && !tmp.path().join("mx3").exists());
    Ok(())
}

#[test]
fn merge_refuses_a_shard_table_cut_short_or_edited() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("sweep.ron"), SWEEP)?;
    shards(tmp.path(), 2);
    let runs = tmp.path().join("s2/runs.csv");
    let good = std::fs::read_to_string(&runs)?;
    // The last row cut off (at its line end, so the CSV is still well formed).
    let body = good.trim_end_matches('\n');
    std::fs::write(&runs, &good[..body.rfind('\n').ok_or("rows")? + 1])?;
    let err = refused(tmp.path(), &["merge", "s1", "s2", "--out", "m"]);
    assert!(
        err.starts_with("error: s2/runs.csv: shard 2/2: has 35 data rows but batch.json records 36:")
            && err.contains("rerun this shard"),
        "{err}"
    );
    // One value changed, same length and row count.
    let row = good.lines().nth(1).ok_or("a row")?;
    let changed = row.replacen(",180,", ",181,", 1);
    assert_ne!(row, changed);
    std::fs::write(&runs, good.replacen(row, &changed, 1))?;
    let err = refused(tmp.path(), &["merge", "s1", "s2", "--out", "m"]);
    assert!(err.starts_with("error: s2/runs.csv: shard 2/2: does not match batch.json"), "{err}");
    // sweep.ron is checked too.
    std::fs::write(&runs, &good)?;
    let sweep = tmp.path().join("s1/sweep.ron");
    std::fs::write(&sweep, std::fs::read_to_string(&sweep)?.replace("Count(6)", "Count(7)"))?;
    let err = refused(tmp.path(), &["merge", "s1", "s2", "--out", "m"]);
    assert!(err.starts_with("error: s1/sweep.ron: shard 1/2: does not match batch.json"), "{err}");
    assert!(!tmp.path().join("m").exists());
    Ok(())
}

/// FNV-1a 64, as `batch.json` records it.
fn fnv1a64(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("{hash:016x}")
}

/// A shard whose `runs.csv` has other columns (here: one written before `queue_slope_per_min`
/// was renamed from `queue_growth_per_min`) is refused even when its `batch.json` vouches
/// for the file, naming the column.
#[test]
fn merge_refuses_a_shard_with_other_columns() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("sweep.ron"), SWEEP)?;
    shards(tmp.path(), 2);
    let runs = tmp.path().join("s2/runs.csv");
    let good = std::fs::read_to_string(&runs)?;
    let (head, body) = good.split_once('\n').ok_or("a header")?;
    assert!(head.contains(",queue_slope_per_min,") && head.contains(",run_queue_slope_max,"), "{head}");
    let old = format!("{}\n{body}", head.replace("queue_slope_per_min", "queue_growth_per_min"));
    std::fs::write(&runs, &old)?;
    // Its batch.json records the file as written, so only the columns tell.
    let done_path = tmp.path().join("s2/batch.json");
    let mut done: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&done_path)?)?;
    done["files"]["runs.csv"]["bytes"] = old.len().into();
    done["files"]["runs.csv"]["fnv1a64"] = fnv1a64(old.as_bytes()).into();
    std::fs::write(&done_path, serde_json::to_string_pretty(&done)?)?;
    let err = refused(tmp.path(), &["merge", "s1", "s2", "--out", "m"]);
    assert!(
        err.starts_with("error: s2/runs.csv: its columns differ from this version's runs.csv (column ")
            && err.contains(" is \"queue_growth_per_min\", this version writes \"queue_slope_per_min\")")
            && err.contains("rerun this shard"),
        "{err}"
    );
    assert!(!tmp.path().join("m").exists());
    // The same shard with this version's columns merges.
    std::fs::write(&runs, &good)?;
    done["files"]["runs.csv"]["bytes"] = good.len().into();
    done["files"]["runs.csv"]["fnv1a64"] = fnv1a64(good.as_bytes()).into();
    std::fs::write(&done_path, serde_json::to_string_pretty(&done)?)?;
    lamport_sim(tmp.path()).args(["merge", "s1", "s2", "--out", "m"]).assert().success();
    Ok(())
}

#[test]
fn bad_sweeps_get_one_clear_line() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let cases = [
        ("Sweep(base: Scenario(machines: 3), grid: Grid(rates: []), seeds: Count(2))", "grid rates is an empty list"),
        ("Sweep(seeds: List([1, 1, 2]))", "seeds lists seed 1 more than once"),
        (
            "Sweep(seeds: Count(-1))",
            "s.ron:1:21: Integer is out of bounds in `seeds`: expected a whole number from 0 to 18446744073709551615",
        ),
        (
            "Sweep(base: Scenario(machines: 3), grid: Grid(rates: [Each([1,2])]), seeds: Count(2))",
            "grid point (rates: Each([1,2])): rates lists 2 rates but there are 3 machines",
        ),
    ];
    for (text, expected) in cases {
        std::fs::write(tmp.path().join("s.ron"), text)?;
        let err = refused(tmp.path(), &["batch", "s.ron", "--out", "x"]);
        assert!(err.starts_with("error: s.ron:") && err.contains(expected), "{text}: {err}");
        assert_eq!((err.matches("s.ron").count(), err.lines().count()), (1, 1), "{err}");
        assert!(!tmp.path().join("x").exists());
    }
    Ok(())
}

#[test]
fn an_empty_shard_reports_zero_minutes_not_minus_zero() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("one.ron"), "Sweep(seeds: Count(1), duration: \"10s\")")?;
    let out = lamport_sim(tmp.path())
        .args(["batch", "one.ron", "--shard", "2/2", "--out", "s2"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out)?;
    assert!(out.starts_with("batch: 0 runs, 0 simulated minutes"), "{out}");
    Ok(())
}

/// Runs of a 1..=6 rate draw flood a slow machine's queue, which stops some runs at this
/// `queue_limit`; 6/6/6 never does.
const FLOODING: &str = r#"Sweep(
    base: Scenario(machines: 3, queue_limit: 40),
    grid: Grid(rates: [Range(min: 1, max: 6), Each([6, 6, 6])]),
    seeds: Count(8),
    duration: "5m",
)"#;

/// The folders `--logs` writes for runs stopped at the queue limit are valid runs that
/// stopped early: `check` passes them (and says so), as it passes the completed ones.
#[test]
fn stopped_runs_written_with_logs_pass_check() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("sweep.ron"), FLOODING)?;
    lamport_sim(tmp.path()).args(["batch", "sweep.ron", "--quiet", "--logs", "--out", "b"]).assert().success();
    let mut stopped = 0;
    for entry in std::fs::read_dir(tmp.path().join("b/runs"))? {
        let run = entry?.path();
        let check = lamport_sim(tmp.path()).arg("check").arg(&run).assert().success();
        let stdout = String::from_utf8(check.get_output().stdout.clone())?;
        if run.join("INCOMPLETE").exists() {
            stopped += 1;
            assert!(stdout.contains("note: the run is marked INCOMPLETE"), "{stdout}");
        }
    }
    assert!(stopped > 0, "the sweep has runs stopped at the limit");
    Ok(())
}

#[test]
fn a_run_reaching_the_queue_limit_is_recorded_as_stopped_and_the_others_complete() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("sweep.ron"), FLOODING)?;
    let sweep = lamport_sim::Sweep::load(&tmp.path().join("sweep.ron"))?;
    let options = lamport_sim::BatchOptions { threads: 2, shard: None, logs: false, on_run_done: None };
    let report = lamport_sim::run_batch(&sweep, &tmp.path().join("b"), false, options)?;
    let runs = Table::read(&tmp.path().join("b/runs.csv"));
    let (col, rows) = (|name: &str| runs.col(name), &runs.rows);
    assert_eq!(rows.len(), 2 * 8 * 3, "every run has its rows, stopped or not");
    let (mut stopped, mut completed_jumps) = (0, Vec::new());
    for run in rows.chunks(3) {
        let first = &run[0];
        let point = &first[col("point")];
        match &first[col("completed")] {
            "false" => {
                assert_eq!(point, "0", "6/6/6 never floods");
                stopped += 1;
                assert_eq!((&first[col("prediction_agrees")], &first[col("run_prediction_disagreements")]), ("", ""));
                let at: f64 = first[col("stopped_at_s")].parse()?;
                assert!(0.0 < at && at < 300.0, "{at}");
                let flooded: usize = first[col("stopped_queue")].parse()?;
                assert_eq!(&run[flooded][col("queue_final")], "40", "the machine named reached the limit");
                for row in run {
                    // Measured up to the stop, not over the full five minutes.
                    let rate: f64 = row[col("rate")].parse()?;
                    let ticks: f64 = row[col("ticks")].parse()?;
                    assert!((ticks - rate * at).abs() <= 1.0, "{ticks} ticks at {rate}/s in {at} s");
                }
            }
            "true" => {
                assert_eq!(&first[col("stopped_at_s")], "");
                if point == "0" {
                    completed_jumps.push(first[col("run_jump_mean")].parse::<f64>()?);
                }
            }
            other => panic!("completed is {other}"),
        }
    }
    assert!(stopped > 0 && !completed_jumps.is_empty(), "the sweep has both kinds of run at point 0");
    assert_eq!((report.runs, report.stopped), (16, stopped));
    assert!(report.simulated_minutes < 16.0 * 5.0);
    // Aggregates cover completed runs only, and count both.
    let aggregates = Table::read(&tmp.path().join("b/aggregates.csv"));
    let cell = |row: &csv::StringRecord, name: &str| row[aggregates.col(name)].to_string();
    let row = (aggregates.rows.iter())
        .find(|r| cell(r, "point") == "0" && cell(r, "metric") == "run_jump_mean")
        .ok_or("run_jump_mean row")?;
    let completed = completed_jumps.len();
    assert_eq!(
        (cell(row, "runs_stopped"), cell(row, "runs_completed"), cell(row, "n")),
        (stopped.to_string(), completed.to_string(), completed.to_string())
    );
    let mean = completed_jumps.iter().sum::<f64>() / completed as f64;
    assert!((cell(row, "mean").parse::<f64>()? - mean).abs() < 1e-12, "{row:?}: mean of completed runs {mean}");
    let done: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(tmp.path().join("b/batch.json"))?)?;
    assert_eq!(done["runs_stopped"], stopped);
    // Still the same bytes for any thread count and after shard + merge.
    let batch = |args: &[&str]| {
        lamport_sim(tmp.path()).args(["batch", "sweep.ron", "--quiet"]).args(args).assert().success();
    };
    let stdout = lamport_sim(tmp.path())
        .args(["batch", "sweep.ron", "--threads", "1", "--out", "one"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let runs = if stopped == 1 { "run" } else { "runs" };
    let said = format!("note: {stopped} {runs} stopped early: a queue reached the scenario's queue_limit");
    assert!(String::from_utf8_lossy(&stdout).contains(&said), "the user is told: {}", String::from_utf8_lossy(&stdout));
    batch(&["--shard", "1/3", "--out", "s1"]);
    batch(&["--shard", "2/3", "--out", "s2"]);
    batch(&["--shard", "3/3", "--out", "s3"]);
    lamport_sim(tmp.path()).args(["merge", "s3", "s1", "s2", "--out", "merged"]).assert().success();
    let b = dir_bytes(&tmp.path().join("b"));
    assert_eq!(b, dir_bytes(&tmp.path().join("one")), "2 threads vs 1");
    assert_eq!(b, dir_bytes(&tmp.path().join("merged")), "unsharded vs merged");
    Ok(())
}

#[test]
fn machine_aggregates_summarise_each_machine_of_each_point() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("sweep.ron"), SWEEP)?;
    lamport_sim(tmp.path()).args(["batch", "sweep.ron", "--quiet", "--out", "b"]).assert().success();
    let table = Table::read(&tmp.path().join("b/machine_aggregates.csv"));
    assert_eq!(
        table.header.join(","),
        "point,rates,event_mix,machine,metric,n,mean,sd,ci95_low,ci95_high,ci95_half,runs_completed,runs_stopped"
    );
    let rows = &table.rows;
    let metrics = lamport_sim::MACHINE_AGGREGATED;
    assert_eq!(rows.len(), 4 * 3 * metrics.len(), "points x machines x metrics");
    // Recompute every statistic from runs.csv.
    let runs = Table::read(&tmp.path().join("b/runs.csv"));
    for (i, row) in rows.iter().enumerate() {
        let (point, machine, metric) = (&row[0], &row[3], &row[4]);
        assert_eq!(
            (point, machine, metric),
            (
                &*(i / (3 * metrics.len())).to_string(),
                &*(i / metrics.len() % 3).to_string(),
                metrics[i % metrics.len()]
            )
        );
        let (c, point_col, machine_col) = (runs.col(metric), runs.col("point"), runs.col("machine"));
        let values: Vec<f64> = (runs.rows.iter())
            .filter(|r| &r[point_col] == point && &r[machine_col] == machine)
            .filter_map(|r| r[c].parse().ok())
            .collect();
        let n = values.len() as f64;
        assert_eq!(row[5].parse::<f64>()?, n, "{point} {machine} {metric}");
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        // Student's t for 1..=5 degrees of freedom (a machine with no receive in a run has
        // no jump figures, so n can be below 6).
        let half = [12.706, 4.303, 3.182, 2.776, 2.571][values.len() - 2] * sd / n.sqrt();
        let close =
            |cell: &str, want: f64| cell.parse::<f64>().is_ok_and(|v| (v - want).abs() <= 1e-9 * (1.0 + want.abs()));
        assert!(close(&row[6], mean) && close(&row[7], sd), "{row:?}: mean {mean}, sd {sd}");
        assert!(close(&row[8], mean - half) && close(&row[9], mean + half) && close(&row[10], half), "{row:?}");
        assert_eq!((&row[11], &row[12]), ("6", "0"));
    }
    // Fixed rates: machine 2 of Each([2,2,5]) is the 5-tick/s machine in every run.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("b/aggregates.json"))?)?;
    let rate = &json["points"][2]["machines"][2]["metrics"]["rate"];
    assert_eq!((rate["n"].as_u64(), rate["mean"].as_f64(), rate["sd"].as_f64()), (Some(6), Some(5.0), Some(0.0)));
    assert_eq!(json["points"][2]["machines"][2]["metrics"]["ticks"]["mean"].as_f64(), Some(900.0));
    Ok(())
}
