//! Building a chip of any kind from the seed alone: the kind's profile says how, the
//! scenario's countermeasures tune what it ships with.

use crate::countermeasures::Countermeasures;
use crate::target::{DeviceId, Target, TargetKind};
use provsim_sim::Seed;

/// Builds device number `index` of a run, from the seed alone: the same arguments always
/// give the same chip, which is how attacks re-create the devices they target.
pub fn build_target(
    kind: TargetKind,
    seed: Seed,
    index: u64,
    device_id: DeviceId,
) -> Box<dyn Target> {
    build_target_with(kind, &Countermeasures::default(), seed, index, device_id)
}

/// [`build_target`] with the scenario's countermeasures.
pub fn build_target_with(
    kind: TargetKind,
    countermeasures: &Countermeasures,
    seed: Seed,
    index: u64,
    device_id: DeviceId,
) -> Box<dyn Target> {
    let profile = kind.profile();
    let protections = countermeasures.apply((profile.shipped)());
    (profile.build)(&protections, seed, index, device_id)
}
