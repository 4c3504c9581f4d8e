//! Attempts as the report lists them.

use crate::attempt::Attempt;
use crate::model::{ActsOn, AttemptInfo, PotentialInfo, ViolationInfo};
use crate::scenario::Scenario;
use provsim_attacks::{AttackPotential, Position};

pub fn attempt_info(scenario: &Scenario, attempt: &Attempt) -> AttemptInfo {
    let attack = attempt.attack;
    AttemptInfo {
        attack: attack.id().to_owned(),
        phase: attack.phase().name().to_owned(),
        position: match attack.position() {
            Position::Device => ActsOn::Device,
            Position::Site => ActsOn::Site,
        },
        device: attempt.device,
        device_id: attempt.device_id.to_string(),
        outcome: attempt.outcome.name().to_owned(),
        why: attempt.outcome.why().to_owned(),
        potential: potential_info(&attempt.potential),
        violates: attempt
            .violations
            .iter()
            .map(|v| ViolationInfo {
                claim: scenario.claims[v.claim].id.to_owned(),
                evidence: v.evidence.clone(),
            })
            .collect(),
    }
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
