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
    Seed::new(0x0001_a79e).stream("imgtool-body").fill(&mut body);
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
