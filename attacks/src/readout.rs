//! Reading a chip's memory map out region by region, through whatever access an attack
//! has (a debug probe, code running on the CPU), and filing what comes back: every
//! region as a memory dump, every private-key slot of a key store (parsed by the public
//! slot format) as a key candidate.

use crate::knowledge::{Knowledge, MaterialKind};
use provsim_devices::keystore::{SlotKind, parse_slots};
use provsim_devices::{PortError, RegionKind, Target};
use provsim_sim::Ctx;

/// The plan of one read of `target`'s whole memory map through a probe on its debug
/// pins: a day's work for a proficient attacker with standard tools, needing whatever
/// of the design the kind's documentation keeps from the public.
pub fn whole_map_by_probe(target: provsim_devices::TargetKind) -> crate::effort::Effort {
    use crate::effort::{Access, Bench, Effort, Needs, Step};
    let bytes: u64 = target
        .profile()
        .memory_map
        .iter()
        .map(|r| u64::from(r.len))
        .sum();
    Effort::plain(
        Bench::DebugProbe,
        bytes,
        &[Step::FindDebugPins],
        Needs::TargetDocumentation,
        Access::FieldSamples(1),
    )
}

/// A read through one access path: `(target, ctx, addr, len)`.
pub type Reader = fn(&mut dyn Target, &mut Ctx<'_>, u32, u32) -> Result<Vec<u8>, PortError>;

/// What a readout got.
#[derive(Debug, Default)]
pub struct Readout {
    pub bytes: usize,
    pub regions: usize,
    pub private_slots: usize,
    /// Symmetric-key slots read.
    pub secret_slots: usize,
    /// `region: reason` for every region the path refused.
    pub refused: Vec<String>,
}

impl Readout {
    /// Reads every region of `target`'s memory map through `read`, filing the results
    /// in `knowledge` under `via` (e.g. "debug port").
    pub fn run(
        target: &mut dyn Target,
        ctx: &mut Ctx<'_>,
        read: Reader,
        via: &str,
        knowledge: &mut Knowledge,
    ) -> Readout {
        let mut out = Readout::default();
        for region in target.memory_map() {
            let dump = match read(target, ctx, region.base, region.len) {
                Ok(dump) => dump,
                Err(refused) => {
                    // Protections may close some regions and not others: take what the
                    // path gives.
                    out.refused.push(format!("{}: {refused}", region.name));
                    continue;
                }
            };
            out.bytes += dump.len();
            out.regions += 1;
            if region.kind == RegionKind::KeyStore {
                for slot in parse_slots(&dump) {
                    let kind = match slot.kind {
                        SlotKind::P256Private => MaterialKind::KeyCandidate,
                        SlotKind::Aes256 => MaterialKind::SecretCandidate,
                        SlotKind::P256Public | SlotKind::Sealed(_) | SlotKind::Unknown(_) => {
                            continue;
                        }
                    };
                    if kind == MaterialKind::KeyCandidate {
                        out.private_slots += 1;
                    } else {
                        out.secret_slots += 1;
                    }
                    knowledge.learn(
                        kind,
                        format!("{} slot {} via {via}", region.name, slot.index),
                        slot.data,
                    );
                }
            }
            knowledge.learn(
                MaterialKind::MemoryDump,
                format!("{} via {via}", region.name),
                dump,
            );
        }
        out
    }

    /// Why no private key came out, for an outcome's reason.
    pub fn why_no_key(&self) -> String {
        if self.refused.is_empty() {
            "the key store holds no private key".to_owned()
        } else {
            format!("refused: {}", self.refused.join("; "))
        }
    }
}
