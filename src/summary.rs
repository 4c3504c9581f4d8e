//! What `provsim run` says on standard output when it has finished: the devices and
//! attempts, each claim's verdict at its resistance, and where the report is.

use provsim_scenarios::{RunReport, Verdict};
use std::path::Path;

/// The run's closing lines, for `report` written to `report_path`.
pub fn run_summary(report: &RunReport, report_path: &Path) -> String {
    let command = report.reproduce.command.clone().unwrap_or_default();
    let mut text = format!(
        "provsim: {} device(s) shipped, {} attack attempt(s), trace digest {}\n",
        report.devices.count,
        report.attempts.len(),
        report.trace_digest
    );
    for claim in &report.claims {
        text += &match claim.verdict {
            Verdict::Holds => format!(
                "  holds   {} ({})\n",
                claim.id,
                claim.resistance_as_stated()
            ),
            Verdict::Broken => format!(
                "  BROKEN  {} ({}) by {}\n",
                claim.id,
                claim.resistance_as_stated(),
                claim.broken_by.join(", ")
            ),
            Verdict::Inconclusive => format!(
                "  inconclusive {} ({}): {}\n",
                claim.id,
                claim.resistance_as_stated(),
                claim.inconclusive.as_deref().unwrap_or("nothing tested it")
            ),
        };
    }
    text += &match report.verdict {
        Verdict::Holds => format!(
            "provsim: all claims hold; report: {}\n",
            report_path.display()
        ),
        Verdict::Broken => format!(
            "provsim: claim(s) broken; report: {}\nreproduce: {}\n",
            report_path.display(),
            command
        ),
        Verdict::Inconclusive => format!(
            "provsim: no claim broken, but some were not tested (inconclusive); report: {}\n",
            report_path.display()
        ),
    };
    text
}
