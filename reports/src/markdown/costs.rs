//! What each custody configuration would cost at this scenario's volume.

use provsim_scenarios::{RunReport, format_amount};
use std::fmt::Write;

pub fn write_costs(out: &mut String, r: &RunReport) -> std::fmt::Result {
    let c = &r.costs;
    writeln!(out, "## What each custody configuration costs")?;
    writeln!(out)?;
    writeln!(
        out,
        "At this scenario's volume of {} device(s), in {} (the scenario's figures where it gives them, defaults otherwise):",
        c.volume, c.currency
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "| Custody | Set-up | Per unit | Weeks to set up | Total | Per device |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for row in &c.configurations {
        writeln!(
            out,
            "| {}{} | {} | {} | {} | {} | {} |",
            row.custody,
            if row.chosen { " (this scenario)" } else { "" },
            format_amount(row.setup_micro),
            format_amount(row.per_unit_micro),
            row.setup_weeks,
            format_amount(row.total_micro),
            format_amount(row.per_device_micro)
        )?;
    }
    writeln!(out)
}
