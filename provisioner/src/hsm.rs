//! A hardware security module: keys are generated inside it and used by handle; what a
//! key may do is fixed by its use when it is made (a PKCS#11-style attribute policy).
//! A device identity key leaves only sealed to the device it is injected into, and is
//! then destroyed; CA and firmware-signing keys never leave at all.

use crate::ceremony::{self, KeyShare, Quorum};
use crate::error::HsmError;
use provsim_sim::crypto::{CertSigner, Crypto, Envelope, PublicKey, SecretKey, Signature};
use provsim_sim::{Ctx, Field, Stream};
use std::collections::BTreeMap;
use std::fmt;

/// A reference to a key inside the HSM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeyHandle(u32);

impl fmt::Display for KeyHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What a key is for; decides what the HSM lets it do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// Signs certificates. Never leaves the HSM.
    CertificateAuthority,
    /// Signs firmware images. Never leaves the HSM.
    FirmwareSigning,
    /// A device's identity key: may leave only sealed to that device, once.
    DeviceIdentity,
    /// The vault's own identity: signs device records. Never leaves the HSM.
    VaultIdentity,
}

impl KeyUse {
    fn name(self) -> &'static str {
        match self {
            KeyUse::CertificateAuthority => "certificate-authority",
            KeyUse::FirmwareSigning => "firmware-signing",
            KeyUse::DeviceIdentity => "device-identity",
            KeyUse::VaultIdentity => "vault-identity",
        }
    }
}

/// Key life-cycle counts, the basis of reconciliation. Device keys are destroyed once
/// delivered (or when their device is rejected), so after a run
/// `generated = destroyed + keys still held` (the CA and firmware keys), and
/// `wrapped` counts the device keys that left, sealed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HsmStats {
    pub generated: u64,
    /// Keys rebuilt from custodians' shares (the offline root, at a ceremony).
    pub restored: u64,
    /// Device identity keys among `generated`.
    pub identity_generated: u64,
    pub wrapped: u64,
    pub destroyed: u64,
    pub certificates_signed: u64,
}

#[derive(Clone)]
struct StoredKey {
    key: SecretKey,
    usage: KeyUse,
    wrapped: bool,
}

/// The HSM. Cloning it models nothing real: the simulator clones it to re-provision a
/// device on a scratch copy of the site without touching the real one.
#[derive(Clone, Default)]
pub struct Hsm {
    keys: BTreeMap<KeyHandle, StoredKey>,
    next_handle: u32,
    stats: HsmStats,
}

impl Hsm {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn stats(&self) -> HsmStats {
        self.stats
    }

    /// Keys currently held.
    pub fn live_keys(&self) -> usize {
        self.keys.len()
    }

    /// Device identity keys currently held: none should outlive its device's pass.
    pub fn live_identity_keys(&self) -> usize {
        self.keys
            .values()
            .filter(|k| k.usage == KeyUse::DeviceIdentity)
            .count()
    }

    fn get(&self, handle: KeyHandle) -> Result<&StoredKey, HsmError> {
        self.keys.get(&handle).ok_or(HsmError::NoSuchKey(handle.0))
    }

    fn require(
        &self,
        handle: KeyHandle,
        usage: KeyUse,
        operation: &'static str,
    ) -> Result<&StoredKey, HsmError> {
        let stored = self.get(handle)?;
        if stored.usage != usage {
            return Err(HsmError::PolicyForbids {
                handle: handle.0,
                usage: stored.usage.name(),
                operation,
            });
        }
        Ok(stored)
    }

    /// Keeps `key` under a fresh handle.
    fn store(&mut self, key: SecretKey, usage: KeyUse) -> KeyHandle {
        let handle = KeyHandle(self.next_handle);
        self.next_handle = self.next_handle.wrapping_add(1);
        self.keys.insert(
            handle,
            StoredKey {
                key,
                usage,
                wrapped: false,
            },
        );
        handle
    }

    /// Generates a key for `usage` from the HSM's TRNG, modelled as `stream`.
    pub fn generate(
        &mut self,
        ctx: &mut Ctx<'_>,
        usage: KeyUse,
        stream: &mut Stream,
    ) -> (KeyHandle, PublicKey) {
        let key = ctx.crypto.generate_key(stream);
        let public = key.public_key().clone();
        let handle = self.store(key, usage);
        self.stats.generated += 1;
        if usage == KeyUse::DeviceIdentity {
            self.stats.identity_generated += 1;
        }
        ctx.record(
            "hsm-keygen",
            &[
                ("use", Field::Str(usage.name())),
                ("fingerprint", Field::Bytes(&public.fingerprint().0)),
            ],
        );
        (handle, public)
    }

    pub fn public_key(&self, handle: KeyHandle) -> Result<&PublicKey, HsmError> {
        Ok(self.get(handle)?.key.public_key())
    }

    /// Seals a device identity key to `recipient` (the device's transport key) for the
    /// context `aad`. Each key can be sealed once.
    pub fn wrap_for_device(
        &mut self,
        ctx: &mut Ctx<'_>,
        handle: KeyHandle,
        recipient: &PublicKey,
        aad: &[u8],
        stream: &mut Stream,
    ) -> Result<Envelope, HsmError> {
        let stored = self.require(handle, KeyUse::DeviceIdentity, "wrapping")?;
        if stored.wrapped {
            return Err(HsmError::PolicyForbids {
                handle: handle.0,
                usage: stored.usage.name(),
                operation: "a second wrapping",
            });
        }
        let secret = stored.key.expose_secret_bytes();
        let envelope = ctx.crypto.seal_envelope(recipient, aad, &secret, stream);
        if let Some(stored) = self.keys.get_mut(&handle) {
            stored.wrapped = true;
        }
        self.stats.wrapped += 1;
        ctx.record(
            "hsm-wrap",
            &[("recipient", Field::Bytes(&recipient.fingerprint().0))],
        );
        Ok(envelope)
    }

    /// Splits a certificate-authority key into custodians' shares (as an HSM backs a
    /// key up onto custodian cards). The key stays until it is destroyed.
    pub fn split_key(
        &self,
        ctx: &mut Ctx<'_>,
        handle: KeyHandle,
        quorum: Quorum,
        rng: &mut Stream,
    ) -> Result<Vec<KeyShare>, HsmError> {
        let stored = self.require(handle, KeyUse::CertificateAuthority, "splitting")?;
        let shares = ceremony::split(&stored.key.expose_secret_bytes(), quorum, rng);
        ctx.record(
            "hsm-split",
            &[
                ("custodians", Field::U64(quorum.custodians.into())),
                ("threshold", Field::U64(quorum.threshold.into())),
            ],
        );
        Ok(shares)
    }

    /// Rebuilds a certificate-authority key from the shares the custodians present. It
    /// must be the key whose public half is `expected`: too few shares, or shares of
    /// another key, rebuild nothing usable and are refused.
    pub fn restore_key(
        &mut self,
        ctx: &mut Ctx<'_>,
        shares: &[&KeyShare],
        quorum: Quorum,
        expected: &PublicKey,
    ) -> Result<KeyHandle, HsmError> {
        let refused = HsmError::QuorumNotMet {
            presented: shares.len(),
            threshold: quorum.threshold,
        };
        let secret = ceremony::combine(shares, quorum).ok_or(refused.clone())?;
        let key = ctx
            .crypto
            .import_secret(&secret)
            .map_err(|_| refused.clone())?;
        if key.public_key() != expected {
            return Err(refused);
        }
        let handle = self.store(key, KeyUse::CertificateAuthority);
        self.stats.restored += 1;
        ctx.record(
            "hsm-restore",
            &[("fingerprint", Field::Bytes(&expected.fingerprint().0))],
        );
        Ok(handle)
    }

    /// Destroys a key.
    pub fn destroy(&mut self, ctx: &mut Ctx<'_>, handle: KeyHandle) -> Result<(), HsmError> {
        let stored = self
            .keys
            .remove(&handle)
            .ok_or(HsmError::NoSuchKey(handle.0))?;
        self.stats.destroyed += 1;
        ctx.record(
            "hsm-destroy",
            &[(
                "fingerprint",
                Field::Bytes(&stored.key.public_key().fingerprint().0),
            )],
        );
        Ok(())
    }

    /// A signer for certificates, for a certificate-authority key only. Each certificate
    /// signed through it is counted by the facade.
    pub fn certificate_signer<'a>(
        &'a mut self,
        crypto: &'a Crypto,
        handle: KeyHandle,
    ) -> Result<CertSigner<'a>, HsmError> {
        self.require(handle, KeyUse::CertificateAuthority, "certificate signing")?;
        self.stats.certificates_signed += 1;
        let stored = self.get(handle)?;
        Ok(crypto.cert_signer(&stored.key))
    }

    /// Signs a device record with the vault's identity key.
    pub fn sign_record(
        &self,
        ctx: &mut Ctx<'_>,
        handle: KeyHandle,
        record: &[u8],
    ) -> Result<Signature, HsmError> {
        let stored = self.require(handle, KeyUse::VaultIdentity, "record signing")?;
        Ok(ctx.crypto.sign(&stored.key, record))
    }

    /// Signs a firmware image's SHA-256 (MCUboot signs the image hash, not the image).
    pub fn sign_firmware_digest(
        &self,
        ctx: &mut Ctx<'_>,
        handle: KeyHandle,
        digest: &[u8; 32],
    ) -> Result<Signature, HsmError> {
        let stored = self.require(handle, KeyUse::FirmwareSigning, "firmware signing")?;
        Ok(ctx.crypto.sign_digest(&stored.key, digest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::{Seed, SimTime, Trace};

    #[test]
    fn policy_keeps_each_key_to_its_use() {
        let crypto = Crypto::new();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
        let mut stream = Seed::new(1).stream("test/hsm");
        let mut hsm = Hsm::new();
        let (ca, _) = hsm.generate(&mut ctx, KeyUse::CertificateAuthority, &mut stream);
        let (device, _) = hsm.generate(&mut ctx, KeyUse::DeviceIdentity, &mut stream);
        let recipient = crypto.generate_key(&mut stream);

        let err = hsm
            .wrap_for_device(&mut ctx, ca, recipient.public_key(), b"", &mut stream)
            .unwrap_err();
        assert!(matches!(err, HsmError::PolicyForbids { .. }), "{err}");
        assert!(
            hsm.sign_firmware_digest(&mut ctx, device, &[0; 32])
                .is_err()
        );
        assert!(hsm.sign_record(&mut ctx, ca, b"record").is_err());
        hsm.wrap_for_device(&mut ctx, device, recipient.public_key(), b"", &mut stream)
            .unwrap();
        let again = hsm.wrap_for_device(&mut ctx, device, recipient.public_key(), b"", &mut stream);
        assert!(again.is_err(), "a device key must leave only once");

        hsm.destroy(&mut ctx, device).unwrap();
        assert_eq!(hsm.destroy(&mut ctx, device), Err(HsmError::NoSuchKey(1)));
        assert_eq!(
            hsm.stats(),
            HsmStats {
                generated: 2,
                restored: 0,
                identity_generated: 1,
                wrapped: 1,
                destroyed: 1,
                certificates_signed: 0
            }
        );
        assert_eq!(hsm.live_keys(), 1);
    }

    #[test]
    fn a_split_key_comes_back_only_from_a_quorum_of_its_own_shares() {
        let crypto = Crypto::new();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
        let mut stream = Seed::new(2).stream("test/hsm");
        let mut hsm = Hsm::new();
        let quorum = Quorum {
            custodians: 5,
            threshold: 3,
        };
        let (root, root_key) = hsm.generate(&mut ctx, KeyUse::CertificateAuthority, &mut stream);
        let (other, _) = hsm.generate(&mut ctx, KeyUse::CertificateAuthority, &mut stream);
        let shares = hsm.split_key(&mut ctx, root, quorum, &mut stream).unwrap();
        let foreign = hsm.split_key(&mut ctx, other, quorum, &mut stream).unwrap();
        hsm.destroy(&mut ctx, root).unwrap();

        let two: Vec<&KeyShare> = shares.iter().take(2).collect();
        assert_eq!(
            hsm.restore_key(&mut ctx, &two, quorum, &root_key),
            Err(HsmError::QuorumNotMet {
                presented: 2,
                threshold: 3
            })
        );
        let mixed = vec![&shares[0], &shares[1], &foreign[2]];
        assert!(
            hsm.restore_key(&mut ctx, &mixed, quorum, &root_key)
                .is_err()
        );
        let three = vec![&shares[4], &shares[0], &shares[2]];
        let restored = hsm
            .restore_key(&mut ctx, &three, quorum, &root_key)
            .unwrap();
        assert_eq!(hsm.public_key(restored).unwrap(), &root_key);
        assert_eq!(hsm.stats().restored, 1);
        // Device keys cannot be split: only CA keys have custodians.
        let (device, _) = hsm.generate(&mut ctx, KeyUse::DeviceIdentity, &mut stream);
        assert!(
            hsm.split_key(&mut ctx, device, quorum, &mut stream)
                .is_err()
        );
    }
}
