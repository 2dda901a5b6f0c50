//! The command line: argument types (clap) and the `run` and `replay` commands. The binary
//! is a thin wrapper, so tests can call [`run`] without spawning a process.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};

use crate::rundir::{RunDir, SCENARIO_FILE};
use crate::runner::{run_stats_only, run_to_dir, RunOutcome};
use crate::scenario::{Fresh, MachineCount, Phase, Rate, Rates, Resolved, Scenario, StartTime};
use crate::summary::Summary;
use crate::time::SimDuration;

const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    a check failed (check found a violation; run --check-determinism found two different runs)
  2    bad input or usage, or an I/O error (nothing is left that looks like a complete run)
  130  interrupted by Ctrl-C (the run directory is marked INCOMPLETE)";

/// Deterministic virtual-time simulator of the "scale models and logical clocks" experiment.
#[derive(Debug, Parser)]
#[command(name = "lamport-sim", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario (with no arguments: the classic experiment) into a new run directory.
    Run(RunArgs),
    /// Re-run a resolved scenario (a run's scenario.ron or its folder), byte for byte.
    Replay(ReplayArgs),
    /// Verify the Lamport clock rules and the model's invariants on a run's logs
    /// (exit 1 if a rule is broken).
    Check(CheckArgs),
    /// Show the first event where two runs part, and its causal past (exit 1 if they differ).
    Diff(DiffArgs),
    /// Run every grid point x seed of a sweep file, statistics only, on all cores.
    Batch(BatchArgs),
    /// Merge the folders of a sharded batch into one (the same bytes as an unsharded run).
    Merge(MergeArgs),
}

/// Arguments of `batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Sweep file (RON): base scenario, grid, seeds, duration.
    #[arg(value_name = "SWEEP.ron")]
    pub sweep: PathBuf,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace the batch in an existing, non-empty --out folder.
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: all cores). The output is the same for any number.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Run only shard K of N (1-based), for spreading a sweep over machines; combine the
    /// shard folders with `merge`.
    #[arg(long, value_parser = parse_shard, value_name = "K/N")]
    pub shard: Option<(usize, usize)>,
    /// No progress on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Also write every run's per-event logs, as run folders under DIR/runs/.
    #[arg(long)]
    pub logs: bool,
}

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `batch --shard K/N` (all N of them).
    #[arg(value_name = "DIR", required = true)]
    pub shards: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace the batch in an existing, non-empty --out folder.
    #[arg(long)]
    pub force: bool,
}

fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("expected K/N with 1 <= K <= N, like 2/8, got {text:?}");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first run folder.
    #[arg(value_name = "RUN_A")]
    pub a: PathBuf,
    /// The second run folder.
    #[arg(value_name = "RUN_B")]
    pub b: PathBuf,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A run folder: `machine-<id>.csv` logs, with scenario.ron and summary.json if present.
    #[arg(value_name = "RUN_DIR")]
    pub run_dir: PathBuf,
    /// Show at most this many violations (all are counted).
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub max_violations: usize,
}

/// Where a run is written.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Run directory to write (default: a new folder under ./runs/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace the run in an existing, non-empty --out directory.
    #[arg(long)]
    pub force: bool,
    /// Write scenario.ron and summary.json but no per-event logs.
    #[arg(long)]
    pub stats_only: bool,
    /// After the run, run the scenario.ron it wrote again and compare the two runs
    /// (exit 1 if they differ).
    #[arg(long)]
    pub check_determinism: bool,
}

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario file (RON). Without it: the classic experiment.
    #[arg(value_name = "SCENARIO.ron")]
    pub scenario: Option<PathBuf>,
    /// Seed of every random stream (default: the scenario's, else a fresh one).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of machines.
    #[arg(long, value_parser = parse_machines)]
    pub machines: Option<MachineCount>,
    /// Clock rates: one per machine (`1,3,6`) or a range to draw from (`4-6`).
    #[arg(long, value_parser = parse_rates, value_name = "LIST|MIN-MAX")]
    pub rates: Option<Rates>,
    /// Simulated length: seconds (`60`) or with a unit (`90s`, `10m`, `1.5h`).
    #[arg(long, value_parser = parse_duration, value_name = "SECS", allow_negative_numbers = true)]
    pub duration: Option<SimDuration>,
    /// The system_time of simulated time zero, `"YYYY-MM-DD HH:MM:SS[.ffffff]"`.
    #[arg(long, value_parser = parse_start_time, value_name = "TIME")]
    pub start_time: Option<StartTime>,
    /// Where and how to write the run.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Arguments of `replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// A resolved scenario.ron, or a run directory holding one.
    #[arg(value_name = "SCENARIO.ron|RUN_DIR")]
    pub source: PathBuf,
    /// Where and how to write the run.
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_machines(text: &str) -> Result<MachineCount, String> {
    let n: u32 = text.trim().parse().map_err(|_| format!("expected a whole number of machines, got {text:?}"))?;
    MachineCount::try_from(n)
}

fn parse_rate(text: &str) -> Result<Rate, String> {
    let n: u32 =
        text.trim().parse().map_err(|_| format!("expected a whole number of ticks per second, got {text:?}"))?;
    Rate::try_from(n)
}

fn parse_rates(text: &str) -> Result<Rates, String> {
    if let Some((min, max)) = text.split_once('-') {
        let (min, max) = (parse_rate(min)?, parse_rate(max)?);
        if min > max {
            return Err(format!("rate range {text:?} has min above max"));
        }
        return Ok(Rates::Range { min, max });
    }
    text.split(',').map(parse_rate).collect::<Result<Vec<_>, _>>().map(Rates::Each)
}

fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let with_unit = if text.trim().bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        format!("{text}s")
    } else {
        text.to_string()
    };
    let d: SimDuration = with_unit.parse().map_err(|e: crate::time::DurationParseError| e.to_string())?;
    if d == SimDuration::ZERO {
        return Err("the duration must be longer than 0s".into());
    }
    Ok(d)
}

fn parse_start_time(text: &str) -> Result<StartTime, String> {
    StartTime::try_from(text.to_string())
}

/// Whether an error is stdout's reader going away (`| head`), which is not a failure.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

/// Prints a verdict with `print` and returns its exit code `code`. A reader that leaves
/// early (`lamport-sim check DIR | head`) ends the printing quietly but must not turn a
/// failed check into exit 0: under `set -o pipefail` that would pass off a violation.
fn verdict(
    code: ExitCode,
    print: impl FnOnce(&mut io::StdoutLock<'static>) -> io::Result<()>,
) -> anyhow::Result<ExitCode> {
    match print(&mut io::stdout().lock()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(code),
        Err(e) => Err(e.into()),
        Ok(()) => Ok(code),
    }
}

/// Runs a parsed command line. Errors are bad input or I/O (exit code 2).
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run_command(args),
        Command::Replay(args) => replay_command(args),
        Command::Check(args) => check_command(args),
        Command::Diff(args) => diff_command(args),
        Command::Batch(args) => batch_command(args),
        Command::Merge(args) => {
            let runs = crate::batch::merge(&args.shards, &args.out, args.force)?;
            writeln!(
                io::stdout().lock(),
                "merged {runs} runs from {} shard folder(s) into {}",
                args.shards.len(),
                args.out.display()
            )?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn batch_command(args: BatchArgs) -> anyhow::Result<ExitCode> {
    let sweep = crate::sweep::Sweep::load(&args.sweep)?;
    let options =
        crate::batch::BatchOptions { threads: args.threads, shard: args.shard, progress: !args.quiet, logs: args.logs };
    let report = crate::batch::run_batch(&sweep, &args.out, args.force, options)?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "batch: {} runs, {:.0} simulated minutes, {} events into {}",
        report.runs,
        report.simulated_minutes,
        report.events,
        args.out.display()
    )?;
    if report.disagreements > 0 {
        writeln!(
            out,
            "note: in {} run(s) a machine's queue growth differs from the analytical prediction (prediction_agrees = false in runs.csv)",
            report.disagreements
        )?;
    }
    if report.stopped > 0 {
        writeln!(
            out,
            "note: {} run(s) stopped early: a queue reached the scenario's queue_limit (completed = false in runs.csv; \
             aggregates cover the {} completed run(s))",
            report.stopped,
            report.runs - report.stopped
        )?;
    }
    eprintln!("{:.2} s, {:.1}M events/s", report.seconds, report.events as f64 / report.seconds.max(1e-9) / 1e6);
    Ok(ExitCode::SUCCESS)
}

fn diff_command(args: DiffArgs) -> anyhow::Result<ExitCode> {
    use crate::diff::{diff_dirs, DiffOutcome};
    let d = match diff_dirs(&args.a, &args.b)? {
        DiffOutcome::Identical { events } => {
            return verdict(ExitCode::SUCCESS, |out| {
                writeln!(out, "identical: the same {events} events in both runs (system_time not compared)")
            });
        }
        DiffOutcome::Differ(d) => d,
    };
    verdict(ExitCode::from(1), |out| print_divergence(out, &args, &d))
}

fn print_divergence(out: &mut impl Write, args: &DiffArgs, d: &crate::diff::Divergence) -> io::Result<()> {
    use crate::diff::scenario_differences;
    writeln!(out, "the runs part after {} common events (events in time order, ties by machine id):", d.common_events)?;
    for (label, run, row) in [("A", &args.a, &d.a), ("B", &args.b, &d.b)] {
        match row {
            Some(r) => writeln!(out, "  {label} {}:{}: {}", r.file, r.row.line, r.row)?,
            None => writeln!(out, "  {label} {}: no more events", run.display())?,
        }
    }
    if let Some(past) = &d.past {
        let whose = if d.a.is_some() { "A" } else { "B" };
        let total: u64 = past.per_machine.iter().map(|(n, _)| n).sum();
        writeln!(out, "causal past of {whose}'s event: {total} events happen-before it")?;
        for (id, (count, line)) in past.per_machine.iter().enumerate() {
            if let Some(line) = line {
                writeln!(out, "  machine {id}: its first {count} events (lines 2..={line})")?;
            }
        }
        if !past.causes.is_empty() {
            writeln!(out, "direct causes:")?;
            for c in &past.causes {
                writeln!(out, "  {}:{}: {}", c.file, c.row.line, c.row)?;
            }
        }
    }
    let differences = scenario_differences(&args.a, &args.b);
    if !differences.is_empty() {
        writeln!(out, "scenario.ron differs:")?;
        for (x, y) in differences.iter().take(10) {
            writeln!(out, "  A: {x}\n  B: {y}")?;
        }
    }
    Ok(())
}

fn check_command(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let report = crate::check::check_dir(&args.run_dir, args.max_violations)?;
    let code = if report.passed() { ExitCode::SUCCESS } else { ExitCode::from(1) };
    verdict(code, |out| print_check_report(out, &args.run_dir, &report))
}

fn print_check_report(out: &mut impl Write, run_dir: &Path, report: &crate::check::Report) -> io::Result<()> {
    writeln!(
        out,
        "check {}: {} machines, {} events ({} SEND, {} RECEIVE, {} INTERNAL), {} messages ({} not received by the end)",
        run_dir.display(),
        report.machines,
        report.events(),
        report.sends,
        report.receives,
        report.internals,
        report.messages,
        report.unreceived
    )?;
    for check in &report.checks {
        writeln!(out, "  checked: {check}")?;
    }
    for note in &report.notes {
        writeln!(out, "  note: {note}")?;
    }
    if report.passed() {
        return writeln!(out, "ok: no violation");
    }
    for v in &report.violations {
        writeln!(out, "{v}")?;
    }
    let shown = report.violations.len() as u64;
    let more = if report.violation_count > shown { format!(" (first {shown} shown)") } else { String::new() };
    writeln!(out, "FAILED: {} violation(s){more}", report.violation_count)
}

fn run_command(args: RunArgs) -> anyhow::Result<ExitCode> {
    let (mut scenario, origin) = match &args.scenario {
        Some(path) => (Scenario::load(path)?, path.display().to_string()),
        None => (Scenario::default(), "the classic scenario".to_string()),
    };
    apply_overrides(&mut scenario, &args)?;
    let resolved = scenario.resolve(fresh(), &origin)?;
    execute(&resolved, &args.output)
}

fn replay_command(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let path = if args.source.is_dir() { args.source.join(SCENARIO_FILE) } else { args.source.clone() };
    let scenario = Scenario::load(&path)?;
    if scenario.seed.is_none() {
        bail!(
            "{}: has no seed, so it is not a resolved scenario; replay takes the scenario.ron of a run \
             (to run this file with a fresh seed: lamport-sim run {})",
            path.display(),
            shell_quote(&path)
        );
    }
    let resolved = scenario.resolve(fresh(), &path.display().to_string())?;
    let mut output = args.output;
    // A run folder made with --stats-only is replayed the same way, so the copy is
    // byte-identical; its logs are one `run` of its scenario.ron away.
    let source_has_no_logs =
        args.source.is_dir() && crate::rundir::log_ids(&args.source).is_ok_and(|ids| ids.is_empty());
    if source_has_no_logs && !output.stats_only {
        output.stats_only = true;
        eprintln!(
            "note: {} has no logs (a --stats-only run), so neither has its replay; for its logs: {} run {} --out DIR",
            args.source.display(),
            shell_quote(&program_name()),
            shell_quote(&path)
        );
    }
    execute(&resolved, &output)
}

/// What fills in whatever a scenario leaves open: a fresh seed and the wall clock.
fn fresh() -> Fresh {
    let now = chrono::Local::now().naive_local();
    Fresh { seed: u64::from(rand::random::<u32>()), start_time: StartTime::from_naive(now) }
}

fn apply_overrides(scenario: &mut Scenario, args: &RunArgs) -> anyhow::Result<()> {
    if let Some(seed) = args.seed {
        scenario.seed = Some(seed);
    }
    if let Some(d) = args.duration {
        scenario.duration = d;
    }
    if let Some(t) = args.start_time {
        scenario.start_time = Some(t);
    }
    if let Some(rates) = &args.rates {
        scenario.rates = match (rates, args.machines) {
            // `--machines 300 --rates 6`: every machine at 6.
            (Rates::Each(list), Some(_)) if list.len() == 1 => Rates::Cycle(list.clone()),
            _ => rates.clone(),
        };
        if matches!(rates, Rates::Each(_)) && args.machines.is_none() {
            scenario.machines = None; // the list sets the count
        }
    }
    if let Some(n) = args.machines {
        scenario.machines = Some(n);
        if let (Rates::Each(list), None) = (&scenario.rates, &args.rates) {
            if list.len() != n.get() as usize {
                bail!(
                    "--machines {} does not fit the scenario's list of {} rates; give --rates too (a list of {} rates, or a range like 1-6)",
                    n.get(),
                    list.len(),
                    n.get()
                );
            }
        }
    }
    if args.machines.is_some() || args.rates.is_some() {
        if let Phase::Explicit(list) = &scenario.phase {
            if list.len() != scenario.machine_count() as usize {
                scenario.phase = Phase::Random; // explicit phases were for the old machines
            }
        }
    }
    Ok(())
}

/// Runs `resolved` into the chosen directory and reports it on stdout.
fn execute(resolved: &Resolved, output: &OutputArgs) -> anyhow::Result<ExitCode> {
    let dir = match &output.out {
        Some(path) => RunDir::create(path, output.force)?,
        None => {
            let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
            RunDir::create_unique(Path::new("runs"), &format!("{stamp}-seed{}", resolved.seed))?
        }
    };
    let stop = stop_flag();
    let started = std::time::Instant::now(); // wall time for the user's information only
    let outcome = run_to_dir(resolved, &dir, !output.stats_only, &stop).with_context(|| failed_run(dir.path()))?;
    let elapsed = started.elapsed();
    let summary = match outcome {
        RunOutcome::Complete(summary) => summary,
        RunOutcome::Interrupted { at, events } => {
            eprintln!(
                "interrupted at simulated time {at}s after {events} events; {} holds the logs so far and is marked INCOMPLETE",
                dir.path().display()
            );
            return Ok(ExitCode::from(130));
        }
    };
    // The determinism check runs before anything is printed, so a reader that leaves early
    // (`| head`) cannot skip it or hide its verdict.
    let again = if output.check_determinism {
        // Re-read the written scenario.ron, so the check covers the file a replay would use.
        let again = Scenario::load(&dir.path().join(SCENARIO_FILE))?.resolve(fresh(), "scenario.ron")?;
        Some(run_stats_only(&again)?)
    } else {
        None
    };
    let deterministic = again.as_ref().is_none_or(|second| second == &*summary);
    let code = if deterministic { ExitCode::SUCCESS } else { ExitCode::from(1) };
    verdict(code, |out| {
        print_summary(out, resolved, &summary, dir.path(), !output.stats_only)?;
        eprintln!("simulated {} events in {:.1} ms", summary.overall.events.total, elapsed.as_secs_f64() * 1e3);
        match &again {
            None => Ok(()),
            Some(second) if deterministic => writeln!(
                out,
                "determinism check passed: the replayed scenario.ron gave fingerprint {} again",
                second.fingerprint
            ),
            Some(second) => writeln!(
                out,
                "determinism check FAILED: fingerprint {} then {} (or other summary figures differ)",
                summary.fingerprint, second.fingerprint
            ),
        }
    })
}

/// A note for each machine whose queue the analytical model says grows without bound
/// (`crate::predict`), with what the run measured: the notebook's "the slow machine's
/// queue keeps growing", said where the user looks.
fn print_flooded_queues(out: &mut impl Write, r: &Resolved, s: &Summary) -> io::Result<()> {
    const MAX_NOTES: usize = 5;
    // The model iterates over every machine a few thousand times: about 1 s for 100,000
    // machines, longer than such a run itself. Large runs are for `batch` and summary.json.
    const MAX_MACHINES: usize = 1000;
    if r.machines.len() > MAX_MACHINES {
        return Ok(());
    }
    let flooded: Vec<_> = crate::predict::predict(r)
        .into_iter()
        .zip(&s.machines)
        .filter(|(p, _)| p.queue_growth_per_min >= 1.0)
        .collect();
    for (p, m) in flooded.iter().take(MAX_NOTES) {
        writeln!(
            out,
            "note:     machine {}'s queue grows: messages arrive at {:.2}/s and it takes one per tick at {}/s \
             (model: +{:.1} per simulated minute); it held {} at the end ({:.1} per minute)",
            m.id, p.arrival_rate, m.rate, p.queue_growth_per_min, m.queued_at_end, m.queue_growth_per_min
        )?;
    }
    if flooded.len() > MAX_NOTES {
        writeln!(out, "note:     and {} more machines' queues grow (summary.json)", flooded.len() - MAX_NOTES)?;
    }
    Ok(())
}

/// What became of the folder of a run that failed: marked `INCOMPLETE`, or (an unwritable
/// folder, a full disk) not even that.
fn failed_run(dir: &Path) -> String {
    let marked = dir.join(crate::rundir::INCOMPLETE_FILE).exists();
    let state = if marked { "is marked INCOMPLETE" } else { "could not be marked INCOMPLETE either" };
    format!("run in {} failed and {state}", dir.display())
}

/// A flag set by Ctrl-C (installed once per process).
fn stop_flag() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let setter = Arc::clone(&flag);
        // If a handler cannot be installed (another one exists), Ctrl-C just ends the
        // process, which leaves the run without summary.json: still not "complete".
        let _ = ctrlc::set_handler(move || setter.store(true, Ordering::Relaxed));
        flag
    })
    .clone()
}

/// This program as it was invoked (`lamport-sim` when installed, `target/release/lamport-sim`
/// under `cargo run`), so the printed replay command runs as shown from the same directory.
fn program_name() -> PathBuf {
    std::env::args_os().next().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("lamport-sim"))
}

/// Quotes a path for a POSIX shell when it needs it.
fn shell_quote(path: &Path) -> String {
    let s = path.display().to_string();
    if s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-+=:".contains(&b)) {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn print_summary(out: &mut impl Write, r: &Resolved, s: &Summary, dir: &Path, logs: bool) -> io::Result<()> {
    writeln!(
        out,
        "lamport-sim: {} machines, {} simulated, seed {}, start {}",
        r.machines.len(),
        r.duration,
        r.seed,
        r.start_time
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:>7} {:>5} {:>8} {:>8} {:>8} {:>9} {:>11} {:>9} {:>9}",
        "machine", "rate", "ticks", "send", "receive", "internal", "final_clock", "max_jump", "max_queue"
    )?;
    const MAX_ROWS: usize = 20;
    for m in s.machines.iter().take(MAX_ROWS) {
        writeln!(
            out,
            "{:>7} {:>5} {:>8} {:>8} {:>8} {:>9} {:>11} {:>9} {:>9}",
            m.id,
            m.rate,
            m.ticks,
            m.events.send,
            m.events.receive,
            m.events.internal,
            m.final_clock,
            m.max_clock_jump,
            m.max_queue_len
        )?;
    }
    if s.machines.len() > MAX_ROWS {
        writeln!(out, "{:>7} (and {} more machines: see summary.json)", "...", s.machines.len() - MAX_ROWS)?;
    }
    let o = &s.overall;
    writeln!(
        out,
        "{:>7} {:>5} {:>8} {:>8} {:>8} {:>9} {:>11} {:>9} {:>9}",
        "all",
        "",
        o.ticks,
        o.events.send,
        o.events.receive,
        o.events.internal,
        o.max_final_clock,
        o.max_clock_jump,
        o.max_queue_len
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "messages: {} sent, {} received, {} still queued, {} in flight; fingerprint {}",
        o.messages_sent, o.messages_received, o.queued_at_end, o.in_flight_at_end, s.fingerprint
    )?;
    print_flooded_queues(out, r, s)?;
    let what =
        if logs { "logs, scenario.ron, summary.json" } else { "scenario.ron, summary.json (no logs: --stats-only)" };
    writeln!(out, "run:      {} ({what})", dir.display())?;
    let replay_dir = PathBuf::from(format!("{}-replay", dir.display()));
    writeln!(
        out,
        "replay:   {} replay {} --out {}",
        shell_quote(&program_name()),
        shell_quote(dir),
        shell_quote(&replay_dir)
    )?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unwritable folder cannot take the INCOMPLETE mark either; the message must not
    /// claim it does.
    #[test]
    fn a_failed_run_says_whether_its_folder_is_marked() {
        let dir = tempfile::tempdir().unwrap();
        assert!(failed_run(dir.path()).ends_with("failed and could not be marked INCOMPLETE either"));
        std::fs::write(dir.path().join(crate::rundir::INCOMPLETE_FILE), "").unwrap();
        assert!(failed_run(dir.path()).ends_with("failed and is marked INCOMPLETE"));
    }
}
