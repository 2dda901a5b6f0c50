//! Shared helpers: the binary under test, log reading, and an independent checker of the
//! documented rules (written from docs/log-format.md and docs/determinism.md, not from the engine, so it can disagree with it).

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The `lamport-sim` binary, run in `cwd`.
pub fn lamport_sim(cwd: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("lamport-sim").expect("binary builds");
    cmd.current_dir(cwd);
    cmd
}

/// The repository root (for `scenarios/`).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `scenarios/*.ron` file, sorted.
pub fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("scenarios"))
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    files
}

/// One row of a machine log, as docs/log-format.md defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub system_time: String,
    pub sim_time: String,
    pub machine: u32,
    pub event: String,
    pub clock: u64,
    pub queue_len: u64,
    pub peer: String,
    pub msg_clock: Option<u64>,
}

impl Row {
    /// sim_time in nanoseconds, parsed exactly from the decimal text.
    pub fn sim_nanos(&self) -> u64 {
        sim_time_nanos(&self.sim_time)
    }

    pub fn peers(&self) -> Vec<u32> {
        if self.peer.is_empty() {
            vec![]
        } else {
            self.peer.split(';').map(|p| p.parse().expect("peer ids are numbers")).collect()
        }
    }
}

/// A `sim_time` field (seconds with exactly nine decimals) in nanoseconds.
pub fn sim_time_nanos(text: &str) -> u64 {
    let (s, frac) = text.split_once('.').expect("sim_time has a decimal point");
    assert_eq!(frac.len(), 9, "sim_time has nine decimals: {text}");
    s.parse::<u64>().unwrap() * 1_000_000_000 + frac.parse::<u64>().unwrap()
}

/// The header of every machine log, in column order.
pub const LOG_HEADER: [&str; 8] =
    ["system_time", "sim_time", "machine", "event", "clock", "queue_len", "peer", "msg_clock"];

/// The file line of data row `i` of a log (1-based; the header is line 1).
pub fn line_of(i: usize) -> u64 {
    i as u64 + 2
}

/// A machine log: the one reader of log files the tests share. It keeps each data row's
/// line, so a test can edit rows and fields and write the log back ([`LogFile::to_text`]),
/// and gives typed [`Row`]s.
///
/// The log format never quotes a field (no field holds a comma, a quote or a line break), so
/// a row's fields are its line split at commas: [`LogFile::parse`] checks that every row has
/// the header's eight fields and no quote. (Lines, split when asked, rather than a CSV
/// reader's records, keep the property tests, which read every row of thousands of runs,
/// fast.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFile {
    /// Each data row's line, in file order: row `i` is file line [`line_of`]`(i)`.
    pub lines: Vec<String>,
}

impl LogFile {
    /// Parses a log's text; `origin` names it in panic messages. Panics unless the header is
    /// [`LOG_HEADER`] and every row has its eight fields, none quoted.
    pub fn parse(text: &str, origin: &str) -> LogFile {
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or_else(|| panic!("{origin}: empty log")).split(',').collect();
        assert_eq!(header, LOG_HEADER, "{origin}: header");
        let lines = lines
            .enumerate()
            .map(|(i, line)| {
                let at = line_of(i);
                let fields = line.bytes().filter(|&b| b == b',').count() + 1;
                assert_eq!(fields, LOG_HEADER.len(), "{origin}:{at}: a row has the header's eight fields: {line}");
                assert!(!line.contains('"'), "{origin}:{at}: the log format quotes no field: {line}");
                line.to_string()
            })
            .collect();
        LogFile { lines }
    }

    /// Reads `machine-<id>.csv` from `dir`.
    pub fn read(dir: &Path, id: u32) -> LogFile {
        let path = dir.join(format!("machine-{id}.csv"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        LogFile::parse(&text, &path.display().to_string())
    }

    /// Data row `i`'s fields, in [`LOG_HEADER`] order.
    pub fn fields(&self, i: usize) -> Vec<&str> {
        self.lines[i].split(',').collect()
    }

    /// Data row `i`, typed.
    pub fn row(&self, i: usize) -> Row {
        let f = self.fields(i);
        let number = |c: usize| -> u64 {
            f[c].parse().unwrap_or_else(|_| panic!("line {}: {} is {:?}", line_of(i), LOG_HEADER[c], f[c]))
        };
        Row {
            system_time: f[0].to_string(),
            sim_time: f[1].to_string(),
            machine: u32::try_from(number(2)).expect("a machine id fits 32 bits"),
            event: f[3].to_string(),
            clock: number(4),
            queue_len: number(5),
            peer: f[6].to_string(),
            msg_clock: (!f[7].is_empty()).then(|| number(7)),
        }
    }

    /// Every data row, typed.
    pub fn rows(&self) -> Vec<Row> {
        (0..self.lines.len()).map(|i| self.row(i)).collect()
    }

    /// Data row `i`'s `sim_time` in nanoseconds.
    pub fn sim_nanos(&self, i: usize) -> u64 {
        sim_time_nanos(self.lines[i].split(',').nth(1).expect("a row has a sim_time"))
    }

    /// The text of data row `i`'s line (without its line end).
    pub fn line(&self, i: usize) -> &str {
        &self.lines[i]
    }

    /// Sets column `column` (a name in [`LOG_HEADER`]) of data row `i`.
    pub fn set(&mut self, i: usize, column: &str, value: impl ToString) {
        let c = LOG_HEADER.iter().position(|h| *h == column).unwrap_or_else(|| panic!("no log column {column}"));
        let mut fields: Vec<String> = self.lines[i].split(',').map(String::from).collect();
        fields[c] = value.to_string();
        self.lines[i] = fields.join(",");
    }

    /// The log as a file: the header, then every row's line, each ending in `\n`.
    pub fn to_text(&self) -> String {
        let mut text = LOG_HEADER.join(",");
        text.push('\n');
        for line in &self.lines {
            text.push_str(line);
            text.push('\n');
        }
        text
    }
}

/// The rows of a machine log given as text, checking the header.
pub fn read_log_text(text: &str) -> Vec<Row> {
    LogFile::parse(text, "<log text>").rows()
}

/// Reads `machine-<id>.csv` from `dir`, checking the header.
pub fn read_log(dir: &Path, id: u32) -> Vec<Row> {
    LogFile::read(dir, id).rows()
}

/// A table written by `batch` (`runs.csv`, `aggregates.csv`, ...), read as CSV with its
/// header: cells are found by column name.
#[derive(Debug, Clone)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<csv::StringRecord>,
}

impl Table {
    /// Reads the CSV file at `path`.
    pub fn read(path: &Path) -> Table {
        let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let header =
            reader.headers().unwrap_or_else(|e| panic!("{}: {e}", path.display())).iter().map(String::from).collect();
        let rows = reader.records().collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Table { header, rows }
    }

    /// The index of column `name`.
    pub fn col(&self, name: &str) -> usize {
        self.header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name}"))
    }
}

/// What the independent checker counted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Checked {
    pub events: u64,
    pub per_machine: Vec<u64>,
    pub sent: u64,
    pub received: u64,
}

/// Checks a run directory against the documented rules: clocks strictly increase, INTERNAL and
/// SEND add 1, RECEIVE gives max(previous, msg_clock) + 1, a SEND's messages carry its clock
/// (or the clock before it, with `before_increment`), and every RECEIVE matches exactly one
/// earlier SEND. Returns counts, or the first violation.
pub fn check_spec(dir: &Path, machines: u32, before_increment: bool) -> Result<Checked, String> {
    let carried = |clock: u64| if before_increment { clock - 1 } else { clock };
    let mut checked = Checked::default();
    // (sender, msg_clock, receiver) -> send time, for matching receives.
    let mut sends: BTreeMap<(u32, u64, u32), u64> = BTreeMap::new();
    let logs: Vec<Vec<Row>> = (0..machines).map(|id| read_log(dir, id)).collect();
    for (id, rows) in logs.iter().enumerate() {
        let mut prev_clock = 0;
        let mut prev_time = None;
        for (n, row) in rows.iter().enumerate() {
            let at = format!("machine-{id}.csv line {}", n + 2);
            if row.machine != id as u32 {
                return Err(format!("{at}: machine column {} in machine {id}'s log", row.machine));
            }
            let t = row.sim_nanos();
            if prev_time.is_some_and(|p| t < p) {
                return Err(format!("{at}: sim_time goes back"));
            }
            prev_time = Some(t);
            match row.event.as_str() {
                "INTERNAL" => {
                    if row.clock != prev_clock + 1 || !row.peer.is_empty() || row.msg_clock.is_some() {
                        return Err(format!("{at}: INTERNAL must add 1 and have no peer/msg_clock"));
                    }
                }
                "SEND" => {
                    let peers = row.peers();
                    if row.clock != prev_clock + 1 || row.msg_clock != Some(carried(row.clock)) || peers.is_empty() {
                        return Err(format!("{at}: SEND must add 1, carry its clock and name receivers"));
                    }
                    for p in peers {
                        if p == id as u32 || p >= machines {
                            return Err(format!("{at}: bad receiver {p}"));
                        }
                        if sends.insert((id as u32, carried(row.clock), p), t).is_some() {
                            return Err(format!("{at}: duplicate message"));
                        }
                        checked.sent += 1;
                    }
                }
                "RECEIVE" => {
                    let m = row.msg_clock.ok_or(format!("{at}: RECEIVE without msg_clock"))?;
                    if row.clock != prev_clock.max(m) + 1 {
                        return Err(format!("{at}: RECEIVE clock {} != max({prev_clock}, {m}) + 1", row.clock));
                    }
                    checked.received += 1;
                }
                other => return Err(format!("{at}: unknown event {other}")),
            }
            prev_clock = row.clock;
            checked.events += 1;
        }
        checked.per_machine.push(rows.len() as u64);
    }
    // Every receive matches one earlier send, once; FIFO queues mean per-receiver order.
    let mut used = std::collections::BTreeSet::new();
    for (id, rows) in logs.iter().enumerate() {
        for (n, row) in rows.iter().enumerate().filter(|(_, r)| r.event == "RECEIVE") {
            let at = format!("machine-{id}.csv line {}", n + 2);
            let from: u32 = row.peer.parse().map_err(|_| format!("{at}: RECEIVE peer is not one id"))?;
            let key = (from, row.msg_clock.unwrap(), id as u32);
            let sent_at = sends.get(&key).ok_or(format!("{at}: no matching SEND {key:?}"))?;
            if !used.insert(key) {
                return Err(format!("{at}: message {key:?} received twice"));
            }
            if *sent_at > row.sim_nanos() {
                return Err(format!("{at}: received before it was sent"));
            }
        }
    }
    Ok(checked)
}

/// Every file in `dir` (not recursive) by name, with its bytes.
pub fn dir_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable entry"))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("readable file")))
        .collect()
}

/// Asserts two run directories hold the same files with the same bytes, naming the first
/// file that differs.
pub fn assert_same_run(a: &Path, b: &Path) {
    let (a_files, b_files) = (dir_bytes(a), dir_bytes(b));
    assert_eq!(a_files.keys().collect::<Vec<_>>(), b_files.keys().collect::<Vec<_>>(), "same file names");
    for (name, bytes) in &a_files {
        assert!(bytes == &b_files[name], "{name} differs between {} and {}", a.display(), b.display());
    }
}

/// Copies a run folder and edits one row of one machine's log: `edit` gets the log and the
/// index of the row at file line `line` (the header is line 1).
pub fn corrupt_copy(
    from: &Path,
    to: &Path,
    machine: u32,
    line: usize,
    edit: impl Fn(&mut LogFile, usize),
) -> TestResult {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        std::fs::copy(entry.path(), to.join(entry.file_name()))?;
    }
    let mut log = LogFile::read(to, machine);
    edit(&mut log, line - 2);
    std::fs::write(to.join(format!("machine-{machine}.csv")), log.to_text())?;
    Ok(())
}

/// Adds `by` to the clock of row `i`.
pub fn bump_clock(log: &mut LogFile, i: usize, by: u64) {
    let clock = log.row(i).clock;
    log.set(i, "clock", clock + by);
}
