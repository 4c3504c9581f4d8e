//! What a claim is: a named requirement, the essential element it serves, the
//! resistance it is made at, and the library oracle that decides it.

use crate::oracles::oracle::Oracle;
use provsim_attacks::{AvaVan, Eal};

/// What a claim protects: one of the essential elements a connected product's
/// security rests on, or the provisioning site itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EssentialElement {
    Authentication,
    SecureConnections,
    SecureCodeExecution,
    SecureStorage,
    Site,
}

impl EssentialElement {
    pub fn name(self) -> &'static str {
        match self {
            EssentialElement::Authentication => "authentication",
            EssentialElement::SecureConnections => "secure connections",
            EssentialElement::SecureCodeExecution => "secure code execution",
            EssentialElement::SecureStorage => "secure storage",
            EssentialElement::Site => "site",
        }
    }
}

/// A claim as the library states it, before a scenario gives the resistance it is made
/// at (a Security Target picks its claims the same way).
#[derive(Debug, Clone, Copy)]
pub struct ClaimEntry {
    /// The id a scenario's `[[claim]]` names it by.
    pub id: &'static str,
    /// The security requirement it stands for (a CC SFR or a SESIP requirement), as the
    /// report prints it.
    pub requirement: &'static str,
    pub element: EssentialElement,
    pub oracle: &'static dyn Oracle,
}

impl ClaimEntry {
    /// The claim made at `resistance`.
    pub fn at(&self, resistance: AvaVan) -> Claim {
        Claim {
            id: self.id,
            requirement: self.requirement,
            element: self.element,
            resistance,
            eal: None,
            oracle: self.oracle,
        }
    }
}

/// One claim of a scenario. Broken when an attempt within `resistance` makes its
/// oracle false; an attempt beyond it that does is residual risk.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    pub id: &'static str,
    pub requirement: &'static str,
    pub element: EssentialElement,
    /// The AVA_VAN level the claim is made at.
    pub resistance: AvaVan,
    /// The EAL the scenario stated the resistance as, if it did (`EAL5`, judged at
    /// AVA_VAN.4), so the report says it back.
    pub eal: Option<Eal>,
    pub oracle: &'static dyn Oracle,
}

impl Claim {
    /// The claim as stated at an EAL (judged at its AVA_VAN level all the same).
    pub fn stated_as(self, eal: Option<Eal>) -> Claim {
        Claim { eal, ..self }
    }

    /// What the claim promises: its oracle's statement.
    pub fn statement(&self) -> &'static str {
        self.oracle.statement()
    }
}
