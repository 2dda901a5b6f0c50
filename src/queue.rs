//! The tick schedule: which machine ticks next. One pending tick per machine, ordered by
//! `(time, machine id)`.
//!
//! # Guarantees
//! - Ticks pop in time order; ticks at the same instant pop in ascending machine id
//!   (the documented tie rule).
//! - The engine replaces the earliest entry in place after each tick
//!   ([`TickQueue::advance_top`]) rather than popping and pushing: one sift, not two.
//!
//! Implementations: [`AutoTickQueue`] (the engine's default: a linear scan up to
//! [`SCAN_MAX_MACHINES`] machines, else a binary heap), [`ScanTickQueue`],
//! [`HeapTickQueue`] on std's `BinaryHeap`, and [`IndexedTickQueue`] on the
//! `priority-queue` crate (kept so the benchmark can compare them; 2-2.6x slower than the
//! heap in `benches/engine.rs`). All give the same order.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use priority_queue::PriorityQueue;

use crate::event::MachineId;
use crate::time::SimTime;

/// A schedule of the next tick of each machine.
pub trait TickQueue {
    /// An empty schedule with room for `machines` entries.
    fn with_capacity(machines: usize) -> Self;
    /// Schedules `machine` (which must not be scheduled already) at `at`.
    fn push(&mut self, at: SimTime, machine: MachineId);
    /// The earliest entry: smallest time, then smallest machine id.
    fn peek(&self) -> Option<(SimTime, MachineId)>;
    /// Moves the earliest entry's machine to `next` or, with `None`, removes it.
    fn advance_top(&mut self, next: Option<SimTime>);
}

/// [`TickQueue`] on `std::collections::BinaryHeap`.
#[derive(Debug, Default, Clone)]
pub struct HeapTickQueue(BinaryHeap<Reverse<(SimTime, MachineId)>>);

impl TickQueue for HeapTickQueue {
    fn with_capacity(machines: usize) -> Self {
        HeapTickQueue(BinaryHeap::with_capacity(machines))
    }

    #[inline]
    fn push(&mut self, at: SimTime, machine: MachineId) {
        self.0.push(Reverse((at, machine)));
    }

    #[inline]
    fn peek(&self) -> Option<(SimTime, MachineId)> {
        self.0.peek().map(|Reverse(entry)| *entry)
    }

    #[inline]
    fn advance_top(&mut self, next: Option<SimTime>) {
        match next {
            Some(at) => {
                if let Some(mut top) = self.0.peek_mut() {
                    top.0 .0 = at; // sifts down when `top` drops
                }
            }
            None => {
                self.0.pop();
            }
        }
    }
}

/// Up to this many machines a linear scan beats a heap (`benches/yardstick.rs`).
pub const SCAN_MAX_MACHINES: usize = 8;

/// [`TickQueue`] as one time per machine, indexed by machine id (`u64::MAX` once a machine
/// is done), with the earliest cached: a branch-light scan of a few times per tick, no
/// sifting. Scanning in id order and keeping the first strictly smaller time gives the tie
/// rule for free. For a handful of machines. (A tick is never at `u64::MAX` ns: run
/// lengths are limited to [`crate::scenario::MAX_DURATION`].)
#[derive(Debug, Default, Clone)]
pub struct ScanTickQueue {
    times: Vec<u64>,
    top: usize,
}

const DONE: u64 = u64::MAX;

impl ScanTickQueue {
    #[inline]
    fn find_top(&mut self) {
        let mut top = 0;
        let mut best = DONE;
        for (i, &t) in self.times.iter().enumerate() {
            if t < best {
                best = t;
                top = i;
            }
        }
        self.top = top;
    }
}

impl TickQueue for ScanTickQueue {
    fn with_capacity(machines: usize) -> Self {
        ScanTickQueue { times: Vec::with_capacity(machines), top: 0 }
    }

    fn push(&mut self, at: SimTime, machine: MachineId) {
        let slot = machine as usize;
        if self.times.len() <= slot {
            self.times.resize(slot + 1, DONE);
        }
        self.times[slot] = at.as_nanos();
        self.find_top();
    }

    #[inline]
    fn peek(&self) -> Option<(SimTime, MachineId)> {
        let t = *self.times.get(self.top)?;
        (t != DONE).then_some((SimTime(t), self.top as MachineId))
    }

    #[inline]
    fn advance_top(&mut self, next: Option<SimTime>) {
        if self.times.get(self.top).is_none_or(|&t| t == DONE) {
            return;
        }
        self.times[self.top] = next.map_or(DONE, SimTime::as_nanos);
        self.find_top();
    }
}

/// The engine's default [`TickQueue`]: [`ScanTickQueue`] for up to [`SCAN_MAX_MACHINES`]
/// machines, [`HeapTickQueue`] beyond.
#[derive(Debug, Clone)]
pub enum AutoTickQueue {
    /// Few machines.
    Scan(ScanTickQueue),
    /// Many machines.
    Heap(HeapTickQueue),
}

impl Default for AutoTickQueue {
    fn default() -> Self {
        AutoTickQueue::Scan(ScanTickQueue::default())
    }
}

impl TickQueue for AutoTickQueue {
    fn with_capacity(machines: usize) -> Self {
        if machines <= SCAN_MAX_MACHINES {
            AutoTickQueue::Scan(ScanTickQueue::with_capacity(machines))
        } else {
            AutoTickQueue::Heap(HeapTickQueue::with_capacity(machines))
        }
    }

    #[inline]
    fn push(&mut self, at: SimTime, machine: MachineId) {
        match self {
            AutoTickQueue::Scan(q) => q.push(at, machine),
            AutoTickQueue::Heap(q) => q.push(at, machine),
        }
    }

    #[inline]
    fn peek(&self) -> Option<(SimTime, MachineId)> {
        match self {
            AutoTickQueue::Scan(q) => q.peek(),
            AutoTickQueue::Heap(q) => q.peek(),
        }
    }

    #[inline]
    fn advance_top(&mut self, next: Option<SimTime>) {
        match self {
            AutoTickQueue::Scan(q) => q.advance_top(next),
            AutoTickQueue::Heap(q) => q.advance_top(next),
        }
    }
}

/// [`TickQueue`] on the indexed `priority_queue::PriorityQueue` (item = machine id).
#[derive(Debug, Clone, Default)]
pub struct IndexedTickQueue(PriorityQueue<MachineId, Reverse<(SimTime, MachineId)>>);

impl TickQueue for IndexedTickQueue {
    fn with_capacity(machines: usize) -> Self {
        IndexedTickQueue(PriorityQueue::with_capacity(machines))
    }

    #[inline]
    fn push(&mut self, at: SimTime, machine: MachineId) {
        self.0.push(machine, Reverse((at, machine)));
    }

    #[inline]
    fn peek(&self) -> Option<(SimTime, MachineId)> {
        self.0.peek().map(|(_, Reverse(entry))| *entry)
    }

    #[inline]
    fn advance_top(&mut self, next: Option<SimTime>) {
        let Some((&machine, _)) = self.0.peek() else { return };
        match next {
            Some(at) => {
                self.0.change_priority(&machine, Reverse((at, machine)));
            }
            None => {
                self.0.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain<Q: TickQueue>(mut q: Q) -> Vec<(SimTime, MachineId)> {
        let mut out = vec![];
        while let Some(top) = q.peek() {
            out.push(top);
            q.advance_top(None);
        }
        out
    }

    fn same_instant_ties_pop_by_machine_id<Q: TickQueue>() {
        let mut q = Q::with_capacity(4);
        q.push(SimTime(5), 3);
        q.push(SimTime(5), 1);
        q.push(SimTime(2), 2);
        q.push(SimTime(5), 0);
        let order = drain(q);
        assert_eq!(order, vec![(SimTime(2), 2), (SimTime(5), 0), (SimTime(5), 1), (SimTime(5), 3)]);
    }

    fn advance_keeps_order<Q: TickQueue>() {
        let mut q = Q::with_capacity(2);
        q.push(SimTime(1), 0);
        q.push(SimTime(2), 1);
        q.advance_top(Some(SimTime(2))); // machine 0 now ties with machine 1 at 2
        assert_eq!(q.peek(), Some((SimTime(2), 0)));
        q.advance_top(Some(SimTime(3)));
        assert_eq!(q.peek(), Some((SimTime(2), 1)));
        assert_eq!(drain(q), vec![(SimTime(2), 1), (SimTime(3), 0)]);
    }

    #[test]
    fn heap_queue_tie_rule() {
        same_instant_ties_pop_by_machine_id::<HeapTickQueue>();
        advance_keeps_order::<HeapTickQueue>();
    }

    #[test]
    fn scan_and_auto_queue_tie_rule() {
        same_instant_ties_pop_by_machine_id::<ScanTickQueue>();
        advance_keeps_order::<ScanTickQueue>();
        same_instant_ties_pop_by_machine_id::<AutoTickQueue>();
        advance_keeps_order::<AutoTickQueue>();
    }

    #[test]
    fn all_queues_give_the_same_order() {
        // A pseudo-random schedule of 20 machines, drained through every implementation.
        fn order<Q: TickQueue>(n: u32) -> Vec<(SimTime, MachineId)> {
            let mut q = Q::with_capacity(n as usize);
            let mut rng = crate::rng::SimRng::for_machine(9, 0, crate::rng::StreamPurpose::Setup);
            for id in 0..n {
                q.push(SimTime(rng.below(50)), id);
            }
            let mut out = vec![];
            while let Some(top) = q.peek() {
                out.push(top);
                let next = (out.len() < 500).then(|| SimTime(top.0 .0 + 1 + rng.below(30)));
                q.advance_top(next);
            }
            out
        }
        for n in [1, 3, 8, 20] {
            let reference = order::<HeapTickQueue>(n);
            assert_eq!(order::<ScanTickQueue>(n), reference);
            assert_eq!(order::<AutoTickQueue>(n), reference);
            assert_eq!(order::<IndexedTickQueue>(n), reference);
        }
    }

    #[test]
    fn indexed_queue_tie_rule() {
        same_instant_ties_pop_by_machine_id::<IndexedTickQueue>();
        advance_keeps_order::<IndexedTickQueue>();
    }
}
