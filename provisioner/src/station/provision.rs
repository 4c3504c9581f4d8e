//! The station itself, and the order of a device's pass through it.

use crate::books::audit::record::{AuditRecord, detail_hex};
use crate::device_streams::DeviceStreams;
use crate::level::{Level, Yields};
use crate::link::session::LinkSession;
use crate::pki::certificate::IssuedCertificate;
use crate::site::Site;
use crate::station::authenticate::authenticate_part;
use crate::station::config::StationConfig;
use crate::station::error::StationError;
use crate::station::inject::inject_and_write;
use crate::station::keygen::{make_identity, make_symmetric_keys};
use crate::station::keys::{DeviceKeys, MadeKey};
use crate::station::lock::{close_personalisation, enter_test, leave_test_and_lock};
use crate::station::observer::PassObserver;
use crate::station::pass::{Pass, unexpected};
use crate::station::scrap::destroy_secrets;
use crate::station::test::{boot_test, challenge_test, test_part};
use crate::station::timing;
use crate::vault::secrets::SecretsProfile;
use provsim_devices::{Command, Response, Target};
use provsim_sim::crypto::PublicKey;
use provsim_sim::{Ctx, SimDuration, SimTime};

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
    /// Whether a rejected part that may hold keys is wiped before it is binned (off:
    /// the `scrap-without-wipe` weakness).
    wipe_scrap: bool,
    /// The chip maker's die CA, when the station authenticates each part against it
    /// before the vault seals or certifies anything for it (see `authenticate`).
    part_authority: Option<PublicKey>,
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
            wipe_scrap: true,
            part_authority: None,
        }
    }

    /// The same station, authenticating every part against the chip maker's die CA
    /// `maker` before the vault seals or certifies anything for it.
    pub fn authenticating_parts(mut self, maker: PublicKey) -> Self {
        self.part_authority = Some(maker);
        self
    }

    /// The same station, binning rejected parts as they are, keys and all.
    pub fn without_scrap_wipe(mut self) -> Self {
        self.wipe_scrap = false;
        self
    }

    pub fn config(&self) -> &StationConfig {
        &self.config
    }

    /// The tester id device records carry.
    pub fn name(&self) -> &'static str {
        self.level.tester()
    }

    /// Provisions the device whose streams are `device`. On failure the identity key,
    /// if it was made, is destroyed in the HSM before the error is returned, so no key
    /// is left behind for a device that will not ship.
    ///
    /// `ctx.now` is device-relative (zero at arrival); audit records carry
    /// `arrival + ctx.now`.
    #[allow(clippy::too_many_arguments)]
    pub fn provision(
        &self,
        site: &mut Site,
        link: &mut LinkSession,
        ctx: &mut Ctx<'_>,
        device: DeviceStreams,
        arrival: SimTime,
        target: &mut dyn Target,
        audit: &mut Vec<AuditRecord>,
        observer: &mut dyn PassObserver,
    ) -> Result<StationCycle, StationError> {
        let mut pass = Pass {
            site,
            link,
            ctx,
            arrival,
            device: target.device_id(),
            streams: device,
            audit,
            key_sent: false,
            wipe_scrap: self.wipe_scrap,
            identity: None,
            certificate: None,
        };
        let started = pass.ctx.now;

        // The tests a part meets before it reaches this station: a failure there loses
        // a part with nothing in it.
        for level in Level::ALL.into_iter().filter(|&l| l < self.level) {
            test_part(&mut pass, &self.yields, level)?;
        }

        pass.step(timing::CONNECT, "connect");
        let info = match pass.command(target, "identify", Command::GetInfo)? {
            Response::Info(info) => info,
            other => return Err(unexpected(pass.device, "identify", other)),
        };
        pass.audit(
            "station",
            "device-identified",
            detail_hex("transport", &info.transport_key.fingerprint().0),
        );
        enter_test(&mut pass, target, info.life_cycle)?;

        let made = make_identity(&mut pass, self.secrets.identity, target)?;
        pass.identity = Some(made.identity().clone());
        let keys = DeviceKeys {
            secrets: make_symmetric_keys(&mut pass, &self.secrets.symmetric_keys),
            identity: made,
        };
        observer.key_in_flight(pass.site);

        let made_on_chip = match &keys.identity {
            MadeKey::OnChip { identity, .. } => Some(identity.clone()),
            MadeKey::InVault { .. } => None,
        };
        let genuine = match &self.part_authority {
            Some(maker) => authenticate_part(
                &mut pass,
                target,
                maker,
                &info.transport_key,
                made_on_chip.as_ref(),
            ),
            None => Ok(()),
        };
        let result = genuine
            .and_then(|()| inject_and_write(&mut pass, target, &keys, &info.transport_key))
            .and_then(|certificate| {
                self.lock_and_test(&mut pass, target, observer)?;
                // The tests after this station: a part failing one takes its secrets
                // with it, so they are destroyed below like any rejected part's.
                for level in Level::ALL.into_iter().filter(|&l| l > self.level) {
                    test_part(&mut pass, &self.yields, level)?;
                }
                Ok(certificate)
            });
        if result.is_err() {
            destroy_secrets(&mut pass, target, &keys)?;
            if let Some(certificate) = &pass.certificate {
                observer.rejected_after_issue(certificate);
            }
        }
        let certificate = result?;
        Ok(StationCycle {
            identity: keys.identity.identity().clone(),
            certificate,
            duration: pass.ctx.now - started,
        })
    }

    /// Leaves test and runs the lock sequence, then the functional test (the firmware
    /// boots; a secure element is closed and its identity key answers a challenge
    /// instead), then the part's test at this station's level.
    fn lock_and_test(
        &self,
        pass: &mut Pass<'_, '_, '_>,
        target: &mut dyn Target,
        observer: &mut dyn PassObserver,
    ) -> Result<(), StationError> {
        if target.kind().runs_firmware() {
            leave_test_and_lock(pass, &self.config, target, observer)?;
            boot_test(pass, target)?;
        } else {
            close_personalisation(pass, target, observer)?;
            challenge_test(pass, target)?;
        }
        test_part(pass, &self.yields, self.level)
    }
}
