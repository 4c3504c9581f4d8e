//! `report.md`, section by section in reading order.

use super::attempts::write_attempts;
use super::claims::write_claims;
use super::costs::write_costs;
use super::devices::write_devices;
use super::glitch_map::write_glitch_map;
use super::header::write_header;
use super::locks::write_locks;
use super::site::write_site_and_line;
use provsim_scenarios::RunReport;

/// Renders the report as Markdown.
pub fn render_markdown(r: &RunReport) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored.
    let _ = write_report(&mut out, r);
    out
}

fn write_report(out: &mut String, r: &RunReport) -> std::fmt::Result {
    write_header(out, r)?;
    write_claims(out, r)?;
    write_attempts(out, r)?;
    write_glitch_map(out, r)?;
    write_site_and_line(out, r)?;
    write_locks(out, r)?;
    write_costs(out, r)?;
    write_devices(out, r)
}
