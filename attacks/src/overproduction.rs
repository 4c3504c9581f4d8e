//! `overproduction`: an insider at the station runs dies beyond the order.
//!
//! The fab always delivers more dies than the order needs. Once the order is done, an
//! operator with the station's credentials feeds blank dies beyond the lots through the
//! station as if they were the order's: each is tested, given its keys and certified
//! exactly as an ordered part, and walks out in the operator's pocket as a genuine
//! device nobody ordered (sold on the grey market, or kept for cloning). Nothing in the
//! station asks whether a die belongs to the order; the vault's count licence, where
//! the order is sold with one, stops the certificates, and the site's books name every
//! identity made (the detective control).

use crate::attack::{Attack, Phase, Position, Surface, not_started};
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung, Step};
use crate::gain::Gain;
use crate::knowledge::{Knowledge, MaterialKind};
use crate::outcome::Outcome;
use provsim_devices::TargetKind;
use provsim_provisioner::ExtraDie;
use provsim_sim::{Ctx, Field, Stream};

pub struct Overproduction;

/// A die run at the end of a shift, and a whole shift's overrun.
const RUNS: [(u64, &str); 2] = [
    (1, "one die at the end of a shift"),
    (24, "a shift's overrun of 24 dies"),
];

impl Attack for Overproduction {
    fn id(&self) -> &'static str {
        "overproduction"
    }

    fn title(&self) -> &'static str {
        "An insider runs dies beyond the order through the station and takes them"
    }

    fn phase(&self) -> Phase {
        Phase::TestHouse
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::Identity]
    }

    fn position(&self) -> Position {
        Position::Line
    }

    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        RUNS.iter()
            .map(|&(dies, label)| Rung {
                label: label.to_owned(),
                plan: Effort::plain(
                    Bench::Station,
                    dies,
                    &[Step::WaitForUnwatchedShift],
                    Needs::SiteRestricted,
                    Access::Site,
                ),
                aim: None,
            })
            .collect()
    }

    fn run(
        &self,
        rung: &Rung,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        _rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Attempted {
        let Surface::Site(site) = surface else {
            return not_started(rung, format!("{} acts on the line", self.id()));
        };
        let mut taken = 0u64;
        let mut run = 0u64;
        let mut refused = None;
        for _ in 0..rung.plan.count {
            run += 1;
            match site.run_extra_die(ctx.crypto) {
                Ok(certificate) => {
                    taken += 1;
                    ctx.record("attack-extra-die", &[("taken", Field::U64(taken))]);
                    knowledge.learn(
                        MaterialKind::Certificate,
                        "the certificate of a die run beyond the order",
                        certificate,
                    );
                }
                // A die that fails a test is lost; the next may pass.
                Err(ExtraDie::Lost(_)) => {}
                // A refusal is the line's answer to every further die alike.
                Err(ExtraDie::Refused(why)) => {
                    refused = Some(why);
                    break;
                }
            }
        }
        let outcome = match (taken, refused) {
            (0, Some(why)) => Outcome::Blocked {
                reason: format!("the station did not provision a die beyond the order: {why}"),
            },
            (0, None) => Outcome::Failed {
                reason: format!("every one of the {run} die(s) run failed a test"),
            },
            (n, _) => Outcome::Obtained {
                summary: format!(
                    "{n} die(s) beyond the order came off the station with an identity certified under the customer CA"
                ),
            },
        };
        Attempted {
            outcome,
            spent: rung.plan.with_count(run),
        }
    }
}
