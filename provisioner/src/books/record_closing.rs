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

use crate::books::chain::LineChain;
use crate::books::record::{SIGNATURE_FIELD, check_signature};
use provsim_sim::crypto::{Crypto, PublicKey, Signature};
use provsim_sim::{from_hex32, to_hex};
use serde::Deserialize;

/// How the closing record's line begins.
pub const RECORDS_CLOSING_START: &str = "{\"closing\":\"records\"";

/// The records so far, by their lines.
pub type RecordsChain = LineChain;

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
            self.chain.count(),
            to_hex(&self.chain.head()),
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
    let chain = from_hex32(&parsed.chain).ok_or("`chain` is not 64 lowercase hex digits")?;
    let run = from_hex32(&parsed.run).ok_or("`run` is not 64 lowercase hex digits")?;
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
        chain: RecordsChain::stated(parsed.records, chain),
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
