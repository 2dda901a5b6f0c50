//! Integration tests: one binary, one module per area.

mod util;

mod batch;
mod cli;
mod conventions;
mod determinism;
mod docs;
mod fuzz_corpus;
mod golden;
mod malformed;
mod model_statistics;
mod mutation;
mod properties;
mod scenarios;
