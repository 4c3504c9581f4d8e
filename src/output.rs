//! Files a run writes: the line's streamed output and the rendered reports.
//!
//! An output folder is only ever a whole run. A run holds an exclusive lock on the
//! folder (`.provsim.lock`, released by the operating system even when the run is
//! killed), writes every file under a `.partial` name while it works, and only at the
//! end switches them into place: the previous `report.json` goes first, then each
//! file is renamed, then `report.md`, and `report.json` last. A folder with a
//! `report.json` therefore always holds the files that report describes; a run stopped
//! before its switch leaves the previous whole run (and `.partial` files beside it),
//! and one stopped during its switch leaves an `INCOMPLETE` marker and no report (or,
//! stopped right after `report.json`'s rename, the whole run and a stale marker).

use anyhow::Context;
use provsim_provisioner::{
    AuditRecord, AuthorityRole, DeviceRecord, IssuedCertificate, IssuedCrl, LineSink, ShippedDevice,
};
use provsim_reports::{RunReport, render_json, render_markdown};
use provsim_sim::crypto::PublicKey;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The lock file a run holds for as long as it writes into a folder.
const LOCK: &str = ".provsim.lock";
/// Present while a run is switching its files into place, and left if it is stopped
/// then: the folder is not a whole run.
const INCOMPLETE: &str = "INCOMPLETE";
const PARTIAL: &str = ".partial";

/// Every file the sink streams, relative to the folder, in the order they are switched
/// into place.
const STREAMED: &[&str] = &[
    "pki/root.pem",
    "pki/customer-ca.pem",
    "pki/vault.pem",
    "pki/vault-certificate.pem",
    "pki/customer-ca.crl.pem",
    "devices.pem",
    "audit.jsonl",
    "records.jsonl",
    "manifest.json",
    "manifest.jsonl",
    "digests.jsonl",
];

/// An output folder this process holds: no other run writes into it meanwhile.
pub struct OutputFolder {
    dir: PathBuf,
    /// Held, not read: the lock lasts as long as this handle.
    _lock: File,
}

/// The process id a lock file names (`pid=N`), if it names one: the file is read only
/// as far as such a line goes.
fn holder(lock: &mut fs::File) -> Option<u32> {
    use std::io::Read;
    let mut text = String::new();
    lock.take(32).read_to_string(&mut text).ok()?;
    text.strip_prefix("pid=")?.trim_end().parse().ok()
}

/// Refuses a folder that holds something but was never a provsim output folder (it has
/// no lock file): `--out /etc` or `--out ~` would otherwise get a report, the books
/// and a `pki/` folder written among the user's files.
fn refuse_foreign_folder(dir: &Path) -> anyhow::Result<()> {
    let Ok(mut entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    if entries.next().is_some() && !dir.join(LOCK).exists() {
        anyhow::bail!(
            "output folder `{}` holds files and is not a provsim output folder (it has no \
             `{LOCK}`); give an empty or new folder to --out",
            dir.display()
        );
    }
    Ok(())
}

impl OutputFolder {
    /// Creates the folder if need be and takes its lock, or says who holds it.
    pub fn claim(dir: &Path) -> anyhow::Result<OutputFolder> {
        if dir.exists() && !dir.is_dir() {
            anyhow::bail!(
                "output folder `{}` exists and is not a folder",
                dir.display()
            );
        }
        refuse_foreign_folder(dir)?;
        fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output folder `{}`", dir.display()))?;
        let path = dir.join(LOCK);
        let mut lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot create `{}`", path.display()))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => anyhow::bail!(
                "output folder `{}` is in use by another provsim run{} (it holds `{LOCK}` \
                 there); wait for it, or give another --out",
                dir.display(),
                holder(&mut lock).map_or_else(String::new, |pid| format!(", process {pid}"))
            ),
            Err(fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock `{}`", path.display()));
            }
        }
        // Who holds the lock, for a run that finds it taken. Only a courtesy: the lock is
        // the flock, whatever the file says.
        lock.set_len(0)
            .and_then(|()| writeln!(lock, "pid={}", std::process::id()))
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        Ok(OutputFolder {
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    fn partial(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}{PARTIAL}"))
    }

    /// Opens the sink that streams the line's files under their `.partial` names.
    pub fn sink(&self) -> anyhow::Result<FileSink<'_>> {
        // A run's books need `pki/`; a sweep's folder, which holds only its summary
        // and the kept runs' own folders, does not.
        let pki = self.dir.join("pki");
        fs::create_dir_all(&pki).with_context(|| format!("cannot create `{}`", pki.display()))?;
        Ok(FileSink {
            folder: self,
            devices: create(&self.partial("devices.pem"))?,
            audit: create(&self.partial("audit.jsonl"))?,
            records: create(&self.partial("records.jsonl"))?,
            manifest: create(&self.partial("manifest.jsonl"))?,
            microchip: create(&self.partial("manifest.json"))?,
            microchip_entries: 0,
            digests: create(&self.partial("digests.jsonl"))?,
            progress: crate::progress::Progress::hidden(),
        })
    }

    /// Puts the whole run in place, `report.json` last (see the module's doc).
    pub fn publish(&self, report: &RunReport) -> anyhow::Result<()> {
        let json = render_json(report)?;
        let markdown = render_markdown(report);
        let marker = self.dir.join(INCOMPLETE);
        fs::write(
            &marker,
            "a provsim run was switching its files into place here and did not finish: \
             this folder is not a whole run\n",
        )
        .with_context(|| format!("cannot write `{}`", marker.display()))?;
        for old in ["report.json", "report.md"] {
            let path = self.dir.join(old);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot remove `{}`", path.display()));
                }
            }
        }
        for name in STREAMED {
            let from = self.partial(name);
            if from.exists() {
                rename(&from, &self.dir.join(name))?;
            }
        }
        self.write_whole("report.md", markdown.as_bytes())?;
        // report.json goes in by one rename, and the marker only after it: a run
        // stopped between the two leaves a whole run with a stale marker beside it,
        // never a folder with neither.
        self.write_whole("report.json", json.as_bytes())?;
        fs::remove_file(&marker).with_context(|| format!("cannot remove `{}`", marker.display()))
    }

    /// Writes a file under its `.partial` name, then renames it into place.
    fn write_whole(&self, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let partial = self.partial(name);
        fs::write(&partial, bytes)
            .with_context(|| format!("cannot write `{}`", partial.display()))?;
        rename(&partial, &self.dir.join(name))
    }
}

fn rename(from: &Path, to: &Path) -> anyhow::Result<()> {
    fs::rename(from, to).with_context(|| format!("cannot move `{}` into place", to.display()))
}

/// Writes certificates and audit records as the line produces them, so memory does not
/// grow with the lot: `pki/root.pem`, `pki/customer-ca.pem`, `devices.pem` (device
/// certificates in device order), `audit.jsonl` (one hash-chained record a line),
/// `records.jsonl` (one signed device record a line), `manifest.jsonl` (the customer's
/// manifest, one signed entry a line, then its signed closing record), `manifest.json`
/// (the same entries in Microchip's layout: one JSON array, written `[`, entry, `,`,
/// entry, …, `]` as they come, with no closing record), `pki/vault.pem` (the key
/// records verify under), `pki/vault-certificate.pem` (its certificate, which the
/// manifest names) and `pki/customer-ca.crl.pem` (the customer CA's revocation list,
/// written once the returns are through). Each is written under its `.partial` name until
/// [`OutputFolder::publish`].
pub struct FileSink<'f> {
    folder: &'f OutputFolder,
    devices: BufWriter<File>,
    audit: BufWriter<File>,
    records: BufWriter<File>,
    manifest: BufWriter<File>,
    /// `manifest.json`, and how many entries it holds so far.
    microchip: BufWriter<File>,
    microchip_entries: u64,
    /// `digests.jsonl`: each device's trace digest, in order.
    digests: BufWriter<File>,
    /// The devices' progress bar, on a terminal's standard error only.
    progress: crate::progress::Progress,
}

fn create(path: &Path) -> anyhow::Result<BufWriter<File>> {
    let file = File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
    Ok(BufWriter::new(file))
}

fn with_path(path: &Path) -> impl FnOnce(std::io::Error) -> std::io::Error + '_ {
    move |e| std::io::Error::new(e.kind(), format!("writing `{}`: {e}", path.display()))
}

impl FileSink<'_> {
    /// Shows the devices going through the line (`devices` in all: done, rate, time
    /// left) on standard error, when that is a terminal; nothing otherwise, so no log
    /// or pipe ever holds it.
    pub fn show_progress(&mut self, devices: u64) {
        self.progress = crate::progress::Progress::new(devices, "devices", false);
    }

    /// Closes `manifest.json`'s array and flushes the streamed files.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.progress.finish();
        let path = self.folder.partial("manifest.json");
        let end: &[u8] = if self.microchip_entries == 0 {
            b"[]\n"
        } else {
            b"\n]\n"
        };
        self.microchip.write_all(end).map_err(with_path(&path))?;
        for (writer, name) in [
            (&mut self.devices, "devices.pem"),
            (&mut self.audit, "audit.jsonl"),
            (&mut self.records, "records.jsonl"),
            (&mut self.manifest, "manifest.jsonl"),
            (&mut self.microchip, "manifest.json"),
            (&mut self.digests, "digests.jsonl"),
        ] {
            let path = self.folder.partial(name);
            writer.flush().map_err(with_path(&path))?;
        }
        Ok(())
    }
}

impl LineSink for FileSink<'_> {
    fn authority(
        &mut self,
        role: AuthorityRole,
        certificate: &IssuedCertificate,
    ) -> std::io::Result<()> {
        let path = self.folder.partial(&format!("pki/{}.pem", role.name()));
        fs::write(&path, &certificate.pem).map_err(with_path(&path))
    }

    fn certificate(
        &mut self,
        _: &ShippedDevice,
        certificate: &IssuedCertificate,
    ) -> std::io::Result<()> {
        let path = self.folder.partial("devices.pem");
        self.devices
            .write_all(certificate.pem.as_bytes())
            .map_err(with_path(&path))
    }

    fn vault(&mut self, public_key: &PublicKey) -> std::io::Result<()> {
        let path = self.folder.partial("pki/vault.pem");
        fs::write(&path, public_key.to_pem()).map_err(with_path(&path))
    }

    fn crl(&mut self, crl: &IssuedCrl) -> std::io::Result<()> {
        let path = self.folder.partial("pki/customer-ca.crl.pem");
        fs::write(&path, &crl.pem).map_err(with_path(&path))
    }

    fn record(&mut self, record: &DeviceRecord) -> std::io::Result<()> {
        let path = self.folder.partial("records.jsonl");
        writeln!(self.records, "{}", record.line).map_err(with_path(&path))
    }

    fn records_closing(&mut self, record: &str) -> std::io::Result<()> {
        let path = self.folder.partial("records.jsonl");
        writeln!(self.records, "{record}").map_err(with_path(&path))
    }

    fn manifest(&mut self, entry: &str) -> std::io::Result<()> {
        let path = self.folder.partial("manifest.jsonl");
        writeln!(self.manifest, "{entry}").map_err(with_path(&path))?;
        let path = self.folder.partial("manifest.json");
        let before = if self.microchip_entries == 0 {
            "["
        } else {
            ","
        };
        write!(self.microchip, "{before}\n{entry}").map_err(with_path(&path))?;
        self.microchip_entries += 1;
        Ok(())
    }

    fn manifest_closing(&mut self, record: &str) -> std::io::Result<()> {
        let path = self.folder.partial("manifest.jsonl");
        writeln!(self.manifest, "{record}").map_err(with_path(&path))
    }

    fn audit(&mut self, record: &AuditRecord) -> std::io::Result<()> {
        let path = self.folder.partial("audit.jsonl");
        writeln!(self.audit, "{record}").map_err(with_path(&path))
    }

    fn device_trace(
        &mut self,
        index: u64,
        device: provsim_devices::DeviceId,
        digest: &provsim_sim::Digest,
    ) -> std::io::Result<()> {
        self.progress.tick(None);
        let path = self.folder.partial("digests.jsonl");
        writeln!(
            self.digests,
            "{{\"index\":{index},\"device\":\"{device}\",\"trace\":\"{digest}\"}}"
        )
        .map_err(with_path(&path))
    }

    /// The run's ledger goes beside the output, in a file with no name (where the
    /// system allows; else one removed at once): nothing of it is left in the folder,
    /// even when the run is killed, and memory stays flat at any lot size.
    fn ledger_file(&mut self) -> std::io::Result<Option<File>> {
        tempfile::tempfile_in(&self.folder.dir)
            .map(Some)
            .map_err(with_path(&self.folder.dir))
    }
}
