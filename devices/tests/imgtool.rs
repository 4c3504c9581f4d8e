//! Interop with MCUboot's `imgtool` 2.5, the reference for the image format: images we
//! sign pass `imgtool verify`, images `imgtool sign` makes pass our `verify`, and our
//! builder lays out exactly the bytes `imgtool` does.
//!
//! `imgtool` signs with `cryptography`'s ECDSA, whose nonce is random, while we sign
//! with RFC 6979: the two signatures over the same image differ. So byte identity is
//! checked by finishing our prepared image with the signature `imgtool` made, and our
//! own `sign` is compared with `imgtool`'s output everywhere but the signature record.
//!
//! `imgtool` is found through `PROVSIM_IMGTOOL`, then `.ci/venv/bin/imgtool`, then
//! `PATH`. A missing `imgtool` fails the test: a skipped interop test proves nothing.

use provsim_devices::fault::NoFaults;
use provsim_devices::image::{
    self, ImageVersion, ParsedImage, SignOptions, Tlv, VerifiedImage, tlv::kind,
};
use provsim_sim::Seed;
use provsim_sim::crypto::{Crypto, PublicKey, SecretKey, Signature};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn imgtool() -> PathBuf {
    if let Some(path) = std::env::var_os("PROVSIM_IMGTOOL") {
        return PathBuf::from(path);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/venv/bin/imgtool");
    if venv.is_file() {
        return venv;
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let candidate = dir.join("imgtool");
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "imgtool not found (looked at $PROVSIM_IMGTOOL, .ci/venv/bin/imgtool and $PATH): \
         run `bash .ci/test`, or `pip install imgtool==2.5.0`"
    );
}

fn run(args: &[&str]) -> Output {
    let tool = imgtool();
    Command::new(&tool).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run imgtool at {}: {e}; run `bash .ci/test`, or `pip install imgtool==2.5.0`",
            tool.display()
        )
    })
}

fn run_ok(args: &[&str]) -> String {
    let output = run(args);
    assert!(
        output.status.success(),
        "imgtool {} failed ({}):\n{}{}",
        args.join(" "),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

fn test_key(label: &str) -> SecretKey {
    Crypto::new().generate_key(&mut Seed::new(0x0001_a79e).stream(label))
}

fn body() -> Vec<u8> {
    let mut body = vec![0u8; 1000];
    Seed::new(0x0001_a79e)
        .stream("imgtool-body")
        .fill(&mut body);
    body
}

/// Writes `key` as the PKCS#8 PEM `imgtool -k` reads.
fn write_key(dir: &Path, name: &str, key: &SecretKey) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, key.to_pkcs8_pem().expect("key exports")).expect("write key");
    path
}

fn our_verify(bytes: &[u8], key: &PublicKey) -> VerifiedImage {
    image::verify(&Crypto::new(), bytes, key, &mut NoFaults)
        .unwrap_or_else(|e| panic!("our verify refused the image: {e}"))
}

fn record<'a>(parsed: &'a ParsedImage<'_>, wanted: u16) -> &'a Tlv<'a> {
    parsed
        .unprotected
        .iter()
        .find(|t| t.kind == wanted)
        .unwrap_or_else(|| panic!("no TLV {wanted:#x}"))
}

#[test]
fn imgtool_verifies_images_we_sign() {
    let dir = tempfile::tempdir().expect("temp dir");
    let signer = test_key("signer");
    let key_path = write_key(dir.path(), "key.pem", &signer);
    let other_path = write_key(dir.path(), "other.pem", &test_key("other"));
    let cases = [
        SignOptions {
            version: ImageVersion::new(1, 2, 3, 4),
            security_counter: Some(7),
            ..SignOptions::default()
        },
        SignOptions {
            version: ImageVersion::new(0, 1, 0, 0),
            header_size: 0x200,
            ..SignOptions::default()
        },
    ];
    for options in cases {
        let signed = image::sign(&Crypto::new(), &signer, &body(), &options).expect("signs");
        let img = dir.path().join("ours.bin");
        std::fs::write(&img, &signed).expect("write image");
        let stdout = run_ok(&["verify", "-k", path_str(&key_path), path_str(&img)]);
        assert!(stdout.contains("Image was correctly validated"), "{stdout}");
        assert!(
            stdout.contains(&format!("Image version: {}", options.version)),
            "{stdout}"
        );

        // Controls: imgtool really checks what we think it checks.
        let wrong_key = run(&["verify", "-k", path_str(&other_path), path_str(&img)]);
        assert!(
            !wrong_key.status.success(),
            "imgtool accepted a foreign key"
        );
        let mut tampered = signed.clone();
        let middle = usize::from(options.header_size) + 500;
        tampered[middle] ^= 1;
        std::fs::write(&img, &tampered).expect("write image");
        let tampered = run(&["verify", "-k", path_str(&key_path), path_str(&img)]);
        assert!(
            !tampered.status.success(),
            "imgtool accepted a modified body"
        );
    }
}

#[test]
fn imgtool_keys_sign_images_imgtool_verifies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key_path = dir.path().join("imgtool-key.pem");
    run_ok(&["keygen", "-k", path_str(&key_path), "-t", "ecdsa-p256"]);
    let pem = std::fs::read_to_string(&key_path).expect("read key");
    let signer = Crypto::new()
        .import_secret_pem(&pem)
        .expect("imgtool key imports");
    let signed =
        image::sign(&Crypto::new(), &signer, &body(), &SignOptions::default()).expect("signs");
    let img = dir.path().join("ours.bin");
    std::fs::write(&img, &signed).expect("write image");
    run_ok(&["verify", "-k", path_str(&key_path), path_str(&img)]);
}

struct Case {
    args: &'static [&'static str],
    options: SignOptions,
}

#[test]
fn we_verify_imgtool_images_and_lay_out_the_same_bytes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let signer = test_key("signer");
    let key_path = write_key(dir.path(), "key.pem", &signer);
    let body_path = dir.path().join("body.bin");
    std::fs::write(&body_path, body()).expect("write body");
    let v1234 = ImageVersion::new(1, 2, 3, 4);
    let cases = [
        Case {
            args: &[
                "--align",
                "4",
                "--version",
                "1.2.3+4",
                "--header-size",
                "0x20",
                "--pad-header",
                "--slot-size",
                "0x8000",
                "--security-counter",
                "7",
            ],
            options: SignOptions {
                version: v1234,
                security_counter: Some(7),
                header_size: 0x20,
                load_addr: 0,
            },
        },
        // A larger header (imgtool pads it with 0xff) and no protected area.
        Case {
            args: &[
                "--version",
                "0.1",
                "--header-size",
                "0x200",
                "--pad-header",
                "--slot-size",
                "0x8000",
            ],
            options: SignOptions {
                version: ImageVersion::new(0, 1, 0, 0),
                header_size: 0x200,
                ..SignOptions::default()
            },
        },
        // --pad-sig: the DER signature is zero-padded to 72 bytes.
        Case {
            args: &[
                "--version",
                "1.2.3+4",
                "--header-size",
                "0x20",
                "--pad-header",
                "--slot-size",
                "0x8000",
                "--security-counter",
                "7",
                "--pad-sig",
            ],
            options: SignOptions {
                version: v1234,
                security_counter: Some(7),
                ..SignOptions::default()
            },
        },
        // The counter imgtool derives from the version.
        Case {
            args: &[
                "--version",
                "2.5.17",
                "--header-size",
                "0x20",
                "--pad-header",
                "--slot-size",
                "0x8000",
                "--security-counter",
                "auto",
            ],
            options: SignOptions {
                version: ImageVersion::new(2, 5, 17, 0),
                security_counter: Some(ImageVersion::new(2, 5, 17, 0).auto_security_counter()),
                ..SignOptions::default()
            },
        },
    ];

    for case in cases {
        let out_path = dir.path().join("theirs.bin");
        let mut args = vec!["sign", "-k", path_str(&key_path)];
        args.extend_from_slice(case.args);
        args.extend([path_str(&body_path), path_str(&out_path)]);
        run_ok(&args);
        let theirs = std::fs::read(&out_path).expect("read imgtool image");
        let what = case.args.join(" ");

        // Our verifier accepts imgtool's image, and reads what imgtool was told.
        let verified = our_verify(&theirs, signer.public_key());
        assert_eq!(verified.version, case.options.version, "{what}");
        assert_eq!(
            verified.security_counter, case.options.security_counter,
            "{what}"
        );
        assert_eq!(verified.total_len, theirs.len(), "{what}");

        // Our layout is imgtool's, byte for byte, once given imgtool's signature.
        let parsed = image::parse(&theirs, &mut NoFaults).expect("parses");
        let their_signature = record(&parsed, kind::ECDSA_SIG).value.to_vec();
        let crypto = Crypto::new();
        let prepared =
            image::prepare(&crypto, signer.public_key(), &body(), &case.options).expect("prepares");
        let rebuilt = prepared
            .finish(&Signature::from_der_bytes(their_signature))
            .expect("finishes");
        assert!(
            rebuilt == theirs,
            "layout differs from imgtool's for `{what}`"
        );

        // Our own signature (RFC 6979, no padding) changes only the signature record
        // (and the unprotected area's total when its length differs).
        let ours = image::sign(&crypto, &signer, &body(), &case.options).expect("signs");
        let our_parsed = image::parse(&ours, &mut NoFaults).expect("parses");
        assert_eq!(our_parsed.signed_region, parsed.signed_region, "{what}");
        assert_eq!(our_parsed.protected, parsed.protected, "{what}");
        for wanted in [kind::SHA256, kind::KEYHASH] {
            assert_eq!(
                record(&our_parsed, wanted),
                record(&parsed, wanted),
                "{what}"
            );
        }
        let kinds = |p: &ParsedImage<'_>| p.unprotected.iter().map(|t| t.kind).collect::<Vec<_>>();
        assert_eq!(kinds(&our_parsed), kinds(&parsed), "{what}");
        let sig_at = record(&parsed, kind::ECDSA_SIG).offset;
        assert_eq!(
            record(&our_parsed, kind::ECDSA_SIG).offset,
            sig_at,
            "{what}"
        );
        let info = parsed.signed_region.len();
        assert_eq!(ours[..info + 2], theirs[..info + 2], "{what}");
        assert_eq!(ours[info + 4..sig_at], theirs[info + 4..sig_at], "{what}");
        assert_eq!(
            our_verify(&ours, signer.public_key()).hash,
            verified.hash,
            "{what}"
        );
    }
}

// ---- Booting imgtool's images on the simulated MCU ----------------------------------

use provsim_devices::Command as Programming;
use provsim_devices::mcu::Mcu;
use provsim_devices::{BootError, DeviceId, Fuse, LifeCycle, RunningImage, Target};
use provsim_sim::{Ctx, SimTime, Trace};

/// `imgtool sign` with `key` and security counter `counter`, on a small body.
fn imgtool_image(dir: &Path, key: &Path, counter: u32, body: &[u8]) -> Vec<u8> {
    let input = dir.join(format!("body-{counter}.bin"));
    let output = dir.join(format!("signed-{counter}.bin"));
    std::fs::write(&input, body).expect("write body");
    let counter = counter.to_string();
    run_ok(&[
        "sign",
        "-k",
        path_str(key),
        "--align",
        "4",
        "--version",
        "1.2.3+4",
        "--header-size",
        "0x20",
        "--pad-header",
        "--slot-size",
        "0x6000",
        "--security-counter",
        &counter,
        path_str(&input),
        path_str(&output),
    ]);
    std::fs::read(&output).expect("read signed image")
}

struct Bench {
    crypto: Crypto,
    trace: Trace,
}

impl Bench {
    fn ctx(&mut self) -> Ctx<'_> {
        Ctx::new(SimTime::ZERO, &self.crypto, &mut self.trace)
    }

    /// A chip in test with `firmware` as its root of trust, secure boot on, and
    /// `image` in its primary slot.
    fn chip(&mut self, firmware: &PublicKey, image: &[u8]) -> Mcu {
        let mut mcu = Mcu::new(Seed::new(3), 0, DeviceId::new(1, 2, 3));
        for command in [
            Programming::Transition {
                to: LifeCycle::Test,
                token: None,
            },
            Programming::WriteFirmwareKey {
                sec1: firmware.sec1().to_vec(),
            },
            Programming::BlowFuse {
                fuse: Fuse::SecureBoot,
            },
            Programming::WriteImage {
                image: image.to_vec(),
            },
        ] {
            mcu.execute(&mut self.ctx(), command).expect("station step");
        }
        mcu
    }

    fn boot(&mut self, chip: &mut dyn Target) -> Result<RunningImage, BootError> {
        chip.boot(&mut self.ctx())
    }
}

#[test]
fn imgtool_images_boot_and_every_altered_byte_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = test_key("boot-firmware");
    let key_path = write_key(dir.path(), "firmware.pem", &key);
    let small_body: Vec<u8> = (0u8..48).collect();
    let genuine = imgtool_image(dir.path(), &key_path, 7, &small_body);
    let verified = our_verify(&genuine, key.public_key());

    let mut bench = Bench {
        crypto: Crypto::new(),
        trace: Trace::new(),
    };
    let mut chip = bench.chip(key.public_key(), &genuine);
    let running = bench.boot(&mut chip).expect("imgtool's image boots");
    assert!(running.verified);
    assert_eq!(running.version, "1.2.3+4");
    assert_eq!(running.security_counter, Some(7));
    assert_eq!(running.hash, verified.hash);
    assert_eq!(
        chip.rollback_counter(),
        7,
        "the fuses advanced to the image's counter"
    );

    // Header, body, protected TLVs, hash, key hash, signature: every byte of the image,
    // changed in a staged update, makes the boot ROM refuse the update and keep running
    // the genuine image.
    let parsed = image::parse(&genuine, &mut NoFaults).expect("parses");
    assert!(!parsed.protected.is_empty(), "the image has protected TLVs");
    for i in 0..genuine.len() {
        for flip in [0x01u8, 0x80] {
            let mut altered = genuine.clone();
            altered[i] ^= flip;
            let mut copy = chip.clone_box();
            copy.stage_update(&mut bench.ctx(), &altered)
                .expect("the update path takes any bytes");
            let after = bench.boot(copy.as_mut()).unwrap_or_else(|e| {
                panic!("byte {i} ^ {flip:#04x}: the genuine image no longer boots: {e}")
            });
            assert_eq!(
                after.hash, verified.hash,
                "byte {i} ^ {flip:#04x} was installed"
            );
            assert!(
                after.update_refused.is_some(),
                "byte {i} ^ {flip:#04x}: the update was not refused"
            );
        }
    }
}

#[test]
fn a_lower_security_counter_is_refused_at_boot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = test_key("rollback-firmware");
    let key_path = write_key(dir.path(), "firmware.pem", &key);
    let newer = imgtool_image(dir.path(), &key_path, 7, b"release 7");
    let older = imgtool_image(dir.path(), &key_path, 5, b"release 5 with a known bug");
    our_verify(&older, key.public_key());

    let mut bench = Bench {
        crypto: Crypto::new(),
        trace: Trace::new(),
    };
    let mut chip = bench.chip(key.public_key(), &newer);
    bench.boot(&mut chip).expect("release 7 boots");

    // As an update: refused, release 7 keeps running.
    chip.stage_update(&mut bench.ctx(), &older).expect("staged");
    let running = bench.boot(&mut chip).expect("release 7 still boots");
    assert_eq!(running.security_counter, Some(7));
    let refused = running.update_refused.expect("the downgrade was refused");
    assert!(refused.contains("security counter 5"), "{refused}");

    // Written straight into the primary slot (a programmer on an unlocked part): the
    // boot ROM refuses to start it at all.
    chip.execute(&mut bench.ctx(), Programming::WriteImage { image: older })
        .expect("factory programming");
    assert_eq!(
        bench.boot(&mut chip),
        Err(BootError::Rollback { image: 5, fuses: 7 })
    );

    // The same counter or a higher one is fine.
    let again = imgtool_image(dir.path(), &key_path, 7, b"release 7, rebuilt");
    chip.stage_update(&mut bench.ctx(), &again).expect("staged");
    assert_eq!(
        bench.boot(&mut chip).expect("boots").security_counter,
        Some(7)
    );
}

#[test]
fn without_the_secure_boot_fuse_any_image_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let key = test_key("open-firmware");
    let stranger = test_key("stranger");
    let key_path = write_key(dir.path(), "firmware.pem", &key);
    let stranger_path = write_key(dir.path(), "stranger.pem", &stranger);
    let genuine = imgtool_image(dir.path(), &key_path, 1, b"genuine");
    let foreign = imgtool_image(dir.path(), &stranger_path, 2, b"foreign");

    let mut bench = Bench {
        crypto: Crypto::new(),
        trace: Trace::new(),
    };
    let mut chip = Mcu::new(Seed::new(3), 0, DeviceId::new(1, 2, 3));
    for command in [
        Programming::Transition {
            to: LifeCycle::Test,
            token: None,
        },
        Programming::WriteFirmwareKey {
            sec1: key.public_key().sec1().to_vec(),
        },
        Programming::WriteImage { image: genuine },
    ] {
        chip.execute(&mut bench.ctx(), command)
            .expect("station step");
    }
    assert!(!bench.boot(&mut chip).expect("boots").verified);
    chip.stage_update(&mut bench.ctx(), &foreign)
        .expect("staged");
    let running = bench.boot(&mut chip).expect("the foreign image boots");
    assert!(!running.verified);
    assert_eq!(running.version, "1.2.3+4");
    assert_eq!(running.security_counter, Some(2));
}
