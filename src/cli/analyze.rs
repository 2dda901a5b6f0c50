//! `check` and `diff`: run the analysis and print its verdict, as text or JSON.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use lamport_sim::{CheckReport, DiffOutcome, Divergence};

use super::json::{CheckDocument, DiffDocument};
use super::output::{count, Terminal};
use super::{CheckArgs, DiffArgs};

pub(super) fn diff_command(args: DiffArgs, term: Terminal) -> anyhow::Result<ExitCode> {
    let outcome = lamport_sim::diff_dirs(&args.a, &args.b)?;
    let (code, common_events, divergence) = match &outcome {
        DiffOutcome::Identical { events } => (ExitCode::SUCCESS, *events, None),
        DiffOutcome::Differ(d) => (ExitCode::from(1), d.common_events, Some(&**d)),
    };
    if args.json {
        return term.json(code, &DiffDocument::new(&args.a, &args.b, common_events, divergence));
    }
    term.result(code, |out| match divergence {
        None => writeln!(
            out,
            "identical: the same {} in both runs (system_time not compared)",
            count(common_events, "event")
        ),
        Some(d) => print_divergence(out, &args, d),
    })
}

fn print_divergence(out: &mut impl Write, args: &DiffArgs, d: &Divergence) -> io::Result<()> {
    writeln!(
        out,
        "the runs part after {} in common (events in time order, ties by machine id):",
        count(d.common_events, "event")
    )?;
    for (label, run, row) in [("A", &args.a, &d.a), ("B", &args.b, &d.b)] {
        match row {
            Some(r) => writeln!(out, "  {label} {}:{}: {}", r.file, r.row.line, r.row)?,
            None => writeln!(out, "  {label} {}: no more events", run.display())?,
        }
    }
    if let Some(past) = &d.past {
        let whose = if d.a.is_some() { "A" } else { "B" };
        let total: u64 = past.per_machine.iter().map(|(n, _)| n).sum();
        let verb = if total == 1 { "happens" } else { "happen" };
        writeln!(out, "causal past of {whose}'s event: {} {verb} before it", count(total, "event"))?;
        for (id, (events, line)) in past.per_machine.iter().enumerate() {
            if let Some(line) = line {
                writeln!(out, "  machine {id}: its first {} (lines 2 to {line})", count(*events, "event"))?;
            }
        }
        if !past.causes.is_empty() {
            writeln!(out, "direct causes:")?;
            for c in &past.causes {
                writeln!(out, "  {}:{}: {}", c.file, c.row.line, c.row)?;
            }
        }
    }
    let differences = lamport_sim::scenario_differences(&args.a, &args.b);
    if !differences.is_empty() {
        writeln!(out, "scenario.ron differs:")?;
        for (x, y) in differences.iter().take(10) {
            writeln!(out, "  A: {x}\n  B: {y}")?;
        }
    }
    Ok(())
}

pub(super) fn check_command(args: CheckArgs, term: Terminal) -> anyhow::Result<ExitCode> {
    let report = lamport_sim::check_dir(&args.run_dir, args.max_violations)?;
    let code = if report.passed() { ExitCode::SUCCESS } else { ExitCode::from(1) };
    if args.json {
        return term.json(code, &CheckDocument::new(&args.run_dir, &report));
    }
    term.result(code, |out| print_check_report(out, &args.run_dir, &report))
}

fn print_check_report(out: &mut impl Write, run_dir: &Path, report: &CheckReport) -> io::Result<()> {
    writeln!(
        out,
        "check {}: {}, {} ({} SEND, {} RECEIVE, {} INTERNAL), {} ({} not received by the end)",
        run_dir.display(),
        count(report.machines, "machine"),
        count(report.events(), "event"),
        report.sends,
        report.receives,
        report.internals,
        count(report.messages, "message"),
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
    // Paths as the user gave the run folder, like diff's: a terminal or editor opens them.
    for v in &report.violations {
        let file = run_dir.join(&v.file);
        match v.line {
            Some(line) => writeln!(out, "{}:{line}: {}", file.display(), v.reason)?,
            None => writeln!(out, "{}: {}", file.display(), v.reason)?,
        }
    }
    let shown = report.violations.len() as u64;
    let more = if report.violation_count > shown { format!(" (the first {shown} shown)") } else { String::new() };
    writeln!(out, "FAILED: {}{more}", count(report.violation_count, "violation"))
}
