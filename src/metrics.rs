//! Experiment metrics of one run, kept incrementally as an [`EventSink`] (no event is
//! stored): receive-jump distribution, clock drift, queue growth. What `batch` tabulates.
//!
//! # Definitions
//! - *Receive jump*: how far a RECEIVE moves the clock, `clock_after - clock_before`
//!   (1 when the message was not ahead). Quantiles are exact (a histogram of the values).
//! - *Lag behind the fastest clock*: at each of a machine's events, the largest clock of
//!   any machine at that moment minus this machine's clock; mean and max per machine.
//! - *Clock gap*: the largest minus the smallest clock across machines, over the whole run.
//! - *Queue growth*: the least-squares slope of `queue_len` against simulated time over the
//!   machine's events, in messages per simulated minute (about 0 for a bounded queue).

use std::collections::BTreeMap;
use std::io;

use crate::engine::Simulation;
use crate::event::{Event, EventKind, EventSink};
use crate::queue::TickQueue;
use crate::time::NANOS_PER_SEC;

/// Exact distribution of small integer values (clock jumps).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    counts: BTreeMap<u64, u64>,
    total: u64,
    sum: u128,
}

impl Histogram {
    /// Adds one value.
    #[inline]
    pub fn add(&mut self, value: u64) {
        *self.counts.entry(value).or_insert(0) += 1;
        self.total += 1;
        self.sum += u128::from(value);
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (&v, &c) in &other.counts {
            *self.counts.entry(v).or_insert(0) += c;
        }
        self.total += other.total;
        self.sum += other.sum;
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// Mean, or `None` when empty.
    pub fn mean(&self) -> Option<f64> {
        (self.total > 0).then(|| self.sum as f64 / self.total as f64)
    }

    /// The smallest value with at least `q` of the values at or below it (nearest rank),
    /// or `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        self.counts.iter().find_map(|(&v, &c)| {
            seen += c;
            (seen >= rank).then_some(v)
        })
    }

    /// Largest value, or `None` when empty.
    pub fn max(&self) -> Option<u64> {
        self.counts.keys().next_back().copied()
    }
}

/// Online least-squares slope of y against x (Welford-style, numerically stable).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Slope {
    n: f64,
    mean_x: f64,
    mean_y: f64,
    sxx: f64,
    sxy: f64,
}

impl Slope {
    #[inline]
    fn add(&mut self, x: f64, y: f64) {
        self.n += 1.0;
        let dx = x - self.mean_x;
        self.mean_x += dx / self.n;
        self.mean_y += (y - self.mean_y) / self.n;
        self.sxx += dx * (x - self.mean_x);
        self.sxy += dx * (y - self.mean_y);
    }

    fn slope(&self) -> f64 {
        if self.sxx > 0.0 {
            self.sxy / self.sxx
        } else {
            0.0
        }
    }
}

/// Running metrics of one machine.
#[derive(Debug, Clone, Default)]
struct MachineTally {
    sends: u64,
    receives: u64,
    internals: u64,
    messages_sent: u64,
    clock: u64,
    jumps: Histogram,
    lag_sum: u128,
    lag_max: u64,
    events: u64,
    queue_sum: u128,
    queue_max: u64,
    queue_trend: Slope,
}

/// An [`EventSink`] computing [`MachineMetrics`] for every machine.
#[derive(Debug, Clone)]
pub struct Metrics {
    machines: Vec<MachineTally>,
    /// How many machines have each current clock value (to know the smallest clock).
    clocks: BTreeMap<u64, u32>,
    max_clock: u64,
    max_gap: u64,
}

impl Metrics {
    /// Metrics for `machines` machines, all clocks at 0.
    pub fn new(machines: usize) -> Self {
        let mut clocks = BTreeMap::new();
        clocks.insert(0, machines as u32);
        Metrics { machines: vec![MachineTally::default(); machines], clocks, max_clock: 0, max_gap: 0 }
    }

    /// Per-machine results, with the end state from the simulation.
    pub fn finish<Q: TickQueue>(&self, sim: &Simulation<Q>) -> RunMetrics {
        let duration_min = sim.end().as_nanos() as f64 / (60 * NANOS_PER_SEC) as f64;
        let machines = self
            .machines
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let end = sim.machine_state(i as u32);
                MachineMetrics {
                    rate: end.rate,
                    ticks: end.ticks,
                    sends: t.sends,
                    receives: t.receives,
                    internals: t.internals,
                    final_clock: end.clock,
                    jump_mean: t.jumps.mean(),
                    jump_p50: t.jumps.quantile(0.5),
                    jump_p99: t.jumps.quantile(0.99),
                    jump_max: t.jumps.max(),
                    lag_mean: if t.events > 0 { t.lag_sum as f64 / t.events as f64 } else { 0.0 },
                    lag_max: t.lag_max,
                    queue_mean: if t.events > 0 { t.queue_sum as f64 / t.events as f64 } else { 0.0 },
                    queue_max: t.queue_max,
                    queue_final: end.queued,
                    queue_growth_per_min: t.queue_trend.slope() * 60.0,
                    messages_sent: t.messages_sent,
                    messages_received: t.receives,
                    messages_left: end.queued + end.in_flight_to,
                }
            })
            .collect();
        let mut jumps = Histogram::default();
        for t in &self.machines {
            jumps.merge(&t.jumps);
        }
        RunMetrics { machines, max_clock_gap: self.max_gap, jumps, duration_min }
    }
}

impl EventSink for Metrics {
    #[inline]
    fn event(&mut self, e: &Event<'_>) -> io::Result<()> {
        let t = &mut self.machines[e.machine as usize];
        let before = t.clock;
        t.clock = e.clock;
        match e.kind {
            EventKind::Send { to, .. } => {
                t.sends += 1;
                t.messages_sent += to.len() as u64;
            }
            EventKind::Receive { .. } => {
                t.receives += 1;
                t.jumps.add(e.clock - before);
            }
            EventKind::Internal => t.internals += 1,
        }
        t.events += 1;
        t.queue_sum += u128::from(e.queue_len);
        t.queue_max = t.queue_max.max(e.queue_len);
        t.queue_trend.add(e.time.as_nanos() as f64 / NANOS_PER_SEC as f64, e.queue_len as f64);
        // Move this machine's clock in the multiset of clocks.
        if let Some(count) = self.clocks.get_mut(&before) {
            *count -= 1;
            if *count == 0 {
                self.clocks.remove(&before);
            }
        }
        *self.clocks.entry(e.clock).or_insert(0) += 1;
        self.max_clock = self.max_clock.max(e.clock);
        let lag = self.max_clock - e.clock;
        t.lag_sum += u128::from(lag);
        t.lag_max = t.lag_max.max(lag);
        let min_clock = self.clocks.keys().next().copied().unwrap_or(0);
        self.max_gap = self.max_gap.max(self.max_clock - min_clock);
        Ok(())
    }
}

/// One machine's metrics for one run.
#[derive(Debug, Clone, PartialEq)]
pub struct MachineMetrics {
    /// Ticks per second.
    pub rate: u32,
    /// Ticks made.
    pub ticks: u64,
    /// SEND rows.
    pub sends: u64,
    /// RECEIVE rows.
    pub receives: u64,
    /// INTERNAL rows.
    pub internals: u64,
    /// Clock at the end.
    pub final_clock: u64,
    /// Mean receive jump (`None`: no receive).
    pub jump_mean: Option<f64>,
    /// Median receive jump.
    pub jump_p50: Option<u64>,
    /// 99th-percentile receive jump.
    pub jump_p99: Option<u64>,
    /// Largest receive jump.
    pub jump_max: Option<u64>,
    /// Mean lag behind the fastest clock, over this machine's events.
    pub lag_mean: f64,
    /// Largest lag behind the fastest clock.
    pub lag_max: u64,
    /// Mean `queue_len` over this machine's events.
    pub queue_mean: f64,
    /// Largest `queue_len`.
    pub queue_max: u64,
    /// Messages in its queue at the end.
    pub queue_final: u64,
    /// Least-squares growth of `queue_len`, messages per simulated minute.
    pub queue_growth_per_min: f64,
    /// Messages sent.
    pub messages_sent: u64,
    /// Messages received.
    pub messages_received: u64,
    /// Messages to it still queued or in flight at the end.
    pub messages_left: u64,
}

/// All metrics of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMetrics {
    /// Per machine, in id order.
    pub machines: Vec<MachineMetrics>,
    /// Largest clock minus smallest clock, at any moment of the run.
    pub max_clock_gap: u64,
    /// Receive jumps of all machines together.
    pub jumps: Histogram,
    /// Simulated length in minutes.
    pub duration_min: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_are_exact() {
        let mut h = Histogram::default();
        for v in [1, 1, 1, 2, 5, 9, 1, 1, 3, 100] {
            h.add(v);
        }
        assert_eq!((h.quantile(0.5), h.quantile(0.99), h.max()), (Some(1), Some(100), Some(100)));
        assert_eq!(h.quantile(0.8), Some(5));
        assert_eq!(h.mean(), Some(12.4));
        assert_eq!(Histogram::default().quantile(0.5), None);
    }

    #[test]
    fn slope_of_a_line_is_its_gradient() {
        let mut s = Slope::default();
        for i in 0..100 {
            s.add(i as f64, 3.0 * i as f64 + 7.0);
        }
        assert!((s.slope() - 3.0).abs() < 1e-9);
        let mut flat = Slope::default();
        for i in 0..10 {
            flat.add(i as f64, 4.0);
        }
        assert_eq!(flat.slope(), 0.0);
    }
}
