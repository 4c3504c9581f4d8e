use super::*;
use crate::Seed;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// RFC 6979, appendix A.2.5: P-256, SHA-256, message "sample". The nonce is
/// deterministic, so the whole signature (r, s) is fixed by the key and the message.
#[test]
fn rfc6979_known_answer_through_the_facade() {
    let crypto = Crypto::new();
    let key = crypto
        .import_secret(&unhex(
            "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        ))
        .unwrap();
    let expected_public = unhex(concat!(
        "04",
        "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
        "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
    ));
    assert_eq!(
        key.public_key().sec1().as_slice(),
        expected_public.as_slice()
    );

    let signature = crypto.sign(&key, b"sample");
    let parsed = p256::ecdsa::Signature::from_der(signature.as_der()).unwrap();
    let rs = parsed.to_bytes();
    assert_eq!(
        crate::to_hex(&rs[..32]),
        "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
    );
    assert_eq!(
        crate::to_hex(&rs[32..]),
        "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
    );
    crypto
        .verify(key.public_key(), b"sample", &signature)
        .unwrap();
    assert_eq!(crypto.counts().sign, 1);
    assert_eq!(crypto.counts().verify, 1);
}

#[test]
fn a_changed_message_or_key_does_not_verify() {
    let crypto = Crypto::new();
    let mut stream = Seed::new(1).stream("test/keys");
    let key = crypto.generate_key(&mut stream);
    let other = crypto.generate_key(&mut stream);
    let signature = crypto.sign(&key, b"firmware v1");
    assert_eq!(
        crypto.verify(key.public_key(), b"firmware v2", &signature),
        Err(CryptoError::BadSignature)
    );
    assert_eq!(
        crypto.verify(other.public_key(), b"firmware v1", &signature),
        Err(CryptoError::BadSignature)
    );
    let garbage = Signature::from_der_bytes(vec![0x30, 0x01]);
    assert_eq!(
        crypto.verify(key.public_key(), b"firmware v1", &garbage),
        Err(CryptoError::MalformedSignature)
    );
}

#[test]
fn keys_depend_on_the_stream_alone() {
    let crypto = Crypto::new();
    let a = crypto.generate_key(&mut Seed::new(9).stream("device/0/identity-key"));
    let b = crypto.generate_key(&mut Seed::new(9).stream("device/0/identity-key"));
    let c = crypto.generate_key(&mut Seed::new(9).stream("device/1/identity-key"));
    assert_eq!(a.public_key(), b.public_key());
    assert_ne!(a.public_key(), c.public_key());
    assert_eq!(crypto.counts().keygen, 3);
}

#[test]
fn ecdh_agrees_from_both_sides() {
    let crypto = Crypto::new();
    let mut stream = Seed::new(2).stream("test/ecdh");
    let (a, b) = (
        crypto.generate_key(&mut stream),
        crypto.generate_key(&mut stream),
    );
    assert_eq!(
        crypto.ecdh(&a, b.public_key()),
        crypto.ecdh(&b, a.public_key())
    );
}

#[test]
fn an_envelope_opens_only_for_its_recipient_and_context() {
    let crypto = Crypto::new();
    let mut stream = Seed::new(3).stream("test/envelope");
    let device = crypto.generate_key(&mut stream);
    let stranger = crypto.generate_key(&mut stream);
    let envelope = crypto.seal_envelope(
        device.public_key(),
        b"device 7 slot 0",
        b"secret!",
        &mut stream,
    );
    assert_eq!(envelope.as_bytes().len(), ENVELOPE_OVERHEAD + 7);
    assert_eq!(
        crypto
            .open_envelope(&device, b"device 7 slot 0", &envelope)
            .unwrap(),
        b"secret!"
    );
    assert_eq!(
        crypto.open_envelope(&stranger, b"device 7 slot 0", &envelope),
        Err(CryptoError::AeadOpenFailed)
    );
    assert_eq!(
        crypto.open_envelope(&device, b"device 8 slot 0", &envelope),
        Err(CryptoError::AeadOpenFailed)
    );
    let mut tampered = envelope.as_bytes().to_vec();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert_eq!(
        crypto.open_envelope(&device, b"device 7 slot 0", &Envelope::from_bytes(tampered)),
        Err(CryptoError::AeadOpenFailed)
    );
    assert!(matches!(
        crypto.open_envelope(&device, b"", &Envelope::from_bytes(vec![4; 10])),
        Err(CryptoError::EnvelopeTooShort { .. })
    ));
}

#[test]
fn debug_output_of_a_secret_key_shows_no_secret() {
    let crypto = Crypto::new();
    let key = crypto.generate_key(&mut Seed::new(4).stream("test/debug"));
    let shown = format!("{key:?}");
    let secret_hex = crate::to_hex(&key.expose_secret_bytes());
    assert!(!shown.contains(&secret_hex));
    assert!(shown.contains(&key.public_key().fingerprint().to_string()));
}

#[test]
fn invalid_scalars_are_refused() {
    let crypto = Crypto::new();
    assert_eq!(
        crypto.import_secret(&[0u8; 32]).unwrap_err(),
        CryptoError::InvalidSecretKey
    );
    assert_eq!(
        crypto.import_secret(&[0xff; 32]).unwrap_err(),
        CryptoError::InvalidSecretKey
    );
    assert_eq!(
        crypto.import_secret(&[1u8; 31]).unwrap_err(),
        CryptoError::InvalidSecretKey
    );
}

#[test]
fn digest_signatures_match_whole_message_signatures() {
    // Signing SHA-256(m) as a prehash must give the very signature RFC 6979 gives for m,
    // which is what lets MCUboot images be checked by any ECDSA-SHA256 verifier.
    let crypto = Crypto::new();
    let key = crypto.generate_key(&mut Seed::new(5).stream("test/prehash"));
    let message = b"mcuboot hashes header, body and protected TLVs";
    let digest = Sha256::digest(message);
    let by_digest = crypto.sign_digest(&key, &digest);
    assert_eq!(by_digest, crypto.sign(&key, message));
    crypto
        .verify_digest(key.public_key(), &digest, &by_digest)
        .unwrap();
    let mut other = digest;
    other[0] ^= 1;
    assert_eq!(
        crypto.verify_digest(key.public_key(), &other, &by_digest),
        Err(CryptoError::BadSignature)
    );
}

#[test]
fn pem_keys_round_trip_and_spki_matches_the_standard_encoding() {
    let crypto = Crypto::new();
    let key = crypto.generate_key(&mut Seed::new(6).stream("test/pem"));
    let pem = key.to_pkcs8_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    let back = crypto.import_secret_pem(&pem).unwrap();
    assert_eq!(back.public_key(), key.public_key());

    use p256::pkcs8::EncodePublicKey;
    let inner = p256::PublicKey::from_sec1_bytes(key.public_key().sec1()).unwrap();
    let der = inner.to_public_key_der().unwrap();
    assert_eq!(key.public_key().spki_der(), der.as_bytes());
    let public_pem = inner
        .to_public_key_pem(p256::pkcs8::LineEnding::LF)
        .unwrap();
    assert_eq!(PublicKey::from_pem(&public_pem).unwrap(), *key.public_key());

    assert!(matches!(
        crypto.import_secret_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
        Err(CryptoError::InvalidPem { .. })
    ));
    assert!(PublicKey::from_pem(&pem).is_err());
}

#[test]
fn a_signature_round_trips_through_its_fixed_form() {
    let crypto = Crypto::new();
    let key = crypto.generate_key(&mut Seed::new(4).stream("test/fixed"));
    let signature = crypto.sign(&key, b"jws signing input");
    let fixed = signature.to_fixed().unwrap();
    let back = Signature::from_fixed(&fixed).unwrap();
    assert!(
        crypto
            .verify(key.public_key(), b"jws signing input", &back)
            .is_ok()
    );
    assert!(Signature::from_fixed(&fixed[..63]).is_err());
    assert!(Signature::from_fixed(&[0; 64]).is_err());
    assert!(
        Signature::from_der_bytes(vec![0x30, 0x01])
            .to_fixed()
            .is_err()
    );
}

#[test]
fn low_s_signatures_verify_and_are_the_only_low_form() {
    let crypto = Crypto::new();
    let mut stream = Seed::new(3).stream("test/low-s");
    let key = crypto.generate_key(&mut stream);
    let mut seen_high = false;
    for i in 0u32..32 {
        let message = i.to_be_bytes();
        let plain = crypto.sign(&key, &message);
        let low = crypto.sign_low_s(&key, &message);
        assert!(low.is_low_s().unwrap());
        crypto.verify(key.public_key(), &message, &low).unwrap();
        if plain.is_low_s().unwrap() {
            assert_eq!(plain, low);
        } else {
            // The high form verifies too: that is the malleability a strict verifier refuses.
            seen_high = true;
            assert_ne!(plain, low);
            crypto.verify(key.public_key(), &message, &plain).unwrap();
            assert_eq!(plain.to_low_s().unwrap(), low);
        }
    }
    assert!(
        seen_high,
        "32 RFC 6979 signatures and none high-S: the test proves nothing"
    );
}
