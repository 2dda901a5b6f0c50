//! The command line's conventions, the same in every command: `--quiet` prints nothing on
//! success, `--json` prints one document with its schema version (pinned by snapshots),
//! `-` reads standard input, completions and the man page print, and words read right.

use std::path::Path;

use serde_json::Value;

use crate::util::{bump_clock, corrupt_copy, lamport_sim, TestResult};

/// A short seeded run, small enough for a snapshot.
const SMALL: &[&str] = &["--seed", "7", "--machines", "2", "--rates", "1,3", "--duration", "4s"];

/// Runs `args` in `dir`, expecting exit `code`; returns stdout and stderr.
fn output(dir: &Path, args: &[&str], code: i32) -> (String, String) {
    let out = lamport_sim(dir).args(args).assert().code(code).get_output().clone();
    (String::from_utf8(out.stdout).expect("UTF-8"), String::from_utf8(out.stderr).expect("UTF-8"))
}

/// Runs `args` with `--json`, expecting exit `code`; the parsed document, its schema
/// version and command checked.
fn json(dir: &Path, args: &[&str], code: i32, command: &str) -> Value {
    let (stdout, _) = output(dir, &[args, &["--json"]].concat(), code);
    assert_eq!(stdout.lines().count(), 1, "one document, one line: {stdout}");
    let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(doc["schema_version"], 1, "{doc}");
    assert_eq!(doc["command"], command, "{doc}");
    doc
}

#[test]
fn quiet_commands_print_nothing_on_success() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    std::fs::write(dir.join("sweep.ron"), "Sweep(seeds: Count(2), duration: \"5s\")")?;
    // `--quiet` after the command, `-q` before it (a global flag), each into its own folders.
    for (flag, x) in [("--quiet", "1"), ("-q", "2")] {
        let f = |name: &str| format!("{name}{x}");
        let commands: Vec<Vec<String>> = vec![
            [&["run", "--out", &f("a")], SMALL].concat().iter().map(|s| s.to_string()).collect(),
            vec!["replay".into(), f("a"), "--out".into(), f("b"), "--check-determinism".into()],
            vec!["check".into(), f("a")],
            vec!["diff".into(), f("a"), f("b")],
            vec!["batch".into(), "sweep.ron".into(), "--out".into(), f("whole")],
            vec!["batch".into(), "sweep.ron".into(), "--shard".into(), "1/2".into(), "--out".into(), f("s1-")],
            vec!["batch".into(), "sweep.ron".into(), "--shard".into(), "2/2".into(), "--out".into(), f("s2-")],
            vec!["merge".into(), f("s1-"), f("s2-"), "--out".into(), f("merged")],
        ];
        for command in commands {
            let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
            if flag == "-q" {
                args.insert(0, flag);
            } else {
                args.push(flag);
            }
            let (stdout, stderr) = output(dir, &args, 0);
            assert_eq!((stdout.as_str(), stderr.as_str()), ("", ""), "lamport-sim {}", args.join(" "));
        }
    }
    // Not quiet, the same commands say something.
    let (stdout, stderr) = output(dir, &["check", "a1"], 0);
    assert!(stdout.contains("ok: no violation") && stderr.is_empty(), "{stdout}{stderr}");
    let (stdout, stderr) = output(dir, &["batch", "sweep.ron", "--out", "loud"], 0);
    assert!(stdout.starts_with("batch: 2 runs,") && stderr.contains("events/s"), "{stdout}{stderr}");
    Ok(())
}

#[test]
fn a_failed_verdict_under_quiet_is_only_its_exit_code() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    output(dir, &[&["run", "--out", "a"], SMALL].concat(), 0);
    output(dir, &["run", "--seed", "8", "--machines", "2", "--rates", "1,3", "--duration", "4s", "--out", "b"], 0);
    assert_eq!(output(dir, &["diff", "a", "b", "--quiet"], 1), (String::new(), String::new()));
    // A real error still speaks: exit 2 and a message on stderr.
    let (stdout, stderr) = output(dir, &["check", "missing", "--quiet"], 2);
    assert!(stdout.is_empty() && stderr.starts_with("error: "), "{stderr}");
    Ok(())
}

#[test]
fn json_documents_parse_carry_their_schema_and_match_the_snapshots() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    let version = |mut doc: Value| {
        // The crate version changes with every release; the schema does not.
        doc["summary"]["lamport_sim_version"] = Value::from("<version>");
        doc
    };
    let run = version(json(dir, &[&["run", "--out", "a"], SMALL].concat(), 0, "run"));
    assert_eq!(run["run_dir"], "a");
    assert_eq!(run["summary"]["fingerprint"].as_str().map(str::len), Some(16));
    insta::assert_json_snapshot!("run", run);

    let replay = json(dir, &["replay", "a", "--out", "b", "--check-determinism"], 0, "replay");
    assert_eq!(replay["determinism"]["passed"], true);
    assert_eq!(replay["summary"], run["summary"].clone().tap_version(&replay));

    let check = json(dir, &["check", "a"], 0, "check");
    assert_eq!(check["passed"], true);
    insta::assert_json_snapshot!("check_passed", check);

    // A corrupted log: the verdict fails, each violation names its file and line.
    corrupt_copy(&dir.join("a"), &dir.join("bad"), 1, 4, |log, i| bump_clock(log, i, 5))?;
    let failed = json(dir, &["check", "bad", "--max-violations", "3"], 1, "check");
    assert_eq!(failed["passed"], false);
    let first = &failed["violations"][0];
    assert!(first["file"].as_str().is_some_and(|f| f.starts_with("bad/machine-")), "{failed}");
    assert!(first["line"].as_u64().is_some() && first["reason"].is_string(), "{failed}");
    insta::assert_json_snapshot!("check_failed", failed);

    let same = json(dir, &["diff", "a", "b"], 0, "diff");
    assert_eq!((same["identical"].clone(), same["a"].clone()), (Value::from(true), Value::Null));
    // The corrupted copy parts from the run at the edited row, whose causal past is shown.
    let differ = json(dir, &["diff", "a", "bad"], 1, "diff");
    assert_eq!(differ["identical"], false);
    assert_eq!((differ["a"]["file"].as_str(), differ["a"]["line"].as_u64()), (Some("a/machine-1.csv"), Some(4)));
    assert_eq!(differ["b"]["file"], "bad/machine-1.csv");
    assert!(differ["causal_past"]["events"].as_u64() > Some(0), "{differ}");
    insta::assert_json_snapshot!("diff_differ", differ);
    Ok(())
}

/// The replay's summary is the run's; only the crate version was redacted in the run's.
trait TapVersion {
    fn tap_version(self, like: &Value) -> Value;
}

impl TapVersion for Value {
    fn tap_version(mut self, like: &Value) -> Value {
        self["lamport_sim_version"] = like["summary"]["lamport_sim_version"].clone();
        self
    }
}

#[test]
fn a_dash_reads_the_scenario_or_sweep_from_standard_input() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    let scenario = "(machines: 2, duration: \"3s\", seed: 5)";
    lamport_sim(dir).args(["run", "-", "--out", "piped"]).write_stdin(scenario).assert().success();
    std::fs::write(dir.join("file.ron"), scenario)?;
    output(dir, &["run", "file.ron", "--out", "filed"], 0);
    output(dir, &["diff", "piped", "filed"], 0);
    let replayed = std::fs::read_to_string(dir.join("piped/scenario.ron"))?;
    lamport_sim(dir).args(["replay", "-", "--out", "again"]).write_stdin(replayed).assert().success();
    output(dir, &["diff", "piped", "again"], 0);
    lamport_sim(dir)
        .args(["batch", "-", "--out", "b"])
        .write_stdin("Sweep(seeds: Count(2), duration: \"2s\")")
        .assert()
        .success();
    let err = lamport_sim(dir).args(["run", "-"]).write_stdin("(machines: 2,\n durration: \"3s\")").assert().code(2);
    let stderr = String::from_utf8(err.get_output().stderr.clone())?;
    assert!(stderr.starts_with("error: <stdin>:2:2: Unexpected field named `durration`"), "{stderr}");
    let err = lamport_sim(dir).args(["batch", "-", "--out", "x"]).write_stdin("Sweep(seeds: 3)").assert().code(2);
    assert!(String::from_utf8(err.get_output().stderr.clone())?.starts_with("error: <stdin>:1:"));
    Ok(())
}

#[test]
fn start_times_take_a_t_and_refuse_a_zone() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    output(dir, &["run", "--seed", "1", "--duration", "2s", "--start-time", "2026-12-08T09:30:00", "--out", "t"], 0);
    let scenario = std::fs::read_to_string(dir.join("t/scenario.ron"))?;
    assert!(scenario.contains("start_time: \"2026-12-08 09:30:00.000000\""), "{scenario}");
    let (_, stderr) = output(dir, &["run", "--start-time", "2026-12-08T09:30:00+02:00", "--out", "z"], 2);
    assert!(stderr.contains("has a time zone (+02:00), but start times have none"), "{stderr}");
    assert!(!dir.join("z").exists(), "nothing is written for bad input");
    Ok(())
}

#[test]
fn completions_and_the_man_page_print() -> TestResult {
    let tmp = tempfile::tempdir()?;
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (stdout, _) = output(tmp.path(), &["completions", shell], 0);
        assert!(stdout.len() > 1000 && stdout.contains("lamport-sim"), "{shell}: {stdout}");
        for command in ["replay", "check", "merge", "check-determinism"] {
            assert!(stdout.contains(command), "{shell} completes {command}");
        }
    }
    let (man, _) = output(tmp.path(), &["man"], 0);
    assert!(man.starts_with(".ie") || man.contains(".TH lamport-sim"), "{man}");
    assert!(man.contains("Exit codes") && man.contains("completions"), "{man}");
    let (_, stderr) = output(tmp.path(), &["completions", "tcsh"], 2);
    assert!(stderr.contains("invalid value 'tcsh'"), "{stderr}");
    Ok(())
}

#[test]
fn durations_counts_and_tables_read_as_people_write_them() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    let (stdout, _) = output(dir, &["run", "--seed", "3", "--machines", "1", "--duration", "90m", "--out", "a"], 0);
    assert!(stdout.starts_with("lamport-sim: 1 machine, 1.5h simulated, seed 3"), "{stdout}");
    // Every table row as wide as the header, whatever the numbers' widths.
    let table: Vec<&str> = stdout.lines().skip(2).take_while(|l| !l.is_empty()).collect();
    assert_eq!(table.len(), 3, "header, one machine, all: {stdout}");
    assert!(table.iter().all(|l| l.len() == table[0].len()), "{stdout}");
    let (stdout, _) = output(dir, &["check", "a"], 0);
    assert!(stdout.starts_with("check a: 1 machine, "), "{stdout}");
    Ok(())
}
