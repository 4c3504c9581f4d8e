//! `[cost]`: each custody configuration's costs, the scenario's figures over the
//! defaults, and the currency they are in.

use super::locator::Locator;
use crate::error::ScenarioError;
use provsim_provisioner::{CostModel, Custody, MAX_EXACT_MICRO, MICRO, format_amount};
use serde::Deserialize;
use toml::Spanned;

/// The most a cost figure may be: a billion units of currency, under the largest total
/// a report states exactly ([`MAX_EXACT_MICRO`], about 9 billion).
const MAX_AMOUNT: f64 = 1e9;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostSection {
    /// The currency the figures are in (default "USD"): a label only.
    pub currency: Option<Spanned<String>>,
    #[serde(rename = "shared-vm")]
    pub shared_vm: Option<CostEntry>,
    #[serde(rename = "provisioner-hsm")]
    pub provisioner_hsm: Option<CostEntry>,
    #[serde(rename = "customer-hsm")]
    pub customer_hsm: Option<CostEntry>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostEntry {
    /// One-off set-up cost.
    pub setup: Option<Spanned<f64>>,
    /// Cost per provisioned unit.
    pub per_unit: Option<Spanned<f64>>,
    /// Weeks to set up.
    pub weeks: Option<Spanned<u32>>,
}

/// An amount of currency as micro-units, or where it is written and why it is not one.
fn amount(value: &Spanned<f64>, at: &Locator<'_>) -> Result<u64, ScenarioError> {
    let x = *value.get_ref();
    if !x.is_finite() || !(0.0..=MAX_AMOUNT).contains(&x) {
        return Err(at.at(value, format!("an amount is from 0 to {MAX_AMOUNT:e}")));
    }
    // Exact for every amount with up to six decimals; the same on every machine.
    Ok((x * MICRO as f64).round() as u64)
}

/// Each configuration's costs: the defaults, with the scenario's figures over them,
/// each with a total at the scenario's `volume` that is exact (fits in 64 bits).
pub fn cost_models(
    section: Option<&CostSection>,
    volume: u64,
    at: &Locator<'_>,
) -> Result<([(Custody, CostModel); 3], String), ScenarioError> {
    let default = CostSection::default();
    let section = section.unwrap_or(&default);
    let currency = match &section.currency {
        None => "USD".to_owned(),
        Some(c)
            if (1..=8).contains(&c.get_ref().len())
                && c.get_ref().chars().all(|ch| ch.is_ascii_uppercase()) =>
        {
            c.get_ref().clone()
        }
        Some(c) => return Err(at.at(c, "a currency is 1 to 8 upper-case letters, e.g. \"USD\"")),
    };
    let mut models = Custody::ALL.map(|custody| (custody, CostModel::default_for(custody)));
    for (custody, model) in &mut models {
        let entry = match custody {
            Custody::SharedVm => &section.shared_vm,
            Custody::ProvisionerHsm => &section.provisioner_hsm,
            Custody::CustomerHsm => &section.customer_hsm,
        };
        let Some(entry) = entry else { continue };
        if let Some(setup) = &entry.setup {
            model.setup_micro = amount(setup, at)?;
        }
        if let Some(per_unit) = &entry.per_unit {
            model.per_unit_micro = amount(per_unit, at)?;
        }
        if let Some(weeks) = &entry.weeks {
            model.setup_weeks = *weeks.get_ref();
        }
        if model.total_micro(volume).is_none() {
            // The per-unit figure times the volume is what grows; point at it, unless
            // only a set-up figure was given.
            let figure = entry.per_unit.as_ref().or(entry.setup.as_ref());
            let message = format!(
                "{custody} costs for {volume} unit(s) total more than {} {currency}, the largest amount a report states exactly",
                format_amount(MAX_EXACT_MICRO),
                custody = custody.name(),
            );
            return Err(match figure {
                Some(figure) => at.at(figure, message),
                None => ScenarioError::Whole {
                    file: at.file.to_owned(),
                    message,
                },
            });
        }
    }
    // Defensive: the defaults at the largest volume a scenario may hold stay far below
    // the limit, but should they ever be raised the totals are still checked.
    if let Some((custody, _)) = models.iter().find(|(_, m)| m.total_micro(volume).is_none()) {
        return Err(ScenarioError::Whole {
            file: at.file.to_owned(),
            message: format!(
                "the default {} costs for {volume} unit(s) total more than {} {currency}, the largest amount a report states exactly",
                custody.name(),
                format_amount(MAX_EXACT_MICRO)
            ),
        });
    }
    Ok((models, currency))
}
