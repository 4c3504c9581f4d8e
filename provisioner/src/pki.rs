//! The certificate hierarchy: a root CA, the customer's device CA under it, and one
//! certificate per device under that.
//!
//! The profile follows RFC 5280 and passes `openssl verify -x509_strict` and pkilint:
//! positive serials of at most 20 octets drawn from the seed, fixed validity dates
//! (virtual time never enters a certificate), critical basic constraints and key usage,
//! subject and authority key identifiers set explicitly (RFC 7093 method 1: the first
//! 160 bits of SHA-256 over the subject public key), and the device serial number in the
//! subject as a PrintableString.

use crate::ceremony::{self, KeyShare, Quorum};
use crate::error::{HsmError, PkiError};
use crate::hsm::{CertSubject, Hsm, KeyHandle, KeyUse};
use provsim_devices::DeviceId;
use provsim_sim::crypto::{Crypto, Fingerprint, PublicKey, SecretKey};
use provsim_sim::{Ctx, Field, Seed, Stream};
use rcgen::string::PrintableString;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyUsagePurpose, SerialNumber,
};

/// Names that appear in certificate subjects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiNames {
    /// The organisation operating the root CA (the provisioning site).
    pub site: String,
    /// The customer whose devices are provisioned.
    pub customer: String,
}

/// A CA. Its key is held in the HSM, or, for the offline root, only as custodians'
/// shares between ceremonies (`handle` is `None`).
#[derive(Clone)]
pub struct CertificateAuthority {
    handle: Option<KeyHandle>,
    params: CertificateParams,
    certificate: IssuedCertificate,
    public_key: PublicKey,
}

impl Pki {
    /// A certificate naming `code` as its common name, signed by the customer CA, for
    /// `subject`: the proof of possession a cloud registrar asks for before it trusts the
    /// CA. Issued by the vault like any certificate under the CA.
    pub fn issue_verification_certificate(
        &self,
        hsm: &mut Hsm,
        crypto: &Crypto,
        code: &str,
        subject: &PublicKey,
        serial_stream: &mut Stream,
    ) -> Result<IssuedCertificate, PkiError> {
        let ca = self.customer.handle.ok_or(HsmError::NoSuchKey(0))?;
        let mut params = profile(serial_stream, subject, name(&self.customer_name(), code));
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        let issuer =
            Issuer::from_params(&self.customer.params, hsm.certificate_signer(crypto, ca)?);
        Ok(params.signed_by(subject, &issuer).map_err(encoding)?.into())
    }

    /// The customer's organisation name, as its CA certificate carries it.
    fn customer_name(&self) -> String {
        self.customer
            .params
            .distinguished_name
            .get(&DnType::OrganizationName)
            .map(|value| match value {
                DnValue::Utf8String(s) => s.clone(),
                DnValue::PrintableString(s) => s.as_str().to_owned(),
                _ => String::new(),
            })
            .unwrap_or_default()
    }
}

impl CertificateAuthority {
    pub fn certificate(&self) -> &IssuedCertificate {
        &self.certificate
    }

    /// Fingerprint of the CA's public key.
    pub fn key_fingerprint(&self) -> Fingerprint {
        self.public_key.fingerprint()
    }

    /// The CA's public key, as its certificate carries it.
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }
}

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

/// Validity shared by every certificate: from 2025-01-01 to 9999-12-31 23:59:59 UTC,
/// the RFC 5280 (4.1.2.5) value for "no well-defined expiration", as device identity
/// certificates (IEEE 802.1AR) use. Fixed dates keep certificates independent of any clock.
fn set_validity(params: &mut CertificateParams) {
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = rcgen::date_time_ymd(9999, 12, 31) + time::Duration::seconds(86_399);
}

/// What every certificate of the hierarchy shares: fixed validity, a serial from
/// `stream`, the subject, and the subject key identifier of `key`.
fn profile(stream: &mut Stream, key: &PublicKey, subject: DistinguishedName) -> CertificateParams {
    let mut params = CertificateParams::default();
    set_validity(&mut params);
    params.serial_number = Some(draw_serial(stream));
    params.distinguished_name = subject;
    params.key_identifier_method = KeyIdMethod::PreSpecified(key.fingerprint().key_id().to_vec());
    params
}

/// A CA certificate: critical basic constraints and certificate/CRL signing key usage.
fn ca_profile(
    stream: &mut Stream,
    key: &PublicKey,
    subject: DistinguishedName,
    constraints: BasicConstraints,
) -> CertificateParams {
    let mut params = profile(stream, key, subject);
    params.is_ca = IsCa::Ca(constraints);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

/// A positive serial of 16 octets from `stream` (RFC 5280 4.1.2.2: positive, at most
/// 20 octets; CA/B practice: at least 64 random bits). The top bit is cleared so the
/// DER integer needs no sign octet, and the next one set so it is never shortened.
fn draw_serial(stream: &mut Stream) -> SerialNumber {
    let mut bytes: [u8; 16] = stream.bytes();
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    SerialNumber::from_slice(&bytes)
}

fn printable(value: &str) -> Result<DnValue, PkiError> {
    PrintableString::try_from(value)
        .map(DnValue::PrintableString)
        .map_err(|e| PkiError::Encoding(format!("{value:?} is not a PrintableString: {e}")))
}

fn name(organisation: &str, common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, organisation);
    dn.push(DnType::CommonName, common_name);
    dn
}

fn encoding(e: rcgen::Error) -> PkiError {
    PkiError::Encoding(e.to_string())
}

/// The site's certificate hierarchy.
#[derive(Clone)]
pub struct Pki {
    root: CertificateAuthority,
    customer: CertificateAuthority,
    /// The vault's identity certificate, under the root: what a customer checks the
    /// manifest's signer against.
    vault: IssuedCertificate,
}

impl Pki {
    /// Makes both CA keys in the HSM and issues the root (self-signed), the customer
    /// device CA (signed by the root, path length 0), and, in the same ceremony, the
    /// certificate of the vault's identity key `vault_key`.
    pub fn establish(
        hsm: &mut Hsm,
        ctx: &mut Ctx<'_>,
        seed: Seed,
        names: &PkiNames,
        quorum: Quorum,
        vault_key: &PublicKey,
    ) -> Result<(Pki, Vec<KeyShare>, Vec<u8>), PkiError> {
        let mut root_stream = crate::labels::root_ca(seed);
        let (root_handle, root_key) =
            hsm.generate(ctx, KeyUse::CertificateAuthority, &mut root_stream);
        let root_params = ca_profile(
            &mut root_stream,
            &root_key,
            name(&names.site, &format!("{} Root CA", names.site)),
            BasicConstraints::Unconstrained,
        );
        let root_cert = root_params
            .self_signed(&hsm.certificate_signer(ctx.crypto, root_handle)?)
            .map_err(encoding)?;

        // The root goes offline: split among the custodians, then destroyed in the HSM.
        // Using it again takes a ceremony with a quorum of them.
        let shares = hsm.split_key(
            ctx,
            root_handle,
            quorum,
            &mut crate::labels::root_ceremony_shares(seed),
        )?;
        hsm.destroy(ctx, root_handle)?;
        let present =
            ceremony::attendees(quorum, &mut crate::labels::root_ceremony_attendees(seed));
        let presented: Vec<&KeyShare> = shares
            .iter()
            .filter(|s| present.contains(&s.custodian))
            .collect();
        let root_handle = hsm.restore_key(ctx, &presented, quorum, &root_key)?;

        let mut customer_stream = crate::labels::customer_ca(seed);
        let (customer_handle, customer_key) =
            hsm.generate(ctx, KeyUse::CertificateAuthority, &mut customer_stream);
        let mut customer_params = ca_profile(
            &mut customer_stream,
            &customer_key,
            name(&names.customer, &format!("{} Device CA", names.customer)),
            BasicConstraints::Constrained(0),
        );
        customer_params.use_authority_key_identifier_extension = true;
        let customer_cert = {
            let issuer = Issuer::from_params(
                &root_params,
                hsm.certificate_signer(ctx.crypto, root_handle)?,
            );
            customer_params
                .signed_by(&customer_key, &issuer)
                .map_err(encoding)?
        };
        let vault_cert = {
            let mut stream = crate::labels::vault_certificate(seed);
            let mut params = profile(
                &mut stream,
                vault_key,
                name(&names.site, &format!("{} Provisioning Vault", names.site)),
            );
            params.is_ca = IsCa::ExplicitNoCa;
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
            params.use_authority_key_identifier_extension = true;
            let issuer = Issuer::from_params(
                &root_params,
                hsm.certificate_signer(ctx.crypto, root_handle)?,
            );
            params.signed_by(vault_key, &issuer).map_err(encoding)?
        };
        // The ceremony ends: the restored root is destroyed again.
        hsm.destroy(ctx, root_handle)?;

        let pki = Pki {
            root: CertificateAuthority {
                handle: None,
                params: root_params,
                certificate: root_cert.into(),
                public_key: root_key,
            },
            customer: CertificateAuthority {
                handle: Some(customer_handle),
                params: customer_params,
                certificate: customer_cert.into(),
                public_key: customer_key,
            },
            vault: vault_cert.into(),
        };
        for (role, ca) in [("root", &pki.root), ("customer", &pki.customer)] {
            let cert_hash = provsim_sim::crypto::Sha256::digest(&ca.certificate.der);
            ctx.record(
                "ca-certificate",
                &[
                    ("role", Field::Str(role)),
                    ("sha256", Field::Bytes(&cert_hash)),
                ],
            );
        }
        Ok((pki, shares, present))
    }

    pub fn root(&self) -> &CertificateAuthority {
        &self.root
    }

    pub fn customer(&self) -> &CertificateAuthority {
        &self.customer
    }

    /// The vault identity's certificate, issued by the root.
    pub fn vault(&self) -> &IssuedCertificate {
        &self.vault
    }

    /// Issues a device's identity certificate under the customer CA, for the key the
    /// vault's policy lets it certify (see [`Hsm::device_certificate_signer`]), and
    /// returns it with the key it certifies.
    pub fn issue_device_certificate(
        &self,
        hsm: &mut Hsm,
        crypto: &Crypto,
        customer: &str,
        device: DeviceId,
        subject: CertSubject<'_>,
        serial_stream: &mut Stream,
    ) -> Result<(IssuedCertificate, PublicKey), PkiError> {
        let ca = self.customer.handle.ok_or(HsmError::NoSuchKey(0))?;
        let (public_key, signer) = hsm.device_certificate_signer(crypto, ca, subject)?;
        let params = device_profile(customer, device, &public_key, serial_stream)?;
        let issuer = Issuer::from_params(&self.customer.params, signer);
        let certificate = params.signed_by(&public_key, &issuer).map_err(encoding)?;
        Ok((certificate.into(), public_key))
    }
}

impl CertificateAuthority {
    /// A device certificate signed with `key`, which must be this CA's private key: what
    /// anyone who holds that key can make, since the profile is public (every device
    /// carries a certificate in it). The line never calls this; an attacker who has
    /// recovered the key does.
    pub fn certify_with_key(
        &self,
        key: &SecretKey,
        crypto: &Crypto,
        customer: &str,
        device: DeviceId,
        public_key: &PublicKey,
        serial_stream: &mut Stream,
    ) -> Result<IssuedCertificate, PkiError> {
        let params = device_profile(customer, device, public_key, serial_stream)?;
        let issuer = Issuer::from_params(&self.params, crypto.cert_signer(key));
        Ok(params
            .signed_by(public_key, &issuer)
            .map_err(encoding)?
            .into())
    }
}

/// The device certificate profile of DESIGN.md: the device id as common name and as a
/// PrintableString serialNumber, digital-signature key usage, client-auth EKU, not a CA.
fn device_profile(
    customer: &str,
    device: DeviceId,
    public_key: &PublicKey,
    serial_stream: &mut Stream,
) -> Result<CertificateParams, PkiError> {
    let serial = device.to_string();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, customer);
    dn.push(DnType::CommonName, serial.as_str());
    dn.push(
        DnType::CustomDnType(SERIAL_NUMBER_OID.to_vec()),
        printable(&serial)?,
    );
    let mut params = profile(serial_stream, public_key, dn);
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.use_authority_key_identifier_extension = true;
    Ok(params)
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
                &provsim_sim::crypto::Signature::from_der_bytes(cert.signature_value.data.to_vec()),
            )
            .is_ok()
}

/// id-at-serialNumber (X.520, 2.5.4.5).
const SERIAL_NUMBER_OID: &[u64] = &[2, 5, 4, 5];

/// A site PKI on its own, for tests and harnesses elsewhere: the ceremony run with the
/// default quorum in a fresh vault, the vault's identity key made from
/// `test/vault`, and the customer CA's private key re-derived from its stream as ground
/// truth is (what an attacker who stole it would hold).
pub mod testing {
    use super::{Pki, PkiNames};
    use crate::ceremony::Quorum;
    use crate::custody::Custody;
    use crate::hsm::Hsm;
    use crate::secrets::IdentityOrigin;
    use provsim_sim::crypto::{Crypto, SecretKey};
    use provsim_sim::{Ctx, Seed, SimTime, Trace};

    pub struct TestPki {
        pub pki: Pki,
        pub hsm: Hsm,
        pub vault_key: SecretKey,
        pub customer_ca_key: SecretKey,
    }

    /// Site "House", customer "Customer".
    pub fn establish(
        crypto: &Crypto,
        seed: Seed,
        custody: Custody,
    ) -> Result<TestPki, crate::error::PkiError> {
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, crypto, &mut trace);
        let mut hsm = Hsm::new(custody, IdentityOrigin::Vault);
        let names = PkiNames {
            site: "House".into(),
            customer: "Customer".into(),
        };
        let vault_key = crypto.generate_key(&mut crate::labels::test_vault_key(seed));
        let (pki, _, _) = Pki::establish(
            &mut hsm,
            &mut ctx,
            seed,
            &names,
            Quorum::DEFAULT,
            vault_key.public_key(),
        )?;
        Ok(TestPki {
            pki,
            hsm,
            vault_key,
            customer_ca_key: crypto.generate_key(&mut crate::labels::customer_ca(seed)),
        })
    }

    #[cfg(test)]
    #[test]
    fn the_re_derived_ca_key_is_the_customer_cas() {
        let crypto = Crypto::new();
        let test = establish(&crypto, Seed::new(3), Custody::SharedVm).unwrap();
        assert_eq!(
            test.customer_ca_key.public_key(),
            test.pki.customer().public_key()
        );
        assert!(!test.pki.vault().der.is_empty());
    }
}
