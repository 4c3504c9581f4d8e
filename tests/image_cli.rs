//! `provsim image sign` and `provsim image verify` from the outside: the images the
//! command makes pass MCUboot's own `imgtool verify`, and `image verify` answers with
//! the exit codes the README promises (0 valid, 1 rejected with the reason, 2 bad
//! input). Also `provsim list targets`.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn imgtool() -> PathBuf {
    venv_tool(
        "PROVSIM_IMGTOOL",
        "imgtool",
        &["version"],
        "`pip install imgtool==2.5.0`",
    )
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

/// A fresh folder with an imgtool-made key and a firmware body.
fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let key = dir.path().join("key.pem");
    let out = Command::new(imgtool())
        .args(["keygen", "-k", arg(&key), "-t", "ecdsa-p256"])
        .output()
        .expect("imgtool runs");
    assert!(out.status.success(), "imgtool keygen: {}", stderr(&out));
    let body = dir.path().join("app.bin");
    std::fs::write(
        &body,
        (0..700u32).map(|i| (i * 7) as u8).collect::<Vec<_>>(),
    )
    .expect("write body");
    (dir, key, body)
}

fn sign(key: &Path, body: &Path, out: &Path, counter: &str) -> std::process::Output {
    provsim(&[
        "image",
        "sign",
        "--key",
        arg(key),
        "--version",
        "2.1.0+9",
        "--security-counter",
        counter,
        arg(body),
        arg(out),
    ])
}

#[test]
fn images_provsim_signs_pass_imgtool_verify() {
    let (dir, key, body) = workspace();
    let image = dir.path().join("app.signed.bin");
    let out = sign(&key, &body, &image, "12");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("security counter 12"));

    let check = Command::new(imgtool())
        .args(["verify", "-k", arg(&key), arg(&image)])
        .output()
        .expect("imgtool runs");
    assert!(
        check.status.success(),
        "imgtool verify refused provsim's image:\n{}{}",
        stdout(&check),
        stderr(&check)
    );
    assert!(
        stdout(&check).contains("Image was correctly validated"),
        "{}",
        stdout(&check)
    );
    assert!(stdout(&check).contains("2.1.0+9"), "{}", stdout(&check));

    // RFC 6979: signing again gives the same bytes.
    let again = dir.path().join("again.bin");
    assert_eq!(code(&sign(&key, &body, &again, "12")), 0);
    assert_eq!(
        std::fs::read(&image).unwrap(),
        std::fs::read(&again).unwrap()
    );

    // And imgtool itself catches a changed byte of our image (a control: the check can
    // fail).
    let mut bytes = std::fs::read(&image).unwrap();
    bytes[40] ^= 1;
    let tampered = dir.path().join("tampered.bin");
    std::fs::write(&tampered, &bytes).unwrap();
    let check = Command::new(imgtool())
        .args(["verify", "-k", arg(&key), arg(&tampered)])
        .output()
        .expect("imgtool runs");
    assert!(!check.status.success(), "imgtool accepted a tampered image");
}

#[test]
fn image_verify_exit_codes() {
    let (dir, key, body) = workspace();
    let image = dir.path().join("app.signed.bin");
    assert_eq!(code(&sign(&key, &body, &image, "auto")), 0);

    let ok = provsim(&["image", "verify", arg(&image), "--key", arg(&key)]);
    assert_eq!(code(&ok), 0, "{}", stderr(&ok));
    // auto: major << 24 | minor << 16 | revision.
    assert!(
        stdout(&ok).contains("valid: version 2.1.0+9, security counter 33619968"),
        "{}",
        stdout(&ok)
    );

    // The public half alone, as a PUBLIC KEY PEM from imgtool, also works.
    let public = dir.path().join("public.pem");
    let out = Command::new(imgtool())
        .args(["getpub", "-k", arg(&key), "-e", "pem"])
        .output()
        .expect("imgtool runs");
    std::fs::write(&public, &out.stdout).unwrap();
    assert_eq!(
        code(&provsim(&[
            "image",
            "verify",
            arg(&image),
            "--key",
            arg(&public)
        ])),
        0
    );

    // Rejected: another signer, a changed byte. Exit 1 and the reason on stdout.
    let (other_dir, other_key, _) = workspace();
    let wrong = provsim(&["image", "verify", arg(&image), "--key", arg(&other_key)]);
    assert_eq!(code(&wrong), 1);
    assert!(
        stdout(&wrong).contains("rejected: image signed by a different key"),
        "{}",
        stdout(&wrong)
    );
    drop(other_dir);
    let mut bytes = std::fs::read(&image).unwrap();
    let last = bytes.len() - 3;
    bytes[last] ^= 0x40;
    let tampered = dir.path().join("tampered.bin");
    std::fs::write(&tampered, &bytes).unwrap();
    let bad = provsim(&["image", "verify", arg(&tampered), "--key", arg(&key)]);
    assert_eq!(code(&bad), 1, "{}", stdout(&bad));
    assert!(stdout(&bad).contains("rejected:"));

    // Bad input: exit 2 with a message, never a panic.
    let missing = provsim(&["image", "verify", "no-such.bin", "--key", arg(&key)]);
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("no-such.bin"));
    let binary = provsim(&["image", "verify", arg(&image), "--key", arg(&body)]);
    assert_eq!(code(&binary), 2);
    assert!(
        stderr(&binary).contains("cannot read key file"),
        "{}",
        stderr(&binary)
    );
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a key\n").unwrap();
    let not_a_key = provsim(&["image", "verify", arg(&image), "--key", arg(&text)]);
    assert_eq!(code(&not_a_key), 2);
    assert!(
        stderr(&not_a_key).contains("holds no P-256 key"),
        "{}",
        stderr(&not_a_key)
    );
    let bad_version = provsim(&[
        "image",
        "sign",
        "--key",
        arg(&key),
        "--version",
        "1.x",
        arg(&body),
        arg(&image),
    ]);
    assert_eq!(code(&bad_version), 2);
    let public_as_signer = sign(&public, &body, &image, "1");
    assert_eq!(code(&public_as_signer), 2, "{}", stderr(&public_as_signer));
}

#[test]
fn list_targets_names_the_mcu_and_its_map() {
    let out = provsim(&["list", "targets"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    for expected in [
        "mcu",
        "flash.keystore",
        "option-bytes",
        "blank, test, provisioned, field, rma, scrapped",
        "rdp <0|1|2>",
        "image-signature",
    ] {
        assert!(
            text.contains(expected),
            "`{expected}` missing from:\n{text}"
        );
    }
}
