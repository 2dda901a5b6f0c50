//! The fuzz targets' committed inputs, replayed on stable Rust through the same functions
//! the fuzzer runs (`lamport_sim::testing`): every seed in `fuzz/seeds/<target>/` and
//! every crash reproducer in `fuzz/regressions/<target>/`. See `fuzz/README.md`.
//!
//! Run just these with `cargo test --test integration fuzz_corpus`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lamport_sim::testing::{self, check_in_memory, decode_check_input, decode_run_input, MAX_RUN_INPUT};
use lamport_sim::NullSink;
use lamport_sim::{Fresh, MulticastClock, NetworkDelay, Phase, Rates, StartTime, TickJitter, DEFAULT_QUEUE_LIMIT};
use lamport_sim::{SimError, Simulation};
use proptest::prelude::*;

use crate::util::repo;

const FRESH: Fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };
/// The `-max_len` of the `check_logs` fuzz command (fuzz/README.md); seeds fit in it.
const CHECK_FUZZ_MAX_LEN: usize = 8192;

/// The files of `dir`, sorted; none when it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return vec![] };
    let mut files: Vec<PathBuf> =
        entries.map(|e| e.expect("readable directory").path()).filter(|p| p.is_file()).collect();
    files.sort();
    files
}

/// Reproducers of bugs found by fuzzing and not fixed yet: `(target, file in
/// fuzz/regressions/<target>/, the bug)`. They must still panic; when one stops panicking
/// (the bug is fixed), this test says so and its entry goes.
const KNOWN_UNFIXED: &[(&str, &str, &str)] = &[];

/// Runs every file of the target's seed and regression folders through `check`, and
/// reports every file that panics (by name) rather than stopping at the first.
fn replay(target: &str, check: fn(&[u8])) {
    let seeds = files(&repo().join("fuzz/seeds").join(target));
    assert!(!seeds.is_empty(), "fuzz/seeds/{target}/ has no seed");
    let regressions = files(&repo().join("fuzz/regressions").join(target));
    let mut failed = vec![];
    for file in seeds.iter().chain(&regressions) {
        let name = file.file_name().expect("a file name").to_string_lossy();
        let known = KNOWN_UNFIXED.iter().find(|(t, f, _)| *t == target && *f == name);
        let data = std::fs::read(file).expect("readable corpus file");
        let panicked = std::panic::catch_unwind(|| check(&data)).is_err();
        match (panicked, known) {
            (true, None) => failed.push(file.display().to_string()),
            (false, Some((_, _, bug))) => {
                failed.push(format!("{} no longer panics: remove it from KNOWN_UNFIXED ({bug})", file.display()))
            }
            _ => {}
        }
    }
    for (t, f, _) in KNOWN_UNFIXED.iter().filter(|(t, _, _)| *t == target) {
        assert!(regressions.iter().any(|p| p.ends_with(f)), "KNOWN_UNFIXED names fuzz/regressions/{t}/{f}, missing");
    }
    assert!(failed.is_empty(), "fuzz target {target} (messages above):\n{}", failed.join("\n"));
}

#[test]
fn parse_scenario_seeds_and_regressions() {
    // Every outcome (skipped, refused, resolved) is fine here; only a panic fails.
    replay("parse_scenario", |data| {
        let _ = testing::parse_scenario(data);
    });
}

#[test]
fn run_scenario_seeds_and_regressions() {
    replay("run_scenario", testing::run_scenario);
}

#[test]
fn check_logs_seeds_and_regressions() {
    replay("check_logs", testing::check_logs);
}

/// Each check seed gives the outcome it was written for (`fuzz/make_check_seeds.py`): the
/// real runs and their lossless variants pass, the broken ones are caught where they break.
#[test]
fn check_seeds_give_the_outcomes_they_are_made_for() {
    // (seed, "pass", a violation `file:line: reason` prefix, or an error prefix).
    let expected: &[(&str, &str)] = &[
        ("bom", "pass"),
        ("bom_before_sim_time", "violations"),
        ("columns_reordered_and_extra", "violations"),
        ("corrupted_clock", "machine-1.csv:11: INTERNAL clock 999 after 12; expected 13"),
        ("corrupted_clock_none_reported", "violations"),
        ("corrupted_receive_and_send", "machine-1.csv:3: SEND to 1: receivers must be other machines"),
        ("cr_only", "pass"),
        ("cr_only_corrupted_clock", "machine-1.csv:3: SEND to 2: receivers must be other machines"),
        ("crlf", "pass"),
        ("duplicated_column", "pass"),
        ("empty", "error machine-0.csv:1: empty file"),
        ("empty_logs", "error machine-0.csv:1: empty file"),
        ("header_only", "machine-0.csv:1: the log has 0 ticks; a 6 Hz machine makes 30 in 5s"),
        ("header_only_no_newline", "pass"),
        ("huge_clock_internal", "machine-0.csv:2: INTERNAL clock 18446744073709551615 after 0; expected 1"),
        ("huge_clock_receive", "machine-0.csv:2: SEND clock 18446744073709551615 after 0; expected 1"),
        ("huge_machine_refused", "error machine-0.csv:2: `machine` is too large"),
        ("huge_peer_refused", "error machine-0.csv:2: `peer` is \"4294967296\""),
        ("huge_queue_len_refused", "error machine-0.csv:2: `queue_len` is \"99999999999999999999\""),
        ("huge_sim_time_refused", "error machine-0.csv:3: `sim_time` is \"18446744073.709551616\""),
        ("huge_summary_figures", "summary.json: machine 0: queued_at_end + in_flight_at_end is 18446744073709551616"),
        (
            "huge_time_with_delay",
            "machine-0.csv:2: system_time 2000-01-01 00:00:00.000000 is not start_time + sim_time = 2584-07-20",
        ),
        ("logs_only", "pass"),
        ("missing_column", "error machine-0.csv:1: no `msg_clock` column"),
        ("missing_scenario", "pass"),
        ("missing_summary", "pass"),
        ("non_utf8_field", "error machine-0.csv:3: `event` is not UTF-8 text"),
        ("non_utf8_header", "pass"),
        ("non_utf8_scenario", "error scenario.ron: scenario is not UTF-8 text"),
        ("non_utf8_summary", "error summary.json:1: not valid JSON"),
        ("odd_values", "error machine-0.csv:2: `sim_time` is \"-1\""),
        ("quoted_fields", "error machine-0.csv:3: `event` is \"SE\\nND\""),
        ("real_aligned_next_two", "pass"),
        ("real_classic", "pass"),
        ("real_exponential_delay", "pass"),
        ("real_fixed_delay_queues", "pass"),
        ("real_flooded_queue", "pass"),
        ("real_jitter_uniform_delay", "pass"),
        ("real_one_machine", "pass"),
        ("real_other_semantics", "pass"),
        ("scenario_empty", "error scenario.ron:1:1:"),
        ("scenario_fewer_machines", "violations"),
        ("scenario_garbage", "error scenario.ron:1:20:"),
        ("scenario_more_machines", "error machine-3.csv:0: cannot open"),
        ("summary_array", "summary.json: no entry for machine 0"),
        ("summary_empty", "error summary.json:1: not valid JSON"),
        ("summary_not_json", "error summary.json:3: not valid JSON"),
        ("summary_wrong_count", "summary.json: machine 0: final_clock is 32, but the logs give 31"),
        ("swapped_rows", "machine-1.csv:2: no SEND from 0 with clock 1 to 1 happened before this RECEIVE"),
        ("truncated_mid_row", "error machine-2.csv:15: row has 1 fields; the header has 8"),
        ("wrong_column_count", "error machine-2.csv:4: row has 7 fields; the header has 8"),
    ];
    let seeds = files(&repo().join("fuzz/seeds/check_logs"));
    let names: Vec<String> = seeds.iter().map(|p| p.file_name().expect("a name").to_string_lossy().into()).collect();
    assert_eq!(names, expected.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>(), "one entry per seed");
    let mut wrong = vec![];
    for (file, (name, want)) in seeds.iter().zip(expected) {
        let data = std::fs::read(file).expect("readable seed");
        assert!(data.len() <= CHECK_FUZZ_MAX_LEN, "{name} is longer than the fuzz command's -max_len");
        let input = decode_check_input(&data);
        let got = match check_in_memory(&input) {
            Ok(r) if r.passed() => "pass".to_string(),
            Ok(r) => match r.violations.first() {
                Some(v) if *want != "violations" => v.to_string(),
                _ => "violations".to_string(),
            },
            Err(e) => format!("error {e}"),
        };
        if !got.starts_with(want) {
            wrong.push(format!("{name}: {got:?} should start with {want:?}"));
        }
        if name.starts_with("real_") {
            let report = check_in_memory(&input).expect("a real run checks");
            assert_eq!(report.checks.len(), 7, "{name}: every check ran, with scenario.ron and summary.json");
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The parse seeds hold an up-to-date copy of every example and malformed scenario.
#[test]
fn parse_seeds_include_every_scenario_and_malformed_file() {
    let seeds = repo().join("fuzz/seeds/parse_scenario");
    for (dir, prefix) in [("scenarios", "scenario_"), ("tests/malformed", "malformed_")] {
        let originals = files(&repo().join(dir));
        assert!(!originals.is_empty(), "{dir}/ is empty");
        for original in originals {
            let name = original.file_name().expect("a file name").to_string_lossy();
            let copy = seeds.join(format!("{prefix}{name}"));
            assert_eq!(
                std::fs::read(&copy).ok(),
                Some(std::fs::read(&original).expect("readable")),
                "{} must be a copy of {}: cp {dir}/{name} fuzz/seeds/parse_scenario/{prefix}{name}",
                copy.display(),
                original.display()
            );
        }
    }
}

/// The run seeds reach every branch of the decoder (`fuzz/make_run_seeds.py` writes them).
#[test]
fn run_seeds_cover_every_decoder_branch() {
    let mut seen = BTreeSet::new();
    for file in files(&repo().join("fuzz/seeds/run_scenario")) {
        let data = std::fs::read(&file).expect("readable seed");
        assert!(data.len() <= MAX_RUN_INPUT, "{} is longer than the target reads", file.display());
        let s = decode_run_input(&data);
        let n = s.machine_count();
        seen.insert(match n {
            1 => "1 machine",
            2 => "2 machines",
            8 => "8 machines",
            _ => "3 to 7 machines",
        });
        seen.insert(match s.rates {
            Rates::Range { .. } => "Range rates",
            Rates::Each(_) => "Each rates",
            Rates::Cycle(_) => "Cycle rates",
        });
        seen.insert(match s.phase {
            Phase::Random => "Random phase",
            Phase::Aligned => "Aligned phase",
            Phase::Explicit(_) => "Explicit phase",
        });
        seen.insert(match s.network_delay {
            NetworkDelay::NoDelay => "NoDelay",
            NetworkDelay::Fixed(_) => "Fixed delay",
            NetworkDelay::Uniform { min, max } if min == max => "Uniform delay, min = max",
            NetworkDelay::Uniform { .. } => "Uniform delay",
            NetworkDelay::Exponential { mean } if mean.as_nanos() == 0 => "Exponential delay, mean 0",
            NetworkDelay::Exponential { .. } => "Exponential delay",
        });
        seen.insert(match s.tick_jitter {
            TickJitter::NoJitter => "NoJitter",
            TickJitter::Uniform { .. } => "Uniform jitter",
        });
        seen.insert(if s.semantics.multicast == MulticastClock::IncrementPerMessage {
            "IncrementPerMessage"
        } else {
            "IncrementOnce"
        });
        let flags = data.get(8).copied().unwrap_or(0);
        for (bit, name) in [(1, "BeforeIncrement"), (4, "BeforeTake"), (8, "NextTwo")] {
            if flags & bit != 0 {
                seen.insert(name);
            }
        }
        if s.event_mix.internal == 0 && n >= 3 {
            seen.insert("no internal events");
        }
        if s.event_mix.send_next + s.event_mix.send_after + s.event_mix.send_all == 0 {
            seen.insert("no sends");
        }
        if s.queue_limit != DEFAULT_QUEUE_LIMIT {
            seen.insert("small queue_limit");
            let resolved = s.resolve(FRESH, "<seed>").expect("decoded scenarios resolve");
            if let Err(SimError::QueueLimit { .. }) = Simulation::new(&resolved).run(&mut NullSink) {
                seen.insert("run stopped by queue_limit");
            }
        }
        let start = s.start_time.expect("decoded scenarios name a start time").micros_since_epoch();
        let micros_per_day = 86_400_000_000;
        if start / micros_per_day != (start + s.duration.as_nanos() as i64 / 1_000) / micros_per_day {
            seen.insert("crosses midnight");
        }
    }
    let expected = [
        "1 machine",
        "2 machines",
        "3 to 7 machines",
        "8 machines",
        "Range rates",
        "Each rates",
        "Cycle rates",
        "Random phase",
        "Aligned phase",
        "Explicit phase",
        "NoDelay",
        "Fixed delay",
        "Uniform delay",
        "Uniform delay, min = max",
        "Exponential delay",
        "Exponential delay, mean 0",
        "NoJitter",
        "Uniform jitter",
        "IncrementOnce",
        "IncrementPerMessage",
        "BeforeIncrement",
        "BeforeTake",
        "NextTwo",
        "no internal events",
        "no sends",
        "crosses midnight",
        "small queue_limit",
        "run stopped by queue_limit",
    ];
    let missing: Vec<&str> = expected.iter().copied().filter(|b| !seen.contains(b)).collect();
    assert!(missing.is_empty(), "no run seed reaches: {missing:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A little fuzzing on stable, for every `cargo test`: arbitrary short inputs.
    #[test]
    fn run_scenario_holds_for_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..48)) {
        testing::run_scenario(&data);
    }

    #[test]
    fn check_logs_holds_for_arbitrary_bytes(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        testing::check_logs(&data);
    }

    /// Arbitrary rows under the real header, and a scenario and summary of odd bits.
    #[test]
    fn check_logs_holds_for_arbitrary_rows(
        flags in any::<u8>(),
        rows in "([0-9]{1,3}(\\.[0-9]{1,3})?,[0-3],(SEND|RECEIVE|INTERNAL),[0-9]{1,2},[0-3],([0-3](;[0-3])?)?,[0-9]{0,2}\n){0,12}",
        rest in "(%%\n|[0-9a-z(){}:,\"\n]){0,40}",
    ) {
        let header = "system_time,sim_time,machine,event,clock,queue_len,peer,msg_clock\n";
        let mut data = vec![flags];
        data.extend_from_slice(header.as_bytes());
        for line in rows.lines() {
            data.extend_from_slice(format!("x,{line}\n").as_bytes());
        }
        data.extend_from_slice(rest.as_bytes());
        testing::check_logs(&data);
    }

    #[test]
    fn parse_scenario_holds_for_arbitrary_text(text in "[()\\[\\]:,\" a-zA-Z0-9_.#/*\n-]{0,80}") {
        let _ = testing::parse_scenario(text.as_bytes());
    }
}
