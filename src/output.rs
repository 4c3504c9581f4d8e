//! Files a run writes: the line's streamed output and the rendered reports.

use anyhow::Context;
use provsim_provisioner::{
    AuditRecord, AuthorityRole, DeviceRecord, IssuedCertificate, LineSink, ShippedDevice,
};
use provsim_reports::{RunReport, render_json, render_markdown};
use provsim_sim::crypto::PublicKey;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes certificates and audit records as the line produces them, so memory does not
/// grow with the lot: `pki/root.pem`, `pki/customer-ca.pem`, `devices.pem` (device
/// certificates in device order), `audit.jsonl` (one hash-chained record a line),
/// `records.jsonl` (one signed device record a line), `manifest.jsonl` (the customer's
/// manifest, one signed entry a line), `pki/vault.pem` (the key records verify under)
/// and `pki/vault-certificate.pem` (its certificate, which the manifest names).
pub struct FileSink {
    dir: PathBuf,
    devices: BufWriter<File>,
    audit: BufWriter<File>,
    records: BufWriter<File>,
    manifest: BufWriter<File>,
}

fn create(path: &Path) -> anyhow::Result<BufWriter<File>> {
    let file = File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
    Ok(BufWriter::new(file))
}

fn with_path(path: &Path) -> impl FnOnce(std::io::Error) -> std::io::Error + '_ {
    move |e| std::io::Error::new(e.kind(), format!("writing `{}`: {e}", path.display()))
}

impl FileSink {
    pub fn create(dir: &Path) -> anyhow::Result<FileSink> {
        if dir.exists() && !dir.is_dir() {
            anyhow::bail!(
                "output folder `{}` exists and is not a folder",
                dir.display()
            );
        }
        fs::create_dir_all(dir.join("pki"))
            .with_context(|| format!("cannot create output folder `{}`", dir.display()))?;
        Ok(FileSink {
            dir: dir.to_path_buf(),
            devices: create(&dir.join("devices.pem"))?,
            audit: create(&dir.join("audit.jsonl"))?,
            records: create(&dir.join("records.jsonl"))?,
            manifest: create(&dir.join("manifest.jsonl"))?,
        })
    }

    /// Flushes the streamed files.
    pub fn finish(mut self) -> anyhow::Result<()> {
        let devices = self.dir.join("devices.pem");
        self.devices.flush().map_err(with_path(&devices))?;
        let audit = self.dir.join("audit.jsonl");
        self.audit.flush().map_err(with_path(&audit))?;
        let records = self.dir.join("records.jsonl");
        self.records.flush().map_err(with_path(&records))?;
        let manifest = self.dir.join("manifest.jsonl");
        self.manifest.flush().map_err(with_path(&manifest))?;
        Ok(())
    }
}

impl LineSink for FileSink {
    fn authority(
        &mut self,
        role: AuthorityRole,
        certificate: &IssuedCertificate,
    ) -> std::io::Result<()> {
        let path = self.dir.join("pki").join(format!("{}.pem", role.name()));
        fs::write(&path, &certificate.pem).map_err(with_path(&path))
    }

    fn certificate(
        &mut self,
        _: &ShippedDevice,
        certificate: &IssuedCertificate,
    ) -> std::io::Result<()> {
        let path = self.dir.join("devices.pem");
        self.devices
            .write_all(certificate.pem.as_bytes())
            .map_err(with_path(&path))
    }

    fn vault(&mut self, public_key: &PublicKey) -> std::io::Result<()> {
        let path = self.dir.join("pki").join("vault.pem");
        fs::write(&path, public_key.to_pem()).map_err(with_path(&path))
    }

    fn record(&mut self, record: &DeviceRecord) -> std::io::Result<()> {
        let path = self.dir.join("records.jsonl");
        writeln!(self.records, "{}", record.line).map_err(with_path(&path))
    }

    fn manifest(&mut self, entry: &str) -> std::io::Result<()> {
        let path = self.dir.join("manifest.jsonl");
        writeln!(self.manifest, "{entry}").map_err(with_path(&path))
    }

    fn audit(&mut self, record: &AuditRecord) -> std::io::Result<()> {
        let path = self.dir.join("audit.jsonl");
        writeln!(self.audit, "{record}").map_err(with_path(&path))
    }
}

/// Writes `report.json` and `report.md`.
pub fn write_reports(dir: &Path, report: &RunReport) -> anyhow::Result<()> {
    let json = dir.join("report.json");
    fs::write(&json, render_json(report)?)
        .with_context(|| format!("cannot write `{}`", json.display()))?;
    let md = dir.join("report.md");
    fs::write(&md, render_markdown(report))
        .with_context(|| format!("cannot write `{}`", md.display()))?;
    Ok(())
}
