//! No shipped device is brought back to a state whose test features are open.

use super::oracle::{Observation, Oracle};
use provsim_devices::LifeCycle;

/// The life-cycle state the attacked device's fuses decode to once the attempt is over.
/// Only the attacker acted on its copy, and no attacker holds the owner's tokens, so a
/// copy found in test or RMA was put there without them. The attack's account of itself
/// plays no part.
#[derive(Debug, Clone, Copy)]
pub struct TestFeaturesStayClosed;

impl Oracle for TestFeaturesStayClosed {
    fn id(&self) -> &'static str {
        "test-features-stay-closed"
    }

    fn statement(&self) -> &'static str {
        "No shipped device returns to a life-cycle state with its test features open (test or RMA) without its owner's token."
    }

    fn check(&self, seen: &Observation<'_>) -> Option<String> {
        let state = seen.attacked.life_cycle_after?;
        matches!(state, LifeCycle::Test | LifeCycle::Rma).then(|| {
            format!(
                "device {} is in {state} after the attempt, its test features open",
                seen.attacked.device
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracles::oracle::tests::attacked;
    use crate::oracles::truth::GroundTruth;
    use provsim_attacks::Knowledge;
    use provsim_sim::crypto::Crypto;

    fn judge(state: Option<LifeCycle>) -> Option<String> {
        let mut attacked = attacked();
        attacked.life_cycle_after = state;
        TestFeaturesStayClosed.check(&Observation {
            truth: &GroundTruth::default(),
            attacked: &attacked,
            knowledge: &Knowledge::new(),
            crypto: &Crypto::new(),
        })
    }

    #[test]
    fn only_a_device_left_in_test_or_rma_violates_it() {
        for state in LifeCycle::ALL {
            let open = matches!(state, LifeCycle::Test | LifeCycle::Rma);
            assert_eq!(judge(Some(state)).is_some(), open, "{state}");
        }
        assert_eq!(judge(None), None);
    }
}
