//! The tick schedule: which machine ticks next. One pending tick per machine, ordered by
//! `(time, machine id)`.
//!
//! # Guarantees
//! - Ticks pop in time order; ticks at the same instant pop in ascending machine id
//!   (the documented tie rule).
//! - The engine replaces the earliest entry in place after each tick
//!   ([`TickQueue::advance_top`]) rather than popping and pushing: one sift, not two.
//!
//! Two implementations are kept so the benchmark can compare them: [`HeapTickQueue`] on
//! std's `BinaryHeap` (the engine's default: 2-2.6x faster in `benches/engine.rs`) and
//! [`IndexedTickQueue`] on the `priority-queue` crate. A linear scan over a few machines was
//! tried for the 3-machine case and measured slower than the heap (`benches/yardstick.rs`,
//! `docs/benchmarks.md`), so it was not kept.

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
    fn both_queues_give_the_same_order() {
        // A pseudo-random schedule, drained through both implementations.
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
            assert_eq!(order::<IndexedTickQueue>(n), order::<HeapTickQueue>(n));
        }
    }

    #[test]
    fn indexed_queue_tie_rule() {
        same_instant_ties_pop_by_machine_id::<IndexedTickQueue>();
        advance_keeps_order::<IndexedTickQueue>();
    }
}
