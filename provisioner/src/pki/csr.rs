//! Checking a device's PKCS#10 certificate signing request (RFC 2986) before the vault
//! certifies its key: the request must be an ECDSA P-256 / SHA-256 request, signed by
//! the key it asks to certify (proof of possession), for the device on the station.

use provsim_devices::DeviceId;
use provsim_sim::crypto::{Crypto, PublicKey, Signature};
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::FromDer;

use crate::pki::certificate::ECDSA_WITH_SHA256;

/// Its AlgorithmIdentifier in DER, parameters absent as RFC 5758 requires.
const ECDSA_WITH_SHA256_DER: [u8; 12] = [
    0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02,
];

/// A DER TLV with a definite length.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else if len < 0x100 {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

/// The one DER encoding of a request with this signed part and signature: the parts
/// outside the signature must be exactly these bytes, so no lenient parse of them can
/// let an altered request through.
fn canonical_request(info: &[u8], signature: &[u8]) -> Vec<u8> {
    let mut bits = vec![0u8];
    bits.extend_from_slice(signature);
    let mut body = info.to_vec();
    body.extend_from_slice(&ECDSA_WITH_SHA256_DER);
    body.extend_from_slice(&tlv(0x03, &bits));
    tlv(0x30, &body)
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsrError {
    #[error("not a DER PKCS#10 request")]
    Malformed,
    #[error("signed with {0}, not ecdsa-with-SHA256")]
    Algorithm(String),
    #[error("its key is not a P-256 public key")]
    Key,
    #[error("its signature does not verify under its own key: no proof of possession")]
    Possession,
    #[error("it names {named:?}, not the device on the station ({expected})")]
    Subject { named: String, expected: DeviceId },
}

/// The key `der` asks to certify, once the request has been checked.
pub fn check_request(crypto: &Crypto, der: &[u8], device: DeviceId) -> Result<PublicKey, CsrError> {
    let (rest, request) =
        X509CertificationRequest::from_der(der).map_err(|_| CsrError::Malformed)?;
    if !rest.is_empty() {
        return Err(CsrError::Malformed);
    }
    let algorithm = request.signature_algorithm.algorithm.to_id_string();
    if algorithm != ECDSA_WITH_SHA256 {
        return Err(CsrError::Algorithm(algorithm));
    }
    let info = &request.certification_request_info;
    let key = PublicKey::from_sec1(&info.subject_pki.subject_public_key.data)
        .map_err(|_| CsrError::Key)?;
    if canonical_request(info.raw, &request.signature_value.data) != der {
        return Err(CsrError::Malformed);
    }
    let signature = Signature::from_der_bytes(request.signature_value.data.to_vec());
    crypto
        .verify(&key, info.raw, &signature)
        .map_err(|_| CsrError::Possession)?;
    let named: Vec<String> = info
        .subject
        .iter_common_name()
        .filter_map(|cn| cn.as_str().ok().map(str::to_owned))
        .collect();
    if named != [device.to_string()] {
        return Err(CsrError::Subject {
            named: named.join(","),
            expected: device,
        });
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::Seed;

    #[test]
    fn a_request_is_certified_only_with_proof_of_possession_for_its_device() {
        let crypto = Crypto::new();
        let key = crypto.generate_key(&mut Seed::new(1).stream("test/csr"));
        let device = DeviceId(0x42);
        let der = crypto
            .certificate_request(&key, &device.to_string())
            .unwrap();
        assert_eq!(
            check_request(&crypto, &der, device),
            Ok(key.public_key().clone())
        );
        assert!(matches!(
            check_request(&crypto, &der, DeviceId(0x43)),
            Err(CsrError::Subject { .. })
        ));
        // Any bit flipped in the signed part breaks the proof; nothing panics.
        for at in 0..der.len() {
            let mut bad = der.clone();
            bad[at] ^= 0x01;
            assert!(check_request(&crypto, &bad, device).is_err(), "byte {at}");
        }
        for cut in 0..der.len() {
            assert!(check_request(&crypto, &der[..cut], device).is_err());
        }
    }
}
