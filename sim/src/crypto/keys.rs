use super::error::CryptoError;
use crate::hash::Sha256;
use crate::hex::Hex;
use std::fmt;

/// The SHA-256 of a public key's uncompressed SEC1 encoding: how reports, traces and the
/// ledger name a key without ever holding its private half.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    /// The RFC 7093 (method 1) key identifier: the first 160 bits of the fingerprint,
    /// used as subject and authority key identifier in certificates.
    pub fn key_id(&self) -> [u8; 20] {
        let mut id = [0u8; 20];
        id.copy_from_slice(&self.0[..20]);
        id
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Hex(&self.0).fmt(f)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// A P-256 private key. Its `Debug` shows the public fingerprint only, so a key that ends
/// up in a log or a panic message does not leak.
#[derive(Clone)]
pub struct SecretKey {
    /// The scalar alone: no backend's key object, so making a key costs one fixed-base
    /// multiply (its public point) and nothing else.
    secret: p256::SecretKey,
    public: PublicKey,
}

impl SecretKey {
    /// The scalar in its 32 big-endian bytes, if it is in `1..n`.
    pub(super) fn scalar_from_bytes(bytes: &[u8]) -> Result<p256::SecretKey, CryptoError> {
        if bytes.len() != 32 {
            return Err(CryptoError::InvalidSecretKey);
        }
        p256::SecretKey::from_slice(bytes).map_err(|_| CryptoError::InvalidSecretKey)
    }

    /// A key from its scalar and the SEC1 point a backend computed for it.
    pub(super) fn from_parts(
        secret: p256::SecretKey,
        public: &[u8; 65],
    ) -> Result<Self, CryptoError> {
        Ok(SecretKey {
            secret,
            public: PublicKey::from_sec1(public)?,
        })
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The 32 big-endian bytes of the scalar. Named loudly: the only legitimate callers
    /// seal it for a device or store it inside a simulated key store.
    pub fn expose_secret_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(&self.secret.to_bytes());
        out
    }

    /// The key as PKCS#8 PEM (`PRIVATE KEY`), the form `imgtool` and `openssl` read.
    /// Only for handing a key to an outside tool on purpose (a test, `provsim image`).
    pub fn to_pkcs8_pem(&self) -> Result<String, CryptoError> {
        use p256::pkcs8::{EncodePrivateKey, LineEnding};
        self.inner()
            .to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .map_err(|_| CryptoError::InvalidSecretKey)
    }

    /// The key as PKCS#8 DER: how a software key store holds it in memory (and so what
    /// a memory image of one contains). Not for outputs.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, CryptoError> {
        use p256::pkcs8::EncodePrivateKey;
        self.inner()
            .to_pkcs8_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|_| CryptoError::InvalidSecretKey)
    }

    pub(super) fn inner(&self) -> &p256::SecretKey {
        &self.secret
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SecretKey(public fingerprint {})",
            self.public.fingerprint()
        )
    }
}

/// SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (65 bytes) } up to the
/// point itself.
const SPKI_P256_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// A P-256 public key with its uncompressed SEC1 encoding at hand.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    inner: p256::PublicKey,
    sec1: [u8; 65],
}

impl PublicKey {
    fn from_inner(inner: p256::PublicKey) -> Self {
        let encoded = p256::ecdsa::VerifyingKey::from(&inner).to_sec1_point(false);
        let mut sec1 = [0u8; 65];
        // An uncompressed P-256 point is always 65 bytes (0x04 || x || y).
        let bytes = encoded.as_bytes();
        let n = bytes.len().min(65);
        sec1[..n].copy_from_slice(&bytes[..n]);
        PublicKey { inner, sec1 }
    }

    /// Parses a SEC1 point (compressed or uncompressed) and checks it is on the curve.
    pub fn from_sec1(bytes: &[u8]) -> Result<Self, CryptoError> {
        let inner =
            p256::PublicKey::from_sec1_bytes(bytes).map_err(|_| CryptoError::InvalidPublicKey)?;
        Ok(Self::from_inner(inner))
    }

    /// Parses a `PUBLIC KEY` (SubjectPublicKeyInfo) PEM block.
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        use p256::pkcs8::DecodePublicKey;
        let inner =
            p256::PublicKey::from_public_key_pem(pem).map_err(|_| CryptoError::InvalidPem {
                expected: "PUBLIC KEY",
            })?;
        Ok(Self::from_inner(inner))
    }

    /// The key as a `PUBLIC KEY` PEM block (LF line endings), as openssl and imgtool
    /// read it.
    pub fn to_pem(&self) -> String {
        use p256::pkcs8::{EncodePublicKey, LineEnding};
        self.inner
            .to_public_key_pem(LineEnding::LF)
            .unwrap_or_default()
    }

    /// The DER SubjectPublicKeyInfo (RFC 5480): what MCUboot embeds and hashes as the
    /// image's key hash. For P-256 it is a fixed 26-byte prefix and the SEC1 point.
    pub fn spki_der(&self) -> Vec<u8> {
        let mut der = SPKI_P256_PREFIX.to_vec();
        der.extend_from_slice(&self.sec1);
        der
    }

    /// The uncompressed SEC1 encoding, 0x04 || x || y.
    pub fn sec1(&self) -> &[u8; 65] {
        &self.sec1
    }

    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint(Sha256::digest(&self.sec1))
    }

    pub(super) fn inner(&self) -> &p256::PublicKey {
        &self.inner
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

/// A DER-encoded ECDSA signature.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    der: Vec<u8>,
}

impl Signature {
    pub fn from_der_bytes(der: Vec<u8>) -> Self {
        Signature { der }
    }

    pub fn as_der(&self) -> &[u8] {
        &self.der
    }

    /// The signature as `r || s`, 32 bytes each (IEEE P1363): the form JWS ES256 uses.
    pub fn to_fixed(&self) -> Result<[u8; 64], CryptoError> {
        let parsed = p256::ecdsa::Signature::from_der(&self.der)
            .map_err(|_| CryptoError::MalformedSignature)?;
        let mut out = [0u8; 64];
        out.copy_from_slice(&parsed.to_bytes());
        Ok(out)
    }

    /// Whether `s` is in the lower half of the group order. ECDSA accepts `(r, s)` and
    /// `(r, n - s)` alike, so anyone can turn one valid signature into another; a
    /// verifier that wants one signature per message (a manifest entry, a checkpoint)
    /// accepts the low one only.
    pub fn is_low_s(&self) -> Result<bool, CryptoError> {
        let parsed = p256::ecdsa::Signature::from_der(&self.der)
            .map_err(|_| CryptoError::MalformedSignature)?;
        use p256::elliptic_curve::scalar::IsHigh;
        Ok(!bool::from(parsed.s().is_high()))
    }

    /// The same signature with `s` in the lower half (see [`Signature::is_low_s`]).
    pub fn to_low_s(&self) -> Result<Signature, CryptoError> {
        let parsed = p256::ecdsa::Signature::from_der(&self.der)
            .map_err(|_| CryptoError::MalformedSignature)?;
        Ok(Signature {
            der: parsed.normalize_s().to_der().as_bytes().to_vec(),
        })
    }

    /// A signature given as `r || s` (IEEE P1363), e.g. from a JWS.
    pub fn from_fixed(bytes: &[u8]) -> Result<Signature, CryptoError> {
        let parsed = p256::ecdsa::Signature::from_slice(bytes)
            .map_err(|_| CryptoError::MalformedSignature)?;
        Ok(Signature {
            der: parsed.to_der().as_bytes().to_vec(),
        })
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", Hex(&self.der))
    }
}
