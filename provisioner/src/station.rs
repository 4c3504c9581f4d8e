//! The provisioning station: a programmer on the part's debug pins (probe card, test
//! socket or board header, by level), driven by the line's HSM. For each device it moves the chip into manufacturing test and fuses the hashes
//! of its life-cycle tokens, has the HSM make the identity key, issues the certificate,
//! asks the vault over the provisioning link for the device's secrets sealed to the
//! chip's transport key and injects them, writes the certificate, the
//! firmware-verification key and the signed firmware image, leaves test for
//! provisioned, runs the configured lock sequence, and boots the chip once as its
//! functional test.

use crate::audit::{AuditRecord, detail_hex};
use crate::delivery::{SecretsRequest, VaultAnswer};
use crate::error::StationError;
use crate::hsm::{CertSubject, KeyHandle, KeyUse, SecretHandle};
use crate::level::{Level, PERFECT_YIELD_PPM, Yields};
use crate::line::Site;
use crate::link::LinkSession;
use crate::pki::IssuedCertificate;
use crate::secrets::{IdentityOrigin, SecretsProfile, symmetric_key_stream};
use provsim_devices::mcu::injection_context;
use provsim_devices::{Command, DeviceId, Fuse, LifeCycle, PortError, Response, Target, TokenKind};
use provsim_sim::crypto::{Envelope, PublicKey};
use provsim_sim::{Ctx, Field, Seed, SimDuration, SimTime};

/// The key-store slot the identity key goes into.
pub const IDENTITY_SLOT: u8 = 0;

/// The HSM's randomness for device `index`'s identity key. The one place the rule
/// lives: the station draws the key from it, and oracles re-derive ground truth from it.
pub fn identity_key_stream(seed: Seed, index: u64) -> provsim_sim::Stream {
    crate::labels::identity_key(seed, index)
}

/// A device's life-cycle token of `kind`: random per device, drawn by the vault. The chip
/// keeps only its hash; the customer keeps the RMA token to open returned parts.
pub fn life_cycle_token(seed: Seed, index: u64, kind: TokenKind) -> [u8; 32] {
    let mut stream = crate::labels::life_cycle_token(seed, index, kind);
    let mut token = [0u8; 32];
    stream.fill(&mut token);
    token
}

/// One step of the lock sequence the station runs after provisioning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockStep {
    /// Set readout protection to this level.
    Rdp(u8),
    /// Hide the key store from everything but the boot ROM.
    SecureRegion,
    /// Blow a one-time fuse.
    Fuse(Fuse),
}

impl LockStep {
    fn command(self) -> Command {
        match self {
            LockStep::Rdp(level) => Command::SetReadoutProtection { level },
            LockStep::SecureRegion => Command::EnableSecureRegion,
            LockStep::Fuse(fuse) => Command::BlowFuse { fuse },
        }
    }
}

impl std::fmt::Display for LockStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockStep::Rdp(level) => write!(f, "rdp {level}"),
            LockStep::SecureRegion => f.write_str("secure-region"),
            LockStep::Fuse(fuse) => write!(f, "fuse {}", fuse.name()),
        }
    }
}

/// Where in the lock sequence a [`PassObserver`] is shown the chip.
#[derive(Debug, Clone, Copy)]
pub enum LockStage<'a> {
    /// Provisioned, before the first lock step.
    BeforeLocks,
    /// After a step; `refused` holds the chip's reason when it refused the step.
    AfterStep {
        step: LockStep,
        refused: Option<&'a str>,
    },
}

/// Watches a device's pass: the what-if report probes the chip at every stage of the
/// lock sequence, and a site attack takes its copy of the site while a key is in flight.
/// The observer sees everything read-only and must do its probing on copies.
pub trait PassObserver {
    fn observe(&mut self, _stage: LockStage<'_>, _target: &dyn Target) {}

    /// The vault has just made the device's identity key, which has not yet left it:
    /// the moment a key is most exposed to whoever can read the vault's host.
    fn key_in_flight(&mut self, _site: &Site) {}
}

impl PassObserver for () {}

/// What the station is told to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationConfig {
    /// The lock steps, in order, run once the device is provisioned.
    pub lock_steps: Vec<LockStep>,
    /// What a step the chip refuses means. `false` (a line's own configuration): the
    /// device is rejected, as a real line stops a part whose lock did not take. `true`
    /// (a what-if sequence): the refusal is recorded and the sequence goes on, so the
    /// report shows what it leaves open. Either way a chip that then fails to boot its
    /// firmware fails the functional test and is rejected.
    pub what_if: bool,
}

impl StationConfig {
    /// Secure boot on, and the debug-lock fuse blown last when `lock_debug`: the
    /// sequence a scenario without `[mcu]` or `[[lock]]` gets.
    pub fn secure_boot_then(lock_debug: bool) -> Self {
        let mut lock_steps = vec![LockStep::Fuse(Fuse::SecureBoot)];
        if lock_debug {
            lock_steps.push(LockStep::Fuse(Fuse::DebugLock));
        }
        StationConfig {
            lock_steps,
            what_if: false,
        }
    }
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
    pub const TEST_ENTRY: SimDuration = SimDuration::from_millis(5);
    pub const TOKENS: SimDuration = SimDuration::from_millis(10);
    pub const WRITE_IMAGE: SimDuration = SimDuration::from_millis(120);
    pub const TEST_EXIT: SimDuration = SimDuration::from_millis(5);
    pub const LOCK: SimDuration = SimDuration::from_millis(10);
    pub const VERIFY_LOCK: SimDuration = SimDuration::from_millis(5);
    pub const BOOT: SimDuration = SimDuration::from_millis(60);
    pub const SCRAP: SimDuration = SimDuration::from_millis(5);
    pub const FINAL_TEST: SimDuration = SimDuration::from_millis(200);
}

/// A device's identity key once made, and where it is.
enum MadeKey {
    /// In the vault, under `handle`, until it is sealed to the chip.
    InVault {
        handle: KeyHandle,
        identity: PublicKey,
    },
    /// On the chip; the vault has its signed request only.
    OnChip {
        identity: PublicKey,
        request: Vec<u8>,
    },
}

impl MadeKey {
    fn identity(&self) -> &PublicKey {
        match self {
            MadeKey::InVault { identity, .. } | MadeKey::OnChip { identity, .. } => identity,
        }
    }
}

/// Every key made for the device on the station.
struct DeviceKeys {
    identity: MadeKey,
    secrets: Vec<MadeSecret>,
}

/// A symmetric key the vault made for the device on the station.
struct MadeSecret {
    slot: u8,
    handle: SecretHandle,
    check: [u8; 4],
    /// `name=... check=...`, as its audit records say.
    detail: String,
}

/// What one device's pass through the station produced.
#[derive(Debug, Clone)]
pub struct StationCycle {
    pub identity: PublicKey,
    pub certificate: IssuedCertificate,
    /// Virtual time the device spent at the station.
    pub duration: SimDuration,
}

/// The provisioning station, at the line's level, and the tests a part meets before
/// and after it.
#[derive(Debug, Clone)]
pub struct Station {
    config: StationConfig,
    level: Level,
    yields: Yields,
    secrets: SecretsProfile,
}

struct Pass<'s, 'c, 'x> {
    site: &'s mut Site,
    link: &'s mut LinkSession,
    ctx: &'s mut Ctx<'c>,
    arrival: SimTime,
    device: DeviceId,
    audit: &'x mut Vec<AuditRecord>,
    /// The sealed identity key was sent to the chip: from then on the chip may hold it,
    /// whatever it answered.
    key_sent: bool,
    /// The device's identity public key, once made.
    identity: Option<PublicKey>,
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

impl Station {
    pub fn new(
        config: StationConfig,
        level: Level,
        yields: Yields,
        secrets: SecretsProfile,
    ) -> Self {
        Station {
            config,
            level,
            yields,
            secrets,
        }
    }

    pub fn config(&self) -> &StationConfig {
        &self.config
    }

    /// The tester id device records carry.
    pub fn name(&self) -> &'static str {
        self.level.tester()
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
        link: &mut LinkSession,
        ctx: &mut Ctx<'_>,
        seed: Seed,
        index: u64,
        arrival: SimTime,
        target: &mut dyn Target,
        audit: &mut Vec<AuditRecord>,
        observer: &mut dyn PassObserver,
    ) -> Result<StationCycle, StationError> {
        let device = target.device_id();
        let mut pass = Pass {
            site,
            link,
            ctx,
            arrival,
            device,
            audit,
            key_sent: false,
            identity: None,
        };
        let started = pass.ctx.now;

        // The tests a part meets before it reaches this station: a failure there loses
        // a part with nothing in it.
        for level in Level::ALL.into_iter().filter(|&l| l < self.level) {
            self.test_part(&mut pass, seed, index, level)?;
        }

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
        Self::enter_test(&mut pass, seed, index, target, info.life_cycle)?;

        pass.step(step_time::KEYGEN, "keygen");
        let made = match self.secrets.identity {
            IdentityOrigin::Vault => {
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
                MadeKey::InVault { handle, identity }
            }
            IdentityOrigin::Device => {
                // From here the chip may hold a key: if it does not ship, it is scrapped.
                pass.key_sent = true;
                let answer = pass.command(
                    target,
                    "generate identity",
                    Command::GenerateIdentity {
                        slot: IDENTITY_SLOT,
                    },
                );
                let (public_key, der) = match answer {
                    Ok(Response::CertificateRequest {
                        public_key, der, ..
                    }) => (public_key, der),
                    failed => {
                        // No key the books know of, but maybe one in the chip: scrap it.
                        let chip = Self::scrap(&mut pass, target);
                        pass.audit(
                            "station",
                            "device-scrapped",
                            format!("chip={chip} reason=identity-generation-failed"),
                        );
                        return Err(match failed {
                            Err(error) => error,
                            Ok(other) => unexpected(device, "generate identity", other),
                        });
                    }
                };
                pass.audit(
                    "device",
                    "identity-key-generated",
                    detail_hex("key", &public_key.fingerprint().0),
                );
                MadeKey::OnChip {
                    identity: public_key,
                    request: der,
                }
            }
        };
        pass.identity = Some(made.identity().clone());
        let keys = DeviceKeys {
            secrets: self.make_symmetric_keys(&mut pass, seed, index),
            identity: made,
        };
        observer.key_in_flight(pass.site);

        let result = self
            .inject_and_finish(&mut pass, seed, index, target, &keys, &info.transport_key)
            .and_then(|certificate| {
                self.lock_and_test(&mut pass, seed, index, target, observer)?;
                // The tests after this station: a part failing one takes its secrets
                // with it, so they are destroyed below like any rejected part's.
                for level in Level::ALL.into_iter().filter(|&l| l > self.level) {
                    self.test_part(&mut pass, seed, index, level)?;
                }
                Ok(certificate)
            });
        if result.is_err() {
            Self::destroy_secrets(&mut pass, target, &keys)?;
        }
        let certificate = result?;
        Ok(StationCycle {
            identity: keys.identity.identity().clone(),
            certificate,
            duration: pass.ctx.now - started,
        })
    }

    /// A device that will not ship takes no secret with it: the key is destroyed in the
    /// HSM if it is still there, and, once it was sent to the chip, the chip is scrapped
    /// (its key store wiped) or, if it no longer answers, destroyed physically. One
    /// audit record says all of it, with the key's fingerprint, which is what
    /// reconciliation counts.
    fn destroy_secrets(
        pass: &mut Pass<'_, '_, '_>,
        target: &mut dyn Target,
        keys: &DeviceKeys,
    ) -> Result<(), StationError> {
        let made = &keys.identity;
        for secret in &keys.secrets {
            if pass.site.hsm.holds_secret(secret.handle) {
                pass.site.hsm.destroy_secret(pass.ctx, secret.handle)?;
            }
        }
        let key = detail_hex("key", &made.identity().fingerprint().0);
        let hsm = match made {
            MadeKey::InVault { handle, .. } if pass.site.hsm.public_key(*handle).is_ok() => {
                pass.site.hsm.destroy(pass.ctx, *handle)?;
                "destroyed"
            }
            MadeKey::InVault { .. } => "already-gone",
            MadeKey::OnChip { .. } => "never-held",
        };
        let chip = if pass.key_sent {
            Self::scrap(pass, target)
        } else {
            "never-received"
        };
        pass.audit(
            "station",
            "identity-key-destroyed",
            format!("{key} hsm={hsm} chip={chip} reason=device-rejected"),
        );
        Ok(())
    }

    /// Scraps a chip that may hold a secret: the transition wipes its key store; a chip
    /// that no longer answers is destroyed physically. Says which.
    fn scrap(pass: &mut Pass<'_, '_, '_>, target: &mut dyn Target) -> &'static str {
        pass.step(step_time::SCRAP, "scrap");
        let scrapped = target.execute(
            pass.ctx,
            Command::Transition {
                to: LifeCycle::Scrapped,
                token: None,
            },
        );
        match scrapped {
            Ok(_) => "scrapped-wiped",
            Err(_) => "physically-destroyed",
        }
    }

    fn inject_and_finish(
        &self,
        pass: &mut Pass<'_, '_, '_>,
        seed: Seed,
        index: u64,
        target: &mut dyn Target,
        keys: &DeviceKeys,
        transport_key: &PublicKey,
    ) -> Result<IssuedCertificate, StationError> {
        let made = &keys.identity;
        let identity = made.identity();
        let device = pass.device;
        pass.step(step_time::ISSUE, "issue-certificate");
        let customer = pass.site.names.customer.clone();
        let mut serial_stream = crate::labels::certificate_serial(seed, index);
        let subject = match made {
            MadeKey::InVault { handle, .. } => CertSubject::Generated(*handle),
            MadeKey::OnChip { request, .. } => CertSubject::Requested {
                der: request,
                device,
            },
        };
        let (certificate, certified) = pass.site.pki.issue_device_certificate(
            &mut pass.site.hsm,
            pass.ctx.crypto,
            &customer,
            device,
            subject,
            &mut serial_stream,
        )?;
        if &certified != identity {
            return Err(StationError::KeyMismatch { device });
        }
        let cert_hash = provsim_sim::crypto::Sha256::digest(&certificate.der);
        pass.ctx.record(
            "certificate-issued",
            &[("sha256", Field::Bytes(&cert_hash))],
        );
        pass.audit("ca", "certificate-issued", detail_hex("sha256", &cert_hash));

        let sends_secrets = matches!(made, MadeKey::InVault { .. }) || !keys.secrets.is_empty();
        if sends_secrets {
            let answer = Self::fetch_secrets(pass, seed, index, keys, transport_key)?;
            if matches!(made, MadeKey::InVault { .. }) {
                Self::inject(pass, target, &answer, identity)?;
            }
            Self::inject_symmetric_keys(pass, target, &answer, &keys.secrets)?;
        }

        pass.step(step_time::WRITE_CERTIFICATE, "write-certificate");
        pass.command(
            target,
            "write certificate",
            Command::WriteCertificate {
                der: certificate.der.clone(),
            },
        )?;
        if target.kind().runs_firmware() {
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
        } else {
            pass.audit("station", "certificate-written", String::new());
        }

        Ok(certificate)
    }

    /// Asks the vault, over the provisioning link, for the device's secrets sealed to
    /// the chip's transport key, and takes its answer. The vault seals each key once and
    /// destroys its own copy at once: from then on the envelope is the only one.
    fn fetch_secrets(
        pass: &mut Pass<'_, '_, '_>,
        seed: Seed,
        index: u64,
        keys: &DeviceKeys,
        transport_key: &PublicKey,
    ) -> Result<VaultAnswer, StationError> {
        let device = pass.device;
        let request = SecretsRequest {
            index,
            device,
            transport_key: transport_key.clone(),
        }
        .encode();
        let streams = DeviceLinkStreams { seed, index };
        let site = &mut *pass.site;
        let ctx = &mut *pass.ctx;
        let report = pass.link.exchange(
            ctx.crypto,
            &streams,
            index,
            &request,
            &mut |asked: &[u8]| {
                answer_request(site, ctx, seed, index, device, keys, asked).encode()
            },
        );
        pass.ctx.now += report.elapsed;
        pass.ctx.record(
            "secrets-over-link",
            &[
                ("handshakes", Field::U64(u64::from(report.handshakes))),
                ("requests", Field::U64(u64::from(report.requests))),
                ("deliveries", Field::U64(report.deliveries.len() as u64)),
                ("refused", Field::U64(report.refused())),
                ("answered", Field::Bool(report.answer.is_some())),
            ],
        );
        let answer = report.answer.as_deref().map(VaultAnswer::decode);
        let failed = StationError::LinkFailed {
            device,
            handshakes: report.handshakes,
            requests: report.requests,
        };
        match answer {
            None => Err(failed),
            Some(None) => Err(StationError::VaultRefused {
                device,
                reason: "an answer that does not parse".to_owned(),
            }),
            Some(Some(VaultAnswer::Refused(reason))) => {
                Err(StationError::VaultRefused { device, reason })
            }
            Some(Some(sealed)) => Ok(sealed),
        }
    }

    /// Injects the identity key's envelope and checks the chip computed the public key
    /// the vault made.
    fn inject(
        pass: &mut Pass<'_, '_, '_>,
        target: &mut dyn Target,
        answer: &VaultAnswer,
        identity: &PublicKey,
    ) -> Result<(), StationError> {
        let device = pass.device;
        let envelope =
            answer
                .envelope(IDENTITY_SLOT)
                .cloned()
                .ok_or_else(|| StationError::VaultRefused {
                    device,
                    reason: "the answer has no identity key".to_owned(),
                })?;
        pass.step(step_time::INJECT, "inject");
        pass.key_sent = true;
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
        pass.audit(
            "station",
            "identity-key-injected",
            detail_hex("key", &identity.fingerprint().0),
        );

        Ok(())
    }

    /// Makes each symmetric key of the profile in the vault, in key-store slot order.
    fn make_symmetric_keys(
        &self,
        pass: &mut Pass<'_, '_, '_>,
        seed: Seed,
        index: u64,
    ) -> Vec<MadeSecret> {
        let mut made = Vec::with_capacity(self.secrets.symmetric_keys.len());
        for (number, name) in self.secrets.symmetric_keys.iter().enumerate() {
            pass.step(step_time::KEYGEN, "symmetric-keygen");
            let mut stream = symmetric_key_stream(seed, index, name);
            let (handle, check) = pass.site.hsm.generate_secret(pass.ctx, &mut stream);
            let detail = format!("name={name} check={}", provsim_sim::to_hex(&check));
            pass.audit("hsm", "symmetric-key-generated", detail.clone());
            made.push(MadeSecret {
                // At most MAX_SYMMETRIC_KEYS (checked when the line is set up): no wrap.
                slot: IDENTITY_SLOT
                    .saturating_add(1)
                    .saturating_add(u8::try_from(number).unwrap_or(u8::MAX)),
                handle,
                check,
                detail,
            });
        }
        made
    }

    /// Injects each symmetric key's envelope into its slot and checks the chip's key
    /// check value.
    fn inject_symmetric_keys(
        pass: &mut Pass<'_, '_, '_>,
        target: &mut dyn Target,
        answer: &VaultAnswer,
        secrets: &[MadeSecret],
    ) -> Result<(), StationError> {
        let device = pass.device;
        for secret in secrets {
            let MadeSecret {
                slot,
                check,
                ref detail,
                ..
            } = *secret;
            let envelope =
                answer
                    .envelope(slot)
                    .cloned()
                    .ok_or_else(|| StationError::VaultRefused {
                        device,
                        reason: format!("the answer has no key for slot {slot}"),
                    })?;
            pass.step(step_time::INJECT, "inject");
            pass.key_sent = true;
            match pass.command(
                target,
                "inject secret",
                Command::InjectSecret { slot, envelope },
            )? {
                Response::SecretInstalled { check: got, .. } if got == check => {}
                Response::SecretInstalled { .. } => {
                    return Err(StationError::KeyMismatch { device });
                }
                other => return Err(unexpected(device, "inject secret", other)),
            }
            pass.audit("station", "symmetric-key-injected", detail.clone());
        }
        Ok(())
    }

    /// Moves a blank chip into manufacturing test and fuses its token hashes.
    fn enter_test(
        pass: &mut Pass<'_, '_, '_>,
        seed: Seed,
        index: u64,
        target: &mut dyn Target,
        state: LifeCycle,
    ) -> Result<(), StationError> {
        if state == LifeCycle::Blank {
            pass.step(step_time::TEST_ENTRY, "enter-test");
            pass.command(
                target,
                "enter test",
                Command::Transition {
                    to: LifeCycle::Test,
                    token: None,
                },
            )?;
        }
        if !target.kind().runs_firmware() {
            // A secure element has no life-cycle tokens: it is closed, not exited, and
            // a returned one is terminated, not reopened.
            return Ok(());
        }
        pass.step(step_time::TOKENS, "token-hashes");
        for kind in [TokenKind::TestExit, TokenKind::Rma] {
            let hash = pass.ctx.crypto.sha256(&life_cycle_token(seed, index, kind));
            pass.command(
                target,
                "write token hash",
                Command::WriteTokenHash { token: kind, hash },
            )?;
        }
        pass.audit(
            "station",
            "life-cycle-tokens-fused",
            "tokens=test-exit,rma".to_owned(),
        );
        Ok(())
    }

    /// Writes the firmware, leaves test, runs the lock sequence and boots the chip (a
    /// secure element is closed and has its identity key answer a challenge instead).
    fn lock_and_test(
        &self,
        pass: &mut Pass<'_, '_, '_>,
        seed: Seed,
        index: u64,
        target: &mut dyn Target,
        observer: &mut dyn PassObserver,
    ) -> Result<(), StationError> {
        if !target.kind().runs_firmware() {
            return self.close_and_test(pass, seed, index, target, observer);
        }
        let device = pass.device;
        pass.step(step_time::WRITE_IMAGE, "write-image");
        let image = pass.site.firmware_image.clone();
        pass.command(
            target,
            "write firmware image",
            Command::WriteImage { image },
        )?;

        pass.step(step_time::TEST_EXIT, "test-exit");
        let token = life_cycle_token(seed, index, TokenKind::TestExit);
        pass.command(
            target,
            "leave test",
            Command::Transition {
                to: LifeCycle::Provisioned,
                token: Some(token.to_vec()),
            },
        )?;
        pass.audit("station", "life-cycle", "state=provisioned".to_owned());

        observer.observe(LockStage::BeforeLocks, target);
        let mut debug_locked = false;
        for &step in &self.config.lock_steps {
            pass.step(step_time::LOCK, "lock-step");
            let refused = target
                .execute(pass.ctx, step.command())
                .err()
                .map(|e| e.to_string());
            let outcome = match &refused {
                None => "applied".to_owned(),
                Some(reason) => format!("refused:{}", reason.replace(' ', "_")),
            };
            pass.audit(
                "station",
                "lock-step",
                format!(
                    "step={} result={outcome}",
                    step.to_string().replace(' ', "_")
                ),
            );
            observer.observe(
                LockStage::AfterStep {
                    step,
                    refused: refused.as_deref(),
                },
                target,
            );
            debug_locked |= refused.is_none() && step == LockStep::Fuse(Fuse::DebugLock);
            if let Some(reason) = refused.filter(|_| !self.config.what_if) {
                return Err(StationError::LockRefused {
                    device,
                    step,
                    reason,
                });
            }
        }

        if debug_locked {
            pass.step(step_time::VERIFY_LOCK, "verify-lock");
            // Probe a mapped address: anything but a refusal means the fuse did not hold.
            let probe = target.memory_map().first().map_or(0, |region| region.base);
            if target.debug_read(pass.ctx, probe, 4) != Err(PortError::Locked) {
                return Err(StationError::LockNotEffective { device });
            }
        }

        pass.step(step_time::BOOT, "boot");
        let running = target
            .boot(pass.ctx)
            .map_err(|source| StationError::BootFailed {
                device,
                reason: source.to_string(),
            })?;
        if running.hash != pass.site.firmware_hash {
            return Err(StationError::BootFailed {
                device,
                reason: "the chip started an image other than the line's firmware".to_owned(),
            });
        }
        pass.audit(
            "station",
            "functional-test-passed",
            format!("firmware={} verified={}", running.version, running.verified),
        );
        self.test_part(pass, seed, index, self.level)
    }

    /// A secure element's end of the pass: personalisation is closed (which makes its
    /// objects operational), then its identity key answers a first-connection
    /// challenge from the station's own test key, checked against the key the vault
    /// certified.
    fn close_and_test(
        &self,
        pass: &mut Pass<'_, '_, '_>,
        seed: Seed,
        index: u64,
        target: &mut dyn Target,
        observer: &mut dyn PassObserver,
    ) -> Result<(), StationError> {
        let device = pass.device;
        pass.step(step_time::TEST_EXIT, "close-personalisation");
        pass.command(
            target,
            "close personalisation",
            Command::Transition {
                to: LifeCycle::Provisioned,
                token: None,
            },
        )?;
        pass.audit("station", "life-cycle", "state=provisioned".to_owned());
        observer.observe(LockStage::BeforeLocks, target);
        pass.step(step_time::BOOT, "functional-test");
        let mut stream = crate::labels::functional_test(seed, index);
        let tester = pass.ctx.crypto.generate_key(&mut stream);
        let challenge: [u8; 32] = stream.bytes();
        let failed = |reason: String| StationError::BootFailed { device, reason };
        let (auth, _) = target
            .authenticate(pass.ctx, &challenge, tester.public_key())
            .map_err(|e| failed(e.to_string()))?;
        let identity = pass
            .identity
            .clone()
            .ok_or_else(|| failed("no identity key was made".to_owned()))?;
        let transcript = provsim_devices::first_connection::transcript(
            &challenge,
            tester.public_key(),
            &auth.ephemeral,
        );
        pass.ctx
            .crypto
            .verify(&identity, &transcript, &auth.signature)
            .map_err(|_| failed("the identity key did not answer the challenge".to_owned()))?;
        pass.audit(
            "station",
            "functional-test-passed",
            "identity=answered".to_owned(),
        );
        self.test_part(pass, seed, index, self.level)
    }

    /// A part's test at `level`: it fails with that level's defect rate, is retested
    /// once, and is rejected if it fails again. Drawn from the device's own stream for
    /// that level, so a part's fate does not depend on where the secrets go in.
    fn test_part(
        &self,
        pass: &mut Pass<'_, '_, '_>,
        seed: Seed,
        index: u64,
        level: Level,
    ) -> Result<(), StationError> {
        let fail_ppm = u64::from(PERFECT_YIELD_PPM.saturating_sub(self.yields.at(level)));
        let mut outcomes = crate::labels::part_test(seed, index, level);
        for attempt in 1..=2u32 {
            pass.step(step_time::FINAL_TEST, "part-test");
            let passed = !outcomes.chance(fail_ppm, u64::from(PERFECT_YIELD_PPM));
            pass.audit(
                "tester",
                "part-tested",
                format!(
                    "level={} attempt={attempt} result={}",
                    level.name(),
                    if passed { "pass" } else { "fail" }
                ),
            );
            if passed {
                return Ok(());
            }
        }
        Err(StationError::FailedTest {
            device: pass.device,
            level: level.name(),
        })
    }
}

/// The vault's side of a device's exchange: checks the request names the device whose
/// keys it holds, seals each key to the transport key in the request for its slot, and
/// destroys its own copy once sealed. Runs once per device: the link answers a repeated
/// request from the vault's cache, and the HSM refuses a second wrapping anyway.
fn answer_request(
    site: &mut Site,
    ctx: &mut Ctx<'_>,
    seed: Seed,
    index: u64,
    device: DeviceId,
    keys: &DeviceKeys,
    asked: &[u8],
) -> VaultAnswer {
    let Some(request) = SecretsRequest::decode(asked) else {
        return VaultAnswer::Refused("a request that does not parse".to_owned());
    };
    if request.index != index || request.device != device {
        return VaultAnswer::Refused(format!(
            "no keys are pending for device {} (index {})",
            request.device, request.index
        ));
    }
    ctx.now += step_time::WRAP;
    let mut envelopes: Vec<(u8, Envelope)> = Vec::with_capacity(1 + keys.secrets.len());
    let mut refused = None;
    if let MadeKey::InVault { handle, .. } = &keys.identity {
        let aad = injection_context(device, IDENTITY_SLOT);
        let mut wrap_stream = crate::labels::identity_injection(seed, index);
        let sealed =
            site.hsm
                .wrap_for_device(ctx, *handle, &request.transport_key, &aad, &mut wrap_stream);
        match sealed.and_then(|envelope| site.hsm.destroy(ctx, *handle).map(|()| envelope)) {
            Ok(envelope) => envelopes.push((IDENTITY_SLOT, envelope)),
            Err(error) => refused = Some(error.to_string()),
        }
    }
    for secret in &keys.secrets {
        let aad = injection_context(device, secret.slot);
        let mut wrap_stream = crate::labels::secret_injection(seed, index, secret.slot);
        let sealed = site.hsm.wrap_secret_for_device(
            ctx,
            secret.handle,
            &request.transport_key,
            &aad,
            &mut wrap_stream,
        );
        // Destroyed whether or not the sealing worked: a key the vault could not send
        // is one it must not keep.
        let destroyed = site.hsm.destroy_secret(ctx, secret.handle);
        match (sealed, destroyed) {
            (Ok(envelope), Ok(())) => envelopes.push((secret.slot, envelope)),
            (Err(error), _) | (_, Err(error)) => {
                refused.get_or_insert(error.to_string());
            }
        }
    }
    match refused {
        Some(reason) => VaultAnswer::Refused(reason),
        None => VaultAnswer::Sealed(envelopes),
    }
}

/// The streams of device `index`'s exchange over the link.
struct DeviceLinkStreams {
    seed: Seed,
    index: u64,
}

impl crate::link::LinkStreams for DeviceLinkStreams {
    fn network(&self) -> provsim_sim::Stream {
        crate::labels::device_link_network(self.seed, self.index)
    }
    fn station(&self, k: u32) -> provsim_sim::Stream {
        crate::labels::device_link_station(self.seed, self.index, k)
    }
    fn vault(&self, k: u32) -> provsim_sim::Stream {
        crate::labels::device_link_vault(self.seed, self.index, k)
    }
}
