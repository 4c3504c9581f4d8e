//! `[[attack]]`: the attack paths, each an attack from the catalogue and the shipped
//! devices it is tried on.

use super::locator::{Expected, Locator};
use super::returns::listed_twice;
use crate::error::ScenarioError;
use crate::scenario::{AttackPlan, Targets};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttackSection {
    pub id: Spanned<String>,
    /// Device indices to attack; absent means every shipped device (or `sample`).
    pub devices: Option<Spanned<Vec<u64>>>,
    /// Attack this many shipped devices, drawn from the seed.
    pub sample: Option<Spanned<u32>>,
}

/// The attack paths in the file's order, their devices checked against the lots'
/// `device_count`.
pub fn plans(
    sections: Vec<AttackSection>,
    device_count: u64,
    at: &Locator<'_>,
) -> Result<Vec<AttackPlan>, ScenarioError> {
    let mut attacks = Vec::with_capacity(sections.len());
    for section in sections {
        let Some(attack) = provsim_attacks::find(section.id.get_ref()) else {
            let known: Vec<_> = provsim_attacks::catalogue()
                .iter()
                .map(|a| a.id())
                .collect();
            return Err(at.unknown(&section.id, "attack", Expected::OneOf(&known)));
        };
        let targets = match (section.devices, section.sample) {
            (Some(_), Some(sample)) => {
                return Err(at.at(&sample, "give either `devices` or `sample`, not both"));
            }
            (Some(devices), None) => {
                if devices.get_ref().is_empty() {
                    return Err(at.at(
                        &devices,
                        "`devices` lists no device; omit it to attack every device",
                    ));
                }
                if let Some(twice) = listed_twice(devices.get_ref()) {
                    return Err(at.at(
                        &devices,
                        format!("device index {twice} is listed twice: each is attacked once"),
                    ));
                }
                if let Some(bad) = devices.get_ref().iter().find(|&&i| i >= device_count) {
                    return Err(at.at(
                        &devices,
                        format!("device index {bad} is out of range: the lots hold {device_count} devices (0..{device_count})"),
                    ));
                }
                Targets::Devices(devices.into_inner())
            }
            (None, Some(sample)) => {
                if *sample.get_ref() == 0 {
                    return Err(at.at(&sample, "`sample` must be at least 1"));
                }
                Targets::Sample(*sample.get_ref())
            }
            (None, None) => Targets::All,
        };
        attacks.push(AttackPlan { attack, targets });
    }
    Ok(attacks)
}
