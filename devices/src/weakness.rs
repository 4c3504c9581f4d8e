//! Weaknesses: protections a model implements that a scenario can switch off by name,
//! so an evaluator can model the implementation in front of them ("this boot ROM does
//! not compare the security counter").
//!
//! A weakness changes only the model's own code path: a part is built with its set,
//! and the check it names consults the set where it is made. Nothing on the `Target`
//! interface lists them, and no attack reads them: an attack finds a weakness the way
//! a real attacker does, by trying.

use crate::target::TargetKind;
use std::collections::BTreeSet;

/// One protection a model implements, switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Weakness {
    /// The debug port ignores the debug-lock fuse.
    DebugLockIgnored,
    /// The secure region does not keep the key store from the debug port or firmware.
    NoSecureRegion,
    /// An RDP regression from level 1 to 0 keeps flash instead of mass-erasing it.
    NoRdpRegressionErase,
    /// A life-cycle transition that needs a token accepts any token.
    NoLifeCycleTokenCheck,
    /// The boot ROM does not compare an image's security counter with the fuses.
    NoRollbackCheck,
    /// A secure element's channel sequence counter, which its challenges are made
    /// from, never advances: every session gets the same card challenge, so a host
    /// challenge played again gives the same session keys.
    SeChannelCounterFrozen,
    /// A secure element keeps a vendor diagnostic instruction that answers with an
    /// object's raw content, whatever its rules.
    SeVendorDiagnostic,
    /// An ASIC's SRAM PUF cells keep their manufacturing bias (four in five prefer 1):
    /// no debiasing before the repetition code.
    PufBiasedCells,
}

impl Weakness {
    pub const ALL: [Weakness; 8] = [
        Weakness::DebugLockIgnored,
        Weakness::NoSecureRegion,
        Weakness::NoRdpRegressionErase,
        Weakness::NoLifeCycleTokenCheck,
        Weakness::NoRollbackCheck,
        Weakness::SeChannelCounterFrozen,
        Weakness::SeVendorDiagnostic,
        Weakness::PufBiasedCells,
    ];

    /// The name a scenario writes.
    pub fn name(self) -> &'static str {
        match self {
            Weakness::DebugLockIgnored => "debug-lock-ignored",
            Weakness::NoSecureRegion => "no-secure-region",
            Weakness::NoRdpRegressionErase => "no-rdp-regression-erase",
            Weakness::NoLifeCycleTokenCheck => "no-life-cycle-token-check",
            Weakness::NoRollbackCheck => "no-rollback-check",
            Weakness::SeChannelCounterFrozen => "se-channel-counter-frozen",
            Weakness::SeVendorDiagnostic => "se-vendor-diagnostic",
            Weakness::PufBiasedCells => "puf-biased-cells",
        }
    }

    pub fn from_name(name: &str) -> Option<Weakness> {
        Weakness::ALL.into_iter().find(|w| w.name() == name)
    }

    /// What the weakness disables, for `provsim list weaknesses` and reports.
    pub fn disables(self) -> &'static str {
        match self {
            Weakness::DebugLockIgnored => {
                "the debug-lock fuse: the debug (or test) port answers with the fuse blown"
            }
            Weakness::NoSecureRegion => {
                "the secure region: the key store reads like any other flash"
            }
            Weakness::NoRdpRegressionErase => {
                "the mass erase on an RDP regression from level 1 to 0: flash survives it"
            }
            Weakness::NoLifeCycleTokenCheck => {
                "the life-cycle token comparison: any token opens a transition that needs one"
            }
            Weakness::NoRollbackCheck => {
                "the boot ROM's anti-rollback comparison: an image below the fuses' counter boots"
            }
            Weakness::SeChannelCounterFrozen => {
                "the secure channel's sequence counter: every session repeats the card's challenge, so a recorded session replays"
            }
            Weakness::SeVendorDiagnostic => {
                "the removal of the vendor's diagnostic instruction: an undocumented INS answers with any object's raw content"
            }
            Weakness::PufBiasedCells => {
                "the PUF's debiasing: biased cells let the public helper data give away the secret"
            }
        }
    }

    /// Whether `kind`'s model implements the protection: the first five belong to a
    /// part that boots the device maker's firmware, with fuses, life-cycle tokens and a
    /// debug port (a secure element has none of them); the `se-` ones to the card's
    /// applet and secure channel; the PUF's to a part with a PUF.
    pub fn applies_to(self, kind: TargetKind) -> bool {
        let profile = kind.profile();
        match self {
            Weakness::SeChannelCounterFrozen | Weakness::SeVendorDiagnostic => {
                !profile.runs_firmware
            }
            Weakness::PufBiasedCells => profile.has_puf_key_store(),
            _ => profile.runs_firmware,
        }
    }
}

/// The weaknesses one part is built with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Weaknesses(BTreeSet<Weakness>);

impl Weaknesses {
    pub fn new(weaknesses: impl IntoIterator<Item = Weakness>) -> Weaknesses {
        Weaknesses(weaknesses.into_iter().collect())
    }

    /// Whether the part lacks this protection.
    pub fn has(&self, weakness: Weakness) -> bool {
        self.0.contains(&weakness)
    }

    /// In `Weakness::ALL` order.
    pub fn iter(&self) -> impl Iterator<Item = Weakness> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for w in Weakness::ALL {
            assert_eq!(Weakness::from_name(w.name()), Some(w));
            assert!(!w.disables().is_empty());
        }
        assert_eq!(Weakness::from_name("no-such-weakness"), None);
        let mut sorted = Weakness::ALL.to_vec();
        sorted.sort();
        assert_eq!(sorted, Weakness::ALL);
    }
}
