//! A certificate as the site issues it, and the one check every relying party makes of
//! a certificate's signature.

use provsim_sim::crypto::{Crypto, PublicKey, Signature};

/// A certificate as issued, in both encodings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCertificate {
    pub der: Vec<u8>,
    pub pem: String,
}

impl From<rcgen::Certificate> for IssuedCertificate {
    /// PEM is encoded here with LF line endings and 64-character lines (RFC 7468), not
    /// by rcgen, whose line ending follows the host platform: the same seed must give
    /// the same bytes on every machine.
    fn from(cert: rcgen::Certificate) -> Self {
        let der = cert.der().to_vec();
        let config = pem::EncodeConfig::new()
            .set_line_ending(pem::LineEnding::LF)
            .set_line_wrap(64);
        let pem = pem::encode_config(&pem::Pem::new("CERTIFICATE", der.clone()), config);
        IssuedCertificate { pem, der }
    }
}

/// ecdsa-with-SHA256 (RFC 5758): the only signature algorithm the site's certificates
/// and requests use.
pub const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";

/// Whether `cert` is signed ecdsa-with-SHA256 by `issuer`: the check every relying party
/// here makes (the registrar, the link, the claims' oracles).
pub fn signed_by(
    crypto: &Crypto,
    cert: &x509_parser::certificate::X509Certificate<'_>,
    issuer: &PublicKey,
) -> bool {
    cert.signature_algorithm.algorithm.to_id_string() == ECDSA_WITH_SHA256
        && crypto
            .verify(
                issuer,
                cert.tbs_certificate.as_ref(),
                &Signature::from_der_bytes(cert.signature_value.data.to_vec()),
            )
            .is_ok()
}
