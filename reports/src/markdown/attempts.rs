//! The attempts: a table of what each attack did, then each attack's potential.

use super::text::{cell, or_dash};
use provsim_scenarios::{ActsOn, RunReport};
use std::fmt::Write;

pub fn write_attempts(out: &mut String, r: &RunReport) -> std::fmt::Result {
    writeln!(out, "## Attempts")?;
    writeln!(out)?;
    if r.attempts.is_empty() {
        writeln!(out, "The scenario tries no attack.")?;
    } else {
        writeln!(
            out,
            "| Attack | Phase | Acts on | Outcome | Potential | Violates | Ladder | Why |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---|---|")?;
        for a in &r.attempts {
            let potential = match (&a.potential.total, &a.potential.rating) {
                (Some(total), Some(rating)) => format!("{total} ({rating})"),
                _ => "not exploitable".to_owned(),
            };
            let violates: Vec<String> = a.violates.iter().map(|v| v.claim.clone()).collect();
            let acts_on = match a.position {
                ActsOn::Site => format!(
                    "the site, device {} `{}` on the station",
                    a.device, a.device_id
                ),
                ActsOn::Line => format!(
                    "the line once the order was done (last device `{}`)",
                    a.device_id
                ),
                ActsOn::Device => format!("device {} `{}`", a.device, a.device_id),
                ActsOn::Link => format!(
                    "the link while device {} `{}` was on the station",
                    a.device, a.device_id
                ),
                ActsOn::RmaDesk => format!(
                    "returned device {} `{}` at the RMA desk",
                    a.device, a.device_id
                ),
                ActsOn::ScrapBin => format!(
                    "rejected device {} `{}` from the scrap bin",
                    a.device, a.device_id
                ),
                ActsOn::BoardAssembly => format!(
                    "the board for device {} `{}` at the assembler",
                    a.device, a.device_id
                ),
                ActsOn::Field => format!(
                    "the field around device {} `{}` (in service at the registrar)",
                    a.device, a.device_id
                ),
            };
            writeln!(
                out,
                "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
                a.attack,
                a.phase,
                acts_on,
                a.outcome,
                potential,
                or_dash(&violates),
                cell(&a.climb),
                cell(&a.why)
            )?;
        }
        // What each site path's own books named once it was over: the detective side.
        let booked: Vec<_> = r.attempts.iter().filter(|a| !a.books.is_empty()).collect();
        if !booked.is_empty() {
            writeln!(out)?;
            writeln!(
                out,
                "What each site path's copy of the books could not account for, reconciled after the attack:"
            )?;
            writeln!(out)?;
            for a in booked {
                for finding in &a.books {
                    writeln!(out, "- `{}`: {}", a.attack, cell(finding))?;
                }
            }
        }
        // Each distinct rating once: attempts that spent the same are rated the same.
        let mut rated: Vec<&provsim_scenarios::AttemptInfo> = Vec::new();
        for a in &r.attempts {
            if !rated
                .iter()
                .any(|b| b.attack == a.attack && b.potential == a.potential)
            {
                rated.push(a);
            }
        }
        writeln!(out)?;
        writeln!(
            out,
            "Attack potential of each attempt's deciding rung (CEM v3.1 R5, Annex B.4), from what it spent:"
        )?;
        writeln!(out)?;
        for a in rated {
            let p = &a.potential;
            let why = &p.reasons;
            writeln!(
                out,
                "- `{}`, {}: elapsed time {} ({}); expertise {} ({}); knowledge of the TOE {} ({}); window of opportunity {} ({}); equipment {} ({})",
                a.attack,
                cell(&p.rationale),
                p.elapsed_time,
                cell(&why.elapsed_time),
                p.expertise,
                cell(&why.expertise),
                p.knowledge_of_toe,
                cell(&why.knowledge_of_toe),
                p.window_of_opportunity,
                cell(&why.window_of_opportunity),
                p.equipment,
                cell(&why.equipment),
            )?;
        }
    }
    writeln!(out)?;

    Ok(())
}
