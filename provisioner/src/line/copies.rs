//! The line's doors to the attack copies (`crate::copies`): any device re-created as it
//! shipped, the site as it was while a device was on the station, and ground truth. The
//! copies are made from the line's parts and know nothing of the line, so the line
//! stands on them (its RMA desk gets a returned part back the same way).

use crate::copies::extra_dies::ExtraDies;
use crate::copies::ground_truth;
use crate::copies::rebuild::Original;
use crate::copies::site_access::SiteAccess;
use crate::line::error::LineError;
use crate::line::establish::Line;
use crate::station::observer::PassObserver;
use provsim_devices::Target;
use provsim_sim::Digest;
use provsim_sim::crypto::{Crypto, SecretKey};

impl Line {
    /// What every copy starts from: the run's own site, station and link, read only.
    fn original(&self) -> Original<'_> {
        Original {
            seed: self.seed,
            site: &self.site,
            station: &self.station,
            link: &self.link,
        }
    }

    /// Re-creates device `index` exactly as the line shipped it, on a scratch copy of the
    /// site: the real site, its audit log and its counters are untouched, and the work is
    /// charged to `crypto`. This is how an attack gets its own copy of a device.
    pub fn rebuild_device(
        &self,
        index: u64,
        crypto: &Crypto,
    ) -> Result<(Box<dyn Target>, Digest), LineError> {
        self.rebuild_device_observed(index, crypto, &mut ())
    }

    /// [`Line::rebuild_device`], showing `observer` the chip at every stage of the lock
    /// sequence: how the what-if report sees what each step leaves open.
    pub fn rebuild_device_observed(
        &self,
        index: u64,
        crypto: &Crypto,
        observer: &mut dyn PassObserver,
    ) -> Result<(Box<dyn Target>, Digest), LineError> {
        let (_, mut target) = self.fresh_device(index)?;
        let digest = self
            .original()
            .rebuild(index, target.as_mut(), crypto, observer)?;
        Ok((target, digest))
    }

    /// A copy of the site as it was while device `index` was on the station, its
    /// identity key made and not yet sent: what an attacker at the site gets to work on.
    /// The real site is untouched and the rebuild is charged to `crypto`.
    pub fn site_during(&self, index: u64, crypto: &Crypto) -> Result<SiteAccess, LineError> {
        let (device, mut target) = self.fresh_device(index)?;
        let site = self
            .original()
            .site_during(index, target.as_mut(), crypto)?
            // A pass that succeeds always makes a key; this only guards the rebuild.
            .ok_or(LineError::NoKeyInFlight { index })?;
        Ok(SiteAccess::new(site, device))
    }

    /// A copy of the site as the run left it once the order was done, with the
    /// station's floor: an insider there can run blank dies beyond the order's lots
    /// (see [`SiteAccess::run_extra_die`]). The real site is untouched.
    pub fn site_after_order(&self, crypto: &Crypto) -> Result<SiteAccess, LineError> {
        let total = self.device_count();
        let last = total
            .checked_sub(1)
            .and_then(|index| self.device_id(index))
            .ok_or(LineError::NoSuchDevice { index: 0 })?;
        let lot = self.lots.len();
        let floor = ExtraDies {
            seed: self.seed,
            station: self.station.clone(),
            link: self.original().clean_link(crypto),
            kind: self.config.target,
            countermeasures: self.config.countermeasures.clone(),
            product: self.config.product,
            lot: u16::try_from(lot).unwrap_or(u16::MAX),
            next_number: self.lots.last().map_or(0, |l| l.devices),
            next_index: total,
        };
        Ok(SiteAccess::after_order(self.site.clone(), last, floor))
    }

    /// Ground truth for oracles: device `index`'s identity key, made by the vault or by
    /// the chip as the secrets profile says, re-derived from the seed (charged to
    /// `crypto`, the oracle's own facade). Nothing of the line is touched, and the key
    /// is never part of any output.
    pub fn identity_key(&self, index: u64, crypto: &Crypto) -> SecretKey {
        ground_truth::identity_key(self.seed, self.config.secrets.identity, index, crypto)
    }

    /// Ground truth for oracles: device `index`'s symmetric keys, by name, as the vault
    /// made them. Never part of any output.
    pub fn symmetric_keys(&self, index: u64) -> Vec<(String, [u8; 32])> {
        ground_truth::symmetric_keys(self.seed, &self.config.secrets, index)
    }
}
