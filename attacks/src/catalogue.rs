//! The attack interface and the catalogue of attacks a scenario can name.

use crate::knowledge::Knowledge;
use crate::potential::AttackPotential;
use provsim_devices::{Target, TargetKind};
use provsim_sim::{Ctx, Stream};
use std::fmt;

/// Where in the device's life the attacker acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Design,
    Fab,
    TestHouse,
    BoardAssembly,
    Shipping,
    Field,
    Return,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Design => "design",
            Phase::Fab => "fab",
            Phase::TestHouse => "test-house",
            Phase::BoardAssembly => "board-assembly",
            Phase::Shipping => "shipping",
            Phase::Field => "field",
            Phase::Return => "return",
        }
    }
}

/// How an attempt went, in the attack's own words. This is a description for the
/// report, not a verdict: whether anything was broken is for the claims' oracles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The attack got material (now in the attacker's knowledge).
    Obtained { summary: String },
    /// A countermeasure stopped it.
    Blocked { reason: String },
    /// It ran but got nothing of use.
    Failed { reason: String },
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Obtained { .. } => "obtained",
            Outcome::Blocked { .. } => "blocked",
            Outcome::Failed { .. } => "failed",
        }
    }

    pub fn why(&self) -> &str {
        match self {
            Outcome::Obtained { summary } => summary,
            Outcome::Blocked { reason } | Outcome::Failed { reason } => reason,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.why())
    }
}

/// An attack path.
pub trait Attack: Send + Sync {
    /// The id scenarios name it by.
    fn id(&self) -> &'static str;

    /// One line for reports.
    fn title(&self) -> &'static str;

    fn phase(&self) -> Phase;

    /// The CEM factor ratings of this path against a target class.
    fn potential(&self, target: TargetKind) -> AttackPotential;

    /// Runs against one device through its real interfaces, adding what it obtains to
    /// `knowledge`. `rng` is the attempt's own labelled stream, for whatever the attacker
    /// makes up (keys, guesses).
    fn run(
        &self,
        target: &mut dyn Target,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Outcome;
}

static CATALOGUE: &[&dyn Attack] = &[&crate::DebugPortReadout, &crate::ForeignFirmwareUpdate];

/// Every attack provsim knows, in id order.
pub fn catalogue() -> &'static [&'static dyn Attack] {
    CATALOGUE
}

/// The attack with `id`.
pub fn find(id: &str) -> Option<&'static dyn Attack> {
    CATALOGUE.iter().copied().find(|attack| attack.id() == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_devices::TargetKind;

    #[test]
    fn ids_are_unique_sorted_and_found() {
        let ids: Vec<_> = catalogue().iter().map(|a| a.id()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for id in ids {
            assert_eq!(find(id).map(|a| a.id()), Some(id));
        }
        assert!(find("no-such-attack").is_none());
    }

    #[test]
    fn every_attack_has_a_rated_potential_with_a_rationale() {
        for attack in catalogue() {
            let potential = attack.potential(TargetKind::Mcu);
            assert!(!potential.rationale.is_empty(), "{}", attack.id());
            assert!(!attack.title().is_empty());
        }
    }
}
