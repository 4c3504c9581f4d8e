//! What each of the MCU's interfaces does: the debug port's reads, the firmware's
//! reads, the programming protocol, staging an update, the boot ROM, the key service
//! at first connection and a power measurement. The `Target` methods wrap these and end
//! the operation after each (a transient fault not spent in it is gone).

use super::boot;
use super::chip::Mcu;
use super::keys::IDENTITY_KEY_SLOT;
use super::layout::*;
use crate::error::{BootError, DeviceError, PortError};
use crate::first_connection::{self, DeviceAuth};
use crate::keystore::SlotKind;
use crate::leakage::{self, MeasuredOperation, PowerTrace};
use crate::life_cycle::LifeCycle;
use crate::target::{
    Command, DeviceInfo, Response, RunningImage, StartedImage, Target, TargetKind,
};
use provsim_sim::crypto::PublicKey;
use provsim_sim::{Ctx, Field, Stream};

/// What each interface does; the `Target` methods wrap these, ending the operation
/// (a transient fault not spent in it is gone) after each.
impl Mcu {
    pub(crate) fn debug_read_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        len: u32,
    ) -> Result<Vec<u8>, PortError> {
        if let Err(refused) = self.port_open() {
            ctx.record("debug-refused", &[("addr", Field::U64(addr.into()))]);
            return Err(refused);
        }
        let data = match self.read_access(addr, len) {
            Ok(data) => data,
            Err(refused) => {
                ctx.record("debug-refused", &[("addr", Field::U64(addr.into()))]);
                return Err(refused);
            }
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

    pub(crate) fn authenticate_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        challenge: &[u8; 32],
        server: &PublicKey,
    ) -> Result<(DeviceAuth, [u8; 32]), PortError> {
        if !self.running {
            return Err(PortError::NotRunning);
        }
        // The key service reads the key store itself, as the boot ROM does: the
        // firmware gets a signature, never the key.
        let identity = self
            .key_in_slot(ctx.crypto, IDENTITY_KEY_SLOT, SlotKind::P256Private)
            .and_then(|data| ctx.crypto.import_secret(&data).ok())
            .ok_or(PortError::NoIdentity)?;
        let ephemeral = ctx.crypto.generate_key(&mut self.trng);
        let transcript = first_connection::transcript(challenge, server, ephemeral.public_key());
        let signature = ctx.crypto.sign(&identity, &transcript);
        let shared = ctx.crypto.ecdh(&ephemeral, server);
        let session = first_connection::session_key(ctx.crypto, &shared, &transcript);
        ctx.record(
            "authenticated",
            &[(
                "ephemeral",
                Field::Bytes(&ephemeral.public_key().fingerprint().0),
            )],
        );
        Ok((
            DeviceAuth {
                ephemeral: ephemeral.public_key().clone(),
                signature,
            },
            session,
        ))
    }

    pub(crate) fn firmware_read_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        len: u32,
    ) -> Result<Vec<u8>, PortError> {
        let result = self.cpu_read(addr, len);
        match &result {
            Ok(_) => ctx.record(
                "firmware-read",
                &[
                    ("addr", Field::U64(addr.into())),
                    ("len", Field::U64(len.into())),
                ],
            ),
            Err(_) => ctx.record(
                "firmware-read-refused",
                &[("addr", Field::U64(addr.into()))],
            ),
        }
        result
    }

    pub(crate) fn execute_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        command: Command,
    ) -> Result<Response, DeviceError> {
        if let Err(refused) = self.port_open() {
            ctx.record("command-refused", &[]);
            return Err(refused.into());
        }
        self.run_command(ctx, command)
    }

    /// One command of the programming protocol, once the port has let it through (or a
    /// design's own test port has: an ASIC's in RMA).
    pub(crate) fn run_command(
        &mut self,
        ctx: &mut Ctx<'_>,
        command: Command,
    ) -> Result<Response, DeviceError> {
        match command {
            Command::GetInfo => {
                let transport_key = self.transport_key(ctx).public_key().clone();
                Ok(Response::Info(DeviceInfo {
                    device_id: self.device_id,
                    kind: TargetKind::Mcu,
                    transport_key,
                    life_cycle: self.life_cycle(),
                }))
            }
            Command::InjectKey { slot, envelope } => {
                self.require_programmable()?;
                self.inject_key(ctx, slot, &envelope)
            }
            Command::InjectSecret { slot, envelope } => {
                self.require_programmable()?;
                self.inject_secret(ctx, slot, &envelope)
            }
            Command::GenerateIdentity { slot } => {
                self.require_programmable()?;
                self.generate_identity(ctx, slot)
            }
            Command::WriteCertificate { der } => {
                self.require_programmable()?;
                self.require_state(
                    &[LifeCycle::Test, LifeCycle::Provisioned],
                    "writing a certificate",
                )?;
                let bytes = self.program_record(ctx, "certificate", CERT_BASE, CERT_SIZE, &der)?;
                Ok(Response::Written { bytes })
            }
            Command::WriteFirmwareKey { sec1 } => {
                self.require_programmable()?;
                self.write_firmware_key(ctx, &sec1)
            }
            Command::WriteImage { image } => {
                self.require_programmable()?;
                self.write_image(ctx, &image)
            }
            Command::WriteTokenHash { token, hash } => {
                self.require_programmable()?;
                self.write_token_hash(ctx, token, &hash)
            }
            Command::BlowFuse { fuse } => {
                self.require_programmable()?;
                self.blow_fuse(ctx, fuse)
            }
            Command::SetReadoutProtection { level } => self.set_rdp(ctx, level),
            Command::EnableSecureRegion => self.enable_secure_region(ctx),
            Command::Transition { to, token } => self.transition(ctx, to, token.as_deref()),
            Command::Attest { challenge } => {
                let transport = self.transport_key(ctx).public_key().clone();
                let identity = self.made_identity.clone();
                let answer = self
                    .die
                    .attest(ctx.crypto, &challenge, &transport, identity.as_ref());
                Ok(Response::Attested(answer))
            }
        }
    }

    pub(crate) fn stage_update_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        image: &[u8],
    ) -> Result<(), DeviceError> {
        self.require_state(
            &[
                LifeCycle::Test,
                LifeCycle::Provisioned,
                LifeCycle::Field,
                LifeCycle::Rma,
            ],
            "staging an update",
        )?;
        self.write_slot(ctx, SECONDARY_BASE, image)?;
        ctx.record("update-staged", &[("len", Field::U64(image.len() as u64))]);
        Ok(())
    }

    /// What crosses the flash bus while the crypto service reads the key store, every
    /// slot it serves: the store's bytes as flash holds them (the secure region guards
    /// addresses, not wires).
    pub(crate) fn bus_probe_op(&mut self, ctx: &mut Ctx<'_>) -> Result<Vec<u8>, PortError> {
        if !self.running {
            return Err(PortError::NotRunning);
        }
        ctx.record("bus-probed", &[("len", Field::U64(KEYSTORE_SIZE.into()))]);
        Ok(self.flash.read(KEYSTORE_BASE, KEYSTORE_SIZE))
    }

    pub(crate) fn boot_op(&mut self, ctx: &mut Ctx<'_>) -> Result<RunningImage, BootError> {
        self.transport = None;
        self.running = false;
        let fuses = self.rollback_counter();
        let result = boot::run(self, ctx);
        self.running = result.is_ok();
        if let Ok(image) = &result {
            // The highest count the fuses had before a start of this image: a start
            // below them is what the anti-rollback claim is about.
            let entry = self.started.entry(image.hash).or_insert(StartedImage {
                hash: image.hash,
                version: image.version.clone(),
                security_counter: image.security_counter,
                fuses,
            });
            entry.fuses = entry.fuses.max(fuses);
        }
        match &result {
            Ok(image) => ctx.record(
                "boot",
                &[
                    ("hash", Field::Bytes(&image.hash)),
                    ("verified", Field::Bool(image.verified)),
                ],
            ),
            Err(error) => ctx.record(
                "boot-refused",
                &[("reason", Field::Str(&error.to_string()))],
            ),
        }
        result
    }

    pub(crate) fn power_trace_op(
        &mut self,
        ctx: &mut Ctx<'_>,
        operation: &MeasuredOperation,
        rng: &mut Stream,
    ) -> Result<PowerTrace, PortError> {
        if !self.running {
            return Err(PortError::NotRunning);
        }
        let (slot, kind) = match operation {
            MeasuredOperation::AesEncrypt { slot, .. } => (*slot, SlotKind::Aes256),
            MeasuredOperation::ScalarMultiply { slot } => (*slot, SlotKind::P256Private),
        };
        // The crypto service reads the key store itself; the firmware asks by slot.
        let key = self
            .key_in_slot(ctx.crypto, slot, kind)
            .ok_or(PortError::NoKey { slot })?;
        let values = match operation {
            MeasuredOperation::AesEncrypt { plaintext, .. } => {
                leakage::aes_first_rounds(&key, plaintext)
            }
            MeasuredOperation::ScalarMultiply { .. } => leakage::ladder_steps(&key),
        };
        ctx.record("power-measured", &[("slot", Field::U64(slot.into()))]);
        Ok(self.leakage.trace(&values, &mut self.masks, rng))
    }
}
