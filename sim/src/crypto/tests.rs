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
    rfc6979_known_answer_on(Backend::Fast);
    rfc6979_known_answer_on(Backend::Reference);
}

fn rfc6979_known_answer_on(backend: Backend) {
    let crypto = Crypto::with_backend(backend);
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

#[test]
fn the_backend_is_named_by_provsim_crypto() {
    assert_eq!(Backend::from_name("reference"), Ok(Backend::Reference));
    assert_eq!(Backend::from_name("fast"), Ok(Backend::Fast));
    assert_eq!(Backend::from_name(""), Ok(Backend::Fast));
    assert_eq!(
        Backend::from_name("referense"),
        Err(CryptoError::UnknownBackend("referense".to_string()))
    );
    assert_eq!(
        Crypto::with_backend(Backend::Reference).backend(),
        Backend::Reference
    );
}

mod fast_equals_reference {
    //! The fast backend must return the reference's bytes for every input: that is what
    //! lets it run the pipeline without changing one output byte.
    use super::*;
    use proptest::prelude::*;

    fn pair() -> (Crypto, Crypto) {
        (
            Crypto::with_backend(Backend::Fast),
            Crypto::with_backend(Backend::Reference),
        )
    }

    /// A valid scalar from any 32 bytes (zero and out-of-range values map into range),
    /// so every draw tests something.
    fn scalar(bytes: [u8; 32]) -> Vec<u8> {
        let mut b = bytes;
        b[0] &= 0x7f;
        if b.iter().all(|&x| x == 0) {
            b[31] = 1;
        }
        b.to_vec()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn keys_signatures_and_ecdh_are_byte_identical(
            a in any::<[u8; 32]>(),
            b in any::<[u8; 32]>(),
            message in proptest::collection::vec(any::<u8>(), 0..300),
            flip in any::<usize>(),
        ) {
            let (fast, reference) = pair();
            let (fa, ra) = (
                fast.import_secret(&scalar(a)).unwrap(),
                reference.import_secret(&scalar(a)).unwrap(),
            );
            let (fb, rb) = (
                fast.import_secret(&scalar(b)).unwrap(),
                reference.import_secret(&scalar(b)).unwrap(),
            );
            prop_assert_eq!(fa.public_key().sec1(), ra.public_key().sec1());
            prop_assert_eq!(fb.public_key().sec1(), rb.public_key().sec1());

            let signature = fast.sign(&fa, &message);
            prop_assert_eq!(&signature, &reference.sign(&ra, &message));
            let digest = Sha256::digest(&message);
            let by_digest = fast.sign_digest(&fa, &digest);
            prop_assert_eq!(&by_digest, &reference.sign_digest(&ra, &digest));

            prop_assert_eq!(fast.ecdh(&fa, fb.public_key()), reference.ecdh(&ra, rb.public_key()));

            for crypto in [&fast, &reference] {
                prop_assert_eq!(crypto.verify(fa.public_key(), &message, &signature), Ok(()));
                prop_assert_eq!(crypto.verify_digest(fa.public_key(), &digest, &by_digest), Ok(()));
            }
            // A wrong key, a changed message and a changed signature: both refuse alike.
            let mut changed = message.clone();
            changed.push(0);
            let mut bent = signature.as_der().to_vec();
            let at = flip % bent.len();
            bent[at] ^= 0x01;
            let bent = Signature::from_der_bytes(bent);
            let mut other_digest = digest;
            other_digest[flip % 32] ^= 0x80;
            prop_assert_eq!(
                fast.verify(fb.public_key(), &message, &signature),
                reference.verify(rb.public_key(), &message, &signature)
            );
            prop_assert_eq!(
                fast.verify(fa.public_key(), &changed, &signature),
                reference.verify(ra.public_key(), &changed, &signature)
            );
            prop_assert_eq!(
                fast.verify(fa.public_key(), &message, &bent),
                reference.verify(ra.public_key(), &message, &bent)
            );
            prop_assert_eq!(
                fast.verify_digest(fa.public_key(), &other_digest, &by_digest),
                Err(CryptoError::BadSignature)
            );
            prop_assert_eq!(
                reference.verify_digest(ra.public_key(), &other_digest, &by_digest),
                Err(CryptoError::BadSignature)
            );
            prop_assert_eq!(fast.counts(), reference.counts());
        }

        #[test]
        fn seeded_keys_and_envelopes_are_byte_identical(seed in any::<u64>()) {
            let (fast, reference) = pair();
            let mut fs = Seed::new(seed).stream("test/backend");
            let mut rs = Seed::new(seed).stream("test/backend");
            let (fk, rk) = (fast.generate_key(&mut fs), reference.generate_key(&mut rs));
            prop_assert_eq!(fk.public_key(), rk.public_key());
            let fe = fast.seal_envelope(fk.public_key(), b"aad", b"secret", &mut fs);
            let re = reference.seal_envelope(rk.public_key(), b"aad", b"secret", &mut rs);
            prop_assert_eq!(fe.as_bytes(), re.as_bytes());
            prop_assert_eq!(
                fast.open_envelope(&fk, b"aad", &fe).unwrap(),
                reference.open_envelope(&rk, b"aad", &re).unwrap()
            );
            prop_assert_eq!(
                fast.aead_seal(&[7; 32], &[1; 12], b"a", b"plain"),
                reference.aead_seal(&[7; 32], &[1; 12], b"a", b"plain")
            );
            prop_assert_eq!(fast.counts(), reference.counts());
        }
    }

    #[test]
    fn certificates_and_requests_are_byte_identical() {
        let (fast, reference) = pair();
        let key_bytes = scalar([0x42; 32]);
        let (fk, rk) = (
            fast.import_secret(&key_bytes).unwrap(),
            reference.import_secret(&key_bytes).unwrap(),
        );
        assert_eq!(
            fast.certificate_request(&fk, "device 1").unwrap(),
            reference.certificate_request(&rk, "device 1").unwrap()
        );
    }
}

/// A memo answers an operation only for exactly the inputs it recorded: every input of
/// every memoised operation changed in turn is computed, and gives the true value (what
/// a facade without a memo gives). A key that left out an input would hand back the
/// recorded result here, which is how `--jobs` could change an output.
#[test]
fn a_memo_answers_only_the_inputs_it_recorded() {
    use super::memo::{self, MemoUse};
    let crypto = Crypto::new();
    let truth = Crypto::with_backend(Backend::Reference);
    let secret = |byte: u8| [byte; 32];
    let (a, b, c) = (secret(0x11), secret(0x22), secret(0x33));
    let message = b"device record".as_slice();
    let other = b"device recorc".as_slice();
    // What a shadow records: keys made (public points), a signature, its check, ECDH.
    let (recorded, results) = memo::record(|| {
        let ka = crypto.import_secret(&a).unwrap();
        let kb = crypto.import_secret(&b).unwrap();
        let signature = crypto.sign(&ka, message);
        assert!(crypto.verify(ka.public_key(), message, &signature).is_ok());
        (crypto.ecdh(&ka, kb.public_key()), signature)
    });
    let (shared, signature) = recorded;
    let (ta, tb, tc) = (
        truth.import_secret(&a).unwrap(),
        truth.import_secret(&b).unwrap(),
        truth.import_secret(&c).unwrap(),
    );
    // The true values, worked out before the replay (every facade on the thread would
    // consult the memo inside it).
    let other_signature = truth.sign(&ta, other);
    let c_signature = truth.sign(&tc, message);
    let (shared_ac, shared_cb) = (
        truth.ecdh(&ta, tc.public_key()),
        truth.ecdh(&tc, tb.public_key()),
    );
    let ((), used) = memo::replay(results, || {
        // The recorded inputs: looked up, and right.
        let ka = crypto.import_secret(&a).unwrap();
        assert_eq!(ka.public_key(), ta.public_key());
        assert_eq!(crypto.sign(&ka, message).as_der(), signature.as_der());
        assert!(crypto.verify(ta.public_key(), message, &signature).is_ok());
        assert_eq!(crypto.ecdh(&ka, tb.public_key()), shared);
        // Each input changed: computed, and true.
        let kc = crypto.import_secret(&c).unwrap();
        assert_eq!(kc.public_key(), tc.public_key());
        assert_eq!(crypto.sign(&ka, other).as_der(), other_signature.as_der());
        assert_eq!(crypto.sign(&kc, message).as_der(), c_signature.as_der());
        assert!(crypto.verify(ta.public_key(), other, &signature).is_err());
        assert!(crypto.verify(tb.public_key(), message, &signature).is_err());
        assert!(
            crypto
                .verify(ta.public_key(), message, &other_signature)
                .is_err()
        );
        assert_eq!(crypto.ecdh(&ka, tc.public_key()), shared_ac);
        assert_eq!(crypto.ecdh(&kc, tb.public_key()), shared_cb);
    });
    // Ready: a's point, the signature, its check, the ECDH (b's point is not asked).
    // Computed: c's point, two signatures, three checks, two ECDHs.
    assert_eq!(
        used,
        MemoUse {
            ready: 4,
            computed: 8
        }
    );
}

/// FIPS-197 appendix C.3: AES-256 on its example block.
#[test]
fn aes256_block_matches_fips_197() {
    let crypto = Crypto::new();
    let key: [u8; 32] = std::array::from_fn(|i| i as u8);
    let block: [u8; 16] = std::array::from_fn(|i| (i as u8) * 0x11);
    assert_eq!(
        crate::hex::to_hex(&crypto.aes256_encrypt_block(&key, &block)),
        "8ea2b7ca516745bfeafc49904b496089"
    );
    assert_eq!(crypto.counts().aes_block, 1);
}
