//! `[secrets]`: where the identity key is made, and the per-device symmetric keys.

use super::locator::Locator;
use crate::error::ScenarioError;
use provsim_provisioner::{
    IdentityOrigin as Origin, MAX_SYMMETRIC_KEYS, SecretsProfile, is_key_name,
};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsSection {
    /// Where the identity key is made: `"vault"` (injected sealed) or `"device"` (made
    /// on chip, certified from its request).
    #[serde(default)]
    pub identity: Option<IdentityOrigin>,
    /// Names of per-device symmetric keys the vault makes and injects sealed.
    #[serde(default)]
    pub symmetric_keys: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityOrigin {
    Vault,
    Device,
}

/// The secrets profile: where the identity is made, and the symmetric keys by name
/// (lower-case letters, digits and '-', each once, at most `MAX_SYMMETRIC_KEYS`).
pub fn secrets_profile(
    section: Option<&SecretsSection>,
    at: &Locator<'_>,
) -> Result<SecretsProfile, ScenarioError> {
    let Some(section) = section else {
        return Ok(SecretsProfile::default());
    };
    let identity = match section.identity {
        None | Some(IdentityOrigin::Vault) => Origin::Vault,
        Some(IdentityOrigin::Device) => Origin::Device,
    };
    let mut symmetric_keys: Vec<String> = Vec::new();
    if let Some(list) = &section.symmetric_keys {
        if list.get_ref().len() > MAX_SYMMETRIC_KEYS {
            return Err(at.at(
                list,
                format!("at most {MAX_SYMMETRIC_KEYS} symmetric keys fit the key store"),
            ));
        }
        for name in list.get_ref() {
            let text = name.get_ref();
            if !is_key_name(text) {
                return Err(at.at(
                    name,
                    "a symmetric key name is 1 to 32 lower-case letters, digits or '-'",
                ));
            }
            if symmetric_keys.contains(text) {
                return Err(at.at(name, format!("symmetric key `{text}` is named twice")));
            }
            symmetric_keys.push(text.clone());
        }
    }
    Ok(SecretsProfile {
        identity,
        symmetric_keys,
    })
}
