use crate::claims::ClaimKind;
use provsim_attacks::{Attack, AvaVan};
use provsim_provisioner::{LineConfig, Lot};

/// A validated scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub title: String,
    /// How the user named it: a path as given, or `builtin:NAME`.
    pub source: String,
    /// The seed used when the command line gives none.
    pub default_seed: u64,
    pub line: LineConfig,
    pub lots: Vec<Lot>,
    pub attacks: Vec<AttackPlan>,
    pub claims: Vec<ClaimSpec>,
}

impl Scenario {
    pub fn device_count(&self) -> u64 {
        self.lots.iter().map(|lot| u64::from(lot.devices)).sum()
    }
}

/// Which shipped devices an attack is tried on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Targets {
    All,
    Devices(Vec<u64>),
    /// This many distinct shipped devices, drawn from the seed.
    Sample(u32),
}

/// One attack path of a scenario.
#[derive(Clone)]
pub struct AttackPlan {
    pub attack: &'static dyn Attack,
    pub targets: Targets,
}

impl std::fmt::Debug for AttackPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttackPlan")
            .field("attack", &self.attack.id())
            .field("targets", &self.targets)
            .finish()
    }
}

/// One claim with the resistance it is made at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClaimSpec {
    pub kind: ClaimKind,
    pub resistance: AvaVan,
}
