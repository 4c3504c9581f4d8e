//! The key store as the programming protocol fills it: keys injected sealed to the
//! transport key, keys the chip makes itself, and slots sealed under the key-store key
//! on a part that has one.

use super::chip::Mcu;
use super::layout::*;
use crate::error::DeviceError;
use crate::keystore::{self, SLOT_SIZE, SLOTS, SlotKind};
use crate::life_cycle::LifeCycle;
use crate::target::{DeviceId, Response};
use provsim_sim::{Ctx, Field};

/// The associated data an injected key is sealed under: it binds the envelope to one
/// device and one slot, so an envelope replayed to another device or slot fails to open.
pub fn injection_context(device_id: DeviceId, slot: u8) -> Vec<u8> {
    let mut aad = b"provsim key injection v1".to_vec();
    aad.extend_from_slice(&device_id.0.to_be_bytes());
    aad.push(slot);
    aad
}

/// The sealed form of a slot kind, for kinds that hold secrets.
fn sealed_kind(kind: SlotKind) -> Option<keystore::SealedKind> {
    match kind {
        SlotKind::P256Private => Some(keystore::SealedKind::P256Private),
        SlotKind::Aes256 => Some(keystore::SealedKind::Aes256),
        _ => None,
    }
}

/// What a sealed slot is bound to: its address and inner kind, so a sealed key moved
/// to another slot, or relabelled, does not open.
fn slot_binding(addr: u32, kind: SlotKind) -> Vec<u8> {
    keystore::sealed_slot_binding(addr, kind)
}

/// The key-store slot the identity key is in (the first).
pub(super) const IDENTITY_KEY_SLOT: u8 = 0;

impl Mcu {
    /// The key of `kind` in `slot`, as the chip's own key service reads it: in clear,
    /// or unsealed with the key-store key (`None` when it does not open).
    pub(super) fn key_in_slot(
        &self,
        crypto: &provsim_sim::crypto::Crypto,
        slot: u8,
        kind: SlotKind,
    ) -> Option<Vec<u8>> {
        let addr = KEYSTORE_BASE + u32::from(slot) * SLOT_SIZE as u32;
        let raw = keystore::parse_slots(&self.flash.read(addr, SLOT_SIZE as u32))
            .into_iter()
            .next()?;
        if raw.kind == kind {
            // A sealed store holds nothing in clear that the chip would use.
            return (!self.sealed_store).then_some(raw.data);
        }
        let key = self.key_store_key?;
        if raw.kind != SlotKind::Sealed(sealed_kind(kind)?) || raw.data.len() < 12 {
            return None;
        }
        let (nonce, sealed) = raw.data.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().ok()?;
        crypto
            .aead_open(&key, &nonce, &slot_binding(addr, kind), sealed)
            .ok()
    }

    /// The key-store address of an empty `slot`.
    pub(super) fn free_slot(&self, slot: u8) -> Result<u32, DeviceError> {
        if slot >= SLOTS {
            return Err(DeviceError::NoSuchSlot { slot, slots: SLOTS });
        }
        let addr = KEYSTORE_BASE + u32::from(slot) * SLOT_SIZE as u32;
        if self.flash.read(addr, 1)[0] != 0xff {
            return Err(DeviceError::SlotOccupied(slot));
        }
        Ok(addr)
    }

    /// Opens an envelope sealed to this chip's transport key for an empty `slot`, in
    /// manufacturing test only; returns the slot's address and the plaintext.
    pub(super) fn open_injection(
        &mut self,
        ctx: &mut Ctx<'_>,
        slot: u8,
        envelope: &provsim_sim::crypto::Envelope,
    ) -> Result<(u32, Vec<u8>), DeviceError> {
        self.require_state(&[LifeCycle::Test], "key injection")?;
        let addr = self.free_slot(slot)?;
        let aad = injection_context(self.device_id, slot);
        let transport = self.transport_key(ctx).clone();
        let secret = ctx
            .crypto
            .open_envelope(&transport, &aad, envelope)
            .map_err(DeviceError::Envelope)?;
        Ok((addr, secret))
    }

    pub(super) fn inject_secret(
        &mut self,
        ctx: &mut Ctx<'_>,
        slot: u8,
        envelope: &provsim_sim::crypto::Envelope,
    ) -> Result<Response, DeviceError> {
        let (addr, secret) = self.open_injection(ctx, slot, envelope)?;
        if secret.len() != 32 {
            return Err(DeviceError::InvalidKey);
        }
        self.store_slot(ctx, addr, SlotKind::Aes256, &secret)?;
        let check = crate::check_value::key_check_value(ctx.crypto, &secret);
        ctx.record(
            "secret-installed",
            &[
                ("slot", Field::U64(slot.into())),
                ("check", Field::Bytes(&check)),
            ],
        );
        Ok(Response::SecretInstalled { slot, check })
    }

    /// Stores a private key in the key store at `addr`.
    pub(super) fn store_private_key(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        secret: &[u8],
    ) -> Result<(), DeviceError> {
        self.store_slot(ctx, addr, SlotKind::P256Private, secret)
    }

    /// Stores `data` of `kind` in the key-store slot at `addr`: sealed under the
    /// key-store key when the part has one loaded.
    pub(super) fn store_slot(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        kind: SlotKind,
        secret: &[u8],
    ) -> Result<(), DeviceError> {
        let sealed;
        if self.sealed_store && self.key_store_key.is_none() && sealed_kind(kind).is_some() {
            return Err(DeviceError::KeyStoreClosed);
        }
        let (kind, secret) = match (self.key_store_key, sealed_kind(kind)) {
            (Some(key), Some(inner)) => {
                let nonce: [u8; 12] = self.trng.bytes();
                let mut blob = nonce.to_vec();
                blob.extend(
                    ctx.crypto
                        .aead_seal(&key, &nonce, &slot_binding(addr, kind), secret),
                );
                sealed = blob;
                (SlotKind::Sealed(inner), sealed.as_slice())
            }
            _ => (kind, secret),
        };
        let encoded = keystore::encode_slot(kind, 0, secret).ok_or(DeviceError::TooLarge {
            what: "key",
            len: secret.len(),
            capacity: keystore::SLOT_DATA,
        })?;
        self.program_flash(ctx, addr, &encoded)
    }

    pub(super) fn generate_identity(
        &mut self,
        ctx: &mut Ctx<'_>,
        slot: u8,
    ) -> Result<Response, DeviceError> {
        self.require_state(&[LifeCycle::Test], "identity key generation")?;
        let addr = self.free_slot(slot)?;
        let key = ctx.crypto.generate_key(&mut self.keygen);
        let der = ctx
            .crypto
            .certificate_request(&key, &self.device_id.to_string())
            .map_err(DeviceError::RequestEncoding)?;
        self.store_private_key(ctx, addr, &key.expose_secret_bytes())?;
        let public_key = key.public_key().clone();
        self.made_identity = Some(public_key.clone());
        ctx.record(
            "key-generated",
            &[
                ("slot", Field::U64(slot.into())),
                ("fingerprint", Field::Bytes(&public_key.fingerprint().0)),
            ],
        );
        Ok(Response::CertificateRequest {
            slot,
            public_key,
            der,
        })
    }

    pub(super) fn inject_key(
        &mut self,
        ctx: &mut Ctx<'_>,
        slot: u8,
        envelope: &provsim_sim::crypto::Envelope,
    ) -> Result<Response, DeviceError> {
        let (addr, secret) = self.open_injection(ctx, slot, envelope)?;
        let key = ctx
            .crypto
            .import_secret(&secret)
            .map_err(|_| DeviceError::InvalidKey)?;
        self.store_private_key(ctx, addr, &secret)?;
        let public_key = key.public_key().clone();
        ctx.record(
            "key-installed",
            &[
                ("slot", Field::U64(slot.into())),
                ("fingerprint", Field::Bytes(&public_key.fingerprint().0)),
            ],
        );
        Ok(Response::KeyInstalled { slot, public_key })
    }
}
