//! The scenario file as written: one serde struct per TOML section, each defined in its
//! section's module beside the code that checks it. Every section rejects unknown
//! fields; values that need checking beyond their type keep their position (`Spanned`)
//! so that a bad one is reported at its line and column.

use super::attack::AttackSection;
use super::claim::ClaimSection;
use super::cost::CostSection;
use super::countermeasures::CountermeasuresSection;
use super::line::LineSection;
use super::link::LinkSection;
use super::lock::LockSection;
use super::lot::LotSection;
use super::mcu::McuSection;
use super::order::OrderSection;
use super::returns::ReturnsSection;
use super::scenario::ScenarioSection;
use super::secrets::SecretsSection;
use super::site::SiteSection;
use super::yields::YieldSection;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub scenario: ScenarioSection,
    pub site: SiteSection,
    pub line: LineSection,
    /// Each level's test yield: the fraction of parts passing at each attempt.
    #[serde(default, rename = "yield")]
    pub yields: Option<YieldSection>,
    /// What goes into each device; the vault makes the identity key when absent.
    #[serde(default)]
    pub secrets: Option<SecretsSection>,
    /// The MCU's configuration; all defaults when absent.
    #[serde(default)]
    pub mcu: Option<McuSection>,
    /// The target's fault and leakage countermeasures (and an ASIC's PUF and key
    /// store); the target kind's own when absent.
    #[serde(default)]
    pub countermeasures: Option<CountermeasuresSection>,
    /// An explicit lock sequence, in the order the station runs it.
    #[serde(default, rename = "lock")]
    pub locks: Option<Spanned<Vec<LockSection>>>,
    #[serde(rename = "lot")]
    pub lots: Spanned<Vec<LotSection>>,
    /// Each custody configuration's costs, where the defaults do not fit.
    #[serde(default)]
    pub cost: Option<CostSection>,
    /// The customer's order the lots fill.
    #[serde(default)]
    pub order: Option<OrderSection>,
    /// Shipped devices that come back through the RMA desk.
    #[serde(default)]
    pub returns: Option<ReturnsSection>,
    /// The provisioning link between the vault and the station: a clean network with
    /// 1 ms latency when absent.
    #[serde(default)]
    pub link: Option<LinkSection>,
    #[serde(default, rename = "attack")]
    pub attacks: Vec<AttackSection>,
    #[serde(rename = "claim")]
    pub claims: Spanned<Vec<ClaimSection>>,
}
