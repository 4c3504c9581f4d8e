//! Checking an `audit.jsonl` as an auditor would, from its bytes alone: every line well
//! formed, numbered in order, hashing to the hash it states over its own prefix, and
//! naming the previous line's hash; optionally ending at a known head, which is what
//! catches a log cut short.

use super::HASH_FIELD;
use provsim_sim::crypto::Sha256;
use provsim_sim::{Digest, to_hex};
use serde::Deserialize;
use std::io::BufRead;

/// An intact log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSummary {
    pub records: u64,
    /// The last record's hash (zeros for an empty log).
    pub head: Digest,
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

/// Checks one line against the previous head; returns its hash.
fn check_line(raw: &[u8], index: u64, prev: &Digest) -> Result<Digest, String> {
    let text = std::str::from_utf8(raw).map_err(|_| "not UTF-8 text".to_owned())?;
    let record: Record =
        serde_json::from_str(text).map_err(|e| format!("not a well-formed record: {e}"))?;
    let cut = text
        .rfind(HASH_FIELD)
        .ok_or_else(|| "the hash is not the last field".to_owned())?;
    let stated = hex32(&record.hash).ok_or("`hash` is not 64 lowercase hex digits")?;
    if text.get(cut..) != Some(&format!("{HASH_FIELD}{}\"}}", record.hash)[..]) {
        return Err("the line does not end with its hash".to_owned());
    }
    if record.seq != index {
        return Err(format!("numbered {}, expected {index}", record.seq));
    }
    if hex32(&record.prev) != Some(prev.0) {
        return Err(format!(
            "`prev` is {}, but the previous record hashes to {}",
            record.prev,
            to_hex(&prev.0)
        ));
    }
    let computed = Sha256::digest(&raw[..cut]);
    if computed != stated {
        return Err(format!(
            "its bytes hash to {}, not to the {} it states: the record was altered",
            to_hex(&computed),
            record.hash
        ));
    }
    Ok(Digest(computed))
}

/// Verifies a whole log. `expected_head`, when given (from `report.json`), must be the
/// last record's hash: without it a log cut after any record still looks intact.
pub fn verify_log(
    mut reader: impl BufRead,
    expected_head: Option<Digest>,
) -> Result<AuditSummary, AuditBreak> {
    let mut head = Digest([0; 32]);
    let mut records = 0u64;
    let mut raw = Vec::new();
    loop {
        raw.clear();
        let read = reader.read_until(b'\n', &mut raw).map_err(|e| AuditBreak {
            record: records,
            line: records + 1,
            reason: format!("unreadable: {e}"),
        })?;
        if read == 0 {
            break;
        }
        let Some(line) = raw.strip_suffix(b"\n") else {
            return Err(AuditBreak {
                record: records,
                line: records + 1,
                reason: "the last line is not terminated: the log was cut mid-record".to_owned(),
            });
        };
        head = check_line(line, records, &head).map_err(|reason| AuditBreak {
            record: records,
            line: records + 1,
            reason,
        })?;
        records += 1;
    }
    if let Some(expected) = expected_head
        && expected != head
    {
        return Err(AuditBreak {
            record: records,
            line: records + 1,
            reason: format!(
                "the log ends after {records} record(s) at head {}, but the expected head is {}: records are missing or were added",
                to_hex(&head.0),
                to_hex(&expected.0)
            ),
        });
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

    fn log(n: u64) -> (Vec<u8>, Digest) {
        let crypto = Crypto::new();
        let mut log = AuditLog::new();
        let mut bytes = Vec::new();
        for i in 0..n {
            let record = log.append(
                &crypto,
                SimTime::from_nanos(i * 10),
                "station",
                "identity-key-injected",
                Some(DeviceId(i)),
                format!("key={}", "ab".repeat(32)),
            );
            bytes.extend_from_slice(record.line.as_bytes());
            bytes.push(b'\n');
        }
        (bytes, log.head())
    }

    /// The record a byte offset falls in.
    fn record_at(bytes: &[u8], offset: usize) -> u64 {
        bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64
    }

    #[test]
    fn an_intact_log_verifies_with_and_without_its_head() {
        let (bytes, head) = log(4);
        let summary = verify_log(&bytes[..], Some(head)).unwrap();
        assert_eq!(summary, AuditSummary { records: 4, head });
        assert_eq!(verify_log(&bytes[..], None).unwrap().records, 4);
        assert_eq!(
            verify_log(&b""[..], Some(Digest([0; 32]))).unwrap().records,
            0
        );
    }

    #[test]
    fn every_altered_byte_is_caught_at_its_record() {
        let (bytes, head) = log(3);
        for offset in 0..bytes.len() {
            for flip in [0x01u8, 0x20, 0x80] {
                let mut altered = bytes.clone();
                altered[offset] ^= flip;
                let broken = verify_log(&altered[..], Some(head))
                    .expect_err(&format!("byte {offset} ^ {flip:#x} went unnoticed"));
                assert_eq!(
                    broken.record,
                    record_at(&bytes, offset),
                    "byte {offset} ^ {flip:#x}: {broken}"
                );
            }
        }
    }

    #[test]
    fn a_cut_or_reordered_log_is_caught() {
        let (bytes, head) = log(3);
        let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
        let cut: Vec<u8> = lines[..2].concat();
        let broken = verify_log(&cut[..], Some(head)).unwrap_err();
        assert_eq!(broken.record, 2);
        assert!(broken.reason.contains("records are missing"), "{broken}");
        // Without the head, a cut at a line boundary cannot be seen; mid-line it can.
        assert!(verify_log(&cut[..], None).is_ok());
        let mid = &bytes[..bytes.len() - 5];
        assert_eq!(verify_log(mid, None).unwrap_err().record, 2);
        let swapped: Vec<u8> = [lines[1], lines[0], lines[2]].concat();
        assert_eq!(verify_log(&swapped[..], None).unwrap_err().record, 0);
        let dropped_middle: Vec<u8> = [lines[0], lines[2]].concat();
        assert_eq!(verify_log(&dropped_middle[..], None).unwrap_err().record, 1);
    }

    #[test]
    fn heads_parse_from_hex() {
        let (_, head) = log(1);
        assert_eq!(parse_head(&to_hex(&head.0)), Some(head));
        assert_eq!(parse_head(&to_hex(&head.0).to_uppercase()), Some(head));
        assert_eq!(parse_head("abc"), None);
    }
}
