//! The `lamport-sim` command: parses arguments, runs the command, maps the result to an exit
//! code (0 success, 1 a check failed, 2 bad input or I/O).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        // `lamport-sim run | head`: the reader left; that is not an error.
        Err(err) if cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
