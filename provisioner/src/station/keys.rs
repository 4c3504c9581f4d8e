//! The keys made for a device on the station, and where each one is until the device
//! ships or is rejected.

use crate::vault::answer::HeldKeys;
use crate::vault::hsm::{KeyHandle, SecretHandle};
use provsim_sim::crypto::PublicKey;

/// A device's identity key once made, and where it is.
pub(super) enum MadeKey {
    /// In the vault, under `handle`, until it is sealed to the chip.
    InVault {
        handle: KeyHandle,
        identity: PublicKey,
    },
    /// On the chip; the vault has its signed request only.
    OnChip {
        identity: PublicKey,
        request: Vec<u8>,
    },
}

impl MadeKey {
    pub fn identity(&self) -> &PublicKey {
        match self {
            MadeKey::InVault { identity, .. } | MadeKey::OnChip { identity, .. } => identity,
        }
    }
}

/// A symmetric key the vault made for the device on the station.
pub(super) struct MadeSecret {
    pub slot: u8,
    pub handle: SecretHandle,
    pub check: [u8; 4],
    /// `name=... check=...`, as its audit records say.
    pub detail: String,
}

/// Every key made for the device on the station.
pub(super) struct DeviceKeys {
    pub identity: MadeKey,
    pub secrets: Vec<MadeSecret>,
}

impl DeviceKeys {
    /// What the vault holds of these keys until it answers the device's request.
    pub fn held_by_vault(&self) -> HeldKeys {
        HeldKeys {
            identity: match self.identity {
                MadeKey::InVault { handle, .. } => Some(handle),
                MadeKey::OnChip { .. } => None,
            },
            secrets: self.secrets.iter().map(|s| (s.slot, s.handle)).collect(),
        }
    }

    /// Whether anything has to come from the vault over the link.
    pub fn sends_secrets(&self) -> bool {
        matches!(self.identity, MadeKey::InVault { .. }) || !self.secrets.is_empty()
    }
}
