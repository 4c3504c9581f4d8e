//! One rung of an attack's effort ladder, and what running it spent.

use super::counts::Effort;
use crate::outcome::Outcome;
use provsim_devices::fault::FaultPoint;

/// One step up an attack's ladder: the most it will spend, which is what it is rated
/// and sorted by before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rung {
    /// How reports and `[[attack]] rung = "..."` name it: "10000 traces, first order".
    pub label: String,
    /// The most this rung spends.
    pub plan: Effort,
    /// The check a glitch rung aims at.
    pub aim: Option<FaultPoint>,
}

/// What running one rung did: the attack's own account and what it really spent (a
/// glitch that lands on try 37 spent 37 tries, whatever the rung allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempted {
    pub outcome: Outcome,
    pub spent: Effort,
}

impl Attempted {
    /// A rung that spent all it planned.
    pub fn all_of(rung: &Rung, outcome: Outcome) -> Attempted {
        Attempted {
            outcome,
            spent: rung.plan.clone(),
        }
    }
}
