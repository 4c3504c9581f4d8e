//! A stock microcontroller with its built-in security features: NOR flash holding the
//! key store, OTP fuses with a debug-lock bit and the secure-boot root-of-trust hash,
//! and a debug port (SWD) that answers until the lock fuse is blown.
//!
//! The programming protocol ([`crate::Command`]) is served by the boot ROM through the
//! debug port, so closing the port also ends provisioning: a station must inject
//! everything first and lock last.

mod flash;
pub mod layout;
mod otp;

use crate::error::{DeviceError, PortError};
use crate::keystore::{self, SLOT_SIZE, SLOTS, SlotKind};
use crate::target::{Command, DeviceId, DeviceInfo, MemoryRegion, Response, Target, TargetKind};
use flash::Flash;
use layout::*;
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

pub struct Mcu {
    device_id: DeviceId,
    flash: Flash,
    otp: OtpFuses,
    /// The on-chip TRNG, modelled as the device's own labelled stream.
    trng: Stream,
    /// The transport key lives in RAM only, made at first use after power-up.
    transport: Option<SecretKey>,
}

impl Mcu {
    pub fn new(seed: Seed, index: u64, device_id: DeviceId) -> Self {
        Mcu {
            device_id,
            flash: Flash::new(FLASH_BASE, FLASH_SIZE),
            otp: OtpFuses::new(OTP_SIZE as usize),
            trng: seed.device_stream(index, "trng"),
            transport: None,
        }
    }

    fn debug_locked(&self) -> bool {
        self.otp.is_blown(OTP_DEBUG_LOCK_BIT)
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

    fn inject_key(
        &mut self,
        ctx: &mut Ctx<'_>,
        slot: u8,
        envelope: &provsim_sim::crypto::Envelope,
    ) -> Result<Response, DeviceError> {
        if slot >= SLOTS {
            return Err(DeviceError::NoSuchSlot { slot, slots: SLOTS });
        }
        let addr = KEYSTORE_BASE + u32::from(slot) * SLOT_SIZE as u32;
        if self.flash.read(addr, 1)[0] != 0xff {
            return Err(DeviceError::SlotOccupied(slot));
        }
        let aad = injection_context(self.device_id, slot);
        let transport = self.transport_key(ctx).clone();
        let secret = ctx
            .crypto
            .open_envelope(&transport, &aad, envelope)
            .map_err(DeviceError::Envelope)?;
        let key = ctx
            .crypto
            .import_secret(&secret)
            .map_err(|_| DeviceError::InvalidKey)?;
        let encoded = keystore::encode_slot(SlotKind::P256Private, 0, &secret).ok_or(
            DeviceError::TooLarge {
                what: "key",
                len: secret.len(),
                capacity: keystore::SLOT_DATA,
            },
        )?;
        self.program_flash(ctx, addr, &encoded)?;
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
        PublicKey::from_sec1(sec1).map_err(DeviceError::InvalidPublicKey)?;
        let bytes = self.program_record(ctx, "firmware key", FW_KEY_BASE, FW_KEY_SIZE, sec1)?;
        let hash = ctx.crypto.sha256(sec1);
        if self.otp.program(OTP_ROT_HASH_OFFSET as usize, &hash) {
            ctx.record(
                "otp-program",
                &[
                    ("offset", Field::U64(OTP_ROT_HASH_OFFSET.into())),
                    ("len", Field::U64(32)),
                ],
            );
        }
        Ok(Response::Written { bytes })
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

    fn debug_read(&mut self, ctx: &mut Ctx<'_>, addr: u32, len: u32) -> Result<Vec<u8>, PortError> {
        if self.debug_locked() {
            ctx.record("debug-refused", &[("addr", Field::U64(addr.into()))]);
            return Err(PortError::Locked);
        }
        let data = if self.flash.contains(addr, len) {
            self.flash.read(addr, len)
        } else if addr >= OTP_BASE
            && u64::from(addr) + u64::from(len) <= u64::from(OTP_BASE + OTP_SIZE)
        {
            self.otp.read((addr - OTP_BASE) as usize, len as usize)
        } else {
            return Err(PortError::Unmapped { addr, len });
        };
        ctx.record(
            "debug-read",
            &[
                ("addr", Field::U64(addr.into())),
                ("len", Field::U64(len.into())),
            ],
        );
        Ok(data)
    }

    fn execute(&mut self, ctx: &mut Ctx<'_>, command: Command) -> Result<Response, DeviceError> {
        if self.debug_locked() {
            ctx.record("command-refused", &[]);
            return Err(PortError::Locked.into());
        }
        match command {
            Command::GetInfo => {
                let transport_key = self.transport_key(ctx).public_key().clone();
                Ok(Response::Info(DeviceInfo {
                    device_id: self.device_id,
                    kind: TargetKind::Mcu,
                    transport_key,
                    debug_locked: false,
                }))
            }
            Command::InjectKey { slot, envelope } => self.inject_key(ctx, slot, &envelope),
            Command::WriteCertificate { der } => {
                let bytes = self.program_record(ctx, "certificate", CERT_BASE, CERT_SIZE, &der)?;
                Ok(Response::Written { bytes })
            }
            Command::WriteFirmwareKey { sec1 } => self.write_firmware_key(ctx, &sec1),
            Command::LockDebug => {
                self.otp.blow(OTP_DEBUG_LOCK_BIT);
                ctx.record(
                    "otp-blow",
                    &[("bit", Field::U64(OTP_DEBUG_LOCK_BIT.into()))],
                );
                Ok(Response::DebugLocked)
            }
        }
    }

    fn persistent_writes(&self) -> u64 {
        self.flash.writes() + self.otp.writes()
    }
}

#[cfg(test)]
mod tests;
