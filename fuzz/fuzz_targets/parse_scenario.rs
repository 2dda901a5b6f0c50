//! Fuzz target: any text is refused with an error, or parses, round-trips through RON and
//! resolves to a scenario that round-trips too. The checks live in
//! `lamport_sim::testing::parse_scenario`, which `cargo test` also runs on the seeds.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // Which way the input went (`ParseOutcome`) is for tests; the fuzzer looks for panics.
    let _ = lamport_sim::testing::parse_scenario(data);
});
