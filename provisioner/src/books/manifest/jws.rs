//! What every signed line of the manifest shares, entry or closing record: a flattened
//! JWS signed ES256 by the manifest's signer, named in its protected header as
//! Microchip's manifest format names it, with a low-S signature.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use provsim_sim::crypto::{Crypto, PublicKey, Sha256, Signature};
use serde_json::{Map, Value, json};

/// Why a line of the manifest does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("not a flattened JWS: {0}")]
    Format(String),
    #[error("the protected header is not ES256 by this signer: {0}")]
    Header(String),
    #[error("the signature does not verify under the signer's key")]
    Signature,
    /// A valid signature in the form nobody signs with: `(r, n - s)` of a low-S one.
    #[error(
        "the signature is high-S: a malleated copy of a valid signature (the line signs low-S only)"
    )]
    Malleated,
    #[error("the payload is not a device entry: {0}")]
    Payload(String),
    #[error("not a closing record: {0}")]
    Closing(String),
    #[error("the signer certificate is unusable: {0}")]
    Signer(String),
}

pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn decode(text: &str, what: &str) -> Result<Vec<u8>, ManifestError> {
    URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| ManifestError::Format(format!("`{what}` is not base64url")))
}

pub(crate) fn field<'v>(value: &'v Value, name: &str) -> Result<&'v str, ManifestError> {
    value
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| ManifestError::Format(format!("no string `{name}`")))
}

/// The signer's `kid`: the base64url of its key identifier, which is the subject key
/// identifier of its certificate (RFC 7093 method 1, as the PKI issues every
/// certificate). Microchip's decoders compare `kid` with that extension's value.
fn key_id(signer: &PublicKey) -> String {
    b64url(&signer.fingerprint().key_id())
}

/// The protected header, encoded, for a signer with key `signer` and certificate
/// `signer_der`; `typ` only on the closing record.
pub(crate) fn protected_header(signer: &PublicKey, signer_der: &[u8], typ: Option<&str>) -> String {
    let mut header = json!({
        "alg": "ES256",
        "kid": key_id(signer),
        "x5t#S256": b64url(&Sha256::digest(signer_der)),
    });
    if let (Some(typ), Some(params)) = (typ, header.as_object_mut()) {
        params.insert("typ".to_owned(), Value::String(typ.to_owned()));
    }
    b64url(header.to_string().as_bytes())
}

/// A finished signed line: `signing_input` is `protected.payload`, `header` the
/// unprotected header if any. The signature goes out low-S whatever form it came in.
pub(crate) fn signed_line(
    signing_input: &str,
    header: Option<Value>,
    signature: &Signature,
) -> Result<String, ManifestError> {
    let (protected, payload) = signing_input.split_once('.').unwrap_or((signing_input, ""));
    let low = signature
        .to_low_s()
        .and_then(|s| s.to_fixed())
        .map_err(|_| ManifestError::Signature)?;
    let mut jws = Map::new();
    if let Some(header) = header {
        jws.insert("header".to_owned(), header);
    }
    jws.insert("payload".to_owned(), Value::String(payload.to_owned()));
    jws.insert("protected".to_owned(), Value::String(protected.to_owned()));
    jws.insert("signature".to_owned(), Value::String(b64url(&low)));
    Ok(Value::Object(jws).to_string())
}

/// A line as JSON: a flattened JWS (RFC 7515, 7.2.2) with exactly the members the
/// manifest writes. A strict JOSE library refuses anything else, and a member this
/// check ignored would be one another reader might not: `signatures` beside `signature`,
/// an unprotected `alg` or `x5c`, or a member given twice (serde's derived parser
/// refuses a repeated field, where `serde_json::Value` would keep the last).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FlatJws {
    protected: String,
    payload: String,
    /// Absent, never `null`: an entry has one, the closing record none.
    #[serde(default, deserialize_with = "present")]
    header: Option<Unprotected>,
    signature: String,
}

/// The unprotected header an entry carries: `uniqueId` and nothing else.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Unprotected {
    #[serde(rename = "uniqueId")]
    pub unique_id: String,
}

/// `header` when it is there: an object, so `"header": null` is refused.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Unprotected>, D::Error> {
    <Unprotected as serde::Deserialize>::deserialize(d).map(Some)
}

/// Whether `line` is meant as a flattened JWS at all: a JSON object with `protected`,
/// `payload` and `signature` members, whatever they hold. A first line that is not is
/// another kind of file (an audit log, a report, a PEM), not a manifest to judge.
pub fn jws_shaped(line: &str) -> bool {
    match serde_json::from_str::<Value>(line) {
        Ok(Value::Object(members)) => ["protected", "payload", "signature"]
            .iter()
            .all(|name| members.contains_key(*name)),
        _ => false,
    }
}

/// One line of the manifest, parsed but not yet checked.
pub(crate) struct SignedLine {
    pub protected: String,
    pub payload: String,
    /// The unprotected header, if the line has one.
    pub unprotected: Option<Unprotected>,
    signature: String,
    /// The protected header, decoded.
    pub header: Map<String, Value>,
}

impl SignedLine {
    pub fn parse(line: &str) -> Result<SignedLine, ManifestError> {
        let jws: FlatJws =
            serde_json::from_str(line).map_err(|e| ManifestError::Format(e.to_string()))?;
        let header = match serde_json::from_slice(&decode(&jws.protected, "protected")?) {
            Ok(Value::Object(header)) => header,
            Ok(_) => return Err(ManifestError::Header("not a JSON object".to_owned())),
            Err(e) => return Err(ManifestError::Header(e.to_string())),
        };
        Ok(SignedLine {
            protected: jws.protected,
            payload: jws.payload,
            unprotected: jws.header,
            signature: jws.signature,
            header,
        })
    }

    /// The protected header's `typ`, if it has one.
    pub fn typ(&self) -> Option<&str> {
        self.header.get("typ").and_then(Value::as_str)
    }

    /// What the signature covers: `protected.payload`.
    pub fn signing_input(&self) -> String {
        format!("{}.{}", self.protected, self.payload)
    }

    /// Checks the protected header names this signer, has `typ` exactly as given (none
    /// for an entry) and nothing else: an unknown parameter, `crit` above all, could
    /// make another verifier read the line differently (RFC 7515, 4.1.11).
    pub fn check_header(
        &self,
        signer: &PublicKey,
        signer_der: &[u8],
        typ: Option<&str>,
    ) -> Result<(), ManifestError> {
        let known: &[&str] = match typ {
            Some(_) => &["alg", "kid", "typ", "x5t#S256"],
            None => &["alg", "kid", "x5t#S256"],
        };
        if !self.header.keys().all(|k| known.contains(&k.as_str())) {
            return Err(ManifestError::Header(format!(
                "parameters other than {}",
                known.join(", ")
            )));
        }
        if self.typ() != typ {
            return Err(ManifestError::Header(match typ {
                Some(typ) => format!("typ is not {typ}"),
                None => "typ present".to_owned(),
            }));
        }
        let param = |name: &str| self.header.get(name).and_then(Value::as_str);
        if param("alg") != Some("ES256") {
            return Err(ManifestError::Header("alg is not ES256".to_owned()));
        }
        if param("kid") != Some(key_id(signer).as_str()) {
            return Err(ManifestError::Header(
                "kid is not the base64url of this signer's key identifier".to_owned(),
            ));
        }
        if param("x5t#S256") != Some(b64url(&Sha256::digest(signer_der)).as_str()) {
            return Err(ManifestError::Header(
                "x5t#S256 is not this signer certificate's".to_owned(),
            ));
        }
        Ok(())
    }

    /// Checks the signature over the signing input, and that it is the low-S one.
    pub fn check_signature(
        &self,
        crypto: &Crypto,
        signer: &PublicKey,
    ) -> Result<(), ManifestError> {
        let signature = Signature::from_fixed(&decode(&self.signature, "signature")?)
            .map_err(|_| ManifestError::Signature)?;
        crypto
            .verify(signer, self.signing_input().as_bytes(), &signature)
            .map_err(|_| ManifestError::Signature)?;
        // Valid, so well formed: the check cannot fail, but is not unwrapped.
        match signature.is_low_s() {
            Ok(true) => Ok(()),
            _ => Err(ManifestError::Malleated),
        }
    }

    /// The payload, decoded.
    pub fn body(&self) -> Result<Value, ManifestError> {
        serde_json::from_slice(&decode(&self.payload, "payload")?)
            .map_err(|e| ManifestError::Payload(e.to_string()))
    }
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

#[cfg(test)]
#[path = "jws_tests.rs"]
mod tests;
