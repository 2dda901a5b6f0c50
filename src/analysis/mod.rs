//! What reads a run afterwards: the log reader, `check`, `diff`, and the analytical model of
//! message traffic that batch results are compared with.

mod causality;
mod check;
mod diff;
mod logread;
mod predict;

pub use check::*;
pub use diff::*;
pub use logread::*;
pub use predict::{predict, Prediction};
