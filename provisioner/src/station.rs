//! The board-level station: a programmer on the PCB's debug header, driven by the line's
//! HSM. For each device it has the HSM make the identity key, issues the certificate,
//! injects the key sealed to the chip's transport key, writes the certificate and the
//! firmware-verification key, and (when configured to) blows the debug-lock fuse and
//! checks that the port really closed.

use crate::audit::{AuditRecord, detail_hex};
use crate::error::StationError;
use crate::hsm::{KeyHandle, KeyUse};
use crate::line::Site;
use crate::pki::IssuedCertificate;
use provsim_devices::mcu::injection_context;
use provsim_devices::{Command, DeviceId, PortError, Response, Target};
use provsim_sim::crypto::PublicKey;
use provsim_sim::{Ctx, Field, Seed, SimDuration, SimTime};

/// The key-store slot the identity key goes into.
pub const IDENTITY_SLOT: u8 = 0;

/// The HSM's randomness for device `index`'s identity key. The one place the rule
/// lives: the station draws the key from it, and oracles re-derive ground truth from it.
pub fn identity_key_stream(seed: Seed, index: u64) -> provsim_sim::Stream {
    seed.device_stream(index, "identity-key")
}

/// What the station is told to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StationConfig {
    /// Blow the debug-lock fuse once the device is provisioned. A line that skips it
    /// ships devices whose key store a probe on the debug header can read.
    pub lock_debug: bool,
}

/// Modelled duration of each step: programmer and HSM round trips at board level.
mod step_time {
    use provsim_sim::SimDuration;
    pub const CONNECT: SimDuration = SimDuration::from_millis(40);
    pub const KEYGEN: SimDuration = SimDuration::from_millis(20);
    pub const ISSUE: SimDuration = SimDuration::from_millis(8);
    pub const WRAP: SimDuration = SimDuration::from_millis(4);
    pub const INJECT: SimDuration = SimDuration::from_millis(30);
    pub const WRITE_CERTIFICATE: SimDuration = SimDuration::from_millis(25);
    pub const WRITE_FIRMWARE_KEY: SimDuration = SimDuration::from_millis(15);
    pub const LOCK: SimDuration = SimDuration::from_millis(10);
    pub const VERIFY_LOCK: SimDuration = SimDuration::from_millis(5);
}

/// What one device's pass through the station produced.
#[derive(Debug, Clone)]
pub struct StationCycle {
    pub identity: PublicKey,
    pub certificate: IssuedCertificate,
    /// Virtual time the device spent at the station.
    pub duration: SimDuration,
}

/// The board-level station.
#[derive(Debug, Clone, Copy)]
pub struct BoardStation {
    config: StationConfig,
}

struct Pass<'s, 'c, 'x> {
    site: &'s mut Site,
    ctx: &'s mut Ctx<'c>,
    arrival: SimTime,
    device: DeviceId,
    audit: &'x mut Vec<AuditRecord>,
}

impl Pass<'_, '_, '_> {
    fn step(&mut self, took: SimDuration, action: &'static str) {
        self.ctx.now += took;
        self.ctx
            .record("station-step", &[("action", Field::Str(action))]);
    }

    fn audit(&mut self, actor: &'static str, action: &'static str, detail: String) {
        let at = self.arrival + (self.ctx.now - SimTime::ZERO);
        let record = self.site.audit.append(
            self.ctx.crypto,
            at,
            actor,
            action,
            Some(self.device),
            detail,
        );
        self.audit.push(record);
    }

    fn command(
        &mut self,
        target: &mut dyn Target,
        step: &'static str,
        command: Command,
    ) -> Result<Response, StationError> {
        target
            .execute(self.ctx, command)
            .map_err(|source| StationError::Device {
                device: self.device,
                step,
                source,
            })
    }
}

fn unexpected(device: DeviceId, step: &'static str, answer: Response) -> StationError {
    StationError::UnexpectedResponse {
        device,
        step,
        answer: format!("{answer:?}"),
    }
}

impl BoardStation {
    pub fn new(config: StationConfig) -> Self {
        BoardStation { config }
    }

    pub fn config(&self) -> StationConfig {
        self.config
    }

    /// Provisions device `index` of the run. On failure the identity key, if it was
    /// made, is destroyed in the HSM before the error is returned, so no key is left
    /// behind for a device that will not ship.
    ///
    /// `ctx.now` is device-relative (zero at arrival); audit records carry
    /// `arrival + ctx.now`.
    #[allow(clippy::too_many_arguments)]
    pub fn provision(
        &self,
        site: &mut Site,
        ctx: &mut Ctx<'_>,
        seed: Seed,
        index: u64,
        arrival: SimTime,
        target: &mut dyn Target,
        audit: &mut Vec<AuditRecord>,
    ) -> Result<StationCycle, StationError> {
        let device = target.device_id();
        let mut pass = Pass {
            site,
            ctx,
            arrival,
            device,
            audit,
        };
        let started = pass.ctx.now;

        pass.step(step_time::CONNECT, "connect");
        let info = match pass.command(target, "identify", Command::GetInfo)? {
            Response::Info(info) => info,
            other => return Err(unexpected(device, "identify", other)),
        };
        pass.audit(
            "station",
            "device-identified",
            detail_hex("transport", &info.transport_key.fingerprint().0),
        );

        pass.step(step_time::KEYGEN, "keygen");
        let mut key_stream = identity_key_stream(seed, index);
        let (handle, identity) =
            pass.site
                .hsm
                .generate(pass.ctx, KeyUse::DeviceIdentity, &mut key_stream);
        pass.audit(
            "hsm",
            "identity-key-generated",
            detail_hex("key", &identity.fingerprint().0),
        );

        let result = self.inject_and_finish(
            &mut pass,
            seed,
            index,
            target,
            handle,
            &identity,
            &info.transport_key,
        );
        if result.is_err() && pass.site.hsm.public_key(handle).is_ok() {
            pass.site.hsm.destroy(pass.ctx, handle)?;
            pass.audit(
                "hsm",
                "identity-key-destroyed",
                "reason=device-rejected".to_owned(),
            );
        }
        let certificate = result?;
        Ok(StationCycle {
            identity,
            certificate,
            duration: pass.ctx.now - started,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn inject_and_finish(
        &self,
        pass: &mut Pass<'_, '_, '_>,
        seed: Seed,
        index: u64,
        target: &mut dyn Target,
        handle: KeyHandle,
        identity: &PublicKey,
        transport_key: &PublicKey,
    ) -> Result<IssuedCertificate, StationError> {
        let device = pass.device;
        pass.step(step_time::ISSUE, "issue-certificate");
        let customer = pass.site.names.customer.clone();
        let mut serial_stream = seed.device_stream(index, "certificate-serial");
        let certificate = pass.site.pki.issue_device_certificate(
            &mut pass.site.hsm,
            pass.ctx.crypto,
            &customer,
            device,
            identity,
            &mut serial_stream,
        )?;
        let cert_hash = provsim_sim::crypto::Sha256::digest(&certificate.der);
        pass.ctx.record(
            "certificate-issued",
            &[("sha256", Field::Bytes(&cert_hash))],
        );
        pass.audit("ca", "certificate-issued", detail_hex("sha256", &cert_hash));

        pass.step(step_time::WRAP, "wrap");
        let aad = injection_context(device, IDENTITY_SLOT);
        let mut wrap_stream = seed.device_stream(index, "injection");
        let envelope = pass.site.hsm.wrap_for_device(
            pass.ctx,
            handle,
            transport_key,
            &aad,
            &mut wrap_stream,
        )?;

        pass.step(step_time::INJECT, "inject");
        match pass.command(
            target,
            "inject",
            Command::InjectKey {
                slot: IDENTITY_SLOT,
                envelope,
            },
        )? {
            Response::KeyInstalled { public_key, .. } if &public_key == identity => {}
            Response::KeyInstalled { .. } => return Err(StationError::KeyMismatch { device }),
            other => return Err(unexpected(device, "inject", other)),
        }
        pass.site.hsm.destroy(pass.ctx, handle)?;
        pass.audit(
            "station",
            "identity-key-injected",
            detail_hex("key", &identity.fingerprint().0),
        );

        pass.step(step_time::WRITE_CERTIFICATE, "write-certificate");
        pass.command(
            target,
            "write certificate",
            Command::WriteCertificate {
                der: certificate.der.clone(),
            },
        )?;
        pass.step(step_time::WRITE_FIRMWARE_KEY, "write-firmware-key");
        let fw_key = pass.site.firmware_key.sec1().to_vec();
        pass.command(
            target,
            "write firmware key",
            Command::WriteFirmwareKey { sec1: fw_key },
        )?;
        pass.audit(
            "station",
            "certificate-and-firmware-key-written",
            String::new(),
        );

        if self.config.lock_debug {
            pass.step(step_time::LOCK, "lock-debug");
            pass.command(target, "lock debug port", Command::LockDebug)?;
            pass.step(step_time::VERIFY_LOCK, "verify-lock");
            // Probe a mapped address: anything but a refusal means the fuse did not hold.
            let probe = target.memory_map().first().map_or(0, |region| region.base);
            if target.debug_read(pass.ctx, probe, 4) != Err(PortError::Locked) {
                return Err(StationError::LockNotEffective { device });
            }
            pass.audit("station", "debug-port-locked", String::new());
        } else {
            pass.audit(
                "station",
                "debug-lock-skipped",
                "reason=station-configuration".to_owned(),
            );
        }
        Ok(certificate)
    }
}
