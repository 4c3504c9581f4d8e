//! The books from the audit log, checked against the vault's own counters.

use crate::books::reconcile::tally::Reconciliation;
use crate::vault::hsm::Hsm;
use crate::vault::secrets::IdentityOrigin;

impl Reconciliation {
    /// Checks the keys the audit log shows made in the vault against the HSM's own
    /// counts, and that the HSM holds none of them any more: a key the HSM made without
    /// an audit line, or still holds, is a finding. `identity` says where the run's
    /// identity keys were made: keys made on chip are in the log but were never the
    /// vault's.
    pub(crate) fn check_vault_counters(&mut self, hsm: &Hsm, identity: IdentityOrigin) {
        let made: u64 = self.lots.iter().map(|l| l.keys_made).sum();
        let counted = hsm.stats();
        let made_in_vault = match identity {
            IdentityOrigin::Vault => made,
            IdentityOrigin::Device => 0,
        };
        let secrets_made: u64 = self.lots.iter().map(|l| l.secrets_made).sum();
        for (what, logged, counted, live) in [
            (
                "device identity key(s)",
                made_in_vault,
                counted.identity_generated,
                hsm.live_identity_keys(),
            ),
            (
                "symmetric key(s)",
                secrets_made,
                counted.secrets_generated,
                hsm.live_secrets(),
            ),
        ] {
            if logged != counted {
                self.findings.push(format!(
                    "the audit log shows {logged} {what} made in the vault, the HSM counts {counted}"
                ));
            }
            if live != 0 {
                self.findings
                    .push(format!("the HSM still holds {live} {what}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::books::reconcile::tally::LotBalance;
    use crate::vault::custody::Custody;
    use crate::vault::hsm::KeyUse;
    use provsim_sim::crypto::Crypto;
    use provsim_sim::{Ctx, Seed, SimTime, Trace};

    /// What the audit log showed: one lot with `keys` identity keys and `secrets`
    /// symmetric keys made, every one of them accounted for.
    fn books(keys: u64, secrets: u64) -> Reconciliation {
        Reconciliation {
            lots: vec![LotBalance {
                lot: 1,
                keys_made: keys,
                shipped: keys,
                destroyed: 0,
                secrets_made: secrets,
                secrets_shipped: secrets,
                secrets_destroyed: 0,
            }],
            ..Reconciliation::default()
        }
    }

    /// An HSM that made `keys` identity keys and `secrets` symmetric keys, destroying
    /// all but `kept_keys` and `kept_secrets` of them.
    fn hsm(keys: u64, kept_keys: u64, secrets: u64, kept_secrets: u64) -> Hsm {
        let crypto = Crypto::new();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
        let mut stream = Seed::new(8).stream("test/hsm");
        let mut hsm = Hsm::new(Custody::ProvisionerHsm, IdentityOrigin::Vault);
        for made in 0..keys {
            let (handle, _) = hsm.generate(&mut ctx, KeyUse::DeviceIdentity, &mut stream);
            if made >= kept_keys {
                hsm.destroy(&mut ctx, handle).unwrap();
            }
        }
        for made in 0..secrets {
            let (handle, _) = hsm.generate_secret(&mut ctx, &mut stream);
            if made >= kept_secrets {
                hsm.destroy_secret(&mut ctx, handle).unwrap();
            }
        }
        hsm
    }

    fn findings(mut books: Reconciliation, hsm: &Hsm, identity: IdentityOrigin) -> Vec<String> {
        books.check_vault_counters(hsm, identity);
        books.findings
    }

    #[test]
    fn books_that_match_the_vault_have_no_finding() {
        let vault = hsm(3, 0, 2, 0);
        assert_eq!(
            findings(books(3, 2), &vault, IdentityOrigin::Vault),
            Vec::<String>::new()
        );
        // Keys made on chip are in the log but were never the vault's.
        let secrets_only = hsm(0, 0, 2, 0);
        assert_eq!(
            findings(books(3, 2), &secrets_only, IdentityOrigin::Device),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_key_the_vault_made_without_an_audit_line_is_a_finding() {
        assert_eq!(
            findings(books(2, 1), &hsm(3, 0, 1, 0), IdentityOrigin::Vault),
            ["the audit log shows 2 device identity key(s) made in the vault, the HSM counts 3"]
        );
        assert_eq!(
            findings(books(2, 1), &hsm(2, 0, 2, 0), IdentityOrigin::Vault),
            ["the audit log shows 1 symmetric key(s) made in the vault, the HSM counts 2"]
        );
        // And the other way: the log shows a key the vault never counted.
        assert_eq!(
            findings(books(3, 1), &hsm(2, 0, 1, 0), IdentityOrigin::Vault),
            ["the audit log shows 3 device identity key(s) made in the vault, the HSM counts 2"]
        );
        // Under on-chip identities, any identity key the vault made is unlogged.
        assert_eq!(
            findings(books(2, 0), &hsm(1, 0, 0, 0), IdentityOrigin::Device),
            ["the audit log shows 0 device identity key(s) made in the vault, the HSM counts 1"]
        );
    }

    #[test]
    fn a_key_the_vault_still_holds_is_a_finding() {
        assert_eq!(
            findings(books(2, 1), &hsm(2, 1, 1, 0), IdentityOrigin::Vault),
            ["the HSM still holds 1 device identity key(s)"]
        );
        assert_eq!(
            findings(books(2, 3), &hsm(2, 0, 3, 2), IdentityOrigin::Vault),
            ["the HSM still holds 2 symmetric key(s)"]
        );
    }
}
