//! The oracle library: every oracle a claim can use, by id.

use super::anti_rollback::NoRollback;
use super::books_balance::BooksBalance;
use super::books_detection::IllegitimateIdentitiesNamed;
use super::counterfeit_identity::NoCounterfeitIdentity;
use super::firmware_key::NoForeignSignedImage;
use super::identity_key::IdentityKeysSecret;
use super::oracle::Oracle;
use super::retired_identity::RetiredIdentitiesStayOut;
use super::scrapped_part::ScrappedPartsHoldNoKeys;
use super::secure_channel::ChannelCommandsSealedOnce;
use super::signed_firmware::OnlySignedFirmwareStarts;
use super::symmetric_key::SymmetricKeysSecret;
use super::test_features::TestFeaturesStayClosed;
use super::unique_identity::UniqueIdentityAtRegistrar;

/// Every oracle, in the order `provsim` lists them.
pub static ORACLES: &[&dyn Oracle] = &[
    &IdentityKeysSecret,
    &OnlySignedFirmwareStarts,
    &NoCounterfeitIdentity,
    &SymmetricKeysSecret,
    &NoRollback,
    &ChannelCommandsSealedOnce,
    &TestFeaturesStayClosed,
    &IllegitimateIdentitiesNamed,
    &UniqueIdentityAtRegistrar,
    &RetiredIdentitiesStayOut,
    &ScrappedPartsHoldNoKeys,
    &NoForeignSignedImage,
    &BooksBalance,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_and_every_claim_uses_a_listed_oracle() {
        for (i, oracle) in ORACLES.iter().enumerate() {
            assert!(ORACLES[..i].iter().all(|o| o.id() != oracle.id()));
            assert!(oracle.statement().ends_with('.'));
        }
        for claim in crate::claims::library::CLAIMS {
            assert!(
                ORACLES.iter().any(|o| o.id() == claim.oracle.id()),
                "{}",
                claim.id
            );
        }
    }
}
