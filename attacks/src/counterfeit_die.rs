//! The attacker's counterfeit part: a part of the same family, package and marking as
//! the genuine one, with a companion die of the attacker's in the package that sits
//! between the pins and the real silicon. To the station it looks like any blank part;
//! it reports a transport key of the attacker's, opens everything sealed to it, keeps a
//! copy (the attacker reads it out later over a pin the data sheet calls "not
//! connected") and passes the keys on, sealed again, to the die behind it, so the part
//! tests, locks and boots like a genuine one. An identity key the station asks it to
//! make, it makes itself. What it cannot do is sign with a genuine die's attestation
//! key: it shows the certificate of the genuine part it replaced (certificates are not
//! secret) and signs with a key of its own.

use provsim_devices::fault::{FaultPoint, Glitch, GlitchMethod, GlitchOutcome, GlitchTally};
use provsim_devices::first_connection::DeviceAuth;
use provsim_devices::leakage::{MeasuredOperation, PowerTrace};
use provsim_devices::mcu::injection_context;
use provsim_devices::puf::HelperData;
use provsim_devices::{
    ApduExchange, BootError, ChannelBreaches, Command, DeviceError, DeviceId, DieAttestation,
    DieCertificate, LifeCycle, MemoryRegion, PortError, Response, RunningImage, StartedImage,
    Target, TargetKind,
};
use provsim_sim::crypto::{Crypto, Envelope, PublicKey, SecretKey};
use provsim_sim::{Ctx, Stream};
use std::cell::RefCell;
use std::rc::Rc;

/// What the companion die kept: each key-store slot's content as it crossed it.
pub(crate) type Kept = Rc<RefCell<Vec<(u8, Vec<u8>)>>>;

pub(crate) struct CounterfeitDie {
    inner: Box<dyn Target>,
    device: DeviceId,
    rng: Stream,
    /// The transport key the part reports: the attacker's.
    transport: SecretKey,
    /// The key it signs attestations with: not one the chip maker certified.
    forger: SecretKey,
    /// The genuine part's die certificate, as read off it.
    shown: Option<DieCertificate>,
    /// The identity key it made when asked to.
    made: Option<PublicKey>,
    kept: Kept,
}

impl CounterfeitDie {
    /// A counterfeit marked as `device`, around `inner` (a part of the same family, of
    /// the attacker's), showing `shown` when asked to attest.
    pub(crate) fn new(
        crypto: &Crypto,
        inner: Box<dyn Target>,
        device: DeviceId,
        shown: Option<DieCertificate>,
        mut rng: Stream,
    ) -> (CounterfeitDie, Kept) {
        let kept = Kept::default();
        let part = CounterfeitDie {
            inner,
            device,
            transport: crypto.generate_key(&mut rng),
            forger: crypto.generate_key(&mut rng),
            rng,
            shown,
            made: None,
            kept: Rc::clone(&kept),
        };
        (part, kept)
    }

    /// The inner die's transport key, as it reports it now.
    fn inner_transport(&mut self, ctx: &mut Ctx<'_>) -> Result<PublicKey, DeviceError> {
        match self.inner.execute(ctx, Command::GetInfo)? {
            Response::Info(info) => Ok(info.transport_key),
            _ => Err(DeviceError::InvalidKey),
        }
    }

    /// Opens `envelope` for `slot` with the attacker's transport key, keeps the secret
    /// and seals it again to the inner die; an envelope it cannot open goes on as it
    /// came (and the inner die refuses it as any part would).
    fn relay(
        &mut self,
        ctx: &mut Ctx<'_>,
        slot: u8,
        envelope: Envelope,
    ) -> Result<Envelope, DeviceError> {
        let aad = injection_context(self.device, slot);
        let Ok(secret) = ctx.crypto.open_envelope(&self.transport, &aad, &envelope) else {
            return Ok(envelope);
        };
        let inner = self.inner_transport(ctx)?;
        let resealed = ctx
            .crypto
            .seal_envelope(&inner, &aad, &secret, &mut self.rng);
        self.kept.borrow_mut().push((slot, secret));
        Ok(resealed)
    }

    /// An identity key of the attacker's making, put into the inner die so the part
    /// answers for it, with the request the station expects.
    fn make_identity(&mut self, ctx: &mut Ctx<'_>, slot: u8) -> Result<Response, DeviceError> {
        let key = ctx.crypto.generate_key(&mut self.rng);
        let secret = key.expose_secret_bytes().to_vec();
        let inner = self.inner_transport(ctx)?;
        let aad = injection_context(self.device, slot);
        let envelope = ctx
            .crypto
            .seal_envelope(&inner, &aad, &secret, &mut self.rng);
        self.inner
            .execute(ctx, Command::InjectKey { slot, envelope })?;
        let der = ctx
            .crypto
            .certificate_request(&key, &self.device.to_string())
            .map_err(DeviceError::RequestEncoding)?;
        self.kept.borrow_mut().push((slot, secret));
        self.made = Some(key.public_key().clone());
        Ok(Response::CertificateRequest {
            slot,
            public_key: key.public_key().clone(),
            der,
        })
    }

    fn attest(&mut self, ctx: &mut Ctx<'_>, challenge: [u8; 32]) -> Result<Response, DeviceError> {
        let Some(certificate) = self.shown.clone() else {
            return self.inner.execute(ctx, Command::Attest { challenge });
        };
        let statement = provsim_devices::die::attestation_statement(
            &challenge,
            self.transport.public_key(),
            self.made.as_ref(),
        );
        Ok(Response::Attested(DieAttestation {
            certificate,
            signature: ctx.crypto.sign(&self.forger, &statement),
        }))
    }
}

impl Target for CounterfeitDie {
    fn kind(&self) -> TargetKind {
        self.inner.kind()
    }

    fn device_id(&self) -> DeviceId {
        self.device
    }

    fn memory_map(&self) -> &'static [MemoryRegion] {
        self.inner.memory_map()
    }

    fn debug_read(&mut self, ctx: &mut Ctx<'_>, addr: u32, len: u32) -> Result<Vec<u8>, PortError> {
        self.inner.debug_read(ctx, addr, len)
    }

    fn firmware_read(
        &mut self,
        ctx: &mut Ctx<'_>,
        addr: u32,
        len: u32,
    ) -> Result<Vec<u8>, PortError> {
        self.inner.firmware_read(ctx, addr, len)
    }

    fn execute(&mut self, ctx: &mut Ctx<'_>, command: Command) -> Result<Response, DeviceError> {
        match command {
            Command::GetInfo => match self.inner.execute(ctx, Command::GetInfo)? {
                Response::Info(mut info) => {
                    info.device_id = self.device;
                    info.transport_key = self.transport.public_key().clone();
                    Ok(Response::Info(info))
                }
                other => Ok(other),
            },
            Command::InjectKey { slot, envelope } => {
                let envelope = self.relay(ctx, slot, envelope)?;
                self.inner
                    .execute(ctx, Command::InjectKey { slot, envelope })
            }
            Command::InjectSecret { slot, envelope } => {
                let envelope = self.relay(ctx, slot, envelope)?;
                self.inner
                    .execute(ctx, Command::InjectSecret { slot, envelope })
            }
            Command::GenerateIdentity { slot } => self.make_identity(ctx, slot),
            Command::Attest { challenge } => self.attest(ctx, challenge),
            other => self.inner.execute(ctx, other),
        }
    }

    fn life_cycle(&self) -> LifeCycle {
        self.inner.life_cycle()
    }

    fn stage_update(&mut self, ctx: &mut Ctx<'_>, image: &[u8]) -> Result<(), DeviceError> {
        self.inner.stage_update(ctx, image)
    }

    fn boot(&mut self, ctx: &mut Ctx<'_>) -> Result<RunningImage, BootError> {
        self.inner.boot(ctx)
    }

    fn persistent_writes(&self) -> u64 {
        self.inner.persistent_writes()
    }

    fn clone_box(&self) -> Box<dyn Target> {
        Box::new(CounterfeitDie {
            inner: self.inner.clone_box(),
            device: self.device,
            rng: self.rng.duplicate(),
            transport: self.transport.clone(),
            forger: self.forger.clone(),
            shown: self.shown.clone(),
            made: self.made.clone(),
            kept: Rc::clone(&self.kept),
        })
    }

    fn glitch(&mut self, glitch: Glitch, rng: &mut Stream) -> GlitchOutcome {
        self.inner.glitch(glitch, rng)
    }

    fn fault_alarms(&self) -> u64 {
        self.inner.fault_alarms()
    }

    fn glitch_tally(&self) -> Vec<(FaultPoint, GlitchMethod, GlitchTally)> {
        self.inner.glitch_tally()
    }

    fn anti_rollback_fuses(&self) -> u32 {
        self.inner.anti_rollback_fuses()
    }

    fn power_trace(
        &mut self,
        ctx: &mut Ctx<'_>,
        operation: &MeasuredOperation,
        rng: &mut Stream,
    ) -> Result<PowerTrace, PortError> {
        self.inner.power_trace(ctx, operation, rng)
    }

    fn authenticate(
        &mut self,
        ctx: &mut Ctx<'_>,
        challenge: &[u8; 32],
        server: &PublicKey,
    ) -> Result<(DeviceAuth, [u8; 32]), PortError> {
        self.inner.authenticate(ctx, challenge, server)
    }

    fn apdu(&mut self, ctx: &mut Ctx<'_>, command: &[u8]) -> Result<Vec<u8>, PortError> {
        self.inner.apdu(ctx, command)
    }

    fn field_session(&mut self, ctx: &mut Ctx<'_>) -> Result<Vec<ApduExchange>, PortError> {
        self.inner.field_session(ctx)
    }

    fn probe_bus(&mut self, ctx: &mut Ctx<'_>) -> Result<Vec<u8>, PortError> {
        self.inner.probe_bus(ctx)
    }

    fn puf_helper_data(&self) -> Result<HelperData, PortError> {
        self.inner.puf_helper_data()
    }

    fn started_images(&self) -> Vec<StartedImage> {
        self.inner.started_images()
    }

    fn channel_breaches(&self) -> ChannelBreaches {
        self.inner.channel_breaches()
    }
}
