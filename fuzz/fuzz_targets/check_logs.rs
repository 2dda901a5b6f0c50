//! Fuzz target: any bytes, read as a run folder (machine logs, `scenario.ron`,
//! `summary.json`), give `lamport-sim check` a report or an error that says where, never a
//! panic; and rows written by the log writer read back unchanged. The checks live in
//! `lamport_sim::testing::check_logs`, which `cargo test` also runs on the seeds.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lamport_sim::testing::check_logs(data));
