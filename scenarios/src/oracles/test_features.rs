//! No shipped device is brought back to a state whose test features are open.

use super::oracle::{Observation, Oracle};
use super::scope::Param;
use provsim_attacks::Gain;
use provsim_devices::LifeCycle;

/// The attacked device's life-cycle state (its fuses', or a card's own) before the
/// attempt and once it is over. Only the attacker acted on its copy, and no attacker
/// holds the owner's tokens, so a copy that moved into test or RMA during the attempt
/// was moved without them. The attack's account of itself plays no part.
#[derive(Debug, Clone, Copy)]
pub struct TestFeaturesStayClosed;

impl Oracle for TestFeaturesStayClosed {
    fn id(&self) -> &'static str {
        "test-features-stay-closed"
    }

    fn statement(&self) -> &'static str {
        "No shipped device returns to a life-cycle state with its test features open (test or RMA) without its owner's token."
    }

    fn falsified_by(&self) -> &'static [Gain] {
        &[Gain::TestFeatures]
    }

    fn parameters(&self) -> &'static [Param] {
        &[Param::Lots]
    }

    fn check(&self, seen: &Observation<'_>) -> Option<String> {
        if !seen.scope.covers_id(seen.attacked.device) {
            return None;
        }
        let (before, after) = seen.attacked.life_cycle?;
        let open = |state| matches!(state, LifeCycle::Test | LifeCycle::Rma);
        (open(after) && !open(before)).then(|| {
            format!(
                "device {} moved from {before} to {after} during the attempt, its test features open",
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

    fn judge(states: Option<(LifeCycle, LifeCycle)>) -> Option<String> {
        let mut attacked = attacked();
        attacked.life_cycle = states;
        TestFeaturesStayClosed.check(&Observation {
            scope: &crate::oracles::scope::Scope::ALL,
            truth: &GroundTruth::default(),
            attacked: &attacked,
            knowledge: &Knowledge::new(),
            crypto: &Crypto::new(),
        })
    }

    #[test]
    fn only_a_move_into_test_or_rma_violates_it() {
        for state in LifeCycle::ALL {
            let open = matches!(state, LifeCycle::Test | LifeCycle::Rma);
            assert_eq!(
                judge(Some((LifeCycle::Field, state))).is_some(),
                open,
                "{state}"
            );
            // Already there before the attempt: not the attempt's doing.
            assert_eq!(judge(Some((state, state))), None, "{state}");
        }
        assert_eq!(judge(None), None);
    }
}
