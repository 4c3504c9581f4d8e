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
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use provsim_devices::TargetKind;
use provsim_provisioner::restore_backup;
use provsim_sim::{Ctx, Stream};

pub struct VaultBackupTheft;

/// The most custodians a ceremony has (`[site] custodians` is at most 16): what the
/// quorum rung plans for, before it knows how many the quorum takes.
const MOST_CUSTODIANS: u8 = 16;

/// The custodians recruited on each rung, and its label: one, two, then as many as the
/// quorum takes (the ceremony's audit records say how many that is).
const RECRUITED: [(u8, &str); 3] = [
    (1, "the backup file and one custodian's safe"),
    (2, "the file and two custodians"),
    (
        MOST_CUSTODIANS,
        "the file and a colluding quorum of custodians",
    ),
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
        let wanted = if rung.plan.count == u64::from(MOST_CUSTODIANS) {
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
        let own = ctx.crypto.generate_key(rng);
        let outcome = match site.customer_ca().certify_with_key(
            ca_key,
            ctx.crypto,
            site.customer(),
            site.device_on_station(),
            own.public_key(),
            rng,
        ) {
            Ok(minted) => {
                knowledge.learn(
                    MaterialKind::KeyCandidate,
                    "the attacker's own key",
                    own.expose_secret_bytes().to_vec(),
                );
                knowledge.learn(
                    MaterialKind::Certificate,
                    "a device certificate minted with the customer CA key from the vault backup",
                    minted.der,
                );
                Outcome::Obtained {
                    summary: format!(
                        "the backup opened with {recruited} custodian(s)' shares: {} key(s), the customer CA's among them, which certified a key of the attacker's",
                        keys.len()
                    ),
                }
            }
            Err(e) => Outcome::Obtained {
                summary: format!(
                    "the backup opened, the customer CA's key among its keys; minting failed: {e}"
                ),
            },
        };
        Attempted { outcome, spent }
    }
}
