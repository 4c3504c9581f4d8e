//! Who an end of the link is: its key and its certificate under the site's link CA,
//! for the end it serves.

use crate::link::error::LinkError;
use crate::pki::certificate::signed_by;
use crate::pki::error::PkiError;
use provsim_sim::Stream;
use provsim_sim::crypto::{Crypto, PublicKey, SecretKey};

/// An end's identity on the link: its key and its certificate (DER) under the anchor.
#[derive(Clone)]
pub struct LinkIdentity {
    pub key: SecretKey,
    pub certificate: Vec<u8>,
}

/// Which end of the link a certificate is for: its extended key usage says so (the
/// station is the TLS-style client, the vault the server), so a certificate for one end,
/// or for anything else under the same anchor, cannot stand in for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Station,
    Vault,
}

impl Role {
    fn eku(self) -> rcgen::ExtendedKeyUsagePurpose {
        match self {
            Role::Station => rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            Role::Vault => rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        }
    }
}

/// A link certificate for `key` in `role`, signed by the link anchor `anchor` (the
/// site's link CA): end-entity, digital signature, and the role's extended key usage.
pub fn link_certificate(
    crypto: &Crypto,
    anchor: &SecretKey,
    key: &PublicKey,
    role: Role,
    serial: &mut Stream,
) -> Result<Vec<u8>, PkiError> {
    let encoding = |e: rcgen::Error| PkiError::Encoding(e.to_string());
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("provsim link {role:?}"));
    let mut bytes: [u8; 16] = serial.bytes();
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&bytes));
    params.is_ca = rcgen::IsCa::ExplicitNoCa;
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![role.eku()];
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(9999, 12, 31);
    let mut anchor_params = rcgen::CertificateParams::default();
    anchor_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "provsim link CA");
    let issuer = rcgen::Issuer::from_params(&anchor_params, crypto.cert_signer(anchor));
    Ok(params
        .signed_by(key, &issuer)
        .map_err(encoding)?
        .der()
        .to_vec())
}

/// The key of `certificate` if the anchor `trust` signed it (ecdsa-with-SHA256) for an
/// end entity in `role`.
pub(super) fn certified_key(
    crypto: &Crypto,
    certificate: &[u8],
    trust: &PublicKey,
    role: Role,
) -> Result<PublicKey, LinkError> {
    let (rest, cert) =
        x509_parser::parse_x509_certificate(certificate).map_err(|_| LinkError::Certificate)?;
    let signed = signed_by(crypto, &cert, trust);
    let for_role = matches!(
        cert.extended_key_usage(),
        Ok(Some(eku)) if match role {
            Role::Station => eku.value.client_auth,
            Role::Vault => eku.value.server_auth,
        }
    );
    if !signed || !rest.is_empty() || cert.is_ca() || !for_role {
        return Err(LinkError::Certificate);
    }
    PublicKey::from_sec1(&cert.public_key().subject_public_key.data)
        .map_err(|_| LinkError::Certificate)
}
