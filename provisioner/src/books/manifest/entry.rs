//! One manifest entry: what the line says about a shipped device, signed (see the
//! [module above](super) for the format).

use crate::books::manifest::jws::{
    ManifestError, SignedLine, b64url, decode, field, protected_header, signed_line,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use provsim_devices::DeviceId;
use provsim_sim::crypto::{Crypto, PublicKey, Signature};
use serde_json::{Value, json};

/// Virtual time zero as a date: 2025-01-01T00:00:00Z, the certificates' notBefore.
const EPOCH_UNIX_SECONDS: i64 = 1_735_689_600;

/// What an entry says about one device.
#[derive(Debug, Clone)]
pub struct ManifestFields<'a> {
    pub device: DeviceId,
    /// The entry's place in the manifest, from 1.
    pub number: u64,
    /// The target kind (`mcu`).
    pub model: &'a str,
    /// The product number, as the device id carries it.
    pub part_number: String,
    /// The customer, whose devices these are.
    pub manufacturer: &'a str,
    /// The provisioning site.
    pub provisioner: &'a str,
    /// Virtual time the device left the line.
    pub shipped_at_ns: u64,
    pub identity: &'a PublicKey,
    /// The device certificate and the customer CA's, DER: the JWK's `x5c`.
    pub chain: [&'a [u8]; 2],
}

/// `at` nanoseconds of virtual time as an RFC 3339 UTC timestamp with milliseconds.
pub fn timestamp(at_ns: u64) -> String {
    let seconds = EPOCH_UNIX_SECONDS + i64::try_from(at_ns / 1_000_000_000).unwrap_or(0);
    let millis = (at_ns / 1_000_000) % 1000;
    match time::OffsetDateTime::from_unix_timestamp(seconds) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => "9999-12-31T23:59:59.999Z".to_owned(),
    }
}

impl ManifestFields<'_> {
    fn payload(&self) -> Value {
        let point = self.identity.sec1();
        let unique_id = self.device.to_string();
        json!({
            "version": 1,
            "entryNumber": self.number,
            "model": self.model,
            "partNumber": self.part_number,
            "manufacturer": { "organizationName": self.manufacturer },
            "provisioner": { "organizationName": self.provisioner },
            "provisioningTimestamp": timestamp(self.shipped_at_ns),
            "uniqueId": unique_id,
            "publicKeySet": {
                "keys": [{
                    "kid": "0",
                    "kty": "EC",
                    "crv": "P-256",
                    "x": b64url(&point[1..33]),
                    "y": b64url(&point[33..65]),
                    "x5c": [STANDARD.encode(self.chain[0]), STANDARD.encode(self.chain[1])],
                }]
            }
        })
    }

    /// The JWS signing input, `protected.payload`, for the signer: what `sign` signs,
    /// and what the closing record's chain covers.
    pub fn signing_input(&self, signer: &PublicKey, signer_der: &[u8]) -> String {
        format!(
            "{}.{}",
            protected_header(signer, signer_der, None),
            b64url(self.payload().to_string().as_bytes())
        )
    }

    /// The finished entry, one line of JSON, with `signature` (the signer's over
    /// [`ManifestFields::signing_input`]), written low-S.
    pub fn entry(
        &self,
        signer: &PublicKey,
        signer_der: &[u8],
        signature: &Signature,
    ) -> Result<String, ManifestError> {
        signed_line(
            &self.signing_input(signer, signer_der),
            Some(json!({ "uniqueId": self.device.to_string() })),
            signature,
        )
    }
}

/// What a verified entry says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedEntry {
    pub unique_id: String,
    /// Its place in the manifest (`entryNumber`).
    pub number: u64,
    /// The device's public key, from the JWK.
    pub identity: PublicKey,
    /// The device certificate (DER), first in `x5c`.
    pub certificate: Vec<u8>,
}

/// Verifies one manifest line against the signer's key and certificate (DER): the
/// header, the ES256 signature over `protected.payload` (low-S), and that the payload's
/// `uniqueId`, the unprotected one and the JWK agree with each other.
pub fn verify_entry(
    crypto: &Crypto,
    line: &str,
    signer: &PublicKey,
    signer_der: &[u8],
) -> Result<VerifiedEntry, ManifestError> {
    verify_parsed(crypto, &SignedLine::parse(line)?, signer, signer_der)
}

/// [`verify_entry`] for a line already parsed.
pub(crate) fn verify_parsed(
    crypto: &Crypto,
    jws: &SignedLine,
    signer: &PublicKey,
    signer_der: &[u8],
) -> Result<VerifiedEntry, ManifestError> {
    jws.check_header(signer, signer_der, None)?;
    jws.check_signature(crypto, signer)?;
    let body = jws.body()?;
    let unique_id = field(&body, "uniqueId")?.to_owned();
    let number = body
        .get("entryNumber")
        .and_then(Value::as_u64)
        .filter(|&n| n > 0)
        .ok_or_else(|| ManifestError::Payload("no entryNumber from 1 up".to_owned()))?;
    let unprotected = jws.unprotected.as_ref().map(|h| h.unique_id.as_str());
    if unprotected != Some(unique_id.as_str()) {
        return Err(ManifestError::Payload(
            "the unprotected uniqueId differs from the signed one".to_owned(),
        ));
    }
    let key = body
        .pointer("/publicKeySet/keys/0")
        .ok_or_else(|| ManifestError::Payload("no key in publicKeySet".to_owned()))?;
    let mut point = vec![0x04];
    point.extend(decode(field(key, "x")?, "x")?);
    point.extend(decode(field(key, "y")?, "y")?);
    let identity = PublicKey::from_sec1(&point)
        .map_err(|_| ManifestError::Payload("the JWK is not a P-256 point".to_owned()))?;
    let certificate = key
        .pointer("/x5c/0")
        .and_then(Value::as_str)
        .and_then(|c| STANDARD.decode(c).ok())
        .ok_or_else(|| ManifestError::Payload("no device certificate in x5c".to_owned()))?;
    // The certificate must be for the key the entry lists: an importer that enrols by
    // one and authenticates by the other would otherwise be told two things.
    let certified = x509_parser::parse_x509_certificate(&certificate)
        .ok()
        .and_then(|(_, cert)| {
            PublicKey::from_sec1(&cert.public_key().subject_public_key.data).ok()
        });
    if certified.as_ref() != Some(&identity) {
        return Err(ManifestError::Payload(
            "x5c[0] does not certify the listed key".to_owned(),
        ));
    }
    Ok(VerifiedEntry {
        unique_id,
        number,
        identity,
        certificate,
    })
}

#[cfg(test)]
#[path = "entry_tests.rs"]
mod tests;
