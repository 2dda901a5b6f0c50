//! The bodies of the fuzz targets in `fuzz/`, as plain functions of `&[u8]`, so that
//! cargo-fuzz (each target is a one-line wrapper) and a stable `cargo test` (which replays
//! the committed seeds and crash reproducers, `tests/fuzz_corpus.rs`) run the same checks.
//!
//! Every function here accepts any bytes. It returns normally for input it refuses or skips
//! (too long, not UTF-8, an invalid scenario) and panics only when a law of the simulator
//! is broken, that is on a real bug; the panic message says which law.
//!
//! | function | input | laws |
//! |---|---|---|
//! | [`parse_scenario`] | scenario text, up to [`MAX_PARSE_INPUT`] bytes | an error, or a scenario that round-trips through RON, resolves, and whose resolved form round-trips |
//! | [`run_scenario`] | up to [`MAX_RUN_INPUT`] bytes, decoded by [`decode_run_input`] | the engine's clock, tick, order and message laws (see [`run_scenario`]) |
//! | [`check_logs`] | up to [`MAX_CHECK_INPUT`] bytes, decoded by [`decode_check_input`] into a run folder (and by [`decode_round_trip_rows`] into rows) | `check` gives a report or an error that says where, never a panic; rows written by [`format_row`] read back unchanged |

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::io;

use crate::check::{CheckContext, CheckError, Report};
use crate::engine::{SimError, Simulation};
use crate::event::{Event, EventKind, EventSink, LamportTime, MachineId};
use crate::fingerprint::Fingerprint;
use crate::logread::{EventType, LogReader, LogRow, ReadError, SystemTimeField};
use crate::logs::{format_row, log_file_name, SystemTimeFormat, HEADER};
use crate::queue::{HeapTickQueue, IndexedTickQueue, TickQueue};
use crate::rundir::{SCENARIO_FILE, SUMMARY_FILE};
use crate::scenario::{
    EventMix, Fresh, MachineCount, MachineSetup, MessageClock, MulticastClock, NetworkDelay, Phase, Rate, Rates,
    ReceiveQueueLen, Resolved, Scenario, Semantics, SendAllTargets, StartTime, TickJitter, DEFAULT_QUEUE_LIMIT,
    MAX_RATE,
};
use crate::summary::{Stats, Summary};
use crate::time::{min_tick_gap, tick_time, ticks_before, SimDuration, SimTime};

/// Longest input [`parse_scenario`] looks at; longer input is skipped.
pub const MAX_PARSE_INPUT: usize = 4096;
/// Longest input [`run_scenario`] looks at; longer input is skipped.
pub const MAX_RUN_INPUT: usize = 256;
/// [`parse_scenario`] resolves scenarios of at most this many machines (only to keep each
/// input fast; larger counts are parsed and round-tripped but not resolved).
pub const MAX_PARSE_MACHINES: u32 = 1000;

/// What a fuzzed scenario leaves open (the same values the tests use).
const FRESH: Fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };
const ORIGIN: &str = "<fuzz>";

/// Fuzz target `parse_scenario`: any bytes as scenario text.
///
/// Input longer than [`MAX_PARSE_INPUT`] or not UTF-8 is skipped. Otherwise
/// [`Scenario::from_ron_str`] either refuses the text with an error (whose message is
/// formatted, and must not be empty), or returns a scenario such that:
/// 1. its [`Scenario::to_ron`] text parses back to the same scenario;
/// 2. (up to [`MAX_PARSE_MACHINES`] machines) [`Scenario::resolve`] refuses it with an
///    error or resolves it to one machine setup per machine, each rate in `1..=MAX_RATE`
///    and each phase shorter than its tick period;
/// 3. the resolved scenario's `scenario.ron` text ([`Resolved::to_ron`]) parses back to
///    [`Resolved::to_scenario`] and resolves to the same resolved scenario.
///
/// # Panics
/// When one of these laws is broken (a bug in the scenario code), never otherwise.
pub fn parse_scenario(data: &[u8]) {
    if data.len() > MAX_PARSE_INPUT {
        return;
    }
    let Ok(text) = std::str::from_utf8(data) else { return };
    let scenario = match Scenario::from_ron_str(text, ORIGIN) {
        Ok(scenario) => scenario,
        Err(e) => {
            assert!(!e.to_string().is_empty(), "an error has a message");
            return;
        }
    };
    let written = scenario.to_ron();
    match Scenario::from_ron_str(&written, ORIGIN) {
        Ok(again) => assert_eq!(again, scenario, "a scenario's RON reads back the same; RON:\n{written}"),
        Err(e) => panic!("a scenario's own RON must parse: {e}; RON:\n{written}"),
    }
    if scenario.machine_count() > MAX_PARSE_MACHINES {
        return;
    }
    // Resolving may refuse what only fails with the drawn rates; it must not panic.
    let resolved = match scenario.resolve(FRESH, ORIGIN) {
        Ok(resolved) => resolved,
        Err(e) => {
            assert!(!e.to_string().is_empty(), "an error has a message");
            return;
        }
    };
    assert_eq!(resolved.machines.len() as u32, scenario.machine_count(), "one setup per machine");
    for (i, m) in resolved.machines.iter().enumerate() {
        assert!((1..=MAX_RATE).contains(&m.rate), "machine {i}: rate {} out of range", m.rate);
        assert!(m.phase < min_tick_gap(m.rate), "machine {i}: phase {} not below its period", m.phase);
    }
    let text = resolved.to_ron();
    let back = match Scenario::from_ron_str(&text, ORIGIN) {
        Ok(back) => back,
        Err(e) => panic!("a resolved scenario's RON must parse: {e}; RON:\n{text}"),
    };
    assert_eq!(back, resolved.to_scenario(), "scenario.ron reads back as the explicit scenario");
    match back.resolve(FRESH, ORIGIN) {
        Ok(again) => assert_eq!(again, resolved, "scenario.ron resolves to the same run"),
        Err(e) => panic!("a resolved scenario must resolve again: {e}; RON:\n{text}"),
    }
}

/// Reads bytes in order; past the end every byte reads as 0, so any input decodes.
struct ByteReader<'a> {
    data: &'a [u8],
    at: usize,
}

impl ByteReader<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    /// `len` bytes as a little-endian unsigned number.
    fn le(&mut self, len: u32) -> u64 {
        (0..len).fold(0, |n, i| n | u64::from(self.byte()) << (8 * i))
    }
}

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
    let mut stats = Stats::new(n);
    let mut fingerprint = Fingerprint::default();
    let mut sim = Simulation::new(&resolved);
    let outcome = sim.run(&mut (&mut checker, (&mut stats, &mut fingerprint)));
    match &outcome {
        Ok(()) => {
            checker.finish(&sim);
            check_summary(&resolved, &stats, &sim, &fingerprint, &checker);
        }
        Err(SimError::QueueLimit { machine, limit, at }) => {
            assert_eq!(*limit, resolved.queue_limit, "the error names the scenario's queue_limit");
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
fn check_summary<Q: TickQueue>(
    resolved: &Resolved,
    stats: &Stats,
    sim: &Simulation<Q>,
    fingerprint: &Fingerprint,
    checker: &LawChecker,
) {
    let summary = Summary::new(resolved, stats, sim, fingerprint.hex());
    let o = &summary.overall;
    assert_eq!(o.events.total, sim.events(), "summary counts every event");
    assert_eq!(u128::from(o.ticks), resolved.total_ticks(), "summary ticks = the scenario's total ticks");
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

    /// The end-of-run laws, against the simulation's end state.
    fn finish<Q: crate::queue::TickQueue>(&mut self, sim: &Simulation<Q>) {
        let n = self.setups.len();
        assert_eq!(sim.machine_count(), n, "machine count");
        assert_eq!(sim.events(), self.events, "the engine counts the events its sink saw");
        assert_eq!(sim.next_tick_time(), None, "no tick is left after a run");
        let end = self.end;
        self.land(|due| due < end);
        for i in 0..n {
            let setup = self.setups[i];
            let s = sim.machine_state(i as MachineId);
            assert_eq!((s.rate, s.phase), (setup.rate, setup.phase), "machine {i}: rate and phase as resolved");
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
        match e.kind {
            EventKind::Send { to, msg_clock } => {
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
            EventKind::Receive { from, msg_clock } => {
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
            EventKind::Internal => {
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

/// Longest input [`check_logs`] looks at; longer input is skipped.
pub const MAX_CHECK_INPUT: usize = 16 * 1024;
/// Largest number of machine logs [`decode_check_input`] makes.
pub const CHECK_MAX_MACHINES: u32 = 4;
/// The line that separates the sections of a [`check_logs`] input.
pub const CHECK_SECTION_SEPARATOR: &[u8] = b"%%\n";
/// Most rows [`check_logs`] decodes for its round trip through the log format.
pub const ROUND_TRIP_MAX_ROWS: usize = 16;
/// Bytes per row of the round trip (see [`decode_round_trip_rows`]).
pub const ROUND_TRIP_ROW_BYTES: usize = 53;

/// A run folder held in memory, as [`decode_check_input`] makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInput<'a> {
    /// The contents of `machine-0.csv`, `machine-1.csv`, ...
    pub logs: Vec<&'a [u8]>,
    /// The contents of `scenario.ron`, when the run has one.
    pub scenario: Option<&'a [u8]>,
    /// The contents of `summary.json`, when the run has one.
    pub summary: Option<&'a [u8]>,
    /// How many violations the report keeps (`check --max-violations`).
    pub max_reported: usize,
}

/// Decodes [`check_logs`]' input into a run folder in memory. Total: every byte string
/// gives a run.
///
/// | bytes | meaning |
/// |---|---|
/// | 0 | bits 0–1: `n = 1 + b % 4` machine logs; bit 2: the run has a `scenario.ron`; bit 3: it has a `summary.json`; bits 4–7: `max_reported` (0 to 15) |
/// | 1.. | the files, in the order `machine-0.csv` .. `machine-<n-1>.csv`, then `scenario.ron` (bit 2), then `summary.json` (bit 3), separated by lines `%%` ([`CHECK_SECTION_SEPARATOR`], `%%\n` at the start of these bytes or right after a `\n`) |
///
/// A file's newline before a separator is part of the file. The last file takes all the
/// bytes after its separator (separators included); files with no bytes left are empty.
/// An empty input is one empty log. `fuzz/make_check_seeds.py` packs run folders this way.
pub fn decode_check_input(data: &[u8]) -> CheckInput<'_> {
    let flags = data.first().copied().unwrap_or(0);
    let n = 1 + usize::from(flags % CHECK_MAX_MACHINES as u8);
    let has_scenario = flags & 4 != 0;
    let has_summary = flags & 8 != 0;
    let sections = n + usize::from(has_scenario) + usize::from(has_summary);
    let mut rest = data.get(1..).unwrap_or(&[]);
    let mut files = Vec::with_capacity(sections);
    while files.len() + 1 < sections {
        let at_start = rest.starts_with(CHECK_SECTION_SEPARATOR).then_some(0);
        let after_newline = || {
            rest.windows(1 + CHECK_SECTION_SEPARATOR.len())
                .position(|w| w[0] == b'\n' && &w[1..] == CHECK_SECTION_SEPARATOR)
                .map(|i| i + 1)
        };
        match at_start.or_else(after_newline) {
            Some(i) => {
                files.push(&rest[..i]);
                rest = &rest[i + CHECK_SECTION_SEPARATOR.len()..];
            }
            None => {
                files.push(rest);
                rest = &[];
            }
        }
    }
    files.push(rest);
    let summary = has_summary.then(|| files.pop().expect("a section per file"));
    let scenario = has_scenario.then(|| files.pop().expect("a section per file"));
    CheckInput { logs: files, scenario, summary, max_reported: usize::from(flags >> 4) }
}

/// Checks a run folder held in memory with the code `lamport-sim check` runs on a folder
/// ([`crate::check::check_dir`]): `scenario.ron` decoded by [`crate::scenario::ron_text`]
/// and parsed by [`Scenario::from_ron_str`] (as [`Scenario::load`] does after reading the
/// file), the context built by [`CheckContext::for_run`], the logs named
/// `machine-<id>.csv` read by [`LogReader`]s (one the scenario names but the run lacks
/// fails as a file that cannot be opened) and checked by [`crate::check::check_logs`].
pub fn check_in_memory(input: &CheckInput<'_>) -> Result<Report, CheckError> {
    let scenario = match input.scenario {
        None => None,
        Some(bytes) => Some(Scenario::from_ron_str(crate::scenario::ron_text(bytes, SCENARIO_FILE)?, SCENARIO_FILE)?),
    };
    let ctx = CheckContext::for_run(
        scenario.map(|s| (s, SCENARIO_FILE)),
        input.summary.map(|b| (b, SUMMARY_FILE)),
        input.max_reported,
    )?;
    let machines = ctx.machines().unwrap_or(input.logs.len() as u32);
    let readers = (0..machines)
        .map(|id| {
            let name = log_file_name(id);
            match input.logs.get(id as usize) {
                Some(bytes) => LogReader::new(&name, *bytes),
                None => Err(ReadError { file: name, line: 0, message: "cannot open: not in the run".to_string() }),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    crate::check::check_logs(readers, &ctx)
}

/// Fuzz target `check_logs`: any bytes as a run folder for `lamport-sim check`, and the
/// same bytes as rows for a round trip through the log format.
///
/// Input longer than [`MAX_CHECK_INPUT`] is skipped. Otherwise:
/// 1. **check**: [`check_in_memory`] of [`decode_check_input`]'s run returns, without
///    panicking, either a report or an error, and:
///    - an error's message is not empty; a read error names one of the run's files and,
///      for a log or `summary.json` the run has, a line in it (1 to the file's line-ending
///      count + 1, where `\n`, `\r\n` and a lone `\r` each end a line); a scenario error
///      names `scenario.ron`;
///    - a report covers the machines checked, counts every violation and keeps the first
///      `max_reported`, passes exactly when it counts none, and each violation it keeps
///      names a log with a line in it, or `summary.json`, and says what is wrong;
/// 2. **round trip**: the rows [`decode_round_trip_rows`] makes of the bytes, written by
///    [`format_row`] under [`HEADER`], read back by a [`LogReader`] as the same rows
///    (time, machine, event, clock, queue length, peers, `msg_clock`, line numbers) and
///    nothing more.
///
/// # Panics
/// When one of these laws is broken (a bug in the log reader or the checker), never
/// otherwise.
pub fn check_logs(data: &[u8]) {
    if data.len() > MAX_CHECK_INPUT {
        return;
    }
    let input = decode_check_input(data);
    let outcome = check_in_memory(&input);
    check_outcome(&input, &outcome);
    round_trip(data);
}

/// Whether `line` is a line of `file`: 1 to its line-ending count + 1.
fn line_in(file: &[u8], line: u64) -> bool {
    // Line endings as the log reader counts them: `\n`, `\r\n` and a lone `\r`.
    let lone_crs =
        file.windows(2).filter(|w| w[0] == b'\r' && w[1] != b'\n').count() + usize::from(file.ends_with(b"\r"));
    let endings = file.iter().filter(|&&b| b == b'\n').count() + lone_crs;
    (1..=endings as u64 + 1).contains(&line)
}

/// [`check_logs`]' laws on the outcome of a check.
fn check_outcome(input: &CheckInput<'_>, outcome: &Result<Report, CheckError>) {
    let log_id = |file: &str| -> Option<usize> { file.strip_prefix("machine-")?.strip_suffix(".csv")?.parse().ok() };
    let log = |file: &str| log_id(file).and_then(|id| input.logs.get(id).copied());
    match outcome {
        Ok(report) => {
            if input.scenario.is_none() {
                assert_eq!(report.machines as usize, input.logs.len(), "without a scenario every log is checked");
            } else {
                assert!(report.machines as usize <= input.logs.len(), "a checked machine has a log");
            }
            assert!(!report.checks.is_empty(), "a report says what it checked");
            assert_eq!(report.passed(), report.violation_count == 0, "a report passes when it counts no violation");
            assert_eq!(
                report.violations.len() as u64,
                report.violation_count.min(input.max_reported as u64),
                "a report keeps the first max_reported violations"
            );
            for v in &report.violations {
                assert!(!v.reason.is_empty(), "a violation says what is wrong: {v}");
                if v.file == SUMMARY_FILE {
                    assert!(input.summary.is_some(), "a violation of summary.json in a run without one: {v}");
                    continue;
                }
                let checked = log_id(&v.file).is_some_and(|id| id < report.machines as usize);
                let (true, Some(bytes)) = (checked, log(&v.file)) else {
                    panic!("a violation names a file that is not a checked log: {v}");
                };
                let line = v.line.unwrap_or_else(|| panic!("a violation in a log names a line: {v}"));
                assert!(line_in(bytes, line), "a violation names a line of its log: {v}");
            }
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty(), "an error has a message: {e:?}");
            match e {
                CheckError::Read(e) => {
                    if e.file == SUMMARY_FILE {
                        let bytes = input.summary.unwrap_or_else(|| panic!("an error of a missing summary.json: {e}"));
                        assert!(line_in(bytes, e.line), "a summary.json error names a line of it: {e}");
                    } else if let Some(bytes) = log(&e.file) {
                        assert!(line_in(bytes, e.line), "a read error names a line of its log: {e}");
                    } else {
                        let names_a_missing_log = e.file.starts_with("machine-") && input.scenario.is_some();
                        assert!(names_a_missing_log, "a read error names a file of the run: {e}");
                        assert!(e.message.starts_with("cannot open"), "a missing log cannot be opened: {e}");
                    }
                }
                CheckError::Scenario(_) => {
                    assert!(input.scenario.is_some(), "a scenario error in a run without one: {message}");
                    assert!(message.contains(SCENARIO_FILE), "a scenario error names scenario.ron: {message}");
                }
                CheckError::Layout(_) => panic!("a run in memory has no folder layout to get wrong: {message}"),
            }
        }
    }
}

/// One row of [`check_logs`]' round trip: an event's fields, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundTripRow {
    /// `sim_time` in nanoseconds.
    pub time: u64,
    /// The machine.
    pub machine: MachineId,
    /// 0 SEND, 1 RECEIVE, 2 INTERNAL.
    pub kind: u8,
    /// The clock.
    pub clock: LamportTime,
    /// The queue length.
    pub queue_len: u64,
    /// SEND: the receivers; RECEIVE: the sender; INTERNAL: none.
    pub peers: Vec<MachineId>,
    /// The timestamp a SEND's messages carry or a RECEIVE's message carried.
    pub msg_clock: LamportTime,
}

/// Decodes [`check_logs`]' input a second way, as rows for the round trip: one row per
/// [`ROUND_TRIP_ROW_BYTES`] bytes (at least one, at most [`ROUND_TRIP_MAX_ROWS`]); missing
/// bytes read as 0. Numbers are little-endian and take any value of their type.
///
/// | bytes of a row | field |
/// |---|---|
/// | 0 | event: `b % 3` (SEND, RECEIVE, INTERNAL); a SEND has `(b / 3) % 5` receivers (0 to 4) |
/// | 1–8 | `sim_time` in ns (`u64`) |
/// | 9–12 | `machine` (`u32`) |
/// | 13–20 | `clock` (`u64`) |
/// | 21–28 | `queue_len` (`u64`) |
/// | 29–36 | `msg_clock` (`u64`, SEND and RECEIVE) |
/// | 37–52 | peers: four `u32`, the first the RECEIVE's sender or the SEND's receivers |
pub fn decode_round_trip_rows(data: &[u8]) -> Vec<RoundTripRow> {
    let count = (1 + data.len() / ROUND_TRIP_ROW_BYTES).min(ROUND_TRIP_MAX_ROWS);
    let mut r = ByteReader { data, at: 0 };
    (0..count)
        .map(|_| {
            let kind_byte = r.byte();
            let (time, machine, clock, queue_len, msg_clock) = (r.le(8), r.le(4) as u32, r.le(8), r.le(8), r.le(8));
            let peers: Vec<MachineId> = (0..4).map(|_| r.le(4) as u32).collect();
            let kind = kind_byte % 3;
            let peers = match kind {
                0 => peers[..usize::from(kind_byte / 3 % 5)].to_vec(),
                1 => peers[..1].to_vec(),
                _ => vec![],
            };
            RoundTripRow {
                time,
                machine,
                kind,
                clock,
                queue_len,
                peers,
                msg_clock: if kind == 2 { 0 } else { msg_clock },
            }
        })
        .collect()
}

/// [`check_logs`]' round trip: rows written by [`format_row`] read back unchanged.
fn round_trip(data: &[u8]) {
    let rows = decode_round_trip_rows(data);
    let mut text = HEADER.as_bytes().to_vec();
    let mut time_format = SystemTimeFormat::new(StartTime::SEEDED_DEFAULT);
    for (i, row) in rows.iter().enumerate() {
        let kind = match row.kind {
            0 => EventKind::Send { to: &row.peers, msg_clock: row.msg_clock },
            1 => EventKind::Receive { from: row.peers[0], msg_clock: row.msg_clock },
            _ => EventKind::Internal,
        };
        let event = Event {
            time: SimTime(row.time),
            machine: row.machine,
            tick: i as u64,
            kind,
            clock: row.clock,
            queue_len: row.queue_len,
        };
        format_row(&event, &mut time_format, &mut text);
    }
    let shown = || String::from_utf8_lossy(&text).into_owned();
    let mut reader = match LogReader::new("round-trip.csv", text.as_slice()) {
        Ok(reader) => reader,
        Err(e) => panic!("the log header must read: {e}\n{}", shown()),
    };
    for (i, row) in rows.iter().enumerate() {
        let read = match reader.next_row() {
            Ok(Some(read)) => read,
            Ok(None) => panic!("row {i} of {} is missing when read back\n{}", rows.len(), shown()),
            Err(e) => panic!("a row written by format_row must read back: {e}\n{}", shown()),
        };
        let expected = LogRow {
            line: i as u64 + 2,
            sim_nanos: row.time,
            machine: row.machine,
            event: [EventType::Send, EventType::Receive, EventType::Internal][usize::from(row.kind)],
            clock: row.clock,
            queue_len: row.queue_len,
            peers: row.peers.clone(),
            msg_clock: (row.kind != 2).then_some(row.msg_clock),
            system_time: SystemTimeField::Micros(
                StartTime::SEEDED_DEFAULT.micros_since_epoch() + (row.time / 1_000) as i64,
            ),
        };
        assert_eq!(read, expected, "row {i} reads back as written\n{}", shown());
    }
    match reader.next_row() {
        Ok(None) => {}
        other => panic!("nothing after the rows written, but {other:?}\n{}", shown()),
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

    #[test]
    fn check_input_splits_on_separator_lines() {
        let empty = decode_check_input(b"");
        assert_eq!((empty.logs, empty.scenario, empty.summary, empty.max_reported), (vec![&b""[..]], None, None, 0));
        // 3 logs, a scenario and a summary, max_reported 5. The first log is empty; `%%` not
        // at the start of a line separates nothing; the last file keeps later separators.
        let data = b"\x5e%%\na,b%%\nc\n%%\n\n%%\n()\n%%\n{}\n%%\nx";
        let input = decode_check_input(data);
        assert_eq!(input.logs, vec![&b""[..], b"a,b%%\nc\n", b"\n"]);
        assert_eq!(
            (input.scenario, input.summary, input.max_reported),
            (Some(&b"()\n"[..]), Some(&b"{}\n%%\nx"[..]), 5)
        );
        // Files with no bytes left are empty.
        let short = decode_check_input(b"\x0fa\n");
        assert_eq!(short.logs, vec![&b"a\n"[..], b"", b"", b""]);
        assert_eq!((short.scenario, short.summary), (Some(&b""[..]), Some(&b""[..])));
        check_logs(data);
        check_logs(b"\x0fa\n");
    }

    #[test]
    fn round_trip_rows_take_any_value() {
        assert_eq!(decode_round_trip_rows(b"").len(), 1);
        let rows = decode_round_trip_rows(&[0xff; 4 * ROUND_TRIP_ROW_BYTES]);
        assert_eq!(rows.len(), 5);
        // 255 % 3 = 0: a SEND to (255 / 3) % 5 = 0 receivers, every number at its largest.
        let expected = RoundTripRow {
            time: u64::MAX,
            machine: u32::MAX,
            kind: 0,
            clock: u64::MAX,
            queue_len: u64::MAX,
            peers: vec![],
            msg_clock: u64::MAX,
        };
        assert_eq!(rows[0], expected);
        round_trip(&[0xff; 4 * ROUND_TRIP_ROW_BYTES]);
        assert_eq!(decode_round_trip_rows(&[7; 100 * ROUND_TRIP_ROW_BYTES]).len(), ROUND_TRIP_MAX_ROWS);
    }

    #[test]
    fn parse_accepts_the_classic_and_refuses_garbage() {
        parse_scenario(b"()");
        parse_scenario(b"(rates: Each([1, 3, 6]), seed: 4, network_delay: Fixed(\"5ms\"))");
        parse_scenario(b"(machines: 0)");
        parse_scenario(&[0xff, 0xfe]);
        parse_scenario(&vec![b' '; MAX_PARSE_INPUT + 1]);
    }
}
