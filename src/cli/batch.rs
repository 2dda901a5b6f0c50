//! `batch` and `merge`, and the progress display a batch reports to.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use lamport_sim::{run_batch, BatchOptions, RunDone, Sweep};

use super::output::{count, Terminal};
use super::{origin, BatchArgs, MergeArgs, STDIN};

pub(super) fn batch_command(args: BatchArgs, term: Terminal) -> anyhow::Result<ExitCode> {
    let sweep = if args.sweep == Path::new(STDIN) {
        Sweep::read_from(io::stdin().lock(), &origin(&args.sweep))?
    } else {
        Sweep::load(&args.sweep)?
    };
    let started = Instant::now(); // wall time for the user's information only
    let progress = Progress::new(!term.quiet, lamport_sim::planned_runs(&sweep, args.shard));
    let on_run_done = |done: RunDone| progress.done(done);
    let options =
        BatchOptions { threads: args.threads, shard: args.shard, logs: args.logs, on_run_done: Some(&on_run_done) };
    let report = run_batch(&sweep, &args.out, args.force, options);
    progress.finish();
    let report = report?;
    let seconds = started.elapsed().as_secs_f64();
    term.note(format_args!("{seconds:.2} s, {:.1}M events/s", report.events as f64 / seconds.max(1e-9) / 1e6));
    term.result(ExitCode::SUCCESS, |out| {
        writeln!(
            out,
            "batch: {}, {:.0} simulated minutes, {} into {}",
            count(report.runs as u64, "run"),
            report.simulated_minutes,
            count(report.events, "event"),
            args.out.display()
        )?;
        if report.disagreements > 0 {
            writeln!(
                out,
                "note: in {} a machine's queue growth differs from the analytical prediction \
                 (prediction_agrees = false in runs.csv)",
                count(report.disagreements as u64, "run")
            )?;
        }
        if report.stopped > 0 {
            writeln!(
                out,
                "note: {} stopped early: a queue reached the scenario's queue_limit (completed = false in runs.csv; \
                 aggregates cover the {} completed)",
                count(report.stopped as u64, "run"),
                count((report.runs - report.stopped) as u64, "run")
            )?;
        }
        Ok(())
    })
}

pub(super) fn merge_command(args: MergeArgs, term: Terminal) -> anyhow::Result<ExitCode> {
    let runs = lamport_sim::merge(&args.shards, &args.out, args.force)?;
    term.result(ExitCode::SUCCESS, |out| {
        writeln!(
            out,
            "merged {} from {} into {}",
            count(runs as u64, "run"),
            count(args.shards.len() as u64, "shard folder"),
            args.out.display()
        )
    })
}

/// Progress on stderr: a bar on a terminal, a plain line every 10 % otherwise, nothing with
/// `--quiet`. Fed by the batch's callback from its worker threads.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    done: AtomicU64,
    events: AtomicU64,
    minutes_milli: AtomicU64,
    started: Instant,
    last_line: Mutex<u64>,
}

impl Progress {
    fn new(enabled: bool, runs: usize) -> Self {
        let terminal = io::stderr().is_terminal();
        let bar = (enabled && terminal).then(|| {
            let bar = indicatif::ProgressBar::new(runs as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} runs  {msg}  ETA {eta}")
                    .expect("valid template"),
            );
            bar
        });
        Progress {
            bar,
            plain: enabled && !terminal,
            done: AtomicU64::new(0),
            events: AtomicU64::new(0),
            minutes_milli: AtomicU64::new(0),
            started: Instant::now(),
            last_line: Mutex::new(0),
        }
    }

    fn done(&self, run: RunDone) {
        let total = run.runs_total as u64;
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let events = self.events.fetch_add(run.events, Ordering::Relaxed) + run.events;
        let minutes = (self.minutes_milli.fetch_add((run.simulated_minutes * 1000.0) as u64, Ordering::Relaxed) as f64)
            / 1000.0
            + run.simulated_minutes;
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let msg = format!("{minutes:.0} simulated min, {:.1}M events/s", events as f64 / secs / 1e6);
        if let Some(bar) = &self.bar {
            bar.set_message(msg);
            bar.inc(1);
        } else if self.plain {
            let tenth = done * 10 / total.max(1);
            let mut last = self.last_line.lock().expect("progress lock");
            if tenth > *last || done == total {
                *last = tenth;
                let eta = secs / done as f64 * (total - done) as f64;
                eprintln!("batch: {done}/{total} runs, {msg}, ETA {eta:.0}s");
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
