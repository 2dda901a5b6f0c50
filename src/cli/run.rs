//! `run` and `replay`: resolve a scenario, run it into a folder, print its summary.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use lamport_sim::{
    run_summary, run_to_dir, Fresh, NullSink, Phase, Rates, Resolved, RunDir, RunOutcome, Scenario, StartTime, Summary,
    SCENARIO_FILE,
};

use super::json::{Determinism, RunDocument, SCHEMA_VERSION};
use super::output::{count, Table, Terminal};
use super::signals::stop_flag;
use super::{load_scenario, origin, program_name, shell_quote, OutputArgs, ReplayArgs, RunArgs};

pub(super) fn run_command(args: RunArgs, term: Terminal) -> anyhow::Result<ExitCode> {
    let (mut scenario, origin) = match &args.scenario {
        Some(path) => (load_scenario(path)?, origin(path)),
        None => (Scenario::default(), "the classic scenario".to_string()),
    };
    apply_overrides(&mut scenario, &args)?;
    let resolved = scenario.resolve(fresh(), &origin)?;
    execute("run", &resolved, &args.output, term)
}

pub(super) fn replay_command(args: ReplayArgs, term: Terminal) -> anyhow::Result<ExitCode> {
    let path = if args.source.is_dir() { args.source.join(SCENARIO_FILE) } else { args.source.clone() };
    let scenario = load_scenario(&path)?;
    if scenario.seed.is_none() {
        bail!(
            "{}: has no seed, so it is not a resolved scenario; replay takes the scenario.ron of a run \
             (to run this file with a fresh seed: lamport-sim run {})",
            origin(&path),
            shell_quote(&path)
        );
    }
    let resolved = scenario.resolve(fresh(), &origin(&path))?;
    let mut output = args.output;
    // A run folder made with --stats-only is replayed the same way, so the copy is
    // byte-identical; its logs are one `run` of its scenario.ron away.
    let source_has_no_logs = args.source.is_dir() && lamport_sim::log_ids(&args.source).is_ok_and(|ids| ids.is_empty());
    if source_has_no_logs && !output.stats_only {
        output.stats_only = true;
        term.note(format_args!(
            "note: {} has no logs (a --stats-only run), so neither has its replay; for its logs: {} run {} --out DIR",
            args.source.display(),
            shell_quote(&program_name()),
            shell_quote(&path)
        ));
    }
    execute("replay", &resolved, &output, term)
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
fn execute(
    command: &'static str,
    resolved: &Resolved,
    output: &OutputArgs,
    term: Terminal,
) -> anyhow::Result<ExitCode> {
    let dir = match &output.out {
        Some(path) => RunDir::create(path, output.force)?,
        None => {
            let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
            RunDir::create_unique(Path::new("runs"), &format!("{stamp}-seed{}", resolved.seed))?
        }
    };
    let stop = stop_flag();
    let started = std::time::Instant::now(); // wall time for the user's information only
    let outcome =
        run_to_dir(resolved, &dir, !output.stats_only, &stop, &mut NullSink).with_context(|| failed_run(dir.path()))?;
    let elapsed = started.elapsed();
    let summary = match outcome {
        RunOutcome::Complete(summary) => summary,
        RunOutcome::Interrupted { at, events } => {
            // Not a note: the run did not do what was asked, so even --quiet says so.
            eprintln!(
                "interrupted at simulated time {at}s after {}; {} holds the logs so far and is marked INCOMPLETE",
                count(events, "event"),
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
        Some(run_summary(&again)?)
    } else {
        None
    };
    let deterministic = again.as_ref().is_none_or(|second| second == &*summary);
    let code = if deterministic { ExitCode::SUCCESS } else { ExitCode::from(1) };
    term.note(format_args!(
        "simulated {} in {:.1} ms",
        count(summary.overall.events.total, "event"),
        elapsed.as_secs_f64() * 1e3
    ));
    if output.json {
        let document = RunDocument {
            schema_version: SCHEMA_VERSION,
            command,
            run_dir: dir.path().display().to_string(),
            logs: !output.stats_only,
            start_time: resolved.start_time.to_string(),
            summary: &summary,
            determinism: again.as_ref().map(|second| Determinism {
                passed: deterministic,
                first_fingerprint: summary.fingerprint.clone(),
                second_fingerprint: second.fingerprint.clone(),
            }),
        };
        return term.json(code, &document);
    }
    term.result(code, |out| {
        print_summary(out, resolved, &summary, dir.path(), !output.stats_only)?;
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
    let flooded: Vec<_> =
        lamport_sim::predict(r).into_iter().zip(&s.machines).filter(|(p, _)| p.queue_growth_per_min >= 1.0).collect();
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
    let marked = dir.join(lamport_sim::INCOMPLETE_FILE).exists();
    let state = if marked { "is marked INCOMPLETE" } else { "could not be marked INCOMPLETE either" };
    format!("run in {} failed and {state}", dir.display())
}

fn print_summary(out: &mut impl Write, r: &Resolved, s: &Summary, dir: &Path, logs: bool) -> io::Result<()> {
    writeln!(
        out,
        "lamport-sim: {}, {} simulated, seed {}, start {}",
        count(r.machines.len() as u64, "machine"),
        r.duration.human(),
        r.seed,
        r.start_time
    )?;
    writeln!(out)?;
    let mut table = Table::new(&[
        "machine",
        "rate",
        "ticks",
        "send",
        "receive",
        "internal",
        "final_clock",
        "max_jump",
        "max_queue",
    ]);
    const MAX_ROWS: usize = 20;
    for m in s.machines.iter().take(MAX_ROWS) {
        table.row(
            [
                m.id.into(),
                m.rate.into(),
                m.ticks,
                m.events.send,
                m.events.receive,
                m.events.internal,
                m.final_clock,
                m.max_clock_jump,
                m.max_queue_len,
            ]
            .iter()
            .map(u64::to_string)
            .collect(),
        );
    }
    let o = &s.overall;
    let mut all = vec!["all".to_string(), String::new()];
    all.extend(
        [
            o.ticks,
            o.events.send,
            o.events.receive,
            o.events.internal,
            o.max_final_clock,
            o.max_clock_jump,
            o.max_queue_len,
        ]
        .iter()
        .map(u64::to_string),
    );
    table.row(all);
    write!(out, "{table}")?;
    if s.machines.len() > MAX_ROWS {
        let more = count((s.machines.len() - MAX_ROWS) as u64, "more machine");
        writeln!(out, "(the first {MAX_ROWS} machines and all of them; {more} in summary.json)")?;
    }
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
        std::fs::write(dir.path().join(lamport_sim::INCOMPLETE_FILE), "").unwrap();
        assert!(failed_run(dir.path()).ends_with("failed and is marked INCOMPLETE"));
    }
}
