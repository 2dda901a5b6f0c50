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
//! - *Arrival rate*: messages that reached the machine's queue (received, or still waiting
//!   at the end) per simulated second; what [`crate::predict`] predicts.
//!
//! A run stopped early (a queue reached the scenario's `queue_limit`) is measured up to the
//! stop the engine reports at the end: every figure covers the events reported before it.

use std::collections::BTreeMap;
use std::io;

use crate::base::NANOS_PER_SEC;
use crate::engine::{Ending, Event, EventDetail, EventSink, MachineState, RunEnd};
use crate::scenario::Resolved;
use crate::sinks::KindCounts;

/// Values below this are counted in an array; larger ones in a map.
const DENSE: usize = 256;

/// Exact distribution of integer values (clock jumps): small values in an array, the rare
/// large ones in an ordered map.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    dense: Box<[u64; DENSE]>,
    sparse: BTreeMap<u64, u64>,
    total: u64,
    sum: u128,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram { dense: Box::new([0; DENSE]), sparse: BTreeMap::new(), total: 0, sum: 0 }
    }
}

impl Histogram {
    /// Adds one value.
    #[inline]
    pub fn add(&mut self, value: u64) {
        match self.dense.get_mut(value as usize) {
            Some(count) => *count += 1,
            None => *self.sparse.entry(value).or_insert(0) += 1,
        }
        self.total += 1;
        self.sum += u128::from(value);
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.dense.iter_mut().zip(other.dense.iter()) {
            *mine += theirs;
        }
        for (&v, &c) in &other.sparse {
            *self.sparse.entry(v).or_insert(0) += c;
        }
        self.total += other.total;
        self.sum += other.sum;
    }

    /// (value, count) for every value present, ascending.
    fn counts(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let dense = self.dense.iter().enumerate().filter(|(_, &c)| c > 0).map(|(v, &c)| (v as u64, c));
        dense.chain(self.sparse.iter().map(|(&v, &c)| (v, c)))
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
        self.counts().find_map(|(v, c)| {
            seen += c;
            (seen >= rank).then_some(v)
        })
    }

    /// Largest value, or `None` when empty.
    pub fn max(&self) -> Option<u64> {
        self.sparse.keys().next_back().copied().or_else(|| self.dense.iter().rposition(|&c| c > 0).map(|v| v as u64))
    }
}

/// Least-squares slope of y against x from exact integer sums (x in milliseconds, so the
/// sums fit in 128 bits for a billion events over a million simulated minutes); no division
/// per event, and the same result whatever the platform.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Slope {
    n: u128,
    sx: u128,
    sy: u128,
    sxx: u128,
    sxy: u128,
}

impl Slope {
    #[inline]
    fn add(&mut self, x_ms: u64, y: u64) {
        let (x, y) = (u128::from(x_ms), u128::from(y));
        self.n += 1;
        self.sx += x;
        self.sy += y;
        self.sxx += x * x;
        self.sxy += x * y;
    }

    /// Slope in y per millisecond (0 when x never varies).
    fn slope(&self) -> f64 {
        let n = self.n as f64;
        let denominator = n * self.sxx as f64 - (self.sx as f64) * (self.sx as f64);
        if self.n < 2 || denominator <= 0.0 {
            return 0.0;
        }
        (n * self.sxy as f64 - (self.sx as f64) * (self.sy as f64)) / denominator
    }
}

/// Running metrics of one machine.
#[derive(Debug, Clone, Default)]
struct MachineTally {
    counts: KindCounts,
    /// Ticks with an event reported (the last tick index seen, plus one).
    ticks: u64,
    clock: u64,
    jumps: Histogram,
    lag_sum: u128,
    lag_max: u64,
    events: u64,
    queue_sum: u128,
    queue_max: u64,
    queue_trend: Slope,
}

/// An [`EventSink`] computing [`MachineMetrics`] for every machine; once told the end of the
/// run, [`Metrics::result`] gives them.
#[derive(Debug, Clone)]
pub struct Metrics {
    machines: Vec<MachineTally>,
    rates: Vec<u32>,
    /// What the engine reported at the end: how the run ended, each machine's state, and
    /// the time the run covers in nanoseconds.
    end: Option<(Ending, Vec<MachineState>, u64)>,
    /// The smallest clock of any machine, and how many machines have it.
    min_clock: u64,
    at_min: u32,
    max_clock: u64,
    max_gap: u64,
}

impl Metrics {
    /// Metrics for a run of `scenario`, all clocks at 0.
    pub fn new(scenario: &Resolved) -> Self {
        let machines = scenario.machines.len();
        Metrics {
            machines: vec![MachineTally::default(); machines],
            rates: scenario.machines.iter().map(|m| m.rate).collect(),
            end: None,
            min_clock: 0,
            at_min: machines as u32,
            max_clock: 0,
            max_gap: 0,
        }
    }

    /// Per-machine results, once the end of the run has been reported (`None` before).
    /// Rates are per second of the time the run covers (up to the stop, for a run that
    /// stopped early). Ticks and clocks are those of the events reported, so the tick whose
    /// send overflowed a queue (the engine stops inside it, before its SEND is reported)
    /// does not count; queues are as the stop left them.
    pub fn result(&self) -> Option<RunMetrics> {
        let (ending, ends, until) = self.end.as_ref()?;
        let at = *until;
        let duration_min = at as f64 / (60 * NANOS_PER_SEC) as f64;
        let seconds = at as f64 / NANOS_PER_SEC as f64;
        let machines = self
            .machines
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let end = ends[i];
                MachineMetrics {
                    rate: self.rates[i],
                    ticks: t.ticks,
                    sends: t.counts.sends,
                    receives: t.counts.receives,
                    internals: t.counts.internals,
                    final_clock: t.clock,
                    jump_mean: t.jumps.mean(),
                    jump_p50: t.jumps.quantile(0.5),
                    jump_p99: t.jumps.quantile(0.99),
                    jump_max: t.jumps.max(),
                    lag_mean: if t.events > 0 { t.lag_sum as f64 / t.events as f64 } else { 0.0 },
                    lag_max: t.lag_max,
                    queue_mean: if t.events > 0 { t.queue_sum as f64 / t.events as f64 } else { 0.0 },
                    queue_max: t.queue_max,
                    queue_final: end.queued,
                    queue_growth_per_min: t.queue_trend.slope() * 60_000.0,
                    messages_sent: t.counts.messages_sent,
                    messages_received: t.counts.receives,
                    messages_left: end.queued + end.in_flight_to,
                    // Messages in flight have not arrived; the model's rate is into the queue.
                    arrival_per_s: (seconds > 0.0).then(|| (t.counts.receives + end.queued) as f64 / seconds),
                }
            })
            .collect();
        let mut jumps = Histogram::default();
        for t in &self.machines {
            jumps.merge(&t.jumps);
        }
        Some(RunMetrics { ending: *ending, machines, max_clock_gap: self.max_gap, jumps, duration_min })
    }
}

impl EventSink for Metrics {
    #[inline]
    fn event(&mut self, e: &Event<'_>) -> io::Result<()> {
        let t = &mut self.machines[e.machine as usize];
        let before = t.clock;
        t.clock = e.clock;
        t.counts.count(&e.detail);
        t.ticks = e.tick + 1;
        if let EventDetail::Receive { .. } = e.detail {
            t.jumps.add(e.clock - before);
        }
        t.events += 1;
        t.queue_sum += u128::from(e.queue_len);
        t.queue_max = t.queue_max.max(e.queue_len);
        t.queue_trend.add(e.time.as_nanos() / 1_000_000, e.queue_len);
        self.max_clock = self.max_clock.max(e.clock);
        let lag = self.max_clock - e.clock;
        t.lag_sum += u128::from(lag);
        t.lag_max = t.lag_max.max(lag);
        // Clocks only grow, so the smallest clock only grows: rescan only when the last
        // machine at the old minimum moves (amortised cheap).
        if before == self.min_clock {
            self.at_min -= 1;
            if self.at_min == 0 {
                self.min_clock = self.machines.iter().map(|m| m.clock).min().unwrap_or(0);
                self.at_min = self.machines.iter().filter(|m| m.clock == self.min_clock).count() as u32;
            }
        }
        self.max_gap = self.max_gap.max(self.max_clock - self.min_clock);
        Ok(())
    }

    fn end(&mut self, end: &RunEnd<'_>) -> io::Result<()> {
        self.end = Some((end.ending, end.machines.to_vec(), end.until.as_nanos()));
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
    /// Messages that reached its queue (received or still queued) per simulated second
    /// (`None` for a run stopped at time 0).
    pub arrival_per_s: Option<f64>,
}

/// All metrics of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunMetrics {
    /// How the run ended.
    pub ending: Ending,
    /// Per machine, in id order.
    pub machines: Vec<MachineMetrics>,
    /// Largest clock minus smallest clock, at any moment of the run.
    pub max_clock_gap: u64,
    /// Receive jumps of all machines together.
    pub jumps: Histogram,
    /// Simulated length in minutes (up to the stop, for a stopped run).
    pub duration_min: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Simulation;
    use crate::scenario::{Fresh, Scenario, StartTime};

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
        let mut wide = Histogram::default();
        for v in [3, 1000, 255, 256, 2] {
            wide.add(v);
        }
        assert_eq!((wide.quantile(0.5), wide.max(), wide.quantile(0.8)), (Some(255), Some(1000), Some(256)));
        let mut both = h.clone();
        both.merge(&wide);
        assert_eq!((both.count(), both.max(), both.quantile(0.5)), (15, Some(1000), Some(3)));
    }

    fn simulation(ron: &str) -> (Simulation, Metrics) {
        let fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };
        let resolved = Scenario::from_ron_str(ron, "<t>").unwrap().resolve(fresh, "<t>").unwrap();
        (Simulation::new(&resolved), Metrics::new(&resolved))
    }

    #[test]
    fn a_complete_run_counts_every_tick_and_message() {
        let (mut sim, mut metrics) = simulation("(rates: Each([1, 6, 6]), duration: \"2m\", seed: 3)");
        assert_eq!(metrics.result(), None, "no result before the end is reported");
        sim.run(&mut metrics).unwrap();
        let run = metrics.result().expect("the run ended");
        assert_eq!(run.ending, Ending::Complete);
        assert_eq!(run.duration_min, 2.0);
        let mut arrived = 0.0;
        for (i, m) in run.machines.iter().enumerate() {
            let end = sim.machine_state(i as u32);
            assert_eq!((m.ticks, m.final_clock), (end.ticks, end.clock), "machine {i}: as the engine ends");
            arrived += m.arrival_per_s.unwrap() * 120.0;
        }
        // Without network delay every message sent has reached a queue.
        let sent: u64 = run.machines.iter().map(|m| m.messages_sent).sum();
        assert!((arrived - sent as f64).abs() < 1e-6, "{arrived} arrived, {sent} sent");
        // The 1-tick/s machine is flooded: about 2 messages/s arrive (the model's figure).
        assert!((run.machines[0].arrival_per_s.unwrap() - 2.0).abs() < 0.3, "{:?}", run.machines[0]);
    }

    #[test]
    fn a_stopped_run_is_measured_up_to_the_stop() {
        let (mut sim, mut metrics) =
            simulation("(rates: Each([1, 6, 6]), duration: \"10m\", seed: 2, queue_limit: 40)");
        let Err(crate::engine::SimError::QueueLimit { machine, at, limit }) = sim.run(&mut metrics) else {
            panic!("the run should reach the queue limit")
        };
        let run = metrics.result().expect("a stopped run reports its end");
        assert_eq!(run.ending, Ending::QueueLimit { machine, limit, at });
        assert_eq!(run.duration_min, at.as_nanos() as f64 / 60e9);
        assert!(run.duration_min < 10.0);
        for (i, m) in run.machines.iter().enumerate() {
            // One event per tick: the tick whose send overflowed is not counted.
            assert_eq!(m.ticks, m.sends + m.receives + m.internals, "machine {i}");
            assert!(m.ticks <= sim.machine_state(i as u32).ticks);
        }
        assert_eq!(run.machines[machine as usize].queue_final, 40);
        let secs = at.as_nanos() as f64 / 1e9;
        let flooded = &run.machines[machine as usize];
        assert_eq!(flooded.arrival_per_s, Some((flooded.messages_received + 40) as f64 / secs));
    }

    #[test]
    fn slope_of_a_line_is_its_gradient() {
        let mut s = Slope::default();
        for i in 0..100 {
            s.add(i, 3 * i + 7);
        }
        assert!((s.slope() - 3.0).abs() < 1e-9);
        let mut flat = Slope::default();
        for i in 0..10 {
            flat.add(i, 4);
        }
        assert_eq!(flat.slope(), 0.0);
    }
}
