//! What one attempt did to one claim: whether it could test the claim at all, whether
//! it acted, whether it climbed as far as the claim's resistance, and what came of it.
//!
//! A claim's "holds" is only as good as the attempts behind it. An attempt counts as
//! having tried a claim when the path can make the claim's oracle false (its position
//! reaches what the claim protects, and it can come away with what the oracle looks
//! for), it acted (a rung spent something: an APDU, a glitch, a trace, a read, a
//! request), and it climbed every rung of its ladder that the claim's resistance covers,
//! unless it got what it was after sooner or ran out of anything to act on. A scenario
//! that caps a path below the claimed resistance (`max_rung`, `budget`, a pinned rung)
//! has not tested the claim at that resistance, and the verdict says so.

use super::claim::Claim;
use crate::attempt::Attempt;
use provsim_attacks::{Attack, Gain, Outcome, Position, Rating, gain, ladder};
use provsim_devices::TargetKind;

/// What one attempt (or one path's attempts together) did to one claim, from least to
/// most telling: the order in which a path's attempts are summed up.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Trial {
    /// The path cannot make the claim false: why.
    NotApplicable(String),
    /// It could, but it acted on a device outside the claim's lots, or can only recover
    /// a key the claim's `secrets` may not name.
    OutOfScope(String),
    /// It could, but every rung returned before acting: what the attack met.
    DidNotAct(String),
    /// It acted, but its climb stopped below the rungs the claim's resistance covers.
    ShortOfResistance(String),
    /// It climbed to the claimed resistance and the claim survived.
    Resisted,
    /// It made the claim false beyond the claimed resistance, with rungs within the
    /// resistance left unclimbed (that might have made it false within): residual risk,
    /// but no test of the claim at its resistance.
    ResidualShort(String),
    /// It made the claim false, but only beyond the claimed resistance.
    ResidualRisk,
    /// It made the claim false within the claimed resistance.
    Broken,
}

impl Trial {
    /// The matrix's word for it.
    pub fn status(&self) -> &'static str {
        match self {
            Trial::NotApplicable(_) => "not applicable",
            Trial::OutOfScope(_) => "out of scope",
            Trial::DidNotAct(_) => "did not act",
            Trial::ShortOfResistance(_) => "short of resistance",
            Trial::ResidualShort(_) => "residual risk, short of resistance",
            Trial::Resisted => "resisted",
            Trial::ResidualRisk => "residual risk",
            Trial::Broken => "broken",
        }
    }

    /// Why the attempt did not test the claim, when it did not.
    pub fn why(&self) -> Option<&str> {
        match self {
            Trial::NotApplicable(why)
            | Trial::OutOfScope(why)
            | Trial::DidNotAct(why)
            | Trial::ShortOfResistance(why)
            | Trial::ResidualShort(why) => Some(why),
            _ => None,
        }
    }

    /// Whether the attempt tested the claim at its resistance (a break within it is a
    /// test by definition).
    pub fn tested(&self) -> bool {
        matches!(self, Trial::Resisted | Trial::ResidualRisk | Trial::Broken)
        // ResidualShort and ShortOfResistance left rungs within the resistance out.
    }
}

/// Why a path of `attack` cannot make `claim` false, or `None` when it can.
pub fn inapplicable(claim: &Claim, attack: &dyn Attack) -> Option<String> {
    let oracle = claim.oracle;
    if !oracle.tried_by(attack.position()) {
        return Some(format!(
            "a path at the {} cannot reach what {} looks at",
            attack.position().name(),
            oracle.id()
        ));
    }
    let wanted = oracle.falsified_by();
    if !attack.gains().iter().any(|g| wanted.contains(g)) {
        return Some(format!(
            "it can come away with {}; only {} makes {} false",
            gain::names(attack.gains()),
            gain::names(wanted),
            oracle.id()
        ));
    }
    None
}

/// Whether `attempt` falls within the claim's lots. A path that acts on one device
/// (its ports, its pass over the link, its board, its part in the field, at the RMA
/// desk or in the scrap bin) can test only that device's lot; a path at the site or on
/// the line reaches every lot's secrets at once, and the claim's oracle says whose it
/// got.
pub fn in_scope(claim: &Claim, attempt: &Attempt) -> bool {
    matches!(attempt.attack.position(), Position::Site | Position::Line)
        || claim.scope.covers_device(attempt.device)
}

/// Why a path cannot test a claim narrowed to some symmetric keys (`secrets`), when it
/// cannot: one whose only way to falsify it is recovering the key the device computes
/// with (a side channel) does not choose which key that is, so it tests no claim about
/// named keys. A path that reads the key store gets every key, named ones included.
fn beyond_secrets(claim: &Claim, attack: &dyn Attack) -> Option<String> {
    if claim.scope.secrets.is_empty() {
        return None;
    }
    let wanted = claim.oracle.falsified_by();
    let relevant: Vec<Gain> = attack
        .gains()
        .iter()
        .copied()
        .filter(|g| wanted.contains(g))
        .collect();
    (!relevant.is_empty() && relevant.iter().all(|g| *g == Gain::KeyInUse)).then(|| {
        format!(
            "it recovers the symmetric key the device computes with, not one it picks by name, so it tests no claim about the keys {}",
            claim.scope.secrets.join(", ")
        )
    })
}

/// What `attempt` did to the claim at position `index` of the scenario, on a line of
/// `target` parts.
pub fn trial(index: usize, claim: &Claim, attempt: &Attempt, target: TargetKind) -> Trial {
    if let Some(potential) = attempt.breaking_potential(index) {
        let within = potential
            .total()
            .is_some_and(|t| claim.resistance.covers(Rating::from_total(t)));
        if within {
            return Trial::Broken;
        }
        // Broken beyond the resistance by a climb that skipped rungs within it: the
        // skipped rungs might have broken it within.
        return short_of(claim, attempt, target).map_or(Trial::ResidualRisk, Trial::ResidualShort);
    }
    if let Some(why) = inapplicable(claim, attempt.attack) {
        return Trial::NotApplicable(why);
    }
    if let Some(why) = beyond_secrets(claim, attempt.attack) {
        return Trial::OutOfScope(why);
    }
    if !in_scope(claim, attempt) {
        return Trial::OutOfScope(format!(
            "device {} is in none of the claim's lots ({})",
            attempt.device_id,
            claim.scope.lot_names()
        ));
    }
    if attempt.rungs.iter().all(|r| r.spent.count == 0) {
        let met = attempt
            .rungs
            .first()
            .map_or("it had no rung to climb", |r| r.outcome.why());
        return Trial::DidNotAct(format!("it returned before acting: {met}"));
    }
    match short_of(claim, attempt, target) {
        Some(why) => Trial::ShortOfResistance(why),
        None => Trial::Resisted,
    }
}

/// Why the attempt's climb stopped below the claim's resistance, or `None` when it
/// climbed every rung the resistance covers up to where the climb rightly ended: at a
/// rung that got what the path is after (higher rungs would only spend more for it), or
/// one that spent nothing (higher rungs would find the same). A rung of the ladder
/// within the resistance, ranked below that end (or anywhere, when the climb ran out
/// without one), that the attempt did not climb was cut by the scenario (`rung`,
/// `budget`, `max_rung`).
fn short_of(claim: &Claim, attempt: &Attempt, target: TargetKind) -> Option<String> {
    let ladder = ladder(attempt.attack, target);
    let rank = |label: &str| ladder.iter().position(|r| r.rung.label == label);
    let end = attempt
        .rungs
        .iter()
        .find(|r| r.spent.count == 0 || matches!(r.outcome, Outcome::Obtained { .. }))
        .and_then(|r| rank(&r.label))
        .unwrap_or(ladder.len());
    let skipped = ladder[..end].iter().find(|r| {
        r.planned
            .total()
            .is_some_and(|t| claim.resistance.covers(Rating::from_total(t)))
            && !attempt
                .rungs
                .iter()
                .any(|climbed| climbed.label == r.rung.label)
    })?;
    Some(format!(
        "it climbed {} rung(s) of its ladder; the rung {:?}, rated {} points and within {}, was not climbed (the scenario caps the climb)",
        attempt.rungs.len(),
        skipped.rung.label,
        skipped.planned.total().unwrap_or(0),
        claim.resistance.name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attempt::{Attempt, RungAttempt};
    use crate::claims::library::find;
    use provsim_attacks::effort::rate;
    use provsim_attacks::{AvaVan, RatedRung};
    use provsim_devices::DeviceId;

    const TARGET: TargetKind = TargetKind::Mcu;

    /// `attack`'s attempt that climbed `rungs` of its ladder, each spending its plan
    /// (or nothing, with `acted` false) and going as `outcome` says.
    fn climbed(attack: &str, rungs: &[RatedRung], acted: bool, outcome: Outcome) -> Attempt {
        let rungs: Vec<RungAttempt> = rungs
            .iter()
            .map(|r| {
                let spent = if acted {
                    r.rung.plan.clone()
                } else {
                    r.rung.plan.with_count(0)
                };
                RungAttempt {
                    label: r.rung.label.clone(),
                    potential: rate(&spent, TARGET),
                    spent,
                    outcome: outcome.clone(),
                    violated: Vec::new(),
                    aim: r.rung.aim,
                    glitches: Vec::new(),
                    books: Vec::new(),
                }
            })
            .collect();
        Attempt {
            attack: provsim_attacks::find(attack).unwrap(),
            device: 0,
            device_id: DeviceId(0),
            potential: rungs[0].potential.clone(),
            outcome: outcome.clone(),
            rungs,
            violations: Vec::new(),
        }
    }

    fn failed() -> Outcome {
        Outcome::Failed {
            reason: "nothing correlated".to_owned(),
        }
    }

    fn within(resistance: AvaVan, rungs: &[RatedRung]) -> Vec<RatedRung> {
        rungs
            .iter()
            .filter(|r| {
                r.planned
                    .total()
                    .is_some_and(|t| resistance.covers(Rating::from_total(t)))
            })
            .cloned()
            .collect()
    }

    /// A path that cannot come away with what the oracle looks for, or cannot reach it
    /// from where it acts, is not applicable, and says why.
    #[test]
    fn applicability_follows_gains_and_position() {
        let keys = find("identity-key-confidentiality")
            .unwrap()
            .at(AvaVan::Van3);
        let probe = provsim_attacks::find("debug-port-readout").unwrap();
        let cpa = provsim_attacks::find("cpa-storage-key").unwrap();
        assert_eq!(inapplicable(&keys, probe), None);
        let why = inapplicable(&keys, cpa).unwrap();
        assert!(
            why.contains("the symmetric key in use") && why.contains("an identity key"),
            "{why}"
        );
        let books = find("illegitimate-identities-detected")
            .unwrap()
            .at(AvaVan::Van3);
        let why = inapplicable(&books, probe).unwrap();
        assert!(why.contains("device"), "{why}");
        let console = provsim_attacks::find("operator-console-certificate").unwrap();
        assert_eq!(inapplicable(&books, console), None);
    }

    /// A claim narrowed to named symmetric keys is not tested by a side channel, which
    /// recovers whichever key the device computes with; a key-store read is in scope.
    #[test]
    fn a_side_channel_tests_no_claim_about_named_keys() {
        let mut debug_only = find("device-secret-confidentiality")
            .unwrap()
            .at(AvaVan::Van5);
        debug_only.scope.secrets = vec!["debug".to_owned()];
        let cpa = provsim_attacks::find("cpa-storage-key").unwrap();
        let probe = provsim_attacks::find("debug-port-readout").unwrap();
        let why = beyond_secrets(&debug_only, cpa).expect("out of scope");
        assert!(why.contains("debug"), "{why}");
        assert_eq!(beyond_secrets(&debug_only, probe), None);
        let every = find("device-secret-confidentiality")
            .unwrap()
            .at(AvaVan::Van5);
        assert_eq!(beyond_secrets(&every, cpa), None);
        let attempt = climbed(cpa.id(), &ladder(cpa, TARGET)[..1], true, failed());
        assert!(matches!(
            trial(0, &debug_only, &attempt, TARGET),
            Trial::OutOfScope(_)
        ));
    }

    /// A climb capped below the claimed resistance has not tested the claim there; one
    /// that climbed every rung the resistance covers, or got what it was after sooner,
    /// has; one that spent nothing did not act.
    #[test]
    fn a_claim_is_tested_only_by_a_climb_to_its_resistance() {
        let cpa = provsim_attacks::find("cpa-storage-key").unwrap();
        let ladder = ladder(cpa, TARGET);
        let claim = find("device-secret-confidentiality")
            .unwrap()
            .at(AvaVan::Van5);
        let covered = within(AvaVan::Van5, &ladder);
        assert!(covered.len() >= 2, "{covered:?}");

        let capped = climbed(cpa.id(), &covered[..1], true, failed());
        let Trial::ShortOfResistance(why) = trial(0, &claim, &capped, TARGET) else {
            panic!("a capped climb tested the claim");
        };
        assert!(why.contains(&covered[1].rung.label), "{why}");
        assert!(why.contains("AVA_VAN.5"), "{why}");

        let whole = climbed(cpa.id(), &covered, true, failed());
        assert_eq!(trial(0, &claim, &whole, TARGET), Trial::Resisted);
        assert!(trial(0, &claim, &whole, TARGET).tested());

        let got_it = Outcome::Obtained {
            summary: "a candidate".to_owned(),
        };
        let early = climbed(cpa.id(), &covered[..1], true, got_it);
        assert_eq!(trial(0, &claim, &early, TARGET), Trial::Resisted);

        let idle = climbed(cpa.id(), &covered[..1], false, failed());
        let Trial::DidNotAct(why) = trial(0, &claim, &idle, TARGET) else {
            panic!("an idle climb acted");
        };
        assert!(why.contains("nothing correlated"), "{why}");
        assert!(!trial(0, &claim, &idle, TARGET).tested());

        // A climb through every rung a lower resistance covers tests a claim made at
        // that resistance, and is short of the higher one.
        let (level, part) = [AvaVan::Van1, AvaVan::Van2, AvaVan::Van3, AvaVan::Van4]
            .into_iter()
            .map(|v| (v, within(v, &ladder)))
            .find(|(_, part)| !part.is_empty() && part.len() < covered.len())
            .expect("a lower resistance that covers part of the ladder");
        let partial = climbed(cpa.id(), &part, true, failed());
        let lower = find("device-secret-confidentiality").unwrap().at(level);
        assert_eq!(trial(0, &lower, &partial, TARGET), Trial::Resisted);
        assert!(matches!(
            trial(0, &claim, &partial, TARGET),
            Trial::ShortOfResistance(_)
        ));

        // A climb pinned to a rung beyond the lower resistance that breaks the claim
        // there is residual risk, but it skipped the rungs within: no test at it.
        let dearest = covered.last().unwrap().clone();
        let mut pinned = climbed(
            cpa.id(),
            std::slice::from_ref(&dearest),
            true,
            Outcome::Obtained {
                summary: "the key".to_owned(),
            },
        );
        pinned.rungs[0].violated = vec![0];
        pinned.violations = vec![crate::attempt::Violation {
            claim: 0,
            evidence: "the key".to_owned(),
            rung: 0,
        }];
        assert!(!level.covers(Rating::from_total(dearest.planned.total().unwrap())));
        let judged = trial(0, &lower, &pinned, TARGET);
        assert!(matches!(judged, Trial::ResidualShort(_)), "{judged:?}");
        assert!(!judged.tested());
        // Climbing every rung up to it makes the same break a test.
        let mut whole_break = climbed(cpa.id(), &covered, true, failed());
        let last = whole_break.rungs.len() - 1;
        whole_break.rungs[last].outcome = Outcome::Obtained {
            summary: "the key".to_owned(),
        };
        whole_break.rungs[last].violated = vec![0];
        whole_break.violations = vec![crate::attempt::Violation {
            claim: 0,
            evidence: "the key".to_owned(),
            rung: last,
        }];
        assert_eq!(trial(0, &lower, &whole_break, TARGET), Trial::ResidualRisk);
    }
}
