//! Checking an `audit.jsonl` as an auditor would, from its bytes alone: every line well
//! formed, numbered in order, hashing to the hash it states over its own prefix, and
//! naming the previous line's hash; optionally ending at a known head, which is what
//! catches a log cut short.
//!
//! The chain alone is keyed by nothing: whoever rewrites a record and re-hashes every
//! line after it has an intact chain. Given the vault's key (the signer), every
//! checkpoint and the closing record must state the head the chain really has there,
//! signed by the vault, so a rewrite shows at the first signed record after it. The
//! verifier can then vouch only for the records up to the last checkpoint that held:
//! it names the record after it as the first that cannot be trusted.

use crate::books::audit::checkpoint::{self, CHECKPOINT_ACTION, Vouch, closing_count};
use crate::books::audit::record::{CLOSING_ACTION, HASH_FIELD};
use provsim_sim::crypto::{Crypto, PublicKey, Sha256};
use provsim_sim::{Digest, to_hex};
use serde::Deserialize;
use std::io::{BufRead, Read};

/// No record the line writes comes near this (they are a few hundred bytes); a longer
/// line is not a record, and reading on would let a file with no newline (a gigabyte of
/// zeros) take all memory.
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

/// An intact log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSummary {
    pub records: u64,
    /// The last record's hash (zeros for an empty log).
    pub head: Digest,
    /// Checkpoints whose signature was verified (0 when no signer was given).
    pub checkpoints: u64,
}

/// Why a log could not be verified.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The file could not be read: no verdict on the log.
    #[error("unreadable: {0}")]
    Io(#[from] std::io::Error),
    /// The log is not intact.
    #[error(transparent)]
    Broken(#[from] AuditBreak),
    /// The file is not an audit log at all: no verdict on a log.
    #[error(
        "line {line} is longer than the {MAX_RECORD_BYTES} bytes any record takes: not an audit log"
    )]
    NotALog { line: u64 },
}

/// Where the log stops being trustworthy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("record {record} (line {line}): {reason}")]
pub struct AuditBreak {
    /// The first bad record, counted from 0 (its `seq` if it were intact).
    pub record: u64,
    /// Its line in the file, from 1.
    pub line: u64,
    pub reason: String,
}

/// The fields a record must have, and no others.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // every field is checked for presence and type; some only that
struct Record {
    seq: u64,
    at_ns: u64,
    actor: String,
    action: String,
    device: Option<String>,
    detail: String,
    prev: String,
    hash: String,
}

fn hex32(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Parses a head given on the command line (64 lowercase or uppercase hex digits).
pub fn parse_head(text: &str) -> Option<Digest> {
    hex32(&text.to_ascii_lowercase()).map(Digest)
}

/// What a checked line says.
struct Checked {
    hash: Digest,
    /// The kind of signed statement it makes, if any.
    vouch: Option<Vouch>,
    detail: String,
}

/// Why a line failed, and whether the fault lies with the record before it.
enum LineFault {
    Here(String),
    Before(String),
}

/// Checks one line against the previous head; returns its hash.
fn check_line(raw: &[u8], index: u64, prev: &Digest) -> Result<Checked, LineFault> {
    use LineFault::Here;
    let text = std::str::from_utf8(raw).map_err(|_| Here("not UTF-8 text".to_owned()))?;
    let record: Record =
        serde_json::from_str(text).map_err(|e| Here(format!("not a well-formed record: {e}")))?;
    let cut = text
        .rfind(HASH_FIELD)
        .ok_or_else(|| Here("the hash is not the last field".to_owned()))?;
    let stated = hex32(&record.hash)
        .ok_or_else(|| Here("`hash` is not 64 lowercase hex digits".to_owned()))?;
    if text.get(cut..) != Some(&format!("{HASH_FIELD}{}\"}}", record.hash)[..]) {
        return Err(Here("the line does not end with its hash".to_owned()));
    }
    let computed = Sha256::digest(&raw[..cut]);
    if computed != stated {
        return Err(Here(format!(
            "its bytes hash to {}, not to the {} it states: the record was altered",
            to_hex(&computed),
            record.hash
        )));
    }
    if record.seq != index {
        return Err(Here(format!("numbered {}, expected {index}", record.seq)));
    }
    if hex32(&record.prev) != Some(prev.0) {
        // This record is whole, so the break is the one before it: rewritten and
        // re-hashed (or this record's `prev` rewritten with it).
        return Err(LineFault::Before(format!(
            "rewritten: it hashes to {}, but the next record's `prev` is {}",
            to_hex(&prev.0),
            record.prev
        )));
    }
    let vouch = match record.action.as_str() {
        CHECKPOINT_ACTION => Some(Vouch::Checkpoint),
        CLOSING_ACTION => Some(Vouch::Closing),
        _ => None,
    };
    Ok(Checked {
        hash: Digest(computed),
        vouch,
        detail: record.detail,
    })
}

/// The signer's side of a verification: its key, and how far it has vouched.
struct Vouched<'k> {
    crypto: Crypto,
    key: &'k PublicKey,
    /// The first record no checkpoint that held vouches for.
    from: u64,
    checkpoints: u64,
}

impl Vouched<'_> {
    /// Checks the signed statement of kind `vouch` made by record `index` (`detail`),
    /// the chain head before it being `prev`. On failure, the break is at the first
    /// record the signer no longer vouches for.
    fn check(
        &mut self,
        vouch: Vouch,
        index: u64,
        detail: &str,
        prev: &Digest,
    ) -> Result<(), AuditBreak> {
        let records = match vouch {
            Vouch::Checkpoint => index,
            Vouch::Closing => index + 1,
        };
        checkpoint::check(&self.crypto, self.key, vouch, detail, records, prev).map_err(
            |why| AuditBreak {
                record: self.from,
                line: self.from + 1,
                reason: format!(
                    "the signer vouches for no record from here on: {} at record {index} (line {}) {why}{}",
                    vouch.name(),
                    index + 1,
                    if self.from < index {
                        format!(
                            ", so a record from {} to {} may have been rewritten and the log re-hashed",
                            self.from,
                            index - 1
                        )
                    } else {
                        String::new()
                    }
                ),
            },
        )?;
        self.from = index + 1;
        if vouch == Vouch::Checkpoint {
            self.checkpoints += 1;
        }
        Ok(())
    }
}

/// Verifies a whole log: every record whole and chained, ending with the closing
/// record the line writes last. `expected_head`, when given (from `report.json`), must
/// be the last record's hash: that also catches a log cut and closed again by hand.
/// `signer`, when given (the vault's key, from `pki/vault-certificate.pem`), must have
/// signed every checkpoint and the closing record, each over the head the chain has
/// there: that catches a log rewritten and re-hashed, without the report.
pub fn verify_log(
    mut reader: impl BufRead,
    expected_head: Option<Digest>,
    signer: Option<&PublicKey>,
) -> Result<AuditSummary, AuditError> {
    let mut head = Digest([0; 32]);
    let mut records = 0u64;
    let mut closed = false;
    let mut raw = Vec::new();
    let mut vouched = signer.map(|key| Vouched {
        crypto: Crypto::new(),
        key,
        from: 0,
        checkpoints: 0,
    });
    let broken = |record: u64, reason: String| AuditBreak {
        record,
        line: record + 1,
        reason,
    };
    loop {
        raw.clear();
        if (&mut reader)
            .take(MAX_RECORD_BYTES + 1)
            .read_until(b'\n', &mut raw)?
            == 0
        {
            break;
        }
        if raw.len() as u64 > MAX_RECORD_BYTES {
            return Err(AuditError::NotALog { line: records + 1 });
        }
        let Some(line) = raw.strip_suffix(b"\n") else {
            return Err(broken(
                records,
                "the last line is not terminated: the log was cut mid-record".to_owned(),
            )
            .into());
        };
        if closed {
            return Err(broken(records, "written after the log was closed".to_owned()).into());
        }
        let checked = match check_line(line, records, &head) {
            Ok(checked) => checked,
            Err(LineFault::Here(reason)) => return Err(broken(records, reason).into()),
            Err(LineFault::Before(reason)) => {
                return Err(broken(records.saturating_sub(1), reason).into());
            }
        };
        if let (Some(vouch), Some(vouched)) = (checked.vouch, vouched.as_mut()) {
            vouched.check(vouch, records, &checked.detail, &head)?;
        }
        head = checked.hash;
        records += 1;
        if checked.vouch == Some(Vouch::Closing) {
            match closing_count(&checked.detail) {
                Some(n) if n == records => closed = true,
                n => {
                    return Err(broken(
                        records - 1,
                        format!(
                            "the closing record counts {} record(s), the log has {records}",
                            n.map_or_else(|| "no".to_owned(), |n| n.to_string())
                        ),
                    )
                    .into());
                }
            }
        }
    }
    if !closed {
        return Err(broken(
            records,
            format!(
                "the log ends after {records} record(s) without its closing record: it was cut"
            ),
        )
        .into());
    }
    if let Some(expected) = expected_head
        && expected != head
    {
        return Err(broken(
            records.saturating_sub(1),
            format!(
                "the log ends at head {}, but the expected head is {}: the closing record was rewritten, or the log was cut or extended and closed again",
                to_hex(&head.0),
                to_hex(&expected.0)
            ),
        )
        .into());
    }
    Ok(AuditSummary {
        records,
        head,
        checkpoints: vouched.map_or(0, |v| v.checkpoints),
    })
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
