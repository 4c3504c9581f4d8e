//! What a target kind is, in one value: the profile each kind's folder gives the
//! registry.
//!
//! Everything the rest of the house needs to know about a kind, and used to ask of it
//! with a `match`, is a field here: its name and summary, whether it runs the device
//! maker's firmware, its public memory map, the checks a glitch can be aimed at, the
//! countermeasures it ships with, the facts an attack's potential is rated by, and how
//! to build one. A new kind fills in one of these; nothing outside its folder and the
//! registry changes.

use crate::fault::FaultPoint;
use crate::protections::Protections;
use crate::target::{DeviceId, MemoryRegion, Target, TargetKind};
use provsim_sim::Seed;

/// One kind of target, as the line, the loader, the attacks and the reports see it.
#[derive(Debug)]
pub struct TargetProfile {
    pub kind: TargetKind,
    /// The name a scenario writes (`target = "mcu"`) and reports show.
    pub name: &'static str,
    /// One line on what the target is, for `provsim list targets`.
    pub summary: &'static str,
    /// Whether the part boots the device maker's firmware, with fuses, life-cycle tokens
    /// and a debug port: what the station writes, locks and tests. A secure element
    /// does not: it is personalised with keys and a certificate, then closed.
    pub runs_firmware: bool,
    /// The public memory map of every part of this kind (empty for a part with no
    /// memory on a port).
    pub memory_map: &'static [MemoryRegion],
    /// The checks of this kind's logic a glitch can be aimed at, in [`FaultPoint::ALL`]
    /// order.
    pub fault_points: &'static [FaultPoint],
    /// The countermeasures a part of this kind ships with, before a scenario tunes them.
    pub shipped: fn() -> Protections,
    /// What an attacker faces on this kind: the facts attack potential is rated by.
    pub attack_facts: AttackFacts,
    /// Builds device number `index` of a run from the seed alone, with `protections`:
    /// the same arguments always give the same chip.
    pub build: fn(&Protections, Seed, u64, DeviceId) -> Box<dyn Target>,
}

impl TargetProfile {
    /// Whether the kind has a PUF and a key store sealed under it (what the
    /// `puf_*` and `sealed_key_store` countermeasures tune).
    pub fn has_puf_key_store(&self) -> bool {
        (self.shipped)().puf_key_store.is_some()
    }
}

/// The facts about a kind that an attack's potential (CEM, Annex B.4) is rated by.
/// They belong to the chip, not to the attack: how much of its design is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttackFacts {
    /// How much of the design an attacker can read.
    pub documentation: Documentation,
}

/// How widely a kind's design documentation is available: CEM's "knowledge of the
/// TOE", from the data sheet anyone downloads to documents few hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Documentation {
    /// Published: data sheet and reference manual on the maker's web site.
    Public,
    /// Held by the maker and shared with its partners under its control.
    Restricted,
    /// Released only to named parties under a non-disclosure agreement.
    Sensitive,
    /// Known to a few people inside the maker, under the strictest control.
    Critical,
}
