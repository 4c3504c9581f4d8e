//! The custom ASIC's profile: what the registry knows of it.

use super::chip::Asic;
use super::ip::AsicIp;
use crate::fault::FaultPoint;
use crate::mcu::layout::MEMORY_MAP;
use crate::profile::{AttackFacts, Documentation, TargetProfile};
use crate::protections::{Protections, PufKeyStore};
use crate::target::{DeviceId, Target, TargetKind};
use crate::weakness::Weaknesses;
use provsim_sim::Seed;

pub const PROFILE: TargetProfile = TargetProfile {
    kind: TargetKind::Asic,
    name: "asic",
    summary: "custom ASIC: the MCU's core (flash, fuses, MCUboot boot ROM, a test port \
              locked by fuse, reopened only through RMA with its hashed token) with an \
              SRAM PUF (63-cell repetition code), a key ladder to a volatile key-store \
              key, a sealed key store, glitch detectors, redundant hardened checks, \
              masking and a shield",
    runs_firmware: true,
    memory_map: MEMORY_MAP,
    fault_points: &FAULT_POINTS,
    shipped,
    attack_facts: AttackFacts {
        documentation: Documentation::Restricted,
    },
    build,
};

/// The core's checks, and each step of the key ladder.
const FAULT_POINTS: [FaultPoint; 10] = [
    FaultPoint::ImageMagic,
    FaultPoint::ImageBounds,
    FaultPoint::ImageHash,
    FaultPoint::RootKeyHash,
    FaultPoint::ImageKeyHash,
    FaultPoint::ImageSignature,
    FaultPoint::RollbackCounter,
    FaultPoint::DebugAccess,
    FaultPoint::LifeCycleGate,
    FaultPoint::KeyLadderStep,
];

/// A design with every block ([`AsicIp::full`]).
fn shipped() -> Protections {
    let full = AsicIp::full();
    Protections {
        faults: full.faults,
        leakage: full.leakage,
        puf_key_store: Some(PufKeyStore {
            puf: full.puf,
            sealed: full.sealed_key_store,
        }),
        weaknesses: Weaknesses::default(),
    }
}

fn build(
    protections: &Protections,
    seed: Seed,
    index: u64,
    device_id: DeviceId,
) -> Box<dyn Target> {
    // The ASIC always has its PUF and key store; a `Protections` without them (never
    // made by `Countermeasures::apply` from this profile) gets the full design's.
    let full = AsicIp::full();
    let blocks = protections.puf_key_store.unwrap_or(PufKeyStore {
        puf: full.puf,
        sealed: full.sealed_key_store,
    });
    let ip = AsicIp {
        puf: blocks.puf,
        sealed_key_store: blocks.sealed,
        faults: protections.faults.clone(),
        leakage: protections.leakage,
        weaknesses: protections.weaknesses.clone(),
    };
    Box::new(Asic::new(seed, index, device_id, ip))
}
