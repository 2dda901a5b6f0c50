//! The names of a run folder's files: the contract between what writes a run and what reads
//! it afterwards (`docs/log-format.md`).

use std::fs;
use std::io;
use std::path::Path;

use crate::base::MachineId;

/// The resolved scenario's file name, written first.
pub const SCENARIO_FILE: &str = "scenario.ron";
/// The summary's file name, written last; its presence means the run completed.
pub const SUMMARY_FILE: &str = "summary.json";
/// Written instead of the summary when a run stops early.
pub const INCOMPLETE_FILE: &str = "INCOMPLETE";

/// Name of machine `id`'s log file: `machine-<id>.csv`.
pub fn log_file_name(id: MachineId) -> String {
    format!("machine-{id}.csv")
}

/// The ids of the machine logs in `dir` (files named exactly `machine-<id>.csv`), ascending.
pub fn log_ids(dir: &Path) -> io::Result<Vec<MachineId>> {
    let mut ids = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        let id =
            name.strip_prefix("machine-").and_then(|rest| rest.strip_suffix(".csv")).and_then(|id| id.parse().ok());
        // `machine-07.csv` is not machine 7's log.
        if let Some(id) = id.filter(|&id| log_file_name(id) == name) {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    Ok(ids)
}
