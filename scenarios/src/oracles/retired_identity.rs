//! Retired identities stay out: the registrar admits no identity the customer's records
//! say was revoked, returned or scrapped.

use super::oracle::{Observation, Oracle};
use super::scope::Param;
use provsim_attacks::Gain;
use provsim_attacks::Position;

#[derive(Debug, Clone, Copy)]
pub struct RetiredIdentitiesStayOut;

impl Oracle for RetiredIdentitiesStayOut {
    fn id(&self) -> &'static str {
        "retired-identities-stay-out"
    }

    fn statement(&self) -> &'static str {
        "The customer's registrar admits no identity its records say was revoked, returned or scrapped."
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
        let (identity, why) = seen.attacked.admitted_barred.first()?;
        Some(format!(
            "the registrar admitted identity {identity}, which the customer's records say is {why}"
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
    fn only_an_admitted_retired_identity_breaks_it() {
        let (crypto, truth, knowledge) = (Crypto::new(), GroundTruth::default(), Knowledge::new());
        let judge = |admitted: Vec<(Fingerprint, String)>| {
            let mut seen = attacked();
            seen.admitted_barred = admitted;
            RetiredIdentitiesStayOut.check(&Observation {
                scope: &crate::oracles::scope::Scope::ALL,
                truth: &truth,
                attacked: &seen,
                knowledge: &knowledge,
                crypto: &crypto,
            })
        };
        assert_eq!(judge(Vec::new()), None);
        let evidence = judge(vec![(Fingerprint([2; 32]), "rma-wiped".to_owned())]).unwrap();
        assert!(evidence.contains("is rma-wiped"), "{evidence}");
    }
}
