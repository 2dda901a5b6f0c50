//! The tick schedule: which machine ticks next. One pending tick per machine, ordered by
//! `(time, machine id)`.
//!
//! # Guarantees
//! - Ticks pop in time order; ticks at the same instant pop in ascending machine id
//!   (the documented tie rule).
//! - The engine replaces the earliest entry in place after each tick
//!   ([`TickQueue::advance_top`]) rather than popping and pushing, and gets the new earliest
//!   entry back from that call.
//!
//! # Implementations (all give the same order; `every_queue_gives_the_same_order`)
//! - [`AutoTickQueue`], the engine's default: a [`ScanTickQueue`] up to
//!   [`SCAN_MAX_MACHINES`] machines, a [`HeapTickQueue`] beyond.
//! - [`ScanTickQueue`]: a fixed array of times scanned as a branch-free tournament; for the
//!   classic 3 machines, 1.25x the heap's events/s in `benches/engine.rs`.
//! - [`HeapTickQueue`] on std's `BinaryHeap`: 2.0-3.1x the indexed queue's events/s for 3 to
//!   10,000 machines.
//! - [`IndexedTickQueue`] on the `priority-queue` crate (the design's first choice: an
//!   indexed queue with one entry per machine): slower than the two above in every
//!   workload measured, so the engine does not use it; kept, with the `testing` feature
//!   only, so the benchmark can go on comparing it.
//!
//! The queue types and [`TickQueue`] are public only through `lamport_sim::testing` (for
//! the benchmarks); without that feature they are the engine's own.
#![cfg_attr(not(feature = "testing"), allow(unreachable_pub))]

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::base::MachineId;
use crate::base::SimTime;

/// A schedule of the next tick of each machine.
pub trait TickQueue: Default {
    /// An empty schedule with room for `machines` entries.
    fn with_capacity(machines: usize) -> Self;
    /// Schedules `machine` (which must not be scheduled already) at `at`.
    fn push(&mut self, at: SimTime, machine: MachineId);
    /// The earliest entry: smallest time, then smallest machine id.
    fn peek(&self) -> Option<(SimTime, MachineId)>;
    /// Moves the earliest entry's machine to `next` or, with `None`, removes it; returns
    /// the new earliest entry (what [`TickQueue::peek`] would), so the engine's loop gets
    /// it straight from the update instead of through memory.
    fn advance_top(&mut self, next: Option<SimTime>) -> Option<(SimTime, MachineId)>;

    /// Hands `user` the concrete queue: `self`, or for [`AutoTickQueue`] the queue it holds,
    /// so a loop over the queue is compiled for that type rather than dispatching per call.
    #[inline]
    fn with_concrete<U: TickQueueUser>(&mut self, user: U) -> U::Output {
        user.use_queue(self)
    }
}

/// Code that runs on a [`TickQueue`] of any type (see [`TickQueue::with_concrete`]).
pub trait TickQueueUser {
    /// What it returns.
    type Output;
    /// Runs on `queue`.
    fn use_queue<Q: TickQueue>(self, queue: &mut Q) -> Self::Output;
}

/// [`TickQueue`] on `std::collections::BinaryHeap`, for any number of machines.
///
/// Each entry is packed into one `u128`, `time << 32 | machine`, whose integer order is
/// exactly the `(time, machine)` order: the machine id is the tie key, and one wide compare
/// replaces a two-field tuple compare.
#[derive(Debug, Default, Clone)]
pub struct HeapTickQueue(BinaryHeap<Reverse<u128>>);

#[inline]
fn pack(at: SimTime, machine: MachineId) -> u128 {
    u128::from(at.as_nanos()) << 32 | u128::from(machine)
}

#[inline]
fn unpack(key: u128) -> (SimTime, MachineId) {
    (SimTime((key >> 32) as u64), key as u32)
}

impl TickQueue for HeapTickQueue {
    fn with_capacity(machines: usize) -> Self {
        HeapTickQueue(BinaryHeap::with_capacity(machines))
    }

    fn push(&mut self, at: SimTime, machine: MachineId) {
        self.0.push(Reverse(pack(at, machine)));
    }

    #[inline]
    fn peek(&self) -> Option<(SimTime, MachineId)> {
        self.0.peek().map(|&Reverse(key)| unpack(key))
    }

    #[inline]
    fn advance_top(&mut self, next: Option<SimTime>) -> Option<(SimTime, MachineId)> {
        match next {
            Some(at) => {
                let mut top = self.0.peek_mut()?;
                let machine = top.0 as u32;
                top.0 = pack(at, machine); // sifts down when `top` drops
            }
            None => {
                self.0.pop();
            }
        }
        self.peek()
    }
}

/// Up to this many machines the engine's default queue scans rather than sifts.
pub const SCAN_MAX_MACHINES: usize = 8;

/// A machine with no tick left. No tick is ever at `u64::MAX` ns: run lengths are limited
/// to [`crate::scenario::MAX_DURATION`].
const DONE: u64 = u64::MAX;

/// [`TickQueue`] for at most `W` machines (`W` a power of two): one time per machine in a
/// fixed array indexed by machine id (`DONE` once a machine has no tick left; unused slots
/// too), and the earliest cached. After each tick the earliest is found again by a
/// branch-free tournament over the array: no branches to mispredict and no sifting.
#[derive(Debug, Clone)]
pub struct ScanTickQueue<const W: usize> {
    times: [u64; W],
    /// The earliest entry: its machine and time (kept beside the index so the next peek
    /// does not wait on a load through it).
    top: usize,
    top_time: u64,
}

impl<const W: usize> Default for ScanTickQueue<W> {
    fn default() -> Self {
        ScanTickQueue { times: [DONE; W], top: 0, top_time: DONE }
    }
}

impl<const W: usize> ScanTickQueue<W> {
    /// Sets `slot`'s time to `at` and finds the earliest entry again; returns it.
    ///
    /// The new time comes from `at`, not from `times`, so the scan need not wait for the
    /// store. Pairs are merged as a tournament (depth log2 W, not W): the left entry, the
    /// lower id, wins ties, which is the tie rule.
    #[inline(always)]
    fn set(&mut self, slot: usize, at: u64) -> Option<(SimTime, MachineId)> {
        self.times[slot] = at;
        let mut round: [(u64, usize); W] = std::array::from_fn(|i| (if i == slot { at } else { self.times[i] }, i));
        let mut width = W;
        while width > 1 {
            width /= 2;
            for i in 0..width {
                let (left, right) = (round[2 * i], round[2 * i + 1]);
                round[i] = if right.0 < left.0 { right } else { left };
            }
        }
        let (best, top) = round[0];
        self.top = top;
        self.top_time = best;
        (best != DONE).then_some((SimTime(best), top as MachineId))
    }
}

impl<const W: usize> TickQueue for ScanTickQueue<W> {
    /// # Panics
    /// With more than `W` machines.
    fn with_capacity(machines: usize) -> Self {
        assert!(machines <= W, "ScanTickQueue<{W}> holds at most {W} machines, not {machines}");
        Self::default()
    }

    /// # Panics
    /// When `machine` is not below `W`.
    fn push(&mut self, at: SimTime, machine: MachineId) {
        self.set(machine as usize, at.as_nanos());
    }

    #[inline(always)]
    fn peek(&self) -> Option<(SimTime, MachineId)> {
        (self.top_time != DONE).then_some((SimTime(self.top_time), self.top as MachineId))
    }

    #[inline(always)]
    fn advance_top(&mut self, next: Option<SimTime>) -> Option<(SimTime, MachineId)> {
        self.set(self.top, next.map_or(DONE, SimTime::as_nanos))
    }
}

/// The engine's default [`TickQueue`]: a [`ScanTickQueue`] as wide as the machine count
/// needs, up to [`SCAN_MAX_MACHINES`]; a [`HeapTickQueue`] beyond.
#[derive(Debug, Clone)]
pub enum AutoTickQueue {
    /// Up to 4 machines.
    Scan4(ScanTickQueue<4>),
    /// 5 to 8 machines.
    Scan8(ScanTickQueue<8>),
    /// More machines.
    Heap(HeapTickQueue),
}

impl Default for AutoTickQueue {
    fn default() -> Self {
        AutoTickQueue::Heap(HeapTickQueue::default())
    }
}

/// Forwards a call to whichever queue an [`AutoTickQueue`] holds.
macro_rules! each_queue {
    ($self:expr, $q:ident => $call:expr) => {
        match $self {
            AutoTickQueue::Scan4($q) => $call,
            AutoTickQueue::Scan8($q) => $call,
            AutoTickQueue::Heap($q) => $call,
        }
    };
}

impl TickQueue for AutoTickQueue {
    fn with_capacity(machines: usize) -> Self {
        match machines {
            0..=4 => AutoTickQueue::Scan4(ScanTickQueue::default()),
            5..=SCAN_MAX_MACHINES => AutoTickQueue::Scan8(ScanTickQueue::default()),
            _ => AutoTickQueue::Heap(HeapTickQueue::with_capacity(machines)),
        }
    }

    #[inline]
    fn push(&mut self, at: SimTime, machine: MachineId) {
        each_queue!(self, q => q.push(at, machine))
    }

    #[inline(always)]
    fn peek(&self) -> Option<(SimTime, MachineId)> {
        each_queue!(self, q => q.peek())
    }

    #[inline(always)]
    fn advance_top(&mut self, next: Option<SimTime>) -> Option<(SimTime, MachineId)> {
        each_queue!(self, q => q.advance_top(next))
    }

    #[inline]
    fn with_concrete<U: TickQueueUser>(&mut self, user: U) -> U::Output {
        each_queue!(self, q => user.use_queue(q))
    }
}

/// [`TickQueue`] on the indexed `priority_queue::PriorityQueue` (item = machine id): the
/// benchmark's comparison only, compiled with the `testing` feature.
#[cfg(feature = "testing")]
#[derive(Debug, Clone, Default)]
pub struct IndexedTickQueue(priority_queue::PriorityQueue<MachineId, Reverse<(SimTime, MachineId)>>);

#[cfg(feature = "testing")]
impl TickQueue for IndexedTickQueue {
    fn with_capacity(machines: usize) -> Self {
        IndexedTickQueue(priority_queue::PriorityQueue::with_capacity(machines))
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
    fn advance_top(&mut self, next: Option<SimTime>) -> Option<(SimTime, MachineId)> {
        let (&machine, _) = self.0.peek()?;
        match next {
            Some(at) => {
                self.0.change_priority(&machine, Reverse((at, machine)));
            }
            None => {
                self.0.pop();
            }
        }
        self.peek()
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
    fn every_queue_follows_the_tie_rule() {
        same_instant_ties_pop_by_machine_id::<HeapTickQueue>();
        advance_keeps_order::<HeapTickQueue>();
        same_instant_ties_pop_by_machine_id::<IndexedTickQueue>();
        advance_keeps_order::<IndexedTickQueue>();
        same_instant_ties_pop_by_machine_id::<ScanTickQueue<4>>();
        advance_keeps_order::<ScanTickQueue<4>>();
        same_instant_ties_pop_by_machine_id::<ScanTickQueue<8>>();
        advance_keeps_order::<ScanTickQueue<8>>();
        same_instant_ties_pop_by_machine_id::<AutoTickQueue>();
        advance_keeps_order::<AutoTickQueue>();
    }

    /// A pseudo-random schedule with many ties, drained through one implementation; checks
    /// on the way that `advance_top` returns what `peek` then gives.
    fn order<Q: TickQueue>(n: u32) -> Vec<(SimTime, MachineId)> {
        let mut q = Q::with_capacity(n as usize);
        let mut rng = crate::base::SimRng::for_machine(9, 0, crate::base::StreamPurpose::Setup);
        for id in 0..n {
            q.push(SimTime(rng.below(50)), id);
        }
        let mut out = vec![];
        while let Some(top) = q.peek() {
            out.push(top);
            let next = (out.len() < 500).then(|| SimTime(top.0 .0 + 1 + rng.below(30)));
            let returned = q.advance_top(next);
            assert_eq!(returned, q.peek(), "advance_top returns the new earliest entry");
        }
        out
    }

    #[test]
    fn every_queue_gives_the_same_order() {
        for n in [1, 2, 3, 4, 5, 8, 9, 20, 300] {
            let reference = order::<HeapTickQueue>(n);
            assert_eq!(reference.len(), 500 + n as usize - 1, "every machine is drained");
            assert_eq!(order::<IndexedTickQueue>(n), reference, "{n} machines: indexed");
            assert_eq!(order::<AutoTickQueue>(n), reference, "{n} machines: auto");
            if n <= 4 {
                assert_eq!(order::<ScanTickQueue<4>>(n), reference, "{n} machines: scan 4");
            }
            if n <= 8 {
                assert_eq!(order::<ScanTickQueue<8>>(n), reference, "{n} machines: scan 8");
            }
        }
    }

    #[test]
    fn auto_queue_picks_a_scan_for_few_machines_and_a_heap_beyond() {
        assert!(matches!(AutoTickQueue::with_capacity(3), AutoTickQueue::Scan4(_)));
        assert!(matches!(AutoTickQueue::with_capacity(SCAN_MAX_MACHINES), AutoTickQueue::Scan8(_)));
        assert!(matches!(AutoTickQueue::with_capacity(SCAN_MAX_MACHINES + 1), AutoTickQueue::Heap(_)));
    }

    #[test]
    #[should_panic(expected = "at most 4 machines")]
    fn a_scan_queue_refuses_more_machines_than_it_holds() {
        ScanTickQueue::<4>::with_capacity(5);
    }
}
