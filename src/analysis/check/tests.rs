//! The checker on runs of the engine with hand-made faults, and on logs written by hand.

use super::*;
use crate::testing::{check_memory_logs, check_memory_run, run_in_memory, MemoryRun};

fn resolved(ron: &str) -> Resolved {
    let fresh = Fresh { seed: 0, start_time: StartTime::SEEDED_DEFAULT };
    Scenario::from_ron_str(ron, "<test>").unwrap().resolve(fresh, "<test>").unwrap()
}

#[test]
fn a_correct_run_passes_every_check() {
    let s = resolved("(rates: Each([1, 3, 6]), duration: \"40s\", seed: 3)");
    let report = check_memory_run(&run_in_memory(&s), &s).unwrap();
    assert!(report.passed(), "{:?}", report.violations);
    assert_eq!(report.events(), 400);
    assert_eq!(report.checks.len(), 7);
}

/// `log` with its lines (0 is the header) changed by `edit`.
fn edit_lines(log: &[u8], edit: impl FnOnce(&mut Vec<String>)) -> Vec<u8> {
    let mut lines: Vec<String> = std::str::from_utf8(log).unwrap().lines().map(String::from).collect();
    edit(&mut lines);
    (lines.join("\n") + "\n").into_bytes()
}

/// Sets field `field` of CSV line `line` to `value`.
fn set_field(lines: &mut [String], line: usize, field: usize, value: impl FnOnce(&str) -> String) {
    let mut fields: Vec<String> = lines[line].split(',').map(String::from).collect();
    fields[field] = value(&fields[field]);
    lines[line] = fields.join(",");
}

#[test]
fn a_changed_clock_is_caught_at_its_line() {
    let s = resolved("(rates: Each([2, 3, 4]), duration: \"20s\", seed: 3)");
    let mut run = run_in_memory(&s);
    run.logs[1] = edit_lines(&run.logs[1], |lines| {
        set_field(lines, 10, 4, |clock| (clock.parse::<u64>().unwrap() + 5).to_string())
    });
    let report = check_memory_run(&run, &s).unwrap();
    let first = &report.violations[0];
    assert_eq!((first.file.as_str(), first.line), ("machine-1.csv", Some(11)), "{first}");
}

/// Checks `run` against `scenario` with `summary` in place of the run's own.
fn check_with(run: &MemoryRun, scenario: &Resolved, summary: serde_json::Value) -> Report {
    check_memory_logs(&run.logs, Some(scenario), Some(summary)).unwrap()
}

#[test]
fn every_figure_of_the_summary_is_checked_against_the_logs() {
    let s = resolved("(rates: Each([1, 3, 6]), duration: \"30s\", seed: 5)");
    let run = run_in_memory(&s);
    let summary = serde_json::to_value(&run.summary).unwrap();
    assert!(check_with(&run, &s, summary.clone()).passed());
    // One figure at a time, overall and per machine, integer and fractional.
    for (path, expected) in [
        ("/overall/messages_sent", "overall: messages_sent is 999"),
        ("/overall/max_final_clock", "overall: max_final_clock is 999"),
        ("/overall/events/total", "overall: events.total is 999"),
        ("/machines/1/max_queue_len", "machine 1: max_queue_len is 999"),
        ("/machines/2/max_clock_jump", "machine 2: max_clock_jump is 999"),
        ("/machines/0/mean_receive_jump", "machine 0: mean_receive_jump is 999"),
        ("/machines/0/queue_growth_per_min", "machine 0: queue_growth_per_min is 999"),
        ("/seed", "seed is 999"),
    ] {
        let mut edited = summary.clone();
        *edited.pointer_mut(path).unwrap() = serde_json::json!(999);
        let report = check_with(&run, &s, edited);
        let reasons: Vec<String> = report.violations.iter().map(|v| v.to_string()).collect();
        assert_eq!(reasons.len(), 1, "{path}: {reasons:?}");
        assert!(reasons[0].starts_with(&format!("summary.json: {expected}, but the logs give ")), "{reasons:?}");
    }
    // A fingerprint that is not the logs' own.
    let mut edited = summary.clone();
    edited["fingerprint"] = "0123456789abcdef".into();
    let report = check_with(&run, &s, edited);
    assert!(report.violations[0].reason.starts_with("fingerprint is \"0123456789abcdef\""), "{:?}", report.violations);
    // Another version's fingerprint is not compared, and the report says so.
    let mut edited = summary;
    edited["fingerprint"] = "0123456789abcdef".into();
    edited["lamport_sim_version"] = "0.0.1".into();
    let report = check_with(&run, &s, edited);
    assert!(report.passed(), "{:?}", report.violations);
    assert!(report.notes[0].contains("0.0.1"), "{:?}", report.notes);
}

#[test]
fn system_time_is_start_time_plus_sim_time() {
    let s = resolved("(rates: Each([2, 3, 4]), duration: \"20s\", seed: 3)");
    let mut run = run_in_memory(&s);
    // The second row's system_time ten seconds early.
    run.logs[2] =
        edit_lines(&run.logs[2], |lines| lines[2] = lines[2].replacen("2000-01-01 00:00:0", "1999-12-31 23:59:5", 1));
    let report = check_memory_run(&run, &s).unwrap();
    let line = 3;
    let v = &report.violations[0];
    assert_eq!((v.file.as_str(), v.line), ("machine-2.csv", Some(line)), "{v}");
    assert!(v.reason.starts_with("system_time 1999-12-31 23:59:5"), "{v}");
    // The scenario's start time, a year later: every row is off.
    let mut later = s.clone();
    later.start_time = StartTime::try_from("2001-01-01 00:00:00".to_string()).unwrap();
    let report = check_memory_run(&run_in_memory(&s), &later).unwrap();
    assert_eq!(report.violation_count, report.events(), "{:?}", &report.violations[..3]);
}

/// Checks logs alone (no scenario.ron), with `summary` when given.
fn check_without_scenario(logs: &[Vec<u8>], summary: Option<serde_json::Value>) -> Report {
    check_memory_logs(logs, None, summary).unwrap()
}

#[test]
fn without_a_scenario_the_summary_is_rebuilt_from_its_own_rates_and_phases() {
    let s = resolved("(rates: Each([2, 5]), duration: \"20s\", seed: 8, network_delay: Fixed(\"700ms\"))");
    let run = run_in_memory(&s);
    let summary = serde_json::to_value(&run.summary).unwrap();
    let report = check_without_scenario(&run.logs, Some(summary.clone()));
    assert!(report.passed(), "{:?}", report.violations);
    // A wrong figure is still caught, and figures past u64 neither overflow nor pass.
    let mut edited = summary.clone();
    edited["machines"][1]["final_clock"] = 1.into();
    let v = &check_without_scenario(&run.logs, Some(edited)).violations[0];
    assert!(v.reason.starts_with("machine 1: final_clock is 1, but the logs give"), "{v}");
    let mut huge = summary;
    for m in 0..2 {
        huge["machines"][m]["ticks"] = u64::MAX.into();
    }
    let report = check_without_scenario(&run.logs, Some(huge));
    assert!(report.violations.iter().any(|v| v.reason.starts_with("overall: ticks is")), "{:?}", report.violations);
}

#[test]
fn without_a_scenario_system_time_must_read_and_never_go_back() {
    let s = resolved("(rates: Each([2, 3]), duration: \"10s\", seed: 8)");
    let mut run = run_in_memory(&s);
    assert!(check_without_scenario(&run.logs, None).passed());
    run.logs[1] = edit_lines(&run.logs[1], |lines| {
        lines[3] = lines[3].replacen("2000-01-01 00:00:0", "1999-12-31 23:59:5", 1);
        lines[5] = lines[5].replacen("2000-01-01", "2000-13-01", 1);
    });
    let report = check_without_scenario(&run.logs, None);
    let found: Vec<(Option<u64>, &str)> =
        report.violations.iter().map(|v| (v.line, v.reason.split(':').next().unwrap())).collect();
    assert_eq!(
        found,
        [(Some(4), "system_time goes back"), (Some(6), "system_time is not a date and time like 2026-11-25 18")],
        "{:?}",
        report.violations
    );
}

#[test]
fn per_message_sends_name_one_receiver_and_two_machines_have_no_send_to_self() {
    // IncrementPerMessage: a send to all is one row per receiver; a row naming two is wrong.
    let s = resolved(
        "(rates: Each([3, 3, 3]), duration: \"20s\", seed: 4, semantics: Semantics(multicast: IncrementPerMessage))",
    );
    let run = run_in_memory(&s);
    assert!(check_memory_run(&run, &s).unwrap().passed());
    let text = String::from_utf8(run.logs[0].clone()).unwrap();
    assert!(!text.lines().any(|l| l.contains(",SEND,") && l.contains(';')), "one receiver per row");
    // Machine 0's first SEND rewritten to name both others, as an IncrementOnce send to all.
    let i = text.lines().position(|l| l.contains(",SEND,")).unwrap();
    let mut joined = run.clone();
    joined.logs[0] = edit_lines(&run.logs[0], |lines| set_field(lines, i, 6, |_| "1;2".into()));
    let report = check_memory_run(&joined, &s).unwrap();
    let v = report.violations.iter().find(|v| v.file == "machine-0.csv").unwrap();
    assert_eq!(v.line, Some(i as u64 + 1), "{v}");
    assert!(v.reason.contains("each SEND row names one receiver"), "{v}");

    // Two machines: the one after is the machine itself, so that roll is an internal
    // event; with only send_after and internal 0, a run is all INTERNAL and passes.
    let two = resolved(
        "(rates: Each([2, 2]), duration: \"10s\", seed: 1, \
         event_mix: EventMix(send_next: 0, send_after: 1, send_all: 0, internal: 0))",
    );
    let report = check_memory_run(&run_in_memory(&two), &two).unwrap();
    assert!(report.passed() && report.internals == 40, "{:?}", report.violations);
}

#[test]
fn rows_the_event_mix_cannot_give_are_violations() {
    let ron = |mix: &str| format!("(rates: Each([2, 3, 4]), duration: \"20s\", seed: 3, event_mix: EventMix({mix}))");
    let run = run_in_memory(&resolved(&ron("send_next: 1, send_after: 1, send_all: 1, internal: 7")));
    let first_line = |log: &[u8], pred: &dyn Fn(&[&str]) -> bool| {
        let text = std::str::from_utf8(log).unwrap();
        text.lines().position(|l| pred(&l.split(',').collect::<Vec<_>>())).unwrap() as u64 + 1
    };
    let recheck = |mix: &str| {
        let other = resolved(&ron(mix));
        let summary = serde_json::to_value(&run.summary).unwrap();
        check_with(&run, &other, summary)
    };
    // No internal events in the mix: the first INTERNAL row is caught.
    let report = recheck("send_next: 1, send_after: 1, send_all: 1, internal: 0");
    let line = first_line(&run.logs[0], &|f| f[3] == "INTERNAL");
    let v = report.violations.iter().find(|v| v.file == "machine-0.csv").unwrap();
    assert_eq!(v.line, Some(line), "{v}");
    assert!(v.reason.starts_with("INTERNAL, but this machine cannot make one"), "{v}");
    // No sends to the one after: machine 1's first SEND to machine 0 alone is caught.
    let report = recheck("send_next: 1, send_after: 0, send_all: 1, internal: 7");
    let line = first_line(&run.logs[1], &|f| f[3] == "SEND" && f[6] == "0");
    let v = report.violations.iter().find(|v| v.file == "machine-1.csv").unwrap();
    assert_eq!(v.line, Some(line), "{v}");
    assert!(v.reason.contains("is not a send this machine can make"), "{v}");
}

#[test]
fn the_before_increment_note_appears_only_for_that_setting() {
    for (semantics, noted) in [("BeforeIncrement", true), ("AfterIncrement", false)] {
        let s = resolved(&format!(
            "(rates: Each([3, 3, 3]), phase: Aligned, duration: \"30s\", seed: 2, \
             semantics: Semantics(message_clock: {semantics}))"
        ));
        let report = check_memory_run(&run_in_memory(&s), &s).unwrap();
        assert!(report.passed(), "{:?}", report.violations);
        assert_eq!(report.notes.iter().any(|n| n.contains("BeforeIncrement")), noted, "{semantics}");
    }
}

#[test]
fn with_a_bounded_delay_landed_messages_must_be_waiting() {
    let s = resolved("(rates: Each([1, 6, 6]), duration: \"30s\", seed: 4, network_delay: Fixed(\"200ms\"))");
    let run = run_in_memory(&s);
    let lines: Vec<Vec<String>> = String::from_utf8(run.logs[0].clone())
        .unwrap()
        .lines()
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    // A RECEIVE of the slow machine that leaves two or more messages waiting, and the next
    // RECEIVE (index = line - 1).
    let i = (1..lines.len() - 1)
        .find(|&i| lines[i][3] == "RECEIVE" && lines[i][5].parse::<u64>().unwrap() >= 2)
        .expect("the slow machine queues");
    let check = |lines: &[Vec<String>]| {
        let mut run = run.clone();
        run.logs[0] = lines.iter().map(|f| f.join(",") + "\n").collect::<String>().into_bytes();
        check_memory_run(&run, &s).unwrap()
    };
    assert!(check(&lines).passed());
    // One fewer waiting than the messages sent at least the (fixed) delay ago.
    let mut fewer = lines.clone();
    fewer[i][5] = (fewer[i][5].parse::<u64>().unwrap() - 1).to_string();
    let v = &check(&fewer).violations[0];
    assert_eq!(v.line, Some(i as u64 + 1), "{v}");
    assert!(v.reason.contains("largest delay"), "{v}");
    // The next tick acts idle (an INTERNAL event) though those messages have landed.
    let mut idle = lines.clone();
    let clock = idle[i][4].parse::<u64>().unwrap() + 1;
    idle[i + 1][3..].clone_from_slice(&[
        "INTERNAL".into(),
        clock.to_string(),
        "0".into(),
        String::new(),
        String::new(),
    ]);
    let v = &check(&idle).violations[0];
    assert_eq!(v.line, Some(i as u64 + 2), "{v}");
    assert!(v.reason.contains("must be a RECEIVE"), "{v}");
    // The next RECEIVE says its queue is empty: a RECEIVE takes only one message.
    let mut emptied = lines.clone();
    emptied[i + 1][5] = "0".into();
    let v = &check(&emptied).violations[0];
    assert_eq!(v.line, Some(i as u64 + 2), "{v}");
    assert!(v.reason.contains("takes only one"), "{v}");
}

/// Another program's run of three machines, written by hand in the documented format: no
/// `scenario.ron`, receivers of a SEND in the order the machine sends them (machine 1 sends
/// to the next, 2, then to the one after, 0: `2;0`), and a `summary.json` whose every
/// figure is worked out by hand from the definitions in `docs/log-format.md`.
fn hand_written_run() -> (Vec<Vec<u8>>, serde_json::Value) {
    let header = "system_time,sim_time,machine,event,clock,queue_len,peer,msg_clock\n";
    let log = |rows: &[&str]| format!("{header}{}\n", rows.join("\n")).into_bytes();
    let logs = vec![
        log(&[
            "2026-01-01 00:00:01.000000,1.0,0,RECEIVE,2,0,1,1", // jump 2
            "2026-01-01 00:00:02.000000,2.0,0,SEND,3,0,1,3",    // jump 1
        ]),
        log(&[
            "2026-01-01 00:00:00.500000,0.5,1,SEND,1,0,2;0,1", // jump 1; two messages
            "2026-01-01 00:00:02.500000,2.5,1,RECEIVE,4,0,0,3", // max(1, 3) + 1: jump 3
            "2026-01-01 00:00:03.000000,3.0,1,INTERNAL,5,0,,", // jump 1
        ]),
        log(&[
            "2026-01-01 00:00:01.000000,1.0,2,RECEIVE,2,0,1,1", // jump 2
            "2026-01-01 00:00:02.000000,2.0,2,INTERNAL,3,0,,",  // jump 1
        ]),
    ];
    let summary = serde_json::json!({
        "schema_version": 1,
        "lamport_sim_version": "another program",
        "complete": true,
        "seed": 0,
        "duration": "4s",
        "fingerprint": "0000000000000000",
        "machines": [
            {"id": 0, "rate": 1, "phase": "0s", "ticks": 2,
             "events": {"send": 1, "receive": 1, "internal": 0, "total": 2},
             "final_clock": 3, "max_clock_jump": 2, "mean_receive_jump": 2.0, "max_queue_len": 0,
             "messages_sent": 1, "messages_received": 1, "queued_at_end": 0, "in_flight_at_end": 0,
             "queue_growth_per_min": 0.0},
            {"id": 1, "rate": 2, "phase": "500ms", "ticks": 3,
             "events": {"send": 1, "receive": 1, "internal": 1, "total": 3},
             "final_clock": 5, "max_clock_jump": 3, "mean_receive_jump": 3.0, "max_queue_len": 0,
             "messages_sent": 2, "messages_received": 1, "queued_at_end": 0, "in_flight_at_end": 0,
             "queue_growth_per_min": 0.0},
            {"id": 2, "rate": 1, "phase": "0s", "ticks": 2,
             "events": {"send": 0, "receive": 1, "internal": 1, "total": 2},
             "final_clock": 3, "max_clock_jump": 2, "mean_receive_jump": 2.0, "max_queue_len": 0,
             "messages_sent": 0, "messages_received": 1, "queued_at_end": 0, "in_flight_at_end": 0,
             "queue_growth_per_min": 0.0}
        ],
        "overall": {"machines": 3, "ticks": 7,
                    "events": {"send": 2, "receive": 3, "internal": 2, "total": 7},
                    "messages_sent": 3, "messages_received": 3, "queued_at_end": 0, "in_flight_at_end": 0,
                    "max_final_clock": 5, "final_clock_spread": 2, "max_clock_jump": 3, "max_queue_len": 0}
    });
    (logs, summary)
}

#[test]
fn another_programs_logs_pass_with_receivers_in_send_order_and_every_figure_worked_out_by_hand() {
    let (logs, summary) = hand_written_run();
    let report = check_memory_logs(&logs, None, Some(summary.clone())).unwrap();
    assert!(report.passed(), "{:?}", report.violations);
    assert_eq!((report.events(), report.messages, report.unreceived), (7, 3, 0));
    assert!(report.notes.iter().any(|n| n.contains("fingerprint is not compared")), "{:?}", report.notes);
    assert!(report.notes.iter().any(|n| n.contains("without scenario.ron")), "{:?}", report.notes);
    // Each figure one off is caught, by name.
    for (path, label) in [
        ("/machines/0/max_clock_jump", "machine 0: max_clock_jump"),
        ("/machines/1/mean_receive_jump", "machine 1: mean_receive_jump"),
        ("/machines/1/messages_sent", "machine 1: messages_sent"),
        ("/machines/2/events/internal", "machine 2: events.internal"),
        ("/machines/2/final_clock", "machine 2: final_clock"),
        ("/overall/ticks", "overall: ticks"),
        ("/overall/final_clock_spread", "overall: final_clock_spread"),
        ("/overall/max_clock_jump", "overall: max_clock_jump"),
        ("/overall/messages_received", "overall: messages_received"),
    ] {
        let mut edited = summary.clone();
        let value = edited.pointer_mut(path).unwrap();
        *value = serde_json::json!(value.as_f64().unwrap() + 1.0);
        let report = check_memory_logs(&logs, None, Some(edited)).unwrap();
        let reasons: Vec<String> = report.violations.iter().map(|v| v.to_string()).collect();
        assert_eq!(reasons.len(), 1, "{path}: {reasons:?}");
        assert!(reasons[0].starts_with(&format!("summary.json: {label} is ")), "{path}: {reasons:?}");
    }
}

#[test]
fn a_send_may_list_its_receivers_in_any_order_but_each_once() {
    let (mut logs, _) = hand_written_run();
    let ascending = edit_lines(&logs[1], |lines| set_field(lines, 1, 6, |_| "0;2".into()));
    assert!(check_memory_logs(&[logs[0].clone(), ascending, logs[2].clone()], None, None).unwrap().passed());
    logs[1] = edit_lines(&logs[1], |lines| set_field(lines, 1, 6, |_| "2;2".into()));
    let report = check_memory_logs(&logs, None, None).unwrap();
    let v = &report.violations[0];
    assert_eq!((v.file.as_str(), v.line), ("machine-1.csv", Some(2)), "{v}");
    assert!(v.reason.contains("name machine 2 twice"), "{v}");
}
