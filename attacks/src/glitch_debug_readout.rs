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

use crate::attack::{Attack, Phase, Surface, wrong_surface};
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung, Step};
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use provsim_devices::fault::{
    FaultEffect, FaultPoint, Glitch, GlitchMethod, GlitchOutcome, Persistence,
};
use provsim_devices::keystore::{SlotKind, parse_slots};
use provsim_devices::{RegionKind, TargetKind};
use provsim_sim::{Ctx, Stream};

/// Tries per rung: under a minute at the rig's 5 tries a second, then about 35
/// minutes. Both fit in a day, so on one method they rate the same; a million tries
/// would not (see `effort::rate`'s tests), but would make every climb slow.
pub const TRIES: [u64; 2] = [200, 10_000];

/// The checks whose refusal keeps the debug port shut on a read: those a part of the
/// kind has are in reach. (The life-cycle gate decides transitions, not reads:
/// glitching it is test-mode re-entry, another path.)
const GATES: [FaultPoint; 1] = [FaultPoint::DebugAccess];

pub struct GlitchDebugReadout;

fn plan(method: GlitchMethod, faults: u8, tries: u64) -> Effort {
    let mut steps = vec![Step::TimeTheCheck];
    if faults >= 2 {
        steps.push(Step::TimeSecondFault);
    }
    if matches!(method, GlitchMethod::Electromagnetic | GlitchMethod::Laser) {
        steps.push(Step::ScanTheDie);
    }
    if method == GlitchMethod::Laser {
        steps.push(Step::OpenThePackage);
    }
    Effort {
        bench: Bench::Glitcher(method),
        count: tries,
        order: 0,
        faults,
        points: 1,
        steps,
        needs: Needs::TargetDocumentation,
        access: Access::FieldSamples(1),
    }
}

fn label(method: GlitchMethod, faults: u8, at: FaultPoint, tries: u64) -> String {
    let faults = if faults == 1 { "single" } else { "double" };
    format!("{}, {faults} fault at {at}, {tries} tries", method.name())
}

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
        let mut rungs = Vec::new();
        for method in GlitchMethod::ALL {
            for faults in [1u8, 2] {
                for &at in &reach {
                    for tries in TRIES {
                        rungs.push(Rung {
                            label: label(method, faults, at, tries),
                            plan: plan(method, faults, tries),
                            aim: Some(at),
                        });
                    }
                }
            }
        }
        rungs
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
        let Surface::Device(target) = surface else {
            return Attempted {
                outcome: wrong_surface(self, &surface),
                spent: spent(0),
            };
        };
        let (Bench::Glitcher(method), Some(at)) = (rung.plan.bench, rung.aim) else {
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
        let glitch = Glitch {
            at,
            method,
            effect: FaultEffect::Skip,
            persistence: Persistence::Transient,
        };
        let mut landed = 0u32;
        let mut caught = 0u32;
        let tries = rung.plan.count;
        for attempt in 1..=tries {
            for _ in 0..rung.plan.faults.max(1) {
                match target.glitch(glitch, rng) {
                    GlitchOutcome::Landed => landed += 1,
                    GlitchOutcome::Detected => caught += 1,
                    GlitchOutcome::Missed => {}
                }
            }
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
                        "the port opened on try {attempt} ({landed} glitch(es) landed, {caught} caught); {keys} key(s) read from the key store"
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
                reason: held(tries, landed, caught, target.fault_alarms()),
            },
            spent: spent(tries),
        }
    }
}

/// Why a rung's tries never opened the port, in an evaluator's words, from what the
/// rig and the chip's alarm count show: detectors that fired; landed glitches that
/// raised an alarm instead of opening the port (a mismatch: the check is computed
/// twice and compared); and landed glitches that changed nothing.
fn held(tries: u64, landed: u32, caught: u32, alarms: u64) -> String {
    let mismatches = alarms.saturating_sub(u64::from(caught));
    let idle = u64::from(landed).saturating_sub(mismatches);
    let mut stopped = Vec::new();
    if caught > 0 {
        stopped.push(format!("glitch detectors caught {caught}"));
    }
    if mismatches > 0 {
        stopped.push(format!(
            "{mismatches} landed glitch(es) raised a mismatch alarm instead: the check is computed twice and compared"
        ));
    }
    if idle > 0 {
        stopped.push(format!("{idle} landed glitch(es) changed nothing"));
    }
    if stopped.is_empty() {
        stopped.push("no glitch landed".to_owned());
    }
    format!(
        "{tries} tries, the port never opened: {}",
        stopped.join("; ")
    )
}
