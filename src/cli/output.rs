//! Where the command line's words go, the same in every command: results on stdout;
//! progress, timings and notes about what the program did on stderr; with `--quiet`
//! nothing but errors, the exit code carrying the verdict. Also the small pieces of
//! wording every command shares: counts with the right plural, right-aligned tables.

use std::fmt::{self, Display};
use std::io::{self, Write};
use std::process::ExitCode;

/// The terminal as one command run sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terminal {
    /// `--quiet`: print nothing but errors.
    pub(crate) quiet: bool,
}

impl Terminal {
    /// A note about what the program did (`simulated 420 events in 1.2 ms`), on stderr
    /// unless `--quiet`.
    pub(crate) fn note(&self, text: impl Display) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }

    /// Prints a result with `print` on stdout (nothing with `--quiet`) and returns its exit
    /// code `code`. A reader that leaves early (`lamport-sim check DIR | head`) ends the
    /// printing quietly but must not turn a failed check into exit 0: under
    /// `set -o pipefail` that would pass off a violation.
    pub(crate) fn result(
        &self,
        code: ExitCode,
        print: impl FnOnce(&mut io::StdoutLock<'static>) -> io::Result<()>,
    ) -> anyhow::Result<ExitCode> {
        if self.quiet {
            return Ok(code);
        }
        let mut out = io::stdout().lock();
        match print(&mut out).and_then(|()| out.flush()) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(code),
            Err(e) => Err(e.into()),
            Ok(()) => Ok(code),
        }
    }

    /// Prints `document` as one line of JSON on stdout (`--json`), and returns `code`.
    pub(crate) fn json(&self, code: ExitCode, document: &impl serde::Serialize) -> anyhow::Result<ExitCode> {
        self.result(code, |out| {
            serde_json::to_writer(&mut *out, document).map_err(io::Error::other)?;
            writeln!(out)
        })
    }
}

/// `n` and the noun, singular for one: `1 event`, `3 events`, `0 events`. Every noun this
/// program counts takes an `s`.
pub(crate) fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A table whose columns are as wide as their widest cell, numbers right-aligned, so it
/// stays aligned at any width.
#[derive(Debug, Default)]
pub(crate) struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with this header row.
    pub(crate) fn new(header: &[&str]) -> Table {
        Table { rows: vec![header.iter().map(|h| h.to_string()).collect()] }
    }

    /// Adds a row (as many cells as the header).
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.rows[0].len(), "a row has a cell per column");
        self.rows.push(cells);
    }
}

impl Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let columns = self.rows[0].len();
        let widths: Vec<usize> =
            (0..columns).map(|c| self.rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
        for row in &self.rows {
            let line: Vec<String> = row.iter().zip(&widths).map(|(cell, &w)| format!("{cell:>w$}")).collect();
            writeln!(f, "{}", line.join("  ").trim_end())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_singular_for_one() {
        assert_eq!(count(0u64, "event"), "0 events");
        assert_eq!(count(1u64, "event"), "1 event");
        assert_eq!(count(2u32, "machine"), "2 machines");
    }

    #[test]
    fn tables_stay_aligned_at_any_width() {
        let mut t = Table::new(&["machine", "ticks"]);
        t.row(vec!["0".into(), "123456789012".into()]);
        t.row(vec!["all".into(), "7".into()]);
        assert_eq!(t.to_string(), "machine         ticks\n      0  123456789012\n    all             7\n");
    }
}
