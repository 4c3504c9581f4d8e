//! Every stream the provisioning line draws from, by the label that keys it.
//!
//! The site's keys and certificates, each device's keys, tokens, serials and test
//! outcomes, and each link session's network and handshakes are labelled streams of the
//! run's seed: that is what lets any device be re-created alone, and the texts are what
//! every output depends on. The labels are made here and only here, one constructor per
//! family and each family one template (see [`provsim_sim::label`]), so no two purposes
//! can draw the same stream, and a label reopened on purpose (ground truth re-deriving a
//! device's identity key) comes from the same constructor as the first draw.
//!
//! Only [`FAMILIES`] is public (a workspace test checks every crate's templates against
//! each other); the constructors are the crate's own.
//!
//! A device's own labels carry its index (`device/{n}/...`), the site's start with
//! `site/`, and the few that are neither name their purpose (`registrar/...`, `returns`,
//! `replay/link/...` for an attack copy's link, `test/vault` for the test PKI).

use crate::level::Level;
use provsim_devices::TokenKind;
use provsim_sim::label::LabelFamily;
use provsim_sim::{Seed, Stream};

static VAULT_IDENTITY_KEY: LabelFamily = LabelFamily::new(
    "provisioner::labels::vault_identity_key",
    "site/vault-identity-key",
);
static ROOT_CA: LabelFamily = LabelFamily::new("provisioner::labels::root_ca", "site/root-ca");
static ROOT_CEREMONY_SHARES: LabelFamily = LabelFamily::new(
    "provisioner::labels::root_ceremony_shares",
    "site/root-ceremony/shares",
);
static ROOT_CEREMONY_ATTENDEES: LabelFamily = LabelFamily::new(
    "provisioner::labels::root_ceremony_attendees",
    "site/root-ceremony/attendees",
);
static CUSTOMER_CA: LabelFamily =
    LabelFamily::new("provisioner::labels::customer_ca", "site/customer-ca");
static VAULT_CERTIFICATE: LabelFamily = LabelFamily::new(
    "provisioner::labels::vault_certificate",
    "site/vault-certificate",
);
static FIRMWARE_SIGNING_KEY: LabelFamily = LabelFamily::new(
    "provisioner::labels::firmware_signing_key",
    "site/firmware-signing-key",
);
static LINK_CA_KEY: LabelFamily =
    LabelFamily::new("provisioner::labels::link_ca_key", "site/link/ca-key");
static LINK_CERTIFICATE_SERIALS: LabelFamily = LabelFamily::new(
    "provisioner::labels::link_certificate_serials",
    "site/link/certificate-serials",
);
static LINK_VAULT_KEY: LabelFamily =
    LabelFamily::new("provisioner::labels::link_vault_key", "site/link/vault-key");
static LINK_STATION_KEY: LabelFamily = LabelFamily::new(
    "provisioner::labels::link_station_key",
    "site/link/station-key",
);
static SITE_LINK_NETWORK: LabelFamily = LabelFamily::new(
    "provisioner::labels::site_link_network",
    "site/link/{s}/network",
);
static SITE_LINK_STATION: LabelFamily = LabelFamily::new(
    "provisioner::labels::site_link_station",
    "site/link/{s}/station/{n}",
);
static SITE_LINK_VAULT: LabelFamily = LabelFamily::new(
    "provisioner::labels::site_link_vault",
    "site/link/{s}/vault/{n}",
);
static REGISTRAR_CODE: LabelFamily =
    LabelFamily::new("provisioner::labels::registrar_code", "registrar/code");
static REGISTRAR_VERIFICATION_SERIAL: LabelFamily = LabelFamily::new(
    "provisioner::labels::registrar_verification_serial",
    "registrar/verification-serial",
);
static RETURNS: LabelFamily = LabelFamily::new("provisioner::labels::returns", "returns");
static COPY_LINK_NETWORK: LabelFamily = LabelFamily::new(
    "provisioner::labels::copy_link_network",
    "replay/link/network",
);
static COPY_REGISTRAR_CHALLENGES: LabelFamily = LabelFamily::new(
    "provisioner::labels::copy_registrar_challenges",
    "replay/registrar/device/{n}/challenges",
);
static VAULT_BACKUP: LabelFamily =
    LabelFamily::new("provisioner::labels::vault_backup", "site/vault-backup");
static COPY_LINK_STATION: LabelFamily = LabelFamily::new(
    "provisioner::labels::copy_link_station",
    "replay/link/station/{n}",
);
static COPY_LINK_VAULT: LabelFamily = LabelFamily::new(
    "provisioner::labels::copy_link_vault",
    "replay/link/vault/{n}",
);
static TEST_VAULT_KEY: LabelFamily =
    LabelFamily::new("provisioner::labels::test_vault_key", "test/vault");
static IDENTITY_KEY: LabelFamily = LabelFamily::new(
    "provisioner::labels::identity_key",
    "device/{n}/identity-key",
);
static LIFE_CYCLE_TOKEN: LabelFamily = LabelFamily::new(
    "provisioner::labels::life_cycle_token",
    "device/{n}/{s}-token",
);
static CERTIFICATE_SERIAL: LabelFamily = LabelFamily::new(
    "provisioner::labels::certificate_serial",
    "device/{n}/certificate-serial",
);
static FUNCTIONAL_TEST: LabelFamily = LabelFamily::new(
    "provisioner::labels::functional_test",
    "device/{n}/functional-test",
);
static PART_CHALLENGE: LabelFamily = LabelFamily::new(
    "provisioner::labels::part_challenge",
    "device/{n}/part-challenge",
);
static PART_TEST: LabelFamily =
    LabelFamily::new("provisioner::labels::part_test", "device/{n}/test/{s}");
static IDENTITY_INJECTION: LabelFamily = LabelFamily::new(
    "provisioner::labels::identity_injection",
    "device/{n}/injection",
);
static SECRET_INJECTION: LabelFamily = LabelFamily::new(
    "provisioner::labels::secret_injection",
    "device/{n}/injection/{n}",
);
static SYMMETRIC_KEY: LabelFamily = LabelFamily::new(
    "provisioner::labels::symmetric_key",
    "device/{n}/symmetric-key/{s}",
);
static REGISTRAR_CHALLENGE: LabelFamily = LabelFamily::new(
    "provisioner::labels::registrar_challenge",
    "device/{n}/registrar/challenge",
);
static DEVICE_LINK_NETWORK: LabelFamily = LabelFamily::new(
    "provisioner::labels::device_link_network",
    "device/{n}/link/network",
);
static DEVICE_LINK_STATION: LabelFamily = LabelFamily::new(
    "provisioner::labels::device_link_station",
    "device/{n}/link/station/{n}",
);
static DEVICE_LINK_VAULT: LabelFamily = LabelFamily::new(
    "provisioner::labels::device_link_vault",
    "device/{n}/link/vault/{n}",
);

/// Every family of this crate, for the workspace's check that no two crates' templates
/// can make the same label.
pub static FAMILIES: &[&LabelFamily] = &[
    &VAULT_IDENTITY_KEY,
    &ROOT_CA,
    &ROOT_CEREMONY_SHARES,
    &ROOT_CEREMONY_ATTENDEES,
    &CUSTOMER_CA,
    &VAULT_CERTIFICATE,
    &FIRMWARE_SIGNING_KEY,
    &LINK_CA_KEY,
    &LINK_CERTIFICATE_SERIALS,
    &LINK_VAULT_KEY,
    &LINK_STATION_KEY,
    &SITE_LINK_NETWORK,
    &SITE_LINK_STATION,
    &SITE_LINK_VAULT,
    &REGISTRAR_CODE,
    &REGISTRAR_VERIFICATION_SERIAL,
    &RETURNS,
    &COPY_LINK_NETWORK,
    &COPY_LINK_STATION,
    &COPY_LINK_VAULT,
    &COPY_REGISTRAR_CHALLENGES,
    &VAULT_BACKUP,
    &TEST_VAULT_KEY,
    &IDENTITY_KEY,
    &LIFE_CYCLE_TOKEN,
    &CERTIFICATE_SERIAL,
    &FUNCTIONAL_TEST,
    &PART_CHALLENGE,
    &PART_TEST,
    &IDENTITY_INJECTION,
    &SECRET_INJECTION,
    &SYMMETRIC_KEY,
    &REGISTRAR_CHALLENGE,
    &DEVICE_LINK_NETWORK,
    &DEVICE_LINK_STATION,
    &DEVICE_LINK_VAULT,
];

/// When the line makes a link session of its own: before the first device, or after
/// the exchange of device `n` failed and left the link down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkOccasion {
    Start,
    AfterDevice(u64),
}

impl LinkOccasion {
    /// The label part: `start`, or the device's index.
    fn name(self) -> String {
        match self {
            LinkOccasion::Start => "start".to_owned(),
            LinkOccasion::AfterDevice(index) => index.to_string(),
        }
    }
}

// The site's own, drawn once when the line is set up.

/// The vault's identity key, which signs device records and the manifest.
pub(crate) fn vault_identity_key(seed: Seed) -> Stream {
    VAULT_IDENTITY_KEY.open(seed, &[])
}

/// The root CA's key, then its certificate's serial.
pub(crate) fn root_ca(seed: Seed) -> Stream {
    ROOT_CA.open(seed, &[])
}

/// The custodians' shares of the offline root key.
pub(crate) fn root_ceremony_shares(seed: Seed) -> Stream {
    ROOT_CEREMONY_SHARES.open(seed, &[])
}

/// Which custodians come to the root's ceremony.
pub(crate) fn root_ceremony_attendees(seed: Seed) -> Stream {
    ROOT_CEREMONY_ATTENDEES.open(seed, &[])
}

/// The customer CA's key, then its certificate's serial. Reopened by the test PKI to
/// hand a harness the key an attacker who stole it would hold.
pub(crate) fn customer_ca(seed: Seed) -> Stream {
    CUSTOMER_CA.open(seed, &[])
}

/// The serial of the vault's identity certificate.
pub(crate) fn vault_certificate(seed: Seed) -> Stream {
    VAULT_CERTIFICATE.open(seed, &[])
}

/// The key that signs the line's firmware.
pub(crate) fn firmware_signing_key(seed: Seed) -> Stream {
    FIRMWARE_SIGNING_KEY.open(seed, &[])
}

/// The vault backup's wrapping key, its nonce and the custodians' shares of it.
pub(crate) fn vault_backup(seed: Seed) -> Stream {
    VAULT_BACKUP.open(seed, &[])
}

/// The key of the site's link CA, the anchor both link ends are certified under.
pub(crate) fn link_ca_key(seed: Seed) -> Stream {
    LINK_CA_KEY.open(seed, &[])
}

/// The serials of both link ends' certificates.
pub(crate) fn link_certificate_serials(seed: Seed) -> Stream {
    LINK_CERTIFICATE_SERIALS.open(seed, &[])
}

/// The vault end's link key.
pub(crate) fn link_vault_key(seed: Seed) -> Stream {
    LINK_VAULT_KEY.open(seed, &[])
}

/// The station end's link key.
pub(crate) fn link_station_key(seed: Seed) -> Stream {
    LINK_STATION_KEY.open(seed, &[])
}

/// The network of a session the line makes on `occasion`.
pub(crate) fn site_link_network(seed: Seed, occasion: LinkOccasion) -> Stream {
    SITE_LINK_NETWORK.open(seed, &[occasion.name().as_str().into()])
}

/// The station end's randomness for handshake `k` (from 1) of a session the line makes
/// on `occasion`.
pub(crate) fn site_link_station(seed: Seed, occasion: LinkOccasion, k: u32) -> Stream {
    SITE_LINK_STATION.open(
        seed,
        &[occasion.name().as_str().into(), u64::from(k).into()],
    )
}

/// The vault end's randomness for handshake `k` of a session the line makes on
/// `occasion`.
pub(crate) fn site_link_vault(seed: Seed, occasion: LinkOccasion, k: u32) -> Stream {
    SITE_LINK_VAULT.open(
        seed,
        &[occasion.name().as_str().into(), u64::from(k).into()],
    )
}

/// The verification code the cloud registrar asks the customer CA to certify.
pub(crate) fn registrar_code(seed: Seed) -> Stream {
    REGISTRAR_CODE.open(seed, &[])
}

/// The serial of the verification certificate the vault issues for that code.
pub(crate) fn registrar_verification_serial(seed: Seed) -> Stream {
    REGISTRAR_VERIFICATION_SERIAL.open(seed, &[])
}

/// Which shipped devices the return plan's sample brings back.
pub(crate) fn returns(seed: Seed) -> Stream {
    RETURNS.open(seed, &[])
}

/// The clean network of the session an attack copy's device starts its exchange on.
pub(crate) fn copy_link_network(seed: Seed) -> Stream {
    COPY_LINK_NETWORK.open(seed, &[])
}

/// The challenges a field copy's registrar puts to everything that connects as device
/// `index` (the genuine part first, then whatever else answers for its identity).
pub(crate) fn copy_registrar_challenges(seed: Seed, index: u64) -> Stream {
    COPY_REGISTRAR_CHALLENGES.open(seed, &[index.into()])
}

/// The station end's randomness for handshake `k` of an attack copy's session.
pub(crate) fn copy_link_station(seed: Seed, k: u32) -> Stream {
    COPY_LINK_STATION.open(seed, &[u64::from(k).into()])
}

/// The vault end's randomness for handshake `k` of an attack copy's session.
pub(crate) fn copy_link_vault(seed: Seed, k: u32) -> Stream {
    COPY_LINK_VAULT.open(seed, &[u64::from(k).into()])
}

/// The vault identity key of the test PKI (`pki::testing`), which has no line.
pub(crate) fn test_vault_key(seed: Seed) -> Stream {
    TEST_VAULT_KEY.open(seed, &[])
}

// Each device's own, carrying its index.

/// The vault's randomness for device `index`'s identity key. Ground truth re-derives
/// the key from the same stream.
pub(crate) fn identity_key(seed: Seed, index: u64) -> Stream {
    IDENTITY_KEY.open(seed, &[index.into()])
}

/// Device `index`'s life-cycle token of `kind`.
pub(crate) fn life_cycle_token(seed: Seed, index: u64, kind: TokenKind) -> Stream {
    LIFE_CYCLE_TOKEN.open(seed, &[index.into(), kind.name().into()])
}

/// The serial of device `index`'s certificate.
pub(crate) fn certificate_serial(seed: Seed, index: u64) -> Stream {
    CERTIFICATE_SERIAL.open(seed, &[index.into()])
}

/// The station's test key and challenge for a secure element's functional test.
pub(crate) fn functional_test(seed: Seed, index: u64) -> Stream {
    FUNCTIONAL_TEST.open(seed, &[index.into()])
}

/// The station's challenge to device `index` when it authenticates the part.
pub(crate) fn part_challenge(seed: Seed, index: u64) -> Stream {
    PART_CHALLENGE.open(seed, &[index.into()])
}

/// The outcomes of device `index`'s test (and retest) at `level`.
pub(crate) fn part_test(seed: Seed, index: u64, level: Level) -> Stream {
    PART_TEST.open(seed, &[index.into(), level.name().into()])
}

/// The vault's randomness for sealing device `index`'s identity key to the chip.
pub(crate) fn identity_injection(seed: Seed, index: u64) -> Stream {
    IDENTITY_INJECTION.open(seed, &[index.into()])
}

/// The vault's randomness for sealing device `index`'s symmetric key for `slot`.
pub(crate) fn secret_injection(seed: Seed, index: u64, slot: u8) -> Stream {
    SECRET_INJECTION.open(seed, &[index.into(), u64::from(slot).into()])
}

/// The vault's randomness for device `index`'s symmetric key `name` (a key name:
/// lower-case letters, digits and `-`, see `is_key_name`). Ground truth
/// re-derives the key from the same stream.
pub(crate) fn symmetric_key(seed: Seed, index: u64, name: &str) -> Stream {
    SYMMETRIC_KEY.open(seed, &[index.into(), name.into()])
}

/// The registrar's challenge to device `index` at its first connection.
pub(crate) fn registrar_challenge(seed: Seed, index: u64) -> Stream {
    REGISTRAR_CHALLENGE.open(seed, &[index.into()])
}

/// The network of device `index`'s exchange over the link.
pub(crate) fn device_link_network(seed: Seed, index: u64) -> Stream {
    DEVICE_LINK_NETWORK.open(seed, &[index.into()])
}

/// The station end's randomness for handshake `k` of device `index`'s exchange.
pub(crate) fn device_link_station(seed: Seed, index: u64, k: u32) -> Stream {
    DEVICE_LINK_STATION.open(seed, &[index.into(), u64::from(k).into()])
}

/// The vault end's randomness for handshake `k` of device `index`'s exchange.
pub(crate) fn device_link_vault(seed: Seed, index: u64, k: u32) -> Stream {
    DEVICE_LINK_VAULT.open(seed, &[index.into(), u64::from(k).into()])
}

#[cfg(test)]
#[path = "labels_tests.rs"]
mod tests;
