//! The stock microcontroller's profile: what the registry knows of it.

use super::chip::Mcu;
use super::layout::MEMORY_MAP;
use crate::fault::{FaultModel, FaultPoint};
use crate::leakage::LeakageModel;
use crate::profile::{AttackFacts, Documentation, TargetProfile};
use crate::protections::Protections;
use crate::target::{DeviceId, Target, TargetKind};
use crate::weakness::Weaknesses;
use provsim_sim::Seed;

pub const PROFILE: TargetProfile = TargetProfile {
    kind: TargetKind::Mcu,
    name: "mcu",
    summary: "stock microcontroller: 64 KiB NOR flash in 2 KiB sectors, RDP 0/1/2 and a \
              secure region in option bytes, OTP fuses (debug lock, secure boot, life \
              cycle, anti-rollback counter, root-of-trust hash, token hashes), MCUboot \
              boot ROM",
    runs_firmware: true,
    memory_map: MEMORY_MAP,
    fault_points: &FAULT_POINTS,
    shipped,
    attack_facts: AttackFacts {
        documentation: Documentation::Public,
    },
    build,
};

/// Every check of the core: the boot ROM's image checks, the debug port's, the life
/// cycle's. The core a custom ASIC is built around has the same.
pub(crate) const FAULT_POINTS: [FaultPoint; 9] = [
    FaultPoint::ImageMagic,
    FaultPoint::ImageBounds,
    FaultPoint::ImageHash,
    FaultPoint::RootKeyHash,
    FaultPoint::ImageKeyHash,
    FaultPoint::ImageSignature,
    FaultPoint::RollbackCounter,
    FaultPoint::DebugAccess,
    FaultPoint::LifeCycleGate,
];

/// A stock part: no glitch detectors, no redundant checks, no masking, no shield.
fn shipped() -> Protections {
    Protections {
        faults: FaultModel::stock(),
        leakage: LeakageModel::STOCK,
        puf_key_store: None,
        weaknesses: Weaknesses::default(),
    }
}

fn build(
    protections: &Protections,
    seed: Seed,
    index: u64,
    device_id: DeviceId,
) -> Box<dyn Target> {
    Box::new(
        Mcu::new(seed, index, device_id)
            .with_fault_model(protections.faults.clone())
            .with_leakage_model(protections.leakage)
            .with_weaknesses(protections.weaknesses.clone()),
    )
}
