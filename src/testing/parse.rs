//! Fuzz target `parse_scenario`'s laws: scenario text is refused with an error, or reads,
//! round-trips through RON and resolves to a scenario that round-trips too.

use crate::base::min_tick_gap;
use crate::scenario::{Resolved, Scenario, MAX_RATE};
use crate::testing::{FRESH, ORIGIN};

/// Longest input [`parse_scenario`] looks at; longer input is skipped.
pub const MAX_PARSE_INPUT: usize = 4096;
/// [`parse_scenario`] resolves scenarios of at most this many machines (only to keep each
/// input fast; larger counts are parsed and round-tripped but not resolved).
pub const MAX_PARSE_MACHINES: u32 = 1000;

/// What [`parse_scenario`] made of its input, once every law it checks held. The fuzz
/// target ignores it; tests use it to see that an input went the way they meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseOutcome {
    /// Not looked at: longer than [`MAX_PARSE_INPUT`] bytes, or not UTF-8.
    Skipped,
    /// [`Scenario::from_ron_str`] refused the text; its error's message (never empty).
    Refused(String),
    /// The text read as a scenario and round-tripped through RON, but it has more than
    /// [`MAX_PARSE_MACHINES`] machines, so it was not resolved.
    TooManyMachines,
    /// The text read as a scenario and round-tripped, but [`Scenario::resolve`] refused it
    /// (a limit only the drawn rates break); its error's message (never empty).
    ResolveRefused(String),
    /// The scenario resolved to this, and its `scenario.ron` text read back and resolved to
    /// the same.
    Resolved(Box<Resolved>),
}

/// Fuzz target `parse_scenario`: any bytes as scenario text.
///
/// Input longer than [`MAX_PARSE_INPUT`] or not UTF-8 is skipped. Otherwise
/// [`Scenario::from_ron_str`] either refuses the text with an error (whose message is
/// formatted, and must not be empty), or returns a scenario such that:
/// 1. its [`Scenario::to_ron`] text parses back to the same scenario;
/// 2. (up to [`MAX_PARSE_MACHINES`] machines) [`Scenario::resolve`] refuses it with an
///    error or resolves it to one machine setup per machine, each rate in `1..=MAX_RATE`
///    and each phase shorter than its tick period;
/// 3. the resolved scenario's `scenario.ron` text ([`Resolved::to_ron`]) parses back to
///    [`Resolved::to_scenario`] and resolves to the same resolved scenario.
///
/// Returns which way the input went ([`ParseOutcome`]).
///
/// # Panics
/// When one of these laws is broken (a bug in the scenario code), never otherwise.
pub fn parse_scenario(data: &[u8]) -> ParseOutcome {
    if data.len() > MAX_PARSE_INPUT {
        return ParseOutcome::Skipped;
    }
    let Ok(text) = std::str::from_utf8(data) else { return ParseOutcome::Skipped };
    let scenario = match Scenario::from_ron_str(text, ORIGIN) {
        Ok(scenario) => scenario,
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty(), "an error has a message");
            return ParseOutcome::Refused(message);
        }
    };
    let written = scenario.to_ron();
    match Scenario::from_ron_str(&written, ORIGIN) {
        Ok(again) => assert_eq!(again, scenario, "a scenario's RON reads back the same; RON:\n{written}"),
        Err(e) => panic!("a scenario's own RON must parse: {e}; RON:\n{written}"),
    }
    if scenario.machine_count() > MAX_PARSE_MACHINES {
        return ParseOutcome::TooManyMachines;
    }
    // Resolving may refuse what only fails with the drawn rates; it must not panic.
    let resolved = match scenario.resolve(FRESH, ORIGIN) {
        Ok(resolved) => resolved,
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty(), "an error has a message");
            return ParseOutcome::ResolveRefused(message);
        }
    };
    assert_eq!(resolved.machines.len() as u32, scenario.machine_count(), "one setup per machine");
    for (i, m) in resolved.machines.iter().enumerate() {
        assert!((1..=MAX_RATE).contains(&m.rate), "machine {i}: rate {} out of range", m.rate);
        assert!(m.phase < min_tick_gap(m.rate), "machine {i}: phase {} not below its period", m.phase);
    }
    let text = resolved.to_ron();
    let back = match Scenario::from_ron_str(&text, ORIGIN) {
        Ok(back) => back,
        Err(e) => panic!("a resolved scenario's RON must parse: {e}; RON:\n{text}"),
    };
    assert_eq!(back, resolved.to_scenario(), "scenario.ron reads back as the explicit scenario");
    match back.resolve(FRESH, ORIGIN) {
        Ok(again) => assert_eq!(again, resolved, "scenario.ron resolves to the same run"),
        Err(e) => panic!("a resolved scenario must resolve again: {e}; RON:\n{text}"),
    }
    ParseOutcome::Resolved(Box::new(resolved))
}
