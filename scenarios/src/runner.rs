//! The runner: provision the lots, try every attack path on its own rebuilt devices,
//! judge every claim by its oracle, and assemble the report.

use crate::claims::{Attacked, GroundTruth, violation};
use crate::error::RunError;
use crate::report::*;
use crate::scenario::{AttackPlan, ClaimSpec, Scenario, Targets};
use provsim_attacks::{AttackPotential, Knowledge, Position, Rating, Surface};
use provsim_provisioner::link::{FateCounts, LinkConfig, LinkStats};
use provsim_provisioner::{Line, LineSink, LineSummary};
use provsim_sim::crypto::{Crypto, OpCounts};
use provsim_sim::{Ctx, Field, Seed, SimTime, Stream, Trace, run_digest};

/// The device the lock sequence is replayed on for the what-if table. Every device
/// gets the same sequence, so the first stands for all.
const WHAT_IF_DEVICE: u64 = 0;

/// How to run a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    pub seed: u64,
    /// The command line that reproduces the run, carried into the report.
    pub reproduce: String,
}

impl RunOptions {
    /// Options for `seed`, with the reproduce line for a scenario named on the command
    /// line as `scenario_arg` (`None`: the built-in default).
    pub fn new(seed: u64, scenario_arg: Option<&str>) -> Self {
        let reproduce = match scenario_arg {
            Some(arg) => format!("provsim run {} --seed {seed}", shell_quote(arg)),
            None => format!("provsim run --seed {seed}"),
        };
        RunOptions { seed, reproduce }
    }
}

/// Quotes `arg` for a POSIX shell when it needs it.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=+@%,".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// Runs `scenario`, streaming the line's certificates and audit records to `sink`.
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
    sink: &mut dyn LineSink,
) -> Result<RunReport, RunError> {
    let seed = Seed::new(options.seed);
    let mut line = Line::establish(scenario.line.clone(), seed, scenario.lots.clone())?;
    let summary = line.run(sink)?;

    let truth = GroundTruth::new(&summary.shipped);

    // The run's site-level trace: the line's, then every attempt, in scenario order.
    let mut trace = Trace::new();
    trace.record(
        SimTime::ZERO,
        "line",
        &[("site-trace", Field::Bytes(&summary.site_trace.0))],
    );
    let attacker_crypto = Crypto::new();
    let oracle_crypto = Crypto::new();
    let mut attempts = Vec::new();
    for (plan_index, plan) in scenario.attacks.iter().enumerate() {
        for index in select_targets(plan_index, plan, seed, &summary) {
            // Each attempt draws what the attacker makes up from its own stream.
            let mut rng = crate::labels::attempt(seed, plan_index, plan.attack, index);
            let attempt = attempt(
                scenario,
                &line,
                plan,
                index,
                &mut rng,
                &truth,
                &attacker_crypto,
                &oracle_crypto,
            )?;
            trace.record(
                SimTime::ZERO,
                "attempt",
                &[
                    ("attack", Field::Str(&attempt.0.attack)),
                    ("device", Field::U64(index)),
                    ("outcome", Field::Str(&attempt.0.outcome)),
                    ("trace", Field::Bytes(&attempt.1)),
                    ("violates", Field::U64(attempt.0.violates.len() as u64)),
                ],
            );
            attempts.push(attempt.0);
        }
    }

    let claims: Vec<ClaimInfo> = scenario
        .claims
        .iter()
        .map(|spec| judge(spec, &attempts))
        .collect();
    for claim in &claims {
        trace.record(
            SimTime::ZERO,
            "claim",
            &[
                ("id", Field::Str(&claim.id)),
                ("verdict", Field::Str(claim.verdict.name())),
            ],
        );
    }
    let digest = run_digest(&trace.digest(), &summary.device_traces);
    let verdict = if claims.iter().all(|c| c.verdict == Verdict::Holds) {
        Verdict::Holds
    } else {
        Verdict::Broken
    };

    Ok(RunReport {
        tool: format!("provsim {}", env!("CARGO_PKG_VERSION")),
        scenario: ScenarioInfo {
            name: scenario.name.clone(),
            title: scenario.title.clone(),
            source: scenario.source.clone(),
        },
        seed: options.seed,
        trace_digest: digest.to_string(),
        reproduce: options.reproduce.clone(),
        verdict,
        site: SiteInfo {
            name: scenario.line.names.site.clone(),
            customer: scenario.line.names.customer.clone(),
            custody: scenario.line.custody.name().to_owned(),
            key_residence: scenario.line.custody.key_residence().to_owned(),
            certification_authorised_by: scenario
                .line
                .custody
                .certification_authorised_by()
                .to_owned(),
            identity_origin: scenario.line.secrets.identity.name().to_owned(),
            symmetric_keys: scenario.line.secrets.symmetric_keys.clone(),
            level: scenario.line.level.name().to_owned(),
            target: scenario.line.target.name().to_owned(),
            countermeasures: scenario.line.countermeasures.describe(scenario.line.target),
            lock_steps: scenario
                .line
                .station
                .lock_steps
                .iter()
                .map(ToString::to_string)
                .collect(),
            root_custodians: scenario.line.quorum.custodians,
            root_quorum: scenario.line.quorum.threshold,
            root_ca_key: line.pki().root().key_fingerprint().to_string(),
            customer_ca_key: line.pki().customer().key_fingerprint().to_string(),
            firmware_key: line.firmware_key().fingerprint().to_string(),
        },
        line: line_info(scenario, &summary),
        devices: devices_info(&summary),
        locks: crate::locks::what_if(&line, WHAT_IF_DEVICE),
        attempts,
        claims,
        costs: costs_info(scenario),
    })
}

fn costs_info(scenario: &Scenario) -> CostsInfo {
    let volume = scenario.volume();
    CostsInfo {
        currency: scenario.currency.clone(),
        volume,
        configurations: scenario
            .costs
            .iter()
            .map(|(custody, model)| CostInfo {
                custody: custody.name().to_owned(),
                chosen: *custody == scenario.line.custody,
                setup_micro: model.setup_micro,
                per_unit_micro: model.per_unit_micro,
                setup_weeks: model.setup_weeks,
                total_micro: model.total_micro(volume),
                per_device_micro: model.per_device_micro(volume),
            })
            .collect(),
    }
}

/// The shipped devices an attack path targets, in device order. A sample is drawn from
/// the path's own stream (labelled with its position in the scenario and its attack),
/// so it depends on no other path, and two paths with the same attack draw apart.
/// Listed devices that did not ship (rejected by the station) are not attacked.
fn select_targets(
    plan_index: usize,
    plan: &AttackPlan,
    seed: Seed,
    summary: &LineSummary,
) -> Vec<u64> {
    let shipped: Vec<u64> = summary.shipped.iter().map(|d| d.index).collect();
    let mut chosen = match &plan.targets {
        Targets::All => shipped,
        Targets::Devices(list) => list
            .iter()
            .copied()
            .filter(|i| shipped.binary_search(i).is_ok())
            .collect(),
        Targets::Sample(n) => {
            let mut pool = shipped;
            let take = (*n as usize).min(pool.len());
            let mut stream = crate::labels::targets(seed, plan_index, plan.attack);
            for i in 0..take {
                let j = i + stream.below((pool.len() - i) as u64) as usize;
                pool.swap(i, j);
            }
            pool.truncate(take);
            pool
        }
    };
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}

/// One attack path on its own rebuilt copy of one device. Returns the attempt and the
/// digest of what the attacker did to the device.
#[allow(clippy::too_many_arguments)]
fn attempt(
    scenario: &Scenario,
    line: &Line,
    plan: &AttackPlan,
    index: u64,
    rng: &mut Stream,
    truth: &GroundTruth<'_>,
    attacker_crypto: &Crypto,
    oracle_crypto: &Crypto,
) -> Result<(AttemptInfo, [u8; 32]), RunError> {
    let mut trace = Trace::new();
    let mut knowledge = Knowledge::new();
    let mut ctx = Ctx::new(SimTime::ZERO, attacker_crypto, &mut trace);
    let (device_id, outcome, booted) = match plan.attack.position() {
        Position::Device => {
            let (mut target, _) = line.rebuild_device(index, attacker_crypto)?;
            let outcome = plan.attack.run(
                Surface::Device(target.as_mut()),
                &mut ctx,
                rng,
                &mut knowledge,
            );
            // Powering the device on after the attempt is the oracle's observation, on
            // its own facade and trace: it is not part of what the attacker did.
            let booted = scenario
                .claims
                .iter()
                .any(|c| c.kind.needs_boot())
                .then(|| {
                    let mut scratch = Trace::new();
                    let mut ctx = Ctx::new(SimTime::ZERO, oracle_crypto, &mut scratch);
                    target.boot(&mut ctx).map_err(|e| e.to_string())
                });
            (target.device_id(), outcome, booted)
        }
        Position::Site => {
            // The site as it was while this device was on the station; no device of
            // the attacker's is powered on afterwards.
            let mut site = line.site_during(index, attacker_crypto)?;
            let outcome = plan
                .attack
                .run(Surface::Site(&mut site), &mut ctx, rng, &mut knowledge);
            (site.device_on_station(), outcome, None)
        }
    };
    let potential = plan.attack.potential(scenario.line.target);
    let attacked = Attacked {
        device: device_id,
        identity_secret: line
            .identity_key(index, oracle_crypto)
            .expose_secret_bytes(),
        booted,
        authorised_firmware: *line.firmware_hash(),
        customer_ca: line.pki().customer().public_key().clone(),
        symmetric_keys: line.symmetric_keys(index),
    };
    let violates = scenario
        .claims
        .iter()
        .filter_map(|claim| {
            violation(claim.kind, truth, &attacked, &knowledge, oracle_crypto).map(|evidence| {
                ViolationInfo {
                    claim: claim.kind.id().to_owned(),
                    evidence,
                }
            })
        })
        .collect();
    let info = AttemptInfo {
        attack: plan.attack.id().to_owned(),
        phase: plan.attack.phase().name().to_owned(),
        position: plan.attack.position().name().to_owned(),
        device: index,
        device_id: device_id.to_string(),
        outcome: outcome.name().to_owned(),
        why: outcome.why().to_owned(),
        potential: potential_info(&potential),
        violates,
    };
    Ok((info, trace.digest().0))
}

fn potential_info(p: &AttackPotential) -> PotentialInfo {
    PotentialInfo {
        total: p.total(),
        rating: p.rating().map(|r| r.name().to_owned()),
        elapsed_time: p.elapsed.label().to_owned(),
        expertise: p.expertise.label().to_owned(),
        knowledge_of_toe: p.knowledge.label().to_owned(),
        window_of_opportunity: p.window.label().to_owned(),
        equipment: p.equipment.label().to_owned(),
        rationale: p.rationale.to_owned(),
    }
}

/// A claim's verdict over all attempts: broken when an attempt within the claimed attack
/// potential violated it; a violation beyond the claimed potential is residual risk.
fn judge(spec: &ClaimSpec, attempts: &[AttemptInfo]) -> ClaimInfo {
    let id = spec.kind.id();
    let mut broken_by = Vec::new();
    let mut residual_risk = Vec::new();
    let mut evidence = Vec::new();
    let mut lowest: Option<u32> = None;
    for attempt in attempts {
        let Some(found) = attempt.violates.iter().find(|v| v.claim == id) else {
            continue;
        };
        evidence.push(format!(
            "{} on device {}: {}",
            attempt.attack, attempt.device_id, found.evidence
        ));
        let total = attempt.potential.total;
        if let Some(total) = total {
            lowest = Some(lowest.map_or(total, |l| l.min(total)));
        }
        let within = total.is_some_and(|t| spec.resistance.covers(Rating::from_total(t)));
        let list = if within {
            &mut broken_by
        } else {
            &mut residual_risk
        };
        if !list.contains(&attempt.attack) {
            list.push(attempt.attack.clone());
        }
    }
    ClaimInfo {
        id: id.to_owned(),
        requirement: spec.kind.requirement().to_owned(),
        statement: spec.kind.statement().to_owned(),
        resistance: spec.resistance.name().to_owned(),
        verdict: if broken_by.is_empty() {
            Verdict::Holds
        } else {
            Verdict::Broken
        },
        broken_by,
        lowest_breaking_total: lowest,
        demonstrated_resistance: lowest.map(|total| {
            Rating::from_total(total)
                .resistance_shown()
                .map_or("none (no rating)", Rating::name)
                .to_owned()
        }),
        residual_risk,
        evidence,
        attempts: attempts.len() as u64,
    }
}

fn devices_info(summary: &LineSummary) -> DevicesInfo {
    let mut all = provsim_sim::crypto::Sha256::new();
    for device in &summary.shipped {
        all.update(&device.identity.0);
    }
    DevicesInfo {
        count: summary.shipped.len() as u64,
        identities_digest: provsim_sim::to_hex(&all.finalize()),
        first_identities: summary
            .shipped
            .iter()
            .take(LISTED_IDENTITIES)
            .map(|d| d.identity.to_string())
            .collect(),
    }
}

fn reconciliation_info(
    scenario: &Scenario,
    books: &provsim_provisioner::Reconciliation,
) -> ReconciliationInfo {
    let lots: Vec<LotBalanceInfo> = books
        .lots
        .iter()
        .map(|b| LotBalanceInfo {
            // Device ids number lots from 1 in scenario order.
            lot: scenario
                .lots
                .get(usize::from(b.lot).wrapping_sub(1))
                .map_or_else(|| format!("lot {}", b.lot), |lot| lot.name.clone()),
            keys_made: b.keys_made,
            shipped: b.shipped,
            destroyed: b.destroyed,
            secrets_made: b.secrets_made,
            secrets_shipped: b.secrets_shipped,
            secrets_destroyed: b.secrets_destroyed,
            balanced: b.balanced(),
        })
        .collect();
    ReconciliationInfo {
        balanced: books.findings.is_empty() && lots.iter().all(|l| l.balanced),
        tests: books
            .tests
            .iter()
            .map(|t| LevelTestInfo {
                level: t.level.name().to_owned(),
                yield_ppm: scenario.line.yields.at(t.level),
                first_pass: t.first_pass,
                retest_pass: t.retest_pass,
                failed: t.failed,
            })
            .collect(),
        lots,
        duplicate_identities: books.duplicate_identities,
        order: books.order.as_ref().map(|o| OrderInfo {
            number: o.number.clone(),
            ordered: o.ordered,
            shipped: o.shipped,
            short: o.ordered.saturating_sub(o.shipped),
            over: o.shipped.saturating_sub(o.ordered),
        }),
        returns: ReturnTallyInfo {
            returned: books.returns.returned,
            rma_wiped: books.returns.rma_wiped,
            rma_unverified: books.returns.rma_unverified,
            physically_destroyed: books.returns.physically_destroyed,
        },
        findings: books.findings.clone(),
    }
}

fn line_info(scenario: &Scenario, summary: &LineSummary) -> LineInfo {
    let ops: OpCounts = summary.crypto;
    LineInfo {
        lots: scenario
            .lots
            .iter()
            .map(|lot| LotInfo {
                name: lot.name.clone(),
                devices: lot.devices,
            })
            .collect(),
        devices_started: summary.device_traces.len() as u64,
        virtual_time_ns: summary.finished_at.as_nanos(),
        events: summary.events,
        audit: AuditInfo {
            records: summary.audit_records,
            head: summary.audit_head.to_string(),
        },
        hsm: HsmInfo {
            keys_generated: summary.hsm.generated,
            keys_restored: summary.hsm.restored,
            keys_wrapped: summary.hsm.wrapped,
            keys_destroyed: summary.hsm.destroyed,
            certificates_signed: summary.hsm.certificates_signed,
            secrets_generated: summary.hsm.secrets_generated,
            secrets_destroyed: summary.hsm.secrets_destroyed,
        },
        crypto_ops: CryptoOps {
            keygen: ops.keygen,
            key_import: ops.key_import,
            sign: ops.sign,
            verify: ops.verify,
            ecdh: ops.ecdh,
            sha256: ops.sha256,
            kdf: ops.kdf,
            aead_seal: ops.aead_seal,
            aead_open: ops.aead_open,
        },
        reconciliation: reconciliation_info(scenario, &summary.reconciliation),
        rejected: summary
            .rejected
            .iter()
            .map(|r| RejectedInfo {
                device: r.index,
                device_id: r.device_id.to_string(),
                reason: r.reason.clone(),
            })
            .collect(),
        registrar: RegistrarInfo {
            enrolled: summary.registrar.enrolled,
            authenticated: summary.registrar.authenticated,
            refused: summary.registrar.refused,
            refused_devices: summary
                .refused_at_first_connection
                .iter()
                .map(|(device, reason)| RefusedInfo {
                    device: *device,
                    reason: reason.clone(),
                })
                .collect(),
        },
        link: link_info(&scenario.line.link, &summary.link),
        returns: summary
            .returns
            .iter()
            .map(|r| ReturnInfo {
                device: r.index,
                device_id: r.device_id.to_string(),
                identity: r.identity.to_string(),
                outcome: r.outcome.name().to_owned(),
                detail: r.detail.clone(),
            })
            .collect(),
    }
}

fn link_info(config: &LinkConfig, stats: &LinkStats) -> LinkInfo {
    let fate = |c: FateCounts| FateInfo {
        accepted: c.accepted,
        refused: c.refused,
    };
    LinkInfo {
        drop_ppm: config.faults.drop_ppm,
        duplicate_ppm: config.faults.duplicate_ppm,
        tamper_ppm: config.faults.tamper_ppm,
        replay_ppm: config.faults.replay_ppm,
        latency_ns: config.latency.as_nanos(),
        jitter_ns: config.faults.jitter.as_nanos(),
        resend_after_ns: config.policy.resend_after.as_nanos(),
        resends_per_session: config.policy.resends_per_link,
        handshakes_per_exchange: config.policy.handshakes,
        on_failure: config.on_failure.name().to_owned(),
        sessions_made: stats.sessions_made,
        exchanges: stats.exchanges,
        answered: stats.answered,
        failed: stats.failed,
        handshakes: stats.handshakes,
        requests: stats.requests,
        intact: fate(stats.intact),
        duplicated: fate(stats.duplicate),
        tampered: fate(stats.tampered),
        replayed: fate(stats.replayed),
        stopped_before: stats.stopped_before,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::ClaimKind;
    use provsim_attacks::AvaVan;

    fn attempt(attack: &str, total: Option<u32>, violates: bool) -> AttemptInfo {
        AttemptInfo {
            attack: attack.to_owned(),
            phase: "field".to_owned(),
            position: "device".to_owned(),
            device: 0,
            device_id: "0".to_owned(),
            outcome: "obtained".to_owned(),
            why: String::new(),
            potential: PotentialInfo {
                total,
                rating: None,
                elapsed_time: String::new(),
                expertise: String::new(),
                knowledge_of_toe: String::new(),
                window_of_opportunity: String::new(),
                equipment: String::new(),
                rationale: String::new(),
            },
            violates: if violates {
                vec![ViolationInfo {
                    claim: ClaimKind::IdentityKeyConfidentiality.id().to_owned(),
                    evidence: "e".to_owned(),
                }]
            } else {
                Vec::new()
            },
        }
    }

    fn spec(resistance: AvaVan) -> ClaimSpec {
        ClaimSpec {
            kind: ClaimKind::IdentityKeyConfidentiality,
            resistance,
        }
    }

    /// A break by an attack needing High potential (20 points) is residual risk for a
    /// claim at AVA_VAN.4 (Moderate attackers) and breaks a claim at AVA_VAN.5.
    #[test]
    fn a_break_beyond_the_claimed_level_is_residual_risk() {
        let attempts = [
            attempt("lab", Some(20), true),
            attempt("probe", Some(4), false),
        ];
        let at4 = judge(&spec(AvaVan::Van4), &attempts);
        assert_eq!(at4.verdict, Verdict::Holds);
        assert_eq!(at4.residual_risk, ["lab"]);
        assert!(at4.broken_by.is_empty());
        assert_eq!(at4.lowest_breaking_total, Some(20));
        assert_eq!(at4.demonstrated_resistance.as_deref(), Some("Moderate"));

        let at5 = judge(&spec(AvaVan::Van5), &attempts);
        assert_eq!(at5.verdict, Verdict::Broken);
        assert_eq!(at5.broken_by, ["lab"]);
        assert!(at5.residual_risk.is_empty());
    }

    #[test]
    fn the_lowest_breaking_total_wins_and_unexploitable_paths_never_break() {
        let attempts = [
            attempt("lab", Some(20), true),
            attempt("probe", Some(12), true),
            attempt("ghost", None, true),
        ];
        let claim = judge(&spec(AvaVan::Van3), &attempts);
        assert_eq!(claim.broken_by, ["probe"]);
        assert_eq!(claim.residual_risk, ["lab", "ghost"]);
        assert_eq!(claim.lowest_breaking_total, Some(12));
        assert_eq!(claim.demonstrated_resistance.as_deref(), Some("Basic"));
        assert_eq!(claim.evidence.len(), 3);
    }
}
