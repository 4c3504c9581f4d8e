//! The claims: a table of verdicts, then each claim with its evidence.

use super::text::{inline, or_dash, verdict};
use provsim_scenarios::RunReport;
use std::fmt::Write;

pub fn write_claims(out: &mut String, r: &RunReport) -> std::fmt::Result {
    writeln!(out, "## Claims")?;
    writeln!(out)?;
    writeln!(
        out,
        "| Claim | Control | Claimed resistance | Verdict | Broken by | Lowest breaking total | Demonstrated resistance | Residual risk |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    for c in &r.claims {
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
            c.id,
            c.control,
            c.resistance_as_stated(),
            verdict(c.verdict),
            or_dash(&c.broken_by),
            c.lowest_breaking_total
                .map_or("-".to_owned(), |t| t.to_string()),
            c.demonstrated_resistance.as_deref().unwrap_or("-"),
            or_dash(&c.residual_risk),
        )?;
    }
    write_applicability(out, r)?;
    for c in &r.claims {
        writeln!(out)?;
        writeln!(out, "### `{}`", c.id)?;
        writeln!(out)?;
        let free = if c.requirement_free {
            " (a free name: not one provsim lists)"
        } else {
            ""
        };
        writeln!(out, "- Requirement: {}{free}", c.requirement)?;
        writeln!(out, "- Element: {}; oracle `{}`", c.element, c.oracle)?;
        if let Some(scope) = &c.scope {
            writeln!(out, "- Scope: {}", inline(scope))?;
        }
        writeln!(out, "- Statement: {}", c.statement)?;
        writeln!(
            out,
            "- Claimed at {}; tested at that resistance by {} attempt(s).",
            c.resistance_as_stated(),
            c.attempts
        )?;
        if let Some(honest) = &c.honest_run {
            writeln!(out, "- The honest run: {honest}.")?;
            if c.attempts == 0 && honest.starts_with("exercised") {
                writeln!(
                    out,
                    "- At {}, no attack tested it: it rests on the honest run's exercise alone.",
                    c.resistance
                )?;
            }
        }
        if let Some(why) = &c.inconclusive {
            writeln!(out, "- Inconclusive: {why}.")?;
        } else if c.evidence.is_empty() {
            writeln!(out, "- No attempt violated the claim.")?;
        } else {
            writeln!(out, "- Evidence:")?;
            for e in &c.evidence {
                writeln!(out, "  - {e}")?;
            }
        }
    }
    writeln!(out)?;

    Ok(())
}

/// The claims x attacks matrix: what each attack path did to each claim.
fn write_applicability(out: &mut String, r: &RunReport) -> std::fmt::Result {
    let Some(first) = r.applicability.first() else {
        return Ok(());
    };
    if first.cells.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "What each attack path did to each claim:")?;
    writeln!(out)?;
    let attacks: Vec<String> = first
        .cells
        .iter()
        .map(|c| format!("`{}`", c.attack))
        .collect();
    writeln!(out, "| Claim | {} |", attacks.join(" | "))?;
    writeln!(out, "|---|{}", "---|".repeat(attacks.len()))?;
    for row in &r.applicability {
        let cells: Vec<&str> = row.cells.iter().map(|c| c.status.as_str()).collect();
        writeln!(out, "| `{}` | {} |", row.claim, cells.join(" | "))?;
    }
    // Every cell that did not test its claim, with why: what an evaluator checks
    // before trusting a "holds".
    let untested: Vec<String> = r
        .applicability
        .iter()
        .flat_map(|row| {
            row.cells.iter().filter_map(move |c| {
                let why = c.why.as_deref()?;
                Some(format!(
                    "- `{}` x `{}`: {}: {}",
                    row.claim,
                    c.attack,
                    c.status,
                    inline(why)
                ))
            })
        })
        .collect();
    if !untested.is_empty() {
        writeln!(out)?;
        writeln!(out, "Where a path did not test a claim, and why:")?;
        writeln!(out)?;
        for line in untested {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}
