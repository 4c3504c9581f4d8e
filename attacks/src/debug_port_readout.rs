//! `debug-port-readout`: a probe on the debug header reads out memory.
//!
//! The attacker connects an SWD/JTAG probe (standard equipment) to a device in the field
//! and reads every region of the public memory map. Key-store regions are parsed with
//! the public slot format and each private-key slot becomes a key candidate. If the
//! debug-lock fuse was blown, the port refuses and nothing is learnt.

use crate::catalogue::{Attack, Outcome, Phase};
use crate::knowledge::{Knowledge, MaterialKind};
use crate::potential::{
    AttackPotential, ElapsedTime, Equipment, Expertise, KnowledgeOfToe, WindowOfOpportunity,
};
use provsim_devices::keystore::{SlotKind, parse_slots};
use provsim_devices::{RegionKind, Target, TargetKind};
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
        }
    }

    fn run(
        &self,
        target: &mut dyn Target,
        ctx: &mut Ctx<'_>,
        _rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Outcome {
        let mut read = 0usize;
        let mut private_slots = 0usize;
        let mut refused_regions = Vec::new();
        let mut regions_read = 0usize;
        for region in target.memory_map() {
            let dump = match target.debug_read(ctx, region.base, region.len) {
                Ok(dump) => dump,
                Err(refused) => {
                    // Readout protection or a secure region may close some regions and
                    // not others: take what the port gives.
                    refused_regions.push(format!("{}: {refused}", region.name));
                    continue;
                }
            };
            read += dump.len();
            regions_read += 1;
            if region.kind == RegionKind::KeyStore {
                for slot in parse_slots(&dump)
                    .into_iter()
                    .filter(|s| s.kind == SlotKind::P256Private)
                {
                    private_slots += 1;
                    knowledge.learn(
                        MaterialKind::KeyCandidate,
                        format!("{} slot {}", region.name, slot.index),
                        slot.data,
                    );
                }
            }
            knowledge.learn(MaterialKind::MemoryDump, region.name, dump);
        }
        if read == 0 {
            return Outcome::Blocked {
                reason: match refused_regions.first() {
                    Some(first) => format!("every read refused ({first})"),
                    None => "the memory map is empty".to_owned(),
                },
            };
        }
        if private_slots == 0 {
            let why = if refused_regions.is_empty() {
                "the key store holds no private key".to_owned()
            } else {
                format!("refused: {}", refused_regions.join("; "))
            };
            return Outcome::Failed {
                reason: format!("read {read} bytes; no private key ({why})"),
            };
        }
        Outcome::Obtained {
            summary: format!(
                "read {read} bytes from {regions_read} regions; {private_slots} private-key slot(s) in the key store"
            ),
        }
    }
}
