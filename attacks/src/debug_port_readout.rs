//! `debug-port-readout`: a probe on the debug header reads out memory.
//!
//! The attacker connects an SWD/JTAG probe (standard equipment) to a device in the field
//! and reads every region of the public memory map. Key-store regions are parsed with
//! the public slot format and each private-key slot becomes a key candidate. If the
//! debug-lock fuse was blown, the port refuses and nothing is learnt.

use crate::catalogue::{Attack, Outcome, Phase, Surface, wrong_surface};
use crate::knowledge::Knowledge;
use crate::potential::{
    AttackPotential, ElapsedTime, Equipment, Expertise, KnowledgeOfToe, WindowOfOpportunity,
};
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

    fn potential(&self, target: TargetKind) -> AttackPotential {
        match target {
            TargetKind::Mcu => AttackPotential {
                elapsed: ElapsedTime::OneDay,
                expertise: Expertise::Proficient,
                knowledge: KnowledgeOfToe::Public,
                window: WindowOfOpportunity::Easy,
                equipment: Equipment::Standard,
                rationale: "a commodity SWD probe and open-source tools against the data-sheet \
                            memory map of one device bought in the field",
            },
            TargetKind::Asic => AttackPotential {
                elapsed: ElapsedTime::OneDay,
                expertise: Expertise::Proficient,
                knowledge: KnowledgeOfToe::Restricted,
                window: WindowOfOpportunity::Easy,
                equipment: Equipment::Standard,
                rationale: "the same probe on the ASIC's test port, whose protocol and memory \
                            map are the maker's restricted design documents",
            },
            TargetKind::Se => AttackPotential {
                elapsed: ElapsedTime::OneDay,
                expertise: Expertise::Proficient,
                knowledge: KnowledgeOfToe::Sensitive,
                window: WindowOfOpportunity::Easy,
                equipment: Equipment::Standard,
                rationale: "a probe on the secure element's pins, which carry no debug \
                            protocol; its data sheet is under NDA",
            },
        }
    }

    fn run(
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
