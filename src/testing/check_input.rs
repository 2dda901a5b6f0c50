//! Fuzz target `check_logs`'s laws: any bytes, read as a run folder, give `check` a report
//! or an error that says where, never a panic; and rows written by the log writer read
//! back unchanged.

use crate::analysis::{CheckContext, CheckError, LogReader, LogRow, ReadError, Report, SystemTimeField};
use crate::base::{log_file_name, EventKind, LamportTime, MachineId, SimTime, SCENARIO_FILE, SUMMARY_FILE};
use crate::engine::{Event, EventDetail};
use crate::scenario::{Scenario, StartTime};
use crate::sinks::{format_row, SystemTimeFormat, HEADER};
use crate::testing::ByteReader;

/// Longest input [`check_logs`] looks at; longer input is skipped.
pub const MAX_CHECK_INPUT: usize = 16 * 1024;
/// Largest number of machine logs [`decode_check_input`] makes.
pub const CHECK_MAX_MACHINES: u32 = 4;
/// The line that separates the sections of a [`check_logs`] input.
pub const CHECK_SECTION_SEPARATOR: &[u8] = b"%%\n";
/// Most rows [`check_logs`] decodes for its round trip through the log format.
pub const ROUND_TRIP_MAX_ROWS: usize = 16;
/// Bytes per row of the round trip (see [`decode_round_trip_rows`]).
pub const ROUND_TRIP_ROW_BYTES: usize = 53;

/// A run folder held in memory, as [`decode_check_input`] makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInput<'a> {
    /// The contents of `machine-0.csv`, `machine-1.csv`, ...
    pub logs: Vec<&'a [u8]>,
    /// The contents of `scenario.ron`, when the run has one.
    pub scenario: Option<&'a [u8]>,
    /// The contents of `summary.json`, when the run has one.
    pub summary: Option<&'a [u8]>,
    /// How many violations the report keeps (`check --max-violations`).
    pub max_reported: usize,
}

/// Decodes [`check_logs`]' input into a run folder in memory. Total: every byte string
/// gives a run.
///
/// | bytes | meaning |
/// |---|---|
/// | 0 | bits 0–1: `n = 1 + b % 4` machine logs; bit 2: the run has a `scenario.ron`; bit 3: it has a `summary.json`; bits 4–7: `max_reported` (0 to 15) |
/// | 1.. | the files, in the order `machine-0.csv` .. `machine-<n-1>.csv`, then `scenario.ron` (bit 2), then `summary.json` (bit 3), separated by lines `%%` ([`CHECK_SECTION_SEPARATOR`], `%%\n` at the start of these bytes or right after a `\n`) |
///
/// A file's newline before a separator is part of the file. The last file takes all the
/// bytes after its separator (separators included); files with no bytes left are empty.
/// An empty input is one empty log. `fuzz/make_check_seeds.py` packs run folders this way.
pub fn decode_check_input(data: &[u8]) -> CheckInput<'_> {
    let flags = data.first().copied().unwrap_or(0);
    let n = 1 + usize::from(flags % CHECK_MAX_MACHINES as u8);
    let has_scenario = flags & 4 != 0;
    let has_summary = flags & 8 != 0;
    let sections = n + usize::from(has_scenario) + usize::from(has_summary);
    let mut rest = data.get(1..).unwrap_or(&[]);
    let mut files = Vec::with_capacity(sections);
    while files.len() + 1 < sections {
        let at_start = rest.starts_with(CHECK_SECTION_SEPARATOR).then_some(0);
        let after_newline = || {
            rest.windows(1 + CHECK_SECTION_SEPARATOR.len())
                .position(|w| w[0] == b'\n' && &w[1..] == CHECK_SECTION_SEPARATOR)
                .map(|i| i + 1)
        };
        match at_start.or_else(after_newline) {
            Some(i) => {
                files.push(&rest[..i]);
                rest = &rest[i + CHECK_SECTION_SEPARATOR.len()..];
            }
            None => {
                files.push(rest);
                rest = &[];
            }
        }
    }
    files.push(rest);
    let summary = has_summary.then(|| files.pop().expect("a section per file"));
    let scenario = has_scenario.then(|| files.pop().expect("a section per file"));
    CheckInput { logs: files, scenario, summary, max_reported: usize::from(flags >> 4) }
}

/// Checks a run folder held in memory with the code `lamport-sim check` runs on a folder
/// ([`crate::analysis::check_dir`]): `scenario.ron` decoded by [`crate::scenario::ron_text`]
/// and parsed by [`Scenario::from_ron_str`] (as [`Scenario::load`] does after reading the
/// file), the context built by [`CheckContext::for_run`], the logs named
/// `machine-<id>.csv` read by [`LogReader`]s (one the scenario names but the run lacks
/// fails as a file that cannot be opened) and checked by [`crate::analysis::check_logs`].
pub fn check_in_memory(input: &CheckInput<'_>) -> Result<Report, CheckError> {
    let scenario = match input.scenario {
        None => None,
        Some(bytes) => Some(Scenario::from_ron_str(crate::scenario::ron_text(bytes, SCENARIO_FILE)?, SCENARIO_FILE)?),
    };
    let ctx = CheckContext::for_run(
        scenario.map(|s| (s, SCENARIO_FILE)),
        input.summary.map(|b| (b, SUMMARY_FILE)),
        input.max_reported,
    )?;
    let machines = ctx.machines().unwrap_or(input.logs.len() as u32);
    let readers = (0..machines)
        .map(|id| {
            let name = log_file_name(id);
            match input.logs.get(id as usize) {
                Some(bytes) => LogReader::new(&name, *bytes),
                None => Err(ReadError { file: name, line: 0, message: "cannot open: not in the run".to_string() }),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    crate::analysis::check_logs(readers, &ctx)
}

/// Fuzz target `check_logs`: any bytes as a run folder for `lamport-sim check`, and the
/// same bytes as rows for a round trip through the log format.
///
/// Input longer than [`MAX_CHECK_INPUT`] is skipped. Otherwise:
/// 1. **check**: [`check_in_memory`] of [`decode_check_input`]'s run returns, without
///    panicking, either a report or an error, and:
///    - an error's message is not empty; a read error names one of the run's files and,
///      for a log or `summary.json` the run has, a line in it (1 to the file's line-ending
///      count + 1, where `\n`, `\r\n` and a lone `\r` each end a line); a scenario error
///      names `scenario.ron`;
///    - a report covers the machines checked, counts every violation and keeps the first
///      `max_reported`, passes exactly when it counts none, and each violation it keeps
///      names a log with a line in it, or `summary.json`, and says what is wrong;
/// 2. **round trip**: the rows [`decode_round_trip_rows`] makes of the bytes, written by
///    [`format_row`] under [`HEADER`], read back by a [`LogReader`] as the same rows
///    (time, machine, event, clock, queue length, peers, `msg_clock`, line numbers) and
///    nothing more.
///
/// # Panics
/// When one of these laws is broken (a bug in the log reader or the checker), never
/// otherwise.
pub fn check_logs(data: &[u8]) {
    if data.len() > MAX_CHECK_INPUT {
        return;
    }
    let input = decode_check_input(data);
    let outcome = check_in_memory(&input);
    check_outcome(&input, &outcome);
    round_trip(data);
}

/// Whether `line` is a line of `file`: 1 to its line-ending count + 1.
fn line_in(file: &[u8], line: u64) -> bool {
    // Line endings as the log reader counts them: `\n`, `\r\n` and a lone `\r`.
    let lone_crs =
        file.windows(2).filter(|w| w[0] == b'\r' && w[1] != b'\n').count() + usize::from(file.ends_with(b"\r"));
    let endings = file.iter().filter(|&&b| b == b'\n').count() + lone_crs;
    (1..=endings as u64 + 1).contains(&line)
}

/// [`check_logs`]' laws on the outcome of a check.
fn check_outcome(input: &CheckInput<'_>, outcome: &Result<Report, CheckError>) {
    let log_id = |file: &str| -> Option<usize> { file.strip_prefix("machine-")?.strip_suffix(".csv")?.parse().ok() };
    let log = |file: &str| log_id(file).and_then(|id| input.logs.get(id).copied());
    match outcome {
        Ok(report) => {
            if input.scenario.is_none() {
                assert_eq!(report.machines as usize, input.logs.len(), "without a scenario every log is checked");
            } else {
                assert!(report.machines as usize <= input.logs.len(), "a checked machine has a log");
            }
            assert!(!report.checks.is_empty(), "a report says what it checked");
            assert_eq!(report.passed(), report.violation_count == 0, "a report passes when it counts no violation");
            assert_eq!(
                report.violations.len() as u64,
                report.violation_count.min(input.max_reported as u64),
                "a report keeps the first max_reported violations"
            );
            for v in &report.violations {
                assert!(!v.reason.is_empty(), "a violation says what is wrong: {v}");
                if v.file == SUMMARY_FILE {
                    assert!(input.summary.is_some(), "a violation of summary.json in a run without one: {v}");
                    continue;
                }
                let checked = log_id(&v.file).is_some_and(|id| id < report.machines as usize);
                let (true, Some(bytes)) = (checked, log(&v.file)) else {
                    panic!("a violation names a file that is not a checked log: {v}");
                };
                let line = v.line.unwrap_or_else(|| panic!("a violation in a log names a line: {v}"));
                assert!(line_in(bytes, line), "a violation names a line of its log: {v}");
            }
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty(), "an error has a message: {e:?}");
            match e {
                CheckError::Read(e) => {
                    if e.file == SUMMARY_FILE {
                        let bytes = input.summary.unwrap_or_else(|| panic!("an error of a missing summary.json: {e}"));
                        assert!(line_in(bytes, e.line), "a summary.json error names a line of it: {e}");
                    } else if let Some(bytes) = log(&e.file) {
                        assert!(line_in(bytes, e.line), "a read error names a line of its log: {e}");
                    } else {
                        let names_a_missing_log = e.file.starts_with("machine-") && input.scenario.is_some();
                        assert!(names_a_missing_log, "a read error names a file of the run: {e}");
                        assert!(e.message.starts_with("cannot open"), "a missing log cannot be opened: {e}");
                    }
                }
                CheckError::Scenario(_) => {
                    assert!(input.scenario.is_some(), "a scenario error in a run without one: {message}");
                    assert!(message.contains(SCENARIO_FILE), "a scenario error names scenario.ron: {message}");
                }
                CheckError::Layout(_) => panic!("a run in memory has no folder layout to get wrong: {message}"),
            }
        }
    }
}

/// One row of [`check_logs`]' round trip: an event's fields, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundTripRow {
    /// `sim_time` in nanoseconds.
    pub time: u64,
    /// The machine.
    pub machine: MachineId,
    /// 0 SEND, 1 RECEIVE, 2 INTERNAL.
    pub kind: u8,
    /// The clock.
    pub clock: LamportTime,
    /// The queue length.
    pub queue_len: u64,
    /// SEND: the receivers; RECEIVE: the sender; INTERNAL: none.
    pub peers: Vec<MachineId>,
    /// The timestamp a SEND's messages carry or a RECEIVE's message carried.
    pub msg_clock: LamportTime,
}

/// Decodes [`check_logs`]' input a second way, as rows for the round trip: one row per
/// [`ROUND_TRIP_ROW_BYTES`] bytes (at least one, at most [`ROUND_TRIP_MAX_ROWS`]); missing
/// bytes read as 0. Numbers are little-endian and take any value of their type.
///
/// | bytes of a row | field |
/// |---|---|
/// | 0 | event: `b % 3` (SEND, RECEIVE, INTERNAL); a SEND has `(b / 3) % 5` receivers (0 to 4) |
/// | 1–8 | `sim_time` in ns (`u64`) |
/// | 9–12 | `machine` (`u32`) |
/// | 13–20 | `clock` (`u64`) |
/// | 21–28 | `queue_len` (`u64`) |
/// | 29–36 | `msg_clock` (`u64`, SEND and RECEIVE) |
/// | 37–52 | peers: four `u32`, the first the RECEIVE's sender or the SEND's receivers |
pub fn decode_round_trip_rows(data: &[u8]) -> Vec<RoundTripRow> {
    let count = (1 + data.len() / ROUND_TRIP_ROW_BYTES).min(ROUND_TRIP_MAX_ROWS);
    let mut r = ByteReader { data, at: 0 };
    (0..count)
        .map(|_| {
            let kind_byte = r.byte();
            let (time, machine, clock, queue_len, msg_clock) = (r.le(8), r.le(4) as u32, r.le(8), r.le(8), r.le(8));
            let peers: Vec<MachineId> = (0..4).map(|_| r.le(4) as u32).collect();
            let kind = kind_byte % 3;
            let peers = match kind {
                0 => peers[..usize::from(kind_byte / 3 % 5)].to_vec(),
                1 => peers[..1].to_vec(),
                _ => vec![],
            };
            RoundTripRow {
                time,
                machine,
                kind,
                clock,
                queue_len,
                peers,
                msg_clock: if kind == 2 { 0 } else { msg_clock },
            }
        })
        .collect()
}

/// [`check_logs`]' round trip: rows written by [`format_row`] read back unchanged.
fn round_trip(data: &[u8]) {
    let rows = decode_round_trip_rows(data);
    let mut text = HEADER.as_bytes().to_vec();
    let mut time_format = SystemTimeFormat::new(StartTime::SEEDED_DEFAULT);
    for (i, row) in rows.iter().enumerate() {
        let kind = match row.kind {
            0 => EventDetail::Send { to: &row.peers, msg_clock: row.msg_clock },
            1 => EventDetail::Receive { from: row.peers[0], msg_clock: row.msg_clock },
            _ => EventDetail::Internal,
        };
        let event = Event::new(SimTime(row.time), row.machine, i as u64, kind, row.clock, row.queue_len);
        format_row(&event, &mut time_format, &mut text);
    }
    let shown = || String::from_utf8_lossy(&text).into_owned();
    let mut reader = match LogReader::new("round-trip.csv", text.as_slice()) {
        Ok(reader) => reader,
        Err(e) => panic!("the log header must read: {e}\n{}", shown()),
    };
    for (i, row) in rows.iter().enumerate() {
        let read = match reader.next_row() {
            Ok(Some(read)) => read,
            Ok(None) => panic!("row {i} of {} is missing when read back\n{}", rows.len(), shown()),
            Err(e) => panic!("a row written by format_row must read back: {e}\n{}", shown()),
        };
        let expected = LogRow {
            line: i as u64 + 2,
            sim_nanos: row.time,
            machine: row.machine,
            event: [EventKind::Send, EventKind::Receive, EventKind::Internal][usize::from(row.kind)],
            clock: row.clock,
            queue_len: row.queue_len,
            peers: row.peers.clone(),
            msg_clock: (row.kind != 2).then_some(row.msg_clock),
            system_time: SystemTimeField::Micros(
                StartTime::SEEDED_DEFAULT.micros_since_epoch() + (row.time / 1_000) as i64,
            ),
        };
        assert_eq!(read, expected, "row {i} reads back as written\n{}", shown());
    }
    match reader.next_row() {
        Ok(None) => {}
        other => panic!("nothing after the rows written, but {other:?}\n{}", shown()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_input_splits_on_separator_lines() {
        let empty = decode_check_input(b"");
        assert_eq!((empty.logs, empty.scenario, empty.summary, empty.max_reported), (vec![&b""[..]], None, None, 0));
        // 3 logs, a scenario and a summary, max_reported 5. The first log is empty; `%%` not
        // at the start of a line separates nothing; the last file keeps later separators.
        let data = b"\x5e%%\na,b%%\nc\n%%\n\n%%\n()\n%%\n{}\n%%\nx";
        let input = decode_check_input(data);
        assert_eq!(input.logs, vec![&b""[..], b"a,b%%\nc\n", b"\n"]);
        assert_eq!(
            (input.scenario, input.summary, input.max_reported),
            (Some(&b"()\n"[..]), Some(&b"{}\n%%\nx"[..]), 5)
        );
        // Files with no bytes left are empty.
        let short = decode_check_input(b"\x0fa\n");
        assert_eq!(short.logs, vec![&b"a\n"[..], b"", b"", b""]);
        assert_eq!((short.scenario, short.summary), (Some(&b""[..]), Some(&b""[..])));
        check_logs(data);
        check_logs(b"\x0fa\n");
    }

    #[test]
    fn round_trip_rows_take_any_value() {
        assert_eq!(decode_round_trip_rows(b"").len(), 1);
        let rows = decode_round_trip_rows(&[0xff; 4 * ROUND_TRIP_ROW_BYTES]);
        assert_eq!(rows.len(), 5);
        // 255 % 3 = 0: a SEND to (255 / 3) % 5 = 0 receivers, every number at its largest.
        let expected = RoundTripRow {
            time: u64::MAX,
            machine: u32::MAX,
            kind: 0,
            clock: u64::MAX,
            queue_len: u64::MAX,
            peers: vec![],
            msg_clock: u64::MAX,
        };
        assert_eq!(rows[0], expected);
        round_trip(&[0xff; 4 * ROUND_TRIP_ROW_BYTES]);
        assert_eq!(decode_round_trip_rows(&[7; 100 * ROUND_TRIP_ROW_BYTES]).len(), ROUND_TRIP_MAX_ROWS);
    }
}
