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
