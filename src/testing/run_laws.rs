//! Fuzz target `run_scenario`'s laws: any bytes decode to a small scenario whose run keeps
//! the engine's laws (clock rules, tick counts, message conservation, tick-queue agreement).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::io;

use crate::base::{min_tick_gap, tick_time, ticks_before, LamportTime, MachineId, SimDuration, SimTime};
use crate::engine::{
    Ending, Event, EventDetail, EventSink, HeapTickQueue, IndexedTickQueue, MachineState, RunEnd, SimError, Simulation,
    TickQueue,
};
use crate::scenario::{
    EventMix, MachineCount, MachineSetup, MessageClock, MulticastClock, NetworkDelay, Phase, Rate, Rates,
    ReceiveQueueLen, Resolved, Scenario, Semantics, SendAllTargets, StartTime, TickJitter, DEFAULT_QUEUE_LIMIT,
};
use crate::sinks::{format_row, Fingerprint, SummarySink, SystemTimeFormat};
use crate::testing::{ByteReader, FRESH, ORIGIN};

/// Longest input [`run_scenario`] looks at; longer input is skipped.
pub const MAX_RUN_INPUT: usize = 256;

/// Largest rate [`decode_run_input`] produces.
pub const RUN_MAX_RATE: u32 = 30;
/// Largest machine count [`decode_run_input`] produces.
pub const RUN_MAX_MACHINES: u32 = 8;
/// Longest run [`decode_run_input`] produces, in microseconds (20 s).
pub const RUN_MAX_DURATION_MICROS: u64 = 20_000_000;
/// Unit of the decoded run length, in microseconds (three bytes reach 20 s in 2 µs steps).
const DURATION_UNIT_MICROS: u64 = 2;
/// Unit of the decoded network delays (40 µs, so two bytes reach about 2.6 s).
const DELAY_UNIT_NANOS: u64 = 40_000;
/// Unit of the decoded start time, in seconds after 1970-01-01: four bytes reach October
/// 7005 (inside the accepted 1970..=9000), and a prime unit reaches every second of the
/// day, so a run can cross midnight.
const START_UNIT_SECS: i64 = 37;

/// Decodes [`run_scenario`]'s input into a small, valid scenario. Total: every byte string
/// gives a scenario; missing bytes read as 0 and bytes after the last one used are ignored.
///
/// | bytes | field | value |
/// |---|---|---|
/// | 0 | `machines` | `1 + b % 8` |
/// | 1 | `rates` kind | `b % 3`: `Range`, `Each`, `Cycle`; a `Cycle` lists `1 + (b / 3) % 4` rates |
/// | 2 | `phase` kind | `b % 3`: `Random`, `Aligned`, `Explicit` |
/// | 3–5 | `duration` | `(1 + u24 % 10_000_000)` × 2 µs (2 µs to 20 s) |
/// | 6 | `event_mix` | `send_next` = low nibble, `send_after` = high nibble |
/// | 7 | `event_mix` | `send_all` = low nibble, `internal` = high nibble (all four 0: `internal: 1`) |
/// | 8 | flags | bit 0 `BeforeIncrement`, bit 1 `IncrementPerMessage`, bit 2 `BeforeTake`, bit 3 `send_all_targets: NextTwo`; bits 4–7 as a number `q`: `queue_limit` `q` (1 to 15), or the default when 0 |
/// | 9 | `network_delay` kind | `b % 4`: `NoDelay`, `Fixed(a)`, `Uniform(min(a, c), max(a, c))`, `Exponential(mean: a)` |
/// | 10–11 | delay `a` | `u16` × 40 µs (0 to 2.62 s) |
/// | 12–13 | delay `c` | `u16` × 40 µs |
/// | 14 | `tick_jitter` | 0: `NoJitter`; else `Uniform(max: (b - 1) × P / 255)`, `P` the fastest possible rate's tick period |
/// | 15–22 | `seed` | `u64` |
/// | 23–26 | `start_time` | 1970-01-01 00:00:00 + `u32` × 37 s |
/// | next | rates | `Range`: 2 bytes (sorted into min and max); `Each`: one per machine; `Cycle`: one per listed rate; each rate `1 + b % 30` |
/// | next | phases | `Explicit` only: one byte per machine, phase `b × P / 256`, `P` that machine's tick period (for `Range` rates, the fastest possible one's) |
///
/// Multi-byte numbers are little-endian. The decoded scenario is valid by construction:
/// phases and jitter stay below the tick periods they are checked against.
pub fn decode_run_input(data: &[u8]) -> Scenario {
    let mut r = ByteReader { data, at: 0 };
    let machines = 1 + u32::from(r.byte()) % RUN_MAX_MACHINES;
    let rates_byte = r.byte();
    let phase_kind = r.byte() % 3;
    let steps = RUN_MAX_DURATION_MICROS / DURATION_UNIT_MICROS;
    let duration = SimDuration((1 + r.le(3) % steps) * DURATION_UNIT_MICROS * 1_000);
    let (mix_a, mix_b) = (r.byte(), r.byte());
    let mut event_mix = EventMix {
        send_next: u32::from(mix_a & 15),
        send_after: u32::from(mix_a >> 4),
        send_all: u32::from(mix_b & 15),
        internal: u32::from(mix_b >> 4),
    };
    if event_mix.total() == 0 {
        event_mix.internal = 1;
    }
    let flags = r.byte();
    let semantics = Semantics {
        message_clock: if flags & 1 != 0 { MessageClock::BeforeIncrement } else { MessageClock::AfterIncrement },
        multicast: if flags & 2 != 0 { MulticastClock::IncrementPerMessage } else { MulticastClock::IncrementOnce },
        receive_queue_len: if flags & 4 != 0 { ReceiveQueueLen::BeforeTake } else { ReceiveQueueLen::AfterTake },
    };
    let send_all_targets = if flags & 8 != 0 { SendAllTargets::NextTwo } else { SendAllTargets::AllOthers };
    let queue_limit = match flags >> 4 {
        0 => DEFAULT_QUEUE_LIMIT,
        q => u64::from(q),
    };
    let delay_kind = r.byte() % 4;
    let delay_a = SimDuration(r.le(2) * DELAY_UNIT_NANOS);
    let delay_c = SimDuration(r.le(2) * DELAY_UNIT_NANOS);
    let network_delay = match delay_kind {
        0 => NetworkDelay::NoDelay,
        1 => NetworkDelay::Fixed(delay_a),
        2 => NetworkDelay::Uniform { min: delay_a.min(delay_c), max: delay_a.max(delay_c) },
        _ => NetworkDelay::Exponential { mean: delay_a },
    };
    let jitter_byte = r.byte();
    let seed = r.le(8);
    let start_secs = r.le(4) as i64 * START_UNIT_SECS;
    let start = chrono::DateTime::from_timestamp(start_secs, 0).expect("before the year 7006");
    let start_time = StartTime::from_naive(start.naive_utc());
    let mut rate = || Rate::try_from(1 + u32::from(r.byte()) % RUN_MAX_RATE).expect("1..=30 is a valid rate");
    let rates = match rates_byte % 3 {
        0 => {
            let (a, b) = (rate(), rate());
            Rates::Range { min: a.min(b), max: a.max(b) }
        }
        1 => Rates::Each((0..machines).map(|_| rate()).collect()),
        _ => Rates::Cycle((0..1 + (rates_byte / 3) % 4).map(|_| rate()).collect()),
    };
    // The tick period each machine's phase is checked against: its own rate's when the
    // rates are fixed, the fastest possible rate's when they are drawn.
    let fastest = match &rates {
        Rates::Range { max, .. } => max.get(),
        Rates::Each(list) | Rates::Cycle(list) => list.iter().map(|r| r.get()).max().expect("rate lists are not empty"),
    };
    let period = |i: u32| {
        let rate = match &rates {
            Rates::Range { max, .. } => max.get(),
            Rates::Each(list) | Rates::Cycle(list) => list[i as usize % list.len()].get(),
        };
        min_tick_gap(rate).as_nanos()
    };
    let phase = match phase_kind {
        0 => Phase::Random,
        1 => Phase::Aligned,
        _ => Phase::Explicit((0..machines).map(|i| SimDuration(u64::from(r.byte()) * period(i) / 256)).collect()),
    };
    let tick_jitter = match jitter_byte {
        0 => TickJitter::NoJitter,
        b => TickJitter::Uniform { max: SimDuration(u64::from(b - 1) * min_tick_gap(fastest).as_nanos() / 255) },
    };
    Scenario {
        machines: Some(MachineCount::try_from(machines).expect("1..=8 machines is valid")),
        rates,
        phase,
        duration,
        seed: Some(seed),
        start_time: Some(start_time),
        event_mix,
        send_all_targets,
        network_delay,
        tick_jitter,
        semantics,
        queue_limit,
    }
}

/// Fuzz target `run_scenario`: runs the small scenario [`decode_run_input`] makes of the
/// bytes (input longer than [`MAX_RUN_INPUT`] is skipped) and checks the engine's laws.
///
/// The scenario must resolve (it is valid by construction), the run must not panic, and:
/// - **order**: events come in `(time, machine)` order (the tie rule), the events of one
///   tick together; each machine's tick indexes run 0, 1, 2, ... with no gap, and tick `k`
///   happens at [`tick_time`]`(k)` plus at most the jitter;
/// - **clocks**: per machine the clock strictly increases; a SEND or INTERNAL adds exactly
///   1; a RECEIVE sets it to `max(previous, msg_clock) + 1`; a SEND's `msg_clock` is the
///   clock after (or, with `BeforeIncrement`, before) its increment; the final clock is the
///   last event's;
/// - **messages**: a SEND lists receivers in ascending order, never itself (one per row
///   with `IncrementPerMessage`); every RECEIVE takes a message that was sent and not yet
///   received, no earlier than the send plus the smallest possible delay; SEND and
///   INTERNAL rows show `queue_len` 0. When every delay is the same (no delay, `Fixed`,
///   `Uniform` with min = max, mean-0 `Exponential`) the queues are modelled exactly: a
///   machine receives if and only if a message is waiting, takes the oldest, and logs the
///   queue length its `ReceiveQueueLen` names;
/// - **end state**: per machine, ticks = [`ticks_before`]`(end, rate, phase)` and messages
///   sent to it = received + still queued + still in flight (and, when modelled, the
///   queued and in-flight counts match the model); no tick is left; the event mix's zero
///   weights are respected; the [`Summary`] agrees, and its JSON and every CSV row format;
/// - **queue limit**: no queue ever holds more than `queue_limit` messages; a run stopped
///   by the limit stops with [`SimError::QueueLimit`] naming that limit and a machine whose
///   queue holds exactly that many, at a time no later than the last tick can happen
///   (the end-state and summary laws are then not checked: the run stopped part-way
///   through a tick);
/// - **determinism**: the default tick queue ([`Simulation::new`]),
///   [`HeapTickQueue`] and [`IndexedTickQueue`] give the same events
///   (fingerprint), the same outcome and the same end state.
///
/// # Panics
/// When one of these laws is broken (a bug in the engine or its sinks), never otherwise.
pub fn run_scenario(data: &[u8]) {
    if data.len() > MAX_RUN_INPUT {
        return;
    }
    let scenario = decode_run_input(data);
    let resolved = match scenario.resolve(FRESH, ORIGIN) {
        Ok(resolved) => resolved,
        Err(e) => panic!("a decoded scenario is valid by construction, but: {e}\n{}", scenario.to_ron()),
    };
    let n = resolved.machines.len();
    let mut checker = LawChecker::new(&resolved);
    let mut stats = SummarySink::new(&resolved);
    let mut fingerprint = Fingerprint::default();
    let mut sim = Simulation::new(&resolved);
    let outcome = sim.run(&mut (&mut checker, (&mut stats, &mut fingerprint)));
    let ending = checker.ending.expect("the engine reports the end of every run that did not fail in a sink");
    match &outcome {
        Ok(()) => {
            assert_eq!(ending, Ending::Complete, "a run that returns Ok ended complete");
            assert_eq!(sim.events(), checker.events, "the engine counts the events its sink saw");
            assert_eq!(sim.next_tick_time(), None, "no tick is left after a run");
            check_summary(&resolved, &stats, &fingerprint, &checker);
        }
        Err(SimError::QueueLimit { machine, limit, at }) => {
            assert_eq!(*limit, resolved.queue_limit, "the error names the scenario's queue_limit");
            assert_eq!(ending, Ending::QueueLimit { machine: *machine, limit: *limit, at: *at }, "the end is reported");
            // A send happens at its tick's time, which jitter can push past the end (a tick
            // happens when its nominal time is before the end); a landing, before the end.
            let jitter = match resolved.tick_jitter {
                TickJitter::NoJitter => 0,
                TickJitter::Uniform { max } => max.as_nanos(),
            };
            let latest = SimTime(resolved.duration.as_nanos() - 1).saturating_add(SimDuration(jitter));
            assert!(*at <= latest, "the limit was reached at {at:?}, after the last possible tick {latest:?}");
            let queued = sim.machine_state(*machine).queued;
            assert_eq!(queued, *limit, "machine {machine}'s queue is full when the run stops");
            assert_eq!(sim.events(), checker.events, "the engine counts the events its sink saw");
        }
        Err(e) => panic!("in-memory sinks never fail, but: {e}"),
    }
    for id in 0..n as MachineId {
        let queued = sim.machine_state(id).queued;
        assert!(queued <= resolved.queue_limit, "machine {id} holds {queued} messages, over the queue_limit");
    }
    let outcome = format!("{outcome:?}");
    same_run::<HeapTickQueue>(&resolved, &sim, &fingerprint, &outcome);
    same_run::<IndexedTickQueue>(&resolved, &sim, &fingerprint, &outcome);
}

/// The summary of a complete run agrees with the checker's counts.
fn check_summary(resolved: &Resolved, stats: &SummarySink, fingerprint: &Fingerprint, checker: &LawChecker) {
    let summary = stats.summary().expect("the end was reported");
    let o = &summary.overall;
    assert!(summary.complete, "a complete run's summary says so");
    assert_eq!(o.events.total, checker.events, "summary counts every event");
    assert_eq!(u128::from(o.ticks), resolved.total_ticks(), "summary ticks = the scenario's total ticks");
    assert_eq!(summary.fingerprint, fingerprint.hex(), "the summary's fingerprint is the fingerprint sink's");
    assert_eq!(
        o.messages_sent,
        o.messages_received + o.queued_at_end + o.in_flight_at_end,
        "summary: sent = received + queued + in flight"
    );
    for (i, m) in summary.machines.iter().enumerate() {
        assert_eq!(m.messages_sent, checker.sent_by[i], "summary: messages sent by machine {i}");
        assert_eq!(m.messages_received, checker.received_by[i], "summary: messages received by machine {i}");
    }
    assert!(summary.to_json().ends_with("}\n"), "summary JSON is written");
}

/// The run on tick queue `Q` gives the same events, outcome and end state as `reference`.
fn same_run<Q: TickQueue + std::fmt::Debug>(
    resolved: &Resolved,
    reference: &Simulation<impl TickQueue>,
    fingerprint: &Fingerprint,
    outcome: &str,
) {
    let queue = std::any::type_name::<Q>();
    let mut sim = Simulation::<Q>::with_queue(resolved);
    let mut other = Fingerprint::default();
    let other_outcome = format!("{:?}", sim.run(&mut other));
    assert_eq!(other_outcome, outcome, "{queue}: same outcome as the default tick queue");
    assert_eq!(other.events(), fingerprint.events(), "{queue}: same event count as the default tick queue");
    assert_eq!(other.hex(), fingerprint.hex(), "{queue}: same events as the default tick queue");
    for id in 0..resolved.machines.len() as MachineId {
        assert_eq!(sim.machine_state(id), reference.machine_state(id), "{queue}: same end state of machine {id}");
    }
}

/// A message the checker's model has sent: `(due, send order, to, from, msg_clock)`.
type ModelMessage = Reverse<(SimTime, u64, MachineId, MachineId, LamportTime)>;

/// An [`EventSink`] checking [`run_scenario`]'s laws event by event.
struct LawChecker {
    end: SimTime,
    setups: Vec<MachineSetup>,
    jitter_max: u64,
    semantics: Semantics,
    event_mix: EventMix,
    /// Smallest delay any message can have.
    min_delay: u64,
    /// The delay of every message, when all have the same one: the queues are modelled.
    exact_delay: Option<u64>,
    /// Per machine: last clock, index of its last tick (`None` before its first event).
    clocks: Vec<LamportTime>,
    last_tick: Vec<Option<u64>>,
    last_event: Option<(SimTime, MachineId)>,
    events: u64,
    sends: u64,
    internals: u64,
    sent_by: Vec<u64>,
    sent_to: Vec<u64>,
    received_by: Vec<u64>,
    /// Sent, not yet received: `(from, to, msg_clock)` → send time. The key is unique:
    /// a sender's clock strictly increases, and a send lists a receiver once.
    outstanding: BTreeMap<(MachineId, MachineId, LamportTime), SimTime>,
    /// The modelled queues (`from`, `msg_clock`) and network, when `exact_delay` is known.
    queues: Vec<VecDeque<(MachineId, LamportTime)>>,
    network: BinaryHeap<ModelMessage>,
    send_order: u64,
    queue_limit: u64,
    row: Vec<u8>,
    /// How the engine said the run ended.
    ending: Option<Ending>,
    time_format: SystemTimeFormat,
}

impl LawChecker {
    fn new(r: &Resolved) -> Self {
        let n = r.machines.len();
        let (min_delay, exact_delay) = match r.network_delay {
            NetworkDelay::NoDelay => (0, Some(0)),
            NetworkDelay::Fixed(d) => (d.as_nanos(), Some(d.as_nanos())),
            NetworkDelay::Uniform { min, max } => (min.as_nanos(), (min == max).then_some(min.as_nanos())),
            NetworkDelay::Exponential { mean } => (0, (mean == SimDuration::ZERO).then_some(0)),
        };
        LawChecker {
            end: SimTime(r.duration.as_nanos()),
            setups: r.machines.clone(),
            jitter_max: match r.tick_jitter {
                TickJitter::NoJitter => 0,
                TickJitter::Uniform { max } => max.as_nanos(),
            },
            semantics: r.semantics,
            event_mix: r.event_mix,
            min_delay,
            exact_delay,
            clocks: vec![0; n],
            last_tick: vec![None; n],
            last_event: None,
            events: 0,
            sends: 0,
            internals: 0,
            sent_by: vec![0; n],
            sent_to: vec![0; n],
            received_by: vec![0; n],
            outstanding: BTreeMap::new(),
            queues: vec![VecDeque::new(); n],
            network: BinaryHeap::new(),
            send_order: 0,
            queue_limit: r.queue_limit,
            row: Vec::new(),
            time_format: SystemTimeFormat::new(r.start_time),
            ending: None,
        }
    }

    /// Moves modelled messages due by `is_due` from the network into the queues.
    fn land(&mut self, is_due: impl Fn(SimTime) -> bool) {
        while let Some(&Reverse((due, _, to, from, clock))) = self.network.peek() {
            if !is_due(due) {
                break;
            }
            self.network.pop();
            self.enqueue(to, from, clock);
        }
    }

    /// Puts a message in a modelled queue, which must stay within the queue limit (the
    /// engine stops before a queue overflows, and the checker sees no event after that).
    fn enqueue(&mut self, to: MachineId, from: MachineId, clock: LamportTime) {
        let queue = &mut self.queues[to as usize];
        queue.push_back((from, clock));
        assert!(queue.len() as u64 <= self.queue_limit, "machine {to}: more than queue_limit messages queued");
    }

    /// The end-of-run laws of a complete run, against the end state the engine reports.
    fn complete(&mut self, end_state: &[MachineState]) {
        let n = self.setups.len();
        assert_eq!(end_state.len(), n, "the end reports every machine");
        let end = self.end;
        self.land(|due| due < end);
        for (i, s) in end_state.iter().enumerate() {
            let setup = self.setups[i];
            let expected = ticks_before(end, setup.rate, setup.phase);
            assert_eq!(s.ticks, expected, "machine {i}: ticks = ticks_before(end, rate, phase)");
            let seen = self.last_tick[i].map_or(0, |k| k + 1);
            assert_eq!(seen, expected, "machine {i}: every tick has an event");
            assert_eq!(s.clock, self.clocks[i], "machine {i}: final clock is the last event's");
            assert_eq!(
                self.sent_to[i],
                self.received_by[i] + s.queued + s.in_flight_to,
                "machine {i}: messages sent to it = received + queued + in flight"
            );
            if self.exact_delay.is_some() {
                let in_flight = self.network.iter().filter(|Reverse(m)| m.2 as usize == i).count() as u64;
                assert_eq!(s.queued, self.queues[i].len() as u64, "machine {i}: queued messages as modelled");
                assert_eq!(s.in_flight_to, in_flight, "machine {i}: messages in flight as modelled");
            }
        }
        let sent: u64 = self.sent_to.iter().sum();
        assert_eq!(sent, self.sent_by.iter().sum::<u64>(), "messages sent = messages addressed");
        assert_eq!(sent - self.received_by.iter().sum::<u64>(), self.outstanding.len() as u64, "outstanding messages");
        let mix = self.event_mix;
        if mix.send_next + mix.send_after + mix.send_all == 0 {
            assert_eq!(self.sends, 0, "no SEND when every send weight is 0");
        }
        if mix.internal == 0 && n >= 3 {
            assert_eq!(self.internals, 0, "no INTERNAL when its weight is 0 and there are 3 or more machines");
        }
    }
}

impl EventSink for LawChecker {
    fn end(&mut self, end: &RunEnd<'_>) -> io::Result<()> {
        assert_eq!(self.ending, None, "the end is reported once");
        self.ending = Some(end.ending);
        match end.ending {
            Ending::Complete => {
                assert_eq!(end.until, self.end, "a complete run covers its whole length");
                self.complete(end.machines);
            }
            Ending::QueueLimit { machine, limit, at } => {
                assert_eq!(end.until, at, "a stopped run covers the time up to its stop");
                assert_eq!(end.machines[machine as usize].queued, limit, "the flooded queue is at its limit");
            }
            other => panic!("a run without a stop request cannot end {other:?}"),
        }
        Ok(())
    }

    fn event(&mut self, e: &Event<'_>) -> io::Result<()> {
        let i = e.machine as usize;
        assert!(i < self.setups.len(), "machine {i} out of range");
        if let Some(last) = self.last_event {
            assert!(last <= (e.time, e.machine), "event at {:?} of machine {i} after {last:?}", e.time);
        }
        // Tick bookkeeping: a new tick, or another row of the tick just reported.
        let new_tick = match self.last_tick[i] {
            None => true,
            Some(k) if k == e.tick => false,
            Some(k) => {
                assert_eq!(e.tick, k + 1, "machine {i}: ticks in order, none skipped");
                true
            }
        };
        if new_tick {
            let setup = self.setups[i];
            assert_eq!(e.tick == 0, self.last_tick[i].is_none(), "machine {i}: the first tick is tick 0");
            assert!(
                e.tick < ticks_before(self.end, setup.rate, setup.phase),
                "machine {i}: tick {} at or after the end",
                e.tick
            );
            let nominal = tick_time(e.tick, setup.rate, setup.phase);
            assert!(
                nominal <= e.time && e.time.as_nanos() - nominal.as_nanos() <= self.jitter_max,
                "machine {i}: tick {} at {:?}, scheduled at {nominal:?} with jitter up to {}",
                e.tick,
                e.time,
                self.jitter_max
            );
        } else {
            assert_eq!(self.last_event, Some((e.time, e.machine)), "machine {i}: the rows of a tick come together");
        }
        if self.exact_delay.is_some() {
            let now = e.time;
            self.land(|due| due <= now);
        }
        let previous = self.clocks[i];
        match e.detail {
            EventDetail::Send { to, msg_clock } => {
                assert_eq!(e.clock, previous + 1, "machine {i}: a SEND adds 1");
                assert!(!to.is_empty(), "machine {i}: a SEND has a receiver");
                assert!(to.windows(2).all(|w| w[0] < w[1]), "machine {i}: receivers ascending: {to:?}");
                assert!(to.iter().all(|&j| j != e.machine && (j as usize) < self.setups.len()), "bad receivers {to:?}");
                match self.semantics.multicast {
                    MulticastClock::IncrementOnce => assert!(new_tick, "machine {i}: one SEND row per tick"),
                    MulticastClock::IncrementPerMessage => assert_eq!(to.len(), 1, "machine {i}: one receiver per row"),
                }
                let expected = match self.semantics.message_clock {
                    MessageClock::AfterIncrement => e.clock,
                    MessageClock::BeforeIncrement => previous,
                };
                assert_eq!(msg_clock, expected, "machine {i}: a SEND's msg_clock");
                assert_eq!(e.queue_len, 0, "machine {i}: a SEND happens with an empty queue");
                if new_tick && self.exact_delay.is_some() {
                    assert!(self.queues[i].is_empty(), "machine {i}: sends while a message waits");
                }
                for &j in to {
                    let earlier = self.outstanding.insert((e.machine, j, msg_clock), e.time);
                    assert!(earlier.is_none(), "machine {i}: two messages to {j} stamped {msg_clock}");
                    self.sent_to[j as usize] += 1;
                    self.sent_by[i] += 1;
                    match self.exact_delay {
                        Some(0) => self.enqueue(j, e.machine, msg_clock),
                        Some(d) => {
                            self.send_order += 1;
                            let due = e.time.saturating_add(SimDuration(d));
                            self.network.push(Reverse((due, self.send_order, j, e.machine, msg_clock)));
                        }
                        None => {}
                    }
                }
                self.sends += 1;
            }
            EventDetail::Receive { from, msg_clock } => {
                assert!(new_tick, "machine {i}: a RECEIVE is a tick of its own");
                assert_eq!(e.clock, previous.max(msg_clock) + 1, "machine {i}: RECEIVE = max(prev, msg_clock) + 1");
                let Some(sent_at) = self.outstanding.remove(&(from, e.machine, msg_clock)) else {
                    panic!("machine {i}: received a message from {from} stamped {msg_clock} that was not sent to it");
                };
                assert!(
                    e.time >= sent_at.saturating_add(SimDuration(self.min_delay)),
                    "machine {i}: received at {:?} a message sent at {sent_at:?} (smallest delay {})",
                    e.time,
                    self.min_delay
                );
                self.received_by[i] += 1;
                if self.exact_delay.is_some() {
                    let front = self.queues[i].pop_front();
                    assert_eq!(front, Some((from, msg_clock)), "machine {i}: takes the oldest waiting message");
                    let waiting = self.queues[i].len() as u64;
                    let expected = match self.semantics.receive_queue_len {
                        ReceiveQueueLen::AfterTake => waiting,
                        ReceiveQueueLen::BeforeTake => waiting + 1,
                    };
                    assert_eq!(e.queue_len, expected, "machine {i}: RECEIVE queue_len");
                } else if self.semantics.receive_queue_len == ReceiveQueueLen::BeforeTake {
                    assert!(e.queue_len >= 1, "machine {i}: BeforeTake counts the message taken");
                }
            }
            EventDetail::Internal => {
                assert!(new_tick, "machine {i}: an INTERNAL is a tick of its own");
                assert_eq!(e.clock, previous + 1, "machine {i}: an INTERNAL adds 1");
                assert_eq!(e.queue_len, 0, "machine {i}: an INTERNAL happens with an empty queue");
                if self.exact_delay.is_some() {
                    assert!(self.queues[i].is_empty(), "machine {i}: an internal event while a message waits");
                }
                self.internals += 1;
            }
        }
        self.clocks[i] = e.clock;
        self.last_tick[i] = Some(e.tick);
        self.last_event = Some((e.time, e.machine));
        self.events += 1;
        self.row.clear();
        format_row(e, &mut self.time_format, &mut self.row);
        let commas = self.row.iter().filter(|&&b| b == b',').count();
        assert!(
            commas == 7 && self.row.ends_with(b"\n"),
            "a CSV row has 8 fields: {:?}",
            String::from_utf8_lossy(&self.row)
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_decodes_to_one_machine_at_one_hertz_for_two_microseconds() {
        let s = decode_run_input(&[]);
        assert_eq!(s.machine_count(), 1);
        assert_eq!(s.rates, Rates::Range { min: Rate::try_from(1).unwrap(), max: Rate::try_from(1).unwrap() });
        assert_eq!(s.duration, SimDuration(2_000));
        assert_eq!(s.event_mix, EventMix { send_next: 0, send_after: 0, send_all: 0, internal: 1 });
        assert_eq!(s.start_time.unwrap().micros_since_epoch(), 0);
        run_scenario(&[]);
    }

    #[test]
    fn all_ones_decode_to_the_largest_values() {
        let s = decode_run_input(&[0xff; 64]);
        assert_eq!(s.machine_count(), 8); // 1 + 255 % 8
        assert_eq!(s.rates, Rates::Range { min: Rate::try_from(16).unwrap(), max: Rate::try_from(16).unwrap() });
        assert_eq!(s.phase, Phase::Random); // 255 % 3 == 0
        assert_eq!(s.duration, SimDuration((1 + 0xff_ffff % 10_000_000) * 2_000));
        assert_eq!(s.network_delay, NetworkDelay::Exponential { mean: SimDuration(0xffff * DELAY_UNIT_NANOS) });
        assert!(s.start_time.unwrap().to_string().starts_with("7005-10-11 23:25:15"), "{}", s.start_time.unwrap());
        run_scenario(&[0xff; 64]);
    }
}
