//! The records file's closing record: the last line of `records.jsonl`, signed by the
//! vault like a record, stating how many records precede it, a SHA-256 chain over their
//! lines in order, and the run they came from:
//!
//! ```text
//! {"closing":"records","records":20,"chain":"<64 hex>","run":"<64 hex>","closed_at_ns":…,"signer":"<40 hex>","signature":"<DER, hex>"}
//! ```
//!
//! The chain starts at 32 zero bytes and takes in each record's line (its bytes without
//! the line break): `head = SHA-256(head ‖ line)`. Record indices skip wherever the line
//! rejected a device, so the records alone cannot show one deleted; the signed count and
//! chain do, and the run id ties the file to one run, so records from another run
//! signed by the same vault key are not taken for this one's.
//!
//! The line begins `{"closing":"records"`, never `{"device":"` as every record does, so
//! neither passes for the other and the first bytes still tell a records file from any
//! other. Like a record, the signature (low-S, lowercase hex) covers the line's bytes
//! before `,"signature":"`.

use crate::books::record::{SIGNATURE_FIELD, check_signature};
use provsim_sim::crypto::{Crypto, PublicKey, Signature};
use provsim_sim::to_hex;
use serde::Deserialize;

/// How the closing record's line begins.
pub const RECORDS_CLOSING_START: &str = "{\"closing\":\"records\"";

/// The running chain over the records written (or read) so far, and their count: all a
/// writer or a checker keeps of the file, whatever the size of the lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordsChain {
    records: u64,
    head: [u8; 32],
}

impl Default for RecordsChain {
    fn default() -> Self {
        RecordsChain::new()
    }
}

impl RecordsChain {
    /// No record yet: the head is 32 zero bytes.
    pub fn new() -> RecordsChain {
        RecordsChain {
            records: 0,
            head: [0; 32],
        }
    }

    pub fn records(&self) -> u64 {
        self.records
    }

    pub fn head(&self) -> [u8; 32] {
        self.head
    }

    /// Takes in the next record, by its line (without the line break).
    pub fn push(&mut self, crypto: &Crypto, line: &str) {
        let mut link = Vec::with_capacity(32 + line.len());
        link.extend_from_slice(&self.head);
        link.extend_from_slice(line.as_bytes());
        self.head = crypto.sha256(&link);
        self.records += 1;
    }
}

/// The closing record of the records in `chain`, of run `run`, signed at `closed_at_ns`
/// of virtual time by the vault key with id `signer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordsClosing {
    pub chain: RecordsChain,
    pub run: [u8; 32],
    pub closed_at_ns: u64,
    pub signer: [u8; 20],
}

impl RecordsClosing {
    /// The signed prefix: every field but the signature, in a fixed order.
    pub fn prefix(&self) -> String {
        format!(
            "{RECORDS_CLOSING_START},\"records\":{},\"chain\":\"{}\",\"run\":\"{}\",\"closed_at_ns\":{},\"signer\":\"{}\"",
            self.chain.records,
            to_hex(&self.chain.head),
            to_hex(&self.run),
            self.closed_at_ns,
            to_hex(&self.signer),
        )
    }

    /// The finished line, with the low-S `signature` over [`RecordsClosing::prefix`].
    pub fn line(&self, signature: &Signature) -> String {
        format!(
            "{}{SIGNATURE_FIELD}{}\"}}",
            self.prefix(),
            to_hex(signature.as_der())
        )
    }
}

/// The closing record's fields, and no others.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParsedClosing {
    closing: String,
    records: u64,
    chain: String,
    run: String,
    closed_at_ns: u64,
    signer: String,
    signature: String,
}

/// What a verified closing record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedRecordsClosing {
    pub records: u64,
    pub chain: [u8; 32],
    pub run: [u8; 32],
}

/// 64 lowercase hex digits, as 32 bytes.
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

/// Checks a closing record's line against the vault's key: its fields, written the one
/// way the vault writes them, and a low-S signature over its prefix.
pub fn verify_records_closing(
    crypto: &Crypto,
    line: &str,
    vault: &PublicKey,
) -> Result<VerifiedRecordsClosing, String> {
    let parsed: ParsedClosing =
        serde_json::from_str(line).map_err(|e| format!("not a well-formed closing record: {e}"))?;
    if parsed.closing != "records" {
        return Err("a closing record of something other than records".to_owned());
    }
    let chain = hex32(&parsed.chain).ok_or("`chain` is not 64 lowercase hex digits")?;
    let run = hex32(&parsed.run).ok_or("`run` is not 64 lowercase hex digits")?;
    if parsed.signer != to_hex(&vault.fingerprint().key_id()) {
        return Err(format!(
            "it names signer key {}, not the key given ({}): not by the vault given, or the --signer is another key",
            parsed.signer,
            to_hex(&vault.fingerprint().key_id())
        ));
    }
    let signer = vault.fingerprint().key_id();
    // Written the one way the vault writes it: the same values in any other spelling
    // are not its line.
    let written = RecordsClosing {
        chain: RecordsChain {
            records: parsed.records,
            head: chain,
        },
        run,
        closed_at_ns: parsed.closed_at_ns,
        signer,
    };
    let prefix = written.prefix();
    if line.get(..prefix.len()) != Some(&prefix[..])
        || line.get(prefix.len()..)
            != Some(&format!("{SIGNATURE_FIELD}{}\"}}", parsed.signature)[..])
    {
        return Err("the closing record is not written as the vault writes it".to_owned());
    }
    check_signature(crypto, vault, prefix.as_bytes(), &parsed.signature)?;
    Ok(VerifiedRecordsClosing {
        records: parsed.records,
        chain,
        run,
    })
}
