//! `summary.md`: the sweep's summary for people.

use super::summary::SweepSummary;
use std::fmt::Write;

/// Renders `summary` as Markdown.
pub fn render_summary_markdown(summary: &SweepSummary) -> String {
    let mut out = String::new();
    let header = &summary.header;
    // Writing into a String cannot fail.
    let _ = writeln!(out, "# Seed sweep: {}\n", header.scenario);
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| Tool | {} |", header.tool);
    let _ = writeln!(out, "| Scenario digest | `{}` |", header.input_digest);
    let _ = writeln!(out, "| Seeds | `{}` ({} run) |", header.seeds, summary.runs);
    let v = &summary.verdicts;
    let _ = writeln!(
        out,
        "| Runs | {} broken, {} inconclusive, {} hold |\n",
        v.broken, v.inconclusive, v.holds
    );
    let _ = writeln!(out, "## Claims\n");
    let _ = writeln!(
        out,
        "| Claim | Resistance | Broken | Inconclusive | Break rate | Wilson 95% | Lowest breaking seed |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for claim in &summary.claims {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} of {} | {} | {:.4} | [{:.4}, {:.4}] | {} |",
            claim.id,
            claim.resistance,
            claim.verdicts.broken,
            summary.runs,
            claim.verdicts.inconclusive,
            claim.break_rate,
            claim.wilson95[0],
            claim.wilson95[1],
            claim
                .lowest_breaking_seed
                .map_or("-".to_owned(), |seed| seed.to_string())
        );
    }
    for claim in summary
        .claims
        .iter()
        .filter(|c| c.lowest_breaking_seed.is_some())
    {
        let _ = writeln!(out, "\n### `{}`\n", claim.id);
        let _ = writeln!(out, "- Requirement: {}", claim.requirement);
        if let Some(line) = &claim.reproduce {
            let _ = writeln!(out, "- Rerun the lowest breaking seed: `{line}`");
        }
        let spread: Vec<String> = claim
            .lowest_breaking_totals
            .iter()
            .map(|t| format!("{} on {} seed(s)", t.total, t.seeds))
            .collect();
        if !spread.is_empty() {
            let _ = writeln!(out, "- Lowest breaking total: {}", spread.join(", "));
        }
        let seeds: Vec<String> = claim.broken_seeds.iter().map(u64::to_string).collect();
        let _ = writeln!(out, "- Broken on seeds: {}", seeds.join(", "));
    }
    out
}
