//! The physical fault model: whether a glitch aimed at a fault point lands, whether the
//! chip's detectors catch it, and what a landed fault does to the decision it hits.
//!
//! Probabilities are integer ratios drawn from the attacker's seeded stream, so a
//! verdict that rests on them is the same on every machine. A glitch is aimed at the
//! chip's next operation (a command, a read, a boot); if it lands it acts on the first
//! evaluation of its point in that operation that refuses (the attacker times it on
//! the refusal that matters), and a transient one that found none is gone when the
//! operation ends:
//!
//! - **skip**: the branch that refuses is not taken, so the check passes;
//! - **bit flip** and **stuck-at-ones**: a plain boolean reads as "yes"; a hardened
//!   multi-bit encoding (OpenTitan's `hardened_bool_t` style) reads as neither, which the
//!   chip treats as an attack: refused, and an alarm;
//! - **stuck-at-zero**: reads as "no", whatever the encoding.
//!
//! A redundant check is computed by two copies of the logic and the results compared:
//! a glitch lands on one copy, so one fault makes them disagree (refused, alarm) and
//! only a second fault on the other copy gets the check through. A permanent fault
//! stays on its copy; a transient one is spent when it acts.

use super::point::{FaultGate, FaultPoint};
use provsim_sim::Stream;
use std::collections::BTreeMap;
use std::fmt;

/// A probability as an integer ratio `numerator / denominator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    numerator: u64,
    denominator: u64,
}

impl Ratio {
    pub const NEVER: Ratio = Ratio {
        numerator: 0,
        denominator: 1,
    };
    pub const ALWAYS: Ratio = Ratio {
        numerator: 1,
        denominator: 1,
    };

    /// `None` unless `0 <= numerator <= denominator` and the denominator is not zero.
    pub const fn new(numerator: u64, denominator: u64) -> Option<Ratio> {
        if denominator == 0 || numerator > denominator {
            None
        } else {
            Some(Ratio {
                numerator,
                denominator,
            })
        }
    }

    /// Parts per million, capped at a million.
    pub const fn per_million(ppm: u32) -> Ratio {
        let ppm = if ppm > 1_000_000 { 1_000_000 } else { ppm };
        Ratio {
            numerator: ppm as u64,
            denominator: 1_000_000,
        }
    }

    pub fn numerator(self) -> u64 {
        self.numerator
    }

    pub fn denominator(self) -> u64 {
        self.denominator
    }

    /// One draw from `rng`: true with this probability.
    pub fn draw(self, rng: &mut Stream) -> bool {
        self.numerator > 0 && rng.chance(self.numerator, self.denominator)
    }

    /// The probability as a float, for reports and statistics only.
    pub fn as_f64(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

/// How the attacker disturbs the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GlitchMethod {
    /// A dip on the supply rail.
    Voltage,
    /// A short clock cycle.
    Clock,
    /// An electromagnetic pulse through a probe over the die.
    Electromagnetic,
    /// A laser pulse on the opened die.
    Laser,
}

impl GlitchMethod {
    pub const ALL: [GlitchMethod; 4] = [
        GlitchMethod::Voltage,
        GlitchMethod::Clock,
        GlitchMethod::Electromagnetic,
        GlitchMethod::Laser,
    ];

    pub fn name(self) -> &'static str {
        match self {
            GlitchMethod::Voltage => "voltage",
            GlitchMethod::Clock => "clock",
            GlitchMethod::Electromagnetic => "electromagnetic",
            GlitchMethod::Laser => "laser",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// What a landed fault does to the value it hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FaultEffect {
    Skip,
    BitFlip,
    StuckAtZero,
    StuckAtOnes,
}

impl FaultEffect {
    pub const ALL: [FaultEffect; 4] = [
        FaultEffect::Skip,
        FaultEffect::BitFlip,
        FaultEffect::StuckAtZero,
        FaultEffect::StuckAtOnes,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FaultEffect::Skip => "skip",
            FaultEffect::BitFlip => "bit-flip",
            FaultEffect::StuckAtZero => "stuck-at-zero",
            FaultEffect::StuckAtOnes => "stuck-at-ones",
        }
    }
}

/// Whether a landed fault is spent when it acts or stays (damage, a stuck cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Persistence {
    Transient,
    Permanent,
}

/// One glitch, aimed at one fault point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glitch {
    pub at: FaultPoint,
    pub method: GlitchMethod,
    pub effect: FaultEffect,
    pub persistence: Persistence,
}

impl Glitch {
    /// A transient voltage glitch that skips the refusing branch: the plainest attack.
    pub fn skip(at: FaultPoint) -> Glitch {
        Glitch {
            at,
            method: GlitchMethod::Voltage,
            effect: FaultEffect::Skip,
            persistence: Persistence::Transient,
        }
    }
}

/// A sensor that catches glitches of one method with some probability, and then
/// resets the operation (the glitch has no effect) and raises an alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detector {
    pub senses: GlitchMethod,
    pub catches: Ratio,
}

/// What a chip's design does against faults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultCountermeasures {
    pub detectors: Vec<Detector>,
    /// Checks computed by two copies of the logic and compared.
    pub redundant: Vec<FaultPoint>,
    /// Decisions held in multi-bit encodings: a flipped bit or a stuck register is no
    /// valid "yes".
    pub hardened_booleans: bool,
}

/// A chip's susceptibility to each glitch method (how often a glitch aimed with typical
/// equipment lands) and its countermeasures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultModel {
    pub susceptibility: BTreeMap<GlitchMethod, Ratio>,
    pub countermeasures: FaultCountermeasures,
}

impl FaultModel {
    /// A stock part with no fault countermeasures. The rates are the model's defaults,
    /// of the order published glitching campaigns report on unprotected MCUs (a few
    /// percent per attempt for supply and clock glitches), not measurements.
    pub fn stock() -> FaultModel {
        let rate = |n, d| Ratio::new(n, d).unwrap_or(Ratio::NEVER);
        FaultModel {
            susceptibility: BTreeMap::from([
                (GlitchMethod::Voltage, rate(1, 20)),
                (GlitchMethod::Clock, rate(1, 25)),
                (GlitchMethod::Electromagnetic, rate(1, 50)),
                (GlitchMethod::Laser, rate(1, 5)),
            ]),
            countermeasures: FaultCountermeasures::default(),
        }
    }

    pub fn susceptibility(&self, method: GlitchMethod) -> Ratio {
        self.susceptibility
            .get(&method)
            .copied()
            .unwrap_or(Ratio::NEVER)
    }

    pub fn is_redundant(&self, at: FaultPoint) -> bool {
        self.countermeasures.redundant.contains(&at)
    }
}

impl Default for FaultModel {
    fn default() -> Self {
        FaultModel::stock()
    }
}

/// What became of one glitch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlitchOutcome {
    /// It did not disturb the chip.
    Missed,
    /// A detector caught it: no effect, and an alarm.
    Detected,
    /// It landed and waits for its point.
    Landed,
}

/// The decision one copy of a check reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Accept,
    Refuse,
    /// A hardened encoding read as neither yes nor no.
    Invalid,
}

/// What became of the glitches aimed at one fault point with one method: the counts a
/// glitch map is made of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GlitchTally {
    /// Glitches aimed.
    pub aimed: u64,
    /// Those that landed unseen.
    pub landed: u64,
    /// Those a detector caught.
    pub detected: u64,
    /// Landed faults that took effect at the check they were aimed at (a duplicated
    /// check may still refuse, raising a mismatch).
    pub acted: u64,
}

/// A chip's fault state: its model, the faults that landed and wait for their point,
/// those that acted, and the alarms raised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultState {
    model: FaultModel,
    /// Landed faults and the copy of the check each sits on.
    pending: Vec<(Glitch, u8)>,
    fired: Vec<FaultPoint>,
    alarms: u64,
    /// What became of every glitch, by point and method.
    tally: std::collections::BTreeMap<(FaultPoint, GlitchMethod), GlitchTally>,
}

impl FaultState {
    pub fn new(model: FaultModel) -> Self {
        FaultState {
            model,
            ..FaultState::default()
        }
    }

    pub fn model(&self) -> &FaultModel {
        &self.model
    }

    /// Aims `glitch` at its point: `rng` (the attacker's stream) decides whether it
    /// lands, then whether each detector that senses its method catches it.
    pub fn glitch(&mut self, glitch: Glitch, rng: &mut Stream) -> GlitchOutcome {
        let outcome = self.aim(glitch, rng);
        let tally = self.tally.entry((glitch.at, glitch.method)).or_default();
        tally.aimed += 1;
        match outcome {
            GlitchOutcome::Landed => tally.landed += 1,
            GlitchOutcome::Detected => tally.detected += 1,
            GlitchOutcome::Missed => {}
        }
        outcome
    }

    fn aim(&mut self, glitch: Glitch, rng: &mut Stream) -> GlitchOutcome {
        if !self.model.susceptibility(glitch.method).draw(rng) {
            return GlitchOutcome::Missed;
        }
        for detector in &self.model.countermeasures.detectors {
            if detector.senses == glitch.method && detector.catches.draw(rng) {
                self.alarms += 1;
                return GlitchOutcome::Detected;
            }
        }
        self.land(glitch);
        GlitchOutcome::Landed
    }

    /// What became of the glitches aimed so far, by point and method.
    pub fn tally(&self) -> Vec<(FaultPoint, GlitchMethod, GlitchTally)> {
        self.tally
            .iter()
            .map(|(&(at, method), &tally)| (at, method, tally))
            .collect()
    }

    /// A glitch that landed, whatever the odds: how tests show a point guards what it
    /// names.
    pub fn arm(&mut self, at: FaultPoint) {
        self.land(Glitch::skip(at));
    }

    fn land(&mut self, glitch: Glitch) {
        // On a redundant check the attacker aims at the copy not yet faulted.
        let copy = u8::from(
            self.model.is_redundant(glitch.at)
                && self
                    .pending
                    .iter()
                    .any(|(g, copy)| g.at == glitch.at && *copy == 0),
        );
        self.pending.push((glitch, copy));
    }

    /// The end of one operation of the chip (a command, a read, a boot): a transient
    /// fault that has not acted by then is gone, since a glitch is timed on one
    /// operation. Permanent faults stay.
    pub fn end_operation(&mut self) {
        self.pending
            .retain(|(glitch, _)| glitch.persistence == Persistence::Permanent);
    }

    /// The points whose fault acted, in order.
    pub fn fired(&self) -> &[FaultPoint] {
        &self.fired
    }

    /// Glitches detected and faults that showed as a mismatch or an invalid encoding.
    pub fn alarms(&self) -> u64 {
        self.alarms
    }

    fn decide(&mut self, at: FaultPoint, copy: u8, holds: bool) -> Decision {
        if holds {
            return Decision::Accept;
        }
        let Some(i) = self
            .pending
            .iter()
            .position(|(g, c)| g.at == at && *c == copy)
        else {
            return Decision::Refuse;
        };
        let glitch = self.pending[i].0;
        if glitch.persistence == Persistence::Transient {
            self.pending.remove(i);
        }
        self.fired.push(at);
        if let Some(tally) = self.tally.get_mut(&(at, glitch.method)) {
            tally.acted += 1;
        }
        let hardened = self.model.countermeasures.hardened_booleans;
        match glitch.effect {
            FaultEffect::Skip => Decision::Accept,
            FaultEffect::BitFlip | FaultEffect::StuckAtOnes if hardened => Decision::Invalid,
            FaultEffect::BitFlip | FaultEffect::StuckAtOnes => Decision::Accept,
            FaultEffect::StuckAtZero => Decision::Refuse,
        }
    }
}

impl FaultGate for FaultState {
    fn check(&mut self, at: FaultPoint, holds: bool) -> bool {
        let first = self.decide(at, 0, holds);
        let decision = if self.model.is_redundant(at) {
            let second = self.decide(at, 1, holds);
            if first == second {
                first
            } else {
                self.alarms += 1;
                Decision::Refuse
            }
        } else {
            first
        };
        if decision == Decision::Invalid {
            self.alarms += 1;
        }
        decision == Decision::Accept
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::Seed;

    fn state(countermeasures: FaultCountermeasures) -> FaultState {
        FaultState::new(FaultModel {
            countermeasures,
            ..FaultModel::stock()
        })
    }

    fn always(effect: FaultEffect, persistence: Persistence) -> Glitch {
        Glitch {
            at: FaultPoint::ImageSignature,
            method: GlitchMethod::Laser,
            effect,
            persistence,
        }
    }

    fn land(s: &mut FaultState, glitch: Glitch) {
        let mut rng = Seed::new(1).stream("never used up");
        // Laser lands at 1/5: keep aiming until it does, as an attacker would.
        while s.glitch(glitch, &mut rng) != GlitchOutcome::Landed {}
    }

    #[test]
    fn each_effect_does_what_it_says_on_a_plain_and_a_hardened_check() {
        let at = FaultPoint::ImageSignature;
        for hardened in [false, true] {
            for effect in FaultEffect::ALL {
                let mut s = state(FaultCountermeasures {
                    hardened_booleans: hardened,
                    ..FaultCountermeasures::default()
                });
                land(&mut s, always(effect, Persistence::Transient));
                // A check that holds is untouched and does not spend the fault.
                assert!(s.check(at, true));
                let passed = s.check(at, false);
                let expected = match effect {
                    FaultEffect::Skip => true,
                    FaultEffect::BitFlip | FaultEffect::StuckAtOnes => !hardened,
                    FaultEffect::StuckAtZero => false,
                };
                assert_eq!(passed, expected, "{effect:?} hardened={hardened}");
                // Transient: spent.
                assert!(!s.check(at, false));
                let invalid =
                    hardened && matches!(effect, FaultEffect::BitFlip | FaultEffect::StuckAtOnes);
                assert_eq!(s.alarms(), u64::from(invalid));
                // Aimed elsewhere, nothing happens here.
                assert!(!s.check(FaultPoint::DebugAccess, false));
            }
        }
    }

    #[test]
    fn a_permanent_fault_stays_and_a_redundant_check_needs_one_per_copy() {
        let at = FaultPoint::ImageSignature;
        let mut s = state(FaultCountermeasures::default());
        land(&mut s, always(FaultEffect::Skip, Persistence::Permanent));
        assert!(s.check(at, false) && s.check(at, false));

        let redundant = FaultCountermeasures {
            redundant: vec![at],
            ..FaultCountermeasures::default()
        };
        // One fault, even a permanent one, sits on one copy: the copies disagree.
        let mut s = state(redundant.clone());
        land(&mut s, always(FaultEffect::Skip, Persistence::Permanent));
        assert!(!s.check(at, false) && !s.check(at, false));
        assert_eq!(s.alarms(), 2);
        // A second fault on the other copy gets it through.
        land(&mut s, always(FaultEffect::Skip, Persistence::Transient));
        assert!(s.check(at, false));
        assert!(!s.check(at, false), "the transient one is spent");
    }

    /// A glitch is timed on one operation: a transient fault that found no refusal in
    /// it is gone; a permanent one stays.
    #[test]
    fn transient_faults_end_with_their_operation() {
        let at = FaultPoint::ImageSignature;
        let mut s = state(FaultCountermeasures::default());
        land(&mut s, always(FaultEffect::Skip, Persistence::Transient));
        assert!(s.check(at, true));
        s.end_operation();
        assert!(!s.check(at, false));
        land(&mut s, always(FaultEffect::Skip, Persistence::Permanent));
        s.end_operation();
        assert!(s.check(at, false));
    }

    #[test]
    fn ratios_are_checked_and_drawn_from_the_stream() {
        assert_eq!(Ratio::new(3, 2), None);
        assert_eq!(Ratio::new(1, 0), None);
        assert_eq!(
            Ratio::per_million(2_000_000),
            Ratio::new(1_000_000, 1_000_000).unwrap()
        );
        let mut rng = Seed::new(3).stream("ratio");
        assert!((0..100).all(|_| !Ratio::NEVER.draw(&mut rng)));
        assert!((0..100).all(|_| Ratio::ALWAYS.draw(&mut rng)));
        assert_eq!(Ratio::new(1, 4).unwrap().to_string(), "1/4");
    }
}
