//! The `lamport-sim` command line: argument types (clap), one module per group of commands,
//! and the terminal around them (progress bar, Ctrl-C). It lives in the binary, not the
//! library: the library reports, the command line prints.

mod analyze;
mod args;
mod batch;
mod run;
mod signals;

use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub(crate) use args::*;

const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    a check failed (check found a violation; run --check-determinism found two different runs)
  2    bad input or usage, or an I/O error (nothing is left that looks like a complete run)
  130  interrupted by Ctrl-C (the run directory is marked INCOMPLETE)";

/// Deterministic virtual-time simulator of the "scale models and logical clocks" experiment.
#[derive(Debug, Parser)]
#[command(name = "lamport-sim", version, about, after_help = EXIT_CODES)]
pub(crate) struct Cli {
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
}

/// Whether an error is stdout's reader going away (`| head`), which is not a failure.
pub(crate) fn is_broken_pipe(err: &anyhow::Error) -> bool {
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
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::run_command(args),
        Command::Replay(args) => run::replay_command(args),
        Command::Check(args) => analyze::check_command(args),
        Command::Diff(args) => analyze::diff_command(args),
        Command::Batch(args) => batch::batch_command(args),
        Command::Merge(args) => batch::merge_command(args),
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
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
