//! The analytical model of message traffic: from the event mix, the rates and who sends to
//! whom, predict each machine's message arrival rate against its tick rate, hence whether
//! its queue stays bounded or grows, and how fast. A sanity oracle for measurements: `batch`
//! writes each prediction beside the measured `arrival_per_s` and `queue_growth_per_min`.
//!
//! # Model
//! A machine with messages waiting spends its tick receiving; an idle one sends to machine
//! `i` with probability `s(j, i)` per tick (from the event-mix weights and the targets). In
//! steady state machine `j` receives on a share `ρ_j = min(1, λ_j / r_j)` of its ticks, so
//! `λ_i = Σ_j r_j (1 - ρ_j) s(j, i)`. This fixed point is solved by damped iteration. A
//! queue with `λ_i > r_i` grows by `(λ_i - r_i) × 60` messages per simulated minute.
//! Network delay and jitter do not change these rates.

use crate::scenario::{Resolved, SendAllTargets};

/// The model's prediction for one machine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// Messages arriving per simulated second.
    pub arrival_rate: f64,
    /// Share of ticks spent receiving, `min(1, arrival_rate / rate)`.
    pub receive_share: f64,
    /// Queue growth in messages per simulated minute (0 when bounded).
    pub queue_growth_per_min: f64,
}

impl Prediction {
    /// Whether a measured queue growth (messages per simulated minute) is what the model
    /// predicts, within `max(2, 25 % of the prediction, 5 % of the tick rate)` messages per
    /// minute. Near the boundary (arrival rate close to the tick rate) a queue is a random
    /// walk and the slope wanders; the tolerance keeps those runs from being flagged.
    pub fn agrees_with(&self, measured_growth_per_min: f64, rate: u32) -> bool {
        let tolerance = 2.0_f64.max(0.25 * self.queue_growth_per_min).max(0.05 * 60.0 * f64::from(rate));
        (measured_growth_per_min - self.queue_growth_per_min).abs() <= tolerance
    }
}

/// Predicts every machine of the scenario.
pub fn predict(scenario: &Resolved) -> Vec<Prediction> {
    let n = scenario.machines.len();
    let rates: Vec<f64> = scenario.machines.iter().map(|m| f64::from(m.rate)).collect();
    let mix = scenario.event_mix;
    let total = f64::from(mix.total());
    let (w_next, w_after, w_all) =
        (f64::from(mix.send_next) / total, f64::from(mix.send_after) / total, f64::from(mix.send_all) / total);
    let mut idle = vec![1.0; n];
    let mut arrival = vec![0.0; n];
    for _ in 0..2000 {
        // Messages per second each machine sends "to all others", summed (for AllOthers).
        let broadcast: f64 = (0..n).map(|j| rates[j] * idle[j] * w_all).sum();
        for (i, a) in arrival.iter_mut().enumerate() {
            let prev = (i + n - 1) % n;
            let prev2 = (i + 2 * n - 2) % n;
            let mut lambda = 0.0;
            if prev != i {
                lambda += rates[prev] * idle[prev] * w_next;
            }
            if prev2 != i {
                lambda += rates[prev2] * idle[prev2] * w_after;
            }
            lambda += match scenario.send_all_targets {
                SendAllTargets::AllOthers => broadcast - rates[i] * idle[i] * w_all,
                SendAllTargets::NextTwo => {
                    // The distinct machines among the previous two, other than `i`.
                    let mut from = 0.0;
                    if prev != i {
                        from += rates[prev] * idle[prev] * w_all;
                    }
                    if prev2 != i && prev2 != prev {
                        from += rates[prev2] * idle[prev2] * w_all;
                    }
                    from
                }
            };
            *a = lambda;
        }
        let mut changed = false;
        for j in 0..n {
            let target = 1.0 - (arrival[j] / rates[j]).min(1.0);
            let next = 0.5 * idle[j] + 0.5 * target;
            changed |= next != idle[j];
            idle[j] = next;
        }
        // At an exact fixed point every further round repeats this one bit for bit, so
        // stopping here gives the same figures as running all the rounds.
        if !changed {
            break;
        }
    }
    (0..n)
        .map(|i| Prediction {
            arrival_rate: arrival[i],
            receive_share: (arrival[i] / rates[i]).min(1.0),
            queue_growth_per_min: (arrival[i] - rates[i]).max(0.0) * 60.0,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Fresh, Scenario, StartTime};

    fn resolved(ron: &str) -> Resolved {
        let fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };
        Scenario::from_ron_str(ron, "<t>").unwrap().resolve(fresh, "<t>").unwrap()
    }

    #[test]
    fn equal_rates_share_traffic_evenly_and_stay_bounded() {
        let p = predict(&resolved("(rates: Each([6, 6, 6]), seed: 1)"));
        for m in &p {
            assert!((m.arrival_rate - p[0].arrival_rate).abs() < 1e-9);
            assert_eq!(m.queue_growth_per_min, 0.0);
            assert!(m.receive_share < 1.0);
        }
        // Each machine is the target of 2 of its two peers' 10 outcomes per idle tick:
        // λ = 2 × 6 × idle × 0.2 and idle = 1 − λ/6, so λ = 2.4 × (1 − λ/6): λ = 12/7.
        assert!((p[0].arrival_rate - 12.0 / 7.0).abs() < 1e-6, "{}", p[0].arrival_rate);
    }

    #[test]
    fn a_slow_machine_among_fast_ones_floods() {
        let p = predict(&resolved("(rates: Each([1, 6, 6]), seed: 1)"));
        // Machine 0 receives on every tick, so it sends nothing. Machines 1 and 2 each hear
        // only from the other, on 2 of its 10 outcomes per idle tick: λ = 1.2 × (1 − λ/6),
        // so λ = 1 and they are idle 5/6 of the time; each sends machine 0 2 of 10
        // outcomes: λ_0 = 2 × 6 × 5/6 × 0.2 = 2 per second, a growth of (2 − 1) × 60 per
        // minute (the figures docs/batch.md quotes).
        assert!((p[0].arrival_rate - 2.0).abs() < 1e-9, "{}", p[0].arrival_rate);
        assert!((p[0].queue_growth_per_min - 60.0).abs() < 1e-6);
        assert_eq!(p[0].receive_share, 1.0);
        for m in &p[1..] {
            assert!((m.arrival_rate - 1.0).abs() < 1e-9, "{}", m.arrival_rate);
            assert_eq!(m.queue_growth_per_min, 0.0);
        }
    }
}
