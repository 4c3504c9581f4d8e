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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretsProfile {
    pub identity: IdentityOrigin,
    /// Names of the per-device 256-bit symmetric keys (storage, link, ...) the vault
    /// makes and injects sealed, in key-store slots 1, 2, ... in this order.
    pub symmetric_keys: Vec<String>,
}

/// The most symmetric keys a profile may name: the key store's 16 slots less the
/// identity's, with room to spare for the firmware's own.
pub const MAX_SYMMETRIC_KEYS: usize = 8;

impl Default for SecretsProfile {
    /// The vault makes the identity key (what a chip without a usable TRNG needs), and
    /// no symmetric key.
    fn default() -> Self {
        SecretsProfile {
            identity: IdentityOrigin::Vault,
            symmetric_keys: Vec::new(),
        }
    }
}

/// Whether `name` can name a symmetric key: 1 to 32 lower-case letters, digits or '-',
/// so it reads the same in a scenario, an audit detail and a report.
pub fn is_key_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl SecretsProfile {
    /// Why the profile cannot be run, if it cannot: too many symmetric keys for the key
    /// store, a name that is not a key name, or one named twice (both would draw from
    /// the same stream and be the same key).
    pub fn problem(&self) -> Option<String> {
        if self.symmetric_keys.len() > MAX_SYMMETRIC_KEYS {
            return Some(format!(
                "{} symmetric keys; at most {MAX_SYMMETRIC_KEYS} fit the key store",
                self.symmetric_keys.len()
            ));
        }
        for (i, name) in self.symmetric_keys.iter().enumerate() {
            if !is_key_name(name) {
                return Some(format!(
                    "symmetric key name {name:?}: 1 to 32 lower-case letters, digits or '-'"
                ));
            }
            if self.symmetric_keys[..i].contains(name) {
                return Some(format!("symmetric key `{name}` is named twice"));
            }
        }
        None
    }
}
