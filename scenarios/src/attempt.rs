//! One attack path tried on one device, as the runner records it: typed, nothing
//! rendered. The claims are judged from these, and the report is assembled from them.

use provsim_attacks::{Attack, AttackPotential, Outcome};
use provsim_devices::DeviceId;
use std::fmt;

/// One attempt: which attack, on which device, how it went, what it needs, and which
/// claims' oracles it made false.
#[derive(Clone)]
pub struct Attempt {
    pub attack: &'static dyn Attack,
    /// The device's index within the run.
    pub device: u64,
    /// The attacked device's id (for a site attack, the device on the station).
    pub device_id: DeviceId,
    /// How it went, in the attack's own words: a description, never a verdict.
    pub outcome: Outcome,
    /// The attack potential the path needs against the line's target.
    pub potential: AttackPotential,
    /// The claims whose oracle this attempt made false, in the scenario's claim order.
    pub violations: Vec<Violation>,
}

/// A claim's oracle found this attempt made its statement false.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The claim's position in the scenario's claims.
    pub claim: usize,
    /// What the oracle found, in its words.
    pub evidence: String,
}

impl Attempt {
    /// What the attempt did to the claim at position `claim`, if it violated it.
    pub fn violation_of(&self, claim: usize) -> Option<&Violation> {
        self.violations.iter().find(|v| v.claim == claim)
    }
}

impl fmt::Debug for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attempt")
            .field("attack", &self.attack.id())
            .field("device", &self.device)
            .field("device_id", &self.device_id)
            .field("outcome", &self.outcome)
            .field("potential", &self.potential)
            .field("violations", &self.violations)
            .finish()
    }
}
