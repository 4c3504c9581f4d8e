//! `puf-helper-data`: recover a PUF's secret from its public helper data, then unseal
//! the key store with the key the documented key ladder derives from it.
//!
//! A code-offset PUF stores, in public, its repetition codeword XOR the cells' enrolled
//! values, plus a hash that tells a right secret from a wrong one. That is safe only if
//! the cells are unbiased: where most cells prefer 1, the helper bits of a block are
//! mostly the inverse of its secret bit, and a majority vote reads the secret out. The
//! attacker learns the cells' lean on parts of their own, reads the helper data and the
//! sealed key store through the test port, and tries the majority guess, then variants
//! that flip the least clear-cut blocks, each checked against the public hash offline.
//! A guess that matches gives the PUF key, the ladder's public derivation gives the
//! key-store key, and the sealed slots open. A rung is rated by the candidates it tried.

use crate::attack::{Attack, Phase, Surface, device_of, not_started};
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung, Step};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use provsim_devices::asic::ladder_key;
use provsim_devices::keystore::{SLOT_SIZE, SealedKind, SlotKind, parse_slots, unseal_slot};
use provsim_devices::puf::{self, HelperData};
use provsim_devices::{RegionKind, TargetKind};
use provsim_sim::{Ctx, Stream};

/// Candidate secrets per rung: the majority guess alone, then every flip of the 16
/// least clear-cut blocks.
pub const CANDIDATES: [u64; 2] = [1, 1 << 16];

pub struct PufHelperData;

/// The majority guess and the blocks ordered from least to most clear-cut, for cells
/// that lean to 1.
fn guess(helper: &HelperData) -> ([u8; 32], Vec<usize>) {
    let repetition = helper.offset.len() / 256;
    let mut secret = [0u8; 32];
    let mut margins = Vec::with_capacity(256);
    for (bit, block) in helper
        .offset
        .chunks(repetition.max(1))
        .take(256)
        .enumerate()
    {
        let ones = block.iter().filter(|&&b| b).count();
        // Cells leaning to 1 make the helper bits the inverse of the secret bit.
        if ones * 2 < block.len() {
            secret[bit / 8] |= 0x80 >> (bit % 8);
        }
        margins.push((ones.abs_diff(block.len() - ones), bit));
    }
    margins.sort();
    (secret, margins.into_iter().map(|(_, bit)| bit).collect())
}

impl Attack for PufHelperData {
    fn id(&self) -> &'static str {
        "puf-helper-data"
    }

    fn title(&self) -> &'static str {
        "Read a biased PUF's secret out of its helper data and unseal the key store"
    }

    fn phase(&self) -> Phase {
        Phase::Field
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::IdentityKey, Gain::SymmetricKey]
    }

    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        CANDIDATES
            .into_iter()
            .map(|candidates| Rung {
                label: format!("{candidates} candidate secret(s) from the helper data"),
                plan: Effort::plain(
                    Bench::Workstation,
                    candidates,
                    &[Step::FindDebugPins, Step::CharacterisePufBias],
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
        let spent = |candidates: u64| rung.plan.with_count(candidates);
        let failed = |reason: String| not_started(rung, reason);
        let target = match device_of(self, surface, rung) {
            Ok(target) => target,
            Err(wrong) => return wrong,
        };
        let helper = match target.puf_helper_data() {
            Ok(helper) => helper,
            Err(error) => return failed(error.to_string()),
        };
        let Some(store) = target
            .memory_map()
            .iter()
            .find(|r| r.kind == RegionKind::KeyStore)
            .copied()
        else {
            return failed("the memory map names no key store".to_owned());
        };
        let dump = match target.debug_read(ctx, store.base, store.len) {
            Ok(dump) => dump,
            Err(error) => return failed(format!("the sealed key store is out of reach: {error}")),
        };
        let (majority, unclear) = guess(&helper);
        let mut found = None;
        let mut tried = 0u64;
        for variant in 0..rung.plan.count {
            tried += 1;
            let mut candidate = majority;
            for (i, &bit) in unclear.iter().take(64).enumerate() {
                if variant >> i & 1 == 1 {
                    candidate[bit / 8] ^= 0x80 >> (bit % 8);
                }
            }
            if puf::check(&candidate) == helper.check {
                found = Some(candidate);
                break;
            }
        }
        let Some(secret) = found else {
            return Attempted {
                outcome: Outcome::Blocked {
                    reason: format!(
                        "{tried} candidate secret(s), none matched the helper data's check"
                    ),
                },
                spent: spent(tried),
            };
        };
        let store_key = ladder_key(ctx.crypto, target.device_id(), &puf::key(&secret));
        let mut opened = 0;
        for slot in parse_slots(&dump) {
            let SlotKind::Sealed(inner) = slot.kind else {
                continue;
            };
            let addr = store.base + u32::from(slot.index) * SLOT_SIZE as u32;
            let Some(key) = unseal_slot(ctx.crypto, &store_key, addr, inner, &slot.data) else {
                continue;
            };
            let kind = match inner {
                SealedKind::P256Private => MaterialKind::KeyCandidate,
                SealedKind::Aes256 => MaterialKind::SecretCandidate,
            };
            knowledge.learn(
                kind,
                format!(
                    "{} slot {} unsealed with the PUF-derived key",
                    store.name, slot.index
                ),
                key,
            );
            opened += 1;
        }
        let outcome = if opened > 0 {
            Outcome::Obtained {
                summary: format!(
                    "candidate {tried} matched the helper data's check; the key ladder's key opened {opened} sealed slot(s)"
                ),
            }
        } else {
            Outcome::Failed {
                reason: format!(
                    "candidate {tried} matched the helper data's check, but no sealed slot opened under the derived key"
                ),
            }
        };
        Attempted {
            outcome,
            spent: spent(tried),
        }
    }
}
