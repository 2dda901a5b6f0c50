//! Resolution: a scenario with every value made explicit (seed, drawn rates and phases,
//! start time), what the engine runs and `scenario.ron` records.

use crate::base::{min_tick_gap, SimDuration, SimRng, StartTime, StreamPurpose};
use crate::scenario::read::SourceText;
use crate::scenario::{
    EventMix, MachineCount, NetworkDelay, Phase, Rate, Rates, Scenario, ScenarioError, Semantics, SendAllTargets,
    TickJitter,
};

impl Scenario {
    /// Validates the scenario (as if it came from `origin`) and makes every value explicit.
    ///
    /// What the scenario leaves open is filled in this order: the seed from `fresh.seed`;
    /// random rates and phases from the seed (each machine's setup stream); the start time
    /// from the scenario, else `2000-01-01 00:00:00` when the scenario names a seed (so a
    /// seeded run is a pure function of its inputs), else `fresh.start_time` (a fresh run
    /// looks like a real one).
    pub fn resolve(&self, fresh: Fresh, origin: &str) -> Result<Resolved, ScenarioError> {
        self.check(&SourceText { text: "", origin })?;
        let seed = self.seed.unwrap_or(fresh.seed);
        let start_time = match (self.start_time, self.seed) {
            (Some(t), _) => t,
            (None, Some(_)) => StartTime::SEEDED_DEFAULT,
            (None, None) => fresh.start_time,
        };
        let n = self.machine_count();
        let machines = (0..n)
            .map(|i| {
                let mut setup = SimRng::for_machine(seed, i, StreamPurpose::Setup);
                let rate = match &self.rates {
                    Rates::Range { min, max } => setup.between(min.get().into(), max.get().into()) as u32,
                    _ => self.fixed_rate(i).expect("list rates are fixed"),
                };
                let phase = match &self.phase {
                    Phase::Random => SimDuration(setup.below(min_tick_gap(rate).as_nanos())),
                    Phase::Aligned => SimDuration::ZERO,
                    Phase::Explicit(list) => list[i as usize],
                };
                MachineSetup { rate, phase }
            })
            .collect::<Vec<_>>();
        let resolved = Resolved {
            seed,
            start_time,
            duration: self.duration,
            machines,
            event_mix: self.event_mix,
            send_all_targets: self.send_all_targets,
            network_delay: self.network_delay,
            tick_jitter: self.tick_jitter,
            semantics: self.semantics,
            queue_limit: self.queue_limit,
        };
        // Drawn rates can still break a rate-dependent rule (an explicit phase or the jitter).
        resolved.to_scenario().check(&SourceText { text: "", origin })?;
        Ok(resolved)
    }
}

/// Values used for what a scenario leaves open (see [`Scenario::resolve`]).
#[derive(Debug, Clone, Copy)]
pub struct Fresh {
    /// Seed used when the scenario names none.
    pub seed: u64,
    /// Start time used when the scenario names neither a seed nor a start time.
    pub start_time: StartTime,
}

/// One machine's fixed setup in a resolved scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MachineSetup {
    /// Ticks per second.
    pub rate: u32,
    /// Time of the first tick, shorter than one tick period.
    pub phase: SimDuration,
}

/// A validated scenario with every value explicit: what the engine runs and what
/// `scenario.ron` records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Seed of every random stream.
    pub seed: u64,
    /// `system_time` of simulated time zero.
    pub start_time: StartTime,
    /// Run length.
    pub duration: SimDuration,
    /// Rate and phase of each machine, in id order.
    pub machines: Vec<MachineSetup>,
    /// Action weights of an idle machine.
    pub event_mix: EventMix,
    /// Receivers of a `send_all` action.
    pub send_all_targets: SendAllTargets,
    /// Message delay.
    pub network_delay: NetworkDelay,
    /// Tick lateness.
    pub tick_jitter: TickJitter,
    /// Clock and logging conventions.
    pub semantics: Semantics,
    /// Largest queue allowed.
    pub queue_limit: u64,
}

impl Resolved {
    /// The fully explicit scenario (every field present, rates and phases listed).
    pub fn to_scenario(&self) -> Scenario {
        Scenario {
            machines: Some(MachineCount(self.machines.len() as u32)),
            rates: Rates::Each(self.machines.iter().map(|m| Rate(m.rate)).collect()),
            phase: Phase::Explicit(self.machines.iter().map(|m| m.phase).collect()),
            duration: self.duration,
            seed: Some(self.seed),
            start_time: Some(self.start_time),
            event_mix: self.event_mix,
            send_all_targets: self.send_all_targets,
            network_delay: self.network_delay,
            tick_jitter: self.tick_jitter,
            semantics: self.semantics,
            queue_limit: self.queue_limit,
        }
    }

    /// The `scenario.ron` text: a comment header and the explicit scenario.
    pub fn to_ron(&self) -> String {
        format!(
            "// Resolved scenario written by lamport-sim {}: every value is explicit.\n\
             // Replay it byte for byte with: lamport-sim replay <this file or its run folder> --out DIR\n{}\n",
            env!("CARGO_PKG_VERSION"),
            self.to_scenario().to_ron()
        )
    }

    /// Total ticks in the run: the sum over machines of [`crate::base::ticks_before`].
    pub fn total_ticks(&self) -> u128 {
        let end = crate::base::SimTime(self.duration.as_nanos());
        self.machines.iter().map(|m| u128::from(crate::base::ticks_before(end, m.rate, m.phase))).sum()
    }
}
