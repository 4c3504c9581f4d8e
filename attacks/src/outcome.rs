//! How an attempt went, in the attack's own words.

use std::fmt;

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
