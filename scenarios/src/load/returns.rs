//! `[returns]`: shipped devices that come back through the RMA desk.

use super::locator::Locator;
use crate::error::ScenarioError;
use provsim_provisioner::ReturnPlan;
use serde::Deserialize;
use toml::Spanned;

/// Returns are analysed one by one on re-created devices: a bound keeps a run's cost
/// close to its lots'.
const MAX_RETURNS: u64 = 10_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnsSection {
    /// Device indices that come back.
    #[serde(default)]
    pub devices: Option<Spanned<Vec<u64>>>,
    /// This many more, drawn from the seed.
    #[serde(default)]
    pub sample: Option<Spanned<u32>>,
}

/// The returns, checked against the lots' `device_count`; none when absent.
pub fn returns(
    section: Option<&ReturnsSection>,
    device_count: u64,
    at: &Locator<'_>,
) -> Result<ReturnPlan, ScenarioError> {
    let Some(section) = section else {
        return Ok(ReturnPlan::default());
    };
    if let Some(sample) = &section.sample
        && u64::from(*sample.get_ref()) > MAX_RETURNS
    {
        return Err(at.at(
            sample,
            format!("at most {MAX_RETURNS} returns are sampled in one run"),
        ));
    }
    if let Some(devices) = &section.devices
        && devices.get_ref().len() as u64 > MAX_RETURNS
    {
        return Err(at.at(
            devices,
            format!("at most {MAX_RETURNS} devices can be returned in one run"),
        ));
    }
    if let Some(devices) = &section.devices
        && let Some(twice) = listed_twice(devices.get_ref())
    {
        return Err(at.at(
            devices,
            format!("device index {twice} is listed twice: a device comes back once"),
        ));
    }
    if let Some(devices) = &section.devices
        && let Some(bad) = devices.get_ref().iter().find(|&&i| i >= device_count)
    {
        return Err(at.at(
            devices,
            format!(
                "device index {bad} is out of range: the lots hold {device_count} devices (0..{device_count})"
            ),
        ));
    }
    Ok(ReturnPlan {
        devices: section
            .devices
            .as_ref()
            .map_or_else(Vec::new, |d| d.get_ref().clone()),
        sample: section.sample.as_ref().map_or(0, |s| *s.get_ref()),
    })
}

/// The first device index a list holds twice, if any.
pub(super) fn listed_twice(devices: &[u64]) -> Option<u64> {
    let mut seen = std::collections::BTreeSet::new();
    devices.iter().copied().find(|&i| !seen.insert(i))
}
