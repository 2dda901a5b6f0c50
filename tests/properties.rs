//! Property tests (proptest) over random valid scenarios: every run passes the checker, runs
//! are deterministic, a resolved scenario replays byte for byte, scenarios round-trip
//! through RON, and a short run's logs are a prefix of a longer run's.
//!
//! Cases per property: `LAMPORT_PROPTEST_CASES`, else proptest's own `PROPTEST_CASES`, else
//! [`DEFAULT_CASES`] (the same locally and on CI; on CI shrinking is capped at
//! [`CI_MAX_SHRINK_MILLIS`]). A failing case is shrunk and printed as a scenario file (RON)
//! ready to save as `scenarios/regression-NNN.ron`, which
//! [`saved_regression_scenarios_pass_every_property`] then checks for good; proptest also
//! records its seed in `proptest-regressions/properties.txt` (committed), replayed first on
//! every later run. The workflow is in `docs/testing.md`.

use std::fmt;

use lamport_sim::testing::check_memory_run;
use lamport_sim::testing::{run_in_memory, MemoryRun};
use lamport_sim::SimDuration;
use lamport_sim::{
    EventMix, Fresh, MachineCount, MessageClock, MulticastClock, NetworkDelay, Phase, Rate, Rates, ReceiveQueueLen,
    Resolved, Scenario, Semantics, SendAllTargets, StartTime, TickJitter,
};

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// The shortest gap between ticks at `rate` Hz, `floor(1e9 / rate)` ns: phases and jitter
/// stay below it.
fn min_tick_gap(rate: u32) -> SimDuration {
    SimDuration(NANOS_PER_SEC / u64::from(rate))
}
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use crate::util::LogFile;

/// Cases per property when no environment variable asks for another number.
const DEFAULT_CASES: u32 = 1000;

/// Most machines a generated scenario has.
const MAX_MACHINES: u32 = 12;
/// Fastest rate a generated scenario uses.
const MAX_RATE: u32 = 30;
/// Longest network delay (fixed, uniform bound or exponential mean) generated.
const MAX_DELAY_NANOS: u64 = 2 * NANOS_PER_SEC;

/// Cases per property: `LAMPORT_PROPTEST_CASES`, else `PROPTEST_CASES`, else the default.
fn cases() -> u32 {
    for var in ["LAMPORT_PROPTEST_CASES", "PROPTEST_CASES"] {
        if let Ok(text) = std::env::var(var) {
            return text.trim().parse().unwrap_or_else(|_| panic!("{var}={text:?} is not a number of cases"));
        }
    }
    DEFAULT_CASES
}

/// Longest a failure is shrunk on CI (`CI` set) unless `PROPTEST_MAX_SHRINK_TIME` says
/// otherwise: a failing job still prints a small scenario but never hangs. Locally there is
/// no limit (proptest's default).
const CI_MAX_SHRINK_MILLIS: u32 = 5 * 60 * 1000;

fn config() -> ProptestConfig {
    let mut config = ProptestConfig { cases: cases(), ..ProptestConfig::default() };
    if std::env::var_os("CI").is_some() && std::env::var_os("PROPTEST_MAX_SHRINK_TIME").is_none() {
        config.max_shrink_time = CI_MAX_SHRINK_MILLIS;
    }
    config
}

/// A generated scenario. Its `Debug` is the scenario as RON with a comment saying what to do
/// with it, so proptest's "minimal failing input" is a file ready to save and replay.
#[derive(Clone, PartialEq)]
pub struct ArbScenario(pub Scenario);

impl fmt::Debug for ArbScenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\n// Found by tests/properties.rs. Save as scenarios/regression-NNN.ron (say which property\n\
             // failed and why), then reproduce with:\n\
             //   lamport-sim run scenarios/regression-NNN.ron --out runs/regression-NNN\n\
             //   lamport-sim check runs/regression-NNN\n{}\n",
            self.0.to_ron()
        )
    }
}

/// Everything a scenario is built from. Lists are drawn at full length and cut to the
/// machine count, so shrinking any part (fewer machines, slower rates, shorter runs, zero
/// phases) always leaves a valid scenario: no case is ever rejected.
#[derive(Debug, Clone)]
struct Parts {
    machines: u32,
    /// Write `machines:` even where the count would follow from the rates.
    write_machines: bool,
    rates: RatesPart,
    phase: PhasePart,
    duration: SimDuration,
    seed: u64,
    start_micros: Option<i64>,
    mix: [u32; 4],
    next_two: bool,
    delay: NetworkDelay,
    /// Jitter as a fraction (of 2^32) of the fastest machine's tick period.
    jitter: Option<u32>,
    semantics: Semantics,
}

#[derive(Debug, Clone)]
enum RatesPart {
    Range(u32, u32),
    Each(Vec<u32>),
    Cycle(Vec<u32>),
}

#[derive(Debug, Clone)]
enum PhasePart {
    Random,
    Aligned,
    /// Per machine, a fraction (of 2^32) of its tick period.
    Explicit(Vec<u32>),
}

/// `fraction / 2^32` of `gap`, rounded down: always below `gap`, and every value in
/// `0..gap` can come out (gaps are below 2^32 ns).
fn below(gap: SimDuration, fraction: u32) -> SimDuration {
    SimDuration(((u128::from(gap.as_nanos()) * u128::from(fraction)) >> 32) as u64)
}

fn rate(n: u32) -> Rate {
    Rate::try_from(n).expect("generated rates are in range")
}

impl Parts {
    fn build(self) -> Scenario {
        let n = self.machines;
        let rates = match &self.rates {
            RatesPart::Range(a, b) => Rates::Range { min: rate(*a.min(b)), max: rate(*a.max(b)) },
            RatesPart::Each(list) => Rates::Each(list[..n as usize].iter().map(|&r| rate(r)).collect()),
            RatesPart::Cycle(list) => Rates::Cycle(list.iter().map(|&r| rate(r)).collect()),
        };
        // Validation measures jitter against the fastest rate the scenario can give (for a
        // cycle, the fastest in the list, used or not), and an explicit phase against the
        // machine's rate when it is fixed, else against the fastest.
        let fastest = match &rates {
            Rates::Range { max, .. } => max.get(),
            Rates::Each(list) | Rates::Cycle(list) => list.iter().map(|r| r.get()).max().expect("lists are not empty"),
        };
        let fixed_rate = |i: usize| match &rates {
            Rates::Range { min, max } if min == max => min.get(),
            Rates::Range { .. } => fastest,
            Rates::Each(list) => list[i].get(),
            Rates::Cycle(list) => list[i % list.len()].get(),
        };
        let phase = match &self.phase {
            PhasePart::Random => Phase::Random,
            PhasePart::Aligned => Phase::Aligned,
            PhasePart::Explicit(fractions) => Phase::Explicit(
                fractions[..n as usize]
                    .iter()
                    .enumerate()
                    .map(|(i, &f)| below(min_tick_gap(fixed_rate(i)), f))
                    .collect(),
            ),
        };
        // `machines:` may be left out when it follows from the rates (an Each list, or the
        // default of 3).
        let implied = matches!(rates, Rates::Each(_)) || n == 3;
        let machines = (self.write_machines || !implied)
            .then(|| MachineCount::try_from(n).expect("generated counts are in range"));
        let [send_next, send_after, send_all, internal] = self.mix;
        let internal = if self.mix.iter().all(|&w| w == 0) { 1 } else { internal };
        Scenario {
            machines,
            rates,
            phase,
            duration: self.duration,
            seed: Some(self.seed),
            start_time: self.start_micros.map(|us| {
                StartTime::from_naive(chrono::DateTime::from_timestamp_micros(us).expect("in range").naive_utc())
            }),
            event_mix: EventMix { send_next, send_after, send_all, internal },
            send_all_targets: if self.next_two { SendAllTargets::NextTwo } else { SendAllTargets::AllOthers },
            network_delay: self.delay,
            tick_jitter: match self.jitter {
                None => TickJitter::NoJitter,
                Some(f) => TickJitter::Uniform { max: below(min_tick_gap(fastest), f) },
            },
            semantics: self.semantics,
            queue_limit: lamport_sim::DEFAULT_QUEUE_LIMIT,
        }
    }
}

/// A delay in nanoseconds, up to [`MAX_DELAY_NANOS`], spread over the scales that matter:
/// zero, nanoseconds (ties with ticks), milliseconds (below a period) and seconds (many
/// periods).
fn delay_nanos() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0u64), 1..=1_000u64, 1_000..=50_000_000u64, 50_000_000..=MAX_DELAY_NANOS, Just(MAX_DELAY_NANOS)]
}

fn network_delay() -> impl Strategy<Value = NetworkDelay> {
    prop_oneof![
        3 => Just(NetworkDelay::NoDelay),
        1 => delay_nanos().prop_map(|d| NetworkDelay::Fixed(SimDuration(d))),
        1 => (delay_nanos(), delay_nanos()).prop_map(|(a, b)| NetworkDelay::Uniform {
            min: SimDuration(a.min(b)),
            max: SimDuration(a.max(b)),
        }),
        1 => delay_nanos().prop_map(|d| NetworkDelay::Exponential { mean: SimDuration(d) }),
    ]
}

/// Run lengths from 1 s to 4 min, mostly short (the suite's time is mostly spent running
/// them), with some that end between ticks (not a whole number of seconds).
fn duration() -> impl Strategy<Value = SimDuration> {
    prop_oneof![
        10 => (1u64..=10).prop_map(SimDuration::from_secs),
        3 => (11u64..=60).prop_map(SimDuration::from_secs),
        1 => (61u64..=240).prop_map(SimDuration::from_secs),
        3 => (NANOS_PER_SEC..=20 * NANOS_PER_SEC).prop_map(SimDuration),
        1 => (1_000u64..=20_000).prop_map(|ms| SimDuration(ms * 1_000_000)),
    ]
}

/// Microseconds since 1970 of a start time: none (the seeded default), a recent date, or any
/// date scenarios accept (years 1970 to 9000).
fn start_micros() -> impl Strategy<Value = Option<i64>> {
    let micros = |y: i32| {
        chrono::NaiveDate::from_ymd_opt(y, 1, 1)
            .expect("valid date")
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_micros()
    };
    prop_oneof![
        2 => Just(None),
        1 => (micros(2000)..micros(2100)).prop_map(Some),
        1 => (0..micros(9001)).prop_map(Some),
    ]
}

/// A fraction of a period (of 2^32), with both ends (zero, just below the period) likely.
fn fraction() -> impl Strategy<Value = u32> {
    prop_oneof![Just(0u32), Just(u32::MAX), any::<u32>()]
}

fn semantics() -> impl Strategy<Value = Semantics> {
    (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(before, per_message, before_take)| Semantics {
        message_clock: if before { MessageClock::BeforeIncrement } else { MessageClock::AfterIncrement },
        multicast: if per_message { MulticastClock::IncrementPerMessage } else { MulticastClock::IncrementOnce },
        receive_queue_len: if before_take { ReceiveQueueLen::BeforeTake } else { ReceiveQueueLen::AfterTake },
    })
}

/// Valid scenarios: 1 to 12 machines, rates 1 to 30 (Range, Each, Cycle), any event mix
/// (weights 0 to 10, at least one positive), random, aligned or explicit phases, any network
/// delay up to 2 s, no jitter or jitter below the fastest period, both send_all targets, all
/// semantics, any seed and start time, 1 s to 4 min. Every one resolves.
pub fn arb_scenario() -> impl Strategy<Value = ArbScenario> {
    let rate = || 1..=MAX_RATE;
    let max = MAX_MACHINES as usize;
    let rates = prop_oneof![
        (rate(), rate()).prop_map(|(a, b)| RatesPart::Range(a, b)),
        vec(rate(), max).prop_map(RatesPart::Each),
        vec(rate(), 1..=max).prop_map(RatesPart::Cycle),
    ];
    let phase = prop_oneof![
        Just(PhasePart::Random),
        Just(PhasePart::Aligned),
        vec(fraction(), max).prop_map(PhasePart::Explicit),
    ];
    let jitter = prop_oneof![2 => Just(None), 1 => fraction().prop_map(Some)];
    (
        (1..=MAX_MACHINES, any::<bool>(), rates, phase, duration(), any::<u64>(), start_micros()),
        ([0..=10u32, 0..=10u32, 0..=10u32, 0..=10u32], any::<bool>(), network_delay(), jitter, semantics()),
    )
        .prop_map(|((machines, write_machines, rates, phase, duration, seed, start_micros), rest)| {
            let (mix, next_two, delay, jitter, semantics) = rest;
            Parts {
                machines,
                write_machines,
                rates,
                phase,
                duration,
                seed,
                start_micros,
                mix,
                next_two,
                delay,
                jitter,
                semantics,
            }
        })
        .prop_map(|parts| ArbScenario(parts.build()))
}

/// What fills in what a scenario leaves open; generated scenarios always name a seed, so
/// this never matters (the replay property uses another one to show it).
const FRESH: Fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };

fn resolve(s: &Scenario) -> Resolved {
    s.resolve(FRESH, "<proptest>").unwrap_or_else(|e| panic!("generated scenarios are valid: {e}\n{}", s.to_ron()))
}

/// Fails with the name of the first machine log (or the summary) that differs.
fn same_run(a: &MemoryRun, b: &MemoryRun, what: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.logs.len(), b.logs.len(), "{}: machine count", what);
    for (id, (x, y)) in a.logs.iter().zip(&b.logs).enumerate() {
        if x != y {
            let line = first_difference(x, y);
            return Err(TestCaseError::fail(format!("{what}: machine-{id}.csv differs first at line {line}")));
        }
    }
    prop_assert_eq!(a.summary.to_json(), b.summary.to_json(), "{}: summary.json", what);
    Ok(())
}

/// 1-based number of the first line where two logs differ.
fn first_difference(a: &[u8], b: &[u8]) -> usize {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let same = a.lines().zip(b.lines()).take_while(|(x, y)| x == y).count();
    same + 1
}

/// A log kept in memory, read by the tests' one log reader.
fn log_file(log: &[u8]) -> LogFile {
    LogFile::parse(std::str::from_utf8(log).expect("logs are UTF-8"), "<memory log>")
}

/// A log's rows (without the header): each row's `sim_time` in nanoseconds and its line's
/// exact text.
fn rows(log: &LogFile) -> Vec<(u64, &str)> {
    (0..log.lines.len()).map(|i| (log.sim_nanos(i), log.line(i))).collect()
}

/// (a) Every run passes `lamport-sim check`'s rules (clock rules, message matching, FIFO
/// queues, tick schedule, clock condition, summary totals).
fn passes_the_checker(s: &Scenario) -> Result<(), TestCaseError> {
    let r = resolve(s);
    let run = run_in_memory(&r);
    let report = check_memory_run(&run, &r).map_err(|e| TestCaseError::fail(format!("check could not run: {e}")))?;
    let shown: Vec<String> = report.violations.iter().map(ToString::to_string).collect();
    prop_assert!(
        report.passed(),
        "{} violation(s), the first {}:\n  {}",
        report.violation_count,
        shown.len(),
        shown.join("\n  ")
    );
    prop_assert_eq!(report.events(), run.summary.overall.events.total);
    Ok(())
}

/// (b) The same resolved scenario gives the same bytes twice.
fn runs_twice_the_same(s: &Scenario) -> Result<(), TestCaseError> {
    let r = resolve(s);
    same_run(&run_in_memory(&r), &run_in_memory(&r), "second run")
}

/// (c) The resolved scenario, written as `scenario.ron` text, read back and resolved again
/// (with other fresh values, which must not matter), replays byte for byte.
fn replays_the_same(s: &Scenario) -> Result<(), TestCaseError> {
    let r = resolve(s);
    let text = r.to_ron();
    let back = Scenario::from_ron_str(&text, "<scenario.ron>")
        .map_err(|e| TestCaseError::fail(format!("scenario.ron does not parse: {e}\n{text}")))?;
    let later = StartTime::try_from("2096-07-01 12:00:00.5".to_string()).expect("a valid start time");
    let other = Fresh { seed: r.seed ^ 1, start_time: later };
    let again = back
        .resolve(other, "<scenario.ron>")
        .map_err(|e| TestCaseError::fail(format!("scenario.ron does not resolve: {e}\n{text}")))?;
    prop_assert_eq!(&again, &r);
    same_run(&run_in_memory(&r), &run_in_memory(&again), "replay")
}

/// (d) Scenarios round-trip through RON: the scenario itself, the resolved one's explicit
/// form, and `scenario.ron` (with its comment header).
fn round_trips_through_ron(s: &Scenario) -> Result<(), TestCaseError> {
    let text = s.to_ron();
    let back = Scenario::from_ron_str(&text, "<generated>")
        .map_err(|e| TestCaseError::fail(format!("the scenario does not parse back: {e}\n{text}")))?;
    prop_assert_eq!(&back, s);
    let r = resolve(s);
    let explicit = r.to_scenario();
    let text = explicit.to_ron();
    let back = Scenario::from_ron_str(&text, "<explicit>")
        .map_err(|e| TestCaseError::fail(format!("the explicit scenario does not parse back: {e}\n{text}")))?;
    prop_assert_eq!(&back, &explicit);
    prop_assert_eq!(resolve(&back), r.clone());
    let file = Scenario::from_ron_str(&r.to_ron(), "<scenario.ron>")
        .map_err(|e| TestCaseError::fail(format!("scenario.ron does not parse back: {e}")))?;
    prop_assert_eq!(&file, &explicit);
    Ok(())
}

/// (e) Per machine, the rows of a `T`-long run before `T` are the first rows of the same
/// scenario run for `2T`. Without jitter every row is before `T`, so the whole log is a
/// prefix. With jitter a machine's last tick (nominal time before `T`) may happen at or
/// after `T`; its row can differ, because in the longer run a tick due at or after `T`
/// (which the short run never makes) may come first and send to it. So after the prefix
/// there is at most that one tick, and the longer run has a tick at the same instant
/// ([`jitter_can_change_the_last_tick_of_a_shorter_run`] shows it).
fn is_a_prefix_of_a_longer_run(s: &Scenario) -> Result<(), TestCaseError> {
    let mut longer = s.clone();
    longer.duration = SimDuration(s.duration.as_nanos() * 2);
    prefix_property(&resolve(s), &resolve(&longer))
}

/// All five properties, for a saved scenario.
fn every_property(s: &Scenario) -> Result<(), TestCaseError> {
    passes_the_checker(s)?;
    runs_twice_the_same(s)?;
    replays_the_same(s)?;
    round_trips_through_ron(s)?;
    is_a_prefix_of_a_longer_run(s)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_run_passes_the_checker(s in arb_scenario()) {
        passes_the_checker(&s.0)?;
    }

    #[test]
    fn the_same_scenario_gives_the_same_bytes(s in arb_scenario()) {
        runs_twice_the_same(&s.0)?;
    }

    #[test]
    fn replaying_the_resolved_scenario_gives_the_same_bytes(s in arb_scenario()) {
        replays_the_same(&s.0)?;
    }

    #[test]
    fn scenarios_round_trip_through_ron(s in arb_scenario()) {
        round_trips_through_ron(&s.0)?;
    }

    #[test]
    fn a_run_is_a_prefix_of_a_run_twice_as_long(s in arb_scenario()) {
        is_a_prefix_of_a_longer_run(&s.0)?;
    }
}

/// Every `scenarios/regression-*.ron` (a shrunk failure saved by the workflow in
/// `docs/testing.md`) passes all five properties with its own seed, for good.
#[test]
fn saved_regression_scenarios_pass_every_property() {
    let files: Vec<_> = crate::util::scenario_files()
        .into_iter()
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("regression-")))
        .collect();
    for file in files {
        let s = Scenario::load(&file).unwrap_or_else(|e| panic!("{e}"));
        if let Err(e) = every_property(&s) {
            panic!("{}: {e}", file.display());
        }
    }
}

/// Property (e) for a run `short` and the same scenario run twice as long.
fn prefix_property(short: &Resolved, long: &Resolved) -> Result<(), TestCaseError> {
    let end = short.duration.as_nanos();
    let (a, b) = (run_in_memory(short), run_in_memory(long));
    for (id, (x, y)) in a.logs.iter().zip(&b.logs).enumerate() {
        let (x, y) = (log_file(x), log_file(y));
        let (x, y) = (rows(&x), rows(&y));
        // From 1 s on, every machine (at least 1 Hz) ticks again in the second half.
        let more = x.len() < y.len() || short.duration < SimDuration::from_secs(1) && x.len() == y.len();
        prop_assert!(more, "machine {}: {} rows in T, {} in 2T", id, x.len(), y.len());
        let before_end = x.iter().take_while(|(t, _)| *t < end).count();
        for (i, (row, other)) in x[..before_end].iter().zip(&y).enumerate() {
            prop_assert_eq!(row.1, other.1, "machine {}: row {} (line {}) of the T run", id, i + 1, i + 2);
        }
        let tail = &x[before_end..];
        if short.tick_jitter == TickJitter::NoJitter {
            prop_assert!(tail.is_empty(), "machine {}: without jitter no row is at or after T: {:?}", id, tail);
        } else if let Some((last, _)) = tail.first() {
            prop_assert!(
                tail.iter().all(|(t, _)| t == last),
                "machine {}: only its last tick is after T: {:?}",
                id,
                tail
            );
            prop_assert_eq!(y[before_end].0, *last, "machine {}: the 2T run ticks at the same instant", id);
        }
    }
    Ok(())
}

/// The smallest case property (e) found when it asked for the whole log to be a prefix:
/// machine 0's only tick (nominal 0.9 s) is jittered to 1.788 s, after the 1 s end. In the 2 s
/// run machine 1's second tick (nominal 1 s, so absent from the 1 s run) happens at 1.594 s
/// and sends to machine 0 first, so machine 0's row shows `queue_len` 1 instead of 0. Both
/// runs pass the checker; only the row after `T` differs.
const JITTER_PREFIX_CASE: &str = r#"Scenario(
    rates: Each([1, 1]),
    phase: Explicit(["900ms", "0s"]),
    duration: "1s",
    seed: 1,
    event_mix: EventMix(send_next: 1, send_after: 0, send_all: 0, internal: 0),
    tick_jitter: Uniform(max: "999ms"),
)"#;

#[test]
fn jitter_can_change_the_last_tick_of_a_shorter_run() {
    let s = Scenario::from_ron_str(JITTER_PREFIX_CASE, "<case>").expect("valid");
    let mut longer = s.clone();
    longer.duration = SimDuration::from_secs(2);
    let (short, long) = (resolve(&s), resolve(&longer));
    every_property(&s).expect("the case passes every property");
    prefix_property(&short, &long).expect("the rows before T are a prefix");
    let (a, b) = (run_in_memory(&short), run_in_memory(&long));
    let (x, y) = (log_file(&a.logs[0]), log_file(&b.logs[0]));
    let (x, y) = (rows(&x), rows(&y));
    assert_eq!(x.len(), 1);
    assert_eq!(x[0].1, "2000-01-01 00:00:01.788061,1.788061803,0,RECEIVE,2,0,1,1");
    assert_eq!(y[0].1, "2000-01-01 00:00:01.788061,1.788061803,0,RECEIVE,2,1,1,1");
    for (run, r) in [(&a, &short), (&b, &long)] {
        assert!(check_memory_run(run, r).expect("checkable").passed());
    }
}

/// The generator reaches every option (so a change to it cannot quietly stop testing one),
/// and its runs stay small enough for the default case count.
#[test]
fn the_generator_reaches_every_option() {
    use proptest::strategy::ValueTree;
    use std::collections::BTreeSet;

    let name = |debug: String| debug.split(['(', ' ', '{']).next().unwrap_or_default().to_string();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = arb_scenario();
    let mut seen = BTreeSet::new();
    let mut ticks = 0u128;
    const SAMPLES: u32 = 3000;
    for _ in 0..SAMPLES {
        let s = strategy.new_tree(&mut runner).expect("generates").current().0;
        let r = resolve(&s);
        ticks += r.total_ticks();
        seen.insert(format!("rates {}", name(format!("{:?}", s.rates))));
        seen.insert(format!("phase {}", name(format!("{:?}", s.phase))));
        seen.insert(format!("delay {}", name(format!("{:?}", s.network_delay))));
        seen.insert(format!("jitter {}", name(format!("{:?}", s.tick_jitter))));
        seen.insert(format!("targets {:?}", s.send_all_targets));
        seen.insert(format!("{:?}", s.semantics.message_clock));
        seen.insert(format!("{:?}", s.semantics.multicast));
        seen.insert(format!("{:?}", s.semantics.receive_queue_len));
        seen.insert(format!("machines written {}", s.machines.is_some()));
        seen.insert(format!("start time written {}", s.start_time.is_some()));
        let n = r.machines.len();
        if n == 1 || n == 12 {
            seen.insert(format!("{n} machines"));
        }
        for m in &r.machines {
            if m.rate == 1 || m.rate == 30 {
                seen.insert(format!("rate {}", m.rate));
            }
            if m.phase.as_nanos() + 1 == min_tick_gap(m.rate).as_nanos() {
                seen.insert("a phase one nanosecond below the period".into());
            }
        }
        let fastest = r.machines.iter().map(|m| m.rate).max().unwrap();
        if let TickJitter::Uniform { max } = r.tick_jitter {
            if max.as_nanos() + 1 == min_tick_gap(fastest).as_nanos() {
                seen.insert("jitter one nanosecond below the fastest period".into());
            }
        }
        if let NetworkDelay::Fixed(SimDuration(0)) = r.network_delay {
            seen.insert("a zero fixed delay".into());
        }
        let mix = r.event_mix;
        if [mix.send_next, mix.send_after, mix.send_all, mix.internal].contains(&0) {
            seen.insert("an event mix with a zero weight".into());
        }
        let nanos = r.duration.as_nanos();
        seen.insert(
            match nanos {
                _ if !nanos.is_multiple_of(NANOS_PER_SEC) => "a duration between seconds",
                _ if nanos > 60 * NANOS_PER_SEC => "a duration over a minute",
                _ => "a duration of whole seconds",
            }
            .into(),
        );
    }
    let want = [
        "rates Range",
        "rates Each",
        "rates Cycle",
        "phase Random",
        "phase Aligned",
        "phase Explicit",
        "delay NoDelay",
        "delay Fixed",
        "delay Uniform",
        "delay Exponential",
        "jitter NoJitter",
        "jitter Uniform",
        "targets AllOthers",
        "targets NextTwo",
        "AfterIncrement",
        "BeforeIncrement",
        "IncrementOnce",
        "IncrementPerMessage",
        "AfterTake",
        "BeforeTake",
        "machines written true",
        "machines written false",
        "start time written true",
        "start time written false",
        "1 machines",
        "12 machines",
        "rate 1",
        "rate 30",
        "a phase one nanosecond below the period",
        "jitter one nanosecond below the fastest period",
        "a zero fixed delay",
        "an event mix with a zero weight",
        "a duration between seconds",
        "a duration over a minute",
        "a duration of whole seconds",
    ];
    let missing: Vec<&str> = want.iter().copied().filter(|w| !seen.contains(*w)).collect();
    assert!(missing.is_empty(), "never generated in {SAMPLES} scenarios: {missing:?}");
    let mean = ticks / u128::from(SAMPLES);
    assert!(mean < 10_000, "a generated scenario makes {mean} ticks on average; keep runs short");
    eprintln!("the generator: {mean} ticks per scenario on average over {SAMPLES}");
}
