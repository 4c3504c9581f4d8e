//! `glitch-debug-readout`: glitch the check that keeps the debug port locked, then read
//! the key store through it.
//!
//! The attacker has a device in the field whose debug-lock fuse is blown. With a
//! voltage-glitch rig they aim a supply dip at the chip's debug-access check, time after
//! time, each time reading the key-store region the data sheet names. A try succeeds
//! only when the chip's fault model lets the glitch land, no detector catches it, and
//! a single fault is enough to flip the check (it is not computed twice); what comes
//! out is then whatever the store holds, sealed or not.

use crate::attack::{Attack, Outcome, Phase, Surface, wrong_surface};
use crate::knowledge::{Knowledge, MaterialKind};
use crate::potential::{AttackPotential, ElapsedTime, Equipment, Expertise, WindowOfOpportunity};
use provsim_devices::fault::{
    FaultEffect, FaultPoint, Glitch, GlitchMethod, GlitchOutcome, Persistence,
};
use provsim_devices::keystore::{SlotKind, parse_slots};
use provsim_devices::{RegionKind, TargetKind};
use provsim_sim::{Ctx, Stream};

/// Tries the attacker makes before giving up: a few hours on the rig.
pub const ATTEMPTS: u32 = 200;

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

    /// Rated by what the target's profile says glitching its debug check takes: a
    /// week for an expert with a specialised rig, needing whatever of the design the
    /// kind's documentation keeps from the public.
    fn potential(&self, target: TargetKind) -> AttackPotential {
        let facts = target.profile().attack_facts;
        AttackPotential {
            elapsed: ElapsedTime::OneWeek,
            expertise: Expertise::Expert,
            knowledge: facts.documentation.into(),
            window: WindowOfOpportunity::Easy,
            equipment: Equipment::Specialised,
            rationale: facts.debug_glitch,
        }
    }

    fn run(
        &self,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Outcome {
        let Surface::Device(target) = surface else {
            return wrong_surface(self, &surface);
        };
        let Some(store) = target
            .memory_map()
            .iter()
            .find(|r| r.kind == RegionKind::KeyStore)
            .copied()
        else {
            return Outcome::Failed {
                reason: "the memory map names no key store".to_owned(),
            };
        };
        let glitch = Glitch {
            at: FaultPoint::DebugAccess,
            method: GlitchMethod::Voltage,
            effect: FaultEffect::Skip,
            persistence: Persistence::Transient,
        };
        let mut landed = 0u32;
        let mut caught = 0u32;
        for attempt in 1..=ATTEMPTS {
            match target.glitch(glitch, rng) {
                GlitchOutcome::Landed => landed += 1,
                GlitchOutcome::Detected => caught += 1,
                GlitchOutcome::Missed => {}
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
            return if keys == 0 {
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
        }
        Outcome::Blocked {
            reason: format!(
                "{ATTEMPTS} tries: {landed} glitch(es) landed, {caught} caught by a detector, {} alarm(s); the port never opened",
                target.fault_alarms()
            ),
        }
    }
}
