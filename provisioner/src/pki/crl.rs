//! The customer CA's certificate revocation list: an RFC 5280 (section 5) v2 CRL naming
//! the device certificates the CA no longer vouches for, signed in the vault like the
//! certificates themselves.
//!
//! The profile: the issuer is the customer CA's subject, byte for byte; thisUpdate is
//! the virtual time the CRL is issued at; each entry carries the serial of a device's
//! certificate, the virtual time it was revoked and its reason code; the CRL carries
//! the two extensions RFC 5280 (5.2) requires, the Authority Key Identifier (the CA's
//! subject key identifier) and the CRL Number. An empty list is written too (without the
//! `revokedCertificates` field, as 5.1.2.6 says), so "no certificate revoked" is itself
//! a signed statement, not the absence of a file.
//!
//! nextUpdate is 9999-12-31 23:59:59 UTC, the device certificates' own notAfter: the
//! run issues its one CRL when the order's books close and schedules no later one, so
//! the list stands for as long as the certificates it covers. A short nextUpdate from
//! virtual time (early 2025) would make every relying party today refuse the list as
//! expired.

use crate::device_streams::DeviceStreams;
use crate::pki::error::PkiError;
use crate::pki::hierarchy::Pki;
use crate::pki::profile::{
    device_certificate_serial, encoding, no_well_defined_expiration, virtual_date,
};
use crate::vault::error::HsmError;
use crate::vault::hsm::Hsm;
use provsim_sim::SimTime;
use provsim_sim::crypto::Crypto;
use rcgen::{CertificateRevocationListParams, Issuer, RevocationReason, RevokedCertParams};

/// Why a device's certificate is revoked: the CRLReason codes (RFC 5280 5.3.1) a
/// returned device can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Its identity key was, or may have been, read out of the chip (key material was
    /// still readable when it came back).
    KeyCompromise,
    /// The device is out of service: wiped, or destroyed.
    CessationOfOperation,
}

impl Reason {
    fn rcgen(self) -> RevocationReason {
        match self {
            Reason::KeyCompromise => RevocationReason::KeyCompromise,
            Reason::CessationOfOperation => RevocationReason::CessationOfOperation,
        }
    }
}

/// One device whose certificate the CRL revokes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revocation {
    /// The device's streams: its certificate's serial is re-derived from them.
    pub device: DeviceStreams,
    /// Virtual time the CA revoked it.
    pub at: SimTime,
    pub reason: Reason,
}

/// A CRL as issued, in both encodings, with what it says in brief.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCrl {
    pub der: Vec<u8>,
    /// PEM (`X509 CRL`), LF line endings, 64-character lines, as the certificates.
    pub pem: String,
    /// Its CRL Number.
    pub number: u64,
    /// The certificates it revokes.
    pub entries: u64,
}

impl Pki {
    /// Issues CRL number `number` of the customer CA at `at`, revoking the certificates
    /// of `revoked` in the order given. The vault signs it with the CA's key, as it
    /// signs device certificates: one counted HSM signature.
    pub(crate) fn issue_crl(
        &self,
        hsm: &mut Hsm,
        crypto: &Crypto,
        number: u64,
        at: SimTime,
        revoked: &[Revocation],
    ) -> Result<IssuedCrl, PkiError> {
        let authority = self.customer();
        let ca = authority.handle.ok_or(HsmError::NoSuchKey(0))?;
        let params = CertificateRevocationListParams {
            this_update: virtual_date(at),
            next_update: no_well_defined_expiration(),
            crl_number: number.into(),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|r| RevokedCertParams {
                    serial_number: device_certificate_serial(r.device),
                    revocation_time: virtual_date(r.at),
                    reason_code: Some(r.reason.rcgen()),
                    invalidity_date: None,
                })
                .collect(),
            // The CA's own subject key identifier, as its certificate carries it.
            key_identifier_method: authority.params.key_identifier_method.clone(),
        };
        let issuer = Issuer::from_params(&authority.params, hsm.crl_signer(crypto, ca)?);
        let der = params.signed_by(&issuer).map_err(encoding)?.der().to_vec();
        let config = pem::EncodeConfig::new()
            .set_line_ending(pem::LineEnding::LF)
            .set_line_wrap(64);
        let pem = pem::encode_config(&pem::Pem::new("X509 CRL", der.clone()), config);
        Ok(IssuedCrl {
            der,
            pem,
            number,
            entries: revoked.len() as u64,
        })
    }
}

#[cfg(test)]
#[path = "crl_tests.rs"]
mod tests;
