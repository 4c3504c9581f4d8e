//! A stock microcontroller with its built-in security features, modelled on the
//! STM32 family with an OpenTitan-style fuse life cycle and an MCUboot boot ROM:
//!
//! - 64 KiB of NOR flash in 2 KiB sectors: two MCUboot slots, the certificate, the
//!   firmware-verification key, application data and the key store;
//! - option bytes with readout protection (RDP 0/1/2) and a secure-region bit that
//!   hides the key store from everything but the boot ROM;
//! - OTP fuses: a debug-lock bit, a secure-boot bit, the life-cycle state, an
//!   anti-rollback counter, the root-of-trust key hash and hashed life-cycle tokens;
//! - a debug port (SWD) that serves memory reads and the programming protocol
//!   ([`crate::Command`]) as far as the fuses, the RDP level and the life cycle allow.
//!
//! Every protection decision is a [`FaultPoint`] check, so the fault model can aim at
//! one; every fuse, option-byte and flash write is a counted persistent step.

mod boot;
mod flash;
pub mod layout;
mod life_cycle;
mod ops;
mod options;
mod otp;
mod port;

use crate::error::{BootError, DeviceError, PortError};
use crate::fault::{FaultGate, FaultModel, FaultPoint, FaultState, Glitch, GlitchOutcome};
use crate::keystore::{self, SLOT_SIZE, SLOTS, SlotKind};
use crate::leakage::{self, LeakageModel, MeasuredOperation, PowerTrace};
use crate::target::{
    Command, DeviceId, DeviceInfo, Fuse, LifeCycle, MemoryRegion, Response, RunningImage, Target,
    TargetKind, TokenKind,
};
use flash::Flash;
use layout::*;
pub use options::{OptionBytes, Rdp};
use otp::OtpFuses;
use provsim_sim::crypto::{PublicKey, SecretKey};
use provsim_sim::{Ctx, Field, Seed, Stream};

/// The associated data an injected key is sealed under: it binds the envelope to one
/// device and one slot, so an envelope replayed to another device or slot fails to open.
pub fn injection_context(device_id: DeviceId, slot: u8) -> Vec<u8> {
    let mut aad = b"provsim key injection v1".to_vec();
    aad.extend_from_slice(&device_id.0.to_be_bytes());
    aad.push(slot);
    aad
}

/// The chip's randomness for the identity key it makes itself: the stream oracles
/// re-derive ground truth from (its label is made in [`crate::labels`]).
pub use crate::labels::on_chip_identity_key as on_chip_key_stream;

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
    let mut aad = b"provsim sealed slot v1".to_vec();
    aad.extend_from_slice(&addr.to_be_bytes());
    aad.push(kind.code());
    aad
}

/// The key-store slot the identity key is in (the first).
const IDENTITY_KEY_SLOT: u8 = 0;

/// How many security-counter values the anti-rollback fuses can record.
pub const COUNTER_CAPACITY: u32 = OTP_COUNTER_BYTES * 8;

pub struct Mcu {
    device_id: DeviceId,
    flash: Flash,
    options: Flash,
    otp: OtpFuses,
    /// The on-chip TRNG, modelled as the device's own labelled stream.
    trng: Stream,
    /// The TRNG as drawn for a key the chip makes for itself: a stream of its own, so
    /// ground truth can re-derive that key without replaying the chip.
    keygen: Stream,
    /// The transport key lives in RAM only, made at first use after power-up.
    transport: Option<SecretKey>,
    /// Glitches that landed and have not yet been spent (the fault model's hook).
    faults: FaultState,
    /// How its operations show on the supply: a stock part's, unless set.
    leakage: LeakageModel,
    /// The key-store key register, on parts whose key store is sealed (an ASIC loads
    /// it from its key ladder at power-up; a stock MCU has none). Volatile: never in
    /// flash or fuses.
    key_store_key: Option<[u8; 32]>,
    /// Whether the design seals its key store: then no key is ever stored or used in
    /// clear, and with no key-store key loaded the store is closed.
    sealed_store: bool,
    /// The chip's own randomness for masking shares.
    masks: Stream,
    /// Whether an image is running: set by a boot, cleared by anything that resets the
    /// chip (an option-byte change, a life-cycle transition, a failed boot).
    running: bool,
}

impl Clone for Mcu {
    fn clone(&self) -> Self {
        Mcu {
            device_id: self.device_id,
            flash: self.flash.clone(),
            options: self.options.clone(),
            otp: self.otp.clone(),
            trng: self.trng.duplicate(),
            keygen: self.keygen.duplicate(),
            transport: self.transport.clone(),
            faults: self.faults.clone(),
            leakage: self.leakage,
            key_store_key: self.key_store_key,
            sealed_store: self.sealed_store,
            masks: self.masks.duplicate(),
            running: self.running,
        }
    }
}

impl Mcu {
    pub fn new(seed: Seed, index: u64, device_id: DeviceId) -> Self {
        // The fab leaves the option bytes programmed to their factory values.
        let options = Flash::preloaded(
            OPTIONS_BASE,
            OPTIONS_SIZE,
            OPTIONS_SIZE,
            &OptionBytes::FACTORY.encode(),
        );
        Mcu {
            device_id,
            flash: Flash::new(FLASH_BASE, FLASH_SIZE, SECTOR_SIZE),
            options,
            otp: OtpFuses::new(OTP_SIZE as usize),
            trng: crate::labels::trng(seed, index),
            keygen: on_chip_key_stream(seed, index),
            transport: None,
            faults: FaultState::default(),
            leakage: LeakageModel::STOCK,
            key_store_key: None,
            sealed_store: false,
            masks: crate::labels::masking(seed, index),
            running: false,
        }
    }

    /// Makes the next failing check at `at` act as if it held: a glitch that landed.
    /// The fault model decides whether a glitch lands; this only applies it.
    pub fn arm_fault(&mut self, at: FaultPoint) {
        self.faults.arm(at);
    }

    /// The same chip with `model` as its fault model (its susceptibility to glitches
    /// and its countermeasures), in place of a stock part's.
    pub fn with_fault_model(mut self, model: FaultModel) -> Self {
        self.faults = FaultState::new(model);
        self
    }

    /// The same chip with `model` as its leakage model.
    pub fn with_leakage_model(mut self, model: LeakageModel) -> Self {
        self.leakage = model;
        self
    }

    /// Makes the key store a sealed one and loads (or clears) its key register: how an
    /// ASIC's key ladder hands its output to the key store at power-up. With the
    /// register empty (a PUF that failed) the store is closed, never open in clear.
    pub(crate) fn seal_key_store(&mut self, key: Option<[u8; 32]>) {
        self.sealed_store = true;
        self.key_store_key = key;
    }

    /// The chip's fault state, for tests that land a fault by hand.
    #[cfg(test)]
    pub(crate) fn faults_mut_for_tests(&mut self) -> &mut FaultState {
        &mut self.faults
    }

    /// Ends one operation of the chip: see [`FaultState::end_operation`].
    pub(crate) fn end_operation(&mut self) {
        self.faults.end_operation();
    }

    /// Runs one operation through an interface, then ends it.
    fn operation<T>(&mut self, run: impl FnOnce(&mut Self) -> T) -> T {
        let result = run(self);
        self.end_operation();
        result
    }

    /// Checks one of the chip's decisions through its fault state.
    pub(crate) fn fault_check(&mut self, at: FaultPoint, holds: bool) -> bool {
        self.faults.check(at, holds)
    }

    /// The key of `kind` in `slot`, as the chip's own key service reads it: in clear,
    /// or unsealed with the key-store key (`None` when it does not open).
    fn key_in_slot(
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

    /// Glitches that took effect so far.
    pub fn faults_fired(&self) -> &[FaultPoint] {
        self.faults.fired()
    }

    pub fn option_bytes(&self) -> OptionBytes {
        let mut bytes = [0xff; 16];
        bytes.copy_from_slice(&self.options.read(OPTIONS_BASE, OPTIONS_SIZE));
        OptionBytes::decode(&bytes)
    }

    fn life_cycle_bits(&self) -> u16 {
        let bytes = self.otp.read(OTP_LIFE_CYCLE_OFFSET as usize, 2);
        u16::from_le_bytes([bytes[0], bytes[1]])
    }

    /// The anti-rollback counter: how many of its fuses are blown.
    pub fn rollback_counter(&self) -> u32 {
        self.otp
            .read(OTP_COUNTER_OFFSET as usize, OTP_COUNTER_BYTES as usize)
            .iter()
            .map(|b| b.count_ones())
            .sum()
    }

    fn check(&mut self, at: FaultPoint, holds: bool) -> bool {
        self.faults.check(at, holds)
    }

    fn transport_key(&mut self, ctx: &mut Ctx<'_>) -> &SecretKey {
        let trng = &mut self.trng;
        self.transport.get_or_insert_with(|| {
            let key = ctx.crypto.generate_key(trng);
            ctx.record(
                "transport-key",
                &[(
                    "fingerprint",
                    Field::Bytes(&key.public_key().fingerprint().0),
                )],
            );
            key
        })
    }

    fn program_flash(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        data: &[u8],
    ) -> Result<(), DeviceError> {
        self.flash.program(addr, data)?;
        ctx.record(
            "flash-program",
            &[
                ("addr", Field::U64(addr.into())),
                ("len", Field::U64(data.len() as u64)),
            ],
        );
        Ok(())
    }

    fn erase(&mut self, ctx: &mut Ctx<'_>, base: u32, len: u32) {
        for sector in sectors(base, len) {
            if self.flash.erase_sector(sector) {
                ctx.record("flash-erase", &[("sector", Field::U64(sector.into()))]);
            }
        }
    }

    fn program_otp(&mut self, ctx: &mut Ctx<'_>, offset: u32, data: &[u8]) {
        if self.otp.program(offset as usize, data) {
            ctx.record(
                "otp-program",
                &[
                    ("offset", Field::U64(offset.into())),
                    ("len", Field::U64(data.len() as u64)),
                ],
            );
        }
    }

    fn write_options(&mut self, ctx: &mut Ctx<'_>, options: OptionBytes) {
        // Loading new option bytes resets the chip.
        self.running = false;
        // Option bytes are rewritten as a whole: erase, then program.
        self.options.erase_sector(0);
        let _ = self.options.program(OPTIONS_BASE, &options.encode());
        ctx.record(
            "options-write",
            &[
                ("rdp", Field::U64(options.rdp.level().into())),
                ("secure-region", Field::Bool(options.secure_region)),
            ],
        );
    }

    /// Writes a length-prefixed record at the start of a flash area.
    fn program_record(
        &mut self,
        ctx: &mut Ctx<'_>,
        what: &'static str,
        base: u32,
        capacity: u32,
        data: &[u8],
    ) -> Result<usize, DeviceError> {
        let total = data.len() + 2;
        if total > capacity as usize || data.len() > usize::from(u16::MAX) {
            return Err(DeviceError::TooLarge {
                what,
                len: data.len(),
                capacity: capacity as usize - 2,
            });
        }
        let mut record = Vec::with_capacity(total);
        record.extend_from_slice(&(data.len() as u16).to_be_bytes());
        record.extend_from_slice(data);
        self.program_flash(ctx, base, &record)?;
        Ok(data.len())
    }

    /// Reads a length-prefixed record back; `None` when the area is erased or garbled.
    fn read_record(&self, base: u32, capacity: u32) -> Option<Vec<u8>> {
        let prefix = self.flash.read(base, 2);
        let len = u32::from(u16::from_be_bytes([prefix[0], prefix[1]]));
        (len + 2 <= capacity).then(|| self.flash.read(base + 2, len))
    }

    /// The life-cycle gate of a command: refuses it outside the states it belongs to.
    fn require_state(
        &mut self,
        allowed: &[LifeCycle],
        action: &'static str,
    ) -> Result<(), DeviceError> {
        let state = self.life_cycle();
        if self.check(FaultPoint::LifeCycleGate, allowed.contains(&state)) {
            Ok(())
        } else {
            Err(DeviceError::LifeCycle { state, action })
        }
    }

    /// At RDP level 1 the debugger cannot program flash or fuses (outside RMA).
    fn require_programmable(&mut self) -> Result<(), DeviceError> {
        let protected =
            self.option_bytes().rdp == Rdp::Level1 && self.life_cycle() != LifeCycle::Rma;
        if self.check(FaultPoint::DebugAccess, !protected) {
            Ok(())
        } else {
            Err(DeviceError::ProgrammingProtected)
        }
    }

    /// The key-store address of an empty `slot`.
    fn free_slot(&self, slot: u8) -> Result<u32, DeviceError> {
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
    fn open_injection(
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

    fn inject_secret(
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
        let check = crate::key_check_value(ctx.crypto, &secret);
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
    fn store_private_key(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        secret: &[u8],
    ) -> Result<(), DeviceError> {
        self.store_slot(ctx, addr, SlotKind::P256Private, secret)
    }

    /// Stores `data` of `kind` in the key-store slot at `addr`: sealed under the
    /// key-store key when the part has one loaded.
    fn store_slot(
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

    fn generate_identity(&mut self, ctx: &mut Ctx<'_>, slot: u8) -> Result<Response, DeviceError> {
        self.require_state(&[LifeCycle::Test], "identity key generation")?;
        let addr = self.free_slot(slot)?;
        let key = ctx.crypto.generate_key(&mut self.keygen);
        let der = ctx
            .crypto
            .certificate_request(&key, &self.device_id.to_string())
            .map_err(DeviceError::RequestEncoding)?;
        self.store_private_key(ctx, addr, &key.expose_secret_bytes())?;
        let public_key = key.public_key().clone();
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

    fn inject_key(
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

    fn write_firmware_key(
        &mut self,
        ctx: &mut Ctx<'_>,
        sec1: &[u8],
    ) -> Result<Response, DeviceError> {
        self.require_state(&[LifeCycle::Test], "writing the firmware key")?;
        let key = PublicKey::from_sec1(sec1).map_err(DeviceError::InvalidPublicKey)?;
        let bytes = self.program_record(ctx, "firmware key", FW_KEY_BASE, FW_KEY_SIZE, sec1)?;
        // The root of trust is the key's hash as MCUboot computes it (SHA-256 of its
        // SubjectPublicKeyInfo), so the image's key-hash TLV can be compared directly.
        let hash = ctx.crypto.sha256(&key.spki_der());
        self.program_otp(ctx, OTP_ROT_HASH_OFFSET, &hash);
        Ok(Response::Written { bytes })
    }

    fn write_image(&mut self, ctx: &mut Ctx<'_>, image: &[u8]) -> Result<Response, DeviceError> {
        self.require_state(
            &[LifeCycle::Test, LifeCycle::Provisioned, LifeCycle::Rma],
            "factory image programming",
        )?;
        self.write_slot(ctx, PRIMARY_BASE, image)?;
        Ok(Response::Written { bytes: image.len() })
    }

    /// Erases a slot and programs `image` into it.
    fn write_slot(
        &mut self,
        ctx: &mut Ctx<'_>,
        base: u32,
        image: &[u8],
    ) -> Result<(), DeviceError> {
        if image.len() > SLOT_SIZE_BYTES as usize {
            return Err(DeviceError::ImageTooLarge {
                len: image.len(),
                capacity: SLOT_SIZE_BYTES as usize,
            });
        }
        self.erase(ctx, base, SLOT_SIZE_BYTES);
        if !image.is_empty() {
            self.program_flash(ctx, base, image)?;
        }
        Ok(())
    }

    fn write_token_hash(
        &mut self,
        ctx: &mut Ctx<'_>,
        token: TokenKind,
        hash: &[u8; 32],
    ) -> Result<Response, DeviceError> {
        self.require_state(&[LifeCycle::Test], "writing a token hash")?;
        let offset = token_offset(token);
        if self.otp.read(offset as usize, 32).iter().any(|&b| b != 0) {
            return Err(DeviceError::TokenAlreadySet(token));
        }
        self.program_otp(ctx, offset, hash);
        Ok(Response::Written { bytes: 32 })
    }

    fn blow_fuse(&mut self, ctx: &mut Ctx<'_>, fuse: Fuse) -> Result<Response, DeviceError> {
        self.require_state(
            &[LifeCycle::Test, LifeCycle::Provisioned, LifeCycle::Field],
            "blowing a fuse",
        )?;
        let bit = fuse_bit(fuse);
        if self.otp.blow(bit) {
            ctx.record("otp-blow", &[("bit", Field::U64(bit.into()))]);
        }
        Ok(Response::FuseBlown(fuse))
    }

    fn set_rdp(&mut self, ctx: &mut Ctx<'_>, level: u8) -> Result<Response, DeviceError> {
        let to = Rdp::from_level(level).ok_or(DeviceError::NoSuchRdpLevel(level))?;
        let mut options = self.option_bytes();
        if options.rdp == Rdp::Level2 {
            return Err(DeviceError::OptionsFrozen);
        }
        if options.rdp == Rdp::Level1 && to == Rdp::Level0 {
            // The regression everyone tries: the chip pays for it with all its flash,
            // erased before the option bytes change, so a cut here leaves level 1.
            ctx.record("rdp-regression-mass-erase", &[]);
            for sector in 0..self.flash.sectors() {
                if self.flash.erase_sector(sector) {
                    ctx.record("flash-erase", &[("sector", Field::U64(sector.into()))]);
                }
            }
            self.transport = None;
        }
        options.rdp = to;
        self.write_options(ctx, options);
        Ok(Response::OptionsWritten)
    }

    fn enable_secure_region(&mut self, ctx: &mut Ctx<'_>) -> Result<Response, DeviceError> {
        let mut options = self.option_bytes();
        if options.rdp == Rdp::Level2 {
            return Err(DeviceError::OptionsFrozen);
        }
        options.secure_region = true;
        self.write_options(ctx, options);
        Ok(Response::OptionsWritten)
    }

    fn transition(
        &mut self,
        ctx: &mut Ctx<'_>,
        to: LifeCycle,
        token: Option<&[u8]>,
    ) -> Result<Response, DeviceError> {
        let from = self.life_cycle();
        let rule = life_cycle::rule(from, to);
        if !self.check(FaultPoint::LifeCycleGate, rule.is_some()) {
            return Err(DeviceError::Transition { from, to });
        }
        if let Some(Some(kind)) = rule {
            let stored = self.otp.read(token_offset(kind) as usize, 32);
            if stored.iter().all(|&b| b == 0) {
                return Err(DeviceError::TokenNotProvisioned(kind));
            }
            let token = token.ok_or(DeviceError::TokenRequired(kind))?;
            let presented = ctx.crypto.sha256(token);
            if !self.check(FaultPoint::LifeCycleGate, presented[..] == stored[..]) {
                ctx.record("token-refused", &[("token", Field::Str(kind.name()))]);
                return Err(DeviceError::TokenMismatch(kind));
            }
        }
        if matches!(to, LifeCycle::Rma | LifeCycle::Scrapped) {
            // Secrets go before the state that reopens (or ends) the part is entered:
            // power lost in between leaves a wiped part in its old state, never an
            // open part with its keys.
            self.erase(ctx, SECURE_REGION_BASE, SECURE_REGION_SIZE);
            self.transport = None;
            ctx.record("secrets-wiped", &[]);
        }
        let Some(bit) = life_cycle::bit_for(to) else {
            return Err(DeviceError::Transition { from, to });
        };
        self.running = false;
        let bits = self.life_cycle_bits() | bit;
        self.program_otp(ctx, OTP_LIFE_CYCLE_OFFSET, &bits.to_le_bytes());
        ctx.record(
            "life-cycle",
            &[
                ("from", Field::Str(from.name())),
                ("to", Field::Str(to.name())),
            ],
        );
        Ok(Response::Transitioned(to))
    }
}

fn fuse_bit(fuse: Fuse) -> u32 {
    match fuse {
        Fuse::DebugLock => OTP_DEBUG_LOCK_BIT,
        Fuse::SecureBoot => OTP_SECURE_BOOT_BIT,
    }
}

fn token_offset(token: TokenKind) -> u32 {
    match token {
        TokenKind::TestExit => OTP_TEST_EXIT_HASH_OFFSET,
        TokenKind::Rma => OTP_RMA_HASH_OFFSET,
    }
}

impl Target for Mcu {
    fn kind(&self) -> TargetKind {
        TargetKind::Mcu
    }

    fn device_id(&self) -> DeviceId {
        self.device_id
    }

    fn memory_map(&self) -> &'static [MemoryRegion] {
        MEMORY_MAP
    }

    fn life_cycle(&self) -> LifeCycle {
        life_cycle::decode(self.life_cycle_bits())
    }

    fn persistent_writes(&self) -> u64 {
        self.flash.writes() + self.options.writes() + self.otp.writes()
    }

    fn clone_box(&self) -> Box<dyn Target> {
        Box::new(self.clone())
    }

    fn glitch(&mut self, glitch: Glitch, rng: &mut Stream) -> GlitchOutcome {
        self.faults.glitch(glitch, rng)
    }

    fn fault_alarms(&self) -> u64 {
        self.faults.alarms()
    }

    fn debug_read(&mut self, ctx: &mut Ctx<'_>, addr: u32, len: u32) -> Result<Vec<u8>, PortError> {
        self.operation(|chip| chip.debug_read_op(ctx, addr, len))
    }

    fn firmware_read(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        len: u32,
    ) -> Result<Vec<u8>, PortError> {
        self.operation(|chip| chip.firmware_read_op(ctx, addr, len))
    }

    fn execute(&mut self, ctx: &mut Ctx<'_>, command: Command) -> Result<Response, DeviceError> {
        self.operation(|chip| chip.execute_op(ctx, command))
    }

    fn stage_update(&mut self, ctx: &mut Ctx<'_>, image: &[u8]) -> Result<(), DeviceError> {
        self.operation(|chip| chip.stage_update_op(ctx, image))
    }

    fn boot(&mut self, ctx: &mut Ctx<'_>) -> Result<RunningImage, BootError> {
        self.operation(|chip| chip.boot_op(ctx))
    }

    fn authenticate(
        &mut self,
        ctx: &mut Ctx<'_>,
        challenge: &[u8; 32],
        server: &PublicKey,
    ) -> Result<(crate::first_connection::DeviceAuth, [u8; 32]), PortError> {
        self.operation(|chip| chip.authenticate_op(ctx, challenge, server))
    }

    fn power_trace(
        &mut self,
        ctx: &mut Ctx<'_>,
        operation: &MeasuredOperation,
        rng: &mut Stream,
    ) -> Result<PowerTrace, PortError> {
        self.operation(|chip| chip.power_trace_op(ctx, operation, rng))
    }
}

#[cfg(test)]
mod model_tests;
#[cfg(test)]
mod tests;
