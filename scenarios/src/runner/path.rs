//! One attack path climbing its effort ladder, each rung tried on its own rebuilt copy
//! of one device (or of the site while that device was on the station), then every
//! claim's oracle over what the rung left.

use crate::attempt::{Attempt, RungAttempt, Violation, deciding_rung, keep_cheapest};
use crate::error::RunError;
use crate::labels;
use crate::oracles::oracle::{Attacked, Observation};
use crate::oracles::truth::GroundTruth;
use crate::scenario::{AttackPlan, Scenario};
use provsim_attacks::effort::{Attempted, Effort, Rung, rate};
use provsim_attacks::{Knowledge, MaterialKind, Outcome};
use provsim_devices::fault::{FaultPoint, GlitchMethod, GlitchTally};
use provsim_devices::{ChannelBreaches, DeviceId, RunningImage};
use provsim_provisioner::Line;
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, Seed, SimTime, Stream, Trace};

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

/// One rung run: the device acted on, what the attack says it did and spent, and each
/// claim it made false with the oracle's evidence.
struct RungRun {
    device_id: DeviceId,
    books: Vec<String>,
    attempted: Attempted,
    found: Vec<(usize, String)>,
    glitches: Vec<(FaultPoint, GlitchMethod, GlitchTally)>,
}

impl Arena<'_> {
    /// Climbs path `plan` (position `plan_index` in the scenario) on device `index`:
    /// each rung, cheapest first, on its own fresh copy, with its own stream, judged by
    /// every claim's oracle. The climb stops when every claim has been made false, when
    /// a rung obtained what the path is after (higher rungs would only spend more for
    /// it), unless the scenario asks to climb past success; when a rung found nothing to
    /// act on (it spent nothing: higher rungs would find the same); or when the ladder
    /// (as capped) ends. Returns the attempt and the
    /// digest of what the attacker did.
    pub fn attempt(
        &self,
        plan: &AttackPlan,
        plan_index: usize,
        index: u64,
        seed: Seed,
    ) -> Result<(Attempt, [u8; 32]), RunError> {
        let target = self.scenario.line.target;
        let mut trace = Trace::new();
        let mut rungs: Vec<RungAttempt> = Vec::new();
        let mut violations: Vec<Violation> = Vec::new();
        let mut device_id = None;
        for step in plan.rungs(target) {
            let mut rng = labels::rung(seed, plan_index, plan.attack, index, step.at);
            let mut challenge =
                labels::part_challenge(seed, plan_index, plan.attack, index, step.at);
            let RungRun {
                device_id: id,
                attempted,
                found,
                glitches,
                books,
            } = self.rung(
                plan,
                &step.rung,
                index,
                (&mut rng, &mut challenge),
                &mut trace,
            )?;
            device_id.get_or_insert(id);
            let climbed = rungs.len();
            // A rung that found nothing to act on spent nothing, set-up steps included.
            let potential = if attempted.spent.count == 0 {
                rate(
                    &Effort {
                        steps: Vec::new(),
                        ..attempted.spent.clone()
                    },
                    target,
                )
            } else {
                rate(&attempted.spent, target)
            };
            let obtained = matches!(attempted.outcome, Outcome::Obtained { .. });
            let idle = attempted.spent.count == 0;
            rungs.push(RungAttempt {
                label: step.rung.label,
                potential,
                spent: attempted.spent,
                outcome: attempted.outcome,
                violated: found.iter().map(|(claim, _)| *claim).collect(),
                aim: step.rung.aim,
                glitches,
                books,
            });
            for (claim, evidence) in found {
                let violation = Violation {
                    claim,
                    evidence,
                    rung: climbed,
                };
                keep_cheapest(&mut violations, violation, &rungs);
            }
            let all_broken = violations.len() == self.scenario.claims.len();
            if idle || (!plan.climb.past_success && (obtained || all_broken)) {
                break;
            }
        }
        violations.sort_by_key(|v| v.claim);
        let Some(device_id) = device_id else {
            return Err(RunError::NoRung {
                attack: plan.attack.id(),
            });
        };
        let deciding = deciding_rung(&rungs, &violations).unwrap_or(0);
        let attempt = Attempt {
            attack: plan.attack,
            device: index,
            device_id,
            outcome: rungs[deciding].outcome.clone(),
            potential: rungs[deciding].potential.clone(),
            rungs,
            violations,
        };
        Ok((attempt, trace.digest().0))
    }

    /// Runs one rung on its own copy of what the path acts on, then asks every claim's
    /// oracle.
    fn rung(
        &self,
        plan: &AttackPlan,
        rung: &Rung,
        index: u64,
        (rng, challenge): (&mut Stream, &mut Stream),
        trace: &mut Trace,
    ) -> Result<RungRun, RunError> {
        // What every attacker holds from the start: the maker's published releases.
        let mut knowledge = Knowledge::new();
        for image in self.line.published_firmware() {
            knowledge.learn(
                MaterialKind::PublishedImage,
                "the maker's update server",
                image.to_vec(),
            );
        }
        let mut ctx = Ctx::new(SimTime::ZERO, self.attacker_crypto, trace);
        let (device_id, attempted, observed) = self.act(
            plan,
            rung,
            index,
            (rng, challenge),
            &mut ctx,
            &mut knowledge,
        )?;
        let mut attacked = self.attacked(index, device_id, observed.booted);
        attacked.fuses_at_boot = observed.fuses_at_boot;
        attacked.started = observed.started;
        attacked.channel = observed.channel;
        attacked.life_cycle = observed.life_cycle;
        attacked.books = observed.books;
        attacked.parts = observed.parts;
        attacked.shared_identities = observed.shared_identities;
        attacked.admitted_barred = observed.admitted_barred;
        let glitches = observed.glitches;
        let books = attacked
            .books
            .iter()
            .flatten()
            .map(|f| match f.record {
                Some(record) => format!("record {record}: {}", f.what),
                None => f.what.clone(),
            })
            .collect();
        // Each claim's oracle sees the attempt within that claim's scope.
        let found = self
            .scenario
            .claims
            .iter()
            .enumerate()
            .filter_map(|(claim, c)| {
                let seen = Observation {
                    scope: &c.scope,
                    truth: self.truth,
                    attacked: &attacked,
                    knowledge: &knowledge,
                    crypto: self.oracle_crypto,
                };
                c.oracle.check(&seen).map(|evidence| (claim, evidence))
            })
            .collect();
        Ok(RungRun {
            device_id,
            attempted,
            found,
            glitches,
            books,
        })
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
            started: Vec::new(),
            fuses_at_boot: None,
            installed_counter: self.line.installed_security_counter(),
            authorised_firmware: self.line.signed_firmware_hashes().to_vec(),
            customer_ca: self.line.pki().customer().public_key().clone(),
            firmware_key: self.line.firmware_key().clone(),
            symmetric_keys: self.line.symmetric_keys(index),
            channel: ChannelBreaches::default(),
            life_cycle: None,
            books: None,
            parts: Vec::new(),
            shared_identities: Vec::new(),
            admitted_barred: Vec::new(),
        }
    }
}
