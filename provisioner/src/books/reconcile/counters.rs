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
