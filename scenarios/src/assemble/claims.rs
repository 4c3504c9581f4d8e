//! Claims as the report states them, from their judgements.

use crate::attempt::Attempt;
use crate::claims::claim::Claim;
use crate::claims::judge::Judgement;
use crate::model::ClaimInfo;
use crate::oracles::oracle::OnHonestRun;
use provsim_attacks::{Attack, Rating};

/// The claim at position `index`, judged; `attempts` are the run's, which the
/// judgement's evidence points into.
pub fn claim_info(
    index: usize,
    claim: &Claim,
    judgement: &Judgement,
    attempts: &[Attempt],
) -> ClaimInfo {
    let honest_evidence = match &judgement.on_honest_run {
        Some(OnHonestRun::Broken(why)) => Some(format!("the honest run: {why}")),
        _ => None,
    };
    let ids = |list: &[&'static dyn Attack]| list.iter().map(|a| a.id().to_owned()).collect();
    ClaimInfo {
        id: claim.id.clone(),
        control: claim.oracle.control().name().to_owned(),
        requirement: claim.requirement.clone(),
        requirement_free: !claim.listed,
        element: claim.element.name().to_owned(),
        oracle: claim.oracle.id().to_owned(),
        scope: claim.scope.describe(),
        statement: claim.statement().to_owned(),
        resistance: claim.resistance.name().to_owned(),
        stated_as: claim.eal.map(|eal| eal.to_string()),
        verdict: judgement.verdict,
        inconclusive: judgement.untested.map(|u| u.reason().to_owned()),
        broken_by: ids(&judgement.broken_by),
        lowest_breaking_total: judgement.lowest_breaking_total,
        demonstrated_resistance: judgement
            .demonstrated_resistance()
            .map(|shown| shown.map_or("none (no rating)", Rating::name).to_owned()),
        residual_risk: ids(&judgement.residual_risk),
        evidence: honest_evidence
            .into_iter()
            .chain(judgement.violated_by.iter().filter_map(|&at| {
                let attempt = attempts.get(at)?;
                let found = attempt.violation_of(index)?;
                Some(format!(
                    "{} on device {}: {}",
                    attempt.attack.id(),
                    attempt.device_id,
                    found.evidence
                ))
            }))
            .collect(),
        attempts: judgement.attempts,
        honest_run: judgement.on_honest_run.as_ref().map(|on| match on {
            OnHonestRun::Broken(why) => format!("broken: {why}"),
            OnHonestRun::Exercised(what) => format!("exercised: {what}"),
            OnHonestRun::NotExercised(why) => format!("not exercised: {why}"),
        }),
    }
}
