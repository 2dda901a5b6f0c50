//! `batch` and `merge`: the same bytes for any thread count and for sharded runs merged,
//! tidy tables with the right shape, and the analytical model agreeing with measurements.

use crate::util::{dir_bytes, lamport_sim, TestResult};

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
        ["aggregates.csv", "aggregates.json", "batch.json", "runs.csv", "sweep.ron"]
    );
    assert_eq!(one, dir_bytes(&tmp.path().join("two")), "1 thread vs 2 threads");
    assert_eq!(one, dir_bytes(&tmp.path().join("merged")), "unsharded vs 3 shards merged");
    // A shard missing, or given twice, is refused.
    lamport_sim(tmp.path()).args(["merge", "s1", "s2", "--out", "partial"]).assert().code(2);
    lamport_sim(tmp.path()).args(["merge", "s1", "s1", "s2", "s3", "--out", "twice"]).assert().code(2);
    assert!(!tmp.path().join("partial").exists() && !tmp.path().join("twice").exists());
    Ok(())
}

#[test]
fn runs_csv_is_tidy_and_counts_are_exact() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("sweep.ron"), SWEEP)?;
    lamport_sim(tmp.path()).args(["batch", "sweep.ron", "--quiet", "--out", "b"]).assert().success();
    let mut reader = csv::Reader::from_path(tmp.path().join("b/runs.csv"))?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"));
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    assert_eq!(rows.len(), 4 * 6 * 3, "grid points x seeds x machines");
    let mut agreeing = 0;
    for row in &rows {
        let rate: u64 = row[col("rate")].parse()?;
        assert_eq!(row[col("ticks")].parse::<u64>()?, rate * 180, "ticks = rate x 180 s");
        let events: u64 = ["sends", "receives", "internals"].iter().map(|c| row[col(c)].parse::<u64>().unwrap()).sum();
        assert_eq!(events, rate * 180);
        if &row[col("prediction_agrees")] == "true" {
            agreeing += 1;
        }
    }
    assert!(agreeing * 100 >= rows.len() * 95, "the queue model agrees on {agreeing} of {} machines", rows.len());
    let aggregates = std::fs::read_to_string(tmp.path().join("b/aggregates.csv"))?;
    assert_eq!(aggregates.lines().count(), 1 + 4 * 8, "header + points x metrics");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("b/aggregates.json"))?)?;
    let m = &json["points"][0]["metrics"]["jump_mean"];
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
