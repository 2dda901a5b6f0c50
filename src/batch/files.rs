//! The files of a batch folder as files: their names, the manifest `batch.json` (written
//! last, with each file's size, rows and checksum), atomic writes, and preparing `--out`.

use std::fs;
use std::io;
use std::path::Path;

use serde_json::{json, Value};

use crate::batch::tables::pretty_json;
use crate::batch::{file_error, BatchError};
use crate::run::{prepare_output, write_atomically, Refusal};

pub(super) const SWEEP_FILE: &str = "sweep.ron";
pub(super) const RUNS_FILE: &str = "runs.csv";
pub(super) const DONE_FILE: &str = "batch.json";

/// FNV-1a, 64 bits: a fixed, documented checksum of a file's bytes (not cryptographic: it
/// catches a file cut short or edited by mistake, not a forgery).
fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// Size, data rows (CSV tables) and checksum of a written file, as `batch.json` records it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FileRecord {
    pub(super) bytes: usize,
    pub(super) rows: Option<usize>,
    pub(super) fnv1a64: String,
}

impl FileRecord {
    pub(super) fn of(bytes: &[u8], rows: Option<usize>) -> FileRecord {
        FileRecord { bytes: bytes.len(), rows, fnv1a64: format!("{:016x}", fnv1a64(bytes)) }
    }

    pub(super) fn to_json(&self) -> Value {
        match self.rows {
            Some(rows) => json!({"bytes": self.bytes, "rows": rows, "fnv1a64": self.fnv1a64}),
            None => json!({"bytes": self.bytes, "fnv1a64": self.fnv1a64}),
        }
    }
}

/// The files written so far, for `batch.json`.
#[derive(Debug, Default)]
pub(super) struct Manifest(serde_json::Map<String, Value>);

impl Manifest {
    /// Writes `out/name` and records it (`rows`: data rows of a CSV table).
    pub(super) fn write(
        &mut self,
        out: &Path,
        name: &str,
        bytes: &[u8],
        rows: Option<usize>,
    ) -> Result<(), BatchError> {
        write_bytes(&out.join(name), bytes)?;
        self.0.insert(name.to_string(), FileRecord::of(bytes, rows).to_json());
        Ok(())
    }
}

pub(super) fn write_done(
    out: &Path,
    runs: usize,
    stopped: usize,
    shard: Option<String>,
    manifest: Manifest,
) -> Result<(), BatchError> {
    let doc = json!({
        "schema_version": 1,
        "lamport_sim_version": env!("CARGO_PKG_VERSION"),
        "complete": true,
        "runs": runs,
        "runs_stopped": stopped,
        "shard": shard,
        "files": manifest.0,
    });
    write_bytes(&out.join(DONE_FILE), pretty_json(&doc).as_bytes())
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), BatchError> {
    write_atomically(path, bytes).map_err(|e| file_error(path, e))
}

/// The files a batch writes, `batch.json` (the completion mark) first to go.
const BATCH_FILES: [&str; 6] =
    ["batch.json", "aggregates.json", "machine_aggregates.csv", "aggregates.csv", "runs.csv", "sweep.ron"];

pub(super) fn prepare_out(out: &Path, force: bool) -> Result<(), BatchError> {
    let refuse = |refusal| match refusal {
        Refusal::NotADirectory => file_error(out, "exists and is not a directory"),
        Refusal::NotEmpty => file_error(
            out,
            "already exists and is not empty; choose another --out, or pass --force to replace the batch in it",
        ),
        Refusal::Io(at, e) => file_error(&at, e),
    };
    prepare_output(out, force, refuse, remove_batch_files)
}

/// Removes what a batch writes: its files, `batch.json` (the completion mark) first, and
/// the per-run folders of an earlier `--logs` batch (only folders this writes).
fn remove_batch_files(out: &Path) -> Result<(), BatchError> {
    for name in BATCH_FILES {
        match fs::remove_file(out.join(name)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(file_error(&out.join(name), e)),
            _ => {}
        }
    }
    if let Ok(entries) = fs::read_dir(out.join("runs")) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with("run-") {
                fs::remove_dir_all(entry.path()).map_err(|e| file_error(&entry.path(), e))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
