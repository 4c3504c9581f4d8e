//! Attack copies: any device, or the site while a device was on the station, rebuilt
//! from the seed on a scratch copy, so that one attack path works on its own copy and
//! the run, its books and every other path stay untouched. The line's RMA desk gets a
//! returned part back the same way.
//!
//! A copy starts from the run's own site, station and link ([`Original`]) and changes
//! none of them; it knows nothing of the line that holds them, which reaches these
//! copies through its own methods (`Line::rebuild_device`, `Line::site_during`).

use crate::device_streams::DeviceStreams;
use crate::labels;
use crate::link::session::{LinkSession, LinkTap};
use crate::link::streams::LinkStreams;
use crate::site::Site;
use crate::station::error::StationError;
use crate::station::observer::PassObserver;
use crate::station::provision::{Station, StationCycle};
use provsim_devices::Target;
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, Digest, Seed, SimTime, Stream, Trace};

/// What a copy starts from: the run's seed, and its site, station and link as the run
/// holds them. Only read: every pass runs on clones.
pub(crate) struct Original<'a> {
    pub seed: Seed,
    pub site: &'a Site,
    pub station: &'a Station,
    pub link: &'a LinkSession,
}

impl Original<'_> {
    /// Takes `target`, device `index` as the fab made it, through the station exactly as
    /// the line did, on a scratch copy of the site: the real site, its audit log and its
    /// counters are untouched, and the work is charged to `crypto`. `observer` is shown
    /// the chip at every stage of the lock sequence. Returns the pass's trace digest and
    /// what the station made of the device (its identity and certificate).
    pub(crate) fn rebuild(
        &self,
        index: u64,
        target: &mut dyn Target,
        crypto: &Crypto,
        observer: &mut dyn PassObserver,
    ) -> Result<(Digest, StationCycle), StationError> {
        let link = self.clean_link(crypto);
        self.rebuild_on(link, index, target, crypto, observer)
    }

    /// [`Original::rebuild`] with `tap` on the wire between the station and the vault
    /// from the session's first handshake on: what a man in the middle of the link
    /// sees and changes. Returns the pass's result and the tap.
    pub(crate) fn rebuild_tapped(
        &self,
        index: u64,
        target: &mut dyn Target,
        crypto: &Crypto,
        tap: Box<dyn LinkTap>,
    ) -> (Result<StationCycle, StationError>, Option<Box<dyn LinkTap>>) {
        let mut link = self.link.detached();
        link.tap_with(tap);
        link.establish_clean(crypto, &CopyLinkStreams(self.seed));
        let result = self
            .rebuild_on_session(&mut link, index, target, crypto, &mut ())
            .map(|(_, cycle)| cycle);
        (result, link.untap())
    }

    fn rebuild_on(
        &self,
        mut link: LinkSession,
        index: u64,
        target: &mut dyn Target,
        crypto: &Crypto,
        observer: &mut dyn PassObserver,
    ) -> Result<(Digest, StationCycle), StationError> {
        self.rebuild_on_session(&mut link, index, target, crypto, observer)
    }

    fn rebuild_on_session(
        &self,
        link: &mut LinkSession,
        index: u64,
        target: &mut dyn Target,
        crypto: &Crypto,
        observer: &mut dyn PassObserver,
    ) -> Result<(Digest, StationCycle), StationError> {
        let mut site = self.site.clone();
        // The run's pass for this device took a unit of any count licence; the copy's
        // pass takes it again. (A device the run lost before certification took none,
        // so its copy starts one unit richer than the run stood: a site attack at that
        // moment may spend it, and the copy's books name what it makes.)
        if let Some(licence) = site.hsm.licence_mut() {
            licence.give_back();
        }
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, crypto, &mut trace);
        let mut audit = Vec::new();
        let cycle = self.station.provision(
            &mut site,
            link,
            &mut ctx,
            DeviceStreams::new(self.seed, index),
            SimTime::ZERO,
            target,
            &mut audit,
            observer,
        )?;
        Ok((trace.digest(), cycle))
    }

    /// The copy's link to the vault: a device's exchange starts on an established
    /// session, as on the line; the session is made over a clean network, outside any
    /// device's trace.
    pub(crate) fn clean_link(&self, crypto: &Crypto) -> LinkSession {
        let mut link = self.link.detached();
        link.establish_clean(crypto, &CopyLinkStreams(self.seed));
        link
    }

    /// A copy of the site as it was while device `index` (`target`, as the fab made it)
    /// was on the station, its identity key made and not yet sent: what an attacker at
    /// the site gets to work on. `None` if the pass never made a key.
    pub(crate) fn site_during(
        &self,
        index: u64,
        target: &mut dyn Target,
        crypto: &Crypto,
    ) -> Result<Option<Site>, StationError> {
        struct Snapshot(Option<Site>);
        impl PassObserver for Snapshot {
            fn key_in_flight(&mut self, site: &Site) {
                self.0 = Some(site.clone());
            }
        }
        let mut snapshot = Snapshot(None);
        self.rebuild(index, target, crypto, &mut snapshot)?;
        Ok(snapshot.0)
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
