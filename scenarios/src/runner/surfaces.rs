//! Where each attack path acts: the runner hands it its own copy of its surface (a
//! device, the site, the line, the link, the field or the RMA desk), runs the rung on
//! it, and gathers what the oracles observe of that copy afterwards.

use super::path::Arena;
use crate::error::RunError;
use crate::oracles::oracle::PartAnswer;
use crate::scenario::AttackPlan;
use provsim_attacks::effort::{Attempted, Rung};
use provsim_attacks::{Knowledge, Outcome, Position, Surface};
use provsim_devices::fault::{FaultPoint, GlitchMethod, GlitchTally};
use provsim_devices::{ChannelBreaches, DeviceId, LifeCycle, RunningImage, StartedImage, Target};
use provsim_provisioner::{BooksFinding, SiteAccess};
use provsim_sim::crypto::Fingerprint;
use provsim_sim::{Ctx, SimTime, Stream, Trace};

/// What the oracles observe of the attacked device after a rung (nothing for the site).
#[derive(Default)]
pub(super) struct Observed {
    pub booted: Option<Result<RunningImage, String>>,
    pub started: Vec<StartedImage>,
    pub fuses_at_boot: Option<u32>,
    pub channel: ChannelBreaches,
    pub life_cycle: Option<(LifeCycle, LifeCycle)>,
    pub glitches: Vec<(FaultPoint, GlitchMethod, GlitchTally)>,
    /// For a site or line path: the copy's books, reconciled.
    pub books: Option<Vec<BooksFinding>>,
    /// Each die the path took off the line, answering the oracles' challenge.
    pub parts: Vec<PartAnswer>,
    /// For a field path: identities the registrar let hold sessions from more than one
    /// endpoint at once, with the endpoints.
    pub shared_identities: Vec<(Fingerprint, Vec<u64>)>,
    /// For a field path: identities admitted although the customer's records bar them.
    pub admitted_barred: Vec<(Fingerprint, String)>,
}

/// The attempt on a rejected device whose copy the station does not reject: nothing in
/// the bin to act on, nothing spent.
fn not_in_the_bin(arena: &Arena<'_>, index: u64, rung: &Rung) -> (DeviceId, Attempted, Observed) {
    let device = arena.line.device_id(index).unwrap_or(DeviceId(0));
    let attempted = Attempted {
        outcome: Outcome::Failed {
            reason: format!(
                "device {device} is not in the scrap bin: the run lost it to something its copy does not replay"
            ),
        },
        spent: rung.plan.with_count(0),
    };
    (device, attempted, Observed::default())
}

impl Arena<'_> {
    /// Runs `rung` of `plan` on its own copy of the surface the path acts on, for
    /// device `index`: the device it is recorded against, what it did and spent, and
    /// what the oracles observe afterwards.
    pub(super) fn act(
        &self,
        plan: &AttackPlan,
        rung: &Rung,
        index: u64,
        (rng, challenge): (&mut Stream, &mut Stream),
        ctx: &mut Ctx<'_>,
        knowledge: &mut Knowledge,
    ) -> Result<(DeviceId, Attempted, Observed), RunError> {
        Ok(match plan.attack.position() {
            Position::Device | Position::ScrapBin => {
                let mut target = if plan.attack.position() == Position::ScrapBin {
                    match self.line.scrap_bin(index, self.attacker_crypto)? {
                        Some(part) => part,
                        None => return Ok(not_in_the_bin(self, index, rung)),
                    }
                } else {
                    self.line.rebuild_device(index, self.attacker_crypto)?.0
                };
                let before = target.life_cycle();
                let attempted =
                    plan.attack
                        .run(rung, Surface::Device(target.as_mut()), ctx, rng, knowledge);
                let observed = self.observe(target.as_mut(), before);
                (target.device_id(), attempted, observed)
            }
            Position::Link => {
                let mut link = self.line.link_during(index)?;
                let attempted =
                    plan.attack
                        .run(rung, Surface::Link(&mut link), ctx, rng, knowledge);
                (link.device_id(), attempted, Observed::default())
            }
            Position::Field | Position::RmaDesk => {
                let mut field = if plan.attack.position() == Position::RmaDesk {
                    self.line.rma_desk(index, self.attacker_crypto)?
                } else {
                    self.line.field_around(index, self.attacker_crypto)?
                };
                let attempted =
                    plan.attack
                        .run(rung, Surface::Field(&mut field), ctx, rng, knowledge);
                let observed = Observed {
                    shared_identities: field.shared_identities(),
                    admitted_barred: field.admitted_barred().to_vec(),
                    ..Observed::default()
                };
                (field.device().device_id(), attempted, observed)
            }
            Position::BoardAssembly => {
                let mut board = self.line.board_assembly(index, self.attacker_crypto)?;
                let attempted =
                    plan.attack
                        .run(rung, Surface::Board(&mut board), ctx, rng, knowledge);
                let device_id = board.device_on_board();
                let shipped = |identity: &Fingerprint| self.truth.device(identity);
                let books = board.reconcile(&shipped);
                let parts = board.into_shipped_part().into_iter().collect();
                (
                    device_id,
                    attempted,
                    self.observe_books(books, parts, challenge),
                )
            }
            Position::Site | Position::Line => {
                // The site as it was while this device was on the station, or once the
                // order was done; no device of the attacker's is powered on afterwards.
                let mut site = if plan.attack.position() == Position::Line {
                    self.line.site_after_order(self.attacker_crypto)?
                } else {
                    self.line.site_during(index, self.attacker_crypto)?
                };
                let attempted =
                    plan.attack
                        .run(rung, Surface::Site(&mut site), ctx, rng, knowledge);
                // A line path is recorded against the device it was tried for.
                let device_id = match plan.attack.position() {
                    Position::Line => self
                        .line
                        .device_id(index)
                        .unwrap_or_else(|| site.device_on_station()),
                    _ => site.device_on_station(),
                };
                let observed = self.observe_site(site, challenge);
                (device_id, attempted, observed)
            }
        })
    }

    /// What the oracles observe of an attacked device once the attempt is over: its
    /// channel's counts and its life cycle (then and `before`), and, when an oracle
    /// needs it, a power-on, on the oracles' own facade and trace (it is not part of
    /// what the attacker did), with the fuses as the boot ROM will compare them.
    fn observe(&self, target: &mut dyn Target, before: LifeCycle) -> Observed {
        let mut observed = Observed {
            channel: target.channel_breaches(),
            life_cycle: Some((before, target.life_cycle())),
            started: target.started_images(),
            glitches: target.glitch_tally(),
            ..Observed::default()
        };
        if self.scenario.claims.iter().any(|c| c.oracle.needs_boot()) {
            let mut scratch = Trace::new();
            let mut ctx = Ctx::new(SimTime::ZERO, self.oracle_crypto, &mut scratch);
            observed.fuses_at_boot = Some(target.anti_rollback_fuses());
            observed.booted = Some(target.boot(&mut ctx).map_err(|e| e.to_string()));
        }
        observed
    }

    /// What the oracles observe of a site copy once the attempt is over: its books
    /// reconciled against what the run shipped, and each die taken off the line
    /// answering a fresh challenge (on the oracles' own facade and trace).
    fn observe_site(&self, site: SiteAccess, challenge: &mut Stream) -> Observed {
        let shipped = |identity: &Fingerprint| self.truth.device(identity);
        let books = site.reconcile(&shipped);
        self.observe_books(books, site.into_taken_dies(), challenge)
    }

    /// What the oracles observe of a copy that keeps books: its `books`, reconciled,
    /// and each part it put in the attacker's hands (or out in the world) answering a
    /// fresh challenge (on the oracles' own facade and trace).
    fn observe_books(
        &self,
        books: Vec<BooksFinding>,
        parts: Vec<(Box<dyn Target>, Vec<u8>)>,
        challenge: &mut Stream,
    ) -> Observed {
        let books = Some(books);
        let mut scratch = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, self.oracle_crypto, &mut scratch);
        let parts = parts
            .into_iter()
            .filter_map(|(mut die, certificate)| {
                let nonce: [u8; 32] = challenge.bytes();
                let server = self
                    .oracle_crypto
                    .generate_key(challenge)
                    .public_key()
                    .clone();
                let (answer, _) = die.authenticate(&mut ctx, &nonce, &server).ok()?;
                Some(PartAnswer {
                    certificate,
                    nonce,
                    server,
                    answer,
                })
            })
            .collect();
        Observed {
            books,
            parts,
            ..Observed::default()
        }
    }
}
