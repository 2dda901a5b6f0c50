//! Causality from logs: vector clocks, so `diff` can show an event's causal past and
//! `check` can verify the clock condition (a happens-before b implies C(a) < C(b)).

/// The causal past of an event as a vector clock: per machine, how many of its first
/// events happen-before (or are) the event, and a mark of the last of them (its log line
/// for `diff`, its Lamport clock for `check`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VectorClock<M> {
    counts: Vec<u64>,
    marks: Vec<M>,
}

impl<M: Clone> VectorClock<M> {
    /// The empty past of `machines` machines, every mark `empty`.
    pub(crate) fn new(machines: usize, empty: M) -> Self {
        VectorClock { counts: vec![0; machines], marks: vec![empty; machines] }
    }

    /// One more event of `machine`, the last of its past, marked `mark`.
    pub(crate) fn record(&mut self, machine: usize, mark: M) {
        self.counts[machine] += 1;
        self.marks[machine] = mark;
    }

    /// Joins `other`'s past (a received message's send) into this one: per machine, the
    /// longer prefix of its events, with that prefix's mark.
    pub(crate) fn merge(&mut self, other: &Self) {
        for (j, &theirs) in other.counts.iter().enumerate() {
            if theirs > self.counts[j] {
                self.counts[j] = theirs;
                self.marks[j] = other.marks[j].clone();
            }
        }
    }

    /// Per machine: events in the past, and the mark of the last one.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (u64, &M)> + '_ {
        self.counts.iter().copied().zip(&self.marks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_keeps_the_longer_prefix_of_each_machine_with_its_mark() {
        let mut a = VectorClock::new(3, None);
        a.record(0, Some(2));
        a.record(0, Some(3));
        let mut b = VectorClock::new(3, None);
        b.record(0, Some(2));
        b.record(1, Some(7));
        a.merge(&b);
        let entries: Vec<(u64, Option<u64>)> = a.entries().map(|(n, m)| (n, *m)).collect();
        assert_eq!(entries, [(2, Some(3)), (1, Some(7)), (0, None)]);
    }
}
