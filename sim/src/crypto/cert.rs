use super::{Crypto, PublicKey, SecretKey};

/// Lets rcgen sign a certificate with a key held behind the facade: rcgen builds the
/// to-be-signed bytes, the facade signs them (RFC 6979) and counts the signature.
pub struct CertSigner<'a> {
    crypto: &'a Crypto,
    key: &'a SecretKey,
}

impl<'a> CertSigner<'a> {
    pub(super) fn new(crypto: &'a Crypto, key: &'a SecretKey) -> Self {
        CertSigner { crypto, key }
    }
}

impl rcgen::PublicKeyData for CertSigner<'_> {
    fn der_bytes(&self) -> &[u8] {
        self.key.public_key().sec1()
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

impl rcgen::SigningKey for CertSigner<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        Ok(self.crypto.sign(self.key, msg).as_der().to_vec())
    }
}

/// A subject's public key as rcgen puts it into a certificate.
impl rcgen::PublicKeyData for PublicKey {
    fn der_bytes(&self) -> &[u8] {
        self.sec1()
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}
