//! The secrets profile: what the customer has the line put into each device, and where
//! each secret is made.

/// Where a device's identity key is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityOrigin {
    /// In the vault, then injected sealed to the chip's transport key: the key exists
    /// outside the chip, in the vault, for the length of the device's pass.
    Vault,
    /// On the chip, from its own TRNG: it never leaves, and the vault certifies the
    /// public half from a PKCS#10 request the chip signs with it.
    Device,
}

impl IdentityOrigin {
    pub fn name(self) -> &'static str {
        match self {
            IdentityOrigin::Vault => "vault",
            IdentityOrigin::Device => "device",
        }
    }
}

/// What the line provisions into every device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretsProfile {
    pub identity: IdentityOrigin,
}

impl Default for SecretsProfile {
    /// The vault makes the identity key: what a chip without a usable TRNG needs.
    fn default() -> Self {
        SecretsProfile {
            identity: IdentityOrigin::Vault,
        }
    }
}
