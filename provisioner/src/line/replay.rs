//! Ground truth and replays: any device's keys re-derived from the seed, and any
//! device (or the site while it was on the station) re-created on scratch copies.

use super::*;

impl Line {
    /// Ground truth for oracles: device `index`'s identity key, made by the vault or by
    /// the chip as the secrets profile says, re-derived from the seed (charged to
    /// `crypto`, the oracle's own facade). Nothing of the line is touched, and the key
    /// is never part of any output.
    pub fn identity_key(&self, index: u64, crypto: &Crypto) -> SecretKey {
        let mut stream = match self.config.secrets.identity {
            IdentityOrigin::Vault => crate::labels::identity_key(self.seed, index),
            IdentityOrigin::Device => provsim_devices::mcu::on_chip_key_stream(self.seed, index),
        };
        crypto.generate_key(&mut stream)
    }

    /// Ground truth for oracles: device `index`'s symmetric keys, by name, as the vault
    /// made them. Never part of any output.
    pub fn symmetric_keys(&self, index: u64) -> Vec<(String, [u8; 32])> {
        self.config
            .secrets
            .symmetric_keys
            .iter()
            .map(|name| {
                (
                    name.clone(),
                    crate::secrets::symmetric_key(self.seed, index, name),
                )
            })
            .collect()
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

    /// A copy of the site as it was while device `index` was on the station, its
    /// identity key made and not yet sent: what an attacker at the site gets to work on.
    /// The real site is untouched and the replay is charged to `crypto`.
    pub fn site_during(&self, index: u64, crypto: &Crypto) -> Result<SiteAccess, LineError> {
        struct Snapshot(Option<Site>);
        impl PassObserver for Snapshot {
            fn key_in_flight(&mut self, site: &Site) {
                self.0 = Some(site.clone());
            }
        }
        let mut snapshot = Snapshot(None);
        self.rebuild_device_observed(index, crypto, &mut snapshot)?;
        let device = self
            .device_id(index)
            .ok_or(LineError::NoSuchDevice { index })?;
        // A pass that succeeds always makes a key; this only guards the replay.
        let site = snapshot.0.ok_or(LineError::NoKeyInFlight { index })?;
        Ok(SiteAccess::new(site, device))
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
        let mut site = self.site.clone();
        let mut trace = Trace::new();
        // The device's exchange starts on an established session, as on the line; the
        // session is made over a clean network, outside the device's trace.
        let mut link = self.link.detached();
        link.establish_clean(crypto, &CopyLinkStreams(self.seed));
        let mut ctx = Ctx::new(SimTime::ZERO, crypto, &mut trace);
        let mut audit = Vec::new();
        self.station.provision(
            &mut site,
            &mut link,
            &mut ctx,
            self.seed,
            index,
            SimTime::ZERO,
            target.as_mut(),
            &mut audit,
            observer,
        )?;
        Ok((target, trace.digest()))
    }
}

/// The streams of the clean session an attack copy's device starts its exchange on.
struct CopyLinkStreams(Seed);

impl crate::link::LinkStreams for CopyLinkStreams {
    fn network(&self) -> provsim_sim::Stream {
        crate::labels::copy_link_network(self.0)
    }
    fn station(&self, k: u32) -> provsim_sim::Stream {
        crate::labels::copy_link_station(self.0, k)
    }
    fn vault(&self, k: u32) -> provsim_sim::Stream {
        crate::labels::copy_link_vault(self.0, k)
    }
}
