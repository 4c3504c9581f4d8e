//! One way to spell a line's configuration in tests, benches and harnesses: a sound
//! line with every setting at a plain default, changed only where a test cares.

use crate::ledger::Order;
use crate::level::{Level, Yields};
use crate::line::config::LineConfig;
use crate::line::returns::ReturnPlan;
use crate::link::config::LinkConfig;
use crate::pki::hierarchy::PkiNames;
use crate::station::config::StationConfig;
use crate::vault::ceremony::Quorum;
use crate::vault::custody::Custody;
use crate::vault::secrets::{IdentityOrigin, SecretsProfile};
use crate::weakness::SiteWeaknesses;
use provsim_devices::{Countermeasures, TargetKind};
use provsim_sim::Digest;

impl LineConfig {
    /// A line of `target` parts with the defaults below, to change with the builder's
    /// setters before [`LineConfigBuilder::build`]: the provisioner's HSM at board
    /// level, secure boot then the debug lock, site "House" and customer "Customer",
    /// product 7, 64 dies a wafer, perfect yields, the default quorum, identity keys
    /// made in the vault and no symmetric key, no returns, no order, a clean link.
    pub fn builder(target: TargetKind) -> LineConfigBuilder {
        LineConfigBuilder {
            config: LineConfig {
                custody: Custody::ProvisionerHsm,
                level: Level::Board,
                target,
                countermeasures: Countermeasures::default(),
                station: StationConfig::secure_boot_then(true),
                names: PkiNames {
                    site: "House".into(),
                    customer: "Customer".into(),
                },
                product: 7,
                dies_per_wafer: 64,
                yields: Yields::PERFECT,
                quorum: Quorum::DEFAULT,
                secrets: SecretsProfile::default(),
                returns: ReturnPlan::default(),
                order: None,
                count_licence: None,
                site_weaknesses: SiteWeaknesses::default(),
                link: LinkConfig::CLEAN,
                run: Digest([0; 32]),
            },
        }
    }
}

/// A [`LineConfig`] under construction (see [`LineConfig::builder`]).
#[derive(Debug, Clone)]
#[must_use]
pub struct LineConfigBuilder {
    config: LineConfig,
}

impl LineConfigBuilder {
    pub fn custody(mut self, custody: Custody) -> Self {
        self.config.custody = custody;
        self
    }

    pub fn level(mut self, level: Level) -> Self {
        self.config.level = level;
        self
    }

    pub fn countermeasures(mut self, countermeasures: Countermeasures) -> Self {
        self.config.countermeasures = countermeasures;
        self
    }

    pub fn station(mut self, station: StationConfig) -> Self {
        self.config.station = station;
        self
    }

    /// The site's and the customer's names, as certificates carry them.
    pub fn names(mut self, site: &str, customer: &str) -> Self {
        self.config.names = PkiNames {
            site: site.to_owned(),
            customer: customer.to_owned(),
        };
        self
    }

    /// The run the line's books name (see [`LineConfig::run`]).
    pub fn run(mut self, run: Digest) -> Self {
        self.config.run = run;
        self
    }

    pub fn product(mut self, product: u16) -> Self {
        self.config.product = product;
        self
    }

    pub fn dies_per_wafer(mut self, dies: u32) -> Self {
        self.config.dies_per_wafer = dies;
        self
    }

    pub fn yields(mut self, yields: Yields) -> Self {
        self.config.yields = yields;
        self
    }

    pub fn quorum(mut self, quorum: Quorum) -> Self {
        self.config.quorum = quorum;
        self
    }

    /// Where identity keys are made, and the symmetric keys each device gets.
    pub fn secrets<S: Into<String>>(
        mut self,
        identity: IdentityOrigin,
        symmetric_keys: impl IntoIterator<Item = S>,
    ) -> Self {
        self.config.secrets = SecretsProfile {
            identity,
            symmetric_keys: symmetric_keys.into_iter().map(Into::into).collect(),
        };
        self
    }

    pub fn returns(mut self, returns: ReturnPlan) -> Self {
        self.config.returns = returns;
        self
    }

    pub fn order(mut self, number: &str, devices: u64) -> Self {
        self.config.order = Some(Order {
            number: number.to_owned(),
            devices,
        });
        self
    }

    /// Switches off the site's protections `weaknesses` names.
    pub fn site_weaknesses(mut self, weaknesses: SiteWeaknesses) -> Self {
        self.config.site_weaknesses = weaknesses;
        self
    }

    /// Grants the order a count licence of `units` device certificates.
    pub fn count_licence(mut self, units: u64) -> Self {
        self.config.count_licence = Some(units);
        self
    }

    pub fn link(mut self, link: LinkConfig) -> Self {
        self.config.link = link;
        self
    }

    pub fn build(self) -> LineConfig {
        self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Lot;
    use crate::line::establish::Line;
    use provsim_sim::Seed;

    #[test]
    fn the_defaults_make_a_line_that_runs_clean_and_setters_take() {
        let plain = LineConfig::builder(TargetKind::Mcu).build();
        assert_eq!(plain.problem(), None);
        assert_eq!(plain.target, TargetKind::Mcu);
        let lots = vec![Lot {
            name: "L1".into(),
            devices: 2,
        }];
        let mut line = Line::establish(plain, Seed::new(1), lots).unwrap();
        let summary = line.run(&mut ()).unwrap();
        assert_eq!(summary.ledger.shipped(), 2);
        assert!(summary.rejected.is_empty());
        assert_eq!(summary.reconciliation.findings, Vec::<String>::new());
        let tuned = LineConfig::builder(TargetKind::Mcu)
            .level(Level::Wafer)
            .secrets(IdentityOrigin::Device, ["storage"])
            .order("PO-7", 3)
            .build();
        assert_eq!(tuned.level, Level::Wafer);
        assert_eq!(tuned.secrets.symmetric_keys, ["storage"]);
        assert_eq!(
            tuned.order.map(|o| (o.number, o.devices)),
            Some(("PO-7".into(), 3))
        );
        let bad = LineConfig::builder(TargetKind::Mcu)
            .order("PO 7", 3)
            .build();
        assert!(bad.problem().is_some());
    }

    /// The run checks its books against the vault's counters: an identity key made in
    /// the HSM off the books (as an insider at the console might) is named.
    #[test]
    fn a_run_names_a_key_the_vault_made_off_the_books() {
        use crate::vault::hsm::KeyUse;
        use provsim_sim::{Ctx, SimTime, Trace};
        let lots = vec![Lot {
            name: "L1".into(),
            devices: 2,
        }];
        let config = LineConfig::builder(TargetKind::Mcu).build();
        let mut line = Line::establish(config, Seed::new(1), lots).unwrap();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &line.crypto, &mut trace);
        let mut stream = Seed::new(9).stream("test/off-the-books");
        line.site
            .hsm
            .generate(&mut ctx, KeyUse::DeviceIdentity, &mut stream);
        let summary = line.run(&mut ()).unwrap();
        assert_eq!(
            summary.reconciliation.findings,
            [
                "the audit log shows 2 device identity key(s) made in the vault, the HSM counts 3",
                "the HSM still holds 1 device identity key(s)",
            ]
        );
    }
}
