//! `[scenario]`: the scenario's name, title and default seed.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSection {
    pub name: Spanned<String>,
    pub title: Spanned<String>,
    /// The seed a run uses when none is given on the command line.
    #[serde(default = "default_seed")]
    pub seed: u64,
}

fn default_seed() -> u64 {
    1
}
