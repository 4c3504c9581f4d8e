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
mod format;
mod load;
mod report;
mod runner;
mod scenario;

pub use builtin::{BUILTIN, Builtin, DEFAULT_SCENARIO, builtin};
pub use claims::ClaimKind;
pub use error::{RunError, ScenarioError};
pub use load::{load_file, parse_str};
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
