//! The secure element's profile: what the registry knows of it, and the
//! countermeasures it ships with.

use super::target::SeChip;
use crate::fault::{Detector, FaultCountermeasures, FaultModel, FaultPoint, GlitchMethod, Ratio};
use crate::leakage::LeakageModel;
use crate::profile::{AttackFacts, Documentation, TargetProfile};
use crate::protections::Protections;
use crate::target::{DeviceId, Target, TargetKind};
use crate::weakness::Weaknesses;
use provsim_sim::Seed;
use provsim_sim::crypto::Crypto;

pub const PROFILE: TargetProfile = TargetProfile {
    kind: TargetKind::Se,
    name: "se",
    summary: "secure element: APDUs only (ISO 7816-4), objects with read/use/update rules \
              and their own life cycle, a PIN with three tries, an SCP03-style secure \
              channel, keys imported sealed to its transport key while personalising, no \
              debug port, no RMA (a returned part is terminated)",
    runs_firmware: false,
    memory_map: &[],
    fault_points: &[FaultPoint::LifeCycleGate, FaultPoint::ApduAccess],
    shipped,
    attack_facts: AttackFacts {
        documentation: Documentation::Sensitive,
    },
    build,
};

/// A secure element as shipped: voltage, clock and light sensors that catch nine
/// glitches in ten, its access and life-cycle checks computed twice, hardened booleans;
/// second-order masking, a shield letting a quarter of the signal through, and two bits
/// of noise.
fn shipped() -> Protections {
    let nine_in_ten = Ratio::new(9, 10).unwrap_or(Ratio::NEVER);
    let faults = FaultModel {
        countermeasures: FaultCountermeasures {
            detectors: [
                GlitchMethod::Voltage,
                GlitchMethod::Clock,
                GlitchMethod::Laser,
            ]
            .into_iter()
            .map(|senses| Detector {
                senses,
                catches: nine_in_ten,
            })
            .collect(),
            redundant: vec![FaultPoint::ApduAccess, FaultPoint::LifeCycleGate],
            hardened_booleans: true,
        },
        ..FaultModel::stock()
    };
    let leakage = LeakageModel {
        masking_order: 2,
        shield: Ratio::new(1, 4).unwrap_or(Ratio::ALWAYS),
        noise_milli: 2_000,
        ..LeakageModel::STOCK
    };
    Protections {
        faults,
        leakage,
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
    // The batch transport key the SE vendor keyed the cards with (and hands the
    // customer); the vendor's diversification is not the line's work, so it is
    // counted on a facade of its own.
    let batch_key: [u8; 32] = crate::labels::se_batch_transport_key(seed).bytes();
    let vendor = Crypto::new();
    Box::new(SeChip::new(
        seed,
        index,
        device_id,
        &batch_key,
        &vendor,
        protections.leakage,
        protections.faults.clone(),
        protections.weaknesses.clone(),
    ))
}
