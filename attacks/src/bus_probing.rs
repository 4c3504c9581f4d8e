//! `bus-probing`: microprobe the bus between flash and the CPU while the key service
//! reads the key store.
//!
//! No lock, readout protection or secure region guards a wire. The attacker opens the
//! package, finds the flash bus under the metal layers, mills probe pads onto its lines
//! with a FIB, lands needles on them and has the running firmware's key service read the
//! store (as answering a first connection does). What crosses is what the store holds:
//! keys in clear on a part that keeps them so, ciphertext where the store is sealed under
//! a key that never leaves the crypto block, and nothing at all under an active shield.
//! The ladder captures one read, then ten (for lines that need several passes).

use crate::attack::{Attack, Phase, Surface, device_of};
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung, Step};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use provsim_devices::keystore::{SlotKind, parse_slots};
use provsim_devices::{PortError, TargetKind};
use provsim_sim::{Ctx, Stream};

/// Captured reads per rung.
pub const READS: [u64; 2] = [1, 10];

pub struct BusProbing;

impl Attack for BusProbing {
    fn id(&self) -> &'static str {
        "bus-probing"
    }

    fn title(&self) -> &'static str {
        "Microprobe the flash bus while the key service reads the key store"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::IdentityKey, Gain::SymmetricKey]
    }

    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        READS
            .into_iter()
            .map(|reads| Rung {
                label: format!("{reads} probed key-store read(s)"),
                plan: Effort::plain(
                    Bench::MicroProbe,
                    reads,
                    &[Step::OpenThePackage, Step::PadTheBus],
                    Needs::TargetDocumentation,
                    Access::FieldSamples(1),
                ),
                aim: None,
            })
            .collect()
    }

    fn run(
        &self,
        rung: &Rung,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        _rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Attempted {
        let spent = |reads: u64| rung.plan.with_count(reads);
        let target = match device_of(self, surface, rung) {
            Ok(target) => target,
            Err(wrong) => return wrong,
        };
        let mut sealed = 0usize;
        let mut captured = 0usize;
        for read in 1..=rung.plan.count {
            let bytes = match target.probe_bus(ctx) {
                Ok(bytes) => bytes,
                Err(PortError::NotRunning) if target.boot(ctx).is_ok() => {
                    match target.probe_bus(ctx) {
                        Ok(bytes) => bytes,
                        Err(error) => return failed(error, spent(read - 1)),
                    }
                }
                Err(error) => return failed(error, spent(read - 1)),
            };
            captured += bytes.len();
            let mut keys = 0;
            for slot in parse_slots(&bytes) {
                let kind = match slot.kind {
                    SlotKind::P256Private => MaterialKind::KeyCandidate,
                    SlotKind::Aes256 => MaterialKind::SecretCandidate,
                    SlotKind::Sealed(_) => {
                        sealed += 1;
                        continue;
                    }
                    _ => continue,
                };
                keys += 1;
                knowledge.learn(
                    kind,
                    format!("key-store slot {} on the probed flash bus", slot.index),
                    slot.data,
                );
            }
            if keys > 0 {
                return Attempted {
                    outcome: Outcome::Obtained {
                        summary: format!(
                            "read {read}: {keys} key slot(s) crossed the bus in clear ({} bytes captured)",
                            captured
                        ),
                    },
                    spent: spent(read),
                };
            }
        }
        Attempted {
            outcome: Outcome::Blocked {
                reason: format!(
                    "{} probed read(s), {captured} bytes captured, no key in clear: {} slot(s) crossed the bus sealed",
                    rung.plan.count,
                    sealed / rung.plan.count.max(1) as usize
                ),
            },
            spent: spent(rung.plan.count),
        }
    }
}

/// A rung that could not probe: nothing to capture (a shielded part, or one that runs no
/// image to read its store), with what it spent getting there.
fn failed(error: PortError, spent: Effort) -> Attempted {
    Attempted {
        outcome: Outcome::Failed {
            reason: format!("nothing to probe: {error}"),
        },
        spent,
    }
}
