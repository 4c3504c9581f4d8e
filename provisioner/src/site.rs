//! The site's state: what the station works with and an attack copy clones.
//!
//! It gathers the vault, the PKI and the audit log, so it stands above those rooms and
//! below the ones that work on it (the station, the cloud, the attack copies, the
//! line); it imports nothing from them.

use crate::books::audit::log::AuditLog;
use crate::pki::hierarchy::{Pki, PkiNames};
use crate::vault::backup::Backup;
use crate::vault::hsm::{Hsm, KeyHandle};
use provsim_sim::crypto::PublicKey;

/// The site's state: vault, PKI, audit log and the keys every device receives.
#[derive(Clone)]
pub struct Site {
    pub(crate) hsm: Hsm,
    pub(crate) pki: Pki,
    pub(crate) audit: AuditLog,
    pub(crate) names: PkiNames,
    pub(crate) firmware_key: PublicKey,
    /// The firmware-signing key in the vault.
    pub(crate) firmware_handle: KeyHandle,
    /// The firmware every device receives, in MCUboot's format, signed once by the HSM.
    pub(crate) firmware_image: Vec<u8>,
    /// Its MCUboot hash: what a device must report it booted.
    pub(crate) firmware_hash: [u8; 32],
    /// The security counter it was built with.
    pub(crate) firmware_counter: u32,
    /// The release it superseded, still published and genuinely signed, and its hash.
    pub(crate) earlier_firmware: Vec<u8>,
    pub(crate) earlier_hash: [u8; 32],
    /// The vault's identity key, which signs device records.
    pub(crate) vault_handle: KeyHandle,
    pub(crate) vault_key: PublicKey,
    /// The vault's off-site backup and who holds its wrapping key.
    pub(crate) backup: Backup,
}
