//! Unit tests of the manifest entry: it verifies, and any change to it does not.

use super::*;
use crate::books::manifest::fixture::{Fixture, malleate};
use crate::books::manifest::jws::{SignedLine, b64url};

#[test]
fn timestamps_are_rfc3339_from_the_first_of_2025() {
    assert_eq!(timestamp(0), "2025-01-01T00:00:00.000Z");
    assert_eq!(
        timestamp(((24 * 3600 + 3661) * 1_000_000_000) + 42_000_000),
        "2025-01-02T01:01:01.042Z"
    );
}

#[test]
fn an_entry_verifies_and_any_change_to_it_does_not() {
    let f = Fixture::new();
    let (crypto, signer, signer_der) = (&f.crypto, &f.signer, &f.signer_der);
    let fields = f.fields(7);
    let (line, _) = f.sign(&fields);
    let entry = verify_entry(crypto, &line, signer.public_key(), signer_der).unwrap();
    assert_eq!(entry.unique_id, "5053000100000007");
    assert_eq!(entry.number, 7);
    assert_eq!(&entry.identity, f.device_key.public_key());
    assert_eq!(entry.certificate, f.device_cert);

    // An entry whose certificate is for another key than its JWK is refused.
    let other = ManifestFields {
        chain: [&f.ca_cert, &f.ca_cert],
        ..fields.clone()
    };
    let (crossed, _) = f.sign(&other);
    assert!(matches!(
        verify_entry(crypto, &crossed, signer.public_key(), signer_der),
        Err(ManifestError::Payload(_))
    ));

    // Another signer certificate, or another key, is refused.
    assert!(matches!(
        verify_entry(crypto, &line, signer.public_key(), b"other"),
        Err(ManifestError::Header(_))
    ));
    assert!(matches!(
        verify_entry(crypto, &line, f.device_key.public_key(), signer_der),
        Err(ManifestError::Header(_))
    ));
    // The right header, signed by another key: the signature binds the signer.
    let input = fields.signing_input(signer.public_key(), signer_der);
    let forged = fields
        .entry(
            signer.public_key(),
            signer_der,
            &crypto.sign(&f.device_key, input.as_bytes()),
        )
        .unwrap();
    assert_eq!(
        verify_entry(crypto, &forged, signer.public_key(), signer_der),
        Err(ManifestError::Signature)
    );
    // Every byte changed in turn: refused, never a panic.
    for at in 0..line.len() {
        let mut bytes = line.clone().into_bytes();
        bytes[at] ^= 0x01;
        let Ok(changed) = String::from_utf8(bytes) else {
            continue;
        };
        // JSON allows a changed byte in insignificant whitespace only: there is none.
        assert!(
            verify_entry(crypto, &changed, signer.public_key(), signer_der).is_err(),
            "byte {at} changed and the entry still verified"
        );
    }
}

/// The header is Microchip's: `alg`, `kid` as the base64url of the signer's key
/// identifier (its certificate's subject key identifier), `x5t#S256`; nothing else.
#[test]
fn the_protected_header_names_the_signer_as_microchips_format_does() {
    let f = Fixture::new();
    let (line, _) = f.sign(&f.fields(1));
    let jws = SignedLine::parse(&line).unwrap();
    let mut names: Vec<&str> = jws.header.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["alg", "kid", "x5t#S256"]);
    assert_eq!(
        jws.header["kid"],
        b64url(&f.signer.public_key().fingerprint().key_id())
    );
    assert_eq!(jws.header["kid"].as_str().unwrap().len(), 27, "20 bytes");
}

/// Entries go out low-S whatever the signer returned, and the high-S form of a valid
/// signature (which verifies as ECDSA) is refused as malleated.
#[test]
fn entries_are_low_s_and_a_high_s_copy_is_refused_as_malleated() {
    let f = Fixture::new();
    let mut seen_high = false;
    for number in 1..=16 {
        let fields = f.fields(number);
        let (line, signature) = f.sign(&fields);
        seen_high |= !signature.is_low_s().unwrap();
        let verified = verify_entry(&f.crypto, &line, f.signer.public_key(), &f.signer_der);
        assert_eq!(verified.map(|e| e.number), Ok(number));

        let low = signature.to_low_s().unwrap();
        let high = malleate(&low);
        assert!(!high.is_low_s().unwrap());
        let input = fields.signing_input(f.signer.public_key(), &f.signer_der);
        f.crypto
            .verify(f.signer.public_key(), input.as_bytes(), &high)
            .expect("the high-S form is a valid ECDSA signature");
        let mut jws: serde_json::Value = serde_json::from_str(&line).unwrap();
        jws["signature"] = b64url(&high.to_fixed().unwrap()).into();
        assert_eq!(
            verify_entry(
                &f.crypto,
                &jws.to_string(),
                f.signer.public_key(),
                &f.signer_der
            ),
            Err(ManifestError::Malleated)
        );
    }
    assert!(
        seen_high,
        "no signature came out high-S: nothing was normalised"
    );
}
