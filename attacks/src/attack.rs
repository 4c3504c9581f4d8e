//! The attack interface: what an attack path is, what it acts on, and how it reports
//! what happened.

use crate::effort::rate::rate;
use crate::effort::rung::{Attempted, Rung};
use crate::gain::Gain;
use crate::knowledge::Knowledge;
use crate::outcome::Outcome;
use crate::potential::AttackPotential;
use provsim_devices::{Target, TargetKind};
use provsim_provisioner::{BoardAccess, FieldAccess, LinkAccess, SiteAccess};
use provsim_sim::{Ctx, Stream};

/// Where in the device's life the attacker acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Design,
    Fab,
    TestHouse,
    BoardAssembly,
    Shipping,
    Field,
    Return,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Design => "design",
            Phase::Fab => "fab",
            Phase::TestHouse => "test-house",
            Phase::BoardAssembly => "board-assembly",
            Phase::Shipping => "shipping",
            Phase::Field => "field",
            Phase::Return => "return",
        }
    }
}

/// What an attack path acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// One device, through its ports and boot path.
    Device,
    /// The provisioning site, through what its hosts and consoles expose, while one
    /// device is on the station.
    Site,
    /// The provisioning line once the order is done: its station, its vault and blank
    /// dies beyond the order, with an operator's credentials.
    Line,
    /// The field around one shipped device: the device in the attacker's hands and in
    /// service, and the customer's registrar that other parts meet.
    Field,
    /// The site's network between the station and the vault, while one device goes
    /// through the station.
    Link,
    /// The RMA desk as a returned part reaches it, before the desk processes it, and
    /// the customer's registrar the part can meet again.
    RmaDesk,
    /// The scrap bin: a part the station rejected, as it went into the bin.
    ScrapBin,
    /// The board assembler's floor, while one board waits for the board-level station:
    /// the part on the reel for it, and what is put on the board.
    BoardAssembly,
}

impl Position {
    pub fn name(self) -> &'static str {
        match self {
            Position::Device => "device",
            Position::Site => "site",
            Position::Line => "line",
            Position::Field => "field",
            Position::Link => "link",
            Position::RmaDesk => "rma-desk",
            Position::ScrapBin => "scrap-bin",
            Position::BoardAssembly => "board-assembly",
        }
    }
}

/// The attack path's own copy of what it acts on.
pub enum Surface<'a> {
    Device(&'a mut dyn Target),
    /// The site as it was while one device was on the station, or (for a path at the
    /// [`Position::Line`]) once the order was done.
    Site(&'a mut SiteAccess),
    /// The field around one shipped device (or a returned part at the RMA desk).
    Field(&'a mut FieldAccess),
    /// The link around one device's pass.
    Link(&'a mut LinkAccess),
    /// One board at the assembler, before the board-level station.
    Board(&'a mut BoardAccess),
}

impl Surface<'_> {
    /// What was handed over, for an attack given the wrong surface.
    fn position(&self) -> Position {
        match self {
            Surface::Device(_) => Position::Device,
            Surface::Site(_) => Position::Site,
            Surface::Field(_) => Position::Field,
            Surface::Link(_) => Position::Link,
            Surface::Board(_) => Position::BoardAssembly,
        }
    }
}

/// The outcome of running an attack on a surface it does not act on: the runner never
/// does this, and the attack says so instead of panicking.
pub(crate) fn wrong_surface(attack: &dyn Attack, given: &Surface<'_>) -> Outcome {
    Outcome::Failed {
        reason: format!(
            "{} acts on a {}, and was given a {}",
            attack.id(),
            attack.position().name(),
            given.position().name()
        ),
    }
}

/// The device a device path acts on; or, handed anything else, the attempt that says so
/// and spends nothing of `rung`.
pub(crate) fn device_of<'s>(
    attack: &dyn Attack,
    surface: Surface<'s>,
    rung: &Rung,
) -> Result<&'s mut dyn Target, Attempted> {
    match surface {
        Surface::Device(target) => Ok(target),
        other => Err(Attempted {
            outcome: wrong_surface(attack, &other),
            spent: rung.plan.with_count(0),
        }),
    }
}

/// An attempt that could not start: nothing to act on, nothing of `rung` spent.
pub(crate) fn not_started(rung: &Rung, reason: String) -> Attempted {
    Attempted {
        outcome: Outcome::Failed { reason },
        spent: rung.plan.with_count(0),
    }
}

/// An attack path.
pub trait Attack: Send + Sync {
    /// The id scenarios name it by.
    fn id(&self) -> &'static str;

    /// One line for reports.
    fn title(&self) -> &'static str;

    fn phase(&self) -> Phase;

    /// What this path can come away with if the world lets it: which claims it can
    /// test. Stated by every attack, so none is counted as trying a claim it could never
    /// break.
    fn gains(&self) -> &'static [Gain];

    /// The rungs of this path's effort ladder against a target kind, in the attack's
    /// order (cheapest first within a kind of work). [`ladder`] sorts them by rating.
    fn rungs(&self, target: TargetKind) -> Vec<Rung>;

    /// What it acts on: the runner hands it a copy of that.
    fn position(&self) -> Position {
        Position::Device
    }

    /// Runs one rung against its surface through the real interfaces, adding what it
    /// obtains to `knowledge`, and says what it really spent. `rng` is the rung's own
    /// labelled stream, for whatever the attacker makes up (keys, guesses, plaintexts).
    fn run(
        &self,
        rung: &Rung,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Attempted;
}

/// `Attack::run` for a path with one rung that spends all it plans: the attack's own
/// `run_once(surface, ctx, rng, knowledge) -> Outcome` does the work.
macro_rules! run_once_as_the_rung {
    () => {
        fn run(
            &self,
            rung: &$crate::effort::rung::Rung,
            surface: $crate::attack::Surface<'_>,
            ctx: &mut provsim_sim::Ctx<'_>,
            rng: &mut provsim_sim::Stream,
            knowledge: &mut $crate::knowledge::Knowledge,
        ) -> $crate::effort::rung::Attempted {
            $crate::effort::rung::Attempted::all_of(
                rung,
                self.run_once(surface, ctx, rng, knowledge),
            )
        }
    };
}
pub(crate) use run_once_as_the_rung;

/// One rung of a sorted ladder: its position in the attack's own list (what its stream
/// is named by), the rung, and the potential its plan is rated at.
#[derive(Debug, Clone)]
pub struct RatedRung {
    pub at: usize,
    pub rung: Rung,
    pub planned: AttackPotential,
}

/// An attack's ladder against a target kind, each rung with the potential its plan is
/// rated at, sorted by rated total (paths that are not exploitable last); rungs with
/// the same total keep the attack's order.
pub fn ladder(attack: &dyn Attack, target: TargetKind) -> Vec<RatedRung> {
    let mut rungs: Vec<RatedRung> = attack
        .rungs(target)
        .into_iter()
        .enumerate()
        .map(|(at, rung)| RatedRung {
            at,
            planned: rate(&rung.plan, target),
            rung,
        })
        .collect();
    rungs.sort_by_key(|r| r.planned.cost());
    rungs
}
