//! Checking an `audit.jsonl` as an auditor would, from its bytes alone: every line well
//! formed, numbered in order, hashing to the hash it states over its own prefix, and
//! naming the previous line's hash; optionally ending at a known head, which is what
//! catches a log cut short, and opening with the run it is expected to be.
//!
//! The chain alone is keyed by nothing: whoever rewrites a record and re-hashes every
//! line after it has an intact chain. Given the vault's key (the signer), every
//! checkpoint and the closing record must state the head the chain really has there,
//! signed by the vault, so a rewrite shows at the first signed record after it. The
//! verifier can then vouch only for the records up to the last checkpoint that held
//! (its own line included: every field of it is fixed by signed data): whatever breaks
//! after it, it names the record after it as the first that cannot be trusted.
//!
//! The vault's key is the same for every run at a seed, so a signed log proves it is
//! the vault's, not whose run it is: record 0 (`run-opened`, `run=<hex>`) names the
//! run, and `run`, when given (the report's `run_id`), must be the one it names.

use crate::books::audit::checkpoint::{
    self, CHECKPOINT_ACTION, SignedLine, Stamp, Vouch, closing_count,
};
use crate::books::audit::record::{CLOSING_ACTION, HASH_FIELD, RUN_OPENED_ACTION};
use provsim_sim::crypto::{Crypto, PublicKey, Sha256};
use provsim_sim::{Digest, from_hex32, to_hex};
use serde::Deserialize;
use std::io::{BufRead, Read};

/// No record the line writes comes near this (they are a few hundred bytes); a longer
/// line is not a record, and reading on would let a file with no newline (a gigabyte of
/// zeros) take all memory.
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

/// The fields that chain a record to the one before it, as every record writes them.
const CHAIN_FIELDS: [&[u8]; 2] = [b"\"prev\":\"", b"\"hash\":\""];

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// An intact log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSummary {
    pub records: u64,
    /// The last record's hash (zeros for an empty log).
    pub head: Digest,
    /// Checkpoints whose signature was verified (0 when no signer was given).
    pub checkpoints: u64,
    /// The run record 0 names (`run-opened`), if it is that record.
    pub run: Option<Digest>,
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
    /// The first line is not an audit record at all.
    #[error("its first line has no `prev` or `hash` field, as every record has: not an audit log")]
    NotAnAuditLog,
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

fn broken(record: u64, reason: String) -> AuditBreak {
    AuditBreak {
        record,
        line: record + 1,
        reason,
    }
}

/// The fields a record must have, and no others.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
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

/// Parses a head (or a run id) given on the command line (64 lowercase or uppercase
/// hex digits).
pub fn parse_head(text: &str) -> Option<Digest> {
    from_hex32(&text.to_ascii_lowercase()).map(Digest)
}

/// What a checked line says.
struct Checked {
    hash: Digest,
    /// The kind of signed statement it makes, if any.
    vouch: Option<Vouch>,
    record: Record,
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
    let stated = from_hex32(&record.hash)
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
    if from_hex32(&record.prev) != Some(prev.0) {
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
        record,
    })
}

/// The run record 0 names: `run-opened` by the site, on no device, detail `run=<hex>`.
fn run_named(record: &Record) -> Option<Digest> {
    if record.action != RUN_OPENED_ACTION || record.actor != "site" || record.device.is_some() {
        return None;
    }
    from_hex32(record.detail.strip_prefix("run=")?).map(Digest)
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
    /// Checks the signed record of kind `vouch` at `index`, the chain head before it
    /// being `prev`. On failure, the break is at the first record the signer no longer
    /// vouches for: the record itself when only its own line is wrong.
    fn check(
        &mut self,
        vouch: Vouch,
        index: u64,
        record: &Record,
        prev: &Digest,
    ) -> Result<(), AuditBreak> {
        let records = match vouch {
            Vouch::Checkpoint => index,
            Vouch::Closing => index + 1,
        };
        let line = SignedLine {
            stamp: Stamp {
                seq: record.seq,
                at_ns: record.at_ns,
            },
            actor: &record.actor,
            device: record.device.as_deref(),
            detail: &record.detail,
        };
        if let Err(refusal) = checkpoint::check(&self.crypto, self.key, vouch, line, records, prev)
        {
            if refusal.signed {
                // The statement is the vault's: every record before this one holds.
                self.from = index;
            }
            let rewritten = if self.from < index {
                format!(
                    ", so a record from {} to {} may have been rewritten and the log re-hashed",
                    self.from,
                    index - 1
                )
            } else {
                String::new()
            };
            return Err(broken(
                self.from,
                format!(
                    "the signer vouches for no record from here on: {} at record {index} (line {}) {}{rewritten}",
                    vouch.name(),
                    index + 1,
                    refusal.why,
                ),
            ));
        }
        // Every field of its line is fixed by signed data: it holds too.
        self.from = index + 1;
        if vouch == Vouch::Checkpoint {
            self.checkpoints += 1;
        }
        Ok(())
    }

    /// A break the chain shows at `record`, as the signer sees it: the records from
    /// the first one no checkpoint vouches for are all untrusted, so that one is named.
    fn blame(&self, at: AuditBreak) -> AuditBreak {
        if self.from >= at.record {
            return at;
        }
        broken(
            self.from,
            format!(
                "the signer vouches for no record from here on: the chain breaks at record {} (line {}): {}",
                at.record, at.line, at.reason
            ),
        )
    }
}

/// What a log must be, beyond whole and chained.
struct Expected<'k> {
    head: Option<Digest>,
    run: Option<Digest>,
    vouched: Option<Vouched<'k>>,
}

impl Expected<'_> {
    /// Checks record 0: the run it names must be the run given, and with a signer it
    /// must name one (every log provsim writes opens with it).
    fn check_opening(&self, record: &Record) -> Result<Option<Digest>, AuditBreak> {
        let named = run_named(record);
        match (named, self.run) {
            (Some(named), Some(run)) if named != run => Err(broken(
                0,
                format!(
                    "the log opens run {}, not the run {} given: it is another run's log",
                    to_hex(&named.0),
                    to_hex(&run.0)
                ),
            )),
            (None, Some(run)) => Err(broken(
                0,
                format!(
                    "not a `{RUN_OPENED_ACTION}` record naming a run: the log cannot be tied to the run {} given",
                    to_hex(&run.0)
                ),
            )),
            (None, None) if self.vouched.is_some() => Err(broken(
                0,
                format!(
                    "not a `{RUN_OPENED_ACTION}` record naming the run: every log provsim writes opens with one"
                ),
            )),
            _ => Ok(named),
        }
    }

    /// A break found by the chain, blamed as the signer (if any) sees it.
    fn blame(&self, at: AuditBreak) -> AuditError {
        match &self.vouched {
            Some(vouched) => vouched.blame(at).into(),
            None => at.into(),
        }
    }
}

/// Verifies a whole log: every record whole and chained, ending with the closing
/// record the line writes last. `expected_head`, when given (from `report.json`), must
/// be the last record's hash: that also catches a log cut and closed again by hand.
/// `signer`, when given (the vault's key, from `pki/vault-certificate.pem`), must have
/// signed every checkpoint and the closing record, each over the head the chain has
/// there: that catches a log rewritten and re-hashed, without the report. `run`, when
/// given (the report's `run_id`), must be the run record 0 opens.
pub fn verify_log(
    mut reader: impl BufRead,
    expected_head: Option<Digest>,
    signer: Option<&PublicKey>,
    run: Option<Digest>,
) -> Result<AuditSummary, AuditError> {
    let mut expected = Expected {
        head: expected_head,
        run,
        vouched: signer.map(|key| Vouched {
            crypto: Crypto::new(),
            key,
            from: 0,
            checkpoints: 0,
        }),
    };
    let mut head = Digest([0; 32]);
    let mut records = 0u64;
    let mut closed = false;
    let mut named = None;
    let mut raw = Vec::new();
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
        // A first line with neither of a record's chain fields is no record, altered or
        // not (one changed byte cannot remove both): the file is another kind (a
        // manifest, a report, a PEM), so there is no verdict on a log.
        if records == 0 && !CHAIN_FIELDS.iter().any(|field| contains(&raw, field)) {
            return Err(AuditError::NotAnAuditLog);
        }
        let Some(line) = raw.strip_suffix(b"\n") else {
            let cut = "the last line is not terminated: the log was cut mid-record";
            return Err(expected.blame(broken(records, cut.to_owned())));
        };
        if closed {
            let after = "written after the log was closed".to_owned();
            return Err(expected.blame(broken(records, after)));
        }
        let checked = match check_line(line, records, &head) {
            Ok(checked) => checked,
            Err(LineFault::Here(reason)) => return Err(expected.blame(broken(records, reason))),
            Err(LineFault::Before(reason)) => {
                return Err(expected.blame(broken(records.saturating_sub(1), reason)));
            }
        };
        if records == 0 {
            named = expected.check_opening(&checked.record)?;
        }
        if let (Some(vouch), Some(vouched)) = (checked.vouch, expected.vouched.as_mut()) {
            vouched.check(vouch, records, &checked.record, &head)?;
        }
        head = checked.hash;
        records += 1;
        if checked.vouch == Some(Vouch::Closing) {
            match closing_count(&checked.record.detail) {
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
        let cut = format!(
            "the log ends after {records} record(s) without its closing record: it was cut"
        );
        return Err(expected.blame(broken(records, cut)));
    }
    if let Some(want) = expected.head
        && want != head
    {
        return Err(broken(
            records.saturating_sub(1),
            format!(
                "the log ends at head {}, but the expected head is {}: the closing record was rewritten, or the log was cut or extended and closed again",
                to_hex(&head.0),
                to_hex(&want.0)
            ),
        )
        .into());
    }
    Ok(AuditSummary {
        records,
        head,
        checkpoints: expected.vouched.map_or(0, |v| v.checkpoints),
        run: named,
    })
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
