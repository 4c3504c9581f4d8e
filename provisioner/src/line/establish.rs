//! A line: one site configuration established from a seed, with the lots it will run.

use crate::books::audit::record::AuditRecord;
use crate::cloud::first_connection::Cloud;
use crate::cloud::registrar::Registrar;
use crate::ledger::Lot;
use crate::level::{Level, WaferMap};
use crate::line::config::LineConfig;
use crate::line::error::LineError;
use crate::line::setup::{establish_link_ends, set_up_site};
use crate::link::session::LinkSession;
use crate::pki::hierarchy::Pki;
use crate::site::Site;
use crate::station::provision::Station;
use crate::vault::custody::Custody;
use crate::weakness::SiteWeakness;
use provsim_devices::{ChipMaker, DeviceId, Target, build_target_with};
use provsim_sim::crypto::{Crypto, PublicKey};
use provsim_sim::{Limits, Seed, Trace};

/// One provisioning line, established from a seed.
pub struct Line {
    pub(crate) config: LineConfig,
    pub(crate) seed: Seed,
    pub(crate) lots: Vec<Lot>,
    pub(crate) site: Site,
    pub(crate) station: Station,
    pub(crate) wafer_map: WaferMap,
    pub(crate) crypto: Crypto,
    pub(crate) site_trace: Trace,
    /// The audit records of the site's setting up, until the run writes them.
    pub(crate) pending_audit: Vec<AuditRecord>,
    pub(crate) limits: Limits,
    /// The customer's cloud, which each shipped device meets as it ships.
    pub(crate) cloud: Cloud,
    /// The link between the vault and the station, kept up across devices.
    pub(crate) link: LinkSession,
}

impl Line {
    /// Sets up the site: CA keys and certificates and the firmware-signing key, all made
    /// in the HSM from the seed's `site/...` streams.
    pub fn establish(
        mut config: LineConfig,
        seed: Seed,
        lots: Vec<Lot>,
    ) -> Result<Line, LineError> {
        if let Some(problem) = config.problem() {
            return Err(LineError::Config(problem));
        }
        // The customer's own HSM is the customer's control: unless the order says
        // otherwise, it is licensed for every die the lots send to the line, and no more.
        if config.custody == Custody::CustomerHsm && config.count_licence.is_none() {
            config.count_licence = Some(lots.iter().map(|lot| u64::from(lot.devices)).sum());
        }
        let crypto = Crypto::new();
        let mut site_trace = Trace::new();
        let (site, pending_audit) = set_up_site(&config, seed, &crypto, &mut site_trace)?;
        let link = establish_link_ends(&crypto, seed, config.link, &config.site_weaknesses)?;
        let cloud = Cloud::new(config.site_weaknesses.clone());
        let mut station = Station::new(
            config.station.clone(),
            config.level,
            config.yields,
            config.secrets.clone(),
        );
        if config.site_weaknesses.has(SiteWeakness::ScrapWithoutWipe) {
            station = station.without_scrap_wipe();
        }
        // Parts reach a board-level station on the assembler's reels, through hands
        // other than the chip maker's and the test house's: it asks each to prove it is
        // a genuine die. Earlier levels take them straight off the chip maker's wafers.
        if config.level == Level::Board
            && !config
                .site_weaknesses
                .has(SiteWeakness::StationNoPartAuthentication)
        {
            station = station.authenticating_parts(ChipMaker::public_key(&crypto, seed));
        }
        Ok(Line {
            station,
            wafer_map: WaferMap::new(config.dies_per_wafer),
            site,
            config,
            seed,
            lots,
            crypto,
            site_trace,
            pending_audit,
            limits: Limits::default(),
            cloud,
            link,
        })
    }

    pub fn config(&self) -> &LineConfig {
        &self.config
    }

    pub fn pki(&self) -> &Pki {
        &self.site.pki
    }

    /// The MCUboot hash of the firmware the line installs: the only image the vault
    /// signed, so the only one a shipped device may start.
    pub fn firmware_hash(&self) -> &[u8; 32] {
        &self.site.firmware_hash
    }

    /// Every image the vault signed for the line, oldest first: the release the line's
    /// firmware superseded, then the one it installs. All of them are published on the
    /// maker's update server.
    pub fn published_firmware(&self) -> [&[u8]; 2] {
        [&self.site.earlier_firmware, &self.site.firmware_image]
    }

    /// The security counter of the release the line installs, as the line built it: no
    /// shipped device should start a genuine release below it, whatever its fuses count
    /// (a part that boots unverified never advances them).
    pub fn installed_security_counter(&self) -> u32 {
        self.site.firmware_counter
    }

    /// The hashes of [`Line::published_firmware`], in the same order.
    pub fn signed_firmware_hashes(&self) -> [[u8; 32]; 2] {
        [self.site.earlier_hash, self.site.firmware_hash]
    }

    /// The vault's identity key: what a device record's signature verifies under.
    pub fn vault_key(&self) -> &PublicKey {
        &self.site.vault_key
    }

    pub fn firmware_key(&self) -> &PublicKey {
        &self.site.firmware_key
    }

    /// Devices in all lots.
    pub fn device_count(&self) -> u64 {
        self.lots.iter().map(|lot| u64::from(lot.devices)).sum()
    }

    /// The id of device `index` of the run: product, lot number (from 1) and number
    /// within the lot.
    pub fn device_id(&self, index: u64) -> Option<DeviceId> {
        let mut first = 0u64;
        for (lot_index, lot) in self.lots.iter().enumerate() {
            let end = first + u64::from(lot.devices);
            if index < end {
                let lot_number = u16::try_from(lot_index + 1).unwrap_or(u16::MAX);
                return Some(DeviceId::new(
                    self.config.product,
                    lot_number,
                    (index - first) as u32,
                ));
            }
            first = end;
        }
        None
    }

    /// The registrar, as the run left it: every shipped device enrolled, none connected.
    /// For tests and the report.
    pub fn registrar_mut(&mut self) -> &mut Registrar {
        self.cloud.registrar_mut()
    }

    /// Device `index` as the fab made it, with the scenario's countermeasures: its id
    /// and the blank chip. The line and every re-creation start from here.
    pub(crate) fn fresh_device(
        &self,
        index: u64,
    ) -> Result<(DeviceId, Box<dyn Target>), LineError> {
        let device_id = self
            .device_id(index)
            .ok_or(LineError::NoSuchDevice { index })?;
        let target = build_target_with(
            self.config.target,
            &self.config.countermeasures,
            self.seed,
            index,
            device_id,
        );
        Ok((device_id, target))
    }
}
