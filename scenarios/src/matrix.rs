//! The claims x attacks matrix as the report holds it: what each attack path did to
//! each claim, and why where it did not test it.

use serde::Serialize;

/// One claim's row of the claims x attacks matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicabilityRow {
    pub claim: String,
    /// One per attack path, in the scenario's order.
    pub cells: Vec<ApplicabilityCell>,
}

/// What one attack path did to one claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicabilityCell {
    pub attack: String,
    /// `broken`, `residual risk`, `residual risk, short of resistance`, `resisted`,
    /// `short of resistance`, `did not act`, `not applicable`, or `not run` (the path
    /// had no target).
    pub status: String,
    /// Why the path did not test the claim at its resistance: for the statuses that say
    /// short of resistance, did not act or not applicable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}
