//! Engine throughput in events per second (criterion). Results and how to read them:
//! `docs/benchmarks.md`.
//!
//! Every workload is a seeded scenario (`seed: 1`, so random phases drawn from seed 1 and
//! the seeded default start time) run to its end. Each benchmark id is
//! `<workload>/<mode>/<queue>`:
//! - mode `stats_only`: sink `SummarySink` (statistics and fingerprint), as `run_summary`;
//! - mode `csv_logs`: `CsvLogs` into a fresh temporary directory, then the summary's
//!   statistics (the sinks `run_to_dir` builds), then `CsvLogs::finish` (which
//!   fsyncs every log). Creating the logs and finishing them are timed; creating and
//!   deleting the temporary directory are not;
//! - queue `auto` (`AutoTickQueue`, the engine's default: a scan up to 8 machines, else the
//!   heap; benchmarked only for `classic3`, where it differs from `heap`), `heap`
//!   (`HeapTickQueue`, on std's `BinaryHeap`) or `indexed` (`IndexedTickQueue`, on the
//!   `priority-queue` crate).
//!
//! The throughput is the workload's event count (found once, before timing, by running
//! it), so criterion reports events per second. Before timing, the queues are checked to
//! produce the same event stream (same fingerprint).
//!
//! Run with `cargo bench --bench engine` (about 2 minutes on 2 cores), or pick benchmarks
//! with a filter: `cargo bench --bench engine -- ring100`. The untimed setup (event count,
//! queue check, sizing runs; about 2 s) runs for every workload, whatever the filter.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkGroup, Criterion, SamplingMode, Throughput};
use lamport_sim::testing::{AutoTickQueue, HeapTickQueue, IndexedTickQueue, TickQueue, SCAN_MAX_MACHINES};
use lamport_sim::{CsvLogs, Fresh, Resolved, Scenario, Simulation, StartTime, SummarySink};

/// One benchmarked scenario.
struct Workload {
    /// Group name in criterion's output.
    name: &'static str,
    /// The scenario, as a user would write it.
    ron: &'static str,
    /// Whether to benchmark the `csv_logs` mode too.
    csv: bool,
}

const WORKLOADS: &[Workload] = &[
    // The classic experiment's three machines at 1, 3 and 6 ticks/s, 1000 simulated minutes.
    Workload { name: "classic3", ron: r#"(rates: Each([1, 3, 6]), duration: "1000m", seed: 1)"#, csv: true },
    // 100 machines at (i mod 6) + 1 ticks/s, 100 simulated minutes, default send_all
    // (`AllOthers`): a send_all posts 99 messages, so every queue floods.
    Workload {
        name: "ring100_all_others",
        ron: r#"(machines: 100, rates: Cycle([1, 2, 3, 4, 5, 6]), duration: "100m", seed: 1)"#,
        csv: true,
    },
    // The same with `NextTwo`: a send_all goes to (i + 1) and (i + 2) only. Rate-1 machines
    // still fall behind (their two senders tick at 6 and 5 per second), far less steeply.
    Workload {
        name: "ring100_next_two",
        ron: r#"(machines: 100, rates: Cycle([1, 2, 3, 4, 5, 6]), duration: "100m", seed: 1,
                 send_all_targets: NextTwo)"#,
        csv: true,
    },
    // 10,000 machines for 1 simulated minute: where the tick queue matters most. No CSV
    // mode: creating 10,000 log files per iteration is dominated by the file system (ext4
    // inode allocation after the previous iteration's deletes), not by lamport-sim, and
    // varies several-fold from run to run; see docs/benchmarks.md.
    Workload {
        name: "ring10000_next_two",
        ron: r#"(machines: 10000, rates: Cycle([1, 2, 3, 4, 5, 6]), duration: "1m", seed: 1,
                 send_all_targets: NextTwo)"#,
        csv: false,
    },
];

fn resolve(workload: &Workload) -> Resolved {
    let scenario = Scenario::from_ron_str(workload.ron, workload.name).expect("benchmark scenarios are valid");
    scenario
        .resolve(Fresh { seed: 1, start_time: StartTime::SEEDED_DEFAULT }, workload.name)
        .expect("benchmark scenarios resolve")
}

/// Statistics-only run (as `run_summary`, on a chosen tick queue).
fn run_stats_only<Q: TickQueue>(scenario: &Resolved) -> (Simulation<Q>, SummarySink) {
    let mut sim = Simulation::<Q>::with_queue(scenario);
    let mut stats = SummarySink::new(scenario);
    sim.run(&mut stats).expect("in-memory sinks cannot fail");
    (sim, stats)
}

/// The fingerprint of a statistics-only run on tick queue `Q`.
fn fingerprint_on<Q: TickQueue>(scenario: &Resolved) -> String {
    run_stats_only::<Q>(scenario).1.summary().expect("the run ended").fingerprint
}

/// Run with per-machine CSV logs in `dir`, plus statistics and fingerprint (as
/// `run_to_dir` with logs). Returns the event count.
fn run_csv_logs<Q: TickQueue>(scenario: &Resolved, dir: &Path) -> u64 {
    let mut sim = Simulation::<Q>::with_queue(scenario);
    let mut stats = SummarySink::new(scenario);
    let mut csv = CsvLogs::create(dir, scenario.machines.len(), scenario.start_time).expect("create logs");
    sim.run(&mut (&mut csv, &mut stats)).expect("write logs");
    csv.finish().expect("finish logs");
    black_box(&stats);
    sim.events()
}

fn bench_stats_only<Q: TickQueue>(group: &mut BenchmarkGroup<'_, WallTime>, queue: &str, scenario: &Resolved) {
    group.bench_function(format!("stats_only/{queue}"), |b| {
        b.iter(|| {
            let (sim, stats) = run_stats_only::<Q>(black_box(scenario));
            black_box(&stats);
            sim.events()
        })
    });
}

fn bench_csv_logs<Q: TickQueue>(group: &mut BenchmarkGroup<'_, WallTime>, queue: &str, scenario: &Resolved) {
    group.bench_function(format!("csv_logs/{queue}"), |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("temporary directory"),
            |dir| {
                run_csv_logs::<Q>(black_box(scenario), dir.path());
                dir // deleted after the timed part
            },
            BatchSize::PerIteration,
        )
    });
}

/// Measurement window for runs of about `run` each: room for 10 samples of about 2 runs,
/// and at least 3 s.
fn window(run: Duration) -> Duration {
    (run * 20).max(Duration::from_secs(3))
}

fn engine(c: &mut Criterion) {
    for workload in WORKLOADS {
        let scenario = resolve(workload);

        // Count the events once, check both queues agree, and time one run to size the
        // measurement window.
        let started = Instant::now();
        let (sim, stats) = run_stats_only::<HeapTickQueue>(&scenario);
        let one_run = started.elapsed();
        let events = sim.events();
        let summary = stats.summary().expect("the run ended");
        let indexed_fp = fingerprint_on::<IndexedTickQueue>(&scenario);
        let auto_fp = fingerprint_on::<AutoTickQueue>(&scenario);
        assert_eq!(summary.fingerprint, indexed_fp, "{}: the heap and indexed queues disagree", workload.name);
        assert_eq!(summary.fingerprint, auto_fp, "{}: the heap and auto queues disagree", workload.name);
        let scans = scenario.machines.len() <= SCAN_MAX_MACHINES;
        let o = &summary.overall;
        eprintln!(
            "{}: {} machines, {} events ({} send, {} receive, {} internal), {} messages sent, \
             {} queued at end, max queue {}, fingerprint {}",
            workload.name,
            o.machines,
            o.events.total,
            o.events.send,
            o.events.receive,
            o.events.internal,
            o.messages_sent,
            o.queued_at_end,
            o.max_queue_len,
            summary.fingerprint,
        );
        drop((sim, stats));

        let mut group = c.benchmark_group(workload.name);
        group.throughput(Throughput::Elements(events));
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        group.warm_up_time(Duration::from_secs(1));
        // Ten samples of a few runs each (the indexed queue is up to ~3x slower than the
        // heap run timed above, hence the margin).
        group.measurement_time(window(one_run * 3));
        if scans {
            bench_stats_only::<AutoTickQueue>(&mut group, "auto", &scenario);
        }
        bench_stats_only::<HeapTickQueue>(&mut group, "heap", &scenario);
        bench_stats_only::<IndexedTickQueue>(&mut group, "indexed", &scenario);
        if workload.csv {
            let dir = tempfile::tempdir().expect("temporary directory");
            let started = Instant::now();
            assert_eq!(run_csv_logs::<HeapTickQueue>(&scenario, dir.path()), events);
            let one_csv_run = started.elapsed();
            drop(dir);
            group.measurement_time(window(one_csv_run * 3 / 2));
            if scans {
                bench_csv_logs::<AutoTickQueue>(&mut group, "auto", &scenario);
            }
            bench_csv_logs::<HeapTickQueue>(&mut group, "heap", &scenario);
            bench_csv_logs::<IndexedTickQueue>(&mut group, "indexed", &scenario);
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = engine
}
criterion_main!(benches);
