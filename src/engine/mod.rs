//! The engine: Lamport's clock rules, the tick schedule, and the simulation that steps every
//! machine at its rate, the only code that mutates simulation state. What it reports goes
//! out through [`EventSink`]: every event, then the end of the run.

pub(crate) mod clock;
mod event;
mod network;
mod simulation;
#[cfg(test)]
mod tests;
mod tick_queue;

pub use event::{Ending, Event, EventDetail, EventSink, MachineState, NullSink, RunEnd};
pub use simulation::{SimError, Simulation};
#[cfg(feature = "testing")]
pub use tick_queue::IndexedTickQueue;
// Public only through `lamport_sim::testing`, for the benchmarks that compare them.
#[cfg_attr(not(feature = "testing"), allow(unreachable_pub, unused_imports))]
pub use tick_queue::{AutoTickQueue, HeapTickQueue, ScanTickQueue, TickQueue, TickQueueUser, SCAN_MAX_MACHINES};
