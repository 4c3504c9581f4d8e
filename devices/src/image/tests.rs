//! Round trips, the byte-walk (every single-byte change is caught), truncation,
//! garbage, the TLV rules, and that each fault point guards the check it names.

use super::tlv::{AreaWriter, TlvArea, kind};
use super::*;
use crate::fault::{FaultPoint, FaultState, NoFaults};
use proptest::prelude::*;
use provsim_sim::Seed;
use provsim_sim::crypto::{Crypto, SecretKey};

fn key(label: &str) -> SecretKey {
    Crypto::new().generate_key(&mut Seed::new(0x1_3a6e).stream(label))
}

fn body(len: usize) -> Vec<u8> {
    let mut body = vec![0u8; len];
    Seed::new(0x1_3a6e)
        .stream("image-test-body")
        .fill(&mut body);
    body
}

fn options() -> SignOptions {
    SignOptions {
        version: ImageVersion::new(1, 2, 3, 4),
        security_counter: Some(7),
        ..SignOptions::default()
    }
}

fn signed(signer: &SecretKey, len: usize) -> Vec<u8> {
    sign(&Crypto::new(), signer, &body(len), &options()).expect("test image signs")
}

fn check(bytes: &[u8], signer: &SecretKey) -> Result<VerifiedImage, ImageError> {
    verify(&Crypto::new(), bytes, signer.public_key(), &mut NoFaults)
}

/// An image assembled from a hand-made signed region and unprotected records, validly
/// hashed and signed: for the rules that only a signer could break.
fn assemble(
    signer: &SecretKey,
    protected: &[(u16, Vec<u8>)],
    unprotected: impl Fn(&[u8; 32], &[u8]) -> Vec<(u16, Vec<u8>)>,
) -> Vec<u8> {
    let crypto = Crypto::new();
    let mut area = AreaWriter::new(TlvArea::Protected);
    for (k, v) in protected {
        area.push(*k, v).expect("fits");
    }
    let area = area.finish().expect("fits");
    let header = ImageHeader {
        magic: IMAGE_MAGIC,
        load_addr: 0,
        hdr_size: 32,
        protect_tlv_size: area.len() as u16,
        img_size: 16,
        flags: 0,
        version: ImageVersion::new(1, 0, 0, 0),
        pad: 0,
    };
    let mut region = header.encode().to_vec();
    region.extend_from_slice(&body(16));
    region.extend_from_slice(&area);
    let digest = crypto.sha256(&region);
    let signature = crypto.sign_digest(signer, &digest);
    let mut area = AreaWriter::new(TlvArea::Unprotected);
    for (k, v) in unprotected(&digest, signature.as_der()) {
        area.push(k, &v).expect("fits");
    }
    region.extend_from_slice(&area.finish().expect("fits"));
    region
}

fn standard(digest: &[u8; 32], sig: &[u8], signer: &SecretKey) -> Vec<(u16, Vec<u8>)> {
    vec![
        (kind::SHA256, digest.to_vec()),
        (kind::KEYHASH, key_hash(signer.public_key()).to_vec()),
        (kind::ECDSA_SIG, sig.to_vec()),
    ]
}

#[test]
fn sign_then_verify_round_trips() {
    let signer = key("signer");
    let image = signed(&signer, 64);
    let verified = check(&image, &signer).expect("own image verifies");
    assert_eq!(verified.version, ImageVersion::new(1, 2, 3, 4));
    assert_eq!(verified.version.to_string(), "1.2.3+4");
    assert_eq!(verified.security_counter, Some(7));
    assert_eq!(verified.body_len, 64);
    assert_eq!(verified.total_len, image.len());
    assert_eq!(verified.key_hash, key_hash(signer.public_key()));
    let parsed = parse(&image, &mut NoFaults).expect("parses");
    assert_eq!(
        verified.hash,
        provsim_sim::crypto::Sha256::digest(parsed.signed_region)
    );
    assert_eq!(parsed.body, &body(64)[..]);
    assert_eq!(parsed.security_counter(), Some(7));
    // Layout: 32-byte header, body, 12-byte protected area, then SHA256 (36),
    // KEYHASH (36) and the signature record after a 4-byte info.
    assert_eq!(parsed.header.protect_tlv_size, 12);
    assert_eq!(parsed.signed_region.len(), 32 + 64 + 12);
    let kinds: Vec<u16> = parsed.unprotected.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [kind::SHA256, kind::KEYHASH, kind::ECDSA_SIG]);
}

#[test]
fn signing_is_deterministic_and_counts_its_crypto() {
    let signer = key("signer");
    let crypto = Crypto::new();
    let a = sign(&crypto, &signer, &body(64), &options()).expect("signs");
    let b = sign(&crypto, &signer, &body(64), &options()).expect("signs");
    assert_eq!(a, b);
    let counts = crypto.counts();
    assert_eq!((counts.sha256, counts.sign), (4, 2));
    let before = crypto.counts();
    verify(&crypto, &a, signer.public_key(), &mut NoFaults).expect("verifies");
    let after = crypto.counts();
    assert_eq!(
        (after.sha256 - before.sha256, after.verify - before.verify),
        (2, 1)
    );
}

#[test]
fn without_counter_there_is_no_protected_area_and_header_padding_is_erased_flash() {
    let signer = key("signer");
    let options = SignOptions {
        version: ImageVersion::new(0, 1, 0, 0),
        header_size: 0x100,
        ..SignOptions::default()
    };
    let image = sign(&Crypto::new(), &signer, &body(10), &options).expect("signs");
    let parsed = parse(&image, &mut NoFaults).expect("parses");
    assert_eq!(parsed.header.protect_tlv_size, 0);
    assert!(parsed.protected.is_empty());
    assert!(image[32..0x100].iter().all(|&b| b == 0xff));
    assert_eq!(&image[0x100..0x10a], &body(10)[..]);
    let verified = check(&image, &signer).expect("verifies");
    assert_eq!(verified.security_counter, None);
}

#[test]
fn header_encoding_matches_imgtool() {
    // `imgtool sign --version 1.2.3+4 --header-size 0x40 --security-counter 7` on a
    // 64-byte body: the first 32 bytes of its output.
    let expected = [
        0x3d, 0xb8, 0xf3, 0x96, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x0c, 0x00, 0x40, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00,
    ];
    let header = ImageHeader::decode(&expected).expect("decodes");
    assert_eq!(header.hdr_size, 0x40);
    assert_eq!(header.protect_tlv_size, 12);
    assert_eq!(header.img_size, 64);
    assert_eq!(header.version, ImageVersion::new(1, 2, 3, 4));
    assert_eq!(header.encode(), expected);
}

#[test]
fn trailing_slot_bytes_are_not_part_of_the_image() {
    let signer = key("signer");
    let image = signed(&signer, 64);
    let mut slot = image.clone();
    slot.resize(0x1000, 0xff);
    let verified = check(&slot, &signer).expect("verifies in a slot");
    assert_eq!(verified.total_len, image.len());
    slot.truncate(image.len());
    slot.resize(0x1000, 0x00);
    assert_eq!(
        check(&slot, &signer).expect("any trailer").total_len,
        image.len()
    );
}

/// The core property: no single-byte change anywhere in the image goes unnoticed,
/// whether the image is passed alone or in an erased slot.
#[test]
fn every_single_byte_change_is_rejected() {
    let signer = key("signer");
    let image = signed(&signer, 64);
    let total = check(&image, &signer).expect("valid").total_len;
    assert_eq!(total, image.len());
    for slot_len in [image.len(), image.len() + 256] {
        let mut slot = image.clone();
        slot.resize(slot_len, 0xff);
        for index in 0..total {
            for mask in [0x01u8, 0x80] {
                let mut bad = slot.clone();
                bad[index] ^= mask;
                let result = check(&bad, &signer);
                assert!(
                    result.is_err(),
                    "byte {index} ^ {mask:#04x} (slot {slot_len}) still verifies: {result:?}"
                );
            }
        }
    }
}

#[test]
fn every_truncation_is_rejected() {
    let signer = key("signer");
    let image = signed(&signer, 64);
    for len in 0..image.len() {
        assert!(
            check(&image[..len], &signer).is_err(),
            "truncated to {len} verifies"
        );
        assert!(
            parse(&image[..len], &mut NoFaults).is_err(),
            "truncated to {len} parses"
        );
    }
    assert!(matches!(
        check(&[], &signer),
        Err(ImageError::Truncated { available: 0, .. })
    ));
    assert!(matches!(
        check(&[0xff; 512], &signer),
        Err(ImageError::BadMagic { found: 0xffff_ffff })
    ));
}

#[test]
fn a_different_key_is_named_in_the_error() {
    let signer = key("signer");
    let other = key("other");
    let image = signed(&signer, 64);
    let error = check(&image, &other).expect_err("wrong key");
    assert!(matches!(error, ImageError::KeyHashMismatch { .. }));
    let message = error.to_string();
    assert!(message.contains("different key"), "{message}");
    assert!(message.contains(&provsim_sim::to_hex(&key_hash(signer.public_key()))));
}

#[test]
fn error_messages_say_what_broke() {
    let signer = key("signer");
    let mut image = signed(&signer, 64);
    image[40] ^= 1;
    let message = check(&image, &signer)
        .expect_err("body changed")
        .to_string();
    assert!(
        message.starts_with("image hash does not match the SHA256 TLV"),
        "{message}"
    );
    let mut flagged = signed(&signer, 64);
    flagged[16] = 0x04;
    let message = check(&flagged, &signer).expect_err("flags").to_string();
    assert!(message.contains("ENCRYPTED_AES128"), "{message}");
}

#[test]
fn unsupported_flags_are_refused_even_when_signed() {
    let signer = key("signer");
    for flag in [
        header::flags::ENCRYPTED_AES128,
        header::flags::ENCRYPTED_AES256,
        header::flags::NON_BOOTABLE,
        header::flags::RAM_LOAD,
        header::flags::COMPRESSED_LZMA2,
        0x8000_0000,
    ] {
        let image = assemble(&signer, &[], |d, s| standard(d, s, &signer));
        // Re-sign with the flag set: patch the header, then rebuild the TLVs.
        let mut region = image[..48].to_vec();
        region[16..20].copy_from_slice(&flag.to_le_bytes());
        let crypto = Crypto::new();
        let digest = crypto.sha256(&region);
        let sig = crypto.sign_digest(&signer, &digest);
        let mut area = AreaWriter::new(TlvArea::Unprotected);
        for (k, v) in standard(&digest, sig.as_der(), &signer) {
            area.push(k, &v).expect("fits");
        }
        region.extend_from_slice(&area.finish().expect("fits"));
        assert_eq!(
            check(&region, &signer),
            Err(ImageError::UnsupportedFlags { flags: flag })
        );
    }
}

#[test]
fn sign_refuses_what_verify_would_reject() {
    let signer = key("signer");
    let crypto = Crypto::new();
    let small_header = SignOptions {
        header_size: 31,
        ..options()
    };
    assert_eq!(
        sign(&crypto, &signer, &body(4), &small_header),
        Err(ImageError::HeaderTooSmall { hdr_size: 31 })
    );
    let ram_load = SignOptions {
        load_addr: 0x2000_0000,
        ..options()
    };
    assert!(matches!(
        sign(&crypto, &signer, &body(4), &ram_load),
        Err(ImageError::UnsupportedLoadAddress { .. })
    ));
}

#[test]
fn assembled_standard_image_verifies() {
    let signer = key("signer");
    let counter = 9u32.to_le_bytes().to_vec();
    let image = assemble(&signer, &[(kind::SEC_CNT, counter)], |d, s| {
        standard(d, s, &signer)
    });
    assert_eq!(
        check(&image, &signer).expect("valid").security_counter,
        Some(9)
    );
}

#[test]
fn tlv_placement_and_multiplicity_rules() {
    let signer = key("signer");
    let counter = 9u32.to_le_bytes().to_vec();
    let records_of = |d: &[u8; 32], s: &[u8]| standard(d, s, &signer);

    let twice = [
        (kind::SEC_CNT, counter.clone()),
        (kind::SEC_CNT, counter.clone()),
    ];
    let image = assemble(&signer, &twice, records_of);
    assert!(matches!(
        check(&image, &signer),
        Err(ImageError::DuplicateTlv { .. })
    ));

    let short = [(kind::SEC_CNT, vec![1, 0])];
    let image = assemble(&signer, &short, records_of);
    assert!(matches!(
        check(&image, &signer),
        Err(ImageError::BadTlvLength { .. })
    ));

    let image = assemble(&signer, &[], |d, s| {
        let mut records = records_of(d, s);
        records.push((kind::SEC_CNT, counter.clone()));
        records
    });
    assert_eq!(
        check(&image, &signer),
        Err(ImageError::MisplacedTlv {
            kind: kind::SEC_CNT,
            area: TlvArea::Unprotected
        })
    );

    let image = assemble(&signer, &[(kind::KEYHASH, vec![0; 32])], records_of);
    assert!(matches!(
        check(&image, &signer),
        Err(ImageError::MisplacedTlv { .. })
    ));

    let image = assemble(&signer, &[], |d, s| {
        let mut records = records_of(d, s);
        records.insert(0, (kind::SHA256, d.to_vec()));
        records
    });
    assert!(matches!(
        check(&image, &signer),
        Err(ImageError::DuplicateTlv { .. })
    ));

    let image = assemble(&signer, &[], |d, s| {
        let mut records = records_of(d, s);
        records.push((kind::ECDSA_SIG, s.to_vec()));
        records
    });
    assert!(matches!(
        check(&image, &signer),
        Err(ImageError::DuplicateTlv { .. })
    ));

    // A KEYHASH after the signature does not name the signature's key.
    let image = assemble(&signer, &[], |d, s| {
        let mut records = records_of(d, s);
        records.swap(1, 2);
        records
    });
    assert_eq!(
        check(&image, &signer),
        Err(ImageError::NoKeyHashForSignature)
    );

    let image = assemble(&signer, &[], |d, _| records_of(d, &[])[..2].to_vec());
    assert_eq!(
        check(&image, &signer),
        Err(ImageError::MissingTlv {
            kind: kind::ECDSA_SIG
        })
    );
}

#[test]
fn unknown_records_are_skipped_and_signature_padding_must_be_zero() {
    let signer = key("signer");
    let records_of = |d: &[u8; 32], s: &[u8]| standard(d, s, &signer);
    let image = assemble(&signer, &[(0x00a0, b"vendor".to_vec())], |d, s| {
        let mut records = records_of(d, s);
        records.insert(1, (0x0060, vec![1, 2, 3]));
        records.push((0x0110, vec![]));
        records
    });
    check(&image, &signer).expect("unknown records are skipped");

    // A signer whose signature over this image is shorter than 72 bytes (r or s
    // without the high bit set), so there is room to pad.
    let signer = key("short-signature");
    let records_of = |d: &[u8; 32], s: &[u8]| standard(d, s, &signer);
    let padded = |fill: u8| {
        assemble(&signer, &[], move |d, s| {
            assert!(
                s.len() < 72,
                "pick another key label: signature is {} bytes",
                s.len()
            );
            let mut sig = s.to_vec();
            sig.resize(72, fill);
            let mut records = records_of(d, s);
            records[2] = (kind::ECDSA_SIG, sig);
            records
        })
    };
    check(&padded(0), &signer).expect("--pad-sig zero padding is accepted");
    assert!(matches!(
        check(&padded(1), &signer),
        Err(ImageError::MalformedSignature { .. })
    ));
}

#[test]
fn protected_area_must_agree_with_the_header() {
    let signer = key("signer");
    let image = signed(&signer, 64);
    // The header's protect_tlv_size (offset 10) says 0 while a protected area follows.
    let mut bad = image.clone();
    bad[10] = 0;
    assert!(matches!(
        parse(&bad, &mut NoFaults),
        Err(ImageError::ProtectedSizeMismatch {
            header: 0,
            info: 12
        })
    ));
    // And the area's own total (offset 32 + 64 + 2) disagrees with the header.
    let mut bad = image;
    bad[98] = 16;
    assert!(matches!(
        parse(&bad, &mut NoFaults),
        Err(ImageError::ProtectedSizeMismatch {
            header: 12,
            info: 16
        })
    ));
}

/// Each gated check stops the image on its own, and an armed fault at exactly that
/// point lets it past that check only: the next check still stands.
#[test]
fn each_fault_point_guards_what_it_names() {
    let signer = key("signer");
    let other = key("other");
    let crypto = Crypto::new();
    let image = signed(&signer, 64);
    let run = |bytes: &[u8], key: &SecretKey, points: &[FaultPoint]| {
        let mut gate = FaultState::default();
        for &p in points {
            gate.arm(p);
        }
        let result = verify(&crypto, bytes, key.public_key(), &mut gate);
        (result, gate.fired().to_vec())
    };

    // Nothing fires on a valid image, armed or not.
    let all = [
        FaultPoint::ImageMagic,
        FaultPoint::ImageBounds,
        FaultPoint::ImageHash,
        FaultPoint::ImageKeyHash,
        FaultPoint::ImageSignature,
    ];
    let (result, fired) = run(&image, &signer, &all);
    assert!(result.is_ok());
    assert!(fired.is_empty());

    // A corrupted magic: caught by the magic check, then by the hash, then by the
    // signature (over the computed hash); all three glitched, it boots.
    let mut bad = image.clone();
    bad[0] ^= 0xff;
    assert!(matches!(
        run(&bad, &signer, &[]).0,
        Err(ImageError::BadMagic { .. })
    ));
    let (result, _) = run(&bad, &signer, &[FaultPoint::ImageMagic]);
    assert!(matches!(result, Err(ImageError::HashMismatch { .. })));
    let (result, _) = run(
        &bad,
        &signer,
        &[FaultPoint::ImageMagic, FaultPoint::ImageHash],
    );
    assert_eq!(result, Err(ImageError::BadSignature));
    let three = [
        FaultPoint::ImageMagic,
        FaultPoint::ImageHash,
        FaultPoint::ImageSignature,
    ];
    let (result, fired) = run(&bad, &signer, &three);
    assert!(result.is_ok());
    assert_eq!(fired, three);

    // A foreign key: the key-hash check, then the signature.
    let (result, _) = run(&image, &other, &[FaultPoint::ImageKeyHash]);
    assert_eq!(result, Err(ImageError::BadSignature));
    let two = [FaultPoint::ImageKeyHash, FaultPoint::ImageSignature];
    let (result, fired) = run(&image, &other, &two);
    assert!(result.is_ok());
    assert_eq!(fired, two);

    // A header size below 32: the bounds check; glitched, the body is read from inside
    // the header and the layout falls apart further on.
    let mut bad = image.clone();
    bad[8] = 16;
    assert_eq!(
        run(&bad, &signer, &[]).0,
        Err(ImageError::HeaderTooSmall { hdr_size: 16 })
    );
    let (result, fired) = run(&bad, &signer, &[FaultPoint::ImageBounds]);
    assert!(result.is_err() && !matches!(result, Err(ImageError::HeaderTooSmall { .. })));
    assert_eq!(fired, [FaultPoint::ImageBounds]);

    // An image that claims more than the slot holds: glitching the bounds check cannot
    // conjure the missing bytes.
    let (result, fired) = run(
        &image[..image.len() - 1],
        &signer,
        &[FaultPoint::ImageBounds],
    );
    assert!(
        matches!(result, Err(ImageError::Truncated { .. })),
        "{result:?}"
    );
    assert_eq!(fired, [FaultPoint::ImageBounds]);
}

#[test]
fn versions_parse_like_imgtool() {
    let ok = [
        ("1.2.3+4", ImageVersion::new(1, 2, 3, 4)),
        ("1.2.3", ImageVersion::new(1, 2, 3, 0)),
        ("1.2", ImageVersion::new(1, 2, 0, 0)),
        ("1", ImageVersion::new(1, 0, 0, 0)),
        ("0", ImageVersion::default()),
        (
            "255.255.65535+4294967295",
            ImageVersion::new(255, 255, 65535, u32::MAX),
        ),
    ];
    for (text, version) in ok {
        assert_eq!(ImageVersion::parse(text), Ok(version), "{text}");
        assert_eq!(ImageVersion::parse(&version.to_string()), Ok(version));
    }
    let bad = [
        "",
        "01",
        "1.02",
        "1.2.3.4",
        "1.2+3",
        "1+2",
        "256",
        "1.256",
        "1.2.65536",
        "1.2.3+4294967296",
        "a",
        "1..2",
        "-1",
        " 1",
        "1.2.3+",
        "+1",
        "1.",
        "1.2.3+4+5",
        "99999999999999999999999",
    ];
    for text in bad {
        assert!(
            matches!(
                ImageVersion::parse(text),
                Err(ImageError::InvalidVersion { .. })
            ),
            "{text:?} accepted"
        );
    }
    assert_eq!(
        ImageVersion::new(1, 2, 3, 4).auto_security_counter(),
        0x0102_0003
    );
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let signer = key("signer");
        let _ = parse(&bytes, &mut NoFaults);
        prop_assert!(check(&bytes, &signer).is_err());
        let mut all = FaultState::default();
        for point in FaultPoint::ALL {
            all.arm(point);
        }
        let _ = verify(&Crypto::new(), &bytes, signer.public_key(), &mut all);
    }

    /// Arbitrary headers over arbitrary tails: sizes that point anywhere.
    #[test]
    fn arbitrary_headers_never_panic(
        hdr_size in any::<u16>(),
        protect in any::<u16>(),
        img_size in any::<u32>(),
        tail in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let header = ImageHeader {
            magic: IMAGE_MAGIC,
            load_addr: 0,
            hdr_size,
            protect_tlv_size: protect,
            img_size: img_size % 512,
            flags: 0,
            version: ImageVersion::default(),
            pad: 0,
        };
        let mut bytes = header.encode().to_vec();
        bytes.extend_from_slice(&tail);
        let _ = parse(&bytes, &mut NoFaults);
        let mut bounds = FaultState::default();
        bounds.arm(FaultPoint::ImageBounds);
        let _ = parse(&bytes, &mut bounds);
    }

    /// Random changes to a valid image never panic, and any change to the image's own
    /// bytes is caught.
    #[test]
    fn mutated_images_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        trailer in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let signer = key("signer");
        let image = signed(&signer, 64);
        let mut bad = image.clone();
        for (at, value) in &edits {
            bad[at.index(image.len())] = *value;
        }
        let changed = bad != image;
        let result = check(&bad, &signer);
        prop_assert_eq!(result.is_ok(), !changed, "{:?}", result);
        bad.extend_from_slice(&trailer);
        let result = check(&bad, &signer);
        prop_assert_eq!(result.is_ok(), !changed, "{:?}", result);
        let _ = check(&bad[..cut.index(bad.len() + 1)], &signer);
    }
}
