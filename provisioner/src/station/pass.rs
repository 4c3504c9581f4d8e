//! One device's pass through the station: what every step works with, and the three
//! things every step does (take time, write an audit record, command the chip).

use crate::books::audit::record::AuditRecord;
use crate::device_streams::DeviceStreams;
use crate::link::session::LinkSession;
use crate::pki::certificate::IssuedCertificate;
use crate::site::Site;
use crate::station::error::StationError;
use provsim_devices::{Command, DeviceId, Response, Target};
use provsim_sim::crypto::PublicKey;
use provsim_sim::{Ctx, Field, SimDuration, SimTime};

/// A device on the station: the site and link it is served by, its clock and trace,
/// its own streams, and what the pass has done to it so far.
pub(super) struct Pass<'s, 'c, 'x> {
    pub site: &'s mut Site,
    pub link: &'s mut LinkSession,
    pub ctx: &'s mut Ctx<'c>,
    /// When the device arrived: audit records carry `arrival + ctx.now`.
    pub arrival: SimTime,
    pub device: DeviceId,
    /// The device's own streams: every draw the pass makes for it.
    pub streams: DeviceStreams,
    pub audit: &'x mut Vec<AuditRecord>,
    /// The sealed identity key was sent to the chip: from then on the chip may hold it,
    /// whatever it answered.
    pub key_sent: bool,
    /// Whether a part that will not ship is wiped before it is binned.
    pub wipe_scrap: bool,
    /// The device's identity public key, once made.
    pub identity: Option<PublicKey>,
    /// The device's certificate, once issued: a device rejected after that has a
    /// certificate in the world that the CRL must revoke.
    pub certificate: Option<IssuedCertificate>,
}

impl Pass<'_, '_, '_> {
    /// A step of the pass, taking `took` of the device's time.
    pub fn step(&mut self, took: SimDuration, action: &'static str) {
        self.ctx.now += took;
        self.ctx
            .record("station-step", &[("action", Field::Str(action))]);
    }

    /// An audit record about this device, at the site's time.
    pub fn audit(&mut self, actor: &'static str, action: &'static str, detail: String) {
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

    /// A command to the chip; a refusal fails the step.
    pub fn command(
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

/// The chip answered `step` with something it should not have.
pub(super) fn unexpected(device: DeviceId, step: &'static str, answer: Response) -> StationError {
    StationError::UnexpectedResponse {
        device,
        step,
        answer: format!("{answer:?}"),
    }
}
