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
        let refuse = |refusal| match refusal {
            Refusal::NotADirectory => RunDirError::NotADirectory(path.to_path_buf()),
            Refusal::NotEmpty => RunDirError::NotEmpty(path.to_path_buf()),
            Refusal::Io(at, source) => RunDirError::Io { path: at, source },
        };
        prepare_output(path, force, refuse, remove_run_files)?;
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

/// Why an output folder was refused.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// It is a file.
    NotADirectory,
    /// It holds files and `--force` was not given.
    NotEmpty,
    /// The OS refused at this path.
    Io(PathBuf, io::Error),
}

/// Prepares `path` for a command's output, the one way `run`, `replay`, `batch` and `merge`
/// do it: created when missing; a file is refused; a folder with anything in it is refused
/// unless `force`, and then `clear` removes only what the command writes, before anything
/// new is written. `refuse` turns a refusal into the command's own error.
pub(crate) fn prepare_output<E>(
    path: &Path,
    force: bool,
    refuse: impl Fn(Refusal) -> E,
    clear: impl FnOnce(&Path) -> Result<(), E>,
) -> Result<(), E> {
    let io = |e| refuse(Refusal::Io(path.to_path_buf(), e));
    match fs::metadata(path) {
        Ok(meta) if !meta.is_dir() => return Err(refuse(Refusal::NotADirectory)),
        Ok(_) => {
            if fs::read_dir(path).map_err(io)?.next().is_some() {
                if !force {
                    return Err(refuse(Refusal::NotEmpty));
                }
                clear(path)?;
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    fs::create_dir_all(path).map_err(io)
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
