//! What a device does when it first meets the cloud: it proves it holds its identity key
//! and agrees a session key, in one exchange. The registrar sends a fresh challenge and
//! an ephemeral public key; the device answers with an ephemeral key of its own and a
//! signature, by its identity key, over the transcript (challenge and both ephemeral
//! keys). Both sides take the session key from the ephemeral ECDH through HKDF-SHA256,
//! bound to the transcript, so a recorded answer is worth nothing against a new
//! challenge and the identity key never protects traffic itself.

use provsim_sim::crypto::{Crypto, PublicKey, Signature};

/// The device's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    pub ephemeral: PublicKey,
    /// By the identity key, over [`transcript`].
    pub signature: Signature,
}

/// What the identity key signs.
pub fn transcript(challenge: &[u8; 32], server: &PublicKey, device: &PublicKey) -> Vec<u8> {
    let mut bytes = b"provsim first connection v1".to_vec();
    bytes.extend_from_slice(challenge);
    bytes.extend_from_slice(server.sec1());
    bytes.extend_from_slice(device.sec1());
    bytes
}

/// The session key from the ephemeral ECDH secret `shared`, bound to the transcript.
pub fn session_key(crypto: &Crypto, shared: &[u8; 32], transcript: &[u8]) -> [u8; 32] {
    let digest = crypto.sha256(transcript);
    crypto.hkdf_sha256(&digest, shared, b"provsim session key v1")
}
