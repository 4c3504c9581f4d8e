//! provsim's report renderers.
//!
//! Every format is rendered from the one [`RunReport`] tree that the scenarios crate
//! assembles from a run (and the command line completes with the reproduce line). The
//! renderers decide layout only: anything a report states (verdicts, totals, evidence)
//! was decided before it got here, so the formats can never disagree.
#![forbid(unsafe_code)]

mod error;
mod json;
mod markdown;
pub mod sweep;

pub use error::ReportError;
pub use json::render_json;
pub use markdown::render_markdown;
pub use provsim_scenarios::RunReport;
