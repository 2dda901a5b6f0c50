//! The per-machine CSV logs (`machine-<id>.csv`): the row format, a streaming writer that
//! keeps memory flat however long the run, and the `system_time` formatting.
//!
//! # Format
//! A header row, then one row per event:
//! `system_time,sim_time,machine,event,clock,queue_len,peer,msg_clock`. No field ever
//! contains a comma or a quote, so no quoting is needed. See `docs/log-format.md`.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::base::{push_padded, DateTimeWriter, MachineId, SimTime, StartTime, NANOS_PER_SEC};
use crate::engine::{Event, EventDetail, EventSink, RunEnd};

/// The header row of every log.
pub(crate) const HEADER: &str = "system_time,sim_time,machine,event,clock,queue_len,peer,msg_clock\n";

/// Name of machine `id`'s log file.
pub(super) fn log_file_name(id: MachineId) -> String {
    format!("machine-{id}.csv")
}

/// Up to this many machines, every log file stays open for the whole run; beyond it, a
/// file is opened in append mode for each flush, so any machine count fits the OS's
/// open-file limit.
const MAX_OPEN_FILES: usize = 256;
/// Buffer memory shared by all machines' logs.
const BUFFER_BUDGET: usize = 32 << 20;

/// Formats `system_time`: start time + simulated time, to the microsecond.
#[derive(Debug, Clone)]
pub(crate) struct SystemTimeFormat {
    start_micros: i64,
    writer: DateTimeWriter,
}

impl SystemTimeFormat {
    /// Formatting for a run that starts at `start`.
    pub(crate) fn new(start: StartTime) -> Self {
        SystemTimeFormat { start_micros: start.micros_since_epoch(), writer: DateTimeWriter::default() }
    }

    /// Appends `YYYY-MM-DD HH:MM:SS.ffffff` for simulated time `t` (truncated to the microsecond).
    #[inline]
    pub(crate) fn write(&mut self, t: SimTime, out: &mut Vec<u8>) {
        self.writer.write(self.start_micros + (t.as_nanos() / 1_000) as i64, out);
    }
}

fn push_int(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// Appends one log row (with its newline) for `e`.
pub(crate) fn format_row(e: &Event<'_>, time_format: &mut SystemTimeFormat, out: &mut Vec<u8>) {
    time_format.write(e.time, out);
    out.push(b',');
    push_int(out, e.time.as_nanos() / NANOS_PER_SEC);
    out.push(b'.');
    push_padded(out, e.time.as_nanos() % NANOS_PER_SEC, 9);
    out.push(b',');
    push_int(out, e.machine.into());
    out.push(b',');
    out.extend_from_slice(e.detail.kind().name().as_bytes());
    out.push(b',');
    push_int(out, e.clock);
    out.push(b',');
    push_int(out, e.queue_len);
    out.push(b',');
    match e.detail {
        EventDetail::Send { to, msg_clock } => {
            for (n, &peer) in to.iter().enumerate() {
                if n > 0 {
                    out.push(b';');
                }
                push_int(out, peer.into());
            }
            out.push(b',');
            push_int(out, msg_clock);
        }
        EventDetail::Receive { from, msg_clock } => {
            push_int(out, from.into());
            out.push(b',');
            push_int(out, msg_clock);
        }
        EventDetail::Internal => out.push(b','),
    }
    out.push(b'\n');
}

/// One machine's log: a buffer and, while few machines run, an open file.
#[derive(Debug)]
struct MachineLog {
    path: PathBuf,
    buffer: Vec<u8>,
    file: Option<File>,
}

/// An [`EventSink`] writing every machine's CSV log into a directory.
///
/// Write errors (a full disk, a removed directory) come back from [`EventSink::event`] or
/// [`CsvLogs::finish`] with the file's path; nothing is dropped silently.
#[derive(Debug)]
pub struct CsvLogs {
    logs: Vec<MachineLog>,
    flush_at: usize,
    keep_open: bool,
    time_format: SystemTimeFormat,
}

fn with_path(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("writing {}: {e}", path.display()))
}

impl CsvLogs {
    /// Creates (truncating) `machine-<id>.csv` for `machines` machines in `dir`, each with
    /// its header row.
    pub fn create(dir: &Path, machines: usize, start: StartTime) -> io::Result<CsvLogs> {
        let keep_open = machines <= MAX_OPEN_FILES;
        let flush_at = (BUFFER_BUDGET / machines.max(1)).clamp(4 << 10, 256 << 10);
        let mut logs = Vec::with_capacity(machines);
        for id in 0..machines {
            let path = dir.join(log_file_name(id as MachineId));
            let file = File::create(&path).map_err(|e| with_path(&path, e))?;
            let mut buffer = Vec::with_capacity(if keep_open { flush_at } else { 0 });
            buffer.extend_from_slice(HEADER.as_bytes());
            logs.push(MachineLog { path, buffer, file: keep_open.then_some(file) });
        }
        Ok(CsvLogs { logs, flush_at, keep_open, time_format: SystemTimeFormat::new(start) })
    }

    fn flush_one(log: &mut MachineLog) -> io::Result<()> {
        if log.buffer.is_empty() {
            return Ok(());
        }
        match &mut log.file {
            Some(file) => file.write_all(&log.buffer),
            None => OpenOptions::new().append(true).open(&log.path).and_then(|mut f| f.write_all(&log.buffer)),
        }
        .map_err(|e| with_path(&log.path, e))?;
        log.buffer.clear();
        Ok(())
    }

    /// Writes out everything buffered and asks the OS to put it on disk, reporting any
    /// error (including ones a full disk reports late).
    pub fn finish(mut self) -> io::Result<()> {
        self.flush()?;
        for log in &mut self.logs {
            if let Some(file) = &mut log.file {
                file.sync_all().map_err(|e| with_path(&log.path, e))?;
            }
        }
        Ok(())
    }

    /// Writes out everything buffered (used when a run stops early, too).
    pub fn flush(&mut self) -> io::Result<()> {
        self.logs.iter_mut().try_for_each(Self::flush_one)
    }

    /// Whether files stay open for the whole run (few machines) or reopen per flush.
    pub fn keeps_files_open(&self) -> bool {
        self.keep_open
    }
}

impl EventSink for CsvLogs {
    #[inline]
    fn event(&mut self, e: &Event<'_>) -> io::Result<()> {
        let log = &mut self.logs[e.machine as usize];
        format_row(e, &mut self.time_format, &mut log.buffer);
        if log.buffer.len() >= self.flush_at {
            Self::flush_one(log)?;
        }
        Ok(())
    }

    /// However the run ended, what was logged is written out (a stopped run keeps the
    /// rows up to its stop); [`CsvLogs::finish`] then makes it durable.
    fn end(&mut self, _: &RunEnd<'_>) -> io::Result<()> {
        self.flush()
    }
}

/// An [`EventSink`] keeping every machine's log in memory (for tests, fuzzing and small
/// tools; a real run streams to files with [`CsvLogs`]).
#[derive(Debug, Clone)]
pub struct MemoryLogs {
    logs: Vec<Vec<u8>>,
    time_format: SystemTimeFormat,
}

impl MemoryLogs {
    /// Empty logs (each with its header row) for `machines` machines.
    pub fn new(machines: usize, start: StartTime) -> Self {
        MemoryLogs { logs: vec![HEADER.as_bytes().to_vec(); machines], time_format: SystemTimeFormat::new(start) }
    }

    /// The logs' bytes, in machine order: exactly what `machine-<id>.csv` would hold.
    pub fn into_logs(self) -> Vec<Vec<u8>> {
        self.logs
    }
}

impl EventSink for MemoryLogs {
    fn event(&mut self, e: &Event<'_>) -> io::Result<()> {
        format_row(e, &mut self.time_format, &mut self.logs[e.machine as usize]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> StartTime {
        StartTime::try_from("2026-11-25 23:59:59.999000".to_string()).unwrap()
    }

    #[test]
    fn rows_follow_the_spec_format() {
        let mut tf = SystemTimeFormat::new(start());
        let mut out = Vec::new();
        let to = [0, 2];
        let send = Event::new(SimTime(1_500), 1, 0, EventDetail::Send { to: &to, msg_clock: 4 }, 4, 0);
        format_row(&send, &mut tf, &mut out);
        let recv = Event {
            detail: EventDetail::Receive { from: 2, msg_clock: 9 },
            clock: 10,
            queue_len: 3,
            time: SimTime(2_000_000),
            ..send
        };
        format_row(&recv, &mut tf, &mut out);
        let internal =
            Event { detail: EventDetail::Internal, clock: 11, queue_len: 0, time: SimTime(61 * NANOS_PER_SEC), ..send };
        format_row(&internal, &mut tf, &mut out);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "2026-11-25 23:59:59.999001,0.000001500,1,SEND,4,0,0;2,4\n\
             2026-11-26 00:00:00.001000,0.002000000,1,RECEIVE,10,3,2,9\n\
             2026-11-26 00:01:00.999000,61.000000000,1,INTERNAL,11,0,,\n"
        );
    }

    #[test]
    fn write_errors_are_reported_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let mut logs = CsvLogs::create(dir.path(), 300, start()).unwrap();
        assert!(!logs.keeps_files_open());
        std::fs::remove_dir_all(dir.path()).unwrap();
        let err = logs.flush().unwrap_err();
        assert!(err.to_string().contains("machine-0.csv"), "{err}");
    }

    /// A full disk: `/dev/full` fails every write with ENOSPC.
    #[cfg(target_os = "linux")]
    #[test]
    fn full_disk_is_an_error_not_silent_loss() {
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("/dev/full", dir.path().join("machine-0.csv")).unwrap();
        let mut logs = CsvLogs::create(dir.path(), 1, start()).unwrap();
        let e = Event { time: SimTime(0), machine: 0, tick: 0, detail: EventDetail::Internal, clock: 1, queue_len: 0 };
        let mut result = Ok(());
        for _ in 0..10 {
            result = result.and_then(|_| logs.event(&e));
        }
        let err = result.and_then(|_| logs.finish()).unwrap_err();
        assert!(err.to_string().contains("machine-0.csv"), "{err}");
    }
}
