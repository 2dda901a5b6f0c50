//! The `lamport-sim` command: parses arguments and hands them to [`lamport_sim::cli`].

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = lamport_sim::cli::Cli::parse();
    match lamport_sim::cli::run(cli) {
        Ok(code) => code,
        // `lamport-sim run | head`: the reader left; that is not an error.
        Err(err) if lamport_sim::cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
