use super::backend::Backend;
use super::counters::{Counters, Op, OpCounts};
use super::error::CryptoError;
use super::keys::{PublicKey, SecretKey, Signature};
use crate::hash::Sha256;
use crate::seed::Stream;
use aes_gcm::aead::{Aead, KeyInit, Payload};

fn parse_der(signature: &Signature) -> Result<p256::ecdsa::Signature, CryptoError> {
    p256::ecdsa::Signature::from_der(signature.as_der())
        .map_err(|_| CryptoError::MalformedSignature)
}

/// The facade. One instance per role whose cost is reported (the line, the attackers,
/// the oracles), so that re-deriving ground truth is never charged to the factory.
///
/// Which implementation runs the operations ([`Backend`]) is fixed when the facade is
/// made and changes no output byte: only the time they take.
#[derive(Debug)]
pub struct Crypto {
    counters: Counters,
    backend: Backend,
}

impl Default for Crypto {
    fn default() -> Self {
        Self::new()
    }
}

impl Crypto {
    /// A facade on the backend `PROVSIM_CRYPTO` names (read now, once), the fast one if
    /// it is unset or unknown (the CLI refuses an unknown value before it gets here).
    pub fn new() -> Self {
        Self::with_backend(Backend::from_env_or_fast())
    }

    /// A facade on `backend`, whatever the environment says.
    pub fn with_backend(backend: Backend) -> Self {
        Crypto {
            counters: Counters::default(),
            backend,
        }
    }

    /// The implementation this facade runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A key from a valid scalar: its public point from the backend.
    fn key_from_scalar(&self, secret: p256::SecretKey) -> Result<SecretKey, CryptoError> {
        let public = self.backend.public_point(&secret);
        match SecretKey::from_parts(secret.clone(), &public) {
            Ok(key) => Ok(key),
            // A point p256 refuses for a valid scalar is a backend fault, never a reason
            // to draw another key (that would change the key and the stream): the
            // reference's point stands.
            Err(_) => {
                SecretKey::from_parts(secret.clone(), &Backend::Reference.public_point(&secret))
            }
        }
    }

    fn sign_z(&self, key: &SecretKey, z: &[u8; 32]) -> Signature {
        let signature = self.backend.sign_digest(key.inner(), z);
        Signature::from_der_bytes(signature.to_der().to_bytes().into_vec())
    }

    fn verify_z(
        &self,
        key: &PublicKey,
        z: &[u8; 32],
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        let parsed = parse_der(signature)?;
        if self
            .backend
            .verify_digest(key.inner(), key.sec1(), z, &parsed)
        {
            Ok(())
        } else {
            Err(CryptoError::BadSignature)
        }
    }

    /// Operations performed so far.
    pub fn counts(&self) -> OpCounts {
        self.counters.snapshot()
    }

    /// A fresh P-256 key pair drawn from `stream`: 32 bytes at a time until they form a
    /// valid scalar (in `1..n`), so the key depends on the stream alone, not on how a
    /// backend happens to sample.
    pub fn generate_key(&self, stream: &mut Stream) -> SecretKey {
        self.counters.add(Op::KeyGen);
        loop {
            let candidate: [u8; 32] = stream.bytes();
            if let Ok(key) = SecretKey::scalar_from_bytes(&candidate)
                .and_then(|secret| self.key_from_scalar(secret))
            {
                return key;
            }
        }
    }

    /// A private key from its 32 big-endian bytes (as a device does when it installs an
    /// injected key, and as an oracle does with bytes an attacker holds).
    pub fn import_secret(&self, bytes: &[u8]) -> Result<SecretKey, CryptoError> {
        self.counters.add(Op::KeyImport);
        self.key_from_scalar(SecretKey::scalar_from_bytes(bytes)?)
    }

    /// An ECDSA P-256 / SHA-256 signature with the RFC 6979 deterministic nonce, DER
    /// encoded as X.509 and most protocols carry it.
    pub fn sign(&self, key: &SecretKey, message: &[u8]) -> Signature {
        self.counters.add(Op::Sign);
        self.sign_z(key, &Sha256::digest(message))
    }

    /// [`Crypto::sign`], then `s` moved to the lower half of the group order: the one
    /// form of the signature that a verifier refusing malleated signatures accepts.
    pub fn sign_low_s(&self, key: &SecretKey, message: &[u8]) -> Signature {
        let signature = self.sign(key, message);
        // `sign` always returns a well-formed DER signature, so this cannot fail.
        signature.to_low_s().unwrap_or(signature)
    }

    /// An RFC 6979 ECDSA P-256 signature over a SHA-256 digest the caller already has,
    /// as MCUboot's image signatures are: the image's hash TLV and its signature cover
    /// the same digest, so the region is hashed once.
    pub fn sign_digest(&self, key: &SecretKey, digest: &[u8; 32]) -> Signature {
        self.counters.add(Op::Sign);
        self.sign_z(key, digest)
    }

    /// Checks an ECDSA P-256 signature over a SHA-256 digest (see [`Crypto::sign_digest`]).
    pub fn verify_digest(
        &self,
        key: &PublicKey,
        digest: &[u8; 32],
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        self.counters.add(Op::Verify);
        self.verify_z(key, digest, signature)
    }

    /// Imports a private key from PEM: PKCS#8 (`PRIVATE KEY`, what `imgtool keygen` and
    /// `openssl genpkey` write) or SEC1 (`EC PRIVATE KEY`).
    pub fn import_secret_pem(&self, pem: &str) -> Result<SecretKey, CryptoError> {
        use p256::pkcs8::DecodePrivateKey;
        self.counters.add(Op::KeyImport);
        let key = p256::SecretKey::from_pkcs8_pem(pem)
            .or_else(|_| p256::SecretKey::from_sec1_pem(pem))
            .map_err(|_| CryptoError::InvalidPem {
                expected: "PRIVATE KEY or EC PRIVATE KEY",
            })?;
        self.key_from_scalar(key)
    }

    /// Checks an ECDSA P-256 / SHA-256 signature in DER form.
    pub fn verify(
        &self,
        key: &PublicKey,
        message: &[u8],
        signature: &Signature,
    ) -> Result<(), CryptoError> {
        self.counters.add(Op::Verify);
        self.verify_z(key, &Sha256::digest(message), signature)
    }

    /// Elliptic-curve Diffie-Hellman: the x-coordinate of the shared point.
    pub fn ecdh(&self, ours: &SecretKey, theirs: &PublicKey) -> [u8; 32] {
        self.counters.add(Op::Ecdh);
        self.backend.ecdh(
            (ours.inner(), ours.public_key().sec1()),
            theirs.inner(),
            theirs.sec1(),
        )
    }

    /// SHA-256 of `data`, as an actor of the simulated world computes it.
    pub fn sha256(&self, data: &[u8]) -> [u8; 32] {
        self.counters.add(Op::Sha256);
        let mut h = Sha256::new();
        h.update(data);
        h.finalize()
    }

    /// HKDF-SHA256 (RFC 5869) into a 32-byte key.
    pub fn hkdf_sha256(&self, salt: &[u8], ikm: &[u8], info: &[u8]) -> [u8; 32] {
        self.counters.add(Op::Kdf);
        let mut okm = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit of 255 blocks, so expand cannot fail;
        // should it ever, the all-zero key would fail every later AEAD check loudly.
        let _ = hkdf::Hkdf::<sha2::Sha256>::new(Some(salt), ikm).expand(info, &mut okm);
        okm
    }

    /// One AES-256 block encryption: what a card's crypto engine does for its ENCIPHER
    /// instruction, the operation its power is measured on.
    pub fn aes256_encrypt_block(&self, key: &[u8; 32], block: &[u8; 16]) -> [u8; 16] {
        use aes_gcm::aes::cipher::{BlockCipherEncrypt, KeyInit};
        self.counters.add(Op::AesBlock);
        let cipher = aes_gcm::aes::Aes256::new(key.into());
        let mut out = (*block).into();
        cipher.encrypt_block(&mut out);
        out.into()
    }

    /// AES-256-GCM encryption of `plaintext` with `aad` bound to it; the tag is appended.
    pub fn aead_seal(
        &self,
        key: &[u8; 32],
        nonce: &[u8; 12],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Vec<u8> {
        self.counters.add(Op::AeadSeal);
        let cipher = aes_gcm::Aes256Gcm::new(key.into());
        // Sealing only fails for inputs of gigabytes; the simulated world seals keys.
        cipher
            .encrypt(
                nonce.into(),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .unwrap_or_default()
    }

    /// AES-256-GCM decryption; fails if the key, nonce, `aad` or ciphertext differ from
    /// what was sealed.
    pub fn aead_open(
        &self,
        key: &[u8; 32],
        nonce: &[u8; 12],
        aad: &[u8],
        ciphertext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        self.counters.add(Op::AeadOpen);
        let cipher = aes_gcm::Aes256Gcm::new(key.into());
        cipher
            .decrypt(
                nonce.into(),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .map_err(|_| CryptoError::AeadOpenFailed)
    }
}
