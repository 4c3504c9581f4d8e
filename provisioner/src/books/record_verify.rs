//! Checking a whole `records.jsonl` as the customer would, from its bytes and the
//! vault's public key alone: every line a whole record with exactly the record's fields,
//! signed by the vault over its bytes before the signature, and the records in device
//! order (each index and device id after the one before, so none is repeated or moved).
//!
//! A record that was deleted leaves no trace of its own: the line ships no record for a
//! device it rejected, so index 3 after index 1 is what a rejected device 2 looks like
//! too. The count from the run's report (`devices.count`), when given, is what catches
//! one deleted, wherever it was.
//!
//! Read a line at a time, each line bounded, in constant memory whatever the file's size.

use crate::books::audit::verify::MAX_RECORD_BYTES;
use crate::books::record::{ParsedRecord, verify_record};
use provsim_sim::crypto::{Crypto, PublicKey};
use std::io::{BufRead, Read};

/// How every record's line begins: a file whose first line does not is not a records
/// file at all.
const RECORD_START: &str = "{\"device\":\"";

/// An intact records file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordsSummary {
    pub records: u64,
}

/// Where a records file stops being trustworthy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct RecordBreak {
    /// The first bad line, from 1.
    pub line: u64,
    pub reason: String,
}

/// Why a records file could not be verified.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// The file could not be read: no verdict on it.
    #[error("unreadable: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not a records file at all: no verdict on records.
    #[error("line {line} {reason}: not a records file")]
    NotRecords { line: u64, reason: String },
    /// The records are not intact.
    #[error(transparent)]
    Broken(#[from] RecordBreak),
    /// The signer given is not a P-256 public key or a certificate for one.
    #[error("the signer is {0}")]
    Signer(String),
}

/// The vault's public key from a PEM `PUBLIC KEY` (`pki/vault.pem`) or `CERTIFICATE`
/// (`pki/vault-certificate.pem`, issued for that key).
pub fn record_signer_from_pem(text: &str) -> Result<PublicKey, RecordsError> {
    let signer = |why: String| RecordsError::Signer(why);
    let block = pem::parse(text).map_err(|e| signer(format!("not PEM: {e}")))?;
    match block.tag() {
        "PUBLIC KEY" => PublicKey::from_pem(text)
            .map_err(|_| signer("a PUBLIC KEY that is not a P-256 key".to_owned())),
        "CERTIFICATE" => {
            let (_, cert) = x509_parser::parse_x509_certificate(block.contents())
                .map_err(|e| signer(format!("not an X.509 certificate: {e}")))?;
            PublicKey::from_sec1(&cert.public_key().subject_public_key.data)
                .map_err(|_| signer("a certificate for a key that is not P-256".to_owned()))
        }
        other => Err(signer(format!(
            "a PEM `{other}`, not a PUBLIC KEY or a CERTIFICATE"
        ))),
    }
}

/// Whether `text` is `len` lowercase hex digits.
fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The fields a signature cannot vouch for the shape of: written by the vault, they are
/// always so; anything else was not written by the line.
fn check_shape(record: &ParsedRecord) -> Result<u64, String> {
    for (name, value, len) in [
        ("device", &record.device, 16),
        ("identity", &record.identity, 64),
        ("certificate_sha256", &record.certificate_sha256, 64),
        ("firmware_sha256", &record.firmware_sha256, 64),
        ("signer", &record.signer, 40),
    ] {
        if !is_hex(value, len) {
            return Err(format!("`{name}` is not {len} lowercase hex digits"));
        }
    }
    u64::from_str_radix(&record.device, 16).map_err(|_| "`device` is not hex".to_owned())
}

/// The last good record: what the next must come after.
#[derive(Clone, Copy)]
struct Previous {
    index: u64,
    device: u64,
    line: u64,
}

/// Checks one line, the `line`-th, after `previous`; returns where it stands.
fn check_line(
    crypto: &Crypto,
    signer: &PublicKey,
    text: &str,
    line: u64,
    previous: Option<Previous>,
) -> Result<Previous, String> {
    let record = verify_record(crypto, text, signer)?;
    let device = check_shape(&record)?;
    if let Some(before) = previous {
        if record.index == before.index || device == before.device {
            return Err(format!(
                "device {} (index {}) again: line {} is its record already",
                record.device, record.index, before.line
            ));
        }
        if record.index < before.index || device < before.device {
            return Err(format!(
                "index {} (device {}) comes after index {} (line {}): records are in device \
                 order, so this one was moved or repeated",
                record.index, record.device, before.index, before.line
            ));
        }
    }
    Ok(Previous {
        index: record.index,
        device,
        line,
    })
}

/// Verifies a whole records file against the vault's key `signer`: every record whole,
/// signed and in device order, at least one of them, and `expected` of them when given.
pub fn verify_records(
    mut reader: impl BufRead,
    crypto: &Crypto,
    signer: &PublicKey,
    expected: Option<u64>,
) -> Result<RecordsSummary, RecordsError> {
    let mut previous = None;
    let mut records = 0u64;
    let mut raw = Vec::new();
    loop {
        raw.clear();
        let read = (&mut reader)
            .take(MAX_RECORD_BYTES + 1)
            .read_until(b'\n', &mut raw)?;
        if read == 0 {
            break;
        }
        let line = records + 1;
        if raw.len() as u64 > MAX_RECORD_BYTES {
            return Err(RecordsError::NotRecords {
                line,
                reason: format!("is longer than the {MAX_RECORD_BYTES} bytes any record takes"),
            });
        }
        let text = std::str::from_utf8(&raw).ok();
        if line == 1 && !text.is_some_and(|t| t.starts_with(RECORD_START)) {
            return Err(RecordsError::NotRecords {
                line,
                reason: format!("does not begin `{RECORD_START}` as every device record does"),
            });
        }
        let broken = |reason: String| RecordsError::Broken(RecordBreak { line, reason });
        let Some(text) = text else {
            return Err(broken("not UTF-8 text".to_owned()));
        };
        let Some(text) = text.strip_suffix('\n') else {
            return Err(broken(
                "the last line is not terminated: the file was cut mid-record".to_owned(),
            ));
        };
        previous = Some(check_line(crypto, signer, text, line, previous).map_err(broken)?);
        records = line;
    }
    if records == 0 {
        return Err(RecordBreak {
            line: 1,
            reason: "the file holds no record, so it vouches for no device".to_owned(),
        }
        .into());
    }
    if let Some(expected) = expected
        && expected != records
    {
        return Err(RecordBreak {
            line: records + 1,
            reason: format!(
                "the file holds {records} record(s), {expected} expected: {}",
                if records < expected {
                    "records were deleted"
                } else {
                    "records were added"
                }
            ),
        }
        .into());
    }
    Ok(RecordsSummary { records })
}

#[cfg(test)]
#[path = "record_verify_tests.rs"]
mod tests;
