//! `vault-backup-theft`: the vault's off-site backup opened with custodians' shares.
//!
//! Every long-lived key of the vault (the customer CA's among them) sits in a backup
//! file off site, sealed under a wrapping key split among the custodians. Someone on
//! the provisioner's staff copies the file, which is ciphertext alone, then recruits
//! custodians one by one (a bribe, a threat, an opened safe) until the restore tool
//! opens it: each custodian is a partner in the path, and the path is rated by what all
//! of them spent. Below the quorum the shares rebuild nothing; a site that keeps the
//! wrapping key whole needs only the one who holds it.

use crate::attack::{Attack, Phase, Position, Surface, not_started};
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::minting::mint_identity;
use crate::outcome::Outcome;
use provsim_devices::TargetKind;
use provsim_provisioner::{Quorum, restore_backup};
use provsim_sim::{Ctx, Stream};

pub struct VaultBackupTheft;

/// The last rung's label: it recruits as many custodians as the quorum takes (the
/// ceremony's audit records say how many that is), planned at the usual three of five
/// and rated by how many it really recruited.
const QUORUM_RUNG: &str = "the file and a colluding quorum of custodians";

/// The custodians recruited on each rung, and its label: one, two, then the quorum.
const RECRUITED: [(u8, &str); 3] = [
    (1, "the backup file and one custodian's safe"),
    (2, "the file and two custodians"),
    (Quorum::DEFAULT.threshold, QUORUM_RUNG),
];

impl Attack for VaultBackupTheft {
    fn id(&self) -> &'static str {
        "vault-backup-theft"
    }

    fn title(&self) -> &'static str {
        "The vault's off-site backup opened with custodians' shares of its wrapping key"
    }

    fn phase(&self) -> Phase {
        Phase::TestHouse
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::Identity, Gain::SignedImage]
    }

    fn position(&self) -> Position {
        Position::Site
    }

    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        RECRUITED
            .iter()
            .map(|&(custodians, label)| Rung {
                label: label.to_owned(),
                plan: Effort::plain(
                    Bench::Custodian,
                    u64::from(custodians),
                    &[],
                    Needs::SiteRestricted,
                    Access::Site,
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
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Attempted {
        let Surface::Site(site) = surface else {
            return not_started(rung, format!("{} acts at the site", self.id()));
        };
        let file = site.backup_file();
        let (custodians, threshold) = site.custodians();
        let wanted = if rung.label == QUORUM_RUNG {
            u64::from(threshold)
        } else {
            rung.plan.count
        };
        let recruited = wanted.min(u64::from(custodians));
        let presented: Vec<Vec<u8>> = (1..=u8::try_from(recruited).unwrap_or(u8::MAX))
            .filter_map(|custodian| site.custodian_safe(custodian))
            .collect();
        let spent = rung.plan.with_count(recruited);
        let keys = match restore_backup(ctx.crypto, &file, &presented, threshold) {
            Ok(keys) => keys,
            Err(refused) => {
                return Attempted {
                    outcome: Outcome::Blocked {
                        reason: format!(
                            "the restore tool would not open the backup with what {recruited} custodian(s) handed over: {refused}"
                        ),
                    },
                    spent,
                };
            }
        };
        // Every long-lived key of the vault, in the attacker's hands.
        for key in &keys {
            knowledge.learn(
                MaterialKind::KeyCandidate,
                "a key restored from the vault backup",
                key.expose_secret_bytes().to_vec(),
            );
        }
        let ca = site.customer_ca().public_key().clone();
        let Some(ca_key) = keys.iter().find(|k| k.public_key() == &ca) else {
            return Attempted {
                outcome: Outcome::Obtained {
                    summary: format!(
                        "the backup opened: {} key(s), none of them the customer CA's",
                        keys.len()
                    ),
                },
                spent,
            };
        };
        // The customer CA's key, out of its vault: certify a key of the attacker's.
        let outcome = match mint_identity(
            site,
            ca_key,
            ctx,
            rng,
            knowledge,
            "from the vault backup",
        ) {
            Ok(()) => Outcome::Obtained {
                summary: format!(
                    "the backup opened with {recruited} custodian(s)' shares: {} key(s), the customer CA's among them, which certified a key of the attacker's",
                    keys.len()
                ),
            },
            Err(e) => Outcome::Obtained {
                summary: format!(
                    "the backup opened, the customer CA's key among its keys; minting failed: {e}"
                ),
            },
        };
        Attempted { outcome, spent }
    }
}
