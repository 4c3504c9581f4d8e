//! One attack path tried on its own rebuilt copy of one device (or of the site while
//! that device was on the station), then every claim's oracle over what it left.

use crate::attempt::{Attempt, Violation};
use crate::error::RunError;
use crate::oracles::oracle::{Attacked, Observation};
use crate::oracles::truth::GroundTruth;
use crate::scenario::{AttackPlan, Scenario};
use provsim_attacks::{Knowledge, Position, Surface};
use provsim_devices::{DeviceId, RunningImage};
use provsim_provisioner::Line;
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, SimTime, Stream, Trace};

/// What every attempt of a run shares: the scenario, the provisioned line, ground
/// truth, and the two facades (the attacker's work and the oracles' checks are counted
/// apart, and neither is charged to the line).
pub struct Arena<'a> {
    pub scenario: &'a Scenario,
    pub line: &'a Line,
    pub truth: &'a GroundTruth,
    pub attacker_crypto: &'a Crypto,
    pub oracle_crypto: &'a Crypto,
}

impl Arena<'_> {
    /// Tries `plan` on device `index`, drawing what the attacker makes up from `rng`.
    /// Returns the attempt and the digest of what the attacker did.
    pub fn attempt(
        &self,
        plan: &AttackPlan,
        index: u64,
        rng: &mut Stream,
    ) -> Result<(Attempt, [u8; 32]), RunError> {
        let mut trace = Trace::new();
        let mut knowledge = Knowledge::new();
        let mut ctx = Ctx::new(SimTime::ZERO, self.attacker_crypto, &mut trace);
        let (device_id, outcome, booted) = match plan.attack.position() {
            Position::Device => {
                let (mut target, _) = self.line.rebuild_device(index, self.attacker_crypto)?;
                let outcome = plan.attack.run(
                    Surface::Device(target.as_mut()),
                    &mut ctx,
                    rng,
                    &mut knowledge,
                );
                // Powering the device on after the attempt is the oracle's observation,
                // on its own facade and trace: it is not part of what the attacker did.
                let booted = self
                    .scenario
                    .claims
                    .iter()
                    .any(|c| c.oracle.needs_boot())
                    .then(|| {
                        let mut scratch = Trace::new();
                        let mut ctx = Ctx::new(SimTime::ZERO, self.oracle_crypto, &mut scratch);
                        target.boot(&mut ctx).map_err(|e| e.to_string())
                    });
                (target.device_id(), outcome, booted)
            }
            Position::Site => {
                // The site as it was while this device was on the station; no device of
                // the attacker's is powered on afterwards.
                let mut site = self.line.site_during(index, self.attacker_crypto)?;
                let outcome =
                    plan.attack
                        .run(Surface::Site(&mut site), &mut ctx, rng, &mut knowledge);
                (site.device_on_station(), outcome, None)
            }
        };
        let attacked = self.attacked(index, device_id, booted);
        let seen = Observation {
            truth: self.truth,
            attacked: &attacked,
            knowledge: &knowledge,
            crypto: self.oracle_crypto,
        };
        let violations = self
            .scenario
            .claims
            .iter()
            .enumerate()
            .filter_map(|(claim, c)| {
                c.oracle
                    .check(&seen)
                    .map(|evidence| Violation { claim, evidence })
            })
            .collect();
        let attempt = Attempt {
            attack: plan.attack,
            device: index,
            device_id,
            outcome,
            potential: plan.attack.potential(self.scenario.line.target),
            violations,
        };
        Ok((attempt, trace.digest().0))
    }

    /// The attacked device's ground truth, re-derived from the seed.
    fn attacked(
        &self,
        index: u64,
        device: DeviceId,
        booted: Option<Result<RunningImage, String>>,
    ) -> Attacked {
        Attacked {
            device,
            identity_secret: self
                .line
                .identity_key(index, self.oracle_crypto)
                .expose_secret_bytes(),
            booted,
            authorised_firmware: *self.line.firmware_hash(),
            customer_ca: self.line.pki().customer().public_key().clone(),
            symmetric_keys: self.line.symmetric_keys(index),
        }
    }
}
