//! What a claim is: a named requirement, the essential element it serves, the
//! resistance it is made at, and the library oracle that decides it.

use crate::oracles::oracle::Oracle;
use crate::oracles::scope::Scope;
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
    pub const ALL: [EssentialElement; 5] = [
        EssentialElement::Authentication,
        EssentialElement::SecureConnections,
        EssentialElement::SecureCodeExecution,
        EssentialElement::SecureStorage,
        EssentialElement::Site,
    ];

    /// The name a scenario writes (`element = "secure-storage"`).
    pub fn key(self) -> &'static str {
        match self {
            EssentialElement::Authentication => "authentication",
            EssentialElement::SecureConnections => "secure-connections",
            EssentialElement::SecureCodeExecution => "secure-code-execution",
            EssentialElement::SecureStorage => "secure-storage",
            EssentialElement::Site => "site",
        }
    }

    pub fn from_key(key: &str) -> Option<EssentialElement> {
        Self::ALL.into_iter().find(|e| e.key() == key)
    }

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
            id: self.id.to_owned(),
            requirement: self.requirement.to_owned(),
            listed: true,
            element: self.element,
            resistance,
            eal: None,
            oracle: self.oracle,
            scope: Scope::ALL,
        }
    }
}

/// One claim of a scenario: a library claim, or one the scenario states itself (its own
/// id, requirement and element, over a library oracle), as a Security Target does.
/// Broken when an attempt within `resistance` makes its oracle false; an attempt
/// beyond it that does is residual risk.
#[derive(Debug, Clone)]
pub struct Claim {
    pub id: String,
    pub requirement: String,
    /// Whether the requirement is one provsim lists (false: a free name the scenario
    /// gave, which the report marks).
    pub listed: bool,
    pub element: EssentialElement,
    /// The AVA_VAN level the claim is made at.
    pub resistance: AvaVan,
    /// The EAL the scenario stated the resistance as, if it did (`EAL5`, judged at
    /// AVA_VAN.4), so the report says it back.
    pub eal: Option<Eal>,
    pub oracle: &'static dyn Oracle,
    /// The part of the world it speaks for: its oracle's parameters.
    pub scope: Scope,
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
