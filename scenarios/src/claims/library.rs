//! The claims provsim states, for a scenario to pick by id and make at a resistance.

use super::claim::{ClaimEntry, EssentialElement};
use crate::oracles::anti_rollback::NoRollback;
use crate::oracles::books_balance::BooksBalance;
use crate::oracles::books_detection::IllegitimateIdentitiesNamed;
use crate::oracles::counterfeit_identity::NoCounterfeitIdentity;
use crate::oracles::firmware_key::NoForeignSignedImage;
use crate::oracles::identity_key::IdentityKeysSecret;
use crate::oracles::retired_identity::RetiredIdentitiesStayOut;
use crate::oracles::scrapped_part::ScrappedPartsHoldNoKeys;
use crate::oracles::secure_channel::ChannelCommandsSealedOnce;
use crate::oracles::signed_firmware::OnlySignedFirmwareStarts;
use crate::oracles::symmetric_key::SymmetricKeysSecret;
use crate::oracles::test_features::TestFeaturesStayClosed;
use crate::oracles::unique_identity::UniqueIdentityAtRegistrar;

/// Every claim a scenario can make, in the order `provsim list claims` shows them.
pub static CLAIMS: &[ClaimEntry] = &[
    ClaimEntry {
        id: "identity-key-confidentiality",
        requirement: "FDP_SDC.1 stored data confidentiality (SESIP: secure storage) of device identity keys",
        element: EssentialElement::SecureStorage,
        oracle: &IdentityKeysSecret,
    },
    ClaimEntry {
        id: "firmware-authenticity",
        requirement: "SESIP secure initialization of platform (secure boot): only authorised firmware starts",
        element: EssentialElement::SecureCodeExecution,
        oracle: &OnlySignedFirmwareStarts,
    },
    ClaimEntry {
        id: "device-identity-authenticity",
        requirement: "SESIP attestation of platform genuineness: only devices the line provisioned hold an identity the customer CA vouches for",
        element: EssentialElement::Authentication,
        oracle: &NoCounterfeitIdentity,
    },
    ClaimEntry {
        id: "device-secret-confidentiality",
        requirement: "FDP_SDC.1 stored data confidentiality (SESIP: secure storage) of per-device symmetric keys",
        element: EssentialElement::SecureStorage,
        oracle: &SymmetricKeysSecret,
    },
    ClaimEntry {
        id: "firmware-anti-rollback",
        requirement: "SESIP secure update of platform: no image older than the anti-rollback fuses allow starts",
        element: EssentialElement::SecureCodeExecution,
        oracle: &NoRollback,
    },
    ClaimEntry {
        id: "secure-channel-integrity",
        requirement: "FTP_ITC.1 trusted channel with FPT_RPL.1 replay detection: the card runs channel-only commands only as the key holder sealed them, once",
        element: EssentialElement::SecureConnections,
        oracle: &ChannelCommandsSealedOnce,
    },
    ClaimEntry {
        id: "limited-test-features",
        requirement: "FMT_LIM.1/FMT_LIM.2 limited capabilities and availability: test features cannot be reopened after delivery without the owner's token",
        element: EssentialElement::SecureCodeExecution,
        oracle: &TestFeaturesStayClosed,
    },
    ClaimEntry {
        id: "illegitimate-identities-detected",
        requirement: "ALC_DVS development security (the provisioning site as a CC site): the site's books name every identity or certificate made outside the order",
        element: EssentialElement::Site,
        oracle: &IllegitimateIdentitiesNamed,
    },
    ClaimEntry {
        id: "identity-uniqueness",
        requirement: "SESIP attestation of platform genuineness, at the cloud: one identity answers from one device (the registrar refuses a second endpoint)",
        element: EssentialElement::Authentication,
        oracle: &UniqueIdentityAtRegistrar,
    },
    ClaimEntry {
        id: "retired-identities-refused",
        requirement: "SESIP secure decommissioning, at the cloud: an identity the customer revoked, or whose part was returned or scrapped, is refused",
        element: EssentialElement::Authentication,
        oracle: &RetiredIdentitiesStayOut,
    },
    ClaimEntry {
        id: "scrapped-part-confidentiality",
        requirement: "FDP_RIP.1 subset residual information protection: a part that does not ship keeps none of the keys put into it",
        element: EssentialElement::SecureStorage,
        oracle: &ScrappedPartsHoldNoKeys,
    },
    ClaimEntry {
        id: "firmware-key-control",
        requirement: "FDP_ACF.1 access control on the firmware-signing key (ALC_DVS: the site's key management): no image outside the releases carries its signature",
        element: EssentialElement::Site,
        oracle: &NoForeignSignedImage,
    },
    ClaimEntry {
        id: "site-books-balance",
        requirement: "ALC_DVS.2 sufficiency of security measures (the site's accounting): every die, key and certificate the line made is shipped, refused or destroyed, and the books say which",
        element: EssentialElement::Site,
        oracle: &BooksBalance,
    },
];

/// The claim with this id.
pub fn find(id: &str) -> Option<&'static ClaimEntry> {
    CLAIMS.iter().find(|entry| entry.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_ids_round_trip() {
        for (i, entry) in CLAIMS.iter().enumerate() {
            assert_eq!(find(entry.id).map(|e| e.id), Some(entry.id));
            assert!(CLAIMS[..i].iter().all(|e| e.id != entry.id));
        }
        assert!(find("nope").is_none());
    }
}
