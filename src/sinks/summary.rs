//! Per-machine and overall statistics of a run, kept incrementally (no event is stored), and
//! the `summary.json` they are written as.

use std::io;

use serde::Serialize;

use crate::base::{MachineId, SimDuration};
use crate::engine::{Ending, Event, EventDetail, EventSink, MachineState, RunEnd};
use crate::scenario::{MachineSetup, Resolved};
use crate::sinks::{Fingerprint, KindCounts};

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

/// An [`EventSink`] that keeps the statistics and fingerprint of a run and, once told its
/// end, gives its [`Summary`].
#[derive(Debug, Clone)]
pub struct SummarySink {
    tallies: Vec<Tally>,
    fingerprint: Fingerprint,
    seed: u64,
    duration: SimDuration,
    setups: Vec<MachineSetup>,
    /// What the engine reported at the end.
    end: Option<(Ending, Vec<MachineState>)>,
}

impl SummarySink {
    /// Statistics for a run of `scenario`.
    pub fn new(scenario: &Resolved) -> Self {
        SummarySink {
            tallies: vec![Tally::default(); scenario.machines.len()],
            fingerprint: Fingerprint::default(),
            seed: scenario.seed,
            duration: scenario.duration,
            setups: scenario.machines.clone(),
            end: None,
        }
    }

    /// The summary, once the end of the run has been reported (`None` before). A run that
    /// stopped early has `complete: false` and figures up to its stop.
    pub fn summary(&self) -> Option<Summary> {
        let (ending, ends) = self.end.as_ref()?;
        Some(self.assemble(*ending, ends))
    }
}

impl EventSink for SummarySink {
    #[inline(always)]
    fn event(&mut self, e: &Event<'_>) -> io::Result<()> {
        let t = &mut self.tallies[e.machine as usize];
        // The engine's clocks only go up; saturating keeps a sink fed by hand from wrapping.
        let jump = e.clock.saturating_sub(t.last_clock);
        t.last_clock = e.clock;
        t.max_clock_jump = t.max_clock_jump.max(jump);
        t.max_queue_len = t.max_queue_len.max(e.queue_len);
        t.counts.count(&e.detail);
        if let EventDetail::Receive { .. } = e.detail {
            t.receive_jump_total = t.receive_jump_total.saturating_add(jump);
        }
        self.fingerprint.event(e)
    }

    fn end(&mut self, end: &RunEnd<'_>) -> io::Result<()> {
        self.end = Some((end.ending, end.machines.to_vec()));
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
    /// `true` when every tick ran (a run that stopped early writes no `summary.json`).
    pub complete: bool,
    /// The run's seed.
    pub seed: u64,
    /// Simulated length, as a duration string.
    pub duration: String,
    /// Hash of the event stream (see [`crate::Fingerprint`]).
    pub fingerprint: String,
    /// Per machine, in id order.
    pub machines: Vec<MachineSummary>,
    /// Totals.
    pub overall: OverallSummary,
}

impl SummarySink {
    /// The summary from the statistics and each machine's state at the end (`ends[i]`
    /// for machine `i`).
    fn assemble(&self, ending: Ending, ends: &[MachineState]) -> Summary {
        let minutes = self.duration.as_nanos() as f64 / 60e9;
        let machines: Vec<MachineSummary> = self
            .tallies
            .iter()
            .zip(ends)
            .zip(&self.setups)
            .enumerate()
            .map(|(i, ((t, end), setup))| machine_summary(i as MachineId, t, end, setup, minutes))
            .collect();
        let sum = |f: fn(&MachineSummary) -> u64| machines.iter().map(f).sum::<u64>();
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
            complete: ending == Ending::Complete,
            seed: self.seed,
            duration: self.duration.to_string(),
            fingerprint: self.fingerprint.hex(),
            machines,
            overall,
        }
    }
}

impl Summary {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("summaries always serialize");
        text.push('\n');
        text
    }
}

fn machine_summary(id: MachineId, t: &Tally, end: &MachineState, setup: &MachineSetup, minutes: f64) -> MachineSummary {
    MachineSummary {
        id,
        rate: setup.rate,
        phase: setup.phase.to_string(),
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
