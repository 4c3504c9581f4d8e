//! provsim's scenarios: the file format, the claims and their oracles, and the runner.
//!
//! A scenario file (TOML) describes a site, a line, the lots it runs, the attacks to
//! try and the claims to check. [`load_file`] turns it into a validated [`Scenario`] or
//! an error naming file, line and column. [`run`] provisions the lots, runs every attack
//! path on its own rebuilt copy of the devices it targets, has every claim's oracle
//! check what each attempt left (against ground truth, never the attack's own account),
//! judges each claim over the typed attempts, and assembles one [`RunReport`] tree that
//! the renderers turn into files.
//!
//! The rooms, in the order a run flows through them: `load` (one module per TOML
//! section) makes a `scenario`; `runner` executes it into typed `attempt`s, each checked
//! by the `oracles`; `claims` judges them into `verdict`s; `assemble` writes the result
//! `model`. Nothing here renders output, and nothing here writes a shell line: the
//! report's [`Reproduce`] value is completed by the command line.
#![forbid(unsafe_code)]

mod assemble;
mod attempt;
mod builtin;
mod claims;
mod error;
pub mod fuzzing;
pub mod input;
pub mod labels;
mod load;
mod matrix;
mod model;
mod oracles;
mod plain;
mod preamble;
mod run;
mod runner;
mod scenario;
mod traces;
mod unseen;
mod verdict;

pub use attempt::{Attempt, Violation};
pub use builtin::{BUILTIN, Builtin, DEFAULT_SCENARIO, builtin};
pub use claims::claim::{Claim, ClaimEntry, EssentialElement};
pub use claims::judge::{Judgement, judge};
pub use claims::library::CLAIMS;
pub use error::{RunError, ScenarioError};
pub use load::read::{load_file, parse_str};
pub use load::resize::parse_resized;
pub use model::*;
pub use oracles::library::ORACLES;
pub use oracles::oracle::Oracle;
pub use oracles::scope::{Param, Scope};
pub use plain::plain_types;
pub use preamble::{drawn_from_any_seed, seeded_choices};
/// Money in reports is exact micro-units; this writes it with two decimals.
pub use provsim_provisioner::format_amount;
pub use run::run;
pub use runner::execute::{Run, RunOptions, SiteKeys, execute};
pub use scenario::{AttackPlan, Scenario, Targets};
pub use traces::{Inputs, Recording, RecordingError, TraceSink, record, record_traces};
pub use unseen::{escape_unseen, is_invisible_format};
pub use verdict::{Untested, Verdict};

/// Every attack a scenario can name, as (id, title).
pub fn attack_catalogue() -> Vec<(&'static str, &'static str)> {
    provsim_attacks::catalogue()
        .iter()
        .map(|a| (a.id(), a.title()))
        .collect()
}

/// One attack as `provsim list attacks` shows it: what it acts on (`device`, `site`,
/// `line`, `link`, `field`, `rma-desk`), its id and its title.
pub type ListedAttack = (&'static str, &'static str, &'static str);

/// The catalogue grouped by life-cycle phase (in the device's order), in id order
/// within a phase.
pub fn attacks_by_phase() -> Vec<(&'static str, Vec<ListedAttack>)> {
    let mut attacks: Vec<_> = provsim_attacks::catalogue().to_vec();
    attacks.sort_by_key(|a| (a.phase(), a.id()));
    let mut groups: Vec<(&'static str, Vec<_>)> = Vec::new();
    for attack in attacks {
        let phase = attack.phase().name();
        if groups.last().is_none_or(|(name, _)| *name != phase) {
            groups.push((phase, Vec::new()));
        }
        if let Some((_, group)) = groups.last_mut() {
            group.push((attack.position().name(), attack.id(), attack.title()));
        }
    }
    groups
}
