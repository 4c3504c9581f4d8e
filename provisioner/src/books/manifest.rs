//! The customer's manifest: one signed entry per shipped device, in the layout the
//! industry uses for pre-provisioned secure elements, written as each device leaves the
//! line (`manifest.jsonl`, one entry a line, so the lot is never held in memory).
//!
//! Each entry is a flattened JWS (RFC 7515, 7.2.2) signed ES256 by the vault's identity
//! key. The protected header names the signer by `kid` (its key id) and `x5t#S256` (the
//! SHA-256 of its certificate, issued by the root at the key ceremony); the payload says
//! what the device is, who provisioned it and when, its `uniqueId` (the device id in
//! lower-case hex) and a JWK set of its public keys, each with its certificate chain in
//! `x5c`; the unprotected header repeats the `uniqueId` so an importer can index entries
//! without decoding them.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use provsim_devices::DeviceId;
use provsim_sim::crypto::{Crypto, PublicKey, Sha256, Signature};
use provsim_sim::to_hex;
use serde_json::{Value, json};

/// Virtual time zero as a date: 2025-01-01T00:00:00Z, the certificates' notBefore.
const EPOCH_UNIX_SECONDS: i64 = 1_735_689_600;

/// What an entry says about one device.
#[derive(Debug, Clone)]
pub struct ManifestFields<'a> {
    pub device: DeviceId,
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

fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The protected header for a signer with certificate `signer_der` and key `signer`.
fn protected_header(signer: &PublicKey, signer_der: &[u8]) -> String {
    let header = json!({
        "alg": "ES256",
        "kid": to_hex(&signer.fingerprint().key_id()),
        "x5t#S256": b64url(&Sha256::digest(signer_der)),
    });
    b64url(header.to_string().as_bytes())
}

impl ManifestFields<'_> {
    fn payload(&self) -> Value {
        let point = self.identity.sec1();
        let unique_id = self.device.to_string();
        json!({
            "version": 1,
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

    /// The JWS signing input, `protected.payload`, for the signer: what `sign` signs.
    pub fn signing_input(&self, signer: &PublicKey, signer_der: &[u8]) -> String {
        format!(
            "{}.{}",
            protected_header(signer, signer_der),
            b64url(self.payload().to_string().as_bytes())
        )
    }

    /// The finished entry, one line of JSON, with `signature` (the signer's over
    /// [`ManifestFields::signing_input`]).
    pub fn entry(
        &self,
        signer: &PublicKey,
        signer_der: &[u8],
        signature: &Signature,
    ) -> Result<String, ManifestError> {
        let input = self.signing_input(signer, signer_der);
        let (protected, payload) = input.split_once('.').unwrap_or((&input, ""));
        let fixed = signature.to_fixed().map_err(|_| ManifestError::Signature)?;
        Ok(json!({
            "protected": protected,
            "payload": payload,
            "header": { "uniqueId": self.device.to_string() },
            "signature": b64url(&fixed),
        })
        .to_string())
    }
}

/// Why an entry does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("not a flattened JWS: {0}")]
    Format(String),
    #[error("the protected header is not ES256 by this signer: {0}")]
    Header(String),
    #[error("the signature does not verify under the signer's key")]
    Signature,
    #[error("the payload is not a device entry: {0}")]
    Payload(String),
    #[error("the signer certificate is unusable: {0}")]
    Signer(String),
}

/// The manifest signer's certificate from PEM: its public key and its DER (what
/// `x5t#S256` is computed over).
pub fn signer_from_pem(text: &str) -> Result<(PublicKey, Vec<u8>), ManifestError> {
    let block = pem::parse(text).map_err(|e| ManifestError::Signer(format!("not PEM: {e}")))?;
    if block.tag() != "CERTIFICATE" {
        return Err(ManifestError::Signer(format!(
            "a PEM `{}`, not a CERTIFICATE",
            block.tag()
        )));
    }
    let der = block.contents().to_vec();
    let (_, cert) = x509_parser::parse_x509_certificate(&der)
        .map_err(|e| ManifestError::Signer(format!("not an X.509 certificate: {e}")))?;
    let key = PublicKey::from_sec1(&cert.public_key().subject_public_key.data)
        .map_err(|_| ManifestError::Signer("its key is not a P-256 key".to_owned()))?;
    Ok((key, der))
}

/// What a verified entry says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedEntry {
    pub unique_id: String,
    /// The device's public key, from the JWK.
    pub identity: PublicKey,
    /// The device certificate (DER), first in `x5c`.
    pub certificate: Vec<u8>,
}

fn field<'v>(value: &'v Value, name: &str) -> Result<&'v str, ManifestError> {
    value
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| ManifestError::Format(format!("no string `{name}`")))
}

fn decode(text: &str, what: &str) -> Result<Vec<u8>, ManifestError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| ManifestError::Format(format!("`{what}` is not base64url")))
}

/// Verifies one manifest line against the signer's key and certificate (DER): the
/// header, the ES256 signature over `protected.payload`, and that the payload's
/// `uniqueId`, the unprotected one and the JWK agree with each other.
pub fn verify_entry(
    crypto: &Crypto,
    line: &str,
    signer: &PublicKey,
    signer_der: &[u8],
) -> Result<VerifiedEntry, ManifestError> {
    let jws: Value =
        serde_json::from_str(line).map_err(|e| ManifestError::Format(e.to_string()))?;
    let protected = field(&jws, "protected")?;
    let payload = field(&jws, "payload")?;
    let header: Value = serde_json::from_slice(&decode(protected, "protected")?)
        .map_err(|e| ManifestError::Header(e.to_string()))?;
    let expected_thumbprint = b64url(&Sha256::digest(signer_der));
    // Only the three parameters an entry has: an unknown one, `crit` above all, could
    // make another verifier read the entry differently (RFC 7515, 4.1.11).
    let known = ["alg", "kid", "x5t#S256"];
    match header.as_object() {
        Some(params) if params.keys().all(|k| known.contains(&k.as_str())) => {}
        _ => {
            return Err(ManifestError::Header(
                "parameters other than alg, kid and x5t#S256".to_owned(),
            ));
        }
    }
    if field(&header, "alg").ok() != Some("ES256") {
        return Err(ManifestError::Header("alg is not ES256".to_owned()));
    }
    if field(&header, "kid").ok() != Some(to_hex(&signer.fingerprint().key_id()).as_str()) {
        return Err(ManifestError::Header(
            "kid is not this signer's key id".to_owned(),
        ));
    }
    if field(&header, "x5t#S256").ok() != Some(expected_thumbprint.as_str()) {
        return Err(ManifestError::Header(
            "x5t#S256 is not this signer certificate's".to_owned(),
        ));
    }
    let signature = Signature::from_fixed(&decode(field(&jws, "signature")?, "signature")?)
        .map_err(|_| ManifestError::Signature)?;
    crypto
        .verify(
            signer,
            format!("{protected}.{payload}").as_bytes(),
            &signature,
        )
        .map_err(|_| ManifestError::Signature)?;

    let body: Value = serde_json::from_slice(&decode(payload, "payload")?)
        .map_err(|e| ManifestError::Payload(e.to_string()))?;
    let unique_id = field(&body, "uniqueId")?.to_owned();
    let unprotected = jws
        .get("header")
        .map(|h| field(h, "uniqueId"))
        .transpose()?;
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
        identity,
        certificate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::Seed;

    #[test]
    fn timestamps_are_rfc3339_from_the_first_of_2025() {
        assert_eq!(timestamp(0), "2025-01-01T00:00:00.000Z");
        assert_eq!(
            timestamp(((24 * 3600 + 3661) * 1_000_000_000) + 42_000_000),
            "2025-01-02T01:01:01.042Z"
        );
    }

    #[test]
    fn an_entry_verifies_and_any_change_to_it_does_not() {
        let crypto = Crypto::new();
        let mut stream = Seed::new(8).stream("test/manifest");
        let signer = crypto.generate_key(&mut stream);
        let device_key = crypto.generate_key(&mut stream);
        let signer_der = b"signer certificate".to_vec();
        let site = crate::pki::testing::establish(&crypto, Seed::new(8), crate::Custody::SharedVm)
            .unwrap();
        let device_cert = site
            .pki
            .customer()
            .certify_with_key(
                &site.customer_ca_key,
                &crypto,
                "Customer",
                DeviceId(7),
                device_key.public_key(),
                &mut stream,
            )
            .unwrap()
            .der;
        let ca_cert = site.pki.customer().certificate().der.clone();
        let fields = ManifestFields {
            device: DeviceId(0x5053_0001_0000_0007),
            model: "mcu",
            part_number: "5053".to_owned(),
            manufacturer: "Acme",
            provisioner: "House",
            shipped_at_ns: 5_000_000_000,
            identity: device_key.public_key(),
            chain: [&device_cert, &ca_cert],
        };
        let input = fields.signing_input(signer.public_key(), &signer_der);
        let signature = crypto.sign(&signer, input.as_bytes());
        let line = fields
            .entry(signer.public_key(), &signer_der, &signature)
            .unwrap();
        let entry = verify_entry(&crypto, &line, signer.public_key(), &signer_der).unwrap();
        assert_eq!(entry.unique_id, "5053000100000007");
        assert_eq!(&entry.identity, device_key.public_key());
        assert_eq!(entry.certificate, device_cert);

        // An entry whose certificate is for another key than its JWK is refused.
        let other = ManifestFields {
            chain: [&ca_cert, &ca_cert],
            ..fields.clone()
        };
        let input = other.signing_input(signer.public_key(), &signer_der);
        let crossed = other
            .entry(
                signer.public_key(),
                &signer_der,
                &crypto.sign(&signer, input.as_bytes()),
            )
            .unwrap();
        assert!(matches!(
            verify_entry(&crypto, &crossed, signer.public_key(), &signer_der),
            Err(ManifestError::Payload(_))
        ));

        // Another signer certificate, or another key, is refused.
        assert!(matches!(
            verify_entry(&crypto, &line, signer.public_key(), b"other"),
            Err(ManifestError::Header(_))
        ));
        assert!(matches!(
            verify_entry(&crypto, &line, device_key.public_key(), &signer_der),
            Err(ManifestError::Header(_))
        ));
        // The right header, signed by another key: the signature binds the signer.
        let input = fields.signing_input(signer.public_key(), &signer_der);
        let forged = fields
            .entry(
                signer.public_key(),
                &signer_der,
                &crypto.sign(&device_key, input.as_bytes()),
            )
            .unwrap();
        assert_eq!(
            verify_entry(&crypto, &forged, signer.public_key(), &signer_der),
            Err(ManifestError::Signature)
        );
        // Every byte changed in turn: refused, never a panic.
        for at in 0..line.len() {
            let mut bytes = line.clone().into_bytes();
            bytes[at] ^= 0x01;
            let Ok(changed) = String::from_utf8(bytes) else {
                continue;
            };
            // JSON allows a changed byte in insignificant whitespace only: there is none.
            assert!(
                verify_entry(&crypto, &changed, signer.public_key(), &signer_der).is_err(),
                "byte {at} changed and the entry still verified"
            );
        }
    }
}
