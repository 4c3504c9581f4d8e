//! The what-if table: every interface after each stage of the lock sequence.

use super::text::{cell, open_closed};
use provsim_scenarios::RunReport;
use std::fmt::Write;

pub fn write_locks(out: &mut String, r: &RunReport) -> std::fmt::Result {
    let locks = &r.locks;
    writeln!(out, "## What the lock sequence leaves open")?;
    writeln!(out)?;
    writeln!(
        out,
        "Device {} replayed through the station and probed, on copies, after each step.",
        locks.device
    )?;
    writeln!(out)?;
    let Some(first) = locks.stages.first() else {
        writeln!(out, "The device never reached the lock sequence.")?;
        writeln!(out)?;
        return Ok(());
    };
    write!(out, "| Stage | Result |")?;
    for interface in &first.interfaces {
        write!(out, " {} |", interface.interface)?;
    }
    writeln!(out)?;
    write!(out, "|---|---|")?;
    for _ in &first.interfaces {
        write!(out, "---|")?;
    }
    writeln!(out)?;
    for stage in &locks.stages {
        let result = if stage.result.is_empty() {
            "-"
        } else {
            &stage.result
        };
        write!(out, "| {} | {} |", cell(&stage.stage), cell(result))?;
        for interface in &stage.interfaces {
            write!(out, " {} |", open_closed(interface.open))?;
        }
        writeln!(out)?;
    }
    writeln!(out)?;
    writeln!(out, "After the run:")?;
    writeln!(out)?;
    for interface in &locks.after_run {
        writeln!(
            out,
            "- {}: {} ({})",
            interface.interface,
            open_closed(interface.open),
            interface.detail
        )?;
    }
    if let Some(reason) = &locks.device_rejected {
        writeln!(out)?;
        writeln!(out, "The device did not ship: {reason}")?;
    }
    writeln!(out)?;
    Ok(())
}
