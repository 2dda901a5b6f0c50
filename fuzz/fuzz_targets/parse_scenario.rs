//! Fuzz target: any text either fails to parse as a scenario with an error, or parses,
//! resolves, and its resolved form round-trips through RON unchanged. Never a panic.
#![no_main]

use lamport_sim::scenario::{Fresh, Scenario, StartTime};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(scenario) = Scenario::from_ron_str(text, "<fuzz>") else { return };
    // Resolving may reject what only fails with drawn rates; it must not panic. Very large
    // machine counts are skipped only to keep each input fast.
    if scenario.machine_count() > 1000 {
        return;
    }
    let fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };
    if let Ok(resolved) = scenario.resolve(fresh, "<fuzz>") {
        let text = resolved.to_ron();
        let back = Scenario::from_ron_str(&text, "<fuzz>").expect("a resolved scenario parses");
        assert_eq!(back.resolve(fresh, "<fuzz>").expect("and resolves"), resolved);
    }
});
