#!/usr/bin/env python3
"""Writes fuzz/seeds/check_logs/*: run folders packed for the check_logs target.

The byte layout is documented on `lamport_sim::fuzz_support::decode_check_input`: one flag
byte (bits 0-1: logs - 1; bit 2: a scenario.ron follows the logs; bit 3: a summary.json
follows; bits 4-7: max_reported), then the files separated by lines `%%`. This script makes
a few short real runs with the release binary (it runs `cargo build --release` first),
packs them, and derives broken runs from the classic one: corrupted rows, odd encodings,
huge numbers, missing or broken scenario.ron and summary.json.

Run from anywhere: python3 fuzz/make_check_seeds.py (LAMPORT_SIM=path/to/lamport-sim to use
a binary already built)
"""
import os
import pathlib
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "seeds" / "check_logs"
# The binary that makes the real runs: $LAMPORT_SIM, else a fresh release build.
SEP = b"%%\n"
MAX_INPUT = 16 * 1024  # fuzz_support::MAX_CHECK_INPUT
FUZZ_MAX_LEN = 8192  # the -max_len of fuzz/README.md's command
HEADER = b"system_time,sim_time,machine,event,clock,queue_len,peer,msg_clock\n"
MAX = str(2**64 - 1).encode()  # u64::MAX

# Real runs: (name, scenario text or file, extra CLI arguments). All short, at most 4 machines.
RUNS = {
    "classic": ("scenarios/classic.ron", ["--seed", "1", "--duration", "5s"]),
    "fixed_delay_queues": (
        '(rates: Each([1, 6, 6]), network_delay: Fixed("200ms"), duration: "3s", seed: 4)', []),
    "jitter_uniform_delay": ("scenarios/jitter-and-uniform-delay.ron",
                             ["--machines", "4", "--duration", "2s", "--seed", "2"]),
    "exponential_delay": ("scenarios/network-delay.ron", ["--duration", "3s", "--seed", "3"]),
    "other_semantics": ("scenarios/other-semantics.ron", ["--duration", "3s", "--seed", "5"]),
    "aligned_next_two": (
        '(machines: 4, rates: Each([2, 4, 4, 1]), phase: Aligned, send_all_targets: NextTwo, '
        'duration: "3s", seed: 6)', []),
    "one_machine": ('(machines: 1, rates: Each([5]), duration: "2s", seed: 7)', []),
    "flooded_queue": (
        '(rates: Each([1, 6, 6]), event_mix: EventMix(send_next: 3, send_after: 3, send_all: 3, internal: 1), '
        'duration: "4s", seed: 8)', []),
}


def pack(logs, scenario=None, summary=None, max_reported=0):
    """One input: the flag byte, then the files separated by `%%` lines."""
    assert 1 <= len(logs) <= 4 and 0 <= max_reported <= 15
    flags = (len(logs) - 1) | (4 if scenario is not None else 0) | (8 if summary is not None else 0)
    flags |= max_reported << 4
    files = list(logs) + [f for f in (scenario, summary) if f is not None]
    for f in files[:-1]:
        # A separator must not appear inside a file that is not the last one, and a file
        # followed by a separator must end with a newline or be empty.
        assert not f.startswith(SEP) and b"\n" + SEP not in f and (f == b"" or f.endswith(b"\n")), f[:80]
    return bytes([flags]) + SEP.join(files)


def real_runs(tmp):
    binary = os.environ.get("LAMPORT_SIM")
    if not binary:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        binary = ROOT / "target" / "release" / "lamport-sim"
    runs = {}
    for name, (scenario, args) in RUNS.items():
        path = ROOT / scenario if scenario.endswith(".ron") else tmp / f"{name}.ron"
        if not scenario.endswith(".ron"):
            path.write_text(scenario + "\n")
        out = tmp / name
        subprocess.run([binary, "run", path, "--out", out, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        n = sum(1 for _ in out.glob("machine-*.csv"))
        logs = [(out / f"machine-{i}.csv").read_bytes() for i in range(n)]
        runs[name] = (logs, (out / "scenario.ron").read_bytes(), (out / "summary.json").read_bytes())
    return runs


def edit_row(log, line, column, value):
    """`log` with field `column` of 1-based `line` set to `value` (bytes)."""
    lines = log.split(b"\n")
    fields = lines[line - 1].split(b",")
    fields[column] = value
    lines[line - 1] = b",".join(fields)
    return b"\n".join(lines)


def row(sim, machine, event, clock, queue=b"0", peer=b"", msg=b""):
    return b"2000-01-01 00:00:00.000000," + b",".join([sim, machine, event, clock, queue, peer, msg]) + b"\n"


def replaced(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)


def derived(logs, scenario, summary):
    a, b, c = logs
    seeds = {
        # The classic run without its scenario.ron and summary.json (fewer checks), and each alone.
        "logs_only": pack(logs),
        "missing_summary": pack(logs, scenario=scenario),
        "missing_scenario": pack(logs, summary=summary),
        # One clock off by 5 on line 11 of machine-1.csv: a violation there (and after it).
        "corrupted_clock": pack([a, edit_row(b, 11, 4, b"999"), c], scenario, summary, max_reported=15),
        # The same with max_reported 0: counted, none kept.
        "corrupted_clock_none_reported": pack([a, edit_row(b, 11, 4, b"999"), c], scenario, summary),
        # A RECEIVE of a message nobody sent, and a SEND to itself.
        "corrupted_receive_and_send": pack(
            [a, edit_row(edit_row(b, 6, 7, b"77"), 3, 6, b"1"), c], scenario, summary, max_reported=5),
        # Two rows swapped: time goes back.
        "swapped_rows": pack([b"\n".join(a.split(b"\n")[i] for i in [0, 2, 1] + list(range(3, a.count(b"\n") + 1))),
                              b, c], scenario, summary, max_reported=3),
        # Line 4 of machine-2.csv has 7 fields.
        "wrong_column_count": pack([a, b, c.replace(c.split(b"\n")[3], c.split(b"\n")[3].rsplit(b",", 1)[0])],
                                   scenario, summary),
        # The last log cut in the middle of a row (no newline at its end).
        "truncated_mid_row": pack([a, b, c[: len(c) * 2 // 3]], max_reported=2),
        # Every log only its header: no ticks where the scenario needs them.
        "header_only": pack([HEADER] * 3, scenario, summary, max_reported=15),
        "header_only_no_newline": pack([HEADER.rstrip(b"\n")]),
        # Empty logs.
        "empty_logs": pack([b"", b"", b""], scenario),
        # Windows line endings, and old Mac ones (a lone CR ends a CSV record).
        "crlf": pack([x.replace(b"\n", b"\r\n") for x in logs], scenario, summary),
        "cr_only": pack([x[:-1].replace(b"\n", b"\r") + b"\n" for x in logs], max_reported=4),
        "cr_only_corrupted_clock": pack([a, edit_row(b, 11, 4, b"999").replace(b"\n", b"\r")], max_reported=4),
        # A UTF-8 byte order mark before the header.
        "bom": pack([b"\xef\xbb\xbf" + a, b, c]),
        "bom_before_sim_time": pack([b"\xef\xbb\xbf" + b"\n".join(l.split(b",", 1)[1] for l in a.split(b"\n")
                                                                     if l)]),
        # Not UTF-8: in a field, in the header, in scenario.ron and in summary.json.
        "non_utf8_field": pack([edit_row(a, 3, 3, b"SE\xffND"), b, c], scenario, summary),
        "non_utf8_header": pack([b"\xfe\xff" + a, b, c]),
        "non_utf8_scenario": pack(logs, b"\xff" + scenario, summary),
        "non_utf8_summary": pack(logs, scenario, b"\xff" + summary),
        # scenario.ron names 4 machines (3 logs), or 2 (one log left over); it is garbage.
        "scenario_more_machines": pack(logs, replaced(replaced(replaced(
            scenario, b"machines: 3", b"machines: 4"), b"Each([6, 5, 4])", b"Each([6, 5, 4, 1])"),
            b'"227543486ns"]', b'"227543486ns", "0ns"]'), summary),
        "scenario_fewer_machines": pack(logs, b"(machines: 2, rates: Each([6, 5]), duration: \"5s\")\n", summary),
        "scenario_garbage": pack(logs, b"Scenario(machines: [\n", summary),
        "scenario_empty": pack(logs, b"", summary),
        # summary.json: not JSON, JSON but no object, an empty file, a wrong count.
        "summary_not_json": pack(logs, scenario, b"{\n  \"machines\": [\n    {,\n"),
        "summary_array": pack(logs, scenario, b"[1, 2, 3]\n", max_reported=15),
        "summary_empty": pack(logs, scenario, b""),
        "summary_wrong_count": pack(logs, scenario, replaced(summary, b'"final_clock": 31', b'"final_clock": 32'),
                                    max_reported=15),
        # Columns in another order, extra columns, a duplicated column, a missing column.
        "columns_reordered_and_extra": pack([
            b"event,extra,machine,sim_time,clock,queue_len,peer,msg_clock,system_time\n"
            b"INTERNAL,x,0,0.5,1,0,,,y\nSEND,x,0,1.5,2,0,1,2,y\n",
            b"clock,event,machine,sim_time,queue_len,peer,msg_clock\n1,RECEIVE,1,1.5,0,0,2\n"]),
        "duplicated_column": pack([b"sim_time,machine,event,clock,clock,queue_len,peer,msg_clock\n"
                                   b"0.5,0,INTERNAL,1,7,0,,\n"]),
        "missing_column": pack([b"sim_time,machine,event,clock,queue_len,peer\n0.5,0,INTERNAL,1,0,\n"]),
        # Quoted fields, one with a newline inside, and padded numbers.
        "quoted_fields": pack([HEADER + b'2000,"0.5",0,"INTERNAL",1,0,"",""\n'
                               b'2000,1.5,0,"SE\nND",2,0,1,2\n2000, 2.5 ,0,INTERNAL, 3 ,0,,\n', HEADER]),
        # Huge numbers, each reaching the checker: a clock at u64::MAX then an INTERNAL, a SEND,
        # and a RECEIVE of a message carrying u64::MAX (the next clock would overflow); a
        # receive at the largest sim_time with a network delay (sent + delay would overflow);
        # summary.json figures whose sum overflows.
        "huge_clock_internal": pack([HEADER + row(b"0.5", b"0", b"INTERNAL", MAX) + row(b"1.5", b"0", b"INTERNAL", MAX)
                                     + row(b"2.5", b"0", b"SEND", MAX, b"0", b"1", MAX), HEADER], max_reported=15),
        "huge_clock_receive": pack([
            HEADER + row(b"0.5", b"0", b"SEND", MAX, b"0", b"1", MAX),
            HEADER + row(b"1.5", b"1", b"RECEIVE", b"1", b"0", b"0", MAX),
        ], max_reported=15),
        "huge_time_with_delay": pack([
            HEADER + row(b"18446744073.709551615", b"0", b"SEND", b"1", b"0", b"1", b"1"),
            HEADER + row(b"18446744073.709551615", b"1", b"RECEIVE", b"2", b"0", b"0", b"1"),
        ], b'(rates: Each([30, 1]), tick_jitter: Uniform(max: "33ms"), network_delay: Uniform(min: "1h", max: "1000h"))\n',
            max_reported=15),
        "huge_summary_figures": pack([HEADER + row(b"0.5", b"0", b"INTERNAL", b"1")], summary=(
            b'{"machines": [{"events": {"total": 1}, "messages_sent": 0, "messages_received": 0, "final_clock": 1, '
            b'"queued_at_end": 18446744073709551615, "in_flight_at_end": 1}]}'), max_reported=15),
        # Numbers past their type's limits, which the reader refuses: sim_time one nanosecond
        # past u64::MAX, a machine and a peer past u32::MAX, a 20-digit queue_len.
        "huge_sim_time_refused": pack([HEADER + row(b"18446744073.709551615", b"0", b"INTERNAL", b"1", MAX)
                                       + row(b"18446744073.709551616", b"0", b"INTERNAL", b"2")]),
        "huge_machine_refused": pack([HEADER + row(b"1", b"4294967296", b"INTERNAL", b"1")]),
        "huge_peer_refused": pack([HEADER + row(b"1", b"0", b"SEND", b"1", b"0", b"4294967296", b"1")]),
        "huge_queue_len_refused": pack([HEADER + row(b"1", b"0", b"INTERNAL", b"1", b"99999999999999999999")]),
        # Other odd values: negative, fractional, nine and ten decimals, empty event.
        "odd_values": pack([HEADER + row(b"-1", b"0", b"INTERNAL", b"1") + row(b"1.5e3", b"0", b"INTERNAL", b"1")
                            + row(b"1.123456789", b"0", b"INTERNAL", b"-2") + row(b"1.1234567891", b"0", b"", b"1")
                            + row(b".5", b"0", b"INTERNAL", b"1") + row(b"5.", b"0", b"INTERNAL", b"1")]),
        # An empty input: one empty log.
        "empty": b"",
    }
    return seeds


def main():
    with tempfile.TemporaryDirectory() as tmp:
        runs = real_runs(pathlib.Path(tmp))
    seeds = {}
    for name, (logs, scenario, summary) in runs.items():
        seeds[f"real_{name}"] = pack(logs, scenario, summary, max_reported=15)
    seeds.update(derived(*runs["classic"]))
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    for name, data in seeds.items():
        assert len(data) <= FUZZ_MAX_LEN <= MAX_INPUT, f"{name}: {len(data)} bytes"
        (OUT / name).write_bytes(data)
    print(f"wrote {len(seeds)} seeds to {OUT}")


if __name__ == "__main__":
    main()
