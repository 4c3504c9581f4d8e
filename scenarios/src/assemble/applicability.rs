//! The claims x attacks matrix: for each claim, what each attack path of the scenario
//! did to it (see [`crate::claims::trial`]): not applicable (its position cannot reach
//! what the claim protects, or it cannot come away with what the claim's oracle looks
//! for), did not act (every rung returned before acting), short of the claimed
//! resistance, resisted, residual risk or broken, with why for the first three. It is
//! what a claim's verdict rests on, laid out for an evaluator.

use crate::attempt::Attempt;
use crate::claims::trial::{Trial, trial};
use crate::model::{ApplicabilityCell, ApplicabilityRow};
use crate::scenario::Scenario;

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
                .map(|plan| {
                    // A path's attempts (one per target) summed up by the most telling.
                    let summed = attempts
                        .iter()
                        .filter(|a| a.attack.id() == plan.attack.id())
                        .map(|a| trial(index, claim, a, scenario.line.target))
                        .max();
                    ApplicabilityCell {
                        attack: plan.attack.id().to_owned(),
                        status: summed.as_ref().map_or("not run", Trial::status).to_owned(),
                        why: summed.as_ref().and_then(Trial::why).map(str::to_owned),
                    }
                })
                .collect(),
        })
        .collect()
}
