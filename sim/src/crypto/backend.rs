//! Which implementation the facade runs each operation on.
//!
//! [`Backend::Fast`] (the default in a build with the `fast` feature) runs keygen,
//! verification, ECDH and the `R = k·G` step of signing on aws-lc-rs; everything it
//! returns is byte for byte what [`Backend::Reference`] (pure `p256`) returns, which the
//! property tests check. `PROVSIM_CRYPTO=reference` picks the reference at run time; a
//! build without the `fast` feature has only the reference, and `Fast` there means it.

use super::error::CryptoError;
use super::memo::{self, Outcome};
use super::reference;
use p256::ecdsa::Signature as P256Signature;

/// The environment variable that picks the backend: `reference` or `fast` (unset or
/// empty: `fast`).
pub const BACKEND_VARIABLE: &str = "PROVSIM_CRYPTO";

/// The implementation behind a [`super::facade::Crypto`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// The fastest implementation that gives the reference's bytes (aws-lc-rs with the
    /// `fast` feature, else the reference itself).
    #[default]
    Fast,
    /// Pure `p256`, as the known-answer tests pin it.
    Reference,
}

impl Backend {
    /// The backend `PROVSIM_CRYPTO` names. An unknown value is an error here (the CLI
    /// reports it before it runs anything); [`Backend::from_env_or_fast`] ignores it.
    pub fn from_env() -> Result<Backend, CryptoError> {
        match std::env::var(BACKEND_VARIABLE) {
            Ok(value) => Backend::from_name(&value),
            Err(std::env::VarError::NotPresent) => Ok(Backend::Fast),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(CryptoError::UnknownBackend("(not valid UTF-8)".to_string()))
            }
        }
    }

    /// The backend `PROVSIM_CRYPTO` names, or [`Backend::Fast`] for an unknown value.
    pub fn from_env_or_fast() -> Backend {
        Backend::from_env().unwrap_or_default()
    }

    /// `fast` (or empty) and `reference`.
    pub fn from_name(name: &str) -> Result<Backend, CryptoError> {
        match name {
            "" | "fast" => Ok(Backend::Fast),
            "reference" => Ok(Backend::Reference),
            other => Err(CryptoError::UnknownBackend(other.to_string())),
        }
    }

    /// Whether this backend runs on aws-lc-rs (only in a `fast` build).
    #[cfg(feature = "fast")]
    fn native(self) -> bool {
        self == Backend::Fast
    }

    /// The SEC1 point of `secret` (memoised: see [`super::memo`]).
    pub(super) fn public_point(self, secret: &p256::SecretKey) -> [u8; 65] {
        memo::cached(
            || memo::key(b"point", &[&secret.to_bytes()]),
            || self.compute_public_point(secret),
            |point| Outcome::Point(*point),
            |outcome| match outcome {
                Outcome::Point(point) => Some(*point),
                _ => None,
            },
        )
    }

    fn compute_public_point(self, secret: &p256::SecretKey) -> [u8; 65] {
        #[cfg(feature = "fast")]
        if self.native()
            && let Some(point) = super::fast::public_point(&secret.to_bytes().into())
        {
            return point;
        }
        reference::public_point(secret)
    }

    /// The RFC 6979 signature of digest `z` (memoised).
    pub(super) fn sign_digest(self, secret: &p256::SecretKey, z: &[u8; 32]) -> P256Signature {
        memo::cached(
            || memo::key(b"sign", &[&secret.to_bytes(), z]),
            || self.compute_signature(secret, z),
            |signature| Outcome::Signature(*signature),
            |outcome| match outcome {
                Outcome::Signature(signature) => Some(*signature),
                _ => None,
            },
        )
    }

    fn compute_signature(self, secret: &p256::SecretKey, z: &[u8; 32]) -> P256Signature {
        #[cfg(feature = "fast")]
        if self.native()
            && let Some(signature) = super::fast::sign_digest(secret, z)
        {
            return signature;
        }
        reference::sign_digest(secret, z)
    }

    /// Whether `signature` over digest `z` verifies under `public` (memoised).
    pub(super) fn verify_digest(
        self,
        public: &p256::PublicKey,
        sec1: &[u8; 65],
        z: &[u8; 32],
        signature: &P256Signature,
    ) -> bool {
        memo::cached(
            || memo::key(b"verify", &[sec1, z, &signature.to_bytes()]),
            || self.compute_verification(public, sec1, z, signature),
            |verified| Outcome::Verified(*verified),
            |outcome| match outcome {
                Outcome::Verified(verified) => Some(*verified),
                _ => None,
            },
        )
    }

    fn compute_verification(
        self,
        public: &p256::PublicKey,
        sec1: &[u8; 65],
        z: &[u8; 32],
        signature: &P256Signature,
    ) -> bool {
        #[cfg(feature = "fast")]
        if self.native() {
            return super::fast::verify_digest(sec1, z, signature);
        }
        let _ = sec1;
        reference::verify_digest(public, z, signature)
    }

    /// The x-coordinate of `secret · theirs` (memoised).
    pub(super) fn ecdh(
        self,
        ours: (&p256::SecretKey, &[u8; 65]),
        theirs: &p256::PublicKey,
        their_sec1: &[u8; 65],
    ) -> [u8; 32] {
        memo::cached(
            || memo::key(b"ecdh", &[&ours.0.to_bytes(), their_sec1]),
            || self.compute_ecdh(ours, theirs, their_sec1),
            |shared| Outcome::Shared(*shared),
            |outcome| match outcome {
                Outcome::Shared(shared) => Some(*shared),
                _ => None,
            },
        )
    }

    fn compute_ecdh(
        self,
        (secret, our_sec1): (&p256::SecretKey, &[u8; 65]),
        theirs: &p256::PublicKey,
        their_sec1: &[u8; 65],
    ) -> [u8; 32] {
        #[cfg(feature = "fast")]
        if self.native()
            && let Some(shared) = super::fast::ecdh(&secret.to_bytes().into(), our_sec1, their_sec1)
        {
            return shared;
        }
        let _ = (our_sec1, their_sec1);
        reference::ecdh(secret, theirs)
    }
}
