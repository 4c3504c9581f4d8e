//! `scrap-bin-recovery`: keys read out of parts the station rejected and binned.
//!
//! A part that fails a test after its keys were put into it is scrapped: the station's
//! scrap transition wipes its key store before it goes into the bin. The bin then
//! leaves the site for the disposal contractor, and whoever handles it on the way (a
//! driver, the contractor's staff) can pick parts out and read them like any part on
//! the bench. A station that bins parts as they are hands them their keys.

use crate::attack::{Attack, Phase, Position, device_of};
use crate::effort::{Attempted, Rung};
use crate::gain::Gain;
use crate::knowledge::Knowledge;
use crate::outcome::Outcome;
use crate::readout::{Readout, whole_map_by_probe};
use provsim_devices::TargetKind;
use provsim_sim::{Ctx, Stream};

pub struct ScrapBinRecovery;

impl Attack for ScrapBinRecovery {
    fn id(&self) -> &'static str {
        "scrap-bin-recovery"
    }

    fn title(&self) -> &'static str {
        "Read the keys out of a rejected part picked from the scrap on its way to disposal"
    }

    fn phase(&self) -> Phase {
        Phase::Shipping
    }

    fn gains(&self) -> &'static [Gain] {
        &[Gain::ResidualKey]
    }

    fn position(&self) -> Position {
        Position::ScrapBin
    }

    /// One rung: the part's memory map read through its debug port.
    fn rungs(&self, target: TargetKind) -> Vec<Rung> {
        vec![Rung {
            label: "one binned part read through its debug port".to_owned(),
            plan: whole_map_by_probe(target),
            aim: None,
        }]
    }

    fn run(
        &self,
        rung: &Rung,
        surface: crate::attack::Surface<'_>,
        ctx: &mut Ctx<'_>,
        _rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Attempted {
        let part = match device_of(self, surface, rung) {
            Ok(part) => part,
            Err(attempted) => return attempted,
        };
        let readout = Readout::run(
            part,
            ctx,
            |t, c, addr, len| t.debug_read(c, addr, len),
            "a binned part's debug port",
            knowledge,
        );
        let outcome = if readout.regions == 0 {
            Outcome::Blocked {
                reason: match readout.refused.first() {
                    Some(first) => format!("every read refused ({first})"),
                    None => "the part's memory map is empty".to_owned(),
                },
            }
        } else if readout.private_slots + readout.secret_slots == 0 {
            Outcome::Blocked {
                reason: format!(
                    "read {} bytes from the binned part; its key store is empty ({}): it was wiped when it was scrapped",
                    readout.bytes,
                    readout.why_no_key()
                ),
            }
        } else {
            Outcome::Obtained {
                summary: format!(
                    "read {} private-key and {} symmetric-key slot(s) out of a binned part",
                    readout.private_slots, readout.secret_slots
                ),
            }
        };
        Attempted::all_of(rung, outcome)
    }
}
