use super::error::CryptoError;
use super::facade::Crypto;
use super::keys::{PublicKey, SecretKey};

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

impl Crypto {
    /// A signer that rcgen can issue certificates with; each certificate it signs is
    /// counted as one signature.
    pub fn cert_signer<'a>(&'a self, key: &'a SecretKey) -> CertSigner<'a> {
        CertSigner::new(self, key)
    }

    /// A PKCS#10 certificate signing request (RFC 2986) for `key`, with `common_name` as
    /// its subject, signed by `key` itself as proof of possession (one counted
    /// signature). What a chip that makes its own identity key sends out.
    pub fn certificate_request(
        &self,
        key: &SecretKey,
        common_name: &str,
    ) -> Result<Vec<u8>, CryptoError> {
        let mut params = rcgen::CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, common_name);
        params
            .serialize_request(&self.cert_signer(key))
            .map(|csr| csr.der().to_vec())
            .map_err(|e| CryptoError::Encoding(e.to_string()))
    }
}
