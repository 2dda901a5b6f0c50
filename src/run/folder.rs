//! A run directory: creating it without clobbering earlier runs, and the files that mark
//! its state: `scenario.ron` first, the logs, then `summary.json` last as the completion
//! mark (or `INCOMPLETE` when a run stops early).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::base::{log_file_name, log_ids, INCOMPLETE_FILE, SCENARIO_FILE, SUMMARY_FILE};
use crate::scenario::Resolved;
use crate::sinks::Summary;

/// Why a run directory cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunDirError {
    /// It holds files and `--force` was not given.
    #[error("{0} already exists and is not empty; choose another --out, or pass --force to replace the run in it")]
    NotEmpty(PathBuf),
    /// It is a file, not a directory.
    #[error("{0} exists and is not a directory")]
    NotADirectory(PathBuf),
    /// The OS refused (the OS's reason follows as the error's source).
    #[error("{}", path.display())]
    Io {
        /// The path at fault.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> RunDirError + '_ {
    move |source| RunDirError::Io { path: path.to_path_buf(), source }
}

/// A directory being filled by one run.
#[derive(Debug, Clone)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Prepares `path` for a new run. An existing non-empty directory is refused unless
    /// `force`; with `force`, only the files a run writes are removed (the summary first,
    /// so the directory never looks complete with stale content), and other files are kept.
    pub fn create(path: &Path, force: bool) -> Result<RunDir, RunDirError> {
        match fs::metadata(path) {
            Ok(meta) if !meta.is_dir() => return Err(RunDirError::NotADirectory(path.to_path_buf())),
            Ok(_) => {
                let non_empty = fs::read_dir(path).map_err(io_at(path))?.next().is_some();
                if non_empty {
                    if !force {
                        return Err(RunDirError::NotEmpty(path.to_path_buf()));
                    }
                    remove_run_files(path)?;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir_all(path).map_err(io_at(path))?,
            Err(e) => return Err(io_at(path)(e)),
        }
        Ok(RunDir { path: path.to_path_buf() })
    }

    /// A new directory `parent/<base>`, or `parent/<base>-2`, `-3`, ... if taken.
    pub fn create_unique(parent: &Path, base: &str) -> Result<RunDir, RunDirError> {
        fs::create_dir_all(parent).map_err(io_at(parent))?;
        for n in 1u32.. {
            let name = if n == 1 { base.to_string() } else { format!("{base}-{n}") };
            let path = parent.join(name);
            match fs::create_dir(&path) {
                Ok(()) => return Ok(RunDir { path }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_at(&path)(e)),
            }
        }
        unreachable!("u32 names run out only after four billion runs")
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `scenario.ron` (first, so even an interrupted run can be replayed).
    pub fn write_scenario(&self, scenario: &Resolved) -> Result<(), RunDirError> {
        let path = self.path.join(SCENARIO_FILE);
        write_atomically(&path, scenario.to_ron().as_bytes()).map_err(io_at(&path))
    }

    /// Writes `summary.json`, marking the run complete.
    pub fn write_summary(&self, summary: &Summary) -> Result<(), RunDirError> {
        let path = self.path.join(SUMMARY_FILE);
        write_atomically(&path, summary.to_json().as_bytes()).map_err(io_at(&path))
    }

    /// Writes `INCOMPLETE` with the reason, marking the run as stopped early.
    pub fn mark_incomplete(&self, reason: &str) -> Result<(), RunDirError> {
        let text = format!("this run did not complete: {reason}\nits logs hold the events up to that point; summary.json was not written\n");
        let path = self.path.join(INCOMPLETE_FILE);
        write_atomically(&path, text.as_bytes()).map_err(io_at(&path))
    }
}

/// Writes `bytes` to a temporary name, syncs, then renames over `path`: readers see the old
/// file or the whole new one, never half of it.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Removes what a run writes: summary first, then the marker, scenario and logs.
fn remove_run_files(dir: &Path) -> Result<(), RunDirError> {
    for name in [SUMMARY_FILE, INCOMPLETE_FILE, SCENARIO_FILE] {
        remove_if_present(&dir.join(name))?;
    }
    for id in log_ids(dir).map_err(io_at(dir))? {
        remove_if_present(&dir.join(log_file_name(id)))?;
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<(), RunDirError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_at(path)(e)),
        _ => Ok(()),
    }
}
