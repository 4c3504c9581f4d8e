//! One attack path tried on one device, as the runner records it: typed, nothing
//! rendered. The claims are judged from these, and the report is assembled from them.

use provsim_attacks::effort::Effort;
use provsim_attacks::{Attack, AttackPotential, Outcome};
use provsim_devices::DeviceId;
use provsim_devices::fault::{FaultPoint, GlitchMethod, GlitchTally};
use std::fmt;

/// One attempt: which attack, on which device, the rungs of its ladder it climbed, how
/// the deciding one went and what it is rated at, and which claims' oracles it made
/// false.
#[derive(Clone)]
pub struct Attempt {
    pub attack: &'static dyn Attack,
    /// The device's index within the run.
    pub device: u64,
    /// The attacked device's id (for a site attack, the device on the station).
    pub device_id: DeviceId,
    /// The rungs climbed, cheapest first.
    pub rungs: Vec<RungAttempt>,
    /// How the deciding rung went (the cheapest that violated a claim, else the last
    /// climbed), in the attack's own words: a description, never a verdict.
    pub outcome: Outcome,
    /// The attack potential of what the deciding rung spent.
    pub potential: AttackPotential,
    /// The claims whose oracle this attempt made false, each once, at the cheapest rung
    /// that did, in the scenario's claim order.
    pub violations: Vec<Violation>,
}

/// One rung climbed: its label, what it spent and is rated at, how it went, and the
/// claims it made false.
#[derive(Debug, Clone)]
pub struct RungAttempt {
    pub label: String,
    pub spent: Effort,
    pub potential: AttackPotential,
    pub outcome: Outcome,
    /// Positions of the claims this rung made false.
    pub violated: Vec<usize>,
    /// The fault point the rung aimed at, if it glitched.
    pub aim: Option<FaultPoint>,
    /// What became of the rung's glitches, as the attacked chip recorded them.
    pub glitches: Vec<(FaultPoint, GlitchMethod, GlitchTally)>,
    /// What the rung's copy of the site's books could not account for once it was
    /// over, each named by record and identity (site and line paths only).
    pub books: Vec<String>,
}

/// A claim's oracle found this attempt made its statement false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The claim's position in the scenario's claims.
    pub claim: usize,
    /// What the oracle found, in its words.
    pub evidence: String,
    /// The position in [`Attempt::rungs`] of the cheapest rung that did it.
    pub rung: usize,
}

/// The rung that decides an attempt: of the rungs that made a claim false, the one
/// that spent the lowest total (a path that is not exploitable totals more than any
/// that is; ties go to the earlier); else, of the rungs that obtained what the path is
/// after, the cheapest (a climb may go on past one); else the last climbed. `None`
/// with no rung.
pub fn deciding_rung(rungs: &[RungAttempt], violations: &[Violation]) -> Option<usize> {
    let total = |at: usize| rungs.get(at).map_or(u32::MAX, |r| r.potential.cost());
    let obtained =
        (0..rungs.len()).filter(|&at| matches!(rungs[at].outcome, Outcome::Obtained { .. }));
    violations
        .iter()
        .map(|v| v.rung)
        .min_by_key(|&at| (total(at), at))
        .or_else(|| obtained.min_by_key(|&at| (total(at), at)))
        .or_else(|| rungs.len().checked_sub(1))
}

/// Records `violation` unless its claim is already held by a rung of `rungs` that
/// spent no more: each claim is rated by the rung that broke it at the lowest total
/// spent (a later rung can spend less than an earlier one planned).
pub fn keep_cheapest(violations: &mut Vec<Violation>, violation: Violation, rungs: &[RungAttempt]) {
    let cost = |at: usize| rungs.get(at).map_or(u32::MAX, |r| r.potential.cost());
    match violations.iter_mut().find(|v| v.claim == violation.claim) {
        None => violations.push(violation),
        Some(known) => {
            if cost(violation.rung) < cost(known.rung) {
                *known = violation;
            }
        }
    }
}

impl Attempt {
    /// What the attempt did to the claim at position `claim`, if it violated it.
    pub fn violation_of(&self, claim: usize) -> Option<&Violation> {
        self.violations.iter().find(|v| v.claim == claim)
    }

    /// The potential of the cheapest rung that violated claim `claim`.
    pub fn breaking_potential(&self, claim: usize) -> Option<&AttackPotential> {
        let violation = self.violation_of(claim)?;
        Some(
            self.rungs
                .get(violation.rung)
                .map_or(&self.potential, |r| &r.potential),
        )
    }
}

impl fmt::Debug for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attempt")
            .field("attack", &self.attack.id())
            .field("device", &self.device)
            .field("device_id", &self.device_id)
            .field("rungs", &self.rungs)
            .field("outcome", &self.outcome)
            .field("potential", &self.potential)
            .field("violations", &self.violations)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_attacks::effort::{Access, Bench, Needs, rate};
    use provsim_devices::TargetKind;

    /// A rung of `requests` at a console (ten minutes each, so its total follows the
    /// count), obtaining what it was after or not.
    fn rung(requests: u64, obtained: bool) -> RungAttempt {
        let spent = Effort::plain(
            Bench::OperatorConsole,
            requests,
            &[],
            Needs::Public,
            Access::FieldSamples(1),
        );
        RungAttempt {
            label: format!("{requests} requests"),
            potential: rate(&spent, TargetKind::Mcu),
            spent,
            outcome: if obtained {
                Outcome::Obtained {
                    summary: String::new(),
                }
            } else {
                Outcome::Failed {
                    reason: String::new(),
                }
            },
            violated: Vec::new(),
            aim: None,
            glitches: Vec::new(),
            books: Vec::new(),
        }
    }

    fn violation(rung: usize) -> Violation {
        Violation {
            claim: 0,
            evidence: String::new(),
            rung,
        }
    }

    /// The cheapest violating rung by total spent decides; without a violation the
    /// cheapest rung that obtained; without either the last climbed.
    #[test]
    fn the_deciding_rung_is_the_cheapest_that_mattered() {
        // 1 request: under a day (easy window); 1,000 requests: about a week.
        let rungs = [rung(1_000, true), rung(1, true), rung(1_000, false)];
        assert!(rungs[1].potential.cost() < rungs[0].potential.cost());
        assert_eq!(
            deciding_rung(&rungs, &[violation(0), violation(1)]),
            Some(1)
        );
        assert_eq!(deciding_rung(&rungs, &[violation(2)]), Some(2));
        assert_eq!(deciding_rung(&rungs, &[]), Some(1));
        let failed = [rung(1, false), rung(1_000, false)];
        assert_eq!(deciding_rung(&failed, &[]), Some(1));
        assert_eq!(deciding_rung(&[], &[]), None);
    }

    /// A claim broken again by a rung that spent less moves to that rung; by one that
    /// spent as much or more, it stays.
    #[test]
    fn a_claim_keeps_its_cheapest_breaker() {
        let rungs = [rung(1_000, true), rung(1, true), rung(1_000, true)];
        let mut violations = vec![violation(0)];
        keep_cheapest(&mut violations, violation(1), &rungs);
        assert_eq!(violations.iter().map(|v| v.rung).collect::<Vec<_>>(), [1]);
        keep_cheapest(&mut violations, violation(2), &rungs);
        assert_eq!(violations.iter().map(|v| v.rung).collect::<Vec<_>>(), [1]);
        let other = Violation {
            claim: 1,
            ..violation(2)
        };
        keep_cheapest(&mut violations, other, &rungs);
        assert_eq!(violations.len(), 2);
    }
}
