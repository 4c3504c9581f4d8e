//! Where a line's output goes as it is produced.

use crate::books::audit::record::AuditRecord;
use crate::books::record::DeviceRecord;
use crate::ledger::ShippedDevice;
use crate::link::report::ExchangeReport;
use crate::pki::certificate::IssuedCertificate;
use crate::pki::crl::IssuedCrl;
use provsim_sim::crypto::PublicKey;

/// Which CA a certificate handed to [`LineSink::authority`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorityRole {
    Root,
    CustomerCa,
    /// The vault's identity certificate (issued by the root): signs records and the
    /// manifest.
    Vault,
}

impl AuthorityRole {
    pub fn name(self) -> &'static str {
        match self {
            AuthorityRole::Root => "root",
            AuthorityRole::CustomerCa => "customer-ca",
            AuthorityRole::Vault => "vault-certificate",
        }
    }
}

/// Where a line's output goes as it is produced: the CA certificates once, when the
/// run starts, then each device's certificate and audit records as it leaves.
pub trait LineSink {
    fn authority(
        &mut self,
        role: AuthorityRole,
        certificate: &IssuedCertificate,
    ) -> std::io::Result<()>;
    fn certificate(
        &mut self,
        device: &ShippedDevice,
        certificate: &IssuedCertificate,
    ) -> std::io::Result<()>;
    fn audit(&mut self, record: &AuditRecord) -> std::io::Result<()>;

    /// The vault's identity key, which signs the device records (once, first).
    fn vault(&mut self, _public_key: &PublicKey) -> std::io::Result<()> {
        Ok(())
    }

    /// A shipped device's signed record, as it leaves the line.
    fn record(&mut self, _record: &DeviceRecord) -> std::io::Result<()> {
        Ok(())
    }

    /// The device records' closing record (one line of JSON), once, after the last
    /// record.
    fn records_closing(&mut self, _record: &str) -> std::io::Result<()> {
        Ok(())
    }

    /// The certificate of a device rejected after it was issued: it never ships, and
    /// the CRL revokes it. Nothing the customer receives holds it; a test can.
    fn unshipped_certificate(
        &mut self,
        _index: u64,
        _certificate: &IssuedCertificate,
    ) -> std::io::Result<()> {
        Ok(())
    }

    /// A shipped device's manifest entry (one line of JSON, a flattened JWS).
    fn manifest(&mut self, _entry: &str) -> std::io::Result<()> {
        Ok(())
    }

    /// The manifest's closing record (one line of JSON, a flattened JWS), once, after
    /// the last entry.
    fn manifest_closing(&mut self, _record: &str) -> std::io::Result<()> {
        Ok(())
    }

    /// The customer CA's revocation list, once, after the returns (before the books
    /// close).
    fn crl(&mut self, _crl: &IssuedCrl) -> std::io::Result<()> {
        Ok(())
    }

    /// What the provisioning link did for device `index`'s secrets, delivery by
    /// delivery (for every device that sent some, shipped or not).
    fn link_exchange(&mut self, _index: u64, _report: &ExchangeReport) -> std::io::Result<()> {
        Ok(())
    }

    /// The digest of device `index`'s trace (its pass through the station), for every
    /// device the line took, shipped or not, in order: what a replay compares device by
    /// device.
    fn device_trace(
        &mut self,
        _index: u64,
        _device: provsim_devices::DeviceId,
        _digest: &provsim_sim::Digest,
    ) -> std::io::Result<()> {
        Ok(())
    }

    /// A scratch file for the run's ledger (73 bytes a device, read back after the
    /// lots), asked for once, before the first device. A sink that writes files offers
    /// one beside them, removed when it is closed, so the run's memory does not grow
    /// with the lot; `None` (the default) keeps the ledger in memory.
    fn ledger_file(&mut self) -> std::io::Result<Option<std::fs::File>> {
        Ok(None)
    }
}

/// A sink that keeps nothing.
impl LineSink for () {
    fn authority(&mut self, _: AuthorityRole, _: &IssuedCertificate) -> std::io::Result<()> {
        Ok(())
    }
    fn certificate(&mut self, _: &ShippedDevice, _: &IssuedCertificate) -> std::io::Result<()> {
        Ok(())
    }
    fn audit(&mut self, _: &AuditRecord) -> std::io::Result<()> {
        Ok(())
    }
}
