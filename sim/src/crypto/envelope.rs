//! Sealing a secret for one recipient key: ECIES over P-256.
//!
//! The sender draws an ephemeral key pair, agrees a secret with the recipient's public
//! key (ECDH), derives an AES-256-GCM key with HKDF-SHA256 (salt: the ephemeral public
//! key; info: a fixed label), and seals the secret with the caller's associated data
//! bound in. This is how a key leaves a vault: only the device holding the recipient
//! private key can open it, and only for the context the associated data names.

use super::error::CryptoError;
use super::facade::Crypto;
use super::keys::{PublicKey, SecretKey};
use crate::seed::Stream;

const HKDF_INFO: &[u8] = b"provsim envelope v1 aes-256-gcm";

/// Bytes an envelope adds to its plaintext: ephemeral key (65), nonce (12), tag (16).
pub const ENVELOPE_OVERHEAD: usize = 65 + 12 + 16;

/// A sealed secret: `ephemeral public key (65) || nonce (12) || ciphertext || tag (16)`.
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope(Vec<u8>);

impl Envelope {
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Envelope(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Envelope({} bytes)", self.0.len())
    }
}

impl Crypto {
    /// Seals `secret` so that only the holder of `recipient`'s private key can open it,
    /// for the context named by `aad`. The ephemeral key and nonce come from `stream`.
    pub fn seal_envelope(
        &self,
        recipient: &PublicKey,
        aad: &[u8],
        secret: &[u8],
        stream: &mut Stream,
    ) -> Envelope {
        let ephemeral = self.generate_key(stream);
        let nonce: [u8; 12] = stream.bytes();
        let shared = self.ecdh(&ephemeral, recipient);
        let key = self.hkdf_sha256(ephemeral.public_key().sec1(), &shared, HKDF_INFO);
        let sealed = self.aead_seal(&key, &nonce, aad, secret);
        let mut out = Vec::with_capacity(ENVELOPE_OVERHEAD + secret.len());
        out.extend_from_slice(ephemeral.public_key().sec1());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Envelope(out)
    }

    /// Opens an envelope sealed for `recipient` with the same `aad`.
    pub fn open_envelope(
        &self,
        recipient: &SecretKey,
        aad: &[u8],
        envelope: &Envelope,
    ) -> Result<Vec<u8>, CryptoError> {
        let bytes = envelope.as_bytes();
        if bytes.len() < ENVELOPE_OVERHEAD {
            return Err(CryptoError::EnvelopeTooShort {
                len: bytes.len(),
                min: ENVELOPE_OVERHEAD,
            });
        }
        let (ephemeral, rest) = bytes.split_at(65);
        let (nonce, sealed) = rest.split_at(12);
        let ephemeral = PublicKey::from_sec1(ephemeral)?;
        let mut nonce_bytes = [0u8; 12];
        nonce_bytes.copy_from_slice(nonce);
        let shared = self.ecdh(recipient, &ephemeral);
        let key = self.hkdf_sha256(ephemeral.sec1(), &shared, HKDF_INFO);
        self.aead_open(&key, &nonce_bytes, aad, sealed)
    }
}
