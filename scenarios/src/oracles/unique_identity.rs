//! One identity, one device: the registrar never lets an identity hold sessions from
//! two endpoints at once.

use super::oracle::{Observation, Oracle};
use super::scope::Param;
use provsim_attacks::Gain;
use provsim_attacks::Position;

#[derive(Debug, Clone, Copy)]
pub struct UniqueIdentityAtRegistrar;

impl Oracle for UniqueIdentityAtRegistrar {
    fn id(&self) -> &'static str {
        "unique-identity-at-registrar"
    }

    fn statement(&self) -> &'static str {
        "The customer's registrar never admits one identity from two endpoints at once."
    }

    fn falsified_by(&self) -> &'static [Gain] {
        &[Gain::RegistrarSession]
    }

    fn tried_by(&self, position: Position) -> bool {
        matches!(position, Position::Field | Position::RmaDesk)
    }

    fn parameters(&self) -> &'static [Param] {
        &[Param::Lots]
    }

    fn check(&self, seen: &Observation<'_>) -> Option<String> {
        if !seen.scope.covers_id(seen.attacked.device) {
            return None;
        }
        let (identity, endpoints) = seen.attacked.shared_identities.first()?;
        Some(format!(
            "the registrar admitted identity {identity} from {} endpoints at once ({})",
            endpoints.len(),
            endpoints
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracles::oracle::tests::attacked;
    use crate::oracles::truth::GroundTruth;
    use provsim_attacks::Knowledge;
    use provsim_sim::crypto::{Crypto, Fingerprint};

    #[test]
    fn only_an_identity_held_from_two_endpoints_breaks_it() {
        let crypto = Crypto::new();
        let truth = GroundTruth::default();
        let knowledge = Knowledge::new();
        let judge = |shared: Vec<(Fingerprint, Vec<u64>)>| {
            let mut seen = attacked();
            seen.shared_identities = shared;
            UniqueIdentityAtRegistrar.check(&Observation {
                scope: &crate::oracles::scope::Scope::ALL,
                truth: &truth,
                attacked: &seen,
                knowledge: &knowledge,
                crypto: &crypto,
            })
        };
        assert_eq!(judge(Vec::new()), None);
        let evidence = judge(vec![(Fingerprint([7; 32]), vec![3, 1 << 48])]).unwrap();
        assert!(evidence.contains("from 2 endpoints"), "{evidence}");
    }
}
