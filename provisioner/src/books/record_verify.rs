//! Checking a whole `records.jsonl` as the customer would, from its bytes and the
//! vault's public key alone: every line a whole record with exactly the record's fields,
//! signed (low-S) by the vault over its bytes before the signature, the records in
//! device order (each index and device id after the one before, so none is repeated or
//! moved), and last the signed closing record, whose count and chain must be those of
//! the records before it, and whose run id, when the customer names a run, that run's.
//!
//! A record that was deleted leaves no trace at its place: the line ships no record for
//! a device it rejected, so index 3 after index 1 is what a rejected device 2 looks like
//! too. The closing record's count catches it, wherever it was, and its chain catches a
//! record swapped for another signed by the same key (another run's); a file without
//! it was cut. The count from the run's report (`devices.count`), when given, is checked
//! too.
//!
//! Read a line at a time, each line bounded, in constant memory whatever the file's size.

use crate::books::audit::verify::MAX_RECORD_BYTES;
use crate::books::record::{ParsedRecord, verify_record};
use crate::books::record_closing::{
    RECORDS_CLOSING_START, RecordsChain, VerifiedRecordsClosing, verify_records_closing,
};
use provsim_sim::crypto::{Crypto, PublicKey};
use provsim_sim::to_hex;
use std::io::{BufRead, Read};

/// How every record's line begins: a file whose first line does not is not a records
/// file at all.
const RECORD_START: &str = "{\"device\":\"";

/// An intact records file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordsSummary {
    pub records: u64,
    /// The run its closing record names.
    pub run: [u8; 32],
}

/// What the customer expects of a records file beyond its own signatures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordsExpected {
    /// How many records (`devices.count` in the run's report.json).
    pub records: Option<u64>,
    /// The run they come from (`run_id` in report.json).
    pub run: Option<[u8; 32]>,
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

/// Checks the closing record at line `line`, `chain` being the records before it.
fn check_closing(
    crypto: &Crypto,
    signer: &PublicKey,
    text: &str,
    chain: &RecordsChain,
    expected: RecordsExpected,
) -> Result<VerifiedRecordsClosing, String> {
    let closing = verify_records_closing(crypto, text, signer)
        .map_err(|e| format!("the closing record: {e}"))?;
    let read = chain.count();
    if closing.records > read {
        return Err(format!(
            "the closing record signs {} record(s), but {read} precede it: {} record(s) were \
             deleted (the records cannot say which: indices also skip where the line \
             rejected a device)",
            closing.records,
            closing.records - read
        ));
    }
    if closing.records < read {
        return Err(format!(
            "the closing record signs {} record(s), but {read} precede it: {} record(s) were \
             added",
            closing.records,
            read - closing.records
        ));
    }
    if closing.chain != chain.head() {
        return Err(format!(
            "the {read} record(s) before it are not the ones the closing record signs \
             (their chain differs): a record was replaced by another signed by the same \
             key, from another run or an altered one"
        ));
    }
    if let Some(run) = expected.run
        && run != closing.run
    {
        return Err(format!(
            "the closing record names run {}, not run {}: these are another run's records",
            to_hex(&closing.run),
            to_hex(&run)
        ));
    }
    Ok(closing)
}

/// The file's state as it is read.
struct Reading {
    previous: Option<Previous>,
    chain: RecordsChain,
    /// The closing record's line and what it says, once read.
    closing: Option<(u64, VerifiedRecordsClosing)>,
}

/// Verifies a whole records file against the vault's key `signer`: every record whole,
/// signed and in device order, then the closing record signing their count and chain,
/// naming `expected.run` when given; and `expected.records` of them when given.
pub fn verify_records(
    mut reader: impl BufRead,
    crypto: &Crypto,
    signer: &PublicKey,
    expected: RecordsExpected,
) -> Result<RecordsSummary, RecordsError> {
    let mut state = Reading {
        previous: None,
        chain: RecordsChain::new(),
        closing: None,
    };
    let mut lines = 0u64;
    let mut raw = Vec::new();
    loop {
        raw.clear();
        let read = (&mut reader)
            .take(MAX_RECORD_BYTES + 1)
            .read_until(b'\n', &mut raw)?;
        if read == 0 {
            break;
        }
        lines += 1;
        let line = lines;
        if raw.len() as u64 > MAX_RECORD_BYTES {
            return Err(RecordsError::NotRecords {
                line,
                reason: format!("is longer than the {MAX_RECORD_BYTES} bytes any record takes"),
            });
        }
        // The bytes, not the text: a line that begins as a record and breaks later is a
        // broken record, not some other file.
        if line == 1
            && !raw.starts_with(RECORD_START.as_bytes())
            && !raw.starts_with(RECORDS_CLOSING_START.as_bytes())
        {
            return Err(RecordsError::NotRecords {
                line,
                reason: format!("does not begin `{RECORD_START}` as every device record does"),
            });
        }
        check_raw(crypto, signer, &raw, line, &mut state, expected)
            .map_err(|reason| RecordBreak { line, reason })?;
    }
    let Some((_, closing)) = state.closing else {
        return Err(RecordBreak {
            line: lines + 1,
            reason: format!(
                "the file ends without its closing record after {} record(s): it was cut, \
                 and records after the last may be missing",
                state.chain.count()
            ),
        }
        .into());
    };
    let records = closing.records;
    if let Some(expected) = expected.records
        && expected != records
    {
        return Err(RecordBreak {
            // The first surplus record, or the closing record where records are missing.
            line: records.min(expected) + 1,
            reason: format!(
                "the file holds {records} record(s), {expected} expected: {}",
                if records < expected {
                    "records were deleted, and the closing record signed again"
                } else {
                    "records were added"
                }
            ),
        }
        .into());
    }
    Ok(RecordsSummary {
        records,
        run: closing.run,
    })
}

/// Checks the `line`-th line's bytes (with their line break) after `state`.
fn check_raw(
    crypto: &Crypto,
    signer: &PublicKey,
    raw: &[u8],
    line: u64,
    state: &mut Reading,
    expected: RecordsExpected,
) -> Result<(), String> {
    if let Some((closing, _)) = state.closing {
        return Err(format!(
            "a line after the closing record (line {closing}): the closing record is the \
             last line, so this was added"
        ));
    }
    let text = std::str::from_utf8(raw).map_err(|_| "not UTF-8 text: not a record".to_owned())?;
    let text = text
        .strip_suffix('\n')
        .ok_or("the last line is not terminated: the file was cut mid-record")?;
    if text.starts_with(RECORDS_CLOSING_START) {
        let closing = check_closing(crypto, signer, text, &state.chain, expected)?;
        state.closing = Some((line, closing));
        return Ok(());
    }
    state.previous = Some(check_line(crypto, signer, text, line, state.previous)?);
    state.chain.push(crypto, text);
    Ok(())
}

#[cfg(test)]
#[path = "record_verify_tests.rs"]
mod tests;
