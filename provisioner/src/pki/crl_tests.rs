use super::*;
use crate::pki::testing;
use crate::vault::custody::Custody;
use provsim_devices::DeviceId;
use provsim_sim::crypto::Signature;
use provsim_sim::{Seed, SimDuration};
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer, X509Certificate, X509Version};
use x509_parser::revocation_list::CertificateRevocationList;

/// The key identifier an authority or subject key identifier extension carries.
fn key_id(
    extensions: &[x509_parser::extensions::X509Extension<'_>],
    subject: bool,
) -> Option<Vec<u8>> {
    extensions.iter().find_map(|e| match e.parsed_extension() {
        ParsedExtension::AuthorityKeyIdentifier(aki) if !subject => {
            aki.key_identifier.as_ref().map(|k| k.0.to_vec())
        }
        ParsedExtension::SubjectKeyIdentifier(ski) if subject => Some(ski.0.to_vec()),
        _ => None,
    })
}

/// The CRL names each revoked device's certificate by the serial the CA really gave it,
/// with its date and reason, carries the extensions RFC 5280 requires, and verifies
/// under the customer CA's key; the vault counts one CRL signature.
#[test]
fn a_crl_revokes_the_certificates_it_names_under_the_customer_ca() {
    let crypto = Crypto::new();
    let seed = Seed::new(7);
    let mut test = testing::establish(&crypto, seed, Custody::ProvisionerHsm).unwrap();
    let ca = test.pki.customer();
    // Device 3's certificate, issued from its own serial stream as the station does.
    let holder = crypto.generate_key(&mut seed.stream("test/crl/device"));
    let certificate = ca
        .certify_with_key(
            &test.customer_ca_key,
            &crypto,
            "Customer",
            DeviceId(3),
            holder.public_key(),
            &mut DeviceStreams::new(seed, 3).certificate_serial(),
        )
        .unwrap();
    let (_, cert) = X509Certificate::from_der(&certificate.der).unwrap();
    let revoked = [
        Revocation {
            device: DeviceStreams::new(seed, 3),
            at: SimTime::ZERO + SimDuration::from_millis(2_500),
            reason: Reason::CessationOfOperation,
        },
        Revocation {
            device: DeviceStreams::new(seed, 9),
            at: SimTime::ZERO + SimDuration::from_millis(3_000),
            reason: Reason::KeyCompromise,
        },
    ];
    let at = SimTime::ZERO + SimDuration::from_millis(86_400_000 + 3_600_000);
    let signed = test.hsm.stats().crls_signed;
    let issued = test
        .pki
        .issue_crl(&mut test.hsm, &crypto, 1, at, &revoked)
        .unwrap();
    assert_eq!(test.hsm.stats().crls_signed, signed + 1);
    assert_eq!((issued.number, issued.entries), (1, 2));
    assert!(issued.pem.starts_with("-----BEGIN X509 CRL-----\n"));
    assert!(!issued.pem.contains('\r'));

    let (rest, crl) = CertificateRevocationList::from_der(&issued.der).unwrap();
    assert!(rest.is_empty());
    assert_eq!(crl.version(), Some(X509Version::V2));
    let ca_cert = X509Certificate::from_der(&ca.certificate().der).unwrap().1;
    assert_eq!(crl.issuer().as_raw(), ca_cert.subject().as_raw());
    assert_eq!(
        crl.last_update().to_datetime(),
        rcgen::date_time_ymd(2025, 1, 2) + time::Duration::hours(1)
    );
    assert_eq!(
        crl.next_update().map(|t| t.to_datetime()),
        Some(no_well_defined_expiration())
    );
    assert_eq!(crl.crl_number().map(|n| n.to_string()), Some("1".into()));
    let authority_key = key_id(crl.extensions(), false);
    assert_eq!(authority_key, key_id(ca_cert.extensions(), true));
    assert_eq!(authority_key, Some(ca.key_fingerprint().key_id().to_vec()));

    let entries: Vec<_> = crl.iter_revoked_certificates().collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].raw_serial(), cert.raw_serial());
    assert_ne!(entries[1].raw_serial(), cert.raw_serial());
    let reasons: Vec<u8> = entries
        .iter()
        .map(|e| e.reason_code().map_or(0, |(_, code)| code.0))
        .collect();
    assert_eq!(reasons, [5, 1]);
    assert_eq!(
        entries[0].revocation_date.to_datetime(),
        rcgen::date_time_ymd(2025, 1, 1) + time::Duration::seconds(2)
    );

    let signature = Signature::from_der_bytes(crl.signature_value.data.to_vec());
    let tbs = crl.tbs_cert_list.as_ref();
    assert!(crypto.verify(ca.public_key(), tbs, &signature).is_ok());
    assert!(
        crypto
            .verify(test.pki.root().public_key(), tbs, &signature)
            .is_err()
    );
    // The same input gives the same bytes.
    let again = test
        .pki
        .issue_crl(&mut test.hsm, &crypto, 1, at, &revoked)
        .unwrap();
    assert_eq!(again, issued);
}

/// With nothing revoked the CRL is still issued and signed, without a
/// `revokedCertificates` field (RFC 5280 5.1.2.6).
#[test]
fn an_empty_crl_is_signed_and_lists_nothing() {
    let crypto = Crypto::new();
    let mut test = testing::establish(&crypto, Seed::new(8), Custody::CustomerHsm).unwrap();
    let issued = test
        .pki
        .issue_crl(&mut test.hsm, &crypto, 1, SimTime::ZERO, &[])
        .unwrap();
    assert_eq!(issued.entries, 0);
    let (_, crl) = CertificateRevocationList::from_der(&issued.der).unwrap();
    assert_eq!(crl.iter_revoked_certificates().count(), 0);
    let signature = Signature::from_der_bytes(crl.signature_value.data.to_vec());
    let ca = test.pki.customer().public_key();
    assert!(
        crypto
            .verify(ca, crl.tbs_cert_list.as_ref(), &signature)
            .is_ok()
    );
}
