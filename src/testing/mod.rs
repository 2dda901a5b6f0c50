//! The bodies of the fuzz targets in `fuzz/`, as plain functions of `&[u8]`, so that
//! cargo-fuzz (each target is a one-line wrapper) and a stable `cargo test` (which replays
//! the committed seeds and crash reproducers, `tests/fuzz_corpus.rs`) run the same checks.
//!
//! Every function here accepts any bytes. It returns normally for input it refuses or skips
//! (too long, not UTF-8, an invalid scenario) and panics only when a law of the simulator
//! is broken, that is on a real bug; the panic message says which law. [`parse_scenario`]
//! also says which way its input went ([`ParseOutcome`]), so tests can tell a skip from a
//! refusal from a resolved scenario.
//!
//! | function | input | laws |
//! |---|---|---|
//! | [`parse_scenario`] | scenario text, up to [`MAX_PARSE_INPUT`] bytes | an error, or a scenario that round-trips through RON, resolves, and whose resolved form round-trips |
//! | [`run_scenario`] | up to [`MAX_RUN_INPUT`] bytes, decoded by [`decode_run_input`] | the engine's clock, tick, order and message laws (see [`run_scenario`]) |
//! | [`check_logs`] | up to [`MAX_CHECK_INPUT`] bytes, decoded by [`decode_check_input`] into a run folder (and by [`decode_round_trip_rows`] into rows) | `check` gives a report or an error that says where, never a panic; rows written by [`format_row`] read back unchanged |

//!
//! Also here, for the crate's own tests and benchmarks: runs kept in memory, checks of them,
//! and the tick-queue variants the benchmarks compare. None of it is part of the API: it is
//! compiled only with the `testing` feature, which the tests, benches and fuzz targets
//! enable.

mod check_input;
mod memory;
mod parse;
mod run_laws;

pub use crate::engine::{
    AutoTickQueue, HeapTickQueue, IndexedTickQueue, ScanTickQueue, TickQueue, TickQueueUser, SCAN_MAX_MACHINES,
};
pub use check_input::{
    check_in_memory, check_logs, decode_check_input, decode_round_trip_rows, CheckInput, RoundTripRow,
    CHECK_MAX_MACHINES, CHECK_SECTION_SEPARATOR, MAX_CHECK_INPUT, ROUND_TRIP_MAX_ROWS, ROUND_TRIP_ROW_BYTES,
};
pub use memory::{check_memory_logs, check_memory_run, run_in_memory, MemoryRun};
pub use parse::{parse_scenario, ParseOutcome, MAX_PARSE_INPUT, MAX_PARSE_MACHINES};
pub use run_laws::{
    decode_run_input, run_scenario, MAX_RUN_INPUT, RUN_MAX_DURATION_MICROS, RUN_MAX_MACHINES, RUN_MAX_RATE,
};

use crate::scenario::{Fresh, StartTime};

/// What a fuzzed scenario leaves open (the same values the tests use).
const FRESH: Fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };
const ORIGIN: &str = "<fuzz>";

/// Reads bytes in order; past the end every byte reads as 0, so any input decodes.
struct ByteReader<'a> {
    data: &'a [u8],
    at: usize,
}

impl ByteReader<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    /// `len` bytes as a little-endian unsigned number.
    fn le(&mut self, len: u32) -> u64 {
        (0..len).fold(0, |n, i| n | u64::from(self.byte()) << (8 * i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::SimDuration;
    use crate::scenario::NetworkDelay;

    /// The resolved scenario of `text`, or a panic naming the outcome it had instead.
    fn resolved(text: &[u8]) -> crate::scenario::Resolved {
        match parse_scenario(text) {
            ParseOutcome::Resolved(r) => *r,
            other => panic!("{}: expected a resolved scenario, got {other:?}", String::from_utf8_lossy(text)),
        }
    }

    #[test]
    fn parse_accepts_the_classic_and_refuses_garbage() {
        // The empty scenario is the classic experiment: 3 machines, rates drawn from 1..=6,
        // 60 s.
        let classic = resolved(b"()");
        assert_eq!(classic.machines.len(), 3);
        assert!(classic.machines.iter().all(|m| (1..=6).contains(&m.rate)), "{:?}", classic.machines);
        assert_eq!(classic.duration, SimDuration::from_secs(60));

        // Explicit rates, seed and delay come through as written.
        let each = resolved(b"(rates: Each([1, 3, 6]), seed: 4, network_delay: Fixed(\"5ms\"))");
        assert_eq!(each.machines.iter().map(|m| m.rate).collect::<Vec<_>>(), [1, 3, 6]);
        assert_eq!(each.seed, 4);
        assert_eq!(each.network_delay, NetworkDelay::Fixed(SimDuration(5_000_000)));

        match parse_scenario(b"(machines: 0)") {
            ParseOutcome::Refused(message) => {
                assert!(message.contains("machines must be between 1 and"), "{message}")
            }
            other => panic!("(machines: 0) must be refused, got {other:?}"),
        }
        // Read and round-tripped, but too many machines to resolve here.
        let many = format!("(machines: {})", MAX_PARSE_MACHINES + 1);
        assert_eq!(parse_scenario(many.as_bytes()), ParseOutcome::TooManyMachines);
        assert!(matches!(
            parse_scenario(format!("(machines: {MAX_PARSE_MACHINES})").as_bytes()),
            ParseOutcome::Resolved(_)
        ));

        // Not UTF-8: skipped.
        assert_eq!(parse_scenario(&[0xff, 0xfe]), ParseOutcome::Skipped);
        // The classic padded with blanks: resolved at exactly MAX_PARSE_INPUT bytes, skipped
        // one byte over.
        let mut padded = b"()".to_vec();
        padded.resize(MAX_PARSE_INPUT, b' ');
        assert!(matches!(parse_scenario(&padded), ParseOutcome::Resolved(_)));
        padded.push(b' ');
        assert_eq!(parse_scenario(&padded), ParseOutcome::Skipped);
    }
}
