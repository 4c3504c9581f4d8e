//! Verdicts: each claim judged over every attempt of a run, from the typed attempts.

use super::claim::Claim;
use super::trial::{Trial, trial};
use crate::attempt::Attempt;
use crate::oracles::oracle::{HonestRun, OnHonestRun};
use crate::verdict::{Untested, Verdict};
use provsim_attacks::{Attack, Rating};
use provsim_devices::TargetKind;

/// A claim's verdict over a run, with what it rests on.
#[derive(Clone)]
pub struct Judgement {
    pub verdict: Verdict,
    /// Attacks within the claimed attack potential that violated the claim, each once,
    /// in the order of their first violation.
    pub broken_by: Vec<&'static dyn Attack>,
    /// Attacks beyond the claimed potential (or not exploitable) that violated it.
    pub residual_risk: Vec<&'static dyn Attack>,
    /// Lowest attack-potential total among attempts that violated the claim.
    pub lowest_breaking_total: Option<u32>,
    /// The attempts that violated the claim: positions in the run's attempts.
    pub violated_by: Vec<usize>,
    /// Attempts that tested the claim at its resistance.
    pub attempts: u64,
    /// Why nothing tested the claim, when the verdict is inconclusive.
    pub untested: Option<Untested>,
    /// What the honest run showed of it, for a process claim.
    pub on_honest_run: Option<OnHonestRun>,
}

impl Judgement {
    /// The resistance the lowest breaking total demonstrates (CEM Table 4: the band
    /// below that total's): `Some(None)` when that total is in the lowest band.
    pub fn demonstrated_resistance(&self) -> Option<Option<Rating>> {
        self.lowest_breaking_total
            .map(|total| Rating::from_total(total).resistance_shown())
    }
}

/// Judges the claim at position `index` of the scenario over all attempts, on a line of
/// `target` parts: broken when an attempt within the claimed attack potential violated
/// it; a violation beyond the claimed potential is residual risk. A claim nothing broke
/// holds only when some attempt tested it at its resistance (see [`trial`]), or, for a
/// process claim, the honest run exercised it; with no device shipped, or neither, it
/// is inconclusive. A process claim the honest run made false is broken by no attack.
pub fn judge(
    index: usize,
    claim: &Claim,
    attempts: &[Attempt],
    honest: &HonestRun<'_>,
    target: TargetKind,
) -> Judgement {
    let shipped = honest.shipped;
    let on_honest_run = claim.oracle.on_honest_run(honest);
    let mut broken_by: Vec<&'static dyn Attack> = Vec::new();
    let mut residual_risk: Vec<&'static dyn Attack> = Vec::new();
    let mut violated_by = Vec::new();
    let mut lowest: Option<u32> = None;
    let trials: Vec<Trial> = attempts
        .iter()
        .map(|a| trial(index, claim, a, target))
        .collect();
    let tried = trials.iter().filter(|t| t.tested()).count();
    for (at, attempt) in attempts.iter().enumerate() {
        // Rated by the cheapest rung of its ladder that made this claim false (the
        // oracle, which knows whose secret it found, keeps to the claim's lots).
        let Some(potential) = attempt.breaking_potential(index) else {
            continue;
        };
        violated_by.push(at);
        let total = potential.total();
        if let Some(total) = total {
            lowest = Some(lowest.map_or(total, |l| l.min(total)));
        }
        let within = total.is_some_and(|t| claim.resistance.covers(Rating::from_total(t)));
        let list = if within {
            &mut broken_by
        } else {
            &mut residual_risk
        };
        // The catalogue's ids are unique: the id is the attack's identity.
        if !list.iter().any(|a| a.id() == attempt.attack.id()) {
            list.push(attempt.attack);
        }
    }
    let honest_broke = matches!(on_honest_run, Some(OnHonestRun::Broken(_)));
    let honest_exercised = matches!(on_honest_run, Some(OnHonestRun::Exercised(_)));
    let untested = if !broken_by.is_empty() || honest_broke {
        None
    } else if shipped == 0 {
        Some(Untested::NothingShipped)
    } else if tried > 0 || honest_exercised {
        None
    } else if matches!(on_honest_run, Some(OnHonestRun::NotExercised(_))) {
        Some(Untested::NotExercised)
    } else if trials
        .iter()
        .any(|t| matches!(t, Trial::ShortOfResistance(_) | Trial::ResidualShort(_)))
    {
        Some(Untested::ShortOfResistance)
    } else if trials.iter().any(|t| matches!(t, Trial::DidNotAct(_))) {
        Some(Untested::NoneActed)
    } else if trials.iter().any(|t| matches!(t, Trial::OutOfScope(_))) {
        Some(Untested::OutOfScope)
    } else {
        Some(Untested::NothingApplicable)
    };
    Judgement {
        verdict: match (broken_by.is_empty() && !honest_broke, untested) {
            (false, _) => Verdict::Broken,
            (true, Some(_)) => Verdict::Inconclusive,
            (true, None) => Verdict::Holds,
        },
        untested,
        broken_by,
        residual_risk,
        lowest_breaking_total: lowest,
        violated_by,
        attempts: tried as u64,
        on_honest_run,
    }
}

/// A run's verdict: broken when any claim is, else inconclusive when any claim is, else
/// it holds (every claim held, each with something that tried to break it).
pub fn run_verdict(judgements: &[Judgement]) -> Verdict {
    let any = |v| judgements.iter().any(|j| j.verdict == v);
    if any(Verdict::Broken) {
        Verdict::Broken
    } else if any(Verdict::Inconclusive) {
        Verdict::Inconclusive
    } else {
        Verdict::Holds
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attempt::Violation;
    use crate::claims::library::find;
    use provsim_attacks::potential::{
        ElapsedTime, Equipment, Expertise, KnowledgeOfToe, Reasons, WindowOfOpportunity,
    };
    use provsim_attacks::{AttackPotential, AvaVan, Outcome};
    use provsim_devices::{DeviceId, TargetKind};

    /// A potential totalling `elapsed + window + equipment` points; `None` for a path
    /// that is not exploitable.
    fn potential(total: Option<u32>) -> AttackPotential {
        let (elapsed, equipment, window) = match total {
            Some(20) => (
                ElapsedTime::MoreThanSixMonths,
                Equipment::Standard,
                WindowOfOpportunity::Easy,
            ),
            Some(12) => (
                ElapsedTime::TwoMonths,
                Equipment::Specialised,
                WindowOfOpportunity::Easy,
            ),
            Some(4) => (
                ElapsedTime::OneMonth,
                Equipment::Standard,
                WindowOfOpportunity::Unnecessary,
            ),
            None => (
                ElapsedTime::OneDay,
                Equipment::Standard,
                WindowOfOpportunity::None,
            ),
            Some(other) => panic!("no test potential of {other}"),
        };
        let p = AttackPotential {
            elapsed,
            expertise: Expertise::Layman,
            knowledge: KnowledgeOfToe::Public,
            window,
            equipment,
            reasons: Reasons::default(),
            rationale: "test".to_owned(),
        };
        assert_eq!(p.total(), total);
        p
    }

    /// The label of the cheapest rung of `attack`'s ladder: an attempt that climbed it
    /// and obtained what it was after climbed as far as any resistance asks.
    fn cheapest_rung(attack: &str) -> String {
        provsim_attacks::ladder(provsim_attacks::find(attack).unwrap(), TargetKind::Mcu)[0]
            .rung
            .label
            .clone()
    }

    /// An attempt with one rung that spent something (an attempt that found nothing to
    /// act on tries no claim).
    fn attempt(attack: &str, total: Option<u32>, violates: bool) -> Attempt {
        use crate::attempt::RungAttempt;
        use provsim_attacks::effort::{Access, Bench, Effort, Needs};
        Attempt {
            attack: provsim_attacks::find(attack).unwrap(),
            device: 0,
            device_id: DeviceId(0),
            rungs: vec![RungAttempt {
                label: cheapest_rung(attack),
                spent: Effort::plain(Bench::DebugProbe, 1, &[], Needs::Public, Access::Site),
                potential: potential(total),
                outcome: Outcome::Obtained {
                    summary: String::new(),
                },
                violated: if violates { vec![0] } else { Vec::new() },
                aim: None,
                glitches: Vec::new(),
                books: Vec::new(),
            }],
            outcome: Outcome::Obtained {
                summary: String::new(),
            },
            potential: potential(total),
            violations: if violates {
                vec![Violation {
                    claim: 0,
                    evidence: "e".to_owned(),
                    rung: 0,
                }]
            } else {
                Vec::new()
            },
        }
    }

    /// An honest run that shipped `n` devices and refused none.
    fn shipped(n: u64) -> HonestRun<'static> {
        HonestRun {
            shipped: n,
            refused: 0,
            keys_destroyed: 0,
            findings: &[],
        }
    }

    fn claim(resistance: AvaVan) -> Claim {
        find("identity-key-confidentiality").unwrap().at(resistance)
    }

    fn ids(list: &[&'static dyn Attack]) -> Vec<&'static str> {
        list.iter().map(|a| a.id()).collect()
    }

    const LAB: &str = "cpa-storage-key";
    const PROBE: &str = "debug-port-readout";
    const GHOST: &str = "glitch-debug-readout";

    /// A break by an attack needing High potential (20 points) is residual risk for a
    /// claim at AVA_VAN.4 (Moderate attackers) and breaks a claim at AVA_VAN.5.
    #[test]
    fn a_break_beyond_the_claimed_level_is_residual_risk() {
        let attempts = [attempt(LAB, Some(20), true), attempt(PROBE, Some(4), false)];
        let at4 = judge(
            0,
            &claim(AvaVan::Van4),
            &attempts,
            &shipped(2),
            TargetKind::Mcu,
        );
        assert_eq!(at4.verdict, Verdict::Holds);
        assert_eq!(ids(&at4.residual_risk), [LAB]);
        assert!(at4.broken_by.is_empty());
        assert_eq!(at4.lowest_breaking_total, Some(20));
        assert_eq!(at4.demonstrated_resistance(), Some(Some(Rating::Moderate)));

        let at5 = judge(
            0,
            &claim(AvaVan::Van5),
            &attempts,
            &shipped(2),
            TargetKind::Mcu,
        );
        assert_eq!(at5.verdict, Verdict::Broken);
        assert_eq!(ids(&at5.broken_by), [LAB]);
        assert!(at5.residual_risk.is_empty());
        assert_eq!(run_verdict(&[at4, at5]), Verdict::Broken);
    }

    #[test]
    fn the_lowest_breaking_total_wins_and_unexploitable_paths_never_break() {
        let attempts = [
            attempt(LAB, Some(20), true),
            attempt(PROBE, Some(12), true),
            attempt(GHOST, None, true),
        ];
        let judged = judge(
            0,
            &claim(AvaVan::Van3),
            &attempts,
            &shipped(2),
            TargetKind::Mcu,
        );
        assert_eq!(ids(&judged.broken_by), [PROBE]);
        assert_eq!(ids(&judged.residual_risk), [LAB, GHOST]);
        assert_eq!(judged.lowest_breaking_total, Some(12));
        assert_eq!(judged.demonstrated_resistance(), Some(Some(Rating::Basic)));
        assert_eq!(judged.violated_by, [0, 1, 2]);
        // Another claim's violations are not this one's.
        let other = judge(
            1,
            &claim(AvaVan::Van3),
            &attempts,
            &shipped(2),
            TargetKind::Mcu,
        );
        assert_eq!(other.verdict, Verdict::Holds);
        assert!(other.violated_by.is_empty() && other.lowest_breaking_total.is_none());
        assert_eq!(run_verdict(&[other]), Verdict::Holds);
    }

    /// Nothing broke the claim, but nothing tried: not "holds". A break still counts
    /// when something did try.
    #[test]
    fn a_claim_nothing_tested_is_inconclusive_never_holds() {
        let none = judge(0, &claim(AvaVan::Van3), &[], &shipped(5), TargetKind::Mcu);
        assert_eq!(none.verdict, Verdict::Inconclusive);
        assert_eq!(none.untested, Some(Untested::NothingApplicable));
        let unshipped = judge(0, &claim(AvaVan::Van3), &[], &shipped(0), TargetKind::Mcu);
        assert_eq!(unshipped.untested, Some(Untested::NothingShipped));
        let tried = [attempt(PROBE, Some(4), false)];
        let held = judge(
            0,
            &claim(AvaVan::Van3),
            &tried,
            &shipped(5),
            TargetKind::Mcu,
        );
        assert_eq!((held.verdict, held.untested), (Verdict::Holds, None));
        let broke = [attempt(PROBE, Some(4), true)];
        assert_eq!(
            judge(
                0,
                &claim(AvaVan::Van3),
                &broke,
                &shipped(5),
                TargetKind::Mcu
            )
            .verdict,
            Verdict::Broken
        );
        assert_eq!(
            run_verdict(&[held.clone(), none.clone()]),
            Verdict::Inconclusive
        );
        let broken = judge(
            0,
            &claim(AvaVan::Van3),
            &broke,
            &shipped(5),
            TargetKind::Mcu,
        );
        assert_eq!(run_verdict(&[none, broken, held]), Verdict::Broken);
    }

    /// A claim is rated by the rung that broke it, not by the attempt's deciding rung:
    /// an attempt whose cheapest rung broke one claim at 4 points and whose dearer rung
    /// broke another at 20 breaks the first at AVA_VAN.3 and leaves the second as
    /// residual risk.
    #[test]
    fn each_claim_is_rated_by_the_rung_that_broke_it() {
        use crate::attempt::RungAttempt;
        use provsim_attacks::effort::{Access, Bench, Effort, Needs};
        let rung = |total: u32, violated: Vec<usize>| RungAttempt {
            label: cheapest_rung(PROBE),
            spent: Effort::plain(Bench::DebugProbe, 1, &[], Needs::Public, Access::Site),
            potential: potential(Some(total)),
            outcome: Outcome::Obtained {
                summary: String::new(),
            },
            violated,
            aim: None,
            glitches: Vec::new(),
            books: Vec::new(),
        };
        let mut climbed = attempt(PROBE, Some(4), true);
        // An attempt whose every rung found nothing to act on tries nothing.
        let mut idle = attempt(PROBE, Some(4), false);
        idle.rungs[0].spent.count = 0;
        assert_eq!(
            judge(
                0,
                &claim(AvaVan::Van3),
                &[idle],
                &shipped(1),
                TargetKind::Mcu
            )
            .untested,
            Some(Untested::NoneActed)
        );
        climbed.rungs = vec![rung(4, vec![0]), rung(20, vec![1])];
        climbed.violations = vec![
            Violation {
                claim: 0,
                evidence: "e".to_owned(),
                rung: 0,
            },
            Violation {
                claim: 1,
                evidence: "e".to_owned(),
                rung: 1,
            },
        ];
        let attempts = [climbed];
        let first = judge(
            0,
            &claim(AvaVan::Van3),
            &attempts,
            &shipped(1),
            TargetKind::Mcu,
        );
        assert_eq!(first.verdict, Verdict::Broken);
        assert_eq!(first.lowest_breaking_total, Some(4));
        let second = judge(
            1,
            &claim(AvaVan::Van3),
            &attempts,
            &shipped(1),
            TargetKind::Mcu,
        );
        assert_eq!(second.verdict, Verdict::Holds);
        assert_eq!(ids(&second.residual_risk), [PROBE]);
        assert_eq!(second.lowest_breaking_total, Some(20));
    }

    /// A process claim: the honest run's own findings break it with no attack behind
    /// them, its exercise makes it hold with no attack, and a run that did not exercise
    /// it, with nothing else testing it, is inconclusive.
    #[test]
    fn the_honest_run_judges_a_process_claim() {
        let books = find("site-books-balance").unwrap().at(AvaVan::Van3);
        let findings = ["lot LOT-0001: 8 started, 7 accounted for".to_owned()];
        fn with(refused: u64, findings: &[String]) -> HonestRun<'_> {
            HonestRun {
                shipped: 7,
                refused,
                keys_destroyed: 3,
                findings,
            }
        }
        let broken = judge(0, &books, &[], &with(1, &findings), TargetKind::Mcu);
        assert_eq!(broken.verdict, Verdict::Broken);
        assert!(broken.broken_by.is_empty());
        assert_eq!(run_verdict(&[broken]), Verdict::Broken);
        let exercised = judge(0, &books, &[], &with(1, &[]), TargetKind::Mcu);
        assert_eq!(
            (exercised.verdict, exercised.untested),
            (Verdict::Holds, None)
        );
        let idle = judge(0, &books, &[], &with(0, &[]), TargetKind::Mcu);
        assert_eq!(idle.verdict, Verdict::Inconclusive);
        assert_eq!(idle.untested, Some(Untested::NotExercised));
        // A claim only attacks test ignores the honest run.
        let keys = judge(0, &claim(AvaVan::Van3), &[], &with(1, &[]), TargetKind::Mcu);
        assert_eq!(keys.untested, Some(Untested::NothingApplicable));
    }
}
