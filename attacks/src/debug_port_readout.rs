//! `debug-port-readout`: a probe on the debug header reads out memory.
//!
//! The attacker connects an SWD/JTAG probe (standard equipment) to a device in the field
//! and reads every region of the public memory map. Key-store regions are parsed with
//! the public slot format and each private-key slot becomes a key candidate. If the
//! debug-lock fuse was blown, the port refuses and nothing is learnt.

use crate::attack::{Attack, Phase, Surface, wrong_surface};
use crate::effort::Rung;
use crate::gain::Gain;
use crate::knowledge::Knowledge;
use crate::outcome::Outcome;
use crate::readout::Readout;
use provsim_devices::TargetKind;
use provsim_sim::{Ctx, Stream};

pub struct DebugPortReadout;

impl Attack for DebugPortReadout {
    fn id(&self) -> &'static str {
        "debug-port-readout"
    }

    fn title(&self) -> &'static str {
        "Read the key store through an unlocked debug port"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::IdentityKey, Gain::SymmetricKey]
    }

    /// Rated by what the target's profile says a probe on its debug pins meets: a
    /// day's work for a proficient attacker with standard tools, needing whatever of
    /// the design the kind's documentation keeps from the public.
    /// One rung: attach a probe and read the whole memory map once.
    fn rungs(&self, target: TargetKind) -> Vec<Rung> {
        vec![Rung {
            label: "read the memory map once".to_owned(),
            plan: crate::readout::whole_map_by_probe(target),
            aim: None,
        }]
    }

    crate::attack::run_once_as_the_rung!();
}

impl DebugPortReadout {
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
        let readout = Readout::run(
            target,
            ctx,
            |t, c, addr, len| t.debug_read(c, addr, len),
            "debug port",
            knowledge,
        );
        if readout.regions == 0 {
            return Outcome::Blocked {
                reason: match readout.refused.first() {
                    Some(first) => format!("every read refused ({first})"),
                    None => "the memory map is empty".to_owned(),
                },
            };
        }
        if readout.private_slots + readout.secret_slots == 0 {
            return Outcome::Failed {
                reason: format!(
                    "read {} bytes; no key ({})",
                    readout.bytes,
                    readout.why_no_key()
                ),
            };
        }
        Outcome::Obtained {
            summary: format!(
                "read {} bytes from {} regions; {} private-key and {} symmetric-key slot(s) in the key store",
                readout.bytes, readout.regions, readout.private_slots, readout.secret_slots
            ),
        }
    }
}
