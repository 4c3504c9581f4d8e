//! Site weaknesses: protections of the line and its cloud that a scenario can switch
//! off by name (`[site] weaknesses`), as device weaknesses switch off a chip's, so an
//! evaluator can model the site in front of them ("this registrar never asks whether an
//! identity is already connected").
//!
//! A weakness changes only the component's own check, where the check is made; no
//! attack reads the set. An attack finds a weakness by trying.

use std::collections::BTreeSet;

/// One protection of the site or its cloud, switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SiteWeakness {
    /// The registrar admits an identity from a second endpoint while the first still
    /// holds a session.
    RegistrarNoDuplicateCheck,
    /// The registrar ignores the customer's revocations.
    RegistrarNoRevocation,
    /// The registrar ignores the customer's record of parts returned or scrapped.
    RegistrarNoLifeCycle,
    /// The provisioning link's ends agree keys without authenticating each other
    /// (anonymous ECDH: no certificate or handshake signature is checked).
    LinkUnauthenticatedKeyAgreement,
    /// The station bins a rejected part that may hold keys without the scrap
    /// transition that wipes its key store.
    ScrapWithoutWipe,
    /// The vault backup's wrapping key is kept whole by one administrator instead of
    /// split among the custodians.
    BackupKeyUnsplit,
    /// A board-level station provisions whatever part is on the board, without asking
    /// it to prove it is a genuine die.
    StationNoPartAuthentication,
    /// The vault lets the line's operators have the firmware-signing key sign after
    /// the key ceremony.
    FirmwareKeyOperatorUse,
}

impl SiteWeakness {
    pub const ALL: [SiteWeakness; 8] = [
        SiteWeakness::RegistrarNoDuplicateCheck,
        SiteWeakness::RegistrarNoRevocation,
        SiteWeakness::RegistrarNoLifeCycle,
        SiteWeakness::LinkUnauthenticatedKeyAgreement,
        SiteWeakness::ScrapWithoutWipe,
        SiteWeakness::BackupKeyUnsplit,
        SiteWeakness::StationNoPartAuthentication,
        SiteWeakness::FirmwareKeyOperatorUse,
    ];

    /// The name a scenario writes.
    pub fn name(self) -> &'static str {
        match self {
            SiteWeakness::RegistrarNoDuplicateCheck => "registrar-no-duplicate-check",
            SiteWeakness::RegistrarNoRevocation => "registrar-no-revocation",
            SiteWeakness::RegistrarNoLifeCycle => "registrar-no-life-cycle",
            SiteWeakness::LinkUnauthenticatedKeyAgreement => "link-unauthenticated-key-agreement",
            SiteWeakness::ScrapWithoutWipe => "scrap-without-wipe",
            SiteWeakness::BackupKeyUnsplit => "backup-key-unsplit",
            SiteWeakness::StationNoPartAuthentication => "station-no-part-authentication",
            SiteWeakness::FirmwareKeyOperatorUse => "firmware-key-operator-use",
        }
    }

    pub fn from_name(name: &str) -> Option<SiteWeakness> {
        SiteWeakness::ALL.into_iter().find(|w| w.name() == name)
    }

    /// What the weakness disables, for `provsim list weaknesses` and reports.
    pub fn disables(self) -> &'static str {
        match self {
            SiteWeakness::RegistrarNoDuplicateCheck => {
                "the registrar's duplicate check: one identity is admitted from two endpoints at once"
            }
            SiteWeakness::RegistrarNoRevocation => {
                "the registrar's revocation check: a revoked identity still connects"
            }
            SiteWeakness::RegistrarNoLifeCycle => {
                "the registrar's life-cycle check: a part recorded as returned or scrapped still connects"
            }
            SiteWeakness::LinkUnauthenticatedKeyAgreement => {
                "the link handshake's authentication: the ends agree keys with whoever answers, so a man in the middle runs one handshake with each"
            }
            SiteWeakness::ScrapWithoutWipe => {
                "the scrap transition: a rejected part goes into the bin with whatever keys it was given"
            }
            SiteWeakness::BackupKeyUnsplit => {
                "the split of the vault backup's wrapping key: one administrator holds it whole, so the file and one safe open every long-lived key"
            }
            SiteWeakness::StationNoPartAuthentication => {
                "the board-level station's part authentication: it provisions whatever part sits on the board, genuine die or counterfeit"
            }
            SiteWeakness::FirmwareKeyOperatorUse => {
                "the firmware-signing key's ceremony rule: after the ceremony it still signs for anyone with an operator's credentials"
            }
        }
    }
}

/// The site weaknesses a line is set up with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteWeaknesses(BTreeSet<SiteWeakness>);

impl SiteWeaknesses {
    pub fn new(weaknesses: impl IntoIterator<Item = SiteWeakness>) -> Self {
        SiteWeaknesses(weaknesses.into_iter().collect())
    }

    /// Whether the site lacks this protection.
    pub fn has(&self, weakness: SiteWeakness) -> bool {
        self.0.contains(&weakness)
    }

    /// In `SiteWeakness::ALL` order.
    pub fn iter(&self) -> impl Iterator<Item = SiteWeakness> + '_ {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_sorted() {
        for w in SiteWeakness::ALL {
            assert_eq!(SiteWeakness::from_name(w.name()), Some(w));
            assert!(!w.disables().is_empty());
        }
        assert_eq!(SiteWeakness::from_name("no-such-weakness"), None);
        let mut sorted = SiteWeakness::ALL.to_vec();
        sorted.sort();
        assert_eq!(sorted, SiteWeakness::ALL);
        let set = SiteWeaknesses::new([SiteWeakness::RegistrarNoLifeCycle]);
        assert!(set.has(SiteWeakness::RegistrarNoLifeCycle));
        assert!(!set.has(SiteWeakness::RegistrarNoRevocation));
    }
}
