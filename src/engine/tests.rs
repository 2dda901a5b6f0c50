//! The engine's laws on small runs: the tie rule, the semantics variants, delays, the
//! queue limit, jitter, and stepping or stopping a run part-way.

use std::io;

use crate::base::{LamportTime, MachineId, SimTime};
use crate::engine::{Ending, Event, EventDetail, EventSink, RunEnd, SimError, Simulation};
use crate::scenario::{Fresh, Scenario, StartTime};

/// Every event of a run, as owned values.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    time: u64,
    machine: MachineId,
    kind: &'static str,
    peers: Vec<MachineId>,
    msg_clock: Option<LamportTime>,
    clock: LamportTime,
    queue_len: u64,
}

/// Records every event, and every end reported (how, and the time covered).
#[derive(Default)]
struct Recorder(Vec<Row>, Vec<(Ending, SimTime)>);

impl EventSink for Recorder {
    fn event(&mut self, e: &Event<'_>) -> io::Result<()> {
        let (peers, msg_clock) = match e.detail {
            EventDetail::Send { to, msg_clock } => (to.to_vec(), Some(msg_clock)),
            EventDetail::Receive { from, msg_clock } => (vec![from], Some(msg_clock)),
            EventDetail::Internal => (vec![], None),
        };
        self.0.push(Row {
            time: e.time.as_nanos(),
            machine: e.machine,
            kind: e.detail.kind().name(),
            peers,
            msg_clock,
            clock: e.clock,
            queue_len: e.queue_len,
        });
        Ok(())
    }

    fn end(&mut self, end: &RunEnd<'_>) -> io::Result<()> {
        self.1.push((end.ending, end.until));
        Ok(())
    }
}

/// A test scenario, resolved with seed 1 for what it leaves open.
fn resolve(ron: &str) -> crate::scenario::Resolved {
    let scenario = Scenario::from_ron_str(ron, "<test>").expect("valid test scenario");
    scenario.resolve(Fresh { seed: 1, start_time: StartTime::SEEDED_DEFAULT }, "<test>").expect("resolves")
}

fn run(ron: &str) -> (Vec<Row>, Simulation) {
    let resolved = resolve(ron);
    let mut sim = Simulation::new(&resolved);
    let mut rec = Recorder::default();
    sim.run(&mut rec).expect("recorder cannot fail");
    (rec.0, sim)
}

#[test]
fn same_instant_ticks_run_in_machine_order_and_see_earlier_sends() {
    // Everyone always sends to the next machine; all tick at 0, 1, 2 s.
    let (rows, _) = run("(rates: Each([1, 1, 1]), phase: Aligned, duration: \"2s\", seed: 1,
          event_mix: EventMix(send_next: 1, send_after: 0, send_all: 0, internal: 0))");
    let at_zero: Vec<(MachineId, &str)> = rows.iter().filter(|r| r.time == 0).map(|r| (r.machine, r.kind)).collect();
    // 0 sends to 1; 1 already sees it; 2 (queue empty) sends to 0.
    assert_eq!(at_zero, [(0, "SEND"), (1, "RECEIVE"), (2, "SEND")]);
    let m1 = rows.iter().find(|r| r.machine == 1).unwrap();
    assert_eq!((m1.clock, m1.msg_clock, m1.queue_len), (2, Some(1), 0));
}

#[test]
fn semantics_before_increment_per_message_before_take() {
    let base = "rates: Each([5, 1, 1]), phase: Aligned, duration: \"3s\", seed: 4,
                event_mix: EventMix(send_next: 0, send_after: 0, send_all: 1, internal: 0)";
    let (rows, _) = run(&format!(
        "({base}, semantics: Semantics(message_clock: BeforeIncrement, multicast: IncrementPerMessage, receive_queue_len: BeforeTake))"
    ));
    // Machine 0's first tick: one SEND row per receiver, each its own increment,
    // each message carrying the clock from before that increment.
    let first: Vec<&Row> = rows.iter().filter(|r| r.machine == 0 && r.time == 0).collect();
    assert_eq!(first.len(), 2);
    assert_eq!((first[0].peers.clone(), first[0].clock, first[0].msg_clock), (vec![1], 1, Some(0)));
    assert_eq!((first[1].peers.clone(), first[1].clock, first[1].msg_clock), (vec![2], 2, Some(1)));
    // Machine 1 receives at time 0 with its queue counted before the take.
    let recv = rows.iter().find(|r| r.machine == 1 && r.kind == "RECEIVE").unwrap();
    assert_eq!(recv.queue_len, 1);
    let (default_rows, _) = run(&format!("({base})"));
    let first: Vec<&Row> = default_rows.iter().filter(|r| r.machine == 0 && r.time == 0).collect();
    assert_eq!(first.len(), 1);
    assert_eq!((first[0].peers.clone(), first[0].clock, first[0].msg_clock), (vec![1, 2], 1, Some(1)));
    let recv = default_rows.iter().find(|r| r.machine == 1 && r.kind == "RECEIVE").unwrap();
    assert_eq!(recv.queue_len, 0);
}

#[test]
fn a_machine_never_sends_to_itself() {
    let (rows, sim) = run("(machines: 1, duration: \"20s\", seed: 3, event_mix: EventMix(send_next: 1, send_after: 1, send_all: 1, internal: 0))");
    assert!(rows.iter().all(|r| r.kind == "INTERNAL"));
    assert_eq!(sim.machine_state(0).clock, rows.len() as u64);
    let (rows, _) = run("(machines: 2, duration: \"20s\", seed: 3, event_mix: EventMix(send_next: 0, send_after: 1, send_all: 0, internal: 0))");
    assert!(rows.iter().all(|r| r.kind == "INTERNAL"), "the one after the next is the machine itself");
    let (rows, _) = run("(machines: 2, duration: \"20s\", seed: 3, event_mix: EventMix(send_next: 0, send_after: 0, send_all: 1, internal: 0))");
    assert!(rows.iter().filter(|r| r.kind == "SEND").all(|r| r.peers == [1 - r.machine]));
}

#[test]
fn delayed_messages_land_no_earlier_than_the_delay() {
    let (rows, sim) =
        run("(machines: 3, rates: Each([6, 6, 6]), duration: \"30s\", seed: 8, network_delay: Fixed(\"700ms\"))");
    let sends: std::collections::BTreeMap<(MachineId, LamportTime), u64> =
        rows.iter().filter(|r| r.kind == "SEND").map(|r| ((r.machine, r.msg_clock.unwrap()), r.time)).collect();
    let mut receives = 0;
    for r in rows.iter().filter(|r| r.kind == "RECEIVE") {
        let sent = sends[&(r.peers[0], r.msg_clock.unwrap())];
        assert!(r.time >= sent + 700_000_000, "received {} ns after the send", r.time - sent);
        receives += 1;
    }
    assert!(receives > 10);
    let in_flight: u64 = (0..3).map(|i| sim.machine_state(i).in_flight_to).sum();
    assert!(in_flight > 0, "messages sent in the last 0.7 s are still in flight");
}

#[test]
fn events_equal_rate_times_duration_for_many_rates() {
    let (rows, sim) = run("(rates: Each([1, 2, 3, 4, 5, 6, 7, 13, 29, 30]), duration: \"61s\", seed: 2)");
    for (i, rate) in [1u64, 2, 3, 4, 5, 6, 7, 13, 29, 30].iter().enumerate() {
        let count = rows.iter().filter(|r| r.machine == i as MachineId).count() as u64;
        assert_eq!(count, rate * 61);
        assert_eq!(sim.machine_state(i as MachineId).ticks, rate * 61);
    }
}

#[test]
fn run_until_stops_before_the_asked_tick_and_resumes_with_the_same_events() {
    let ron = "(rates: Each([1, 3, 6]), duration: \"20s\", seed: 3, network_delay: Fixed(\"150ms\"))";
    let (straight, _) = run(ron);
    let resolved = resolve(ron);
    let mut sim = Simulation::new(&resolved);
    let mut rec = Recorder::default();
    let mut asked = 0;
    // Asked every 7 ticks; says stop the third time, so 20 ticks are done.
    let stopped = sim.run_until(&mut rec, 7, || {
        asked += 1;
        asked == 3
    });
    assert_eq!(stopped.expect("recorder cannot fail"), Some(SimTime(straight[20].time)));
    assert_eq!(rec.0, straight[..20], "the first 20 events, in order");
    assert_eq!(sim.next_tick_time(), Some(SimTime(straight[20].time)));
    sim.run(&mut rec).expect("recorder cannot fail");
    assert_eq!(rec.0, straight, "resuming gives the uninterrupted run");
}

#[test]
fn a_flooded_queue_stops_the_run_at_its_limit() {
    let resolved = resolve("(rates: Each([1, 6, 6]), duration: \"10m\", seed: 2, queue_limit: 40)");
    let mut sim = Simulation::new(&resolved);
    let err = sim.run(&mut Recorder::default()).expect_err("machine 0 floods");
    let SimError::QueueLimit { machine, limit, .. } = err else { panic!("{err}") };
    assert_eq!((machine, limit), (0, 40));
    assert_eq!(sim.machine_state(0).queued, 40);
    assert!(err.to_string().contains("queue_limit of 40 messages"), "{err}");
}

#[test]
fn jitter_keeps_every_tick_and_their_order() {
    let (rows, sim) = run("(rates: Each([6, 5, 4]), duration: \"20s\", seed: 5, tick_jitter: Uniform(max: \"150ms\"))");
    for i in 0..3 {
        let times: Vec<u64> = rows.iter().filter(|r| r.machine == i).map(|r| r.time).collect();
        assert!(times.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(times.len() as u64, sim.machine_state(i).ticks);
    }
    assert_eq!(sim.machine_state(0).ticks, 120);
}

#[test]
fn stepping_tick_by_tick_gives_the_run_and_reports_its_end_once() {
    let ron = "(rates: Each([2, 3, 5]), duration: \"10s\", seed: 6, network_delay: Fixed(\"120ms\"))";
    let (straight, sim) = run(ron);
    let resolved = resolve(ron);
    let mut stepped = Simulation::new(&resolved);
    let mut rec = Recorder::default();
    let mut steps = 0;
    while stepped.step(&mut rec).expect("recorder cannot fail") {
        steps += 1;
        // One tick per step: each step adds the events of exactly one tick.
        assert_eq!(rec.0.len(), steps, "default semantics: one event per tick");
        assert!(rec.1.is_empty(), "no end before the last tick");
    }
    assert_eq!(steps, 2 * 10 + 3 * 10 + 5 * 10);
    assert_eq!(rec.0, straight, "stepping gives the events of run()");
    assert_eq!(rec.1, [(Ending::Complete, SimTime(10_000_000_000))], "the end is reported once");
    assert!(!stepped.step(&mut rec).expect("recorder cannot fail"), "a finished run stays finished");
    assert_eq!(rec.1.len(), 1, "and reports nothing more");
    for id in 0..3 {
        assert_eq!(stepped.machine_state(id), sim.machine_state(id), "machine {id} ends as in run()");
    }
}

#[test]
fn a_stopped_run_reports_it_was_interrupted_before_its_next_tick() {
    let ron = "(rates: Each([1, 3, 6]), duration: \"20s\", seed: 3)";
    let (straight, _) = run(ron);
    let resolved = resolve(ron);
    let mut sim = Simulation::new(&resolved);
    let mut rec = Recorder::default();
    let mut asked = 0;
    let stopped = sim.run_until(&mut rec, 5, || {
        asked += 1;
        asked == 2
    });
    // Asked before every fifth tick; says stop the second time, so 9 ticks are done.
    let at = SimTime(straight[9].time);
    assert_eq!(stopped.expect("recorder cannot fail"), Some(at));
    assert!(rec.1.is_empty(), "run_until leaves a stopped run resumable");
    sim.stop(&mut rec).expect("recorder cannot fail");
    assert_eq!(rec.1, [(Ending::Interrupted { at }, at)]);
    sim.run(&mut rec).expect("recorder cannot fail");
    assert_eq!((rec.0.len(), rec.1.len()), (9, 1), "nothing runs or ends after stop");
}

#[test]
fn a_run_stopped_by_its_queue_limit_reports_so_before_the_error() {
    let resolved = resolve("(rates: Each([1, 6, 6]), duration: \"10m\", seed: 2, queue_limit: 40)");
    let mut rec = Recorder::default();
    let err = Simulation::new(&resolved).run(&mut rec).expect_err("machine 0 floods");
    let SimError::QueueLimit { machine, limit, at } = err else { panic!("{err}") };
    assert_eq!(rec.1, [(Ending::QueueLimit { machine, limit, at }, at)]);
}

#[test]
fn a_queue_filled_by_a_message_landing_after_the_last_tick_ends_the_run_at_its_limit() {
    // Machine 0 sends to machine 1 at each of its ticks (0, 1/3 s, 2/3 s), machine 1 to
    // machine 0 at its only tick (0). At 2/3 s the first two messages have landed (machine 0
    // takes its one); the second message to machine 1 lands at 1/3 s + 0.6 s, after every
    // tick and before the end, into a queue already at its limit of one.
    let resolved = resolve(
        "(rates: Each([3, 1]), phase: Aligned, duration: \"1s\", \
          event_mix: EventMix(send_next: 1, send_after: 0, send_all: 0, internal: 0), \
          network_delay: Fixed(\"600ms\"), queue_limit: 1)",
    );
    let mut rec = Recorder::default();
    let err = Simulation::new(&resolved).run(&mut rec).expect_err("machine 1's queue fills");
    let SimError::QueueLimit { machine, limit, at } = err else { panic!("{err}") };
    assert_eq!((machine, limit, at), (1, 1, SimTime(933_333_333)));
    assert_eq!(rec.1, [(Ending::QueueLimit { machine, limit, at }, at)], "the end is reported once, as the limit");
}
