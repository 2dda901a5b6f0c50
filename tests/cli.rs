//! The command line through the real binary: the no-argument classic run, its printed
//! replay command, flags, a closed stdout pipe, and Ctrl-C.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::util::{assert_same_run, bump_clock, check_spec, corrupt_copy, lamport_sim, read_log, LogFile, TestResult};

#[test]
fn no_arguments_runs_the_classic_experiment_into_runs() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let output = lamport_sim(tmp.path()).arg("run").assert().success().get_output().stdout.clone();
    let stdout = String::from_utf8(output)?;
    let runs: Vec<_> = std::fs::read_dir(tmp.path().join("runs"))?.collect::<Result<_, _>>()?;
    assert_eq!(runs.len(), 1, "one new folder under runs/");
    let dir = runs[0].path();
    let mut names: Vec<String> = std::fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    names.sort();
    assert_eq!(names, ["machine-0.csv", "machine-1.csv", "machine-2.csv", "scenario.ron", "summary.json"]);
    check_spec(&dir, 3, false)?;
    // The summary table names each machine, and the replay command is printed.
    for header in ["machine", "rate", "send", "receive", "internal", "final_clock", "max_jump", "max_queue"] {
        assert!(stdout.contains(header), "stdout lacks {header}:\n{stdout}");
    }
    let replay_line = stdout.lines().find(|l| l.starts_with("replay:")).expect("a replay line");
    let command = replay_line.trim_start_matches("replay:").trim();
    let args: Vec<&str> = command.split_whitespace().collect();
    assert!(args[0].ends_with("lamport-sim"), "{command}");
    // Running the printed command (program as invoked) reproduces the run.
    Command::new(args[0])
        .current_dir(tmp.path())
        .args(&args[1..])
        .status()?
        .success()
        .then_some(())
        .ok_or("replay failed")?;
    let replay_dir = tmp.path().join(args[args.len() - 1]);
    assert_same_run(&dir, &replay_dir);
    Ok(())
}

#[test]
fn flags_override_the_scenario() -> TestResult {
    let tmp = tempfile::tempdir()?;
    lamport_sim(tmp.path())
        .args(["run", "--seed", "3", "--rates", "1,3,6,2", "--duration", "2m", "--out", "x"])
        .assert()
        .success();
    let dir = tmp.path().join("x");
    for (id, rate) in [1u64, 3, 6, 2].iter().enumerate() {
        assert_eq!(read_log(&dir, id as u32).len() as u64, rate * 120, "machine {id}");
    }
    let scenario = std::fs::read_to_string(dir.join("scenario.ron"))?;
    assert!(scenario.contains("seed: 3,") && scenario.contains("rates: Each([1, 3, 6, 2])"), "{scenario}");
    lamport_sim(tmp.path())
        .args(["run", "--machines", "7", "--rates", "4-6", "--duration", "10", "--out", "y"])
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("y/summary.json"))?)?;
    let machines = summary["machines"].as_array().unwrap();
    assert_eq!(machines.len(), 7);
    assert!(machines.iter().all(|m| (4..=6).contains(&m["rate"].as_u64().unwrap())));
    Ok(())
}

#[test]
fn closed_stdout_is_a_quiet_exit() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let bin = assert_cmd::cargo::cargo_bin("lamport-sim");
    let mut child = Command::new(bin)
        .current_dir(tmp.path())
        .args(["run", "--seed", "1", "--duration", "600", "--out", "x"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    drop(child.stdout.take()); // the reader goes away before anything is written
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr)?;
    let status = child.wait()?;
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("error") && !stderr.contains("panicked"), "{stderr}");
    assert!(tmp.path().join("x/summary.json").exists(), "the run itself completed");
    Ok(())
}

#[test]
fn the_summary_says_which_queues_grow() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let stdout = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
        Ok(String::from_utf8(lamport_sim(tmp.path()).args(args).assert().success().get_output().stdout.clone())?)
    };
    // Rates 6, 6, 1: the slow machine receives from two fast ones.
    let flooded = stdout(&["run", "--rates", "6,6,1", "--seed", "7", "--out", "flooded"])?;
    assert!(flooded.contains("note:     machine 2's queue grows: messages arrive at 2.00/s"), "{flooded}");
    let even = stdout(&["run", "--rates", "5,5,5", "--seed", "7", "--out", "even"])?;
    assert!(!even.contains("queue grows"), "{even}");
    Ok(())
}

/// `check` on what is not a checkable run says what it is; extra logs and an interrupted
/// run get a note.
#[test]
fn check_says_what_it_cannot_check_and_notes_the_unusual() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let refused = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
        Ok(String::from_utf8(lamport_sim(tmp.path()).args(args).assert().code(2).get_output().stderr.clone())?)
    };
    lamport_sim(tmp.path()).args(["run", "--seed", "3", "--stats-only", "--out", "stats"]).assert().success();
    let stderr = refused(&["check", "stats"])?;
    assert!(stderr.contains("this run has no per-event logs (a --stats-only run)"), "{stderr}");
    std::fs::write(tmp.path().join("a-file"), "x")?;
    assert!(refused(&["check", "a-file"])?.contains("a-file: is not a run folder"));
    assert!(refused(&["check", "nowhere"])?.contains("nowhere: does not exist"));

    lamport_sim(tmp.path()).args(["run", "--seed", "3", "--out", "logs"]).assert().success();
    std::fs::copy(tmp.path().join("logs/machine-0.csv"), tmp.path().join("logs/machine-7.csv"))?;
    let stdout = lamport_sim(tmp.path()).args(["check", "logs"]).assert().success().get_output().stdout.clone();
    let stdout = String::from_utf8(stdout)?;
    assert!(stdout.contains("note: not checked: machine-7.csv (the run has 3 machines)"), "{stdout}");
    std::fs::write(tmp.path().join("logs/INCOMPLETE"), "stopped\n")?;
    let stdout = lamport_sim(tmp.path()).args(["check", "logs"]).assert().success().get_output().stdout.clone();
    assert!(String::from_utf8(stdout)?.contains("note: the run is marked INCOMPLETE"));
    Ok(())
}

/// A --stats-only run replays as one (byte-identical), and says how to get its logs.
#[test]
fn a_stats_only_run_replays_without_logs() -> TestResult {
    let tmp = tempfile::tempdir()?;
    lamport_sim(tmp.path()).args(["run", "--seed", "3", "--stats-only", "--out", "a"]).assert().success();
    let replay = lamport_sim(tmp.path()).args(["replay", "a", "--out", "b"]).assert().success();
    let stderr = String::from_utf8(replay.get_output().stderr.clone())?;
    assert!(stderr.contains("has no logs (a --stats-only run), so neither has its replay"), "{stderr}");
    assert_same_run(&tmp.path().join("a"), &tmp.path().join("b"));
    Ok(())
}

/// The exit code of `lamport-sim args` (run in `cwd`) when its stdout reader is gone before
/// anything is written.
fn exit_code_with_closed_stdout(cwd: &Path, args: &[&str]) -> Result<Option<i32>, Box<dyn std::error::Error>> {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("lamport-sim"))
        .current_dir(cwd)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    drop(child.stdout.take());
    Ok(child.wait()?.code())
}

/// `lamport-sim check DIR | head -1` under `set -o pipefail` must still fail on a violation.
#[test]
fn a_closed_stdout_keeps_the_verdict_of_check_and_diff() -> TestResult {
    let tmp = tempfile::tempdir()?;
    for (dir, seed) in [("a", "1"), ("b", "2")] {
        lamport_sim(tmp.path()).args(["run", "--seed", seed, "--out", dir]).assert().success();
    }
    // Machine 0's first INTERNAL event turned into a SEND (to nobody).
    let mut log = LogFile::read(&tmp.path().join("b"), 0);
    let i = log.rows().iter().position(|r| r.event == "INTERNAL").ok_or("an INTERNAL row")?;
    log.set(i, "event", "SEND");
    std::fs::write(tmp.path().join("b/machine-0.csv"), log.to_text())?;
    assert_eq!(exit_code_with_closed_stdout(tmp.path(), &["check", "a"])?, Some(0));
    assert_eq!(exit_code_with_closed_stdout(tmp.path(), &["check", "b"])?, Some(1));
    assert_eq!(exit_code_with_closed_stdout(tmp.path(), &["diff", "a", "a"])?, Some(0));
    assert_eq!(exit_code_with_closed_stdout(tmp.path(), &["diff", "a", "b"])?, Some(1));
    Ok(())
}

#[cfg(unix)]
#[test]
fn ctrl_c_flushes_the_logs_and_marks_the_run_incomplete() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let bin = assert_cmd::cargo::cargo_bin("lamport-sim");
    // Far too long to finish: about 1.5e9 events.
    let mut child = Command::new(bin)
        .current_dir(tmp.path())
        .args(["run", "--seed", "1", "--rates", "1000,2000,3000", "--duration", "100h", "--out", "x"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let dir = tmp.path().join("x");
    // Wait until the run is under way (its first log bytes exist), then interrupt it.
    for _ in 0..200 {
        if std::fs::metadata(dir.join("machine-0.csv")).is_ok_and(|m| m.len() > 100_000) {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    Command::new("kill").args(["-INT", &child.id().to_string()]).status()?;
    let status = child.wait()?;
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr)?;
    assert_eq!(status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("INCOMPLETE"), "{stderr}");
    assert!(dir.join("INCOMPLETE").exists());
    assert!(!dir.join("summary.json").exists(), "an interrupted run must not look complete");
    assert!(dir.join("scenario.ron").exists());
    // An interrupted run is a valid run that stopped early: `check` passes it.
    let check = lamport_sim(tmp.path()).args(["check", "x"]).assert().success();
    assert!(String::from_utf8(check.get_output().stdout.clone())?.contains("note: the run is marked INCOMPLETE"));
    for id in 0..3 {
        let bytes = std::fs::read(dir.join(format!("machine-{id}.csv")))?;
        assert!(bytes.ends_with(b"\n"), "machine {id}: the log ends with a whole row");
        assert!(read_log(&dir, id).len() > 10, "machine {id}: events before the interrupt were flushed");
    }
    check_spec(&dir, 3, false)?;
    Ok(())
}

#[test]
fn an_unwritable_out_directory_is_an_error_not_a_silent_loss() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(tmp.path().join("a-file"), "not a directory")?;
    let assert = lamport_sim(tmp.path()).args(["run", "--seed", "1", "--out", "a-file/run"]).assert().code(2);
    let stderr = String::from_utf8(assert.get_output().stderr.clone())?;
    assert!(stderr.starts_with("error: ") && stderr.contains("a-file/run"), "{stderr}");
    assert!(!stderr.contains("panicked"));
    lamport_sim(tmp.path()).args(["run", "--seed", "1", "--out", "a-file"]).assert().code(2);
    assert_eq!(std::fs::read_to_string(tmp.path().join("a-file"))?, "not a directory", "the file is untouched");
    Ok(())
}

#[test]
fn check_passes_a_run_and_names_the_line_of_a_corruption() -> TestResult {
    let tmp = tempfile::tempdir()?;
    lamport_sim(tmp.path()).args(["run", "--seed", "1", "--out", "good"]).assert().success();
    lamport_sim(tmp.path())
        .args(["check", "good"])
        .assert()
        .success()
        .stdout(predicates::str::contains("ok: no violation"));
    corrupt_copy(&tmp.path().join("good"), &tmp.path().join("bad"), 1, 30, |log, i| bump_clock(log, i, 7))?;
    let out = lamport_sim(tmp.path()).args(["check", "bad"]).assert().code(1).get_output().stdout.clone();
    let out = String::from_utf8(out)?;
    let first = out.lines().find(|l| l.contains(".csv:")).ok_or("a violation line")?;
    assert!(first.starts_with("bad/machine-1.csv:30: "), "the path as given, like diff's: {out}");
    assert!(out.contains("FAILED"), "{out}");
    // An unreadable log is exit 2 with file:line, not a violation.
    corrupt_copy(&tmp.path().join("good"), &tmp.path().join("unreadable"), 0, 5, |log, i| {
        log.lines[i] = "x,y,z".into();
    })?;
    let err = lamport_sim(tmp.path()).args(["check", "unreadable"]).assert().code(2).get_output().stderr.clone();
    let err = String::from_utf8(err)?;
    assert!(err.contains("machine-0.csv:5:") && !err.contains("panicked"), "{err}");
    Ok(())
}

#[test]
fn diff_shows_where_runs_part_and_the_causal_past() -> TestResult {
    let tmp = tempfile::tempdir()?;
    lamport_sim(tmp.path()).args(["run", "--seed", "1", "--out", "a"]).assert().success();
    lamport_sim(tmp.path()).args(["run", "--seed", "1", "--out", "b"]).assert().success();
    lamport_sim(tmp.path()).args(["diff", "a", "b"]).assert().success().stdout(predicates::str::contains("identical"));
    let rows = read_log(&tmp.path().join("a"), 2);
    // The 10th RECEIVE of machine 2, at file line n + 2.
    let n = rows.iter().enumerate().filter(|(_, r)| r.event == "RECEIVE").nth(9).ok_or("ten receives")?.0;
    let line = n + 2;
    corrupt_copy(&tmp.path().join("a"), &tmp.path().join("c"), 2, line, |log, i| bump_clock(log, i, 100))?;
    let out = lamport_sim(tmp.path()).args(["diff", "a", "c"]).assert().code(1).get_output().stdout.clone();
    let out = String::from_utf8(out)?;
    assert!(out.contains(&format!("machine-2.csv:{line}: ")), "{out}");
    assert!(out.contains("causal past of A's event"), "{out}");
    // The direct causes: machine 2's previous row and the SEND of the received message.
    let sender = &rows[n].peer;
    assert!(out.contains(&format!("machine-2.csv:{}: ", line - 1)), "{out}");
    assert!(out.lines().any(|l| l.contains(&format!("machine-{sender}.csv:")) && l.contains("SEND")), "{out}");
    lamport_sim(tmp.path()).args(["run", "--seed", "2", "--out", "d"]).assert().success();
    lamport_sim(tmp.path()).args(["diff", "a", "d"]).assert().code(1).stdout(predicates::str::contains("seed: 1"));
    Ok(())
}

#[test]
fn a_flooded_queue_stops_the_run_with_a_clear_error_at_the_limit() -> TestResult {
    let tmp = tempfile::tempdir()?;
    std::fs::write(
        tmp.path().join("flood.ron"),
        "(rates: Each([1, 6, 6]), duration: \"10m\", seed: 2, queue_limit: 40)",
    )?;
    let out =
        lamport_sim(tmp.path()).args(["run", "flood.ron", "--out", "x"]).assert().code(2).get_output().stderr.clone();
    let err = String::from_utf8(out)?;
    assert!(err.contains("machine 0's queue reached the queue_limit of 40 messages"), "{err}");
    let dir = tmp.path().join("x");
    assert!(dir.join("INCOMPLETE").exists() && !dir.join("summary.json").exists());
    let last = read_log(&dir, 0).last().cloned().ok_or("machine 0 logged events")?;
    assert!(last.queue_len >= 38, "the log shows the queue filling up: {last:?}");
    Ok(())
}
