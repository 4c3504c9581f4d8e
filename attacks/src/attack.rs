//! The attack interface: what an attack path is, what it acts on, and how it reports
//! what happened.

use crate::knowledge::Knowledge;
use crate::potential::AttackPotential;
use provsim_devices::{Target, TargetKind};
use provsim_provisioner::SiteAccess;
use provsim_sim::{Ctx, Stream};
use std::fmt;

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

/// How an attempt went, in the attack's own words. This is a description for the
/// report, not a verdict: whether anything was broken is for the claims' oracles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The attack got material (now in the attacker's knowledge).
    Obtained { summary: String },
    /// A countermeasure stopped it.
    Blocked { reason: String },
    /// It ran but got nothing of use.
    Failed { reason: String },
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Obtained { .. } => "obtained",
            Outcome::Blocked { .. } => "blocked",
            Outcome::Failed { .. } => "failed",
        }
    }

    pub fn why(&self) -> &str {
        match self {
            Outcome::Obtained { summary } => summary,
            Outcome::Blocked { reason } | Outcome::Failed { reason } => reason,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.why())
    }
}

/// What an attack path acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// One device, through its ports and boot path.
    Device,
    /// The provisioning site, through what its hosts and consoles expose.
    Site,
}

impl Position {
    pub fn name(self) -> &'static str {
        match self {
            Position::Device => "device",
            Position::Site => "site",
        }
    }
}

/// The attack path's own copy of what it acts on.
pub enum Surface<'a> {
    Device(&'a mut dyn Target),
    /// The site as it was while one device was on the station.
    Site(&'a mut SiteAccess),
}

impl Surface<'_> {
    /// What was handed over, for an attack given the wrong surface.
    fn position(&self) -> Position {
        match self {
            Surface::Device(_) => Position::Device,
            Surface::Site(_) => Position::Site,
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

/// An attack path.
pub trait Attack: Send + Sync {
    /// The id scenarios name it by.
    fn id(&self) -> &'static str;

    /// One line for reports.
    fn title(&self) -> &'static str;

    fn phase(&self) -> Phase;

    /// The CEM factor ratings of this path against a target class.
    fn potential(&self, target: TargetKind) -> AttackPotential;

    /// What it acts on: the runner hands it a copy of that.
    fn position(&self) -> Position {
        Position::Device
    }

    /// Runs against its surface through the real interfaces, adding what it obtains to
    /// `knowledge`. `rng` is the attempt's own labelled stream, for whatever the attacker
    /// makes up (keys, guesses).
    fn run(
        &self,
        surface: Surface<'_>,
        ctx: &mut Ctx<'_>,
        rng: &mut Stream,
        knowledge: &mut Knowledge,
    ) -> Outcome;
}
