//! What an attempt spent, and the one function that rates it.
//!
//! An attack never carries its own points. Each attempt records its [`Effort`] (the
//! bench it used, how many traces, tries, reads or requests, how many faults per try,
//! the set-up steps it took, the design knowledge and the access it needed) and
//! [`rate`] turns those counts into the CEM v3.1 R5 Annex B.4 factors, each with a
//! one-line reason: elapsed time from the counts at the bench's stated rate plus the
//! steps' stated durations ([`rates`]), equipment from the bench, expertise from
//! higher-order or multi-fault work, knowledge from what the path needs of the target's
//! documentation, and the window of opportunity from the access and the time on it.

mod counts;
pub(crate) mod rate;
pub mod rates;
pub(crate) mod rung;

pub use counts::{Access, Bench, Effort, Needs, Step};
pub use rate::rate;
pub use rung::{Attempted, Rung};
