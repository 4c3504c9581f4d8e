//! The custody configurations' costs at the scenario's volume.

use crate::model::{CostInfo, CostsInfo};
use crate::scenario::Scenario;

pub fn costs_info(scenario: &Scenario) -> CostsInfo {
    let volume = scenario.volume();
    CostsInfo {
        currency: scenario.currency.clone(),
        volume,
        configurations: scenario
            .costs
            .iter()
            .map(|(custody, model)| CostInfo {
                custody: custody.name().to_owned(),
                chosen: *custody == scenario.line.custody,
                setup_micro: model.setup_micro,
                per_unit_micro: model.per_unit_micro,
                setup_weeks: model.setup_weeks,
                // The loader refused figures whose total does not fit.
                total_micro: model.total_micro(volume).unwrap_or(u64::MAX),
                per_device_micro: model.per_device_micro(volume).unwrap_or(u64::MAX),
            })
            .collect(),
    }
}
