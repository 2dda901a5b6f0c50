//! Reading machine logs in the CSV format of docs/log-format.md, from lamport-sim or any other program:
//! columns are found by their header names (extra columns are ignored), and anything that
//! cannot be read is reported with `file:line` and what was expected.

use std::fmt;
use std::io::{self, Read};

use std::path::Path;

use crate::base::{log_file_name, log_ids, parse_date_time, EventKind, LamportTime, MachineId};

/// One row of a machine log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// `sim_time` in nanoseconds.
    pub sim_nanos: u64,
    /// The `machine` column.
    pub machine: MachineId,
    /// The `event` column.
    pub event: EventKind,
    /// The `clock` column.
    pub clock: LamportTime,
    /// The `queue_len` column.
    pub queue_len: u64,
    /// The `peer` column: receivers of a SEND, the sender of a RECEIVE, empty for INTERNAL.
    pub peers: Vec<MachineId>,
    /// The `msg_clock` column, if not empty.
    pub msg_clock: Option<LamportTime>,
    /// The `system_time` column.
    pub system_time: SystemTimeField,
}

/// A row's `system_time`: optional in a log (the checks do not need it), but when present it
/// must be a date and time as Python's `datetime` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemTimeField {
    /// The log has no `system_time` column.
    Absent,
    /// Microseconds since 1970-01-01 00:00:00, the time read as written (no time zone).
    Micros(i64),
    /// Not `YYYY-MM-DD HH:MM:SS[.ffffff]`.
    Malformed,
}

/// A log that cannot be read: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ReadError {
    /// The log's name.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// What is wrong.
    pub message: String,
}

/// The columns a log must have.
const REQUIRED: [&str; 7] = ["sim_time", "machine", "event", "clock", "queue_len", "peer", "msg_clock"];

/// Streams the rows of one log.
#[derive(Debug)]
pub struct LogReader<R: Read> {
    file: String,
    reader: csv::Reader<UnixLineEndings<R>>,
    columns: [usize; 7],
    system_time_column: Option<usize>,
    record: csv::ByteRecord,
}

impl<R: Read> LogReader<R> {
    /// Reads the header of `input` (named `file` in errors) and prepares to stream rows.
    pub fn new(file: &str, input: R) -> Result<Self, ReadError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(UnixLineEndings { inner: input, after_cr: false });
        let err = |line, message: String| ReadError { file: file.to_string(), line, message };
        let headers = reader.byte_headers().map_err(|e| err(1, csv_message(&e)))?.clone();
        if headers.is_empty() {
            return Err(err(1, "empty file: expected a header row naming the columns".into()));
        }
        let mut columns = [0; 7];
        for (slot, name) in columns.iter_mut().zip(REQUIRED) {
            *slot = headers.iter().position(|h| h == name.as_bytes()).ok_or_else(|| {
                err(1, format!("no `{name}` column in the header (expected the columns {})", REQUIRED.join(",")))
            })?;
        }
        let system_time_column = headers.iter().position(|h| h == b"system_time");
        Ok(LogReader { file: file.to_string(), reader, columns, system_time_column, record: csv::ByteRecord::new() })
    }

    /// The log's name.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The next row, `None` at the end.
    pub fn next_row(&mut self) -> Result<Option<LogRow>, ReadError> {
        let more = self.reader.read_byte_record(&mut self.record).map_err(|e| ReadError {
            file: self.file.clone(),
            line: e.position().map_or(0, |p| p.line()),
            message: csv_message(&e),
        })?;
        if !more {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, |p| p.line());
        let err = |message: String| ReadError { file: self.file.clone(), line, message };
        let field = |i: usize| -> Result<&str, ReadError> {
            let name = REQUIRED[i];
            let bytes = self.record.get(self.columns[i]).ok_or_else(|| err(format!("missing `{name}` field")))?;
            std::str::from_utf8(bytes).map_err(|_| err(format!("`{name}` is not UTF-8 text")))
        };
        let number = |i: usize| -> Result<u64, ReadError> {
            let text = field(i)?;
            text.trim().parse().map_err(|_| err(format!("`{}` is {text:?}; expected a whole number", REQUIRED[i])))
        };
        let event: EventKind = field(2)?
            .parse()
            .map_err(|other| err(format!("`event` is {other:?}; expected SEND, RECEIVE or INTERNAL")))?;
        let machine = u32::try_from(number(1)?).map_err(|_| err("`machine` is too large".into()))?;
        let peer_text = field(5)?.trim();
        let peers = if peer_text.is_empty() {
            Vec::new()
        } else {
            peer_text
                .split(';')
                .map(|p| p.trim().parse::<u32>())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| err(format!("`peer` is {peer_text:?}; expected machine ids joined by `;`")))?
        };
        let msg_text = field(6)?.trim();
        let msg_clock = if msg_text.is_empty() {
            None
        } else {
            Some(msg_text.parse().map_err(|_| err(format!("`msg_clock` is {msg_text:?}; expected a whole number")))?)
        };
        let sim_text = field(0)?;
        let sim_nanos = parse_seconds(sim_text.trim())
            .ok_or_else(|| err(format!("`sim_time` is {sim_text:?}; expected seconds like 12.000000333")))?;
        let system_time = match self.system_time_column.map(|i| self.record.get(i)) {
            None => SystemTimeField::Absent,
            Some(bytes) => {
                match bytes.and_then(|b| std::str::from_utf8(b).ok()).and_then(|t| parse_date_time(t, 6).ok()) {
                    Some(micros) => SystemTimeField::Micros(micros),
                    None => SystemTimeField::Malformed,
                }
            }
        };
        let (clock, queue_len) = (number(3)?, number(4)?);
        Ok(Some(LogRow { line, sim_nanos, machine, event, clock, queue_len, peers, msg_clock, system_time }))
    }
}

/// `input` with every line ending turned into `\n`: `\r\n` (Windows) and a lone `\r` (classic
/// Mac OS) alike. The CSV parser splits records at all three but counts lines only at `\n`,
/// so without this a CR-only log would report every error on "line 1".
#[derive(Debug)]
struct UnixLineEndings<R> {
    inner: R,
    /// The last byte passed on was a `\r` (now `\n`): a `\n` right after it is dropped.
    after_cr: bool,
}

impl<R: Read> Read for UnixLineEndings<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let n = self.inner.read(buf)?;
            // The common case, a file with `\n` endings, passes through untouched.
            if n == 0 || (!self.after_cr && !buf[..n].contains(&b'\r')) {
                return Ok(n);
            }
            let mut kept = 0;
            for i in 0..n {
                let byte = buf[i];
                if byte == b'\n' && self.after_cr {
                    self.after_cr = false;
                    continue;
                }
                self.after_cr = byte == b'\r';
                buf[kept] = if self.after_cr { b'\n' } else { byte };
                kept += 1;
            }
            // Zero bytes kept means this read was only the `\n` of a `\r\n` split across
            // reads; returning 0 would look like the end of the file, so read on.
            if kept > 0 {
                return Ok(kept);
            }
        }
    }
}

/// Several machines' logs read as one stream in time order: ties by machine id, then by
/// line (the order in which the engine runs same-instant events).
#[derive(Debug)]
pub struct MergedLogs<R: Read> {
    readers: Vec<LogReader<R>>,
    heads: Vec<Option<LogRow>>,
    order: std::collections::BinaryHeap<std::cmp::Reverse<(u64, MachineId, u64)>>,
}

impl<R: Read> MergedLogs<R> {
    /// Merges `readers`, where reader `i` is machine `i`'s log.
    pub fn new(readers: Vec<LogReader<R>>) -> Result<Self, ReadError> {
        let mut merged = MergedLogs { heads: vec![None; readers.len()], readers, order: Default::default() };
        for id in 0..merged.readers.len() {
            merged.advance(id as MachineId)?;
        }
        Ok(merged)
    }

    fn advance(&mut self, id: MachineId) -> Result<(), ReadError> {
        if let Some(row) = self.readers[id as usize].next_row()? {
            self.order.push(std::cmp::Reverse((row.sim_nanos, id, row.line)));
            self.heads[id as usize] = Some(row);
        }
        Ok(())
    }

    /// The next row of any machine (with the machine whose log it came from), `None` at
    /// the end of every log.
    pub fn next_row(&mut self) -> Result<Option<(MachineId, LogRow)>, ReadError> {
        let Some(std::cmp::Reverse((_, id, _))) = self.order.pop() else { return Ok(None) };
        let row = self.heads[id as usize].take().expect("a queued machine has a head row");
        self.advance(id)?;
        Ok(Some((id, row)))
    }

    /// The name of machine `id`'s log.
    pub fn file(&self, id: MachineId) -> &str {
        self.readers[id as usize].file()
    }
}

/// The logs of a folder could not be found or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LogsError {
    /// A log could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The folder holds no logs, or they are not numbered `0..N`.
    #[error("{0}")]
    Layout(String),
}

/// The ids of the `machine-<id>.csv` logs in `dir`, ascending; a path that is not a folder
/// is told as such.
pub(crate) fn listed_logs(dir: &Path) -> Result<Vec<u32>, LogsError> {
    log_ids(dir).map_err(|e| {
        let what = if dir.exists() { "is not a run folder" } else { "does not exist" };
        LogsError::Layout(format!("{}: {what} (expected a folder of machine-<id>.csv logs): {e}", dir.display()))
    })
}

/// The number of machine logs in `dir`: ids must run `0..N` with no gap.
pub(crate) fn count_logs(dir: &Path) -> Result<u32, LogsError> {
    let ids = listed_logs(dir)?;
    if ids.is_empty() {
        return Err(LogsError::Layout(format!("{}: no machine-<id>.csv logs (and no scenario.ron)", dir.display())));
    }
    if let Some(gap) = ids.iter().enumerate().find(|(i, id)| *i as u32 != **id) {
        return Err(LogsError::Layout(format!(
            "{}: machine logs must be numbered 0..N without gaps; machine-{}.csv is missing",
            dir.display(),
            gap.0
        )));
    }
    Ok(ids.len() as u32)
}

/// Opens `machine-0.csv` .. `machine-<n-1>.csv` in `dir`, named in errors by their path
/// (`with_dir`) or by their file name alone.
pub(crate) fn open_logs(
    dir: &std::path::Path,
    n: u32,
    with_dir: bool,
) -> Result<Vec<LogReader<std::io::BufReader<std::fs::File>>>, ReadError> {
    (0..n)
        .map(|id| {
            let name = log_file_name(id);
            let path = dir.join(&name);
            let label = if with_dir { path.display().to_string() } else { name };
            let file = std::fs::File::open(&path).map_err(|e| ReadError {
                file: label.clone(),
                line: 0,
                message: format!("cannot open: {e}"),
            })?;
            LogReader::new(&label, std::io::BufReader::with_capacity(1 << 16, file))
        })
        .collect()
}

impl fmt::Display for LogRow {
    /// `12.000000333s RECEIVE clock=15 queue_len=0 peer=2 msg_clock=14`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let event = self.event;
        write!(
            f,
            "{}s {event} clock={} queue_len={}",
            crate::base::SimTime(self.sim_nanos),
            self.clock,
            self.queue_len
        )?;
        if !self.peers.is_empty() {
            let peers: Vec<String> = self.peers.iter().map(|p| p.to_string()).collect();
            write!(f, " peer={}", peers.join(";"))?;
        }
        if let Some(m) = self.msg_clock {
            write!(f, " msg_clock={m}")?;
        }
        Ok(())
    }
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("row has {len} fields; the header has {expected_len}")
        }
        csv::ErrorKind::Io(io) => format!("cannot read: {io}"),
        _ => e.to_string(),
    }
}

/// Decimal seconds with at most nine decimals, exactly, as nanoseconds.
fn parse_seconds(text: &str) -> Option<u64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || frac.len() > 9 || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_nanos: u64 =
        if frac.is_empty() { 0 } else { frac.parse::<u64>().ok()? * 10u64.pow(9 - frac.len() as u32) };
    whole.parse::<u64>().ok()?.checked_mul(1_000_000_000)?.checked_add(frac_nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Result<Vec<LogRow>, ReadError> {
        let mut reader = LogReader::new("m.csv", text.as_bytes())?;
        let mut out = vec![];
        while let Some(row) = reader.next_row()? {
            out.push(row);
        }
        Ok(out)
    }

    #[test]
    fn reads_spec_rows_with_columns_in_any_order() {
        let text = "event,machine,sim_time,clock,queue_len,peer,msg_clock,system_time,extra\n\
                    SEND,1,0.5,4,0,0;2,4,x,y\nRECEIVE,1,2,7,3,2,6,x,y\nINTERNAL,1,2.000000001,8,0,,,x,y\n";
        let r = rows(text).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[0].line, r[0].sim_nanos, r[0].peers.clone(), r[0].msg_clock),
            (2, 500_000_000, vec![0, 2], Some(4))
        );
        assert_eq!((r[1].event, r[1].peers.clone(), r[1].queue_len), (EventKind::Receive, vec![2], 3));
        assert_eq!((r[2].line, r[2].sim_nanos, r[2].msg_clock), (4, 2_000_000_001, None));
    }

    #[test]
    fn line_numbers_count_crlf_and_lone_cr_endings() {
        let header = "system_time,sim_time,machine,event,clock,queue_len,peer,msg_clock";
        let good = "x,1.0,0,INTERNAL,1,0,,";
        let bad = "x,2.0,0,INTERNAL,two,0,,";
        for ending in ["\n", "\r\n", "\r"] {
            let text = [header, good, good, bad, ""].join(ending);
            let e = rows(&text).unwrap_err().to_string();
            assert!(e.starts_with("m.csv:4: `clock` is \"two\""), "ending {ending:?}: {e}");
        }
    }

    /// A `\r\n` split across two reads is still one line ending.
    #[test]
    fn crlf_split_across_reads_is_one_ending() {
        struct OneByteAtATime<'a>(&'a [u8]);
        impl Read for OneByteAtATime<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let Some((&first, rest)) = self.0.split_first() else { return Ok(0) };
                buf[0] = first;
                self.0 = rest;
                Ok(1)
            }
        }
        let mut text = Vec::new();
        UnixLineEndings { inner: OneByteAtATime(b"a\r\nb\rc\r\r\nd\r"), after_cr: false }
            .read_to_end(&mut text)
            .unwrap();
        assert_eq!(text, b"a\nb\nc\n\nd\n");
    }

    #[test]
    fn unreadable_input_names_the_line_and_what_was_expected() {
        let header = "system_time,sim_time,machine,event,clock,queue_len,peer,msg_clock\n";
        let cases = [
            ("", "m.csv:1: empty file"),
            ("a,b\n", "m.csv:1: no `sim_time` column"),
            (&*format!("{header}x,1.0,0,SEND,1,0,1,1\nx,2.0,0,JUMP,2,0,,\n"), "m.csv:3: `event` is \"JUMP\""),
            (&*format!("{header}x,1.0,0,INTERNAL,one,0,,\n"), "m.csv:2: `clock` is \"one\""),
            (&*format!("{header}x,1.0,0,INTERNAL,1,0,\n"), "m.csv:2: row has 7 fields; the header has 8"),
            (&*format!("{header}x,-1,0,INTERNAL,1,0,,\n"), "m.csv:2: `sim_time` is \"-1\""),
            (&*format!("{header}x,1.0000000001,0,INTERNAL,1,0,,\n"), "m.csv:2: `sim_time`"),
            (&*format!("{header}x,1,0,SEND,1,0,1;a,1\n"), "m.csv:2: `peer` is \"1;a\""),
        ];
        for (text, expected) in cases {
            let e = rows(text).unwrap_err().to_string();
            assert!(e.starts_with(expected), "{e:?} should start with {expected:?}");
        }
    }
}
