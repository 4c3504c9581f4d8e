//! A site PKI on its own, for tests and harnesses elsewhere: the ceremony run with the
//! default quorum in a fresh vault, the vault's identity key made from
//! `test/vault`, and the customer CA's private key re-derived from its stream as ground
//! truth is (what an attacker who stole it would hold).

use crate::labels;
use crate::pki::error::PkiError;
use crate::pki::hierarchy::{Pki, PkiNames};
use crate::vault::ceremony::Quorum;
use crate::vault::custody::Custody;
use crate::vault::hsm::Hsm;
use crate::vault::secrets::IdentityOrigin;
use provsim_sim::crypto::{Crypto, SecretKey};
use provsim_sim::{Ctx, Seed, SimTime, Trace};

pub struct TestPki {
    pub pki: Pki,
    pub hsm: Hsm,
    pub vault_key: SecretKey,
    pub customer_ca_key: SecretKey,
}

/// Site "House", customer "Customer".
pub fn establish(crypto: &Crypto, seed: Seed, custody: Custody) -> Result<TestPki, PkiError> {
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, crypto, &mut trace);
    let mut hsm = Hsm::new(custody, IdentityOrigin::Vault);
    let names = PkiNames {
        site: "House".into(),
        customer: "Customer".into(),
    };
    let vault_key = crypto.generate_key(&mut labels::test_vault_key(seed));
    let (pki, _, _) = Pki::establish(
        &mut hsm,
        &mut ctx,
        seed,
        &names,
        Quorum::DEFAULT,
        vault_key.public_key(),
    )?;
    Ok(TestPki {
        pki,
        hsm,
        vault_key,
        customer_ca_key: crypto.generate_key(&mut labels::customer_ca(seed)),
    })
}

#[cfg(test)]
#[test]
fn the_re_derived_ca_key_is_the_customer_cas() {
    let crypto = Crypto::new();
    let test = establish(&crypto, Seed::new(3), Custody::SharedVm).unwrap();
    assert_eq!(
        test.customer_ca_key.public_key(),
        test.pki.customer().public_key()
    );
    assert!(!test.pki.vault().der.is_empty());
}
