//! Checking an `audit.jsonl` as an auditor would, from its bytes alone: every line well
//! formed, numbered in order, hashing to the hash it states over its own prefix, and
//! naming the previous line's hash; optionally ending at a known head, which is what
//! catches a log cut short.

use crate::books::audit::record::{CLOSING_ACTION, HASH_FIELD};
use provsim_sim::crypto::Sha256;
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
    /// `records=N` of an `audit-closed` record.
    closes: Option<u64>,
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
    let closes = (record.action == CLOSING_ACTION)
        .then(|| {
            record
                .detail
                .strip_prefix("records=")
                .and_then(|n| n.parse().ok())
        })
        .flatten();
    Ok(Checked {
        hash: Digest(computed),
        closes,
    })
}

/// Verifies a whole log: every record whole and chained, ending with the closing
/// record the line writes last. `expected_head`, when given (from `report.json`), must
/// be the last record's hash: that also catches a log cut and closed again by hand.
pub fn verify_log(
    mut reader: impl BufRead,
    expected_head: Option<Digest>,
) -> Result<AuditSummary, AuditError> {
    let mut head = Digest([0; 32]);
    let mut records = 0u64;
    let mut closed = false;
    let mut raw = Vec::new();
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
        head = checked.hash;
        records += 1;
        match checked.closes {
            Some(n) if n == records => closed = true,
            Some(n) => {
                return Err(broken(
                    records - 1,
                    format!("the closing record counts {n} record(s), the log has {records}"),
                )
                .into());
            }
            None => {}
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
    Ok(AuditSummary { records, head })
}

#[cfg(test)]
mod tests {
    use super::super::AuditLog;
    use super::*;
    use provsim_devices::DeviceId;
    use provsim_sim::SimTime;
    use provsim_sim::crypto::Crypto;

    /// A closed log of `n` device records (n + 1 lines) and its head.
    fn log(n: u64) -> (Vec<u8>, Digest) {
        let crypto = Crypto::new();
        let mut log = AuditLog::new();
        let mut bytes = Vec::new();
        for i in 0..=n {
            let record = if i < n {
                log.append(
                    &crypto,
                    SimTime::from_nanos(i * 10),
                    "station",
                    "identity-key-injected",
                    Some(DeviceId(i)),
                    format!("key={}", "ab".repeat(32)),
                )
            } else {
                log.close(&crypto, SimTime::from_nanos(i * 10))
            };
            bytes.extend_from_slice(record.line.as_bytes());
            bytes.push(b'\n');
        }
        (bytes, log.head())
    }

    #[test]
    fn a_line_longer_than_any_record_is_not_a_log() {
        let zeros = std::io::repeat(0).take(MAX_RECORD_BYTES * 4);
        let result = verify_log(std::io::BufReader::new(zeros), None);
        assert!(
            matches!(result, Err(AuditError::NotALog { line: 1 })),
            "{result:?}"
        );
    }

    fn broken(result: Result<AuditSummary, AuditError>) -> AuditBreak {
        match result {
            Err(AuditError::Broken(b)) => b,
            other => panic!("expected a broken log, got {other:?}"),
        }
    }

    /// The record a byte offset falls in.
    fn record_at(bytes: &[u8], offset: usize) -> u64 {
        bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64
    }

    #[test]
    fn an_intact_log_verifies_with_and_without_its_head() {
        let (bytes, head) = log(4);
        let summary = verify_log(&bytes[..], Some(head)).unwrap();
        assert_eq!(summary, AuditSummary { records: 5, head });
        assert_eq!(verify_log(&bytes[..], None).unwrap().records, 5);
        // An empty file is not an intact log: it has no closing record.
        assert_eq!(broken(verify_log(&b""[..], None)).record, 0);
    }

    #[test]
    fn every_altered_byte_is_caught_at_its_record() {
        let (bytes, head) = log(3);
        for offset in 0..bytes.len() {
            for flip in [0x01u8, 0x20, 0x80] {
                let mut altered = bytes.clone();
                altered[offset] ^= flip;
                let b = broken(verify_log(&altered[..], Some(head)));
                assert_eq!(
                    b.record,
                    record_at(&bytes, offset),
                    "byte {offset} ^ {flip:#x}: {b}"
                );
            }
        }
    }

    #[test]
    fn a_cut_reordered_or_extended_log_is_caught_even_without_the_head() {
        let (bytes, head) = log(3);
        let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
        for keep in 0..lines.len() {
            let cut: Vec<u8> = lines[..keep].concat();
            let b = broken(verify_log(&cut[..], None));
            assert_eq!(b.record, keep as u64);
            assert!(b.reason.contains("without its closing record"), "{b}");
        }
        let mid = &bytes[..bytes.len() - 5];
        assert_eq!(broken(verify_log(mid, None)).record, 3);
        let swapped: Vec<u8> = [lines[1], lines[0], lines[2], lines[3]].concat();
        assert_eq!(broken(verify_log(&swapped[..], None)).record, 0);
        let dropped_middle: Vec<u8> = [lines[0], lines[2], lines[3]].concat();
        assert_eq!(broken(verify_log(&dropped_middle[..], None)).record, 1);
        let after_close: Vec<u8> = [&bytes[..], lines[0]].concat();
        assert_eq!(broken(verify_log(&after_close[..], Some(head))).record, 4);
    }

    #[test]
    fn a_record_rewritten_and_rehashed_is_named() {
        let crypto = Crypto::new();
        // Rewrite record 1 with new detail and a correct hash of its own: record 2's
        // `prev` no longer matches, and the blame goes to record 1.
        let mut log = AuditLog::new();
        let mut lines = Vec::new();
        for detail in ["a", "b", "c"] {
            lines.push(
                log.append(&crypto, SimTime::ZERO, "x", "y", None, detail.to_owned())
                    .line,
            );
        }
        lines.push(log.close(&crypto, SimTime::ZERO).line);
        let mut forged_log = AuditLog::new();
        forged_log.append(&crypto, SimTime::ZERO, "x", "y", None, "a".to_owned());
        let forged = forged_log
            .append(&crypto, SimTime::ZERO, "x", "y", None, "B".to_owned())
            .line;
        let text = format!("{}\n{forged}\n{}\n{}\n", lines[0], lines[2], lines[3]);
        let b = broken(verify_log(text.as_bytes(), None));
        assert_eq!(b.record, 1, "{b}");
        assert!(b.reason.starts_with("rewritten"), "{b}");
    }

    #[test]
    fn unreadable_input_is_not_a_verdict() {
        struct Failing;
        impl std::io::Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk on fire"))
            }
        }
        let result = verify_log(std::io::BufReader::new(Failing), None);
        assert!(matches!(result, Err(AuditError::Io(_))), "{result:?}");
    }

    #[test]
    fn heads_parse_from_hex() {
        let (_, head) = log(1);
        assert_eq!(parse_head(&to_hex(&head.0)), Some(head));
        assert_eq!(parse_head(&to_hex(&head.0).to_uppercase()), Some(head));
        assert_eq!(parse_head("abc"), None);
    }
}
