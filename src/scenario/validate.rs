//! The rules that span several fields of a scenario (counts that must agree, phases and
//! jitter shorter than a tick), checked when it is read and again once rates are drawn.

use crate::base::{min_tick_gap, SimDuration};
use crate::scenario::read::SourceText;
use crate::scenario::{NetworkDelay, Phase, Rates, Scenario, ScenarioError, TickJitter, MAX_DURATION, MAX_MACHINES};

impl Scenario {
    /// Checks the rules that span several fields and do not depend on random draws.
    /// `source` locates fields in the text for error messages.
    pub(crate) fn check(&self, source: &SourceText<'_>) -> Result<(), ScenarioError> {
        let n = self.machine_count();
        let invalid = |field: &str, message: String| ScenarioError::Invalid { location: source.locate(field), message };
        // Before the machine count: an empty `Each` list would otherwise read as "0 machines".
        if let Rates::Each(list) | Rates::Cycle(list) = &self.rates {
            if list.is_empty() {
                return Err(invalid("rates", "rates list is empty; give at least one rate".into()));
            }
        }
        if n == 0 || n > MAX_MACHINES {
            return Err(invalid("rates", format!("machines must be between 1 and {MAX_MACHINES}, got {n}")));
        }
        match &self.rates {
            Rates::Range { min, max } if min > max => {
                return Err(invalid("rates", format!("rate range min {} is above max {}", min.get(), max.get())))
            }
            Rates::Each(list) if list.len() != n as usize => {
                return Err(invalid(
                    "rates",
                    format!(
                        "rates lists {} but there are {n} machines; give one rate per machine",
                        plural(list.len(), "rate")
                    ),
                ))
            }
            _ => {}
        }
        if let Phase::Explicit(list) = &self.phase {
            if list.len() != n as usize {
                return Err(invalid(
                    "phase",
                    format!(
                        "phase lists {} but there are {n} machines; give one per machine",
                        plural(list.len(), "offset")
                    ),
                ));
            }
        }
        if self.duration == SimDuration::ZERO {
            return Err(invalid("duration", "duration must be longer than 0s".into()));
        }
        if self.duration > MAX_DURATION {
            return Err(invalid(
                "duration",
                format!("duration {} is longer than the limit of 1000000h", self.duration),
            ));
        }
        if self.queue_limit == 0 {
            return Err(invalid("queue_limit", "queue_limit must be at least 1 message".into()));
        }
        if let NetworkDelay::Uniform { min, max } = self.network_delay {
            if min > max {
                return Err(invalid("network_delay", format!("network_delay Uniform min {min} is above max {max}")));
            }
        }
        // Rules that need the rates: checked against the slowest/fastest possible rate.
        let fastest = match &self.rates {
            Rates::Range { max, .. } => max.get(),
            Rates::Each(list) | Rates::Cycle(list) => list.iter().map(|r| r.get()).max().unwrap_or(1),
        };
        if let TickJitter::Uniform { max } = self.tick_jitter {
            let gap = min_tick_gap(fastest);
            if max >= gap {
                return Err(invalid(
                    "tick_jitter",
                    format!("tick_jitter max {max} must be shorter than the fastest machine's tick period ({gap} at {fastest} Hz)"),
                ));
            }
        }
        if let Phase::Explicit(list) = &self.phase {
            for (i, phase) in list.iter().enumerate() {
                let rate = self.fixed_rate(i as u32).unwrap_or(fastest);
                let gap = min_tick_gap(rate);
                if *phase >= gap {
                    return Err(invalid(
                        "phase",
                        format!("phase of machine {i} is {phase}; it must be shorter than its tick period ({gap} at {rate} Hz)"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Machine `i`'s rate if the scenario fixes it.
    pub(crate) fn fixed_rate(&self, i: u32) -> Option<u32> {
        match &self.rates {
            Rates::Range { min, max } if min == max => Some(min.get()),
            Rates::Range { .. } => None,
            Rates::Each(list) => list.get(i as usize).map(|r| r.get()),
            Rates::Cycle(list) => Some(list[i as usize % list.len()].get()),
        }
    }
}

/// `1 rate`, `2 rates`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
