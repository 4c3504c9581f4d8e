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
    /// No attack path of the scenario can make the claim false.
    NothingApplicable,
    /// Paths that could make it false were run, but none found anything to act on.
    NoneActed,
    /// Paths acted on it, but none climbed as far as the claimed resistance.
    ShortOfResistance,
    /// A process claim the honest run never exercised, and no attack path tested.
    NotExercised,
    /// The paths that could make it false acted only on devices outside its lots.
    OutOfScope,
}

impl Untested {
    pub fn reason(self) -> &'static str {
        match self {
            Untested::NothingShipped => "no device shipped, so nothing was attacked",
            Untested::NothingApplicable => "no attack path of the scenario can make it false",
            Untested::NoneActed => {
                "the attack paths that could make it false found nothing to act on"
            }
            Untested::ShortOfResistance => {
                "no attack path that acted on it climbed its ladder to the claimed resistance"
            }
            Untested::OutOfScope => {
                "the attack paths that could make it false acted only on devices outside the claim's lots"
            }
            Untested::NotExercised => {
                "the honest run never exercised it (no device refused, or no key of an unshipped part destroyed) and no attack path tested it"
            }
        }
    }
}
