//! The provisioning link as a man in the middle reaches it: a place on the network
//! between the station and the vault from before the session's handshake, while one
//! device goes through the station. Every datagram in flight passes the attacker's
//! [`LinkTap`], which may put other bytes in its place; whether the ends notice is their
//! handshake's and record layer's business. The pass runs on a scratch copy of the site
//! like any rebuild, so the run and every other path are untouched.

use crate::copies::rebuild::Original;
use crate::link::session::LinkSession;
use crate::link::session::LinkTap;
use crate::site::Site;
use crate::station::provision::Station;
use provsim_devices::{DeviceId, Target};
use provsim_sim::Seed;
use provsim_sim::crypto::Crypto;
use std::any::Any;

/// An attack path's own copy of the link around one device's pass.
pub struct LinkAccess {
    seed: Seed,
    site: Site,
    station: Station,
    link: LinkSession,
    index: u64,
    device: DeviceId,
    /// The blank die, until it goes through the station.
    target: Option<Box<dyn Target>>,
}

impl LinkAccess {
    pub(crate) fn new(
        original: &Original<'_>,
        index: u64,
        device: DeviceId,
        target: Box<dyn Target>,
    ) -> Self {
        LinkAccess {
            seed: original.seed,
            site: original.site.clone(),
            station: original.station.clone(),
            link: original.link.detached(),
            index,
            device,
            target: Some(target),
        }
    }

    /// The device whose pass the link carries.
    pub fn device_id(&self) -> DeviceId {
        self.device
    }

    /// The device goes through the station with `tap` on the wire, once: whether the
    /// station provisioned it (or what it reported when it could not, as its operator
    /// sees it), and the tap back. The part goes through once: a second call says so.
    pub fn provision_through<T: LinkTap>(
        &mut self,
        crypto: &Crypto,
        tap: T,
    ) -> (Result<(), String>, Option<T>) {
        let Some(mut target) = self.target.take() else {
            return (
                Err("the part has already been through the station".to_owned()),
                Some(tap),
            );
        };
        let original = Original {
            seed: self.seed,
            site: &self.site,
            station: &self.station,
            link: &self.link,
        };
        let (result, tap) =
            original.rebuild_tapped(self.index, target.as_mut(), crypto, Box::new(tap));
        let tap = tap.and_then(|tap| {
            let any: Box<dyn Any> = tap;
            any.downcast::<T>().ok().map(|tap| *tap)
        });
        (result.map(|_| ()).map_err(|e| e.to_string()), tap)
    }
}
