//! The runner: provision the lots, try every attack path on its own rebuilt devices,
//! and judge every claim by its oracle. It returns what it found, typed; turning that
//! into the report is `assemble`'s job.

use super::path::Arena;
use super::targets::{listed_targets, select_targets};
use super::what_if::{WhatIf, what_if};
use crate::attempt::Attempt;
use crate::claims::judge::{Judgement, judge, run_verdict};
use crate::error::RunError;
use crate::oracles::oracle::HonestRun;
use crate::oracles::truth::GroundTruth;
use crate::scenario::Scenario;
use crate::verdict::Verdict;
use provsim_provisioner::{Line, LineSink, LineSummary};
use provsim_sim::crypto::{Crypto, Fingerprint};
use provsim_sim::{Digest, Field, RunDigest, Seed, SimTime, Trace};

/// The device the lock sequence is replayed on for the what-if table. Every device
/// gets the same sequence, so the first stands for all.
const WHAT_IF_DEVICE: u64 = 0;

/// How to run a scenario, and how the caller named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    pub seed: u64,
    /// The scenario argument as the caller gave it (a path or a built-in's name);
    /// `None` for the built-in default. Carried into the report's reproduce value.
    pub scenario: Option<String>,
    /// Jobs that share the devices' cryptography: the line's own thread and `jobs - 1`
    /// workers ahead of it (1: the line alone). Changes how long a run takes, never
    /// what it writes.
    pub jobs: usize,
}

impl RunOptions {
    /// Options for `seed`, for a scenario named on the command line as `scenario_arg`
    /// (`None`: the built-in default).
    pub fn new(seed: u64, scenario_arg: Option<&str>) -> Self {
        RunOptions {
            seed,
            scenario: scenario_arg.map(str::to_owned),
            jobs: 1,
        }
    }

    /// The same options with `jobs` workers (see [`RunOptions::jobs`]).
    pub fn with_jobs(self, jobs: usize) -> Self {
        RunOptions { jobs, ..self }
    }
}

/// Fingerprints of the site's keys, as the line established them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SiteKeys {
    pub root_ca: Fingerprint,
    pub customer_ca: Fingerprint,
    pub firmware: Fingerprint,
}

/// Everything one run found, typed.
pub struct Run<'s> {
    pub scenario: &'s Scenario,
    pub options: RunOptions,
    /// SHA-256 over the run's site-level trace and every device's trace, in order.
    pub digest: Digest,
    /// What the line did: shipped devices, books, link, registrar, traces.
    pub line: LineSummary,
    pub keys: SiteKeys,
    pub what_if: WhatIf,
    /// Every attempt, path by path in scenario order, devices in order within a path.
    pub attempts: Vec<Attempt>,
    /// One per claim of the scenario, in its order.
    pub judgements: Vec<Judgement>,
}

impl Run<'_> {
    /// Holds when every claim holds.
    pub fn verdict(&self) -> Verdict {
        run_verdict(&self.judgements)
    }
}

/// Runs `scenario`, streaming the line's certificates and audit records to `sink`.
pub fn execute<'s>(
    scenario: &'s Scenario,
    options: &RunOptions,
    sink: &mut dyn LineSink,
) -> Result<Run<'s>, RunError> {
    let seed = Seed::new(options.seed);
    let mut config = scenario.line.clone();
    config.run = scenario.run_id(options.seed);
    let mut line = Line::establish(config, seed, scenario.lots.clone())?;
    let summary = line.run_jobs(sink, options.jobs)?;

    // The run's site-level trace: what was asked (the scenario's values and the seed),
    // the line's, then every attempt, in scenario order.
    let mut trace = Trace::new();
    trace.record(
        SimTime::ZERO,
        "scenario",
        &[
            ("input", Field::Bytes(&scenario.input.0)),
            ("seed", Field::U64(options.seed)),
        ],
    );
    trace.record(
        SimTime::ZERO,
        "line",
        &[("site-trace", Field::Bytes(&summary.site_trace.0))],
    );
    let attempts = attempt_all(scenario, &line, seed, &summary, &mut trace)?;

    let honest = HonestRun {
        shipped: summary.ledger.shipped(),
        refused: summary.rejected.len() as u64,
        // The books' own count of keys made for parts that did not ship and destroyed
        // (not the vault's, which also counts keys destroyed once sealed and sent).
        keys_destroyed: summary
            .reconciliation
            .lots
            .iter()
            .map(|lot| lot.destroyed + lot.secrets_destroyed)
            .sum(),
        findings: &summary.reconciliation.findings,
    };
    let judgements: Vec<Judgement> = scenario
        .claims
        .iter()
        .enumerate()
        .map(|(index, claim)| judge(index, claim, &attempts, &honest, scenario.line.target))
        .collect();
    for (claim, judgement) in scenario.claims.iter().zip(&judgements) {
        trace.record(
            SimTime::ZERO,
            "claim",
            &[
                ("id", Field::Str(&claim.id)),
                ("verdict", Field::Str(judgement.verdict.name())),
            ],
        );
    }
    // The devices' trace digests follow the site's, read back from the ledger.
    let mut digest = RunDigest::new(&trace.digest());
    for device in summary.ledger.traces() {
        digest.device(&device?);
    }
    let digest = digest.finish();
    Ok(Run {
        scenario,
        options: options.clone(),
        digest,
        keys: SiteKeys {
            root_ca: line.pki().root().key_fingerprint(),
            customer_ca: line.pki().customer().key_fingerprint(),
            firmware: line.firmware_key().fingerprint(),
        },
        what_if: what_if(&line, WHAT_IF_DEVICE),
        line: summary,
        attempts,
        judgements,
    })
}

/// Every path on every device it targets, each recorded in the run's trace.
fn attempt_all(
    scenario: &Scenario,
    line: &Line,
    seed: Seed,
    summary: &LineSummary,
    trace: &mut Trace,
) -> Result<Vec<Attempt>, RunError> {
    let truth = GroundTruth::from_ledger(&summary.ledger)?;
    let attacker_crypto = Crypto::new();
    let oracle_crypto = Crypto::new();
    let arena = Arena {
        scenario,
        line,
        truth: &truth,
        attacker_crypto: &attacker_crypto,
        oracle_crypto: &oracle_crypto,
    };
    let mut attempts = Vec::new();
    for (plan_index, plan) in scenario.attacks.iter().enumerate() {
        let targets = match plan.attack.position() {
            provsim_attacks::Position::RmaDesk => {
                let returned: Vec<u64> = summary.returns.iter().map(|r| r.index).collect();
                listed_targets(plan, &returned)
            }
            provsim_attacks::Position::ScrapBin => {
                // Parts rejected after their certificate was issued certainly had their
                // keys put in (a part lost earlier may hold an on-chip key at most).
                let rejected: Vec<u64> = summary
                    .rejected
                    .iter()
                    .filter(|r| r.certificate_issued)
                    .map(|r| r.index)
                    .collect();
                listed_targets(plan, &rejected)
            }
            _ => select_targets(plan_index, plan, seed, &summary.ledger),
        };
        for index in targets {
            // Each rung draws what the attacker makes up from its own stream.
            let (attempt, digest) = arena.attempt(plan, plan_index, index, seed)?;
            trace.record(
                SimTime::ZERO,
                "attempt",
                &[
                    ("attack", Field::Str(attempt.attack.id())),
                    ("device", Field::U64(index)),
                    ("outcome", Field::Str(attempt.outcome.name())),
                    ("trace", Field::Bytes(&digest)),
                    ("violates", Field::U64(attempt.violations.len() as u64)),
                ],
            );
            attempts.push(attempt);
        }
    }
    Ok(attempts)
}
