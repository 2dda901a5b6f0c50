#!/usr/bin/env python3
"""Writes fuzz/seeds/run_scenario/*: one input per branch of the run_scenario decoder.

The byte layout is documented on `lamport_sim::fuzz_support::decode_run_input`; this
script only spells inputs in it. Run from anywhere: python3 fuzz/make_run_seeds.py
"""
import pathlib
import struct

OUT = pathlib.Path(__file__).resolve().parent / "seeds" / "run_scenario"
MS = 25  # delay units (40 us each) per millisecond
DAY = 86_400


def seed(machines=3, rates=0, cycle_len=1, phase=0, duration_us=10_000_000,
         mix=(1, 1, 1, 7), flags=0, delay=0, a=0, c=0, jitter=0, rng_seed=1,
         start_s=946_684_800 - 946_684_800 % 37, rate_list=(1, 6), phases=(), queue_limit=0):
    """One input; `rates`: 0 Range, 1 Each, 2 Cycle; `phase`: 0 Random, 1 Aligned,
    2 Explicit; `delay`: 0 none, 1 Fixed(a), 2 Uniform(a, c), 3 Exponential(a);
    `queue_limit`: 1 to 15, or 0 for the default."""
    assert 1 <= machines <= 8 and start_s % 37 == 0 and 0 <= queue_limit <= 15 and flags < 16
    flags |= queue_limit << 4
    out = bytes([machines - 1, rates + 3 * (cycle_len - 1), phase])
    assert duration_us % 2 == 0 and 2 <= duration_us <= 20_000_000
    out += (duration_us // 2 - 1).to_bytes(3, "little")
    out += bytes([mix[0] | mix[1] << 4, mix[2] | mix[3] << 4, flags, delay])
    out += struct.pack("<HHB", a, c, jitter)
    out += struct.pack("<QI", rng_seed, start_s // 37)
    out += bytes(r - 1 for r in rate_list) + bytes(phases)
    return out


def start_near_midnight(seconds_before):
    """A start time, a multiple of 37 s, `seconds_before` seconds before some midnight."""
    k = 20_000
    while (k * 37 + seconds_before) % DAY:
        k += 1
    return k * 37


SEEDS = {
    # Decoder defaults: 1 machine at 1 Hz for 2 us, internal events only.
    "01_empty": b"",
    # The classic: 3 machines, Range(1, 6), random phases, mix 1/1/1/7, 20 s.
    "02_classic_range": seed(duration_us=20_000_000, rng_seed=42),
    # Each [1, 1, 1], aligned ticks, always send to the next: the same-instant tie rule.
    "03_each_aligned_ties": seed(rates=1, phase=1, duration_us=2_000_000, mix=(1, 0, 0, 0), rate_list=(1, 1, 1)),
    # Cycle of 4 rates (30, 1, 7, 13) over 8 machines with explicit phases (0 to 255/256 of a period).
    "04_cycle_explicit_phases": seed(machines=8, rates=2, cycle_len=4, phase=2, rate_list=(30, 1, 7, 13),
                                     phases=(0, 255, 128, 1, 64, 200, 17, 254)),
    # Fixed 700 ms delay, Each [6, 6, 6]: messages in flight at the end (queues modelled exactly).
    "05_fixed_delay": seed(rates=1, delay=1, a=700 * MS, rate_list=(6, 6, 6), duration_us=15_000_000),
    # Uniform 1..100 ms delay, 8 machines drawing rates in 1..30.
    "06_uniform_delay": seed(machines=8, delay=2, a=1 * MS, c=100 * MS, rate_list=(1, 30), rng_seed=7),
    # Uniform with min = max (modelled exactly, like Fixed); min and max given in reverse order.
    "07_uniform_equal_bounds": seed(machines=4, delay=2, a=250 * MS, c=250 * MS, rate_list=(3, 5)),
    # Exponential delay with a 50 ms mean.
    "08_exponential_delay": seed(machines=5, delay=3, a=50 * MS, mix=(2, 2, 1, 1), rate_list=(2, 9)),
    # Exponential with mean 0: every message lands at once.
    "09_exponential_mean_zero": seed(delay=3, a=0, rate_list=(4, 4)),
    # Largest jitter (254/255 of the fastest period), Each rates, random phases.
    "10_max_jitter": seed(machines=4, rates=1, jitter=255, rate_list=(30, 29, 2, 1), duration_us=20_000_000),
    # Every semantics flag: BeforeIncrement, IncrementPerMessage, BeforeTake, NextTwo; send_all heavy.
    "11_all_semantics_flags": seed(machines=8, flags=0x0F, mix=(0, 0, 15, 1), rate_list=(5, 20), rng_seed=3),
    # Per-message multicast to all others with no internal events: long SEND bursts.
    "12_per_message_no_internal": seed(machines=5, flags=0x02, mix=(1, 1, 8, 0), rate_list=(1, 8)),
    # Two machines, only send_after: the target is the machine itself, so every event is internal.
    "13_two_machines_send_after": seed(machines=2, mix=(0, 15, 0, 0), rate_list=(3, 3)),
    # A run that crosses midnight (starts 10 s before it), odd duration 12.345676 s.
    "14_crosses_midnight": seed(start_s=start_near_midnight(10), duration_us=12_345_676, rate_list=(7, 11)),
    # The largest run: 8 machines at 30 Hz for 20 s, send-all heavy, fixed 1 ms delay.
    "15_largest_run": seed(machines=8, rates=1, delay=1, a=1 * MS, mix=(1, 1, 4, 1), duration_us=20_000_000,
                           rate_list=(30,) * 8),
    # One machine with only send weights (sends have no receiver: internal events).
    "16_one_machine_sends": seed(machines=1, mix=(3, 2, 1, 0), rate_list=(10, 10)),
    # queue_limit 3 with no delay: the 1 Hz machine is flooded by 30 Hz senders; the run stops.
    "17_queue_limit_hit_on_send": seed(rates=1, mix=(0, 0, 1, 0), queue_limit=3, rate_list=(1, 30, 30)),
    # queue_limit 2 with a fixed 300 ms delay: the limit is hit when messages land.
    "18_queue_limit_hit_on_landing": seed(rates=1, delay=1, a=300 * MS, mix=(0, 0, 1, 0), queue_limit=2,
                                          rate_list=(1, 30, 30)),
    # queue_limit 15, never reached by the classic mix at equal rates.
    "19_queue_limit_not_reached": seed(rates=1, queue_limit=15, rate_list=(5, 5, 5)),
}

if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in SEEDS.items():
        (OUT / name).write_bytes(data)
    print(f"wrote {len(SEEDS)} seeds to {OUT}")
