//! The fuzz targets' committed inputs, replayed on stable Rust through the same functions
//! the fuzzer runs (`lamport_sim::fuzz_support`): every seed in `fuzz/seeds/<target>/` and
//! every crash reproducer in `fuzz/regressions/<target>/`. See `fuzz/README.md`.
//!
//! Run just these with `cargo test --test integration fuzz_corpus`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use lamport_sim::engine::{SimError, Simulation};
use lamport_sim::event::NullSink;
use lamport_sim::fuzz_support::{self, decode_run_input, MAX_RUN_INPUT};
use lamport_sim::scenario::{
    Fresh, MulticastClock, NetworkDelay, Phase, Rates, StartTime, TickJitter, DEFAULT_QUEUE_LIMIT,
};
use proptest::prelude::*;

use crate::util::repo;

const FRESH: Fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };

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
    replay("parse_scenario", fuzz_support::parse_scenario);
}

#[test]
fn run_scenario_seeds_and_regressions() {
    replay("run_scenario", fuzz_support::run_scenario);
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
        fuzz_support::run_scenario(&data);
    }

    #[test]
    fn parse_scenario_holds_for_arbitrary_text(text in "[()\\[\\]:,\" a-zA-Z0-9_.#/*\n-]{0,80}") {
        fuzz_support::parse_scenario(text.as_bytes());
    }
}
