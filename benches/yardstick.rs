//! The engine against a yardstick: a deliberately minimal hand-written loop of the classic
//! 3-machine model, measured in the same run (criterion). See `docs/benchmarks.md`.
//!
//! The yardstick has no generality at all: a linear scan over three machines for the next
//! tick (ties: lowest id), the classic 1..=10 roll, the same random streams and the same
//! tick formula as the engine, no sinks. It is checked to reach exactly the engine's final
//! clocks and event count before anything is timed, so both do the same work.
//!
//! Compared, events per second on "3 machines, rates 1/3/6, 1000 simulated minutes":
//! - `yardstick`;
//! - `engine_null`: the engine with a sink that discards events;
//! - `engine_stats`: the engine with `SummarySink` (statistics and fingerprint), what
//!   `run --stats-only` does;
//! - `engine_metrics`: the engine with `Metrics`, what each run of `batch` does.
//!
//! Run: `cargo bench --bench yardstick`.

use std::collections::VecDeque;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lamport_sim::{
    tick_time, ticks_before, Fresh, Metrics, NullSink, Resolved, Scenario, SimRng, SimTime, Simulation, StartTime,
    StreamPurpose, SummarySink,
};

const CLASSIC: &str = r#"(rates: Each([1, 3, 6]), duration: "1000m", seed: 1)"#;

/// The classic model by hand. Returns the event count and the final clocks.
fn yardstick(s: &Resolved) -> (u64, [u64; 3]) {
    let end = SimTime(s.duration.as_nanos());
    let rate: [u32; 3] = [s.machines[0].rate, s.machines[1].rate, s.machines[2].rate];
    let phase = [s.machines[0].phase, s.machines[1].phase, s.machines[2].phase];
    let total: [u64; 3] = std::array::from_fn(|i| ticks_before(end, rate[i], phase[i]));
    let mut rng: [SimRng; 3] = std::array::from_fn(|i| SimRng::for_machine(s.seed, i as u32, StreamPurpose::Actions));
    let mut k = [0u64; 3];
    let mut at: [u64; 3] = std::array::from_fn(|i| phase[i].as_nanos());
    let mut clock = [0u64; 3];
    let mut queue: [VecDeque<u64>; 3] = Default::default();
    let mut events = 0;
    loop {
        let mut i = usize::MAX;
        let mut best = u64::MAX;
        for j in 0..3 {
            if k[j] < total[j] && at[j] < best {
                best = at[j];
                i = j;
            }
        }
        if i == usize::MAX {
            break;
        }
        if let Some(m) = queue[i].pop_front() {
            clock[i] = clock[i].max(m) + 1;
        } else {
            let roll = rng[i].below(10);
            clock[i] += 1;
            match roll {
                0 => queue[(i + 1) % 3].push_back(clock[i]),
                1 => queue[(i + 2) % 3].push_back(clock[i]),
                2 => {
                    queue[(i + 1) % 3].push_back(clock[i]);
                    queue[(i + 2) % 3].push_back(clock[i]);
                }
                _ => {}
            }
        }
        events += 1;
        k[i] += 1;
        at[i] = tick_time(k[i], rate[i], phase[i]).as_nanos();
    }
    (events, clock)
}

fn final_clocks(sim: &Simulation) -> [u64; 3] {
    std::array::from_fn(|i| sim.machine_state(i as u32).clock)
}

fn bench(c: &mut Criterion) {
    let fresh = Fresh { seed: 1, start_time: StartTime::SEEDED_DEFAULT };
    let scenario = Scenario::from_ron_str(CLASSIC, "<bench>").and_then(|s| s.resolve(fresh, "<bench>")).expect("valid");
    let (events, clocks) = yardstick(&scenario);
    let mut sim = Simulation::new(&scenario);
    sim.run(&mut NullSink).expect("null sink");
    assert_eq!((sim.events(), final_clocks(&sim)), (events, clocks), "the yardstick must do the engine's work");

    let mut group = c.benchmark_group("classic3_1000min");
    group.throughput(Throughput::Elements(events));
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("yardstick", |b| b.iter(|| black_box(yardstick(black_box(&scenario)))));
    group.bench_function("engine_null", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(black_box(&scenario));
            sim.run(&mut NullSink).expect("null sink");
            black_box(sim.events())
        })
    });
    group.bench_function("engine_stats", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(black_box(&scenario));
            let mut stats = SummarySink::new(&scenario);
            sim.run(&mut stats).expect("in-memory sink");
            black_box(stats.summary().map(|s| s.fingerprint))
        })
    });
    group.bench_function("engine_metrics", |b| {
        b.iter(|| {
            let mut sim = Simulation::new(black_box(&scenario));
            let mut metrics = Metrics::new(&scenario);
            sim.run(&mut metrics).expect("in-memory sink");
            black_box(metrics.result().map(|m| m.max_clock_gap))
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = bench
}
criterion_main!(benches);
