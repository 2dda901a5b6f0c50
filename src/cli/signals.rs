//! Ctrl-C: a flag the long-running commands poll, so a stopped run is marked, not torn.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

/// A flag set by Ctrl-C (installed once per process).
pub(super) fn stop_flag() -> Arc<AtomicBool> {
    static FLAG: OnceLock<Arc<AtomicBool>> = OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        let setter = Arc::clone(&flag);
        // If a handler cannot be installed (another one exists), Ctrl-C just ends the
        // process, which leaves the run without summary.json: still not "complete".
        let _ = ctrlc::set_handler(move || setter.store(true, Ordering::Relaxed));
        flag
    })
    .clone()
}
