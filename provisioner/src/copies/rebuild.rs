//! Attack copies: any device, or the site while a device was on the station, rebuilt
//! from the seed on a scratch copy, so that one attack path works on its own copy and
//! the run, its books and every other path stay untouched.

use crate::copies::site_access::SiteAccess;
use crate::device_streams::DeviceStreams;
use crate::labels;
use crate::line::error::LineError;
use crate::line::establish::Line;
use crate::link::streams::LinkStreams;
use crate::site::Site;
use crate::station::observer::PassObserver;
use provsim_devices::Target;
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, Digest, Seed, SimTime, Stream, Trace};

impl Line {
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
    /// The real site is untouched and the rebuild is charged to `crypto`.
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
        // A pass that succeeds always makes a key; this only guards the rebuild.
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
            DeviceStreams::new(self.seed, index),
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

impl LinkStreams for CopyLinkStreams {
    fn network(&self) -> Stream {
        labels::copy_link_network(self.0)
    }

    fn station(&self, k: u32) -> Stream {
        labels::copy_link_station(self.0, k)
    }

    fn vault(&self, k: u32) -> Stream {
        labels::copy_link_vault(self.0, k)
    }
}
