//! The registry: every target kind's profile, in one table.
//!
//! The only place that knows which kinds exist. A new kind is a folder that defines its
//! `PROFILE` (declared in `lib.rs`), a variant of [`TargetKind`], and one line in
//! [`REGISTRY`]; every question about a kind (its name, its memory map, its
//! countermeasures, the facts attacks rate it by, how to build it) is answered by its
//! profile, so nothing else matches on the kind.

use crate::fault::FaultPoint;
use crate::profile::TargetProfile;
use crate::target::TargetKind;

/// Every kind's profile, in [`TargetKind`] order (checked when the crate compiles).
const REGISTRY: &[&TargetProfile] = &[
    &crate::mcu::profile::PROFILE,
    &crate::asic::profile::PROFILE,
    &crate::se::profile::PROFILE,
];

// Entry `i` is the profile of the kind whose discriminant is `i`, so
// `TargetKind::profile` is an index, never a search that could miss. (A variant added
// without its line here would have no entry: `TargetKind::ALL` would not list it and
// its `profile()` would panic, so its first test fails.)
const _: () = {
    let mut i = 0;
    while i < REGISTRY.len() {
        assert!(REGISTRY[i].kind as usize == i);
        i += 1;
    }
};

impl TargetKind {
    /// Every kind, in registry order.
    pub const ALL: [TargetKind; REGISTRY.len()] = {
        let mut all = [REGISTRY[0].kind; REGISTRY.len()];
        let mut i = 0;
        while i < REGISTRY.len() {
            all[i] = REGISTRY[i].kind;
            i += 1;
        }
        all
    };

    /// Everything the house knows about this kind.
    pub fn profile(self) -> &'static TargetProfile {
        REGISTRY[self as usize]
    }

    /// The kind a scenario names (`"mcu"`, `"asic"`, `"se"`), if there is one.
    pub fn from_name(name: &str) -> Option<TargetKind> {
        REGISTRY
            .iter()
            .find(|profile| profile.name == name)
            .map(|profile| profile.kind)
    }

    /// The names of every kind, in registry order: what a scenario may write.
    pub const NAMES: [&'static str; REGISTRY.len()] = {
        let mut names = [""; REGISTRY.len()];
        let mut i = 0;
        while i < REGISTRY.len() {
            names[i] = REGISTRY[i].name;
            i += 1;
        }
        names
    };

    /// The profile's name: `mcu`, `asic`, `se`.
    pub fn name(self) -> &'static str {
        self.profile().name
    }

    /// See [`TargetProfile::runs_firmware`].
    pub fn runs_firmware(self) -> bool {
        self.profile().runs_firmware
    }

    /// See [`TargetProfile::fault_points`].
    pub fn fault_points(self) -> Vec<FaultPoint> {
        self.profile().fault_points.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_find_their_kinds() {
        for kind in TargetKind::ALL {
            assert_eq!(TargetKind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(TargetKind::NAMES, ["mcu", "asic", "se"]);
        assert_eq!(TargetKind::from_name("hsm"), None);
        assert_eq!(TargetKind::from_name("MCU"), None);
    }

    #[test]
    fn fault_points_are_listed_in_their_canonical_order() {
        for kind in TargetKind::ALL {
            let points = kind.profile().fault_points;
            assert!(points.windows(2).all(|w| w[0] < w[1]), "{}", kind.name());
        }
    }

    /// What each kind offered before the profiles existed, pinned: `provsim list
    /// targets` and the loader's messages print these.
    #[test]
    fn each_kind_keeps_its_fault_points_and_memory_map() {
        use FaultPoint::*;
        let core = [
            ImageMagic,
            ImageBounds,
            ImageHash,
            RootKeyHash,
            ImageKeyHash,
            ImageSignature,
            RollbackCounter,
            DebugAccess,
            LifeCycleGate,
        ];
        let mcu = TargetKind::from_name("mcu").map(TargetKind::profile);
        let asic = TargetKind::from_name("asic").map(TargetKind::profile);
        let se = TargetKind::from_name("se").map(TargetKind::profile);
        let (Some(mcu), Some(asic), Some(se)) = (mcu, asic, se) else {
            panic!("a kind is missing from the registry");
        };
        assert_eq!(mcu.fault_points, core);
        assert_eq!(asic.fault_points[..core.len()], core);
        assert_eq!(asic.fault_points[core.len()..], [KeyLadderStep]);
        assert_eq!(se.fault_points, [LifeCycleGate, ApduAccess]);
        assert_eq!(mcu.memory_map, crate::mcu::layout::MEMORY_MAP);
        assert_eq!(asic.memory_map, crate::mcu::layout::MEMORY_MAP);
        assert!(se.memory_map.is_empty());
        assert!(mcu.runs_firmware && asic.runs_firmware && !se.runs_firmware);
        assert!(!mcu.has_puf_key_store() && asic.has_puf_key_store());
        assert!(!se.has_puf_key_store());
    }
}
