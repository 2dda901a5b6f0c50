//! The bodies of the fuzz targets in `fuzz/`, as plain functions of `&[u8]`, so that
//! cargo-fuzz (each target is a one-line wrapper) and a stable `cargo test` (which replays
//! the committed seeds and crash reproducers, `tests/fuzz_corpus.rs`) run the same checks.
//!
//! Every function here accepts any bytes. It returns normally for input it refuses or skips
//! (too long, not UTF-8, an invalid scenario) and panics only when a law of the simulator
//! is broken, that is on a real bug; the panic message says which law.
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
pub use parse::{parse_scenario, MAX_PARSE_INPUT, MAX_PARSE_MACHINES};
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

    #[test]
    fn parse_accepts_the_classic_and_refuses_garbage() {
        parse_scenario(b"()");
        parse_scenario(b"(rates: Each([1, 3, 6]), seed: 4, network_delay: Fixed(\"5ms\"))");
        parse_scenario(b"(machines: 0)");
        parse_scenario(&[0xff, 0xfe]);
        parse_scenario(&vec![b' '; MAX_PARSE_INPUT + 1]);
    }
}
