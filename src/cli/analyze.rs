//! `check` and `diff`: run the analysis and print its verdict.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use super::{verdict, CheckArgs, DiffArgs};

pub(super) fn diff_command(args: DiffArgs) -> anyhow::Result<ExitCode> {
    use lamport_sim::{diff_dirs, DiffOutcome};
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

fn print_divergence(out: &mut impl Write, args: &DiffArgs, d: &lamport_sim::Divergence) -> io::Result<()> {
    use lamport_sim::scenario_differences;
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

pub(super) fn check_command(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let report = lamport_sim::check_dir(&args.run_dir, args.max_violations)?;
    let code = if report.passed() { ExitCode::SUCCESS } else { ExitCode::from(1) };
    verdict(code, |out| print_check_report(out, &args.run_dir, &report))
}

fn print_check_report(out: &mut impl Write, run_dir: &Path, report: &lamport_sim::CheckReport) -> io::Result<()> {
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
