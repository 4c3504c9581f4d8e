//! The site as the scenario configured it, with the keys the line established.

use crate::model::{KeyOrigin, SiteInfo};
use crate::runner::execute::SiteKeys;
use crate::scenario::Scenario;
use provsim_provisioner::IdentityOrigin;

pub fn site_info(scenario: &Scenario, keys: &SiteKeys) -> SiteInfo {
    let line = &scenario.line;
    SiteInfo {
        name: line.names.site.clone(),
        customer: line.names.customer.clone(),
        custody: line.custody.name().to_owned(),
        key_residence: line.custody.key_residence().to_owned(),
        certification_authorised_by: line.custody.certification_authorised_by().to_owned(),
        identity_origin: match line.secrets.identity {
            IdentityOrigin::Vault => KeyOrigin::Vault,
            IdentityOrigin::Device => KeyOrigin::Device,
        },
        symmetric_keys: line.secrets.symmetric_keys.clone(),
        level: line.level.name().to_owned(),
        target: line.target.name().to_owned(),
        countermeasures: line.countermeasures.describe(line.target),
        lock_steps: line
            .station
            .lock_steps
            .iter()
            .map(ToString::to_string)
            .collect(),
        root_custodians: line.quorum.custodians,
        root_quorum: line.quorum.threshold,
        root_ca_key: keys.root_ca.to_string(),
        customer_ca_key: keys.customer_ca.to_string(),
        firmware_key: keys.firmware.to_string(),
    }
}
