//! provsim's scenarios: the file format, the claims and their oracles, and the runner.
//!
//! A scenario file (TOML) describes a site, a line, the lots it runs, the attacks to
//! try and the claims to check. [`load_file`] turns it into a validated [`Scenario`] or
//! an error naming file, line and column; [`run`] provisions the lots, runs every attack
//! path on its own rebuilt copy of the devices it targets, evaluates every claim's
//! oracle against ground truth, and returns one [`RunReport`] tree that the renderers
//! turn into files.
//!
//! Nothing here renders output.
#![forbid(unsafe_code)]

mod builtin;
mod claims;
mod error;
pub mod labels;
mod load;
mod locks;
mod report;
mod runner;
mod scenario;

pub use builtin::{BUILTIN, Builtin, DEFAULT_SCENARIO, builtin};
pub use claims::ClaimKind;
pub use error::{RunError, ScenarioError};
pub use load::{load_file, parse_str};
/// Money in reports is exact micro-units; this writes it with two decimals.
pub use provsim_provisioner::format_amount;
pub use report::*;
pub use runner::{RunOptions, run};
pub use scenario::{AttackPlan, ClaimSpec, Scenario, Targets};

/// Every attack a scenario can name, as (id, title).
pub fn attack_catalogue() -> Vec<(&'static str, &'static str)> {
    provsim_attacks::catalogue()
        .iter()
        .map(|a| (a.id(), a.title()))
        .collect()
}

/// Harnesses shared by the fuzz targets (`fuzz/`) and the tests that replay their seeds,
/// so a crash found by a campaign becomes a regression test by adding one file.
pub mod fuzzing {
    use crate::{RunOptions, Verdict, parse_str, run};

    /// Lots this size or smaller are also run, not only parsed.
    const RUN_AT_MOST: u64 = 4;

    /// Parses arbitrary bytes as a scenario; a scenario that parses and is small is run.
    /// Must never panic: bad input is an error with a position, not a crash.
    pub fn scenario_bytes(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        match parse_str(text, "fuzz.toml") {
            Err(error) => assert!(error.to_string().starts_with("fuzz.toml"), "{error}"),
            Ok(scenario) if scenario.device_count() <= RUN_AT_MOST => {
                let report = run(&scenario, &RunOptions::new(1, Some("fuzz.toml")), &mut ())
                    .expect("a valid small scenario runs");
                let any_broken = report.claims.iter().any(|c| c.verdict == Verdict::Broken);
                assert_eq!(report.verdict == Verdict::Broken, any_broken);
                assert_eq!(report.devices.count, scenario.device_count());
            }
            Ok(_) => {}
        }
    }
}
