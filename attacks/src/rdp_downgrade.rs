//! `rdp-downgrade`: set readout protection back from level 1 to 0 through the debug
//! port, then read the key store.
//!
//! At RDP level 1 a debugger may attach but not read flash; the option bytes that hold
//! the level stay writable, and every data sheet tells how to go back to level 0, the
//! regression whose price is a mass erase of flash before the level changes. The
//! attacker with a probe on the pins asks for the regression and reads the key store
//! after it: on a sound part they read erased flash; on a part whose regression keeps
//! flash, the keys. A fuse-locked port or level 2 refuses the request outright.

use crate::attack::{Attack, Phase, Surface, wrong_surface};
use crate::effort::Rung;
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use crate::readout::Readout;
use provsim_devices::{Command, RegionKind, TargetKind};
use provsim_sim::{Ctx, Stream};

pub struct RdpDowngrade;

impl Attack for RdpDowngrade {
    fn id(&self) -> &'static str {
        "rdp-downgrade"
    }

    fn title(&self) -> &'static str {
        "Regress readout protection from level 1 to 0 and read the key store"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::IdentityKey, Gain::SymmetricKey]
    }

    /// One rung on every kind: one request and one read of the memory map (planned at
    /// the map's size; a part with no map spends nothing).
    fn rungs(&self, target: TargetKind) -> Vec<Rung> {
        vec![Rung {
            label: "one regression to level 0, then one read of the memory map".to_owned(),
            plan: crate::readout::whole_map_by_probe(target),
            aim: None,
        }]
    }

    crate::attack::run_once_as_the_rung!();
}

impl RdpDowngrade {
    fn run_once(
        &self,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        _rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Outcome {
        let Surface::Device(target) = surface else {
            return wrong_surface(self, &surface);
        };
        if target.memory_map().is_empty() {
            return Outcome::Blocked {
                reason: "the memory map is empty: no readout protection to regress".to_owned(),
            };
        }
        let store = target
            .memory_map()
            .iter()
            .find(|r| r.kind == RegionKind::KeyStore)
            .copied();
        // A part whose port already reads the store has nothing to regress: reading it
        // is the plain readout's path, not this one.
        if let Some(region) = store
            && target.debug_read(ctx, region.base, region.len).is_ok()
        {
            return Outcome::Failed {
                reason: format!(
                    "the debug port already reads {}: readout protection is not at level 1",
                    region.name
                ),
            };
        }
        if let Err(refused) = target.execute(ctx, Command::SetReadoutProtection { level: 0 }) {
            return Outcome::Blocked {
                reason: format!("the chip refused the regression: {refused}"),
            };
        }
        let readout = Readout::run(
            target,
            ctx,
            |t, c, addr, len| t.debug_read(c, addr, len),
            "debug port after an RDP regression",
            knowledge,
        );
        if readout.private_slots + readout.secret_slots > 0 {
            Outcome::Obtained {
                summary: format!(
                    "level 0 accepted; {} bytes read, {} private-key and {} symmetric-key slot(s) from the key store",
                    readout.bytes, readout.private_slots, readout.secret_slots
                ),
            }
        } else {
            // What the attacker sees of the store: erased flash reads as all ones.
            let dumps: Vec<&[u8]> = knowledge
                .of_kind(MaterialKind::MemoryDump)
                .filter(|m| store.is_some_and(|r| m.source.starts_with(r.name)))
                .map(|m| m.bytes())
                .collect();
            let erased = !dumps.is_empty() && dumps.iter().all(|d| d.iter().all(|&b| b == 0xff));
            Outcome::Blocked {
                reason: format!(
                    "level 0 accepted, but after it {} bytes read and no key: {}{}",
                    readout.bytes,
                    readout.why_no_key(),
                    if erased {
                        "; the key store reads back erased (all ones)"
                    } else {
                        ""
                    }
                ),
            }
        }
    }
}
