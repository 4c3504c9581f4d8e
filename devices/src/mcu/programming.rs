//! What the programming protocol's writes do: the firmware key and its root of trust,
//! factory images, token hashes, fuses, readout protection, the secure region and the
//! life-cycle transitions, each behind its life-cycle gate.

use super::chip::Mcu;
use super::layout::*;
use super::life_cycle;
use super::options::Rdp;
use crate::error::DeviceError;
use crate::fault::FaultPoint;
use crate::life_cycle::{LifeCycle, TokenKind};
use crate::target::{Fuse, Response, Target};
use crate::weakness::Weakness;
use provsim_sim::crypto::PublicKey;
use provsim_sim::{Ctx, Field};

impl Mcu {
    /// The life-cycle gate of a command: refuses it outside the states it belongs to.
    pub(super) fn require_state(
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
    pub(super) fn require_programmable(&mut self) -> Result<(), DeviceError> {
        let protected =
            self.option_bytes().rdp == Rdp::Level1 && self.life_cycle() != LifeCycle::Rma;
        if self.check(FaultPoint::DebugAccess, !protected) {
            Ok(())
        } else {
            Err(DeviceError::ProgrammingProtected)
        }
    }

    pub(super) fn write_firmware_key(
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

    pub(super) fn write_image(
        &mut self,
        ctx: &mut Ctx<'_>,
        image: &[u8],
    ) -> Result<Response, DeviceError> {
        self.require_state(
            &[LifeCycle::Test, LifeCycle::Provisioned, LifeCycle::Rma],
            "factory image programming",
        )?;
        self.write_slot(ctx, PRIMARY_BASE, image)?;
        Ok(Response::Written { bytes: image.len() })
    }

    /// Erases a slot and programs `image` into it.
    pub(super) fn write_slot(
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

    pub(super) fn write_token_hash(
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

    pub(super) fn blow_fuse(
        &mut self,
        ctx: &mut Ctx<'_>,
        fuse: Fuse,
    ) -> Result<Response, DeviceError> {
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

    pub(super) fn set_rdp(
        &mut self,
        ctx: &mut Ctx<'_>,
        level: u8,
    ) -> Result<Response, DeviceError> {
        let to = Rdp::from_level(level).ok_or(DeviceError::NoSuchRdpLevel(level))?;
        let mut options = self.option_bytes();
        if options.rdp == Rdp::Level2 {
            return Err(DeviceError::OptionsFrozen);
        }
        if options.rdp == Rdp::Level1
            && to == Rdp::Level0
            && !self.weak(Weakness::NoRdpRegressionErase)
        {
            // The regression everyone tries: the chip pays for it with all its flash,
            // erased before the option bytes change, so a cut here leaves level 1.
            ctx.record("rdp-regression-mass-erase", &[]);
            for sector in 0..self.flash.sectors() {
                if self.flash.erase_sector(sector) {
                    ctx.record("flash-erase", &[("sector", Field::U64(sector.into()))]);
                }
            }
            self.transport = None;
            self.made_identity = None;
        }
        options.rdp = to;
        self.write_options(ctx, options);
        Ok(Response::OptionsWritten)
    }

    pub(super) fn enable_secure_region(
        &mut self,
        ctx: &mut Ctx<'_>,
    ) -> Result<Response, DeviceError> {
        let mut options = self.option_bytes();
        if options.rdp == Rdp::Level2 {
            return Err(DeviceError::OptionsFrozen);
        }
        options.secure_region = true;
        self.write_options(ctx, options);
        Ok(Response::OptionsWritten)
    }

    pub(super) fn transition(
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
            let matches = presented[..] == stored[..] || self.weak(Weakness::NoLifeCycleTokenCheck);
            if !self.check(FaultPoint::LifeCycleGate, matches) {
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
            self.made_identity = None;
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
