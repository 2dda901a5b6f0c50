//! The run folder: its marks and atomic writes, and the runner that wires a scenario through
//! the engine and its sinks into it.

mod folder;
mod runner;

pub use crate::base::{log_file_name, log_ids, INCOMPLETE_FILE, SCENARIO_FILE, SUMMARY_FILE};
pub(crate) use folder::{prepare_output, write_atomically, Refusal};
pub use folder::{RunDir, RunDirError};
pub(crate) use runner::drive;
pub use runner::{run_summary, run_to_dir, RunError, RunOutcome};
