//! `returned-part-resale`: a part returned under RMA goes back into the channel.
//!
//! A returned part reaches the RMA desk with its keys still in it; the desk is meant to
//! wipe or destroy it, and the customer's records move its identity out of the field.
//! An insider at the desk (or anyone on the way to it) diverts the part before it is
//! processed and sells it on as new. Whether its identity works again is the registrar's
//! decision: one that reads the customer's record of returned parts refuses it.

use crate::attack::{Attack, Phase, Position, Surface, not_started};
use crate::effort::{Access, Attempted, Bench, Effort, Needs, Rung, Step};
use crate::gain::Gain;
use crate::knowledge::Knowledge;
use crate::outcome::Outcome;
use provsim_devices::TargetKind;
use provsim_sim::{Ctx, Stream};

pub struct ReturnedPartResale;

impl Attack for ReturnedPartResale {
    fn id(&self) -> &'static str {
        "returned-part-resale"
    }

    fn title(&self) -> &'static str {
        "A returned part diverted at the RMA desk and put back into the channel"
    }

    fn phase(&self) -> Phase {
        Phase::Return
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::RegistrarSession]
    }

    fn position(&self) -> Position {
        Position::RmaDesk
    }

    /// One rung: the part pocketed before processing during an unwatched shift, then
    /// sold on and switched on by its buyer.
    fn rungs(&self, _target: TargetKind) -> Vec<Rung> {
        vec![Rung {
            label: "one returned part diverted before processing".to_owned(),
            plan: Effort::plain(
                Bench::Pocket,
                1,
                &[Step::WaitForUnwatchedShift],
                Needs::SiteRestricted,
                Access::Site,
            ),
            aim: None,
        }]
    }

    fn run(
        &self,
        rung: &Rung,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        _rng: &mut Stream,
        _knowledge: &mut Knowledge,
    ) -> Attempted {
        let Surface::Field(desk) = surface else {
            return not_started(rung, format!("{} acts at the RMA desk", self.id()));
        };
        let outcome = match desk.connect_part(ctx.crypto) {
            Ok(()) => Outcome::Obtained {
                summary: "the returned part was admitted by the registrar as if new".to_owned(),
            },
            Err(refused) => Outcome::Blocked { reason: refused },
        };
        Attempted::all_of(rung, outcome)
    }
}
