//! # lamport-sim
//!
//! A deterministic, single-threaded, virtual-time simulator of the classic "scale models
//! and logical clocks" exercise: N machines tick at their own rates, send each other
//! messages and keep Lamport clocks; every event is logged as CSV.
//!
//! ```text
//!   scenario/ ──resolve──▶ engine/ ──Event, RunEnd──▶ sinks/ ──▶ run/ (run folder)
//!   (RON, sweeps)          (Simulation: the only       (CSV logs,    (layout, marks,
//!                           mutable simulation state)   statistics,   atomic writes,
//!                                                       metrics,      the runner)
//!                                                       fingerprint)       │
//!   batch/: a sweep's runs through the runner, tables ◀──────────────────────┤
//!   analysis/: log reading, check (its own oracle), diff, predict ◀──────────┘
//!   base/: time, ids, the seeded RNG: shared by all
//! ```
//!
//! Data flows one way. Only the engine mutates simulation state; a sink learns of each
//! event and of the end of the run (the end state and how the run ended) through
//! [`EventSink`], never by reading the engine afterwards. What reads a run afterwards
//! ([`check_dir`], [`diff_dirs`]) reads its files.
//!
//! ```
//! use lamport_sim::{Fresh, Scenario, Simulation, StartTime, SummarySink};
//! // Three machines at 1, 3 and 6 ticks per second for ten simulated seconds.
//! let scenario = Scenario::from_ron_str("(rates: Each([1, 3, 6]), duration: \"10s\", seed: 42)", "<doc>")?;
//! let resolved = scenario.resolve(Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT }, "<doc>")?;
//! let mut sim = Simulation::new(&resolved);
//! let mut stats = SummarySink::new(&resolved);
//! sim.run(&mut stats)?;
//! let summary = stats.summary().expect("the engine reported the end of the run");
//! assert_eq!(summary.overall.events.total, 10 + 30 + 60); // one event per tick by default
//! assert!(summary.complete);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The API
//!
//! | part | items |
//! |---|---|
//! | time and ids | [`SimTime`], [`SimDuration`] (and its [`HumanDuration`] form), [`MachineId`], [`LamportTime`], [`EventKind`], [`StartTime`] |
//! | scenarios | [`Scenario`] (and its field types), [`Resolved`], [`MachineSetup`], [`Fresh`], [`ScenarioError`], [`Sweep`] |
//! | the engine | [`Simulation`], [`SimError`], [`Event`], [`EventDetail`], [`EventSink`], [`RunEnd`], [`Ending`], [`MachineState`], [`NullSink`] |
//! | sinks | [`CsvLogs`], [`MemoryLogs`], [`SummarySink`], [`Summary`], [`Metrics`], [`RunMetrics`], [`Fingerprint`] |
//! | run folders | [`RunDir`], [`run_to_dir`], [`run_summary`], [`RunOutcome`], [`RunError`], the file names |
//! | batches | [`run_batch`] (and [`planned_runs`]), [`merge`], [`BatchOptions`], [`RunDone`], [`BatchReport`], [`BatchError`] |
//! | analysis | [`check_dir`], [`CheckReport`], [`diff_dirs`], [`DiffOutcome`], [`LogReader`], [`predict`] |
//!
//! The command line (`src/main.rs`, `src/cli/`) is the binary's, behind the default `cli`
//! feature: with `default-features = false` none of clap, anyhow, ctrlc, indicatif or rand
//! is compiled. The test and fuzz harness and the benchmark-only tick queues are behind
//! the `testing` feature, which only this crate's tests, benches and fuzz targets enable.
//!
//! # Guarantees, and where each is stated
//!
//! | guarantee | stated in |
//! |---|---|
//! | a run is a pure function of its `scenario.ron` and the version | below; `docs/determinism.md` |
//! | integer time; tick `k` at `phase + floor(k × 1e9 / rate)`; `rate × T` ticks in `T` s | [`SimTime`], [`tick_time`] |
//! | one portable RNG; per-machine streams; our own bounded sampling | [`SimRng`] |
//! | the same-instant order of events | [`Simulation`] |
//! | Lamport's rules IR1 / IR2 | the engine's `clock` module; checked by [`check_dir`] |
//! | the log format and run-folder marks | [`CsvLogs`], [`RunDir`]; `docs/log-format.md` |
//! | batch output identical for any thread count and sharding | [`run_batch`]; `docs/batch.md` |
//!
//! # Determinism
//!
//! 1. A run is a pure function of its resolved scenario (`scenario.ron`, which names the
//!    seed, every rate and phase and the start time) and the lamport-sim version: the same
//!    bytes on every platform, whatever the wall clock or thread count.
//! 2. Time is integer nanoseconds; tick `k` is at [`tick_time`]`(k)` exactly.
//! 3. Randomness comes from [`SimRng`] (PCG `Mcg128Xsl64`), one stream per machine and
//!    purpose, derived from (seed, machine id, purpose); bounded sampling is our own.
//! 4. Same-instant order is fixed: messages due at an instant land first (in send order),
//!    then ticks in ascending machine id (see [`Simulation`]).
//! 5. No hash-map iteration, wall clock or thread timing reaches the output. A golden test
//!    pins exact logs; a change to them is listed in `CHANGELOG.md` under
//!    "Reproducibility-breaking changes".

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![deny(unsafe_code)]

mod analysis;
mod base;
mod batch;
mod engine;
mod run;
mod scenario;
mod sinks;

#[cfg(feature = "testing")]
pub mod testing;

pub use analysis::{
    check_dir, diff_dirs, predict, scenario_differences, CausalPast, CheckError, DiffOutcome, Divergence, LocatedRow,
    LogReader, LogRow, MergedLogs, Prediction, ReadError, Report as CheckReport, Violation,
};
pub use base::{
    tick_time, ticks_before, DurationParseError, EventKind, HumanDuration, LamportTime, MachineId, SimDuration, SimRng,
    SimTime, StreamPurpose,
};
pub use batch::{
    merge, planned_runs, run_batch, BatchError, BatchOptions, BatchReport, RunDone, AGGREGATED, MACHINE_AGGREGATED,
    RUN_COLUMNS,
};
pub use engine::{Ending, Event, EventDetail, EventSink, MachineState, NullSink, RunEnd, SimError, Simulation};
pub use run::{
    log_file_name, log_ids, run_summary, run_to_dir, RunDir, RunDirError, RunError, RunOutcome, INCOMPLETE_FILE,
    SCENARIO_FILE, SUMMARY_FILE,
};
pub use scenario::{
    EventMix, Fresh, Grid, MachineCount, MachineSetup, MessageClock, MulticastClock, NetworkDelay, Phase, Rate, Rates,
    ReceiveQueueLen, Resolved, Scenario, ScenarioError, Seeds, Semantics, SendAllTargets, StartTime, Sweep, TickJitter,
    DEFAULT_QUEUE_LIMIT, MAX_DURATION, MAX_MACHINES, MAX_RATE, MAX_SCENARIO_BYTES,
};
pub use sinks::{
    CsvLogs, EventCounts, Fingerprint, Histogram, MachineMetrics, MachineSummary, MemoryLogs, Metrics, OverallSummary,
    RunMetrics, Summary, SummarySink, SUMMARY_SCHEMA_VERSION,
};
