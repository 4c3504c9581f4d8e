//! The claims x attacks matrix: for each claim, what each attack path of the scenario
//! did to it. A path whose position cannot make the claim false is not applicable (a
//! probe on one device cannot test whether the site's books name an identity); one that
//! could but spent nothing (every rung returned before acting) did not act; otherwise it
//! broke the claim within the claimed resistance, broke it beyond (residual risk), or
//! was resisted. It is what a claim's verdict rests on, laid out for an evaluator.

use crate::attempt::Attempt;
use crate::claims::claim::Claim;
use crate::model::{ApplicabilityCell, ApplicabilityRow};
use crate::scenario::Scenario;
use provsim_attacks::Rating;

/// One row per claim, one cell per attack path, in the scenario's orders.
pub fn applicability(scenario: &Scenario, attempts: &[Attempt]) -> Vec<ApplicabilityRow> {
    scenario
        .claims
        .iter()
        .enumerate()
        .map(|(index, claim)| ApplicabilityRow {
            claim: claim.id.clone(),
            cells: scenario
                .attacks
                .iter()
                .map(|plan| ApplicabilityCell {
                    attack: plan.attack.id().to_owned(),
                    status: cell(index, claim, plan.attack.id(), attempts),
                })
                .collect(),
        })
        .collect()
}

fn cell(index: usize, claim: &Claim, attack: &str, attempts: &[Attempt]) -> String {
    let of_path: Vec<&Attempt> = attempts
        .iter()
        .filter(|a| a.attack.id() == attack)
        .collect();
    let Some(first) = of_path.first() else {
        return "not run".to_owned();
    };
    if !claim.oracle.tried_by(first.attack.position()) {
        return "not applicable".to_owned();
    }
    let totals: Vec<Option<u32>> = of_path
        .iter()
        .filter_map(|a| a.breaking_potential(index).map(|p| p.total()))
        .collect();
    let within = totals
        .iter()
        .any(|t| t.is_some_and(|t| claim.resistance.covers(Rating::from_total(t))));
    if within {
        "broken".to_owned()
    } else if !totals.is_empty() {
        "residual risk".to_owned()
    } else if of_path
        .iter()
        .any(|a| a.rungs.iter().any(|r| r.spent.count > 0))
    {
        "resisted".to_owned()
    } else {
        "did not act".to_owned()
    }
}
