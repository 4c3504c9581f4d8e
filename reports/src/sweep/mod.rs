//! Seed sweeps: each seed's record, the summary over all of them (with Wilson
//! intervals), and its JSON and Markdown forms.

mod markdown;
mod record;
mod summary;
mod wilson;

pub use markdown::render_summary_markdown;
pub use record::{SeedClaim, SeedRecord};
pub use summary::{
    ClaimHeader, ClaimSweep, SweepHeader, SweepSummary, TotalCount, VerdictCounts, reproduce_line,
};
pub use wilson::wilson;

/// `summary.json`: the summary, pretty-printed, with a final newline.
pub fn render_summary_json(summary: &SweepSummary) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(summary).map(|mut text| {
        text.push('\n');
        text
    })
}
