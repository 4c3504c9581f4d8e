//! `glitch-debug-readout`: glitch the check that keeps the debug port locked, then read
//! the key store through it.
//!
//! The attacker has a device in the field whose debug-lock fuse is blown. They aim
//! glitches at the check that keeps the port shut (the debug-access check), try after
//! try, each time reading the key-store region the data sheet names. The ladder climbs from a supply dip to a
//! clock glitch, an EM pulse and a laser, first with one fault per try, then with two
//! (for a check computed twice and compared). A try succeeds only when the chip's fault
//! model lets the glitches land, no detector catches them, and they are enough to get
//! the check through; what comes out is then whatever the store holds, sealed or not.
//! A rung is rated by the tries it used.

use crate::attack::{Attack, Phase, Surface, device_of};
use crate::effort::{Attempted, Rung};
use crate::gain::Gain;
use crate::glitching::{self, Shots};
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use provsim_devices::fault::{FaultPoint, GlitchMethod};
use provsim_devices::keystore::{SlotKind, parse_slots};
use provsim_devices::{RegionKind, TargetKind};
use provsim_sim::{Ctx, Stream};

/// The checks whose refusal keeps the debug port shut on a read: those a part of the
/// kind has are in reach. (The life-cycle gate decides transitions, not reads:
/// glitching it is test-mode re-entry, another path.)
const GATES: [FaultPoint; 1] = [FaultPoint::DebugAccess];

pub struct GlitchDebugReadout;

impl Attack for GlitchDebugReadout {
    fn id(&self) -> &'static str {
        "glitch-debug-readout"
    }

    fn title(&self) -> &'static str {
        "Glitch the debug-lock check and read the key store"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::IdentityKey, Gain::SymmetricKey]
    }

    /// Every method, single then double faults, at every check in reach that keeps the
    /// port shut, with a short and a long run of tries.
    fn rungs(&self, target: TargetKind) -> Vec<Rung> {
        let mut reach: Vec<FaultPoint> = GATES
            .into_iter()
            .filter(|p| target.profile().fault_points.contains(p))
            .collect();
        // A kind with neither check still has a debug access an attacker can aim at;
        // its model decides what that does.
        if reach.is_empty() {
            reach.push(FaultPoint::DebugAccess);
        }
        glitching::rungs(&reach, &GlitchMethod::ALL)
    }

    fn run(
        &self,
        rung: &Rung,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Attempted {
        let spent = |tries: u64| rung.plan.with_count(tries);
        let target = match device_of(self, surface, rung) {
            Ok(target) => target,
            Err(wrong) => return wrong,
        };
        let Some(glitch) = glitching::aimed(rung) else {
            return Attempted {
                outcome: Outcome::Failed {
                    reason: format!("rung {:?} aims no glitch", rung.label),
                },
                spent: spent(0),
            };
        };
        let Some(store) = target
            .memory_map()
            .iter()
            .find(|r| r.kind == RegionKind::KeyStore)
            .copied()
        else {
            return Attempted {
                outcome: Outcome::Failed {
                    reason: "the memory map names no key store".to_owned(),
                },
                spent: spent(0),
            };
        };
        let mut shots = Shots::default();
        let tries = rung.plan.count;
        for attempt in 1..=tries {
            shots.fire(target, glitch, rung.plan.faults, rng);
            let Ok(dump) = target.debug_read(ctx, store.base, store.len) else {
                continue;
            };
            let mut keys = 0;
            for slot in parse_slots(&dump) {
                let kind = match slot.kind {
                    SlotKind::P256Private => MaterialKind::KeyCandidate,
                    SlotKind::Aes256 => MaterialKind::SecretCandidate,
                    _ => continue,
                };
                keys += 1;
                knowledge.learn(
                    kind,
                    format!(
                        "{} slot {} via a glitched debug port",
                        store.name, slot.index
                    ),
                    slot.data,
                );
            }
            knowledge.learn(
                MaterialKind::MemoryDump,
                format!("{} via a glitched debug port", store.name),
                dump,
            );
            let outcome = if keys == 0 {
                Outcome::Failed {
                    reason: format!(
                        "the port opened on try {attempt}, but the key store holds no key in clear"
                    ),
                }
            } else {
                Outcome::Obtained {
                    summary: format!(
                        "the port opened on try {attempt} ({} glitch(es) landed, {} caught); {keys} key(s) read from the key store",
                        shots.landed, shots.caught
                    ),
                }
            };
            return Attempted {
                outcome,
                spent: spent(attempt),
            };
        }
        Attempted {
            outcome: Outcome::Blocked {
                reason: shots.held(tries, target.fault_alarms(), "the port never opened"),
            },
            spent: spent(tries),
        }
    }
}
