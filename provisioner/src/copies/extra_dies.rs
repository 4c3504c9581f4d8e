//! The line's floor as an insider at the station has it once the order is done: blank
//! dies beyond the order's lots (the fab always makes more than it sells), and the
//! station, its link to the vault and the operator's credentials to run one more die.
//! Each extra die is taken through the station exactly as an ordered one; the vault's
//! policy and the order's count licence decide whether it comes off with an identity,
//! and the station's audit records go into the copy's books.

use crate::books::overlay::OverlayBooks;
use crate::device_streams::DeviceStreams;
use crate::link::session::LinkSession;
use crate::site::Site;
use crate::station::error::StationError;
use crate::station::provision::Station;
use provsim_devices::{Countermeasures, DeviceId, Target, TargetKind, build_target_with};
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, Seed, SimTime, Trace};

/// Why a die beyond the order did not come off the station with an identity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtraDie {
    /// The line refused it (the vault's policy, the count licence): so it refuses
    /// every further die.
    #[error("{0}")]
    Refused(String),
    /// The part failed a test, as any die may.
    #[error("{0}")]
    Lost(String),
}

/// What running a die beyond the order takes.
pub(crate) struct ExtraDies {
    pub seed: Seed,
    pub station: Station,
    /// The copy's link to the vault, up on a clean session.
    pub link: LinkSession,
    pub kind: TargetKind,
    pub countermeasures: Countermeasures,
    pub product: u16,
    /// The last lot's number, and the first die number and run index past its end.
    pub lot: u16,
    pub next_number: u32,
    pub next_index: u64,
}

impl ExtraDies {
    /// Takes the next blank die through the station on `site`, its records into
    /// `books`: the die with its certificate (DER), or why the station failed it.
    pub(crate) fn run_one(
        &mut self,
        site: &mut Site,
        books: &mut OverlayBooks,
        crypto: &Crypto,
    ) -> Result<(Box<dyn Target>, Vec<u8>), ExtraDie> {
        let index = self.next_index;
        let device = DeviceId::new(self.product, self.lot, self.next_number);
        self.next_index += 1;
        self.next_number = self.next_number.saturating_add(1);
        let mut target =
            build_target_with(self.kind, &self.countermeasures, self.seed, index, device);
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, crypto, &mut trace);
        let cycle = self
            .station
            .provision(
                site,
                &mut self.link,
                &mut ctx,
                DeviceStreams::new(self.seed, index),
                SimTime::ZERO,
                target.as_mut(),
                books.records_mut(),
                &mut (),
            )
            .map_err(|e| match e {
                // The vault's policy or the count licence: the same for every die.
                StationError::VaultRefused { .. } | StationError::Hsm(_) | StationError::Pki(_) => {
                    ExtraDie::Refused(e.to_string())
                }
                // A part that fails a test, or an exchange the link lost, costs that die;
                // the next may pass.
                other => ExtraDie::Lost(other.to_string()),
            })?;
        Ok((target, cycle.certificate.der))
    }
}
