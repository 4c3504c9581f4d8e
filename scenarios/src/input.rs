//! Every file provsim reads comes through here: only regular files, and never more than
//! a bound suited to what the file is.
//!
//! A path can name something that never ends (`/dev/zero`), never starts (a FIFO with
//! no writer: opening it blocks forever) or is simply huge. None of those is a scenario,
//! an audit log or a key, so they are refused by what the file system says they are,
//! before anything is opened, and what is read is capped however large the file claims
//! or turns out to be.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What a file is read as; each kind has its own bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A scenario: a few KiB of TOML.
    Scenario,
    /// An audit log, read a record at a time.
    AuditLog,
    /// A customer manifest, read an entry at a time.
    Manifest,
    /// Device records (`records.jsonl`), read a record at a time.
    Records,
    /// A PEM private key.
    Key,
    /// A PEM certificate.
    Certificate,
    /// A signer given as a PEM public key or a certificate for it.
    Signer,
    /// A firmware image body.
    Image,
    /// A run's report.json, read whole to replay it.
    Report,
}

impl InputKind {
    /// What the file is, in messages.
    pub const fn name(self) -> &'static str {
        match self {
            InputKind::Scenario => "scenario file",
            InputKind::AuditLog => "audit log",
            InputKind::Manifest => "manifest",
            InputKind::Records => "records file",
            InputKind::Key => "key file",
            InputKind::Certificate => "certificate",
            InputKind::Signer => "signer key",
            InputKind::Image => "image",
            InputKind::Report => "report",
        }
    }

    /// The most a whole file of this kind may hold (for a file read whole), or the most
    /// one line may hold (for a file read a line at a time).
    pub const fn bound(self) -> u64 {
        match self {
            // The shipped scenarios are under 4 KiB; 1 MiB leaves room for any line.
            InputKind::Scenario => 1 << 20,
            // Records and entries are under 4 KiB each; this is per line, the same bound
            // the audit verifier holds each record to.
            InputKind::AuditLog | InputKind::Manifest | InputKind::Records => {
                provsim_provisioner::MAX_RECORD_BYTES
            }
            InputKind::Key | InputKind::Certificate | InputKind::Signer => 1 << 20,
            InputKind::Image => 64 << 20,
            // Reports stay small at any lot size (the devices' digests are beside them);
            // the attempts' rungs are what make one grow.
            InputKind::Report => 64 << 20,
        }
    }
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {} `{}`: {error}", kind.name(), path.display())]
    Unreadable {
        kind: InputKind,
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("`{}` is a directory, not a {}", path.display(), kind.name())]
    Directory { kind: InputKind, path: PathBuf },
    #[error(
        "`{}` is not a regular file (a FIFO, a device or a socket): {}s are read only from regular files (save a stream to a file first)",
        path.display(),
        kind.name()
    )]
    NotRegular { kind: InputKind, path: PathBuf },
    #[error("{} `{}` is larger than the {} bytes accepted", kind.name(), path.display(), kind.bound())]
    TooLarge { kind: InputKind, path: PathBuf },
}

/// Opens `path` for reading if it is a regular file (after following links). What the
/// caller reads from it must still be bounded: use [`read_bounded`] for a whole file,
/// or cap each line at [`InputKind::bound`].
pub fn open_regular(path: &Path, kind: InputKind) -> Result<File, InputError> {
    let unreadable = |error| InputError::Unreadable {
        kind,
        path: path.to_path_buf(),
        error,
    };
    let metadata = std::fs::metadata(path).map_err(unreadable)?;
    if metadata.is_dir() {
        return Err(InputError::Directory {
            kind,
            path: path.to_path_buf(),
        });
    }
    if !metadata.is_file() {
        return Err(InputError::NotRegular {
            kind,
            path: path.to_path_buf(),
        });
    }
    // The path may have been swapped since it was looked at: what was opened is what
    // counts, and the open itself does not wait for a FIFO's writer.
    let file = open_without_waiting(path).map_err(unreadable)?;
    if !file.metadata().map_err(unreadable)?.is_file() {
        return Err(InputError::NotRegular {
            kind,
            path: path.to_path_buf(),
        });
    }
    Ok(file)
}

/// Opens for reading without blocking: a FIFO with no writer would hold a plain open
/// forever. The flag changes nothing for a regular file, the only kind read on.
#[cfg(unix)]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// The whole of a regular file, refused when it holds more than its kind's bound. The
/// size the file reports is checked first, and the read is capped anyway, so a file
/// that grows while it is read cannot make it run away.
pub fn read_bounded(path: &Path, kind: InputKind) -> Result<Vec<u8>, InputError> {
    let file = open_regular(path, kind)?;
    let too_large = || InputError::TooLarge {
        kind,
        path: path.to_path_buf(),
    };
    let bound = kind.bound();
    if file.metadata().map(|m| m.len()).unwrap_or(0) > bound {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(bound + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| InputError::Unreadable {
            kind,
            path: path.to_path_buf(),
            error,
        })?;
    if bytes.len() as u64 > bound {
        return Err(too_large());
    }
    Ok(bytes)
}

/// [`read_bounded`], as UTF-8 text.
pub fn read_text(path: &Path, kind: InputKind) -> Result<String, InputError> {
    String::from_utf8(read_bounded(path, kind)?).map_err(|_| InputError::Unreadable {
        kind,
        path: path.to_path_buf(),
        error: std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_and_a_directory_are_refused_before_they_are_opened() {
        let zero = read_bounded(Path::new("/dev/zero"), InputKind::Scenario);
        assert!(
            matches!(zero, Err(InputError::NotRegular { .. })),
            "{zero:?}"
        );
        let dir = read_bounded(Path::new("."), InputKind::Scenario);
        assert!(matches!(dir, Err(InputError::Directory { .. })), "{dir:?}");
    }

    #[test]
    fn a_file_over_the_bound_is_refused_without_being_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.toml");
        let file = File::create(&path).unwrap();
        // Sparse: claims a gigabyte, costs nothing on disk.
        file.set_len(1 << 30).unwrap();
        let read = read_bounded(&path, InputKind::Scenario);
        assert!(matches!(read, Err(InputError::TooLarge { .. })), "{read:?}");
        std::fs::write(&path, b"title = \"small\"\n").unwrap();
        assert_eq!(
            read_text(&path, InputKind::Scenario).unwrap(),
            "title = \"small\"\n"
        );
    }

    /// A path swapped for a FIFO between the look and the open is opened without
    /// waiting for a writer, then refused for what it is.
    #[cfg(unix)]
    #[test]
    fn opening_a_fifo_does_not_wait_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo (coreutils) runs");
        assert!(made.success());
        // On another thread, so that an open that waits fails the test, not hangs it.
        let (sender, opened) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(open_without_waiting(&fifo).map(|f| f.metadata()));
        });
        let metadata = opened
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("the open waited for a writer")
            .expect("opened")
            .expect("its metadata");
        assert!(!metadata.is_file());
    }

    #[test]
    fn messages_say_what_the_file_was_read_as() {
        let error = read_bounded(Path::new("/dev/zero"), InputKind::AuditLog).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`/dev/zero` is not a regular file (a FIFO, a device or a socket): audit logs are \
             read only from regular files (save a stream to a file first)"
        );
    }
}
