//! The certificate profile every certificate of the hierarchy follows (see the PKI's
//! module documentation): what a CA, the vault and a device certificate each carry.

use crate::device_streams::DeviceStreams;
use crate::pki::error::PkiError;
use provsim_devices::DeviceId;
use provsim_sim::crypto::PublicKey;
use provsim_sim::{SimTime, Stream};
use rcgen::string::PrintableString;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, KeyIdMethod, KeyUsagePurpose, SerialNumber,
};

/// Validity shared by every certificate: from 2025-01-01 to 9999-12-31 23:59:59 UTC,
/// the RFC 5280 (4.1.2.5) value for "no well-defined expiration", as device identity
/// certificates (IEEE 802.1AR) use. Fixed dates keep certificates independent of any clock.
fn set_validity(params: &mut CertificateParams) {
    params.not_before = rcgen::date_time_ymd(2025, 1, 1);
    params.not_after = no_well_defined_expiration();
}

/// 9999-12-31 23:59:59 UTC: the certificates' notAfter.
pub(super) fn no_well_defined_expiration() -> time::OffsetDateTime {
    rcgen::date_time_ymd(9999, 12, 31) + time::Duration::seconds(86_399)
}

/// `at` as a date, to the second (what X.509 times hold): virtual time zero is
/// 2025-01-01T00:00:00Z, the certificates' notBefore, as the manifest's timestamps
/// count from it too. Virtual time ends within 585 years (64 bits of nanoseconds), so
/// the date always exists.
pub(super) fn virtual_date(at: SimTime) -> time::OffsetDateTime {
    let seconds = i64::try_from(at.as_nanos() / 1_000_000_000).unwrap_or(i64::MAX);
    rcgen::date_time_ymd(2025, 1, 1)
        .checked_add(time::Duration::seconds(seconds))
        .unwrap_or_else(no_well_defined_expiration)
}

/// What every certificate of the hierarchy shares: fixed validity, a serial from
/// `stream`, the subject, and the subject key identifier of `key`.
pub(super) fn profile(
    stream: &mut Stream,
    key: &PublicKey,
    subject: DistinguishedName,
) -> CertificateParams {
    let mut params = CertificateParams::default();
    set_validity(&mut params);
    params.serial_number = Some(draw_serial(stream));
    params.distinguished_name = subject;
    params.key_identifier_method = KeyIdMethod::PreSpecified(key.fingerprint().key_id().to_vec());
    params
}

/// A CA certificate: critical basic constraints and certificate/CRL signing key usage.
pub(super) fn ca_profile(
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

/// The serial of device certificates issued for the device of `streams`: the first
/// thing [`device_profile`] draws from its certificate-serial stream. The CRL names a
/// returned device's certificate by it, re-derived, so the line keeps no serial per
/// device for the few that come back.
pub(super) fn device_certificate_serial(streams: DeviceStreams) -> SerialNumber {
    draw_serial(&mut streams.certificate_serial())
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

pub(super) fn name(organisation: &str, common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, organisation);
    dn.push(DnType::CommonName, common_name);
    dn
}

pub(super) fn encoding(e: rcgen::Error) -> PkiError {
    PkiError::Encoding(e.to_string())
}

/// The device certificate profile of DESIGN.md: the device id as common name and as a
/// PrintableString serialNumber, digital-signature key usage, client-auth EKU, not a CA.
pub(super) fn device_profile(
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

/// id-at-serialNumber (X.520, 2.5.4.5).
const SERIAL_NUMBER_OID: &[u64] = &[2, 5, 4, 5];
