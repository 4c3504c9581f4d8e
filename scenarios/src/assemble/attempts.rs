//! Attempts as the report lists them.

use crate::attempt::{Attempt, deciding_rung};
use crate::model::{ActsOn, AttemptInfo, PotentialInfo, ReasonsInfo, RungInfo, ViolationInfo};
use crate::scenario::Scenario;
use provsim_attacks::{AttackPotential, Outcome, Position};

pub fn attempt_info(scenario: &Scenario, attempt: &Attempt) -> AttemptInfo {
    let attack = attempt.attack;
    AttemptInfo {
        attack: attack.id().to_owned(),
        phase: attack.phase().name().to_owned(),
        position: match attack.position() {
            Position::Device => ActsOn::Device,
            Position::Site => ActsOn::Site,
            Position::Line => ActsOn::Line,
            Position::Field => ActsOn::Field,
            Position::Link => ActsOn::Link,
            Position::RmaDesk => ActsOn::RmaDesk,
            Position::ScrapBin => ActsOn::ScrapBin,
            Position::BoardAssembly => ActsOn::BoardAssembly,
        },
        device: attempt.device,
        device_id: attempt.device_id.to_string(),
        outcome: attempt.outcome.name().to_owned(),
        why: attempt.outcome.why().to_owned(),
        potential: potential_info(&attempt.potential),
        climb: climb(attempt),
        books: deciding_rung(&attempt.rungs, &attempt.violations)
            .and_then(|at| attempt.rungs.get(at))
            .map(|rung| rung.books.clone())
            .unwrap_or_default(),
        rungs: attempt
            .rungs
            .iter()
            .map(|rung| RungInfo {
                rung: rung.label.clone(),
                spent: rung.spent.to_string(),
                total: rung.potential.total(),
                rating: rung.potential.rating().map(|r| r.name().to_owned()),
                outcome: rung.outcome.name().to_owned(),
                why: rung.outcome.why().to_owned(),
                violates: rung
                    .violated
                    .iter()
                    .map(|&c| scenario.claims[c].id.to_owned())
                    .collect(),
            })
            .collect(),
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

/// "cheapest success: RUNG, which used EFFORT (N points, Rating)", "resisted N
/// rung(s), the most effort RUNG (N points, Rating)", or, for a path that found nothing
/// to act on, where it stopped.
fn climb(attempt: &Attempt) -> String {
    let rated = |p: &AttackPotential| match (p.total(), p.rating()) {
        (Some(total), Some(rating)) => format!("{total} points, {rating}"),
        _ => "not exploitable".to_owned(),
    };
    let broke = !attempt.violations.is_empty();
    let deciding = deciding_rung(&attempt.rungs, &attempt.violations);
    match deciding
        .filter(|_| broke)
        .and_then(|at| attempt.rungs.get(at))
    {
        Some(rung) => format!(
            "cheapest success: {}, which used {} ({})",
            rung.label,
            rung.spent,
            rated(&rung.potential)
        ),
        None => match deciding.and_then(|at| attempt.rungs.get(at)) {
            Some(rung) if rung.spent.count == 0 => format!(
                "found nothing to act on at {}: the climb stopped there",
                rung.label
            ),
            Some(rung) if matches!(rung.outcome, Outcome::Obtained { .. }) => format!(
                "obtained what it was after at {} ({}), without making a claim false",
                rung.label,
                rated(&rung.potential)
            ),
            Some(rung) => format!(
                "resisted {} rung(s), up to {} ({})",
                attempt.rungs.len(),
                rung.label,
                rated(&rung.potential)
            ),
            None => "no rung climbed".to_owned(),
        },
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
        rationale: p.rationale.clone(),
        reasons: ReasonsInfo {
            elapsed_time: p.reasons.elapsed.clone(),
            expertise: p.reasons.expertise.clone(),
            knowledge_of_toe: p.reasons.knowledge.clone(),
            window_of_opportunity: p.reasons.window.clone(),
            equipment: p.reasons.equipment.clone(),
        },
    }
}
