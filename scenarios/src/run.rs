//! A whole run, as the library's callers want it: the runner's typed results
//! assembled into the report.

use crate::assemble::report::report;
use crate::error::RunError;
use crate::model::RunReport;
use crate::runner::execute::{RunOptions, execute};
use crate::scenario::Scenario;
use provsim_provisioner::LineSink;

/// Runs `scenario`, streaming the line's certificates and audit records to `sink`, and
/// returns its report (whose reproduce value the command line completes).
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
    sink: &mut dyn LineSink,
) -> Result<RunReport, RunError> {
    let run = execute(scenario, options, sink)?;
    report(&run)
}
