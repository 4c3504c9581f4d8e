//! Named fault points: every security decision a chip's ROM or hardware makes passes
//! through one, so a fault-injection attack can be aimed at a single check.
//!
//! Here the points are named and every check is routed through a [`FaultGate`]; the
//! physical model ([`FaultState`], in `model`) decides whether a glitch lands, whether
//! a detector catches it, and what it does to the one decision it hits, without
//! touching the code that makes the decision.

mod model;
mod point;

pub use model::{
    Detector, FaultCountermeasures, FaultEffect, FaultModel, FaultState, Glitch, GlitchMethod,
    GlitchOutcome, GlitchTally, Persistence, Ratio,
};
pub use point::{FaultGate, FaultPoint, NoFaults};
