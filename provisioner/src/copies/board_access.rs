//! The board assembler's floor as an insider there has it while one board waits for
//! the board-level station: the reel part meant for the board, as the chip maker made
//! it, and the place on the board where the station will find whatever part is put
//! there. Nothing of the provisioner's site behind the station is in reach: no
//! console, no vault, no backup. The part goes through the station exactly as the
//! genuine one would, with the device's own streams; the station's checks (its part
//! authentication, its tests) decide whether it comes off with the device's keys, and
//! the station's audit records go into the copy's books.

use crate::books::overlay::{BooksFinding, OverlayBooks};
use crate::device_streams::DeviceStreams;
use crate::level::Level;
use crate::link::session::LinkSession;
use crate::site::Site;
use crate::station::provision::Station;
use provsim_devices::{DeviceId, Target};
use provsim_sim::crypto::{Crypto, Fingerprint};
use provsim_sim::{Ctx, Seed, SimTime, Trace};

/// What the board-level station works with, behind the board.
pub(crate) struct BoardStation {
    pub seed: Seed,
    pub index: u64,
    pub level: Level,
    pub station: Station,
    /// The copy's link to the vault, up on a clean session.
    pub link: LinkSession,
}

/// An attack path's own copy of one board at the assembler.
pub struct BoardAccess {
    site: Site,
    device: DeviceId,
    books: OverlayBooks,
    station: BoardStation,
    /// The genuine part on the reel, until someone takes it.
    reel: Option<Box<dyn Target>>,
    placed: bool,
    /// A part that came off the station with an identity, and its certificate: the
    /// board ships with it.
    shipped: Option<(Box<dyn Target>, Vec<u8>)>,
}

impl BoardAccess {
    pub(crate) fn new(
        site: Site,
        device: DeviceId,
        station: BoardStation,
        reel: Box<dyn Target>,
    ) -> Self {
        let books = OverlayBooks::new(site.hsm.stats());
        BoardAccess {
            site,
            device,
            books,
            station,
            reel: Some(reel),
            placed: false,
            shipped: None,
        }
    }

    /// The device the board is for.
    pub fn device_on_board(&self) -> DeviceId {
        self.device
    }

    /// The genuine part on the reel meant for this board, as the chip maker made it:
    /// the assembler's staff handle it (and can take it). `None` once taken.
    pub fn take_reel_part(&mut self) -> Option<Box<dyn Target>> {
        self.reel.take()
    }

    /// Puts `part` on the board in place of the genuine one: the board-level station
    /// provisions whatever sits there, and the board ships with it. The certificate
    /// the station wrote into it, or why the station failed it (its part
    /// authentication, a test) or no station sees the board. A part that came off with
    /// an identity is out in the world, where the oracles challenge it.
    pub fn place_on_board(
        &mut self,
        crypto: &Crypto,
        mut part: Box<dyn Target>,
    ) -> Result<Vec<u8>, String> {
        if self.placed {
            return Err("the board already carries a part".to_owned());
        }
        self.placed = true;
        let board = &mut self.station;
        if board.level != Level::Board {
            return Err(format!(
                "this line provisions at {} level, at the test house: parts reach the board \
                 assembler already provisioned and locked, and no station sees the board, so \
                 the part placed there carries no identity",
                board.level.name()
            ));
        }
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, crypto, &mut trace);
        let certificate = board
            .station
            .provision(
                &mut self.site,
                &mut board.link,
                &mut ctx,
                DeviceStreams::new(board.seed, board.index),
                SimTime::ZERO,
                part.as_mut(),
                self.books.records_mut(),
                &mut (),
            )
            .map(|cycle| cycle.certificate.der)
            .map_err(|e| e.to_string())?;
        self.shipped = Some((part, certificate.clone()));
        Ok(certificate)
    }

    /// The copy's books reconciled: every identity or certificate they cannot account
    /// for against the run's shipped identities (`shipped`), each named.
    pub fn reconcile(
        &self,
        shipped: &dyn Fn(&Fingerprint) -> Option<DeviceId>,
    ) -> Vec<BooksFinding> {
        self.books.reconcile(self.site.hsm.stats(), shipped)
    }

    /// The part the board shipped with, if the station gave it an identity, with its
    /// certificate, as the world holds it: what the oracles challenge. It takes the
    /// copy, so an attack (which only borrows it) never reaches it.
    pub fn into_shipped_part(self) -> Option<(Box<dyn Target>, Vec<u8>)> {
        self.shipped
    }
}
