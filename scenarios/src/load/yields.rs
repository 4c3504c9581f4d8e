//! `[yield]`: each level's test yield, from fractions to whole parts per million.

use super::locator::Locator;
use crate::error::ScenarioError;
use provsim_provisioner::{PERFECT_YIELD_PPM, Yields};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YieldSection {
    pub wafer: Option<Spanned<f64>>,
    pub package: Option<Spanned<f64>>,
    pub board: Option<Spanned<f64>>,
}

/// Each level's test yield; every part passes when the section is absent.
pub fn yields(section: Option<&YieldSection>, at: &Locator<'_>) -> Result<Yields, ScenarioError> {
    let Some(section) = section else {
        return Ok(Yields::PERFECT);
    };
    let ppm = |value: &Option<Spanned<f64>>| -> Result<u32, ScenarioError> {
        let Some(value) = value else {
            return Ok(PERFECT_YIELD_PPM);
        };
        let y = *value.get_ref();
        if !(0.0..=1.0).contains(&y) {
            return Err(at.at(
                value,
                format!("yield {y} is not a fraction from 0 to 1 (0.97 means 97 % pass)"),
            ));
        }
        // Converted once, here: everything after works in whole parts per million.
        Ok((y * f64::from(PERFECT_YIELD_PPM)).round() as u32)
    };
    Ok(Yields {
        wafer: ppm(&section.wafer)?,
        package: ppm(&section.package)?,
        board: ppm(&section.board)?,
    })
}
