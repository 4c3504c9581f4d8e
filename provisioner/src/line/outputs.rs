//! What a shipped device leaves behind for the customer: its signed record and its
//! manifest entry, both signed by the vault's identity key; and, once the lots are
//! through, the signed closing records of the manifest and of the device records.

use crate::books::manifest::closing::{ManifestChain, ManifestClosing};
use crate::books::manifest::entry::ManifestFields;
use crate::books::record::{DeviceRecord, RecordFields};
use crate::books::record_closing::{RecordsChain, RecordsClosing};
use crate::ledger::ShippedDevice;
use crate::line::error::LineError;
use crate::line::establish::Line;
use crate::station::provision::StationCycle;
use provsim_devices::Target;
use provsim_sim::{Ctx, SimTime, Trace};

impl Line {
    /// Builds and signs the record of a device that just shipped, and takes it into
    /// `chain`.
    pub(super) fn device_record(
        &mut self,
        shipped: &ShippedDevice,
        cycle: &StationCycle,
        target: &dyn Target,
        leaves: SimTime,
        chain: &mut RecordsChain,
    ) -> Result<DeviceRecord, LineError> {
        let lot_number = usize::from((shipped.device_id.0 >> 32) as u16);
        let lot = self
            .lots
            .get(lot_number.wrapping_sub(1))
            .map_or("", |lot| lot.name.as_str());
        let site = self.wafer_map.site(shipped.device_id.0 as u32);
        let wafer = format!("{lot}-W{:02}", site.wafer);
        let fields = RecordFields {
            device: shipped.device_id,
            index: shipped.index,
            lot,
            wafer: &wafer,
            x: site.x,
            y: site.y,
            level: self.config.level.name(),
            tester: self.station.name(),
            life_cycle: target.life_cycle().name(),
            identity: shipped.identity,
            certificate_sha256: self.crypto.sha256(&cycle.certificate.der),
            firmware_sha256: self.site.firmware_hash,
            shipped_at_ns: leaves.as_nanos(),
            signer: self.site.vault_key.fingerprint().key_id(),
        };
        let prefix = fields.prefix();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(leaves, &self.crypto, &mut trace);
        let signature =
            self.site
                .hsm
                .sign_record(&mut ctx, self.site.vault_handle, prefix.as_bytes())?;
        let record = fields.sign_with(&signature);
        chain.push(&self.crypto, &record.line);
        Ok(record)
    }

    /// Signs the records file's closing record: the count and chain of its records and
    /// the run's id.
    pub(super) fn records_closing(
        &self,
        chain: RecordsChain,
        at: SimTime,
    ) -> Result<String, LineError> {
        let closing = RecordsClosing {
            chain,
            run: self.config.run.0,
            closed_at_ns: at.as_nanos(),
            signer: self.site.vault_key.fingerprint().key_id(),
        };
        let prefix = closing.prefix();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(at, &self.crypto, &mut trace);
        let signature =
            self.site
                .hsm
                .sign_record(&mut ctx, self.site.vault_handle, prefix.as_bytes())?;
        Ok(closing.line(&signature))
    }

    /// Builds and signs a shipped device's manifest entry, the next in `chain`, and
    /// takes it into the chain.
    pub(super) fn manifest_entry(
        &self,
        shipped: &ShippedDevice,
        cycle: &StationCycle,
        leaves: SimTime,
        chain: &mut ManifestChain,
    ) -> Result<String, LineError> {
        let fields = ManifestFields {
            device: shipped.device_id,
            number: chain.next_number(),
            model: self.config.target.name(),
            part_number: format!("{:04x}", self.config.product),
            manufacturer: &self.config.names.customer,
            provisioner: &self.config.names.site,
            shipped_at_ns: leaves.as_nanos(),
            identity: &cycle.identity,
            chain: [
                &cycle.certificate.der,
                &self.site.pki.customer().certificate().der,
            ],
        };
        let signer_der = &self.site.pki.vault().der;
        let input = fields.signing_input(&self.site.vault_key, signer_der);
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(leaves, &self.crypto, &mut trace);
        let signature =
            self.site
                .hsm
                .sign_record(&mut ctx, self.site.vault_handle, input.as_bytes())?;
        let entry = fields.entry(&self.site.vault_key, signer_der, &signature)?;
        chain.push(&self.crypto, &input);
        Ok(entry)
    }

    /// Signs the manifest's closing record: the count and chain of its entries.
    pub(super) fn manifest_closing(
        &self,
        chain: ManifestChain,
        at: SimTime,
    ) -> Result<String, LineError> {
        let closing = ManifestClosing {
            chain,
            run: self.config.run,
            closed_at_ns: at.as_nanos(),
        };
        let signer_der = &self.site.pki.vault().der;
        let input = closing.signing_input(&self.site.vault_key, signer_der);
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(at, &self.crypto, &mut trace);
        let signature =
            self.site
                .hsm
                .sign_record(&mut ctx, self.site.vault_handle, input.as_bytes())?;
        Ok(closing.record(&self.site.vault_key, signer_der, &signature)?)
    }
}
