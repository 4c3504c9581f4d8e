//! `[line]`: the provisioning level, the target kind, the debug lock, the wafer map and
//! the product id; and what a target without firmware (a secure element) refuses.

use super::locator::Locator;
use crate::error::ScenarioError;
use provsim_devices::TargetKind;
use provsim_provisioner::{IdentityOrigin, Level as LevelConfig, SecretsProfile};
use serde::Deserialize;
use toml::Spanned;

/// Dies on a wafer when a scenario does not say.
const DEFAULT_DIES_PER_WAFER: u32 = 64;
/// A 300 mm wafer holds a few thousand small dies; this leaves room.
const MAX_DIES_PER_WAFER: u32 = 100_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineSection {
    pub level: Level,
    pub target: Spanned<Target>,
    /// Blow the debug-lock fuse as the last lock step.
    #[serde(default)]
    pub lock_debug: Option<Spanned<bool>>,
    /// Dies on a wafer (default 64): how devices map to wafers and die sites.
    #[serde(default)]
    pub dies_per_wafer: Option<Spanned<u32>>,
    #[serde(default = "default_product")]
    pub product: u16,
}

fn default_product() -> u16 {
    0x5053
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Wafer,
    Package,
    Board,
}

/// The target kind as written: one of the kinds in the devices' registry, read the way
/// serde reads an enum (so a misspelt kind gets serde's "unknown variant ..., expected
/// one of ..."), but with the names from the registry, so a new kind needs no change
/// here.
#[derive(Debug, Clone, Copy)]
pub struct Target(pub TargetKind);

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, EnumAccess, VariantAccess};
        struct Kind;
        impl<'de> de::Visitor<'de> for Kind {
            type Value = Target;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("enum Target")
            }
            fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Target, A::Error> {
                let (kind, variant) = data.variant_seed(Name)?;
                variant.unit_variant()?;
                Ok(Target(kind))
            }
        }
        struct Name;
        impl<'de> de::DeserializeSeed<'de> for Name {
            type Value = TargetKind;
            fn deserialize<D: serde::Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<TargetKind, D::Error> {
                deserializer.deserialize_identifier(self)
            }
        }
        impl de::Visitor<'_> for Name {
            type Value = TargetKind;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("variant identifier")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<TargetKind, E> {
                TargetKind::from_name(name)
                    .ok_or_else(|| E::unknown_variant(name, &TargetKind::NAMES))
            }
        }
        deserializer.deserialize_enum("Target", &TargetKind::NAMES, Kind)
    }
}

pub fn level(level: Level) -> LevelConfig {
    match level {
        Level::Wafer => LevelConfig::Wafer,
        Level::Package => LevelConfig::Package,
        Level::Board => LevelConfig::Board,
    }
}

pub fn dies_per_wafer(line: &LineSection, at: &Locator<'_>) -> Result<u32, ScenarioError> {
    match &line.dies_per_wafer {
        None => Ok(DEFAULT_DIES_PER_WAFER),
        Some(dies) if (1..=MAX_DIES_PER_WAFER).contains(dies.get_ref()) => Ok(*dies.get_ref()),
        Some(dies) => Err(at.at(
            dies,
            format!("dies_per_wafer must be from 1 to {MAX_DIES_PER_WAFER}"),
        )),
    }
}

/// The target kind, checked against what the file configures for it.
/// `firmware_settings`: the file has an `[mcu]` section or `[[lock]]` steps.
pub fn target(
    line: &LineSection,
    firmware_settings: bool,
    secrets: &SecretsProfile,
    at: &Locator<'_>,
) -> Result<TargetKind, ScenarioError> {
    let target = line.target.get_ref().0;
    if !target.runs_firmware() {
        // A secure element is personalised and closed: no firmware, no fuses, no lock
        // sequence, and (on this line) no keys of its own making.
        if let Some(lock) = line.lock_debug.as_ref().filter(|l| *l.get_ref()) {
            return Err(at.at(
                lock,
                "a secure element has no debug port to lock: closing personalisation is its lock",
            ));
        }
        if firmware_settings {
            return Err(at.at(
                &line.target,
                "[mcu] and [[lock]] configure a microcontroller's fuses and option bytes; a secure element has neither",
            ));
        }
        if secrets.identity == IdentityOrigin::Device {
            return Err(at.at(
                &line.target,
                "a secure element on this line takes the vault's identity key: identity = \"device\" is not offered for it yet",
            ));
        }
    }
    Ok(target)
}
