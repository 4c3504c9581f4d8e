//! The report's title, verdict and the table that identifies the run.

use super::text::{code, inline, paragraph};
use provsim_scenarios::{RunReport, Verdict};
use std::fmt::Write;

pub fn write_header(out: &mut String, r: &RunReport) -> std::fmt::Result {
    let broken = r
        .claims
        .iter()
        .filter(|c| c.verdict == Verdict::Broken)
        .count();
    writeln!(out, "# provsim report: {}", inline(&r.scenario.name))?;
    writeln!(out)?;
    writeln!(out, "{}", paragraph(&r.scenario.title))?;
    writeln!(out)?;
    match r.verdict {
        Verdict::Holds => writeln!(out, "**Verdict: all {} claim(s) hold.**", r.claims.len())?,
        Verdict::Broken => writeln!(
            out,
            "**Verdict: {broken} of {} claim(s) BROKEN.**",
            r.claims.len()
        )?,
        Verdict::Inconclusive => writeln!(
            out,
            "**Verdict: INCONCLUSIVE: none of {} claim(s) broken, but {} not tested.**",
            r.claims.len(),
            r.claims
                .iter()
                .filter(|c| c.verdict == Verdict::Inconclusive)
                .count()
        )?,
    }
    writeln!(out)?;
    writeln!(out, "| | |")?;
    writeln!(out, "|---|---|")?;
    writeln!(out, "| Scenario | {} |", code(&r.scenario.source))?;
    writeln!(out, "| Scenario digest | `{}` |", r.scenario.input_digest)?;
    writeln!(out, "| Seed | {} |", r.seed)?;
    writeln!(out, "| Trace digest | `{}` |", r.trace_digest)?;
    writeln!(out, "| Run id | `{}` |", r.run_id)?;
    match &r.reproduce.command {
        Some(command) => writeln!(out, "| Reproduce | {} |", code(command))?,
        None => writeln!(out, "| Reproduce | - |")?,
    }
    writeln!(out, "| Tool | {} |", r.tool)?;
    writeln!(out)?;

    Ok(())
}
