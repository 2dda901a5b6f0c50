//! Integration tests: one binary, one module per area.

mod util;

mod batch;
mod cli;
mod determinism;
mod fuzz_corpus;
mod golden;
mod malformed;
mod mutation;
mod properties;
mod scenarios;
