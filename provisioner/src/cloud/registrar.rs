//! The cloud registrar: where each device is met at its first connection.
//!
//! The customer registers its device CA, proving possession of the CA key the way cloud
//! services ask for it: the registrar names a verification code and the customer
//! presents a certificate for that code signed by the CA. Devices are admitted by chain
//! (the certificate verifies under the registered CA) and by manifest (the customer's
//! signed list of what shipped): a certificate that chains but is not in the manifest
//! (a die scrapped after its key was certified) is unknown. Each device then proves it
//! holds its identity key by answering a fresh challenge, and both sides derive a
//! session key. The registrar refuses revoked identities (the customer's revocation
//! list), identities whose record says the part was returned or scrapped, and an
//! identity answering from a second endpoint while the first holds a session (a clone).
//!
//! It keeps one small entry per manifest device, nothing more: the first 128 bits of its
//! identity fingerprint (a key whose fingerprint shares them would take some 2^128
//! tries to find, and would still have to answer for a certificate under the CA), 16
//! bytes a device, plus an entry for each device revoked, out of the field or holding a
//! session now.

use crate::books::manifest::entry::VerifiedEntry;
use crate::ledger::tags::{Tag, TagSet, tag};
use crate::pki::certificate::signed_by;
use crate::weakness::{SiteWeakness, SiteWeaknesses};
use provsim_devices::first_connection::{DeviceAuth, session_key, transcript};
use provsim_sim::Stream;
use provsim_sim::crypto::{Crypto, Fingerprint, PublicKey, SecretKey};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Why the registrar turned a device (or the CA) away.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no device CA is registered")]
    NoCa,
    #[error("the CA's proof of possession does not hold: {0}")]
    CaProof(&'static str),
    #[error("the certificate is not a device certificate under the registered CA")]
    UnknownChain,
    #[error("the identity is not in the manifest")]
    NotInManifest,
    #[error("the identity is revoked")]
    Revoked,
    #[error("the device's record says it is {0}")]
    LifeCycle(String),
    #[error("the identity already holds a session from another endpoint: a clone")]
    Clone,
    #[error("the answer does not verify under the certificate's key")]
    BadAnswer,
}

/// Why a manifest device may no longer connect.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Barred {
    Revoked,
    /// The customer's record moved it out of the field (returned, scrapped).
    OutOfField(String),
}

/// One challenge the registrar has issued: its ephemeral key stays here.
pub struct Challenge {
    pub nonce: [u8; 32],
    pub server: PublicKey,
    ephemeral: SecretKey,
}

/// A device that authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub identity: Fingerprint,
    pub endpoint: u64,
    /// Never written anywhere: the tests compare it with the device's.
    pub key: [u8; 32],
}

/// The registrar's counts, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegistrarStats {
    pub enrolled: u64,
    pub authenticated: u64,
    pub refused: u64,
}

/// Cloning it shares the enrolments (the one part that grows with the run) and copies
/// the rest, a handful of entries: how an attack copy of the field gets its own
/// registrar at the same cost at any lot size.
#[derive(Default, Clone)]
pub struct Registrar {
    ca: Option<PublicKey>,
    /// The verification code issued and not yet used: a proof answers it once.
    pending_code: Option<String>,
    enrolled: Arc<TagSet>,
    barred: BTreeMap<Tag, Barred>,
    /// Identities holding a session, with the endpoint that holds it.
    sessions: BTreeMap<Tag, u64>,
    stats: RegistrarStats,
    /// The checks a scenario switched off.
    weaknesses: SiteWeaknesses,
}

impl Registrar {
    pub fn new() -> Self {
        Self::default()
    }

    /// A registrar without the checks `weaknesses` switch off.
    pub fn with_weaknesses(weaknesses: SiteWeaknesses) -> Self {
        Registrar {
            weaknesses,
            ..Self::default()
        }
    }

    pub fn stats(&self) -> RegistrarStats {
        self.stats
    }

    /// Forgets every device (enrolments, bars, sessions), keeping the registered CA: a
    /// `--jobs` worker's shadow line meets each of its devices once and must not keep
    /// per-device state for a whole lot.
    pub(crate) fn forget_devices(&mut self) {
        self.enrolled = Arc::default();
        self.barred.clear();
        self.sessions.clear();
    }

    /// Makes room for `devices` more enrolments at once, so a large lot's enrolments
    /// cost 16 bytes a device and no more.
    pub fn expect_devices(&mut self, devices: usize) {
        Arc::make_mut(&mut self.enrolled).reserve(devices);
    }

    /// Issues a fresh verification code, drawn from `rng`, for the CA to certify. It
    /// replaces any earlier one, and is spent by the first registration that uses it.
    pub fn verification_code(&mut self, rng: &mut Stream) -> String {
        let bytes: [u8; 16] = rng.bytes();
        let code = provsim_sim::to_hex(&bytes);
        self.pending_code = Some(code.clone());
        code
    }

    /// Registers the device CA `ca` on the proof `verification` (DER): a certificate
    /// whose common name is the code the registrar issued last, signed by the CA's key.
    /// A registered CA is not replaced.
    pub fn register_ca(
        &mut self,
        crypto: &Crypto,
        ca: &PublicKey,
        verification: &[u8],
    ) -> Result<(), Refusal> {
        if self.ca.is_some() {
            return Err(Refusal::CaProof("a device CA is already registered"));
        }
        let code = self
            .pending_code
            .take()
            .ok_or(Refusal::CaProof("no verification code is outstanding"))?;
        let (_, cert) = x509_parser::parse_x509_certificate(verification)
            .map_err(|_| Refusal::CaProof("not a certificate"))?;
        if !signed_by(crypto, &cert, ca) {
            return Err(Refusal::CaProof("not signed by the CA's key"));
        }
        let named: Vec<&str> = cert
            .subject()
            .iter_common_name()
            .filter_map(|cn| cn.as_str().ok())
            .collect();
        if named != [code.as_str()] {
            return Err(Refusal::CaProof("it does not name the verification code"));
        }
        self.ca = Some(ca.clone());
        Ok(())
    }

    /// Admits one manifest entry (already verified against the manifest's signer).
    pub fn enroll(&mut self, entry: &VerifiedEntry) {
        if Arc::make_mut(&mut self.enrolled).insert(tag(&entry.identity.fingerprint())) {
            self.stats.enrolled += 1;
        }
    }

    /// The customer revokes an identity.
    pub fn revoke(&mut self, identity: &Fingerprint) {
        self.bar(identity, Barred::Revoked);
    }

    /// The customer's record says the device left the field (`state`: "returned",
    /// "scrapped").
    pub fn out_of_field(&mut self, identity: &Fingerprint, state: &str) {
        self.bar(identity, Barred::OutOfField(state.to_owned()));
    }

    /// Bars an identity whether or not it is enrolled yet: a revocation that arrives
    /// before the manifest entry still holds.
    fn bar(&mut self, identity: &Fingerprint, why: Barred) {
        let tag = tag(identity);
        self.barred.insert(tag, why);
        self.sessions.remove(&tag);
    }

    /// Why the customer's records bar `identity` ("revoked", or the state its record
    /// moved it to), if they do, whatever the registrar's checks make of it.
    pub fn barred_as(&self, identity: &Fingerprint) -> Option<String> {
        self.barred.get(&tag(identity)).map(|why| match why {
            Barred::Revoked => "revoked".to_owned(),
            Barred::OutOfField(state) => state.clone(),
        })
    }

    /// Ends `endpoint`'s session for `identity`.
    pub fn disconnect(&mut self, identity: &Fingerprint, endpoint: u64) {
        let tag = tag(identity);
        if self.sessions.get(&tag) == Some(&endpoint) {
            self.sessions.remove(&tag);
        }
    }

    /// Identities holding a session now.
    pub fn sessions(&self) -> usize {
        self.sessions.len()
    }

    /// A fresh challenge, from `rng`.
    pub fn challenge(&self, crypto: &Crypto, rng: &mut Stream) -> Challenge {
        let nonce = rng.bytes();
        let ephemeral = crypto.generate_key(rng);
        Challenge {
            nonce,
            server: ephemeral.public_key().clone(),
            ephemeral,
        }
    }

    /// Judges a device's answer to `challenge`, arriving from `endpoint` with its
    /// certificate (DER). On success the device holds a session and both sides have the
    /// same key.
    pub fn connect(
        &mut self,
        crypto: &Crypto,
        endpoint: u64,
        certificate: &[u8],
        challenge: Challenge,
        answer: &DeviceAuth,
    ) -> Result<Session, Refusal> {
        let result = self.judge(crypto, endpoint, certificate, &challenge, answer);
        match &result {
            Ok(_) => self.stats.authenticated += 1,
            Err(_) => self.stats.refused += 1,
        }
        result
    }

    fn judge(
        &mut self,
        crypto: &Crypto,
        endpoint: u64,
        certificate: &[u8],
        challenge: &Challenge,
        answer: &DeviceAuth,
    ) -> Result<Session, Refusal> {
        let ca = self.ca.as_ref().ok_or(Refusal::NoCa)?;
        let (_, cert) =
            x509_parser::parse_x509_certificate(certificate).map_err(|_| Refusal::UnknownChain)?;
        if !signed_by(crypto, &cert, ca) || cert.is_ca() {
            return Err(Refusal::UnknownChain);
        }
        let key = PublicKey::from_sec1(&cert.public_key().subject_public_key.data)
            .map_err(|_| Refusal::UnknownChain)?;
        let identity = key.fingerprint();
        let tag = tag(&identity);
        if !self.enrolled.contains(&tag) {
            return Err(Refusal::NotInManifest);
        }
        match self.barred.get(&tag) {
            Some(Barred::Revoked) if !self.weaknesses.has(SiteWeakness::RegistrarNoRevocation) => {
                return Err(Refusal::Revoked);
            }
            Some(Barred::OutOfField(state))
                if !self.weaknesses.has(SiteWeakness::RegistrarNoLifeCycle) =>
            {
                return Err(Refusal::LifeCycle(state.clone()));
            }
            _ => {}
        }
        let signed = transcript(&challenge.nonce, &challenge.server, &answer.ephemeral);
        crypto
            .verify(&key, &signed, &answer.signature)
            .map_err(|_| Refusal::BadAnswer)?;
        if !self.weaknesses.has(SiteWeakness::RegistrarNoDuplicateCheck)
            && self
                .sessions
                .get(&tag)
                .is_some_and(|&held| held != endpoint)
        {
            return Err(Refusal::Clone);
        }
        self.sessions.insert(tag, endpoint);
        let shared = crypto.ecdh(&challenge.ephemeral, &answer.ephemeral);
        Ok(Session {
            identity,
            endpoint,
            key: session_key(crypto, &shared, &signed),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::custody::Custody;
    use provsim_sim::Seed;

    #[test]
    fn the_ca_is_registered_only_on_a_certificate_for_the_code_signed_by_it() {
        let crypto = Crypto::new();
        let seed = Seed::new(12);
        let crate::pki::testing::TestPki {
            pki,
            mut hsm,
            vault_key: vault,
            ..
        } = crate::pki::testing::establish(&crypto, seed, Custody::CustomerHsm).unwrap();
        let ca = pki.customer().public_key().clone();
        let mut rng = seed.stream("test/registrar");
        let mut proof_for = |code: &str, rng: &mut Stream| {
            pki.issue_verification_certificate(&mut hsm, &crypto, code, vault.public_key(), rng)
                .unwrap()
                .der
        };
        let mut registrar = Registrar::new();
        let answer = DeviceAuth {
            ephemeral: vault.public_key().clone(),
            signature: crypto.sign(&vault, b"x"),
        };
        let challenge = registrar.challenge(&crypto, &mut rng);
        let anything = proof_for("anything", &mut rng);
        assert_eq!(
            registrar.connect(&crypto, 0, &anything, challenge, &answer),
            Err(Refusal::NoCa)
        );
        assert_eq!(
            registrar.register_ca(&crypto, &ca, &anything),
            Err(Refusal::CaProof("no verification code is outstanding"))
        );
        // Each code answers one attempt: a proof for another code, a proof checked
        // against another key, junk.
        let _ = registrar.verification_code(&mut rng);
        assert_eq!(
            registrar.register_ca(&crypto, &ca, &anything),
            Err(Refusal::CaProof("it does not name the verification code"))
        );
        let code = registrar.verification_code(&mut rng);
        let proof = proof_for(&code, &mut rng);
        assert_eq!(
            registrar.register_ca(&crypto, vault.public_key(), &proof),
            Err(Refusal::CaProof("not signed by the CA's key"))
        );
        assert_eq!(
            registrar.register_ca(&crypto, &ca, &proof),
            Err(Refusal::CaProof("no verification code is outstanding")),
            "a spent code is not reused"
        );
        let _ = registrar.verification_code(&mut rng);
        assert!(registrar.register_ca(&crypto, &ca, b"junk").is_err());
        let code = registrar.verification_code(&mut rng);
        let proof = proof_for(&code, &mut rng);
        assert_eq!(registrar.register_ca(&crypto, &ca, &proof), Ok(()));
        let _ = registrar.verification_code(&mut rng);
        assert_eq!(
            registrar.register_ca(&crypto, &ca, &proof),
            Err(Refusal::CaProof("a device CA is already registered"))
        );
        // The verification certificate chains, but names no manifest device.
        let challenge = registrar.challenge(&crypto, &mut rng);
        assert_eq!(
            registrar.connect(&crypto, 0, &proof, challenge, &answer),
            Err(Refusal::NotInManifest)
        );
        // A revocation that arrives before the manifest entry still holds.
        registrar.revoke(&vault.public_key().fingerprint());
        registrar.enroll(&VerifiedEntry {
            unique_id: "0".to_owned(),
            number: 1,
            identity: vault.public_key().clone(),
            certificate: proof.clone(),
        });
        let challenge = registrar.challenge(&crypto, &mut rng);
        assert_eq!(
            registrar.connect(&crypto, 0, &proof, challenge, &answer),
            Err(Refusal::Revoked)
        );
        assert_eq!(registrar.stats().refused, 3);
    }
}
