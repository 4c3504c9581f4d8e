//! The site's books name every identity or certificate an attack made outside the order.
//!
//! The detective counterpart of `no-counterfeit-identity`: that one asks whether the
//! attacker got an identity, this one whether the site would know. It judges what the
//! attacker really holds (each certificate valid under the customer CA for a key the
//! line never shipped, checked here, not taken from the attack's account) against what
//! the path's own books, reconciled after the attack, name.

use super::oracle::{
    Control, HonestRun, Observation, OnHonestRun, Oracle, certificates_held, keeps_books,
};
use provsim_attacks::Gain;
use provsim_attacks::Position;
use provsim_sim::crypto::PublicKey;
use provsim_sim::to_hex;

#[derive(Debug, Clone, Copy)]
pub struct IllegitimateIdentitiesNamed;

impl Oracle for IllegitimateIdentitiesNamed {
    fn id(&self) -> &'static str {
        "books-name-illegitimate-identities"
    }

    fn statement(&self) -> &'static str {
        "The site's books name every certificate under the customer CA that an attack obtained for a key no order shipped."
    }

    fn falsified_by(&self) -> &'static [Gain] {
        &[Gain::Identity]
    }

    fn tried_by(&self, position: Position) -> bool {
        keeps_books(position)
    }

    fn control(&self) -> Control {
        Control::Detective
    }

    /// A process claim: the honest run exercises it when its books had refused parts
    /// and destroyed keys to account for (the honest run makes no illegitimate
    /// identity, so it cannot make it false).
    fn on_honest_run(&self, run: &HonestRun<'_>) -> Option<OnHonestRun> {
        Some(run.as_exercise("account for every part"))
    }

    fn check(&self, seen: &Observation<'_>) -> Option<String> {
        // A path at a device leaves no trace in the site's books, nor should it.
        let findings = seen.attacked.books.as_ref()?;
        certificates_held(seen).find_map(|(der, source)| {
                let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
                if !provsim_provisioner::signed_by(seen.crypto, &cert, &seen.attacked.customer_ca)
                    || cert.is_ca()
                {
                    return None;
                }
                let key = PublicKey::from_sec1(&cert.public_key().subject_public_key.data).ok()?;
                let fingerprint = key.fingerprint();
                if seen.truth.device(&fingerprint).is_some() {
                    return None;
                }
                let hex = to_hex(&fingerprint.0);
                let named = findings
                    .iter()
                    .any(|f| f.identity.as_deref() == Some(hex.as_str()));
                (!named).then(|| {
                    format!(
                        "a certificate for key {fingerprint} valid under the customer CA ({}), which no shipped device holds, is not named by the site's books",
                        source
                    )
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracles::oracle::tests::attacked;
    use crate::oracles::scope::Scope;
    use crate::oracles::truth::GroundTruth;
    use provsim_attacks::{Knowledge, MaterialKind};
    use provsim_devices::DeviceId;
    use provsim_provisioner::testing::{TestPki, establish};
    use provsim_provisioner::{BooksFinding, Custody};
    use provsim_sim::Seed;
    use provsim_sim::crypto::Crypto;

    /// An unshipped certificate the books name passes; one they do not name is the
    /// evidence; a device path (no books) and a certificate under another CA are not
    /// this oracle's business.
    #[test]
    fn only_an_unnamed_certificate_for_an_unshipped_key_breaks_it() {
        let crypto = Crypto::new();
        let seed = Seed::new(8);
        let TestPki {
            pki,
            customer_ca_key,
            ..
        } = establish(&crypto, seed, Custody::ProvisionerHsm).unwrap();
        let mut rng = seed.stream("test/books-oracle");
        let own = crypto.generate_key(&mut rng);
        let rogue = crypto.generate_key(&mut rng);
        let mint = |signer| {
            pki.customer()
                .certify_with_key(
                    signer,
                    &crypto,
                    "Customer",
                    DeviceId(3),
                    own.public_key(),
                    &mut seed.stream("test/serial"),
                )
                .unwrap()
                .der
        };
        let truth = GroundTruth::default();
        let judge = |books: Option<Vec<BooksFinding>>, der: Vec<u8>| {
            let mut knowledge = Knowledge::new();
            knowledge.learn(MaterialKind::Certificate, "test", der);
            let mut attacked = attacked();
            attacked.customer_ca = pki.customer().public_key().clone();
            attacked.books = books;
            IllegitimateIdentitiesNamed.check(&Observation {
                scope: &Scope::ALL,
                truth: &truth,
                attacked: &attacked,
                knowledge: &knowledge,
                crypto: &crypto,
            })
        };
        let genuine = mint(&customer_ca_key);
        let naming = vec![BooksFinding {
            record: Some(4),
            identity: Some(to_hex(&own.public_key().fingerprint().0)),
            what: "named".to_owned(),
        }];
        assert_eq!(judge(Some(naming), genuine.clone()), None);
        let evidence = judge(Some(Vec::new()), genuine.clone()).expect("unnamed");
        assert!(evidence.contains("not named"), "{evidence}");
        assert_eq!(judge(None, genuine), None, "a device path has no books");
        assert_eq!(judge(Some(Vec::new()), mint(&rogue)), None);
        assert_eq!(judge(Some(Vec::new()), vec![0x30, 3]), None);
    }
}
