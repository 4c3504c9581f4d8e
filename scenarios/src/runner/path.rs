//! One attack path climbing its effort ladder, each rung tried on its own rebuilt copy
//! of one device (or of the site while that device was on the station), then every
//! claim's oracle over what the rung left.

use crate::attempt::{Attempt, RungAttempt, Violation, deciding_rung, keep_cheapest};
use crate::error::RunError;
use crate::labels;
use crate::oracles::oracle::{Attacked, Observation, PartAnswer};
use crate::oracles::truth::GroundTruth;
use crate::scenario::{AttackPlan, Scenario};
use provsim_attacks::effort::{Attempted, Effort, Rung, rate};
use provsim_attacks::{Knowledge, MaterialKind, Outcome, Position, Surface};
use provsim_devices::fault::{FaultPoint, GlitchMethod, GlitchTally};
use provsim_devices::{ChannelBreaches, DeviceId, LifeCycle, RunningImage, StartedImage, Target};
use provsim_provisioner::{BooksFinding, Line, SiteAccess};
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

/// What the oracles observe of the attacked device after a rung (nothing for the site).
#[derive(Default)]
struct Observed {
    booted: Option<Result<RunningImage, String>>,
    started: Vec<StartedImage>,
    fuses_at_boot: Option<u32>,
    channel: ChannelBreaches,
    life_cycle: Option<(LifeCycle, LifeCycle)>,
    glitches: Vec<(FaultPoint, GlitchMethod, GlitchTally)>,
    /// For a site or line path: the copy's books, reconciled.
    books: Option<Vec<BooksFinding>>,
    /// Each die the path took off the line, answering the oracles' challenge.
    parts: Vec<PartAnswer>,
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
        let (device_id, attempted, observed) = match plan.attack.position() {
            Position::Device => {
                let (mut target, _) = self.line.rebuild_device(index, self.attacker_crypto)?;
                let before = target.life_cycle();
                let attempted = plan.attack.run(
                    rung,
                    Surface::Device(target.as_mut()),
                    &mut ctx,
                    rng,
                    &mut knowledge,
                );
                let observed = self.observe(target.as_mut(), before);
                (target.device_id(), attempted, observed)
            }
            Position::Site | Position::Line => {
                // The site as it was while this device was on the station, or once the
                // order was done; no device of the attacker's is powered on afterwards.
                let mut site = if plan.attack.position() == Position::Line {
                    self.line.site_after_order(self.attacker_crypto)?
                } else {
                    self.line.site_during(index, self.attacker_crypto)?
                };
                let attempted = plan.attack.run(
                    rung,
                    Surface::Site(&mut site),
                    &mut ctx,
                    rng,
                    &mut knowledge,
                );
                let observed = self.observe_site(&mut site, challenge);
                (site.device_on_station(), attempted, observed)
            }
        };
        let mut attacked = self.attacked(index, device_id, observed.booted);
        attacked.fuses_at_boot = observed.fuses_at_boot;
        attacked.started = observed.started;
        attacked.channel = observed.channel;
        attacked.life_cycle = observed.life_cycle;
        attacked.books = observed.books;
        attacked.parts = observed.parts;
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
        let seen = Observation {
            truth: self.truth,
            attacked: &attacked,
            knowledge: &knowledge,
            crypto: self.oracle_crypto,
        };
        let found = self
            .scenario
            .claims
            .iter()
            .enumerate()
            .filter_map(|(claim, c)| c.oracle.check(&seen).map(|evidence| (claim, evidence)))
            .collect();
        Ok(RungRun {
            device_id,
            attempted,
            found,
            glitches,
            books,
        })
    }

    /// What the oracles observe of an attacked device once the attempt is over: its
    /// channel's counts and its life cycle (then and `before`), and, when an oracle
    /// needs it, a power-on, on the oracles' own facade and trace (it is not part of
    /// what the attacker did), with the fuses as the boot ROM will compare them.
    fn observe(&self, target: &mut dyn Target, before: LifeCycle) -> Observed {
        let mut observed = Observed {
            channel: target.channel_breaches(),
            life_cycle: Some((before, target.life_cycle())),
            started: target.started_images(),
            glitches: target.glitch_tally(),
            ..Observed::default()
        };
        if self.scenario.claims.iter().any(|c| c.oracle.needs_boot()) {
            let mut scratch = Trace::new();
            let mut ctx = Ctx::new(SimTime::ZERO, self.oracle_crypto, &mut scratch);
            observed.fuses_at_boot = Some(target.anti_rollback_fuses());
            observed.booted = Some(target.boot(&mut ctx).map_err(|e| e.to_string()));
        }
        observed
    }

    /// What the oracles observe of a site copy once the attempt is over: its books
    /// reconciled against what the run shipped, and each die taken off the line
    /// answering a fresh challenge (on the oracles' own facade and trace).
    fn observe_site(&self, site: &mut SiteAccess, challenge: &mut Stream) -> Observed {
        let shipped = |identity: &provsim_sim::crypto::Fingerprint| self.truth.device(identity);
        let books = Some(site.reconcile(&shipped));
        let mut scratch = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, self.oracle_crypto, &mut scratch);
        let parts = site
            .taken_dies()
            .filter_map(|die| {
                let nonce: [u8; 32] = challenge.bytes();
                let server = self
                    .oracle_crypto
                    .generate_key(challenge)
                    .public_key()
                    .clone();
                let (answer, _) = die.authenticate(&mut ctx, &nonce, &server).ok()?;
                Some(PartAnswer {
                    nonce,
                    server,
                    answer,
                })
            })
            .collect();
        Observed {
            books,
            parts,
            ..Observed::default()
        }
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
            symmetric_keys: self.line.symmetric_keys(index),
            channel: ChannelBreaches::default(),
            life_cycle: None,
            books: None,
            parts: Vec::new(),
        }
    }
}
