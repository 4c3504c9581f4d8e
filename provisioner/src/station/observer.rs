//! What a watcher of a device's pass is shown: the what-if report's probes at each
//! stage of the lock sequence, and a site attack's moment with a key in flight.

use crate::pki::certificate::IssuedCertificate;
use crate::site::Site;
use crate::station::config::LockStep;
use provsim_devices::Target;

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

    /// The device is rejected after its certificate was issued (its secrets already
    /// destroyed): the certificate will never ship, and must be revoked.
    fn rejected_after_issue(&mut self, _certificate: &IssuedCertificate) {}
}

impl PassObserver for () {}
