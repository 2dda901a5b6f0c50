//! Per-machine and overall statistics of a run, kept incrementally (no event is stored), and
//! the `summary.json` they are written as.

use std::io;

use serde::Serialize;

use crate::engine::{MachineState, Simulation};
use crate::event::{Event, EventKind, EventSink, KindCounts, MachineId};
use crate::queue::TickQueue;
use crate::scenario::Resolved;
use crate::time::SimDuration;

/// Version of the `summary.json` layout; bumped when a field changes meaning or goes away.
pub const SUMMARY_SCHEMA_VERSION: u32 = 1;

/// Running counts for one machine.
#[derive(Debug, Clone, Default)]
struct Tally {
    counts: KindCounts,
    last_clock: u64,
    max_clock_jump: u64,
    receive_jump_total: u64,
    max_queue_len: u64,
}

/// An [`EventSink`] that keeps statistics for [`Summary`].
#[derive(Debug, Clone)]
pub struct Stats {
    tallies: Vec<Tally>,
}

impl Stats {
    /// Statistics for `machines` machines.
    pub fn new(machines: usize) -> Self {
        Stats { tallies: vec![Tally::default(); machines] }
    }
}

impl EventSink for Stats {
    #[inline]
    fn event(&mut self, e: &Event<'_>) -> io::Result<()> {
        let t = &mut self.tallies[e.machine as usize];
        // The engine's clocks only go up; `check` also feeds rows of broken logs through
        // here, where a clock may go back: a jump of 0 then, never an overflow.
        let jump = e.clock.saturating_sub(t.last_clock);
        t.last_clock = e.clock;
        t.max_clock_jump = t.max_clock_jump.max(jump);
        t.max_queue_len = t.max_queue_len.max(e.queue_len);
        t.counts.count(&e.kind);
        if let EventKind::Receive { .. } = e.kind {
            t.receive_jump_total = t.receive_jump_total.saturating_add(jump);
        }
        Ok(())
    }
}

/// Events of one machine by type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EventCounts {
    /// SEND rows.
    pub send: u64,
    /// RECEIVE rows.
    pub receive: u64,
    /// INTERNAL rows.
    pub internal: u64,
    /// All rows.
    pub total: u64,
}

/// One machine's figures in `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MachineSummary {
    /// Machine id.
    pub id: MachineId,
    /// Ticks per second.
    pub rate: u32,
    /// First tick's offset, as a duration string.
    pub phase: String,
    /// Ticks made.
    pub ticks: u64,
    /// Rows by event type.
    pub events: EventCounts,
    /// Lamport clock at the end.
    pub final_clock: u64,
    /// Largest clock increase of one event (1 unless a receive jumped ahead).
    pub max_clock_jump: u64,
    /// Mean clock increase of a RECEIVE (`null` when it received nothing).
    pub mean_receive_jump: Option<f64>,
    /// Largest `queue_len` logged.
    pub max_queue_len: u64,
    /// Messages sent (a send to two machines counts two).
    pub messages_sent: u64,
    /// Messages taken off its queue.
    pub messages_received: u64,
    /// Messages still in its queue at the end.
    pub queued_at_end: u64,
    /// Messages to it still in the network at the end.
    pub in_flight_at_end: u64,
    /// Net queue growth: messages queued at the end per simulated minute (a flooded
    /// machine's queue grows about this fast; `batch` reports the least-squares slope).
    pub queue_growth_per_min: f64,
}

/// Figures over all machines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverallSummary {
    /// Machines in the run.
    pub machines: usize,
    /// Ticks of all machines.
    pub ticks: u64,
    /// Rows of all machines by type.
    pub events: EventCounts,
    /// Messages sent.
    pub messages_sent: u64,
    /// Messages received.
    pub messages_received: u64,
    /// Messages in queues at the end.
    pub queued_at_end: u64,
    /// Messages in the network at the end.
    pub in_flight_at_end: u64,
    /// Largest final clock.
    pub max_final_clock: u64,
    /// Largest final clock minus smallest.
    pub final_clock_spread: u64,
    /// Largest clock jump of any machine.
    pub max_clock_jump: u64,
    /// Largest queue length of any machine.
    pub max_queue_len: u64,
}

/// The content of `summary.json`, written last as the mark of a complete run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Layout version ([`SUMMARY_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The lamport-sim version that made the run.
    pub lamport_sim_version: &'static str,
    /// Always `true`: an interrupted run has no summary.
    pub complete: bool,
    /// The run's seed.
    pub seed: u64,
    /// Simulated length, as a duration string.
    pub duration: String,
    /// Hash of the event stream (see [`crate::fingerprint`]).
    pub fingerprint: String,
    /// Per machine, in id order.
    pub machines: Vec<MachineSummary>,
    /// Totals.
    pub overall: OverallSummary,
}

impl Summary {
    /// Assembles the summary from the statistics and the simulation's end state.
    pub fn new<Q: TickQueue>(scenario: &Resolved, stats: &Stats, sim: &Simulation<Q>, fingerprint: String) -> Summary {
        let ends: Vec<MachineState> = (0..stats.tallies.len()).map(|i| sim.machine_state(i as MachineId)).collect();
        Summary::from_end_states(scenario.seed, scenario.duration, stats, &ends, fingerprint)
    }

    /// Assembles the summary from the statistics and each machine's state at the end
    /// (`ends[i]` for machine `i`). `check` uses this to rebuild a run's summary from its logs.
    pub fn from_end_states(
        seed: u64,
        duration: SimDuration,
        stats: &Stats,
        ends: &[MachineState],
        fingerprint: String,
    ) -> Summary {
        let minutes = duration.as_nanos() as f64 / 60e9;
        let machines: Vec<MachineSummary> = stats
            .tallies
            .iter()
            .zip(ends)
            .enumerate()
            .map(|(i, (t, end))| machine_summary(i as MachineId, t, end, minutes))
            .collect();
        // Saturating: `check` rebuilds summaries from figures a broken summary.json claims.
        let sum = |f: fn(&MachineSummary) -> u64| machines.iter().map(f).fold(0, u64::saturating_add);
        let max = |f: fn(&MachineSummary) -> u64| machines.iter().map(f).max().unwrap_or(0);
        let min = |f: fn(&MachineSummary) -> u64| machines.iter().map(f).min().unwrap_or(0);
        let overall = OverallSummary {
            machines: machines.len(),
            ticks: sum(|m| m.ticks),
            events: EventCounts {
                send: sum(|m| m.events.send),
                receive: sum(|m| m.events.receive),
                internal: sum(|m| m.events.internal),
                total: sum(|m| m.events.total),
            },
            messages_sent: sum(|m| m.messages_sent),
            messages_received: sum(|m| m.messages_received),
            queued_at_end: sum(|m| m.queued_at_end),
            in_flight_at_end: sum(|m| m.in_flight_at_end),
            max_final_clock: max(|m| m.final_clock),
            final_clock_spread: max(|m| m.final_clock) - min(|m| m.final_clock),
            max_clock_jump: max(|m| m.max_clock_jump),
            max_queue_len: max(|m| m.max_queue_len),
        };
        Summary {
            schema_version: SUMMARY_SCHEMA_VERSION,
            lamport_sim_version: env!("CARGO_PKG_VERSION"),
            complete: true,
            seed,
            duration: duration.to_string(),
            fingerprint,
            machines,
            overall,
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("summaries always serialize");
        text.push('\n');
        text
    }
}

fn machine_summary(id: MachineId, t: &Tally, end: &MachineState, minutes: f64) -> MachineSummary {
    MachineSummary {
        id,
        rate: end.rate,
        phase: end.phase.to_string(),
        ticks: end.ticks,
        events: EventCounts {
            send: t.counts.sends,
            receive: t.counts.receives,
            internal: t.counts.internals,
            total: t.counts.total(),
        },
        final_clock: end.clock,
        max_clock_jump: t.max_clock_jump,
        mean_receive_jump: (t.counts.receives > 0).then(|| t.receive_jump_total as f64 / t.counts.receives as f64),
        max_queue_len: t.max_queue_len,
        messages_sent: t.counts.messages_sent,
        messages_received: t.counts.receives,
        queued_at_end: end.queued,
        in_flight_at_end: end.in_flight_to,
        queue_growth_per_min: end.queued as f64 / minutes,
    }
}
