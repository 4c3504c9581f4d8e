//! What every glitch path shares: its ladder (every method, one fault per try then two,
//! at each check in reach, a short and a long run of tries), the glitches of one try,
//! and an evaluator's account of why a rung's tries held.

use crate::effort::{Access, Bench, Effort, Needs, Rung, Step};
use provsim_devices::Target;
use provsim_devices::fault::{
    FaultEffect, FaultPoint, Glitch, GlitchMethod, GlitchOutcome, Persistence,
};
use provsim_sim::Stream;

/// Tries per rung: under a minute at the rig's 5 tries a second, then about 35
/// minutes. Both fit in a day, so on one method they rate the same; a million tries
/// would not (see `effort::rate`'s tests), but would make every climb slow.
pub const TRIES: [u64; 2] = [200, 10_000];

/// One rung's plan: the rig, the tries, and the set-up a method and a second fault need.
pub fn plan(method: GlitchMethod, faults: u8, tries: u64) -> Effort {
    let mut steps = vec![Step::TimeTheCheck];
    if faults >= 2 {
        steps.push(Step::TimeSecondFault);
    }
    if matches!(method, GlitchMethod::Electromagnetic | GlitchMethod::Laser) {
        steps.push(Step::ScanTheDie);
    }
    if method == GlitchMethod::Laser {
        steps.push(Step::OpenThePackage);
    }
    Effort {
        bench: Bench::Glitcher(method),
        count: tries,
        order: 0,
        faults,
        points: 1,
        steps,
        needs: Needs::TargetDocumentation,
        access: Access::FieldSamples(1),
    }
}

fn label(method: GlitchMethod, faults: u8, at: FaultPoint, tries: u64) -> String {
    let faults = if faults == 1 { "single" } else { "double" };
    format!("{}, {faults} fault at {at}, {tries} tries", method.name())
}

/// Every method, single then double faults, at each of `points`, with each run of
/// `TRIES`.
pub fn rungs(points: &[FaultPoint], methods: &[GlitchMethod]) -> Vec<Rung> {
    let mut rungs = Vec::new();
    for &method in methods {
        for faults in [1u8, 2] {
            for &at in points {
                for tries in TRIES {
                    rungs.push(Rung {
                        label: label(method, faults, at, tries),
                        plan: plan(method, faults, tries),
                        aim: Some(at),
                    });
                }
            }
        }
    }
    rungs
}

/// The glitch a rung aims (a skip, as every path here wants), if it aims one.
pub fn aimed(rung: &Rung) -> Option<Glitch> {
    let (Bench::Glitcher(method), Some(at)) = (rung.plan.bench, rung.aim) else {
        return None;
    };
    Some(Glitch {
        at,
        method,
        effect: FaultEffect::Skip,
        persistence: Persistence::Transient,
    })
}

/// What the rig saw of its glitches over a rung.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shots {
    pub landed: u32,
    pub caught: u32,
}

impl Shots {
    /// One try: `faults` glitches at the chip, each decided by its fault model.
    pub fn fire(&mut self, target: &mut dyn Target, glitch: Glitch, faults: u8, rng: &mut Stream) {
        for _ in 0..faults.max(1) {
            match target.glitch(glitch, rng) {
                GlitchOutcome::Landed => self.landed += 1,
                GlitchOutcome::Detected => self.caught += 1,
                GlitchOutcome::Missed => {}
            }
        }
    }

    /// Why `tries` tries never got `what` done, in an evaluator's words. Beyond the
    /// tries, what it says comes from the chip's fault instrumentation (where each
    /// glitch went and the alarm count), which an evaluator with an instrumented sample
    /// reads and a field attacker does not: detectors that fired; landed glitches that
    /// raised an alarm instead (a mismatch: the check is computed twice and compared);
    /// and landed glitches that changed nothing.
    pub fn held(self, tries: u64, alarms: u64, what: &str) -> String {
        let mismatches = alarms.saturating_sub(u64::from(self.caught));
        let idle = u64::from(self.landed).saturating_sub(mismatches);
        let mut stopped = Vec::new();
        if self.caught > 0 {
            stopped.push(format!("glitch detectors caught {}", self.caught));
        }
        if mismatches > 0 {
            stopped.push(format!(
                "{mismatches} landed glitch(es) raised a mismatch alarm instead: the check is computed twice and compared"
            ));
        }
        if idle > 0 {
            stopped.push(format!("{idle} landed glitch(es) changed nothing"));
        }
        if stopped.is_empty() {
            stopped.push("no glitch landed".to_owned());
        }
        format!(
            "{tries} tries, {what}; the chip's fault instrumentation shows: {}",
            stopped.join("; ")
        )
    }
}
