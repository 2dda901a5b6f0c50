//! Bad input through the real binary: a corpus of malformed scenario files
//! (`tests/malformed/*.ron`, each with the exact error it must produce), generated bad files
//! (too large, not UTF-8, missing, a directory), bad flags, and the promise that a refused
//! run never creates its output directory nor touches an earlier run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{lamport_sim, read_log_text, repo, TestResult};

/// Every file in `tests/malformed/` and what stderr must contain: the `file:line:col` of
/// the fault (for errors that have one) and the key words of the message.
const CORPUS: &[(&str, &[&str])] = &[
    (
        "01_missing_paren.ron",
        &["01_missing_paren.ron:4:12: ", "the file ends here", "is a closing `)` or `]` missing?"],
    ),
    ("02_missing_comma.ron", &["02_missing_comma.ron:4:5: Expected comma"]),
    ("03_unterminated_string.ron", &["03_unterminated_string.ron:4:17: Expected end of string"]),
    ("04_stray_char.ron", &["04_stray_char.ron:4:5: Expected identifier"]),
    ("05_trailing_garbage.ron", &["05_trailing_garbage.ron:4:3: Non-whitespace trailing characters"]),
    (
        "06_unknown_field.ron",
        &["06_unknown_field.ron:3:5: Unexpected field named `machinez` in `Scenario`", "expected one of `machines`"],
    ),
    (
        "07_unknown_event_mix_field.ron",
        &["07_unknown_event_mix_field.ron:3:72: Unexpected field named `extra` in `EventMix`", "`send_next`"],
    ),
    (
        "08_unknown_semantics_field.ron",
        &["08_unknown_semantics_field.ron:3:48: Unexpected field named `bogus` in `Semantics`", "`message_clock`"],
    ),
    ("09_string_for_number.ron", &["09_string_for_number.ron:3:15: Expected integer"]),
    ("10_number_for_duration.ron", &["10_number_for_duration.ron:3:15: a duration is a string with a unit: write \"60s\""]),
    ("11_machines_zero.ron", &["11_machines_zero.ron:3:15: machines must be between 1 and 100000, got 0"]),
    ("12_machines_over_max.ron", &["12_machines_over_max.ron:3:15: machines must be between 1 and 100000, got 100001"]),
    ("13_rate_zero.ron", &["13_rate_zero.ron:4:21: a rate must be between 1 and 1000000 ticks per second, got 0"]),
    (
        "14_rate_over_max.ron",
        &["14_rate_over_max.ron:3:21: a rate must be between 1 and 1000000 ticks per second, got 1000001"],
    ),
    ("15_range_min_above_max.ron", &["15_range_min_above_max.ron:3:5: rate range min 6 is above max 1"]),
    (
        "16_each_length_mismatch.ron",
        &["16_each_length_mismatch.ron:4:5: rates lists 3 rates but there are 4 machines; give one rate per machine"],
    ),
    ("17_empty_each.ron", &["17_empty_each.ron:3:5: rates list is empty; give at least one rate"]),
    ("18_empty_cycle.ron", &["18_empty_cycle.ron:4:5: rates list is empty; give at least one rate"]),
    ("19_zero_event_mix.ron", &["19_zero_event_mix.ron:3:70: event_mix weights are all zero"]),
    (
        "20_event_mix_missing_field.ron",
        &["20_event_mix_missing_field.ron:3:57: Unexpected missing field named `send_all` in `EventMix`"],
    ),
    ("21_duration_zero.ron", &["21_duration_zero.ron:3:5: duration must be longer than 0s"]),
    (
        "22_duration_no_unit.ron",
        &["22_duration_no_unit.ron:3:16: invalid duration \"60\": missing unit", "like \"60s\""],
    ),
    (
        "23_duration_negative.ron",
        &["23_duration_negative.ron:3:16: invalid duration \"-5s\": durations cannot be negative"],
    ),
    (
        "24_duration_unknown_unit.ron",
        &["24_duration_unknown_unit.ron:3:16: invalid duration \"5parsecs\": unknown unit", "\"150ms\""],
    ),
    (
        "25_duration_sub_nanosecond.ron",
        &["25_duration_sub_nanosecond.ron:3:16: invalid duration \"1.0000000001s\": finer than one nanosecond"],
    ),
    (
        "26_negative_network_delay.ron",
        &["26_negative_network_delay.ron:3:27: invalid duration \"-1ms\": durations cannot be negative"],
    ),
    (
        "27_uniform_delay_min_above_max.ron",
        &["27_uniform_delay_min_above_max.ron:3:5: network_delay Uniform min 5ms is above max 1ms"],
    ),
    (
        "28_unknown_delay_variant.ron",
        &[
            "28_unknown_delay_variant.ron:3:20: Unexpected variant named `Gaussian` in enum `NetworkDelay`",
            "`NoDelay`, `Fixed`, `Uniform`, or `Exponential`",
        ],
    ),
    (
        "29_jitter_not_below_period.ron",
        &[
            "29_jitter_not_below_period.ron:4:5: tick_jitter max 200ms must be shorter than the fastest machine's tick period",
            "(200ms at 5 Hz)",
        ],
    ),
    (
        "30_phase_not_below_period.ron",
        &[
            "30_phase_not_below_period.ron:4:5: phase of machine 1 is 300ms",
            "must be shorter than its tick period (250ms at 4 Hz)",
        ],
    ),
    (
        "31_phase_list_wrong_length.ron",
        &["31_phase_list_wrong_length.ron:4:5: phase lists 2 offsets but there are 3 machines; give one per machine"],
    ),
    (
        "32_start_time_bad_format.ron",
        &[
            "32_start_time_bad_format.ron:3:18: invalid start_time \"2026/11/25 18:40:23\"",
            "expected \"YYYY-MM-DD HH:MM:SS.ffffff\"",
        ],
    ),
    (
        "33_start_time_year_too_early.ron",
        &["33_start_time_year_too_early.ron:3:18: start_time \"1969-12-31 23:59:59.000000\" must be between the years 1970 and 9000"],
    ),
    (
        "34_unknown_semantics_variant.ron",
        &[
            "34_unknown_semantics_variant.ron:3:32: Unexpected variant named `AfterSomething` in enum `MessageClock`",
            "`AfterIncrement` or `BeforeIncrement`",
        ],
    ),
    (
        "35_seed_negative.ron",
        &["35_seed_negative.ron:3:12: Integer is out of bounds in `seed`: expected a whole number from 0 to 18446744073709551615"],
    ),
    (
        "36_seed_too_large.ron",
        &["36_seed_too_large.ron:3:11: Integer is out of bounds in `seed`: expected a whole number from 0 to 18446744073709551615"],
    ),
    (
        "37_empty_file.ron",
        &["37_empty_file.ron:1:1: Expected opening `(` for struct `Scenario`", "the file is empty", "write `()`"],
    ),
    (
        "38_only_comment.ron",
        &["38_only_comment.ron:1:50: Expected opening `(` for struct `Scenario`", "the file ends here", "write `()`"],
    ),
    (
        "39_start_time_year_too_late.ron",
        &["39_start_time_year_too_late.ron:3:18: start_time \"9001-01-01 00:00:00.000000\" must be between the years 1970 and 9000"],
    ),
    (
        "40_start_time_no_such_day.ron",
        &["40_start_time_no_such_day.ron:3:18: invalid start_time \"2026-02-30 00:00:00\": input is out of range"],
    ),
    (
        "41_duplicate_field.ron",
        &["41_duplicate_field.ron:4:5: Unexpected duplicate field named `machines` in `Scenario`"],
    ),
    ("42_wrong_struct_name.ron", &["42_wrong_struct_name.ron:2:1: Expected struct `Scenario` but found `Foo`"]),
    (
        "43_unknown_rates_variant.ron",
        &[
            "43_unknown_rates_variant.ron:3:12: Unexpected variant named `Between` in enum `Rates`",
            "`Range`, `Each`, or `Cycle`",
        ],
    ),
    (
        "44_unknown_send_all_targets.ron",
        &[
            "44_unknown_send_all_targets.ron:3:23: Unexpected variant named `Everyone` in enum `SendAllTargets`",
            "`AllOthers` or `NextTwo`",
        ],
    ),
    (
        "45_jitter_vs_default_range.ron",
        &[
            "45_jitter_vs_default_range.ron:3:5: tick_jitter max 1s must be shorter than the fastest machine's tick period",
            "(166666666ns at 6 Hz)",
        ],
    ),
    (
        "46_event_mix_total_overflow.ron",
        &["46_event_mix_total_overflow.ron:3:79: event_mix weights add up to 4294967296; the total must fit in 32 bits"],
    ),
    ("47_unclosed_block_comment.ron", &["47_unclosed_block_comment.ron:4:5: Unclosed block comment"]),
    (
        "48_duration_too_large.ron",
        &["48_duration_too_large.ron:3:16: invalid duration \"99999999999999h\": too large (at most about 584 years)"],
    ),
    (
        "49_machines_over_u32.ron",
        &["49_machines_over_u32.ron:3:15: Integer is out of bounds in `machines`: expected a whole number from 1 to 100000"],
    ),
    ("50_phase_not_a_list.ron", &["50_phase_not_a_list.ron:4:21: Expected opening `[`"]),
    ("51_queue_limit_zero.ron", &["51_queue_limit_zero.ron:3:5: queue_limit must be at least 1 message"]),
    ("52_start_time_leap_second.ron", &["52_start_time_leap_second.ron:3:18: start_time \"9000-12-31 23:59:60\" has second 60"]),
    (
        "53_weight_negative.ron",
        &["53_weight_negative.ron:4:78: Integer is out of bounds in `internal`: expected a whole number from 0 to 4294967295"],
    ),
];

/// The corpus folder.
fn corpus_dir() -> PathBuf {
    repo().join("tests").join("malformed")
}

/// What is wrong with a refused command's result, if anything: it must exit 2, say each of
/// `expected` on stderr, not panic, and leave `out` uncreated. Scenario and run errors are
/// one line starting `error: `; clap's usage errors start `error: ` and add a usage hint.
fn refusal_problems(output: &Output, expected: &[&str], out: &Path) -> Vec<String> {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut problems = Vec::new();
    if output.status.code() != Some(2) {
        problems.push(format!("exit status {:?}, expected 2", output.status.code()));
    }
    for want in expected {
        if !stderr.contains(want) {
            problems.push(format!("stderr lacks {want:?}"));
        }
    }
    if stderr.contains("panicked") {
        problems.push("stderr shows a panic".into());
    }
    if !stderr.starts_with("error: ") {
        problems.push("stderr does not start with \"error: \"".into());
    }
    if out.exists() {
        problems.push(format!("{} was created", out.display()));
    }
    if !output.stdout.is_empty() {
        problems.push(format!("stdout is not empty: {:?}", String::from_utf8_lossy(&output.stdout)));
    }
    problems.into_iter().map(|p| format!("{p}\n    stderr: {stderr:?}")).collect()
}

/// Like [`refusal_problems`], and stderr is exactly one line (errors the program itself
/// reports, as opposed to clap's usage errors).
fn one_line_refusal_problems(output: &Output, expected: &[&str], out: &Path) -> Vec<String> {
    let mut problems = refusal_problems(output, expected, out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.lines().count() != 1 || !stderr.ends_with('\n') {
        problems.push(format!("stderr is not a single line: {stderr:?}"));
    }
    problems
}

/// Panics listing every case that went wrong (all cases run first).
fn report(failures: Vec<String>) {
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_malformed_file_is_refused_with_its_exact_error() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let mut failures = Vec::new();
    for (i, (file, expected)) in CORPUS.iter().enumerate() {
        let out = tmp.path().join(format!("out{i}"));
        let scenario = Path::new("tests").join("malformed").join(file);
        let output = lamport_sim(&repo()).arg("run").arg(&scenario).arg("--out").arg(&out).output()?;
        for problem in one_line_refusal_problems(&output, expected, &out) {
            failures.push(format!("{file}: {problem}"));
        }
    }
    report(failures);
    Ok(())
}

#[test]
fn corpus_is_complete_and_every_file_has_an_expectation() -> TestResult {
    let mut on_disk = Vec::new();
    for entry in std::fs::read_dir(corpus_dir())? {
        on_disk.push(entry?.file_name().to_string_lossy().into_owned());
    }
    on_disk.sort();
    let mut in_table: Vec<String> = CORPUS.iter().map(|(f, _)| f.to_string()).collect();
    in_table.sort();
    in_table.dedup();
    assert_eq!(in_table.len(), CORPUS.len(), "a file is listed twice in CORPUS");
    assert!(on_disk.len() >= 35, "the corpus has only {} files", on_disk.len());
    assert_eq!(on_disk, in_table, "tests/malformed/ and the CORPUS table must list the same files");
    for (file, expected) in CORPUS {
        assert!(!expected.is_empty(), "{file}: no expected message");
        let text = std::fs::read_to_string(corpus_dir().join(file))?;
        // Each file says what is wrong with it, except the one that must stay empty.
        assert!(text.is_empty() || text.starts_with("// "), "{file} does not start with a // comment");
        assert!(expected[0].starts_with(&format!("{file}:")), "{file}: the first expectation is not its location");
    }
    Ok(())
}

#[test]
fn generated_bad_files_are_refused() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let big = tmp.path().join("big.ron");
    // Valid RON (the classic scenario and a long comment) one byte over the limit.
    let text = format!("()\n//{}\n", "x".repeat(1024 * 1024 + 1 - 6));
    assert_eq!(text.len(), 1024 * 1024 + 1);
    std::fs::write(&big, &text)?;
    let not_utf8 = tmp.path().join("latin1.ron");
    std::fs::write(&not_utf8, b"// caf\xe9\n(machines: 3)\n")?;
    let missing = tmp.path().join("no-such-file.ron");
    let directory = tmp.path().join("a-directory.ron");
    std::fs::create_dir(&directory)?;

    let big_msg = format!("{}: scenario file is 1048577 bytes; the limit is 1048576 bytes (1 MiB)", big.display());
    let utf8_msg = format!("{}: scenario is not UTF-8 text (invalid byte at offset 6)", not_utf8.display());
    let missing_msg = format!("{}: cannot read scenario: ", missing.display());
    let dir_msg = format!("{}: cannot read scenario: ", directory.display());
    let mut cases: Vec<(&Path, Vec<&str>)> = vec![
        (&big, vec![&big_msg]),
        (&not_utf8, vec![&utf8_msg]),
        (&missing, vec![&missing_msg]),
        (&directory, vec![&dir_msg]),
    ];
    // A device that never ends: read up to the limit, not until memory runs out.
    let endless = PathBuf::from("/dev/zero");
    let endless_msg = "/dev/zero: scenario file is over the limit of 1048576 bytes (1 MiB)";
    if cfg!(unix) {
        cases[2].1.push("No such file or directory (os error 2)");
        cases[3].1.push("Is a directory (os error 21)");
        cases.push((&endless, vec![endless_msg]));
    }
    let mut failures = Vec::new();
    for (i, (scenario, expected)) in cases.iter().enumerate() {
        let out = tmp.path().join(format!("out{i}"));
        let output = lamport_sim(tmp.path()).arg("run").arg(scenario).arg("--out").arg(&out).output()?;
        for problem in one_line_refusal_problems(&output, expected, &out) {
            failures.push(format!("{}: {problem}", scenario.display()));
        }
        // The OS reason is given once, not repeated by the error chain.
        let stderr = String::from_utf8_lossy(&output.stderr);
        if let Some(reason) = expected.get(1) {
            if stderr.matches(reason).count() != 1 {
                failures.push(format!("{}: {reason:?} is not said exactly once: {stderr:?}", scenario.display()));
            }
        }
    }
    report(failures);
    Ok(())
}

/// A UTF-8 byte-order mark (some Windows editors write one) is invisible, so it is skipped
/// rather than reported as a syntax error at 1:1.
#[test]
fn a_byte_order_mark_is_skipped() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let text = "(machines: 2, seed: 5, duration: \"5s\")\n";
    std::fs::write(tmp.path().join("plain.ron"), text)?;
    std::fs::write(tmp.path().join("bom.ron"), format!("\u{feff}{text}"))?;
    for name in ["plain", "bom"] {
        lamport_sim(tmp.path()).args(["run", &format!("{name}.ron"), "--out", name]).assert().success();
    }
    crate::util::assert_same_run(&tmp.path().join("plain"), &tmp.path().join("bom"));
    Ok(())
}

#[test]
fn bad_flags_are_refused() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let unseeded = tmp.path().join("unseeded.ron");
    std::fs::write(&unseeded, "// a scenario a user wrote: no seed, so not a run's scenario.ron\n(machines: 2)\n")?;
    // Valid files that a flag then contradicts.
    std::fs::write(tmp.path().join("jitter.ron"), "(tick_jitter: Uniform(max: \"150ms\"))\n")?;
    std::fs::write(tmp.path().join("three.ron"), "(rates: Each([1, 2, 3]))\n")?;
    // (arguments before --out, what stderr must say, whether the program (not clap) reports it)
    let cases: &[(&[&str], &[&str], bool)] = &[
        (
            &["run", "--machines", "0"],
            &["invalid value '0' for '--machines", "machines must be between 1 and 100000, got 0"],
            false,
        ),
        (
            &["run", "--machines", "abc"],
            &["invalid value 'abc' for '--machines", "expected a whole number of machines, got \"abc\""],
            false,
        ),
        (
            &["run", "--rates", "0,1"],
            &["invalid value '0,1' for '--rates", "a rate must be between 1 and 1000000 ticks per second, got 0"],
            false,
        ),
        (
            &["run", "--rates", "6-1"],
            &["invalid value '6-1' for '--rates", "rate range \"6-1\" has min above max"],
            false,
        ),
        (
            &["run", "--duration", "0"],
            &["invalid value '0' for '--duration", "the duration must be longer than 0s"],
            false,
        ),
        (
            &["run", "--duration", "-5"],
            &["invalid value '-5' for '--duration", "invalid duration \"-5\": durations cannot be negative"],
            false,
        ),
        (
            &["run", "--duration", "5parsecs"],
            &[
                "invalid value '5parsecs' for '--duration",
                "invalid duration \"5parsecs\": unknown unit",
                "like \"60s\"",
            ],
            false,
        ),
        (
            &["run", "--start-time", "yesterday"],
            &[
                "invalid value 'yesterday' for '--start-time",
                "invalid start_time \"yesterday\"",
                "expected \"YYYY-MM-DD HH:MM:SS.ffffff\"",
            ],
            false,
        ),
        (
            &["replay", "unseeded.ron"],
            &[
                "error: unseeded.ron: has no seed, so it is not a resolved scenario",
                "replay takes the scenario.ron of a run",
                "lamport-sim run unseeded.ron",
            ],
            true,
        ),
        (
            &["run", "jitter.ron", "--rates", "10,10,10"],
            &["error: jitter.ron: tick_jitter max 150ms must be shorter than the fastest machine's tick period (100ms at 10 Hz)"],
            true,
        ),
        (
            &["run", "three.ron", "--machines", "4"],
            &["error: --machines 4 does not fit the scenario's list of 3 rates; give --rates too"],
            true,
        ),
        (&["replay", "no-such-run-dir"], &["error: no-such-run-dir: cannot read scenario: "], true),
        (&["replay", "no-such-run-dir/"], &["error: no-such-run-dir/: cannot read scenario: "], true),
    ];
    let mut failures = Vec::new();
    for (i, (args, expected, one_line)) in cases.iter().enumerate() {
        let out = tmp.path().join(format!("out{i}"));
        let output = lamport_sim(tmp.path()).args(*args).arg("--out").arg(&out).output()?;
        let problems = if *one_line {
            one_line_refusal_problems(&output, expected, &out)
        } else {
            refusal_problems(&output, expected, &out)
        };
        for problem in problems {
            failures.push(format!("{}: {problem}", args.join(" ")));
        }
    }
    report(failures);
    Ok(())
}

/// Every file under `dir` (relative path -> bytes).
fn snapshot(dir: &Path) -> std::io::Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path)?;
                files.insert(path.strip_prefix(dir).expect("under dir").to_path_buf(), bytes);
            }
        }
    }
    Ok(files)
}

#[test]
fn refused_runs_leave_an_earlier_run_untouched() -> TestResult {
    let tmp = tempfile::tempdir()?;
    let prev = tmp.path().join("prev");
    lamport_sim(tmp.path()).args(["run", "--seed", "1", "--duration", "5", "--out"]).arg(&prev).assert().success();
    let before = snapshot(&prev)?;
    assert!(before.contains_key(Path::new("summary.json")) && before.contains_key(Path::new("scenario.ron")));
    let unchanged = |what: &str| -> TestResult {
        let after = snapshot(&prev)?;
        assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>(), "{what}: files changed");
        for (name, bytes) in &before {
            assert!(after[name] == *bytes, "{what}: {} changed", name.display());
        }
        Ok(())
    };

    // (a) Malformed scenarios and flags with --force: refused before the directory is touched.
    let malformed = ["01_missing_paren.ron", "11_machines_zero.ron", "29_jitter_not_below_period.ron"];
    for file in malformed {
        let scenario = corpus_dir().join(file);
        let output =
            lamport_sim(tmp.path()).arg("run").arg(&scenario).arg("--out").arg(&prev).arg("--force").output()?;
        let problems = refusal_problems(&output, &[&format!("{file}:")], &tmp.path().join("never"));
        assert!(problems.is_empty(), "{file} with --force: {problems:?}");
        unchanged(&format!("{file} with --force"))?;
    }
    let output = lamport_sim(tmp.path()).args(["run", "--duration", "0", "--force", "--out"]).arg(&prev).output()?;
    assert_eq!(output.status.code(), Some(2));
    unchanged("--duration 0 with --force")?;

    // (b) A good scenario without --force: refused, pointing at --force.
    let good = tmp.path().join("good.ron");
    std::fs::write(&good, "// a valid scenario\n(seed: 2, duration: \"3s\", rates: Each([1, 2, 3]))\n")?;
    let output = lamport_sim(tmp.path()).arg("run").arg(&good).arg("--out").arg(&prev).output()?;
    let problems =
        one_line_refusal_problems(&output, &["already exists and is not empty", "--force"], &tmp.path().join("never"));
    assert!(problems.is_empty(), "good scenario without --force: {problems:?}");
    unchanged("a good scenario without --force")?;
    let output = lamport_sim(tmp.path()).arg("replay").arg(&prev).arg("--out").arg(&prev).output()?;
    assert_eq!(output.status.code(), Some(2), "replay into its own folder without --force");
    assert!(String::from_utf8_lossy(&output.stderr).contains("--force"));
    unchanged("a replay without --force")?;

    // (c) With --force the new run replaces the old one, completely.
    lamport_sim(tmp.path()).arg("run").arg(&good).arg("--out").arg(&prev).arg("--force").assert().success();
    let after = snapshot(&prev)?;
    let names: Vec<String> = after.keys().map(|p| p.display().to_string()).collect();
    assert_eq!(names, ["machine-0.csv", "machine-1.csv", "machine-2.csv", "scenario.ron", "summary.json"]);
    let scenario = String::from_utf8(after[Path::new("scenario.ron")].clone())?;
    assert!(scenario.contains("seed: 2,") && scenario.contains("duration: \"3s\""), "{scenario}");
    // Machine 1 ticks twice a second for 3 seconds: the log is the new run's.
    let log = String::from_utf8(after[Path::new("machine-1.csv")].clone())?;
    assert_eq!(read_log_text(&log).len(), 2 * 3, "{log}");
    assert_ne!(after[Path::new("summary.json")], before[Path::new("summary.json")]);
    Ok(())
}
