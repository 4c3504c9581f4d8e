//! The shipped devices: how many, the first identities, and the population's digest.

use provsim_scenarios::RunReport;
use std::fmt::Write;

pub fn write_devices(out: &mut String, r: &RunReport) -> std::fmt::Result {
    writeln!(out, "## Devices")?;
    writeln!(out)?;
    writeln!(
        out,
        "{} device(s) shipped; every one has a signed record in `records.jsonl`. Identity-key fingerprints (SHA-256 of the public key) of the first:",
        r.devices.count
    )?;
    writeln!(out)?;
    for (i, fp) in r.devices.first_identities.iter().enumerate() {
        writeln!(out, "- {i}: `{fp}`")?;
    }
    let more = r
        .devices
        .count
        .saturating_sub(r.devices.first_identities.len() as u64);
    if more > 0 {
        writeln!(out, "- ... and {more} more")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "All shipped identities, in device order, digest to `{}`.",
        r.devices.identities_digest
    )?;
    Ok(())
}
