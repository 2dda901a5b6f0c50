//! Fuzz target: any bytes decode to a small scenario whose run keeps the engine's laws
//! (Lamport clock rules, tick counts, message conservation, tick-queue agreement). The
//! checks live in `lamport_sim::testing::run_scenario`, which `cargo test` also runs
//! on the seeds.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lamport_sim::testing::run_scenario(data));
