//! `[site]`: the site's and customer's names (which go into CA subjects), the custody
//! configuration, and the offline root's custodians and quorum.

use super::locator::{Expected, Locator};
use crate::error::ScenarioError;
use provsim_provisioner::{
    Custody as CustodyConfig, PkiNames, Quorum, SiteWeakness, SiteWeaknesses,
};
use serde::Deserialize;
use toml::Spanned;

/// Longest site name: "{site} Root CA" must fit X.520's 64-character upper bound.
const MAX_SITE_NAME: usize = 64 - " Root CA".len();
/// Longest customer name: "{customer} Device CA" must fit the same bound.
const MAX_CUSTOMER_NAME: usize = 64 - " Device CA".len();

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSection {
    pub name: Spanned<String>,
    pub customer: Spanned<String>,
    pub custody: Custody,
    /// Custodians holding shares of the offline root key (default 5).
    pub custodians: Option<Spanned<u8>>,
    /// How many of them must meet to use the root (default 3).
    pub quorum: Option<Spanned<u8>>,
    /// The site's protections left out, by name (`provsim list weaknesses`).
    pub weaknesses: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Custody {
    SharedVm,
    ProvisionerHsm,
    CustomerHsm,
}

/// The site's and the customer's names, each checked to fit its CA's subject.
pub fn names(site: &SiteSection, at: &Locator<'_>) -> Result<PkiNames, ScenarioError> {
    at.check_name(&site.name, "site name", MAX_SITE_NAME)?;
    at.check_name(&site.customer, "customer name", MAX_CUSTOMER_NAME)?;
    Ok(PkiNames {
        site: site.name.get_ref().clone(),
        customer: site.customer.get_ref().clone(),
    })
}

/// The site weaknesses named, each known and named once.
pub fn site_weaknesses(
    site: &SiteSection,
    at: &Locator<'_>,
) -> Result<SiteWeaknesses, ScenarioError> {
    let Some(list) = &site.weaknesses else {
        return Ok(SiteWeaknesses::default());
    };
    let known: Vec<&str> = SiteWeakness::ALL.iter().map(|w| w.name()).collect();
    let mut out: Vec<SiteWeakness> = Vec::new();
    for name in list.get_ref() {
        let Some(weakness) = SiteWeakness::from_name(name.get_ref()) else {
            return Err(at.unknown(name, "site weakness", Expected::OneOf(&known)));
        };
        if out.contains(&weakness) {
            return Err(at.at(name, format!("weakness {} is named twice", weakness.name())));
        }
        out.push(weakness);
    }
    Ok(SiteWeaknesses::new(out))
}

pub fn custody(custody: Custody) -> CustodyConfig {
    match custody {
        Custody::SharedVm => CustodyConfig::SharedVm,
        Custody::ProvisionerHsm => CustodyConfig::ProvisionerHsm,
        Custody::CustomerHsm => CustodyConfig::CustomerHsm,
    }
}

/// The root's custodians and quorum, the defaults where not given.
pub fn quorum(site: &SiteSection, at: &Locator<'_>) -> Result<Quorum, ScenarioError> {
    let quorum = Quorum {
        custodians: site
            .custodians
            .as_ref()
            .map_or(Quorum::DEFAULT.custodians, |c| *c.get_ref()),
        threshold: site
            .quorum
            .as_ref()
            .map_or(Quorum::DEFAULT.threshold, |q| *q.get_ref()),
    };
    if !quorum.is_valid() {
        let span = site
            .quorum
            .as_ref()
            .or(site.custodians.as_ref())
            .map_or(0..0, Spanned::span);
        return Err(at.error(
            span,
            format!(
                "a quorum of {} out of {} custodians is not a ceremony: it takes 2 to 16 custodians and a quorum from 2 to their number",
                quorum.threshold, quorum.custodians
            ),
        ));
    }
    Ok(quorum)
}
