//! Scenario files: the RON format users write, its validation with `file:line:col` errors,
//! and resolution into a [`Resolved`] scenario where every value (seed, rates, phases, start
//! time, every default) is explicit, so that replaying it reproduces a run byte for byte;
//! and sweep files, which expand into many scenarios.
//!
//! The field reference with examples is `docs/scenario.md`.

mod fields;
mod read;
mod resolve;
mod sweep;
mod validate;

pub use crate::base::StartTime;
pub use fields::{
    EventMix, MachineCount, MessageClock, MulticastClock, NetworkDelay, Phase, Rate, Rates, ReceiveQueueLen, Semantics,
    SendAllTargets, TickJitter,
};
#[cfg(feature = "testing")]
pub(crate) use read::ron_text;
pub use read::ScenarioError;
pub(crate) use read::{read_ron, read_ron_file};
pub use resolve::{Fresh, MachineSetup, Resolved};
pub use sweep::{Grid, Seeds, Sweep};
pub(crate) use sweep::{GridPoint, RunSpec};

use serde::{Deserialize, Serialize};

use crate::base::{SimDuration, NANOS_PER_SEC};

/// Scenario files larger than this are refused before parsing.
pub const MAX_SCENARIO_BYTES: u64 = 1024 * 1024;
/// Largest machine count a scenario may ask for.
pub const MAX_MACHINES: u32 = 100_000;
/// Longest run: a million hours (114 years), so that no tick time, jitter included, comes
/// near the end of 64-bit nanoseconds.
pub const MAX_DURATION: SimDuration = SimDuration(1_000_000 * 3600 * NANOS_PER_SEC);
/// Largest clock rate, in ticks per simulated second.
pub const MAX_RATE: u32 = 1_000_000;

/// A scenario as written in a `.ron` file. Every field may be left out; what is left out
/// takes the classic experiment's value. See [`Scenario::resolve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Number of machines. Default: the length of an `Each` rate list, else 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machines: Option<MachineCount>,
    /// Clock rates (ticks per second). Default: `Range(min: 1, max: 6)`.
    #[serde(default)]
    pub rates: Rates,
    /// When each machine's first tick happens. Default: `Random`.
    #[serde(default)]
    pub phase: Phase,
    /// Simulated run length. Default: `"60s"`.
    #[serde(default = "default_duration")]
    pub duration: SimDuration,
    /// Seed of every random stream. Default: a fresh random seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The `system_time` of simulated time zero. Default: see [`Scenario::resolve`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<StartTime>,
    /// Weights of the actions an idle machine picks. Default: the classic 1/1/1/7.
    #[serde(default)]
    pub event_mix: EventMix,
    /// Who a `send_all` action sends to. Default: `AllOthers`.
    #[serde(default)]
    pub send_all_targets: SendAllTargets,
    /// How long a message takes to land in the receiver's queue. Default: `NoDelay` (at once).
    #[serde(default)]
    pub network_delay: NetworkDelay,
    /// Random lateness of each tick. Default: `NoJitter`.
    #[serde(default)]
    pub tick_jitter: TickJitter,
    /// The three points where published versions of the exercise disagree.
    #[serde(default)]
    pub semantics: Semantics,
    /// Largest number of messages one machine's queue may hold; a run that would exceed it
    /// stops with an error instead of exhausting memory. Default: 10,000,000.
    #[serde(default = "default_queue_limit")]
    pub queue_limit: u64,
}

/// Default [`Scenario::queue_limit`]: 10 million messages (160 MB) per queue.
pub const DEFAULT_QUEUE_LIMIT: u64 = 10_000_000;

fn default_queue_limit() -> u64 {
    DEFAULT_QUEUE_LIMIT
}

/// The classic experiment: 3 machines, rates from 1..=6, random phases, 60 simulated seconds.
impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            machines: None,
            rates: Rates::default(),
            phase: Phase::default(),
            duration: default_duration(),
            seed: None,
            start_time: None,
            event_mix: EventMix::default(),
            send_all_targets: SendAllTargets::default(),
            network_delay: NetworkDelay::default(),
            tick_jitter: TickJitter::default(),
            semantics: Semantics::default(),
            queue_limit: DEFAULT_QUEUE_LIMIT,
        }
    }
}

fn default_duration() -> SimDuration {
    SimDuration::from_secs(60)
}

impl Scenario {
    /// The machine count this scenario asks for.
    pub fn machine_count(&self) -> u32 {
        match (&self.machines, &self.rates) {
            (Some(n), _) => n.get(),
            (None, Rates::Each(list)) => list.len().try_into().unwrap_or(u32::MAX),
            (None, _) => 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::min_tick_gap;

    #[test]
    fn an_out_of_bounds_integer_names_its_field() {
        let message = |text: &str| Scenario::from_ron_str(text, "s.ron").unwrap_err().to_string();
        assert_eq!(
            message("(event_mix: EventMix(send_next: 1, send_after: 1, send_all: 1,\n internal: -1))"),
            "s.ron:2:13: Integer is out of bounds in `internal`: expected a whole number from 0 to 4294967295"
        );
        // A string holding colons (a time of day), and non-ASCII text, before the field.
        assert!(message("(start_time: \"2026-11-25 18:40:23\", seed: -1)").contains("in `seed`: expected"));
        assert!(message("(/* é: ü */ seed: -1)").contains("in `seed`"));
        assert!(message("(/* é:*/ -1)").starts_with("s.ron:1:"), "no field: no panic");
    }

    fn fresh() -> Fresh {
        Fresh { seed: 99, start_time: StartTime::SEEDED_DEFAULT }
    }

    #[test]
    fn empty_scenario_is_the_classic() {
        let s = Scenario::from_ron_str("()", "<t>").unwrap();
        assert_eq!(s, Scenario::default());
        let r = s.resolve(fresh(), "<t>").unwrap();
        assert_eq!(r.machines.len(), 3);
        assert_eq!(r.duration, SimDuration::from_secs(60));
        assert_eq!(r.event_mix, EventMix::CLASSIC);
        for m in &r.machines {
            assert!((1..=6).contains(&m.rate));
            assert!(m.phase < min_tick_gap(m.rate));
        }
    }

    #[test]
    fn resolved_round_trips_through_ron() {
        let s = Scenario::from_ron_str(
            "(machines: 4, rates: Cycle([2, 5]), seed: 7, network_delay: Uniform(min: \"1ms\", max: \"3ms\"))",
            "<t>",
        )
        .unwrap();
        let r = s.resolve(fresh(), "<t>").unwrap();
        let text = r.to_ron();
        let back = Scenario::from_ron_str(&text, "<t>").unwrap();
        assert_eq!(back, r.to_scenario());
        assert_eq!(back.resolve(fresh(), "<t>").unwrap(), r);
    }

    #[test]
    fn seed_fixes_rates_phases_and_start() {
        let s = Scenario::from_ron_str("(seed: 5)", "<t>").unwrap();
        let a = s.resolve(Fresh { seed: 1, start_time: StartTime::SEEDED_DEFAULT }, "<t>").unwrap();
        let later = StartTime::try_from("2030-01-01 00:00:00".to_string()).unwrap();
        let b = s.resolve(Fresh { seed: 2, start_time: later }, "<t>").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.start_time.to_string(), "2000-01-01 00:00:00.000000");
    }

    #[test]
    fn errors_point_at_the_field() {
        let text = "(\n  machines: 2,\n  rates: Each([1, 2, 3]),\n)";
        let err = Scenario::from_ron_str(text, "f.ron").unwrap_err().to_string();
        assert!(err.starts_with("f.ron:3:3: rates lists 3 rates but there are 2 machines"), "{err}");
        let err = Scenario::from_ron_str("(\n machines: 0)", "f.ron").unwrap_err().to_string();
        assert!(err.starts_with("f.ron:2:"), "{err}");
        assert!(err.contains("machines must be between 1 and"), "{err}");
    }
}
