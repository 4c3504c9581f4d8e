//! What a claim's oracle came to over a run, and what the run came to.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Holds,
    Broken,
    /// Nothing was broken, but nothing tried: no device shipped, or no attack that could
    /// make the claim false found anything to act on.
    /// A claim nobody tested is not a claim that holds.
    Inconclusive,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Broken => "broken",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// Why a claim that nothing broke still does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Untested {
    /// The line shipped no device, so there was nothing to attack.
    NothingShipped,
    /// No attack was made in the run.
    NothingAttempted,
}

impl Untested {
    pub fn reason(self) -> &'static str {
        match self {
            Untested::NothingShipped => "no device shipped, so nothing was attacked",
            Untested::NothingAttempted => {
                "no attack that could make it false was attempted (or found anything to act on)"
            }
        }
    }
}
