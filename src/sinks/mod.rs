//! What the engine's events feed: the CSV logs, the run statistics behind `summary.json`, the
//! batch metrics and the fingerprint, each an [`crate::engine::EventSink`].

mod csv_logs;
mod fingerprint;
mod metrics;
mod summary;

#[cfg(feature = "testing")]
pub(crate) use csv_logs::{format_row, SystemTimeFormat, HEADER};
pub use csv_logs::{CsvLogs, MemoryLogs};
pub use fingerprint::Fingerprint;
pub use metrics::{Histogram, MachineMetrics, Metrics, RunMetrics};
pub use summary::{EventCounts, MachineSummary, OverallSummary, Summary, SummarySink, SUMMARY_SCHEMA_VERSION};

use crate::engine::EventDetail;

/// Rows of one machine by kind, and messages sent: the counts every statistics sink keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct KindCounts {
    /// SEND rows.
    sends: u64,
    /// RECEIVE rows.
    receives: u64,
    /// INTERNAL rows.
    internals: u64,
    /// Messages sent (a SEND to two machines counts two).
    messages_sent: u64,
}

impl KindCounts {
    /// Counts one event.
    #[inline]
    fn count(&mut self, detail: &EventDetail<'_>) {
        match detail {
            EventDetail::Send { to, .. } => {
                self.sends += 1;
                self.messages_sent += to.len() as u64;
            }
            EventDetail::Receive { .. } => self.receives += 1,
            EventDetail::Internal => self.internals += 1,
        }
    }

    /// All rows.
    fn total(&self) -> u64 {
        self.sends + self.receives + self.internals
    }
}
