//! The glitch map: fault point by method, what the run's glitch rungs spent and what
//! became of their glitches, as the chips recorded it.

use provsim_scenarios::RunReport;
use std::fmt::Write;

pub fn write_glitch_map(out: &mut String, r: &RunReport) -> std::fmt::Result {
    if r.glitch_map.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Glitch map")?;
    writeln!(out)?;
    writeln!(
        out,
        "Every glitch rung of the run, by fault point and method. Glitches are what the rig fired (two a try for double faults); landed, detected and acted are what the chips recorded of them (acted: a landed fault took effect at the check it was aimed at; a duplicated check may still refuse, raising a mismatch); a successful rung is one that made a claim false."
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| Fault point | Method | Rungs | Tries | Glitches | Landed | Detected | Acted | Successful rungs |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---|---|---|")?;
    for row in &r.glitch_map {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.fault_point,
            row.method,
            row.rungs,
            row.tries,
            row.glitches,
            row.landed,
            row.detected,
            row.acted,
            row.successes
        )?;
    }
    writeln!(out)
}
