//! The site's certificate hierarchy: the root CA, kept offline between ceremonies, the
//! customer's device CA under it, and the vault's identity certificate.

use crate::labels;
use crate::pki::authority::CertificateAuthority;
use crate::pki::certificate::IssuedCertificate;
use crate::pki::csr::check_request;
use crate::pki::error::PkiError;
use crate::pki::profile::{ca_profile, device_profile, encoding, name, profile};
use crate::vault::ceremony::{self, KeyShare, Quorum};
use crate::vault::error::HsmError;
use crate::vault::hsm::{CertSubject, Hsm, KeyUse};
use provsim_devices::DeviceId;
use provsim_sim::crypto::{Crypto, PublicKey, Sha256};
use provsim_sim::{Ctx, Field, Seed, Stream};
use rcgen::{BasicConstraints, DnType, DnValue, IsCa, Issuer, KeyUsagePurpose};

/// Names that appear in certificate subjects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiNames {
    /// The organisation operating the root CA (the provisioning site).
    pub site: String,
    /// The customer whose devices are provisioned.
    pub customer: String,
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
        let mut root_stream = labels::root_ca(seed);
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
            &mut labels::root_ceremony_shares(seed),
        )?;
        hsm.destroy(ctx, root_handle)?;
        let present = ceremony::attendees(quorum, &mut labels::root_ceremony_attendees(seed));
        let presented: Vec<&KeyShare> = shares
            .iter()
            .filter(|s| present.contains(&s.custodian))
            .collect();
        let root_handle = hsm.restore_key(ctx, &presented, quorum, &root_key)?;

        let mut customer_stream = labels::customer_ca(seed);
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
            let mut stream = labels::vault_certificate(seed);
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
            let cert_hash = Sha256::digest(&ca.certificate.der);
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
    pub(crate) fn issue_device_certificate(
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

    /// Issues a device's identity certificate for the key a chip made itself, from the
    /// PKCS#10 `request` it signed with it, and returns it with that key. The vault is
    /// asked first whether it certifies requests at all (so a vault that does not never
    /// reads one); then the request is checked ([`check_request`]: proof of possession,
    /// `device` named), and the vault certifies the key the request proved.
    pub fn issue_certificate_for_request(
        &self,
        hsm: &mut Hsm,
        crypto: &Crypto,
        customer: &str,
        device: DeviceId,
        request: &[u8],
        serial_stream: &mut Stream,
    ) -> Result<(IssuedCertificate, PublicKey), PkiError> {
        // The CA and the vault's policy are asked again when the vault signs; asking
        // first keeps the refusals in the order they always came (no CA, then the
        // policy, then the request itself), and a refusing vault never reads a request.
        self.customer.handle.ok_or(HsmError::NoSuchKey(0))?;
        hsm.certifies_requests()?;
        let key = check_request(crypto, request, device)?;
        let subject = CertSubject::Requested(&key);
        self.issue_device_certificate(hsm, crypto, customer, device, subject, serial_stream)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::csr::CsrError;
    use crate::vault::custody::Custody;
    use crate::vault::secrets::IdentityOrigin;
    use provsim_sim::{SimTime, Trace};

    /// The vault is asked before the request is read, and only a request that passes the
    /// check has its key certified: the order the HSM kept when it read requests itself.
    #[test]
    fn a_request_is_read_only_where_the_vault_certifies_requests() {
        let crypto = Crypto::new();
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
        let seed = Seed::new(6);
        let names = PkiNames {
            site: "House".into(),
            customer: "Customer".into(),
        };
        let chip = crypto.generate_key(&mut seed.stream("test/chip"));
        let device = DeviceId(0x42);
        let request = crypto
            .certificate_request(&chip, &device.to_string())
            .unwrap();
        for origin in [IdentityOrigin::Vault, IdentityOrigin::Device] {
            let mut hsm = Hsm::new(Custody::ProvisionerHsm, origin);
            let vault_key = crypto.generate_key(&mut seed.stream("test/pki-order/vault"));
            let (pki, _, _) = Pki::establish(
                &mut hsm,
                &mut ctx,
                seed,
                &names,
                Quorum::DEFAULT,
                vault_key.public_key(),
            )
            .unwrap();
            let signed = hsm.stats().certificates_signed;
            let mut serial = seed.stream("test/serial");
            let mut issue = |der: &[u8], hsm: &mut Hsm| {
                pki.issue_certificate_for_request(
                    hsm,
                    &crypto,
                    "Customer",
                    device,
                    der,
                    &mut serial,
                )
            };
            let garbage = issue(b"not a request", &mut hsm);
            match origin {
                IdentityOrigin::Vault => {
                    assert!(
                        matches!(garbage, Err(PkiError::Hsm(HsmError::Refused { .. }))),
                        "{garbage:?}"
                    );
                    // A well-formed request is refused unread: no signature is checked.
                    let verified = crypto.counts().verify;
                    assert!(issue(&request, &mut hsm).is_err());
                    assert_eq!(crypto.counts().verify, verified);
                    assert_eq!(hsm.stats().certificates_signed, signed);
                }
                IdentityOrigin::Device => {
                    let refused = garbage.map(|(_, key)| key);
                    assert_eq!(refused, Err(PkiError::Request(CsrError::Malformed)));
                    // The words the vault used when it read requests itself.
                    let words = refused.unwrap_err().to_string();
                    assert!(
                        words.starts_with("the device's certificate request was refused: "),
                        "{words}"
                    );
                    let issued = issue(&request, &mut hsm);
                    assert_eq!(issued.map(|(_, key)| key), Ok(chip.public_key().clone()));
                    assert_eq!(hsm.stats().certificates_signed, signed + 1);
                }
            }
        }
    }
}
