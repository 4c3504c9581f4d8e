//! Device records: one signed line of JSON per shipped device, written as the device
//! leaves the line (`records.jsonl`). Each names the device, where and how it was
//! provisioned, and the fingerprints of what went into it, and is signed by the
//! vault's own identity key so a customer can tell records the vault wrote from
//! records anyone else wrote. Like the audit log, a record is written one fixed way
//! and its signature covers the line's bytes before `,"signature":"`: ECDSA P-256 over
//! SHA-256, DER, in lowercase hex, with `s` in the lower half of the group order (low-S,
//! the one form of each signature; the other, which verifies as well, is refused as
//! malleated).
//!
//! Every record's line begins `{"device":"`. The file ends with one more line, the
//! closing record ([`crate::books::record_closing`]), which begins
//! `{"closing":"records"`: the count of the records, a chain over their lines, and the
//! run's id, signed by the same key.

use provsim_devices::DeviceId;
use provsim_sim::crypto::{Crypto, Fingerprint, PublicKey, Signature};
use provsim_sim::to_hex;
use serde::Deserialize;

pub(crate) const SIGNATURE_FIELD: &str = ",\"signature\":\"";

/// What a record says, before it is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFields<'a> {
    pub device: DeviceId,
    pub index: u64,
    pub lot: &'a str,
    /// The wafer the die came from (`{lot}-W01`) and its site on it.
    pub wafer: &'a str,
    pub x: u32,
    pub y: u32,
    /// `wafer`, `package` or `board`: where the secrets went in.
    pub level: &'a str,
    pub tester: &'a str,
    pub life_cycle: &'a str,
    pub identity: Fingerprint,
    pub certificate_sha256: [u8; 32],
    pub firmware_sha256: [u8; 32],
    pub shipped_at_ns: u64,
    /// Key id of the vault identity key that signs.
    pub signer: [u8; 20],
}

/// A signed record as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub device: DeviceId,
    /// The line, without its newline.
    pub line: String,
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

impl RecordFields<'_> {
    /// The signed prefix: every field but the signature, in a fixed order.
    pub fn prefix(&self) -> String {
        format!(
            "{{\"device\":\"{}\",\"index\":{},\"lot\":{},\"level\":{},\"tester\":{},\"wafer\":{},\"x\":{},\"y\":{},\"life_cycle\":{},\"identity\":\"{}\",\"certificate_sha256\":\"{}\",\"firmware_sha256\":\"{}\",\"shipped_at_ns\":{},\"signer\":\"{}\"",
            self.device,
            self.index,
            json_string(self.lot),
            json_string(self.level),
            json_string(self.tester),
            json_string(self.wafer),
            self.x,
            self.y,
            json_string(self.life_cycle),
            self.identity,
            to_hex(&self.certificate_sha256),
            to_hex(&self.firmware_sha256),
            self.shipped_at_ns,
            to_hex(&self.signer),
        )
    }

    /// The finished record, with `signature` (low-S) over [`RecordFields::prefix`].
    pub fn sign_with(&self, signature: &Signature) -> DeviceRecord {
        DeviceRecord {
            device: self.device,
            line: format!(
                "{}{SIGNATURE_FIELD}{}\"}}",
                self.prefix(),
                to_hex(signature.as_der())
            ),
        }
    }
}

/// The fields a record must have, and no others.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParsedRecord {
    pub device: String,
    pub index: u64,
    pub lot: String,
    pub level: String,
    pub tester: String,
    pub wafer: String,
    pub x: u32,
    pub y: u32,
    pub life_cycle: String,
    pub identity: String,
    pub certificate_sha256: String,
    pub firmware_sha256: String,
    pub shipped_at_ns: u64,
    pub signer: String,
    pub signature: String,
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Checks `signature` (the field's text) over `signed` under the vault's key: lowercase
/// hex, as the vault writes every hex field, a valid signature, and low-S. The high-S
/// twin of a valid signature verifies too; accepting it would let anyone change a
/// signed line's bytes and keep it valid.
pub(crate) fn check_signature(
    crypto: &Crypto,
    vault: &PublicKey,
    signed: &[u8],
    signature: &str,
) -> Result<(), String> {
    if !signature
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err("the signature is not lowercase hex".to_owned());
    }
    let der = unhex(signature).ok_or("the signature is not whole bytes of hex")?;
    let signature = Signature::from_der_bytes(der);
    crypto
        .verify(vault, signed, &signature)
        .map_err(|e| format!("signature: {e}"))?;
    match signature.is_low_s() {
        Ok(true) => Ok(()),
        _ => Err("the signature is high-S (malleated): the vault writes only low-S".to_owned()),
    }
}

/// Checks one record line against the vault's public key; returns what it says.
pub fn verify_record(
    crypto: &Crypto,
    line: &str,
    vault: &PublicKey,
) -> Result<ParsedRecord, String> {
    let parsed: ParsedRecord =
        serde_json::from_str(line).map_err(|e| format!("not a well-formed record: {e}"))?;
    let cut = line
        .rfind(SIGNATURE_FIELD)
        .ok_or("the signature is not the last field")?;
    if line.get(cut..) != Some(&format!("{SIGNATURE_FIELD}{}\"}}", parsed.signature)[..]) {
        return Err("the line does not end with its signature".to_owned());
    }
    if parsed.signer != to_hex(&vault.fingerprint().key_id()) {
        return Err(format!(
            "it names signer key {}, not the key given ({}): not by the vault given, or the --signer is another key",
            parsed.signer,
            to_hex(&vault.fingerprint().key_id())
        ));
    }
    check_signature(crypto, vault, &line.as_bytes()[..cut], &parsed.signature)?;
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::Seed;

    #[test]
    fn a_record_verifies_and_any_change_does_not() {
        let crypto = Crypto::new();
        let vault = crypto.generate_key(&mut Seed::new(1).stream("test/vault"));
        let fields = RecordFields {
            device: DeviceId::new(1, 2, 3),
            index: 3,
            lot: "LOT \"7\"",
            wafer: "LOT-W01",
            x: 4,
            y: 0,
            level: "board",
            tester: "board-1",
            life_cycle: "provisioned",
            identity: Fingerprint([7; 32]),
            certificate_sha256: [8; 32],
            firmware_sha256: [9; 32],
            shipped_at_ns: 42,
            signer: vault.public_key().fingerprint().key_id(),
        };
        let record = fields.sign_with(&crypto.sign_low_s(&vault, fields.prefix().as_bytes()));
        let parsed = verify_record(&crypto, &record.line, vault.public_key()).unwrap();
        assert_eq!(parsed.lot, "LOT \"7\"");
        assert_eq!(parsed.device, "0001000200000003");
        assert_eq!(
            (parsed.wafer.as_str(), parsed.x, parsed.y),
            ("LOT-W01", 4, 0)
        );

        let tampered = record.line.replace("\"index\":3", "\"index\":4");
        assert!(verify_record(&crypto, &tampered, vault.public_key()).is_err());
        let other = crypto.generate_key(&mut Seed::new(2).stream("test/other"));
        assert!(verify_record(&crypto, &record.line, other.public_key()).is_err());
    }
}
