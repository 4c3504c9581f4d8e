//! A line's configuration: every room's settings in one value, checked once when the
//! line is established. It gathers the vault's, the PKI's, the station's and the
//! link's settings, so it lives with the line, above them all.

use crate::ledger::Order;
use crate::level::{Level, Yields};
use crate::line::returns::ReturnPlan;
use crate::link::config::LinkConfig;
use crate::pki::hierarchy::PkiNames;
use crate::station::config::StationConfig;
use crate::vault::ceremony::Quorum;
use crate::vault::custody::Custody;
use crate::vault::secrets::SecretsProfile;
use crate::weakness::SiteWeaknesses;
use provsim_devices::{Countermeasures, TargetKind};
use provsim_sim::Digest;

/// A line's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineConfig {
    pub custody: Custody,
    pub level: Level,
    pub target: TargetKind,
    /// The scenario's tuning of the target's fault and leakage countermeasures (and,
    /// on an ASIC, its PUF and key store).
    pub countermeasures: Countermeasures,
    pub station: StationConfig,
    pub names: PkiNames,
    /// The product number in every device id.
    pub product: u16,
    /// Dies on one wafer: how a lot's devices map to wafers and die sites.
    pub dies_per_wafer: u32,
    /// Each level's test yield. Every part is tested at every level in order.
    pub yields: Yields,
    /// Custodians of the offline root key, and how many must meet to use it.
    pub quorum: Quorum,
    /// What goes into each device, and where it is made.
    pub secrets: SecretsProfile,
    /// Shipped devices that come back from the field (RMA), after the lots.
    pub returns: ReturnPlan,
    /// The order the lots fill, if the scenario gives one.
    pub order: Option<Order>,
    /// The device certificates the vault may sign for the order (a count licence), if
    /// the order is sold with one.
    pub count_licence: Option<u64>,
    /// The site's protections the scenario switched off.
    pub site_weaknesses: SiteWeaknesses,
    /// The provisioning link between the vault and the station: its network's faults,
    /// the station's retries, and what a failed exchange does to the line.
    pub link: LinkConfig,
    /// The run this line's books belong to (the scenario runner's digest of the
    /// scenario's values and the seed). The audit log opens by naming it and the signed
    /// closing records carry it, so one run's books cannot pass for another's even where
    /// two runs share a vault key (the keys come from the seed alone).
    pub run: Digest,
}

impl LineConfig {
    /// Why this configuration cannot run, if it cannot: a secrets profile, link or
    /// countermeasure setting that does not work, or an order number that is not one.
    pub fn problem(&self) -> Option<String> {
        if let Some(problem) = self
            .secrets
            .problem()
            .or_else(|| self.link.problem())
            .or_else(|| self.countermeasures.problem(self.target))
        {
            return Some(problem);
        }
        self.order
            .as_ref()
            .filter(|o| !Order::is_number(&o.number))
            .map(|order| {
                format!(
                    "order number {:?}: 1 to 64 letters, digits, '.', '-' or '_'",
                    order.number
                )
            })
    }
}
