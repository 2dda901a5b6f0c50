//! The single-threaded virtual-time engine: steps every machine at its rate, moves messages
//! through queues (and the network, when there is a delay) and reports each event to a sink.
//!
//! # Order of events (the tie rule)
//! Ticks happen in order of time. Ticks at the same instant happen in ascending machine id.
//! A message due at an instant lands before any tick at that instant, so the tick sees it;
//! messages due at the same instant land in the order they were sent. With no network
//! delay a message lands in the receiver's queue at the send itself, so a machine with a
//! higher id ticking at the same instant already sees it.
//!
//! # End of a run
//! Every tick whose nominal time (before jitter) is before the run's end happens; nothing
//! else ticks. Messages due before the end land in queues; later ones stay in flight.

use std::collections::VecDeque;
use std::io;

use crate::base::{ticks_before, LamportTime, MachineId, SimDuration, SimRng, SimTime, StreamPurpose, TickSchedule};
use crate::engine::clock;
use crate::engine::network::{Message, Network};
use crate::engine::{
    AutoTickQueue, Ending, Event, EventDetail, EventSink, MachineState, RunEnd, TickQueue, TickQueueUser,
};
use crate::scenario::{MessageClock, MulticastClock, ReceiveQueueLen, Resolved, SendAllTargets, TickJitter};

/// Why a run stopped before its end.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    /// A sink failed (for example, writing a log to a full disk).
    #[error(transparent)]
    Sink(#[from] io::Error),
    /// A machine's queue reached the scenario's `queue_limit`: its peers send faster than
    /// it receives, and the run was stopped before it could exhaust memory.
    #[error(
        "machine {machine}'s queue reached the queue_limit of {} at simulated time {at}s \
         (its peers send faster than it receives); raise queue_limit in the scenario or shorten the run",
        crate::base::count(*limit, "message")
    )]
    QueueLimit {
        /// The flooded machine.
        machine: MachineId,
        /// The limit.
        limit: u64,
        /// When.
        at: SimTime,
    },
}

/// One machine's state.
#[derive(Debug, Clone)]
struct Machine {
    /// Ticks this machine will make in the whole run.
    ticks_total: u64,
    /// The next tick: its index and nominal time.
    schedule: TickSchedule,
    clock: LamportTime,
    /// Messages waiting to be received, oldest first.
    queue: VecDeque<Message>,
    /// Messages sent to it that are still in the network.
    in_flight_to: u64,
    actions: SimRng,
    network: SimRng,
    jitter: SimRng,
}

/// The simulation of one resolved scenario.
///
/// # Order of events (the tie rule)
/// Ticks happen in order of time. Ticks at the same instant happen in ascending machine id.
/// A message due at an instant lands before any tick at that instant, so the tick sees it;
/// messages due at the same instant land in the order they were sent. With no network
/// delay a message lands in the receiver's queue at the send itself, so a machine with a
/// higher id ticking at the same instant already sees it.
///
/// # End of a run
/// Every tick whose nominal time (before jitter) is before the run's end happens; nothing
/// else ticks. Messages due before the end land in queues; later ones stay in flight. The
/// sink is then told the end ([`EventSink::end`]).
///
/// ```
/// use lamport_sim::{Fresh, NullSink, Scenario, Simulation, StartTime};
/// let scenario = Scenario::from_ron_str("(rates: Each([1, 3, 6]), duration: \"10s\", seed: 1)", "<doc>")?;
/// let resolved = scenario.resolve(Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT }, "<doc>")?;
/// let mut sim = Simulation::new(&resolved);
/// sim.run(&mut NullSink)?;
/// let ticks: Vec<u64> = (0..3).map(|i| sim.machine_state(i).ticks).collect();
/// assert_eq!(ticks, [10, 30, 60]); // exactly rate x duration
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Simulation<Q: TickQueue = AutoTickQueue> {
    machines: Vec<Machine>,
    ticks: Q,
    network: Network,
    end: SimTime,
    action_total: u64,
    /// Roll thresholds: below `send_next` → next, below `send_after` → after, below
    /// `send_all` → all, else internal.
    thresholds: [u64; 3],
    send_all_targets: SendAllTargets,
    jitter: TickJitter,
    message_clock: MessageClock,
    multicast: MulticastClock,
    receive_queue_len: ReceiveQueueLen,
    /// Receivers of the send being made (reused to avoid an allocation per send).
    targets: Vec<MachineId>,
    /// Largest queue allowed (the scenario's `queue_limit`).
    queue_limit: u64,
    events: u64,
    /// The end has been reported to a sink: nothing more happens.
    ended: bool,
}

/// [`Simulation::run_until`]'s loop, compiled for the concrete queue an [`AutoTickQueue`]
/// holds (so the queue is not dispatched at every tick).
struct RunUntil<'a, Q: TickQueue, S: EventSink + ?Sized, F: FnMut() -> bool> {
    sim: &'a mut Simulation<Q>,
    sink: &'a mut S,
    check_every: u64,
    stop: F,
}

impl<Q: TickQueue, S: EventSink + ?Sized, F: FnMut() -> bool> TickQueueUser for RunUntil<'_, Q, S, F> {
    type Output = Result<Option<SimTime>, SimError>;

    fn use_queue<T: TickQueue>(mut self, ticks: &mut T) -> Self::Output {
        let mut top = ticks.peek();
        let mut countdown = self.check_every;
        while let Some((now, id)) = top {
            countdown -= 1;
            if countdown == 0 {
                countdown = self.check_every;
                if (self.stop)() {
                    return Ok(Some(now));
                }
            }
            top = match self.sim.tick_and_reschedule(ticks, now, id, self.sink) {
                Ok(top) => top,
                Err(e) => return Err(self.sim.report_failure(e, self.sink)),
            };
        }
        self.sim.finish(self.sink)?;
        Ok(None)
    }
}

impl Simulation<AutoTickQueue> {
    /// A simulation at time zero, using the default tick queue.
    pub fn new(scenario: &Resolved) -> Self {
        Self::build(scenario)
    }
}

impl<Q: TickQueue> Simulation<Q> {
    /// A simulation at time zero on a chosen [`TickQueue`] implementation (for the
    /// benchmarks and tests that compare them).
    #[cfg(feature = "testing")]
    pub fn with_queue(scenario: &Resolved) -> Self {
        Self::build(scenario)
    }

    fn build(scenario: &Resolved) -> Self {
        let end = SimTime(scenario.duration.as_nanos());
        let n = scenario.machines.len();
        let machines: Vec<Machine> = scenario
            .machines
            .iter()
            .enumerate()
            .map(|(i, setup)| {
                let id = i as MachineId;
                Machine {
                    ticks_total: ticks_before(end, setup.rate, setup.phase),
                    schedule: TickSchedule::new(setup.rate, setup.phase),
                    clock: 0,
                    queue: VecDeque::new(),
                    in_flight_to: 0,
                    actions: SimRng::for_machine(scenario.seed, id, StreamPurpose::Actions),
                    network: SimRng::for_machine(scenario.seed, id, StreamPurpose::Network),
                    jitter: SimRng::for_machine(scenario.seed, id, StreamPurpose::Jitter),
                }
            })
            .collect();
        let mix = scenario.event_mix;
        let next = u64::from(mix.send_next);
        let after = next + u64::from(mix.send_after);
        let all = after + u64::from(mix.send_all);
        let mut sim = Simulation {
            machines,
            ticks: Q::with_capacity(n),
            network: Network::new(scenario.network_delay),
            end,
            action_total: u64::from(mix.total()),
            thresholds: [next, after, all],
            send_all_targets: scenario.send_all_targets,
            jitter: scenario.tick_jitter,
            message_clock: scenario.semantics.message_clock,
            multicast: scenario.semantics.multicast,
            receive_queue_len: scenario.semantics.receive_queue_len,
            targets: Vec::new(),
            queue_limit: scenario.queue_limit,
            events: 0,
            ended: false,
        };
        for id in 0..n as MachineId {
            if let Some(at) = sim.next_tick_at(id) {
                sim.ticks.push(at, id);
            }
        }
        sim
    }

    /// When the next tick of `id` happens (its schedule's, plus jitter), or `None` past the
    /// machine's last tick.
    #[inline]
    fn next_tick_at(&mut self, id: MachineId) -> Option<SimTime> {
        let m = &mut self.machines[id as usize];
        if m.schedule.index() >= m.ticks_total {
            return None;
        }
        let nominal = m.schedule.time();
        Some(match self.jitter {
            TickJitter::NoJitter => nominal,
            TickJitter::Uniform { max } => nominal.saturating_add(SimDuration(m.jitter.between(0, max.as_nanos()))),
        })
    }

    /// Runs every remaining tick, reporting events to `sink`, then the end of the run.
    pub fn run<S: EventSink + ?Sized>(&mut self, sink: &mut S) -> Result<(), SimError> {
        self.run_until(sink, u64::MAX, || false).map(|_| ())
    }

    /// Runs every remaining tick, reporting events to `sink`, but asks `stop` every
    /// `check_every` ticks (at least 1) and stops, before that tick, when it says so (for
    /// example on Ctrl-C). Returns the time of the first tick not done, or `None` when the
    /// run reached its end (and reported it to `sink`). A stopped run can be resumed, or
    /// ended with [`Simulation::stop`].
    pub fn run_until<S: EventSink + ?Sized>(
        &mut self,
        sink: &mut S,
        check_every: u64,
        stop: impl FnMut() -> bool,
    ) -> Result<Option<SimTime>, SimError> {
        if self.ended {
            return Ok(None);
        }
        let check_every = check_every.max(1);
        self.with_ticks(|sim, ticks| ticks.with_concrete(RunUntil { sim, sink, check_every, stop }))
    }

    /// Does the next tick (after landing the messages due by then) and reports its events.
    /// Returns `false` when no tick is left: the first time, having landed the messages due
    /// before the end and reported the end of the run to `sink`. For pacing a run to the
    /// wall clock, or exploring other orders, one tick at a time.
    pub fn step<S: EventSink + ?Sized>(&mut self, sink: &mut S) -> Result<bool, SimError> {
        if self.ended {
            return Ok(false);
        }
        self.with_ticks(|sim, ticks| sim.step_on(ticks, sink))
    }

    /// Ends the run before its next tick, and reports it to `sink` as interrupted (at the
    /// time of that tick, or the run's end when no tick is left). Nothing runs after this.
    pub fn stop<S: EventSink + ?Sized>(&mut self, sink: &mut S) -> Result<(), SimError> {
        let at = self.next_tick_time().unwrap_or(self.end);
        self.report_end(sink, Ending::Interrupted { at }, at)
    }

    /// Reports the end of the run to `sink`, once.
    fn report_end<S: EventSink + ?Sized>(
        &mut self,
        sink: &mut S,
        ending: Ending,
        until: SimTime,
    ) -> Result<(), SimError> {
        if self.ended {
            return Ok(());
        }
        self.ended = true;
        let machines: Vec<MachineState> =
            (0..self.machines.len() as MachineId).map(|id| self.machine_state(id)).collect();
        sink.end(&RunEnd { ending, machines: &machines, until }).map_err(SimError::Sink)
    }

    /// The run reached its end: lands the messages due before it and reports the end.
    fn finish<S: EventSink + ?Sized>(&mut self, sink: &mut S) -> Result<(), SimError> {
        if self.ended {
            return Ok(());
        }
        // Landing can fill a queue to its limit: that ends the run as a tick's would.
        if let Err(e) = self.land_messages_before_end() {
            return Err(self.report_failure(e, sink));
        }
        let end = self.end;
        self.report_end(sink, Ending::Complete, end)
    }

    /// A tick failed: a run stopped by its queue limit is reported to `sink` as such (a
    /// failed sink is not asked again). Returns the error to pass on.
    #[cold]
    fn report_failure<S: EventSink + ?Sized>(&mut self, error: SimError, sink: &mut S) -> SimError {
        if let SimError::QueueLimit { machine, limit, at } = error {
            if let Err(e) = self.report_end(sink, Ending::QueueLimit { machine, limit, at }, at) {
                return e;
            }
        }
        error
    }

    /// Lends the tick queue out of `self` to `f`, and puts it back.
    #[inline]
    fn with_ticks<R>(&mut self, f: impl FnOnce(&mut Self, &mut Q) -> R) -> R {
        let mut ticks = std::mem::take(&mut self.ticks);
        let result = f(self, &mut ticks);
        self.ticks = ticks;
        result
    }

    /// [`Self::step`] on a tick queue lent out of `self` (`self.ticks` is then a stand-in).
    #[inline]
    fn step_on<T: TickQueue, S: EventSink + ?Sized>(&mut self, ticks: &mut T, sink: &mut S) -> Result<bool, SimError> {
        match ticks.peek() {
            Some((now, id)) => match self.tick_and_reschedule(ticks, now, id, sink) {
                Ok(_) => Ok(true),
                Err(e) => Err(self.report_failure(e, sink)),
            },
            None => {
                self.finish(sink)?;
                Ok(false)
            }
        }
    }

    /// The tick of `id` at `now`, the earliest in `ticks` (after landing the messages due by
    /// then); reschedules `id` and returns the new earliest tick.
    #[inline(always)]
    fn tick_and_reschedule<T: TickQueue, S: EventSink + ?Sized>(
        &mut self,
        ticks: &mut T,
        now: SimTime,
        id: MachineId,
        sink: &mut S,
    ) -> Result<Option<(SimTime, MachineId)>, SimError> {
        if !self.network.is_empty() {
            self.land_messages_due(|due| due <= now)?;
        }
        let schedule = &mut self.machines[id as usize].schedule;
        let k = schedule.index();
        schedule.advance();
        // Reschedule before the tick: when the next tick happens does not depend on what this
        // one does (jitter has a stream of its own), and this way the CPU can work out which
        // tick comes next while this one's work is still in flight.
        let next = self.next_tick_at(id);
        let top = ticks.advance_top(next);
        self.tick(now, id, k, sink)?;
        Ok(top)
    }

    /// Once no tick is left: lands the messages due before the end.
    fn land_messages_before_end(&mut self) -> Result<(), SimError> {
        let end = self.end;
        self.land_messages_due(|due| due < end)
    }

    /// Moves messages whose due time passes `is_due` from the network into queues.
    fn land_messages_due(&mut self, is_due: impl Fn(SimTime) -> bool) -> Result<(), SimError> {
        while let Some((due, to, msg)) = self.network.pop_due(&is_due) {
            self.machines[to as usize].in_flight_to -= 1;
            self.enqueue(due, to, msg)?;
        }
        Ok(())
    }

    /// One tick of machine `id`: receive one message, or roll for an action.
    #[inline(always)]
    fn tick<S: EventSink + ?Sized>(
        &mut self,
        now: SimTime,
        id: MachineId,
        k: u64,
        sink: &mut S,
    ) -> Result<(), SimError> {
        let i = id as usize;
        let m = &mut self.machines[i];
        if let Some(msg) = m.queue.pop_front() {
            m.clock = clock::after_receive(m.clock, msg.clock);
            let waiting = m.queue.len() as u64;
            let queue_len = match self.receive_queue_len {
                ReceiveQueueLen::AfterTake => waiting,
                ReceiveQueueLen::BeforeTake => waiting + 1,
            };
            let detail = EventDetail::Receive { from: msg.from, msg_clock: msg.clock };
            let clock = m.clock;
            return self.emit(sink, Event { time: now, machine: id, tick: k, detail, clock, queue_len });
        }
        let roll = m.actions.below(self.action_total);
        if roll >= self.thresholds[2] {
            return self.internal(now, id, k, sink);
        }
        let n = self.machines.len() as MachineId;
        // (id + 1) mod n and (id + 2) mod n, without a division on the hot path.
        let next = if id + 1 == n { 0 } else { id + 1 };
        let after = if next + 1 == n { 0 } else { next + 1 };
        if roll < self.thresholds[1] {
            // A select rather than a branch: which neighbour is random, so a branch on it
            // would be mispredicted half the time.
            let to = if roll < self.thresholds[0] { next } else { after };
            return self.send_one(now, id, k, to, sink);
        }
        let mut targets = std::mem::take(&mut self.targets);
        targets.clear();
        match self.send_all_targets {
            SendAllTargets::AllOthers => targets.extend((0..n).filter(|&j| j != id)),
            SendAllTargets::NextTwo => {
                targets.push(next);
                targets.push(after);
                targets.sort_unstable();
                targets.dedup();
                targets.retain(|&j| j != id);
            }
        }
        let result =
            if targets.is_empty() { self.internal(now, id, k, sink) } else { self.send(now, id, k, &targets, sink) };
        self.targets = targets;
        result
    }

    /// A send of `id` to the single machine `to`. With fewer than three machines `to` can
    /// be `id` itself; a machine never sends to itself, and a send left with no receiver is
    /// an internal event.
    #[inline]
    fn send_one<S: EventSink + ?Sized>(
        &mut self,
        now: SimTime,
        id: MachineId,
        k: u64,
        to: MachineId,
        sink: &mut S,
    ) -> Result<(), SimError> {
        if to == id {
            self.internal(now, id, k, sink)
        } else {
            // One receiver: one row and one increment whatever the multicast setting.
            self.send_row(now, id, k, &[to], sink)
        }
    }

    /// An internal event of `id`: one clock increment.
    fn internal<S: EventSink + ?Sized>(
        &mut self,
        now: SimTime,
        id: MachineId,
        k: u64,
        sink: &mut S,
    ) -> Result<(), SimError> {
        let m = &mut self.machines[id as usize];
        m.clock = clock::after_local(m.clock);
        let clock = m.clock;
        self.emit(sink, Event { time: now, machine: id, tick: k, detail: EventDetail::Internal, clock, queue_len: 0 })
    }

    /// A send from `id` to `targets`: one clock increment for all (or one per message).
    fn send<S: EventSink + ?Sized>(
        &mut self,
        now: SimTime,
        id: MachineId,
        k: u64,
        targets: &[MachineId],
        sink: &mut S,
    ) -> Result<(), SimError> {
        match self.multicast {
            MulticastClock::IncrementOnce => self.send_row(now, id, k, targets, sink),
            MulticastClock::IncrementPerMessage => {
                targets.iter().try_for_each(|to| self.send_row(now, id, k, std::slice::from_ref(to), sink))
            }
        }
    }

    /// One SEND row: one clock increment, one message to each of `to`.
    #[inline(always)]
    fn send_row<S: EventSink + ?Sized>(
        &mut self,
        now: SimTime,
        id: MachineId,
        k: u64,
        to: &[MachineId],
        sink: &mut S,
    ) -> Result<(), SimError> {
        let m = &mut self.machines[id as usize];
        let before = m.clock;
        let after = clock::after_local(before);
        m.clock = after;
        let msg_clock = match self.message_clock {
            MessageClock::AfterIncrement => after,
            MessageClock::BeforeIncrement => before,
        };
        for &receiver in to {
            self.post(now, receiver, Message { from: id, clock: msg_clock })?;
        }
        let detail = EventDetail::Send { to, msg_clock };
        self.emit(sink, Event { time: now, machine: id, tick: k, detail, clock: after, queue_len: 0 })
    }

    /// Puts a message in the network, or straight into the queue when there is no delay.
    #[inline]
    fn post(&mut self, now: SimTime, to: MachineId, msg: Message) -> Result<(), SimError> {
        if self.network.is_instant() {
            return self.enqueue(now, to, msg);
        }
        self.post_delayed(now, to, msg)
    }

    /// [`Self::post`] under a network delay model: draws the delay from the sender's stream.
    fn post_delayed(&mut self, now: SimTime, to: MachineId, msg: Message) -> Result<(), SimError> {
        let delay = self.network.draw_delay(&mut self.machines[msg.from as usize].network);
        if delay == 0 {
            return self.enqueue(now, to, msg);
        }
        self.machines[to as usize].in_flight_to += 1;
        self.network.push(now, delay, to, msg);
        Ok(())
    }

    /// Puts a message in `to`'s queue, unless that queue is at the scenario's limit.
    #[inline]
    fn enqueue(&mut self, now: SimTime, to: MachineId, msg: Message) -> Result<(), SimError> {
        let queue = &mut self.machines[to as usize].queue;
        if queue.len() as u64 >= self.queue_limit {
            return Err(self.queue_full(now, to));
        }
        queue.push_back(msg);
        Ok(())
    }

    #[cold]
    fn queue_full(&self, now: SimTime, to: MachineId) -> SimError {
        SimError::QueueLimit { machine: to, limit: self.queue_limit, at: now }
    }

    #[inline]
    fn emit<S: EventSink + ?Sized>(&mut self, sink: &mut S, event: Event<'_>) -> Result<(), SimError> {
        self.events += 1;
        sink.event(&event).map_err(SimError::Sink)
    }

    /// Events reported so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Number of machines.
    pub fn machine_count(&self) -> usize {
        self.machines.len()
    }

    /// The time of the next tick, if any remain.
    pub fn next_tick_time(&self) -> Option<SimTime> {
        self.ticks.peek().map(|(t, _)| t)
    }

    /// The run's end: ticks at or after it do not happen.
    pub fn end(&self) -> SimTime {
        self.end
    }

    /// Machine `id`'s state now (after a run: its end state, as reported to the sink).
    pub fn machine_state(&self, id: MachineId) -> MachineState {
        let m = &self.machines[id as usize];
        MachineState {
            ticks: m.schedule.index(),
            clock: m.clock,
            queued: m.queue.len() as u64,
            in_flight_to: m.in_flight_to,
        }
    }
}
