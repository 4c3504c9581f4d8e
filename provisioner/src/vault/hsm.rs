//! The site's vault: keys are generated inside it and used by handle; what a key may do
//! is fixed by its use when it is made (a PKCS#11-style attribute policy). A device
//! identity key leaves only sealed to the device it is injected into, and is then
//! destroyed; CA and firmware-signing keys are never handed out.
//!
//! The same interface stands for all three custody configurations; what differs is
//! where the keys really are (an HSM, or the memory of a VM: see
//! [`Hsm::controller_memory`]) and who may make the CA certify (see
//! [`Custody::certifies_presented_keys`]).
//!
//! The vault decides whose key may be certified; it does not read certificate
//! requests. A chip's own request is checked by the PKI (which holds CSRs), after the
//! vault has said it certifies requests at all, and the vault is then handed the key
//! the checked request proved.

use crate::vault::ceremony::{self, KeyShare, Quorum};
use crate::vault::custody::{Custody, KeyResidence};
use crate::vault::error::HsmError;
use crate::vault::licence::CountLicence;
use crate::vault::secrets::IdentityOrigin;
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

/// A reference to a symmetric secret inside the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SecretHandle(u32);

/// A per-device symmetric key: made for one device, sealed to it once, then destroyed.
#[derive(Clone)]
struct StoredSecret {
    bytes: [u8; 32],
    wrapped: bool,
}

/// What a key is for; decides what the HSM lets it do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// Signs certificates. Leaves the HSM only sealed in its backup, or split among the
    /// custodians (the offline root); under `shared-vm` the "HSM" is the VM's memory.
    CertificateAuthority,
    /// Signs firmware images. Leaves the HSM only sealed in its backup.
    FirmwareSigning,
    /// A device's identity key: may leave only sealed to that device, once.
    DeviceIdentity,
    /// The vault's own identity: signs device records, the manifest and the audit log's
    /// checkpoints. Leaves the HSM only sealed in its backup.
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
    /// Certificate revocation lists signed by a CA key.
    pub crls_signed: u64,
    /// Per-device symmetric keys made, sealed to a device, and destroyed.
    pub secrets_generated: u64,
    pub secrets_wrapped: u64,
    pub secrets_destroyed: u64,
}

#[derive(Clone)]
struct StoredKey {
    key: SecretKey,
    usage: KeyUse,
    wrapped: bool,
}

/// Whose key a device certificate is for.
///
/// Crate-private: a `Requested` key is certified on the PKI's word that it checked the
/// chip's request, so only the PKI (and the line's own rooms) may say so.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CertSubject<'k> {
    /// A device identity key the vault generated (the station's path).
    Generated(KeyHandle),
    /// A public key handed to the vault from outside.
    Presented(&'k PublicKey),
    /// A key a chip made itself, as the PKCS#10 request it signed with it proved: the
    /// PKI has checked that request (proof of possession, the device on the station)
    /// before it hands the key over.
    Requested(&'k PublicKey),
}

/// The vault (an HSM, or a software key store in a VM under `shared-vm` custody).
/// Cloning it models nothing real: the simulator clones it to re-provision a device on a
/// scratch copy of the site without touching the real one.
#[derive(Clone)]
pub struct Hsm {
    custody: Custody,
    /// Where the order's identity keys are made: the vault certifies a chip's own
    /// request only for an order whose keys are made on chip.
    identity: IdentityOrigin,
    keys: BTreeMap<KeyHandle, StoredKey>,
    next_handle: u32,
    secrets: BTreeMap<SecretHandle, StoredSecret>,
    next_secret: u32,
    stats: HsmStats,
    /// The order's count licence, if the order is sold with one.
    licence: Option<CountLicence>,
    /// Who may have the firmware-signing key sign.
    firmware_signing: FirmwareSigning,
}

impl Hsm {
    pub fn new(custody: Custody, identity: IdentityOrigin) -> Self {
        Hsm {
            custody,
            identity,
            keys: BTreeMap::new(),
            next_handle: 0,
            secrets: BTreeMap::new(),
            next_secret: 0,
            stats: HsmStats::default(),
            licence: None,
            firmware_signing: FirmwareSigning::Ceremony,
        }
    }

    /// Grants the order `units` device certificates: from now on each device
    /// certificate takes one, and none is signed once they are spent.
    pub fn grant_licence(&mut self, units: u64) {
        self.licence = Some(CountLicence::new(units));
    }

    /// The order's count licence as it stands, if it has one.
    pub fn licence(&self) -> Option<CountLicence> {
        self.licence
    }

    /// The licence, to close it with the order or rewind it in an attack copy.
    pub(crate) fn licence_mut(&mut self) -> Option<&mut CountLicence> {
        self.licence.as_mut()
    }

    pub fn custody(&self) -> Custody {
        self.custody
    }

    /// The memory of the VM that runs the line's controller, as a co-tenant who breaks
    /// the hypervisor's isolation reads it. Under `shared-vm` custody the controller is
    /// the key store, and every key it holds is there as PKCS#8; with an HSM the
    /// controller holds only handles and public keys. Keys are laid out in handle order,
    /// each behind its handle, so the image is a function of the vault's state alone.
    pub fn controller_memory(&self) -> Vec<u8> {
        let mut memory = Vec::new();
        for (handle, stored) in &self.keys {
            memory.extend_from_slice(b"KEY ");
            memory.extend_from_slice(&handle.0.to_be_bytes());
            memory.extend_from_slice(stored.usage.name().as_bytes());
            match self.custody.residence() {
                KeyResidence::VmMemory => match stored.key.to_pkcs8_der() {
                    Ok(der) => memory.extend_from_slice(&der),
                    Err(_) => memory.extend_from_slice(&stored.key.public_key().spki_der()),
                },
                KeyResidence::Hardware => {
                    memory.extend_from_slice(&stored.key.public_key().spki_der());
                }
            }
        }
        for (handle, stored) in &self.secrets {
            memory.extend_from_slice(b"AES ");
            memory.extend_from_slice(&handle.0.to_be_bytes());
            match self.custody.residence() {
                KeyResidence::VmMemory => memory.extend_from_slice(&stored.bytes),
                KeyResidence::Hardware => memory.extend_from_slice(&[0; 32]),
            }
        }
        memory
    }

    /// Whether the vault still holds the secret `handle`.
    pub fn holds_secret(&self, handle: SecretHandle) -> bool {
        self.secrets.contains_key(&handle)
    }

    /// Symmetric secrets currently held: none should outlive its device's pass.
    pub fn live_secrets(&self) -> usize {
        self.secrets.len()
    }

    /// Makes a 256-bit symmetric key for one device from `stream` (the vault's TRNG for
    /// that device and key); returns its handle and key check value.
    pub fn generate_secret(
        &mut self,
        ctx: &mut Ctx<'_>,
        stream: &mut Stream,
    ) -> (SecretHandle, [u8; 4]) {
        let bytes: [u8; 32] = stream.bytes();
        let check = provsim_devices::key_check_value(ctx.crypto, &bytes);
        let handle = SecretHandle(self.next_secret);
        self.next_secret = self.next_secret.wrapping_add(1);
        self.secrets.insert(
            handle,
            StoredSecret {
                bytes,
                wrapped: false,
            },
        );
        self.stats.secrets_generated += 1;
        ctx.record("hsm-secret-gen", &[("check", Field::Bytes(&check))]);
        (handle, check)
    }

    /// Seals a symmetric secret to `recipient` for the context `aad`, once.
    pub fn wrap_secret_for_device(
        &mut self,
        ctx: &mut Ctx<'_>,
        handle: SecretHandle,
        recipient: &PublicKey,
        aad: &[u8],
        stream: &mut Stream,
    ) -> Result<Envelope, HsmError> {
        let stored = self
            .secrets
            .get_mut(&handle)
            .ok_or(HsmError::NoSuchKey(handle.0))?;
        if stored.wrapped {
            return Err(HsmError::PolicyForbids {
                handle: handle.0,
                usage: "device-secret",
                operation: "a second wrapping",
            });
        }
        stored.wrapped = true;
        let envelope = ctx
            .crypto
            .seal_envelope(recipient, aad, &stored.bytes, stream);
        self.stats.secrets_wrapped += 1;
        ctx.record(
            "hsm-secret-wrap",
            &[("recipient", Field::Bytes(&recipient.fingerprint().0))],
        );
        Ok(envelope)
    }

    /// Destroys a symmetric secret.
    pub fn destroy_secret(
        &mut self,
        ctx: &mut Ctx<'_>,
        handle: SecretHandle,
    ) -> Result<(), HsmError> {
        self.secrets
            .remove(&handle)
            .ok_or(HsmError::NoSuchKey(handle.0))?;
        self.stats.secrets_destroyed += 1;
        ctx.record("hsm-secret-destroy", &[]);
        Ok(())
    }

    pub fn stats(&self) -> HsmStats {
        self.stats
    }

    /// Keys currently held.
    pub fn live_keys(&self) -> usize {
        self.keys.len()
    }

    /// The secret scalars of every long-lived key it holds (CA, firmware-signing, its
    /// own identity), in handle order: what its backup seals.
    pub(crate) fn backup_scalars(&self) -> Vec<[u8; 32]> {
        self.keys
            .values()
            .filter(|k| k.usage != KeyUse::DeviceIdentity)
            .map(|k| k.key.expose_secret_bytes())
            .collect()
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

    /// Whether the vault certifies a chip's own key from its request: only for an order
    /// whose identity keys are made on chip. Asked before the request is read, so a
    /// vault that refuses never looks at one.
    pub fn certifies_requests(&self) -> Result<(), HsmError> {
        if self.identity == IdentityOrigin::Device {
            Ok(())
        } else {
            Err(HsmError::Refused {
                operation: "certifying a key from a request",
                policy: "this order's identity keys are made in the vault",
            })
        }
    }

    /// A signer for a device certificate under the CA key `ca`, with the public key it
    /// may certify. A key the vault generated is certified only if it is a device
    /// identity key; a chip's own key only from a request the PKI checked, and only
    /// where [`Hsm::certifies_requests`]; a presented key only where the custody lets
    /// the site's staff decide what the CA signs (not in the customer's HSM).
    pub(crate) fn device_certificate_signer<'a>(
        &'a mut self,
        crypto: &'a Crypto,
        ca: KeyHandle,
        subject: CertSubject<'_>,
    ) -> Result<(PublicKey, CertSigner<'a>), HsmError> {
        let public = match subject {
            CertSubject::Generated(handle) => self
                .require(handle, KeyUse::DeviceIdentity, "certification")?
                .key
                .public_key()
                .clone(),
            CertSubject::Presented(key) if self.custody.certifies_presented_keys() => key.clone(),
            CertSubject::Requested(key) => {
                self.certifies_requests()?;
                key.clone()
            }
            CertSubject::Presented(_) => {
                return Err(HsmError::Refused {
                    operation: "certifying a key it did not generate",
                    policy: "the customer's policy binds certification to the keys the HSM \
                             makes for the order",
                });
            }
        };
        // The CA key is checked before a unit is taken: a refusal spends nothing.
        self.require(ca, KeyUse::CertificateAuthority, "certificate signing")?;
        if let Some(licence) = &mut self.licence {
            licence.take()?;
        }
        Ok((public, self.certificate_signer(crypto, ca)?))
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

    /// A signer for a certificate revocation list, for a certificate-authority key only:
    /// a CA signature like a certificate's, counted on its own (and by the facade).
    pub fn crl_signer<'a>(
        &'a mut self,
        crypto: &'a Crypto,
        handle: KeyHandle,
    ) -> Result<CertSigner<'a>, HsmError> {
        self.require(handle, KeyUse::CertificateAuthority, "CRL signing")?;
        self.stats.crls_signed += 1;
        let stored = self.get(handle)?;
        Ok(crypto.cert_signer(&stored.key))
    }

    /// Signs a device record (or a manifest entry, or a closing record) with the vault's
    /// identity key. Low-S: the one form of the signature the record verifier accepts,
    /// so a signed line's bytes cannot be changed and stay valid.
    pub fn sign_record(
        &self,
        ctx: &mut Ctx<'_>,
        handle: KeyHandle,
        record: &[u8],
    ) -> Result<Signature, HsmError> {
        let stored = self.require(handle, KeyUse::VaultIdentity, "record signing")?;
        Ok(ctx.crypto.sign_low_s(&stored.key, record))
    }

    /// Signs a statement about the audit log's chain head (a checkpoint, or the closing
    /// record) with the vault's identity key. Low-S: the one form of the signature a
    /// verifier refusing malleated signatures accepts, so each statement has exactly one.
    pub fn sign_audit_head(
        &self,
        ctx: &mut Ctx<'_>,
        handle: KeyHandle,
        message: &[u8],
    ) -> Result<Signature, HsmError> {
        let stored = self.require(handle, KeyUse::VaultIdentity, "audit signing")?;
        Ok(ctx.crypto.sign_low_s(&stored.key, message))
    }
}

mod firmware_signing;

/// Who may have the firmware-signing key sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FirmwareSigning {
    /// The key ceremony is open: the releases are being signed.
    Ceremony,
    /// The ceremony is over: the key signs nothing more.
    Closed,
    /// Anyone with an operator's credentials.
    Operators,
}

#[cfg(test)]
#[path = "hsm_tests.rs"]
mod tests;
