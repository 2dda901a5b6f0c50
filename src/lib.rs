//! # lamport-sim
//!
//! A deterministic, single-threaded, virtual-time simulator of the classic "scale models
//! and logical clocks" exercise: N machines tick at their own rates, send each other
//! messages and keep Lamport clocks; every event is logged as CSV.
//!
//! Data flows one way: [`scenario`] (what to run) → [`engine`] (the only code that
//! mutates simulation state) → [`event::EventSink`]s ([`logs`], [`summary`],
//! [`fingerprint`], [`metrics`]) → the run directory ([`rundir`], [`runner`]) → what reads
//! logs afterwards ([`logread`], [`check`], [`diff`]). Batch experiments ([`sweep`],
//! [`batch`]) run many scenarios through the same engine and sinks; [`predict`] is the
//! analytical model they are compared with.
//!
//! ```
//! use lamport_sim::{engine::Simulation, scenario::{Fresh, Scenario, StartTime}, summary::Stats};
//! // Three machines at 1, 3 and 6 ticks per second for ten simulated seconds.
//! let scenario = Scenario::from_ron_str("(rates: Each([1, 3, 6]), duration: \"10s\", seed: 42)", "<doc>")?;
//! let resolved = scenario.resolve(Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT }, "<doc>")?;
//! let mut sim = Simulation::new(&resolved);
//! let mut stats = Stats::new(3);
//! sim.run(&mut stats)?;
//! assert_eq!(sim.events(), 10 + 30 + 60); // one event per tick with the default semantics
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Determinism
//!
//! 1. A run is a pure function of its resolved scenario (`scenario.ron`, which names the
//!    seed, every rate and phase and the start time) and the lamport-sim version: the same
//!    bytes on every platform, whatever the wall clock or thread count.
//! 2. Time is integer nanoseconds; tick `k` is at [`time::tick_time`]`(k)` exactly (the
//!    engine steps it with [`time::TickSchedule`], no division per tick).
//! 3. Randomness comes from [`rng::SimRng`] (PCG `Mcg128Xsl64`), one stream per machine
//!    and purpose, derived from (seed, machine id, purpose); bounded sampling is our own.
//! 4. Same-instant order is fixed: messages due at an instant land first (in send order),
//!    then ticks in ascending machine id (see [`engine`]).
//! 5. No hash-map iteration, wall clock or thread timing reaches the output. A golden test
//!    pins exact logs; a change to them is listed in `CHANGELOG.md` under
//!    "Reproducibility-breaking changes".

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]
#![deny(unsafe_code)]

pub mod batch;
pub mod check;
pub mod cli;
pub mod clock;
pub mod diff;
pub mod engine;
pub mod event;
pub mod fingerprint;
pub mod fuzz_support;
pub mod logread;
pub mod logs;
pub mod metrics;
pub mod predict;
pub mod queue;
pub mod rng;
pub mod rundir;
pub mod runner;
pub mod scenario;
pub mod summary;
pub mod sweep;
pub mod time;
