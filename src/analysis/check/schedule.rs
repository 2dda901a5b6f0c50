//! The tick schedule, computed here on purpose a second time (not with the engine's
//! `tick_time` or `TickSchedule`): tick `k` of a machine at `rate` Hz with phase `p` is
//! due at `p + floor(k * 1e9 / rate)` ns, and a run of `T` s has the ticks due before `T`.

use crate::analysis::check::Checker;
use crate::analysis::LogRow;
use crate::base::{EventKind, MachineId, SimDuration, SimTime};
use crate::scenario::{MulticastClock, TickJitter};

/// When tick `k` of a machine (`rate` Hz, first tick at `phase`) is due, in nanoseconds.
fn due(k: u64, rate: u32, phase: SimDuration) -> u64 {
    let offset = u128::from(k) * 1_000_000_000 / u128::from(rate.max(1));
    u64::try_from(offset).unwrap_or(u64::MAX).saturating_add(phase.as_nanos())
}

/// How many ticks of a machine are due strictly before `end` ns: the smallest `k` with
/// `due(k) >= end`, found by the inverse of `due` and corrected by one step either way.
fn due_before(end: u64, rate: u32, phase: SimDuration) -> u64 {
    let Some(span) = end.checked_sub(phase.as_nanos()) else { return 0 };
    let mut k = u64::try_from(u128::from(span) * u128::from(rate) / 1_000_000_000).unwrap_or(u64::MAX);
    while k > 0 && due(k - 1, rate, phase) >= end {
        k -= 1;
    }
    while due(k, rate, phase) < end {
        k += 1;
    }
    k
}

impl Checker<'_> {
    /// One event per tick at the scheduled instants (when the scenario is known).
    pub(super) fn check_tick(&mut self, id: MachineId, row: &LogRow) {
        let Some(scenario) = &self.ctx.scenario else { return };
        let Some(setup) = scenario.machines.get(id as usize).copied() else { return };
        let lane = &self.lanes[id as usize];
        let per_message = scenario.semantics.multicast == MulticastClock::IncrementPerMessage;
        let same_tick = per_message
            && row.event == EventKind::Send
            && lane.last_was_send
            && lane.tick.is_some_and(|(_, at)| at == row.sim_nanos);
        if same_tick {
            return;
        }
        let k = lane.tick.map_or(0, |(k, _)| k + 1);
        let (rate, phase) = (setup.rate, setup.phase);
        let nominal = due(k, rate, phase);
        let (on_time, late_by) = match scenario.tick_jitter {
            TickJitter::NoJitter => (row.sim_nanos == nominal, 0),
            TickJitter::Uniform { max } => {
                (row.sim_nanos >= nominal && row.sim_nanos - nominal <= max.as_nanos(), max.as_nanos())
            }
        };
        let mut tick = (k, row.sim_nanos);
        if !on_time {
            let reason = if late_by == 0 {
                format!(
                    "tick {k} of a {rate} Hz machine (phase {phase}) is due at {}s, but this row is at {}s: a tick is missing or extra",
                    SimTime(nominal),
                    SimTime(row.sim_nanos)
                )
            } else {
                format!(
                    "tick {k} of a {rate} Hz machine is due between {}s and {}s (jitter), but this row is at {}s",
                    SimTime(nominal),
                    SimTime(nominal.saturating_add(late_by)),
                    SimTime(row.sim_nanos)
                )
            };
            self.violation(id, row.line, reason);
            // Resynchronise on the tick this row is nearest to, so one gap is one violation.
            let span = row.sim_nanos.saturating_sub(phase.as_nanos());
            let guess = (u128::from(span) * u128::from(rate) / 1_000_000_000) as u64;
            tick = (guess, row.sim_nanos);
        }
        self.lanes[id as usize].tick = Some(tick);
    }

    /// At the end of the logs: each machine made the ticks its rate and the run's length
    /// (or, for a run stopped early, the time of its last event) give.
    pub(super) fn check_tick_counts(&mut self) {
        if let Some(scenario) = &self.ctx.scenario {
            let end = scenario.duration.as_nanos();
            // A run stopped early ran, in time order, every tick before its last event and
            // possibly some at that instant: with jitter, every tick due more than the
            // largest jitter before it.
            let last = self.lanes.iter().filter_map(|l| l.last_time).max().unwrap_or(0);
            let jitter = match scenario.tick_jitter {
                TickJitter::NoJitter => 0,
                TickJitter::Uniform { max } => max.as_nanos(),
            };
            for id in 0..self.n {
                let setup = scenario.machines[id as usize];
                let expected = due_before(end, setup.rate, setup.phase);
                let lane = &self.lanes[id as usize];
                let ticks = lane.tick.map_or(0, |(k, _)| k + 1);
                if self.ctx.stopped_early {
                    let at_least = due_before(last.saturating_sub(jitter), setup.rate, setup.phase);
                    let at_most = due_before(last.saturating_add(1), setup.rate, setup.phase).min(expected);
                    if !(at_least..=at_most).contains(&ticks) {
                        let line = lane.last_line;
                        let reason = format!(
                            "the log has {ticks} ticks; a {} Hz machine of a run stopped at {}s makes {at_least} to \
                             {at_most}",
                            setup.rate,
                            SimTime(last)
                        );
                        self.violation(id, line, reason);
                    }
                    continue;
                }
                if ticks != expected {
                    let line = lane.last_line;
                    self.violation(
                        id,
                        line,
                        format!(
                            "the log has {ticks} ticks; a {} Hz machine makes {expected} in {}",
                            setup.rate, scenario.duration
                        ),
                    );
                }
            }
        }
    }
}
