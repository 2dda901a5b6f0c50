//! The `lamport-sim` command line: argument types (clap), one module per group of commands,
//! and the terminal around them (where output goes, JSON documents, the progress bar,
//! Ctrl-C, completions and the man page). It lives in the binary, not the library: the
//! library reports, the command line prints.

mod analyze;
mod args;
mod batch;
mod json;
mod output;
mod run;
mod signals;

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

pub(crate) use args::*;

const EXIT_CODES: &str = "\
Output:
  results on stdout; progress, timings and notes on stderr; --quiet prints nothing but
  errors (the exit code is the verdict); --json (run, replay, check, diff) prints one JSON
  document on stdout instead of the text (schemas: docs/json.md)

Exit codes:
  0    success (diff: the runs are identical)
  1    a check failed: check found a violation, diff found the runs differ, or
       run --check-determinism found two different runs
  2    bad input or usage, or an I/O error (nothing is left that looks like a complete run)
  130  interrupted by Ctrl-C (the run directory is marked INCOMPLETE)";

/// Deterministic virtual-time simulator of the "scale models and logical clocks" experiment.
#[derive(Debug, Parser)]
#[command(name = "lamport-sim", version, about, after_help = EXIT_CODES)]
pub(crate) struct Cli {
    /// Print nothing but errors; the exit code says how it went.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) on stdout.
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout: `lamport-sim man > lamport-sim.1`.
    Man,
}

/// Whether an error is stdout's reader going away (`| head`), which is not a failure.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
}

/// Runs a parsed command line. Errors are bad input or I/O (exit code 2).
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let term = output::Terminal { quiet: cli.quiet };
    match cli.command {
        Command::Run(args) => run::run_command(args, term),
        Command::Replay(args) => run::replay_command(args, term),
        Command::Check(args) => analyze::check_command(args, term),
        Command::Diff(args) => analyze::diff_command(args, term),
        Command::Batch(args) => batch::batch_command(args, term),
        Command::Merge(args) => batch::merge_command(args, term),
        Command::Completions(args) => term.result(ExitCode::SUCCESS, |out| {
            clap_complete::generate(args.shell, &mut Cli::command(), "lamport-sim", out);
            Ok(())
        }),
        Command::Man => term.result(ExitCode::SUCCESS, |out| clap_mangen::Man::new(Cli::command()).render(out)),
    }
}

/// The path a scenario or sweep argument names: `-` is standard input.
pub(crate) const STDIN: &str = "-";

/// Reads a scenario argument: a file, or standard input for `-` (named `<stdin>` in errors).
pub(crate) fn load_scenario(path: &Path) -> anyhow::Result<lamport_sim::Scenario> {
    Ok(if path == Path::new(STDIN) {
        lamport_sim::Scenario::read_from(io::stdin().lock(), "<stdin>")?
    } else {
        lamport_sim::Scenario::load(path)?
    })
}

/// How a scenario or sweep argument is named in messages.
pub(crate) fn origin(path: &Path) -> String {
    if path == Path::new(STDIN) {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
