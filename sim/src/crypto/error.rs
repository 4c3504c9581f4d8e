/// Why a cryptographic operation refused its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("not a valid P-256 private key (zero or not below the group order)")]
    InvalidSecretKey,
    #[error("not a valid SEC1-encoded P-256 public key")]
    InvalidPublicKey,
    #[error("not a valid DER-encoded ECDSA signature")]
    MalformedSignature,
    #[error("signature does not verify")]
    BadSignature,
    #[error("authenticated decryption failed: wrong key, or the data was altered")]
    AeadOpenFailed,
    #[error("not a PEM-encoded P-256 key ({expected})")]
    InvalidPem { expected: &'static str },
    #[error("encoding failed: {0}")]
    Encoding(String),
    #[error("PROVSIM_CRYPTO={0:?} is not a crypto backend (expected `fast` or `reference`)")]
    UnknownBackend(String),
    #[error("envelope too short: {len} bytes, at least {min} expected")]
    EnvelopeTooShort { len: usize, min: usize },
}
