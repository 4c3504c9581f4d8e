//! `[order]`: the customer's order the lots fill.

use super::locator::Locator;
use super::lot::MAX_DEVICES;
use crate::error::ScenarioError;
use provsim_provisioner::Order;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderSection {
    pub number: Spanned<String>,
    pub devices: Spanned<u64>,
    /// Device certificates the vault may sign for the order (a count licence).
    pub count_licence: Option<Spanned<u64>>,
}

/// The order's count licence, if it is sold with one: at least one unit, at most the
/// largest run.
pub fn count_licence(
    section: Option<&OrderSection>,
    at: &Locator<'_>,
) -> Result<Option<u64>, ScenarioError> {
    let Some(units) = section.and_then(|s| s.count_licence.as_ref()) else {
        return Ok(None);
    };
    if !(1..=MAX_DEVICES).contains(units.get_ref()) {
        return Err(at.at(
            units,
            format!("a count licence is for 1 to {MAX_DEVICES} device certificates"),
        ));
    }
    Ok(Some(*units.get_ref()))
}

pub fn order(
    section: Option<&OrderSection>,
    at: &Locator<'_>,
) -> Result<Option<Order>, ScenarioError> {
    let Some(section) = section else {
        return Ok(None);
    };
    let number = section.number.get_ref();
    if !Order::is_number(number) {
        return Err(at.at(
            &section.number,
            "an order number is 1 to 64 letters, digits, '.', '-' or '_'",
        ));
    }
    let devices = *section.devices.get_ref();
    if !(1..=MAX_DEVICES).contains(&devices) {
        return Err(at.at(
            &section.devices,
            format!("an order is for 1 to {MAX_DEVICES} devices"),
        ));
    }
    Ok(Some(Order {
        number: number.clone(),
        devices,
    }))
}
