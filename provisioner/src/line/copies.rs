//! The line's doors to the attack copies (`crate::copies`): any device re-created as it
//! shipped, the site as it was while a device was on the station, and ground truth. The
//! copies are made from the line's parts and know nothing of the line, so the line
//! stands on them (its RMA desk gets a returned part back the same way).

use crate::copies::board_access::{BoardAccess, BoardStation};
use crate::copies::extra_dies::ExtraDies;
use crate::copies::field_access::FieldAccess;
use crate::copies::ground_truth;
use crate::copies::link_access::LinkAccess;
use crate::copies::rebuild::Original;
use crate::copies::site_access::SiteAccess;
use crate::labels;
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
        let (digest, _) = self
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

    /// The board assembler's floor while the board for device `index` waits for the
    /// board-level station: the genuine part on the reel (as the fab made it) and a
    /// copy of the site behind the station, with its own books. On a line that
    /// provisions at the test house no station sees the board. The real site is
    /// untouched.
    pub fn board_assembly(&self, index: u64, crypto: &Crypto) -> Result<BoardAccess, LineError> {
        let (device, reel) = self.fresh_device(index)?;
        let mut site = self.site.clone();
        // As for any copy of a device's pass: the run took a unit of any count licence
        // for this device; the copy's pass takes it again.
        if let Some(licence) = site.hsm.licence_mut() {
            licence.give_back();
        }
        let board = BoardStation {
            seed: self.seed,
            index,
            level: self.config.level,
            station: self.station.clone(),
            link: self.original().clean_link(crypto),
        };
        Ok(BoardAccess::new(site, device, board, reel))
    }

    /// The link between the station and the vault, from before the session's handshake,
    /// while device `index` (as the fab made it) goes through the station: where a man
    /// in the middle stands. The run's link is untouched.
    pub fn link_during(&self, index: u64) -> Result<LinkAccess, LineError> {
        let (device, target) = self.fresh_device(index)?;
        Ok(LinkAccess::new(&self.original(), index, device, target))
    }

    /// The field as it stands around shipped device `index`: the device re-created as it
    /// shipped, in the attacker's hands and in service (it holds a session at a copy of
    /// the customer's registrar, from its own endpoint), and the registrar's copy for
    /// whatever else answers for its identity. The real registrar is untouched.
    pub fn field_around(&self, index: u64, crypto: &Crypto) -> Result<FieldAccess, LineError> {
        let (_, mut target) = self.fresh_device(index)?;
        let (_, cycle) = self
            .original()
            .rebuild(index, target.as_mut(), crypto, &mut ())?;
        let registrar = self.cloud.registrar().clone();
        let challenges = labels::copy_registrar_challenges(self.seed, index);
        FieldAccess::in_service(target, cycle, registrar, challenges, index, crypto)
            .map_err(|why| LineError::Field { index, why })
    }

    /// The RMA desk as returned device `index` reaches it: the part as it shipped (its
    /// keys still in it, before the desk processes it), off the network, and a copy of
    /// the customer's registrar, whose records say the part left the field. The real
    /// registrar is untouched.
    pub fn rma_desk(&self, index: u64, crypto: &Crypto) -> Result<FieldAccess, LineError> {
        let (_, mut target) = self.fresh_device(index)?;
        let (_, cycle) = self
            .original()
            .rebuild(index, target.as_mut(), crypto, &mut ())?;
        let registrar = self.cloud.registrar().clone();
        let challenges = labels::copy_registrar_challenges(self.seed, index);
        Ok(FieldAccess::off_the_network(
            target, cycle, registrar, challenges,
        ))
    }

    /// The scrap bin as rejected device `index` went into it: the part as the station
    /// left it when it rejected it (wiped, unless the site bins parts as they are).
    /// `None` when the copy's pass does not reject it (the run lost it to something a
    /// copy does not replay, such as a fault on the link): that part is not in the bin.
    pub fn scrap_bin(
        &self,
        index: u64,
        crypto: &Crypto,
    ) -> Result<Option<Box<dyn Target>>, LineError> {
        let (_, mut target) = self.fresh_device(index)?;
        match self
            .original()
            .rebuild(index, target.as_mut(), crypto, &mut ())
        {
            Ok(_) => Ok(None),
            Err(_) => Ok(Some(target)),
        }
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
