//! The scenarios shipped inside the binary, so `provsim run` works from any folder.

use crate::error::ScenarioError;
use crate::load::read::parse_str;
use crate::scenario::Scenario;

/// A scenario shipped with provsim.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    pub text: &'static str,
}

impl Builtin {
    /// How reports name it.
    pub fn source(&self) -> String {
        format!("builtin:{}", self.name)
    }

    /// Parses it. The shipped files are tested, so this only fails on a bad build.
    pub fn load(&self) -> Result<Scenario, ScenarioError> {
        parse_str(self.text, &self.source())
    }
}

/// Each shipped scenario, by its file's name in `scenarios/`.
macro_rules! shipped {
    ($($name:literal),* $(,)?) => {
        &[$(Builtin {
            name: $name,
            text: include_str!(concat!("../", $name, ".toml")),
        }),*]
    };
}

pub const BUILTIN: &[Builtin] = shipped![
    "mcu-board-provisioner-hsm",
    "mcu-board-debug-open",
    "mcu-wafer-customer-hsm",
    "mcu-package-shared-vm",
    "mcu-board-insider",
    "mcu-board-supply-chain",
    "mcu-board-security-target",
    "mcu-board-on-chip-keys",
    "mcu-lock-what-if",
    "mcu-board-glitch-hardened",
    "mcu-glitch-near-threshold",
    "asic-board-test-port-open",
    "se-board-provisioner-hsm",
];

/// The scenario `provsim run` uses when given none.
pub const DEFAULT_SCENARIO: &str = "mcu-board-provisioner-hsm";

pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTIN.iter().find(|b| b.name == name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_shipped_scenario_loads_and_the_default_exists() {
        for b in super::BUILTIN {
            let scenario = b.load().unwrap_or_else(|e| panic!("{}: {e}", b.name));
            assert_eq!(scenario.name, b.name);
        }
        assert!(super::builtin(super::DEFAULT_SCENARIO).is_some());
    }

    /// A scenario file left out of the binary would not be listed or run by name.
    #[test]
    fn every_scenario_file_is_shipped() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let path = e.ok()?.path();
                (path.extension()? == "toml")
                    .then(|| path.file_stem()?.to_str().map(str::to_owned))?
            })
            .filter(|name| name != "Cargo")
            .collect();
        files.sort();
        let mut shipped: Vec<String> = super::BUILTIN.iter().map(|b| b.name.to_owned()).collect();
        shipped.sort();
        assert_eq!(files, shipped);
    }
}
