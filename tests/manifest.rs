//! `manifest.jsonl`: the customer's manifest, one signed entry per shipped device, in
//! device order, then the signed closing record. Checked line by line with an
//! independent JOSE library (jwcrypto, in the virtual environment `.ci/test` makes),
//! which also recomputes the closing record's count and chain, and with
//! `provsim manifest verify`; and tampered with every way the closing record, the entry
//! numbers and the low-S rule are there to catch.

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A Python that has jwcrypto: $PROVSIM_PYTHON, then `.ci/venv/bin/python`, then PATH.
fn jwcrypto_python() -> PathBuf {
    venv_tool(
        "PROVSIM_PYTHON",
        "python",
        &["-c", "import jwcrypto, cryptography"],
        "`python3 -m venv .ci/venv && .ci/venv/bin/pip install jwcrypto==1.5.6`",
    )
}

/// The uniqueIds jwcrypto verified, in order, or its complaint.
fn jwcrypto_verify(manifest: &Path, signer: &Path) -> Result<Vec<String>, String> {
    let out = Command::new(jwcrypto_python())
        .arg(repo().join("tests/tools/verify_manifest.py"))
        .arg(manifest)
        .arg(signer)
        .output()
        .expect("python runs");
    if out.status.success() {
        Ok(stdout(&out).lines().map(str::to_owned).collect())
    } else {
        Err(stderr(&out))
    }
}

#[test]
fn the_manifest_lists_exactly_the_shipped_devices_and_jwcrypto_verifies_each_entry() {
    for scenario in [
        "mcu-board-provisioner-hsm",
        "mcu-wafer-customer-hsm",
        "mcu-board-on-chip-keys",
    ] {
        let (dir, out) = run_into(Some(scenario), Some(1));
        assert!(matches!(code(&out), 0 | 1), "{scenario}: {}", stderr(&out));
        let manifest = dir.path().join("manifest.jsonl");
        let signer = dir.path().join("pki/vault-certificate.pem");
        let listed = jwcrypto_verify(&manifest, &signer)
            .unwrap_or_else(|e| panic!("{scenario}: jwcrypto rejected the manifest: {e}"));
        let shipped = shipped_ids(dir.path());
        let count = report_json(dir.path())["devices"]["count"]
            .as_u64()
            .unwrap();
        assert_eq!(listed.len() as u64, count, "{scenario}");
        assert_eq!(
            listed, shipped,
            "{scenario}: the manifest is the shipped devices"
        );

        let ours = provsim(&[
            "manifest",
            "verify",
            manifest.to_str().unwrap(),
            "--signer",
            signer.to_str().unwrap(),
            "--expect",
            &count.to_string(),
        ]);
        assert_eq!(code(&ours), 0, "{}", stderr(&ours));
        assert!(
            stdout(&ours).contains(&format!(
                "{count} entries verified under `{}`, in order, as the closing record (line {}) of run {} signs, as expected",
                signer.display(),
                count + 1,
                report_json(dir.path())["run_id"].as_str().unwrap()
            )),
            "{}",
            stdout(&ours)
        );
    }
}

#[test]
fn a_changed_or_foreign_entry_is_rejected_by_both_verifiers() {
    let (dir, _) = run_into(None, Some(1));
    let manifest = fs::read_to_string(dir.path().join("manifest.jsonl")).unwrap();
    let signer = dir.path().join("pki/vault-certificate.pem");
    let lines: Vec<&str> = manifest.lines().collect();
    let work = tempfile::tempdir().unwrap();

    // One character of the second entry's payload changed.
    let entry: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    let payload = entry["payload"].as_str().unwrap();
    let flipped = if payload.as_bytes()[10] == b'A' {
        "B"
    } else {
        "A"
    };
    let changed_payload = format!("{}{flipped}{}", &payload[..10], &payload[11..]);
    let changed = lines[1].replace(payload, &changed_payload);
    // The right header (this signer's kid and x5t#S256), signed by another key.
    assert_eq!(base64url(b"hello"), "aGVsbG8");
    assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    let jws: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    let input = format!(
        "{}.{}",
        jws["protected"].as_str().unwrap(),
        jws["payload"].as_str().unwrap()
    );
    let crypto = provsim_sim::crypto::Crypto::new();
    let other = crypto.generate_key(&mut provsim_sim::Seed::new(1).stream("test/other"));
    let fixed = crypto.sign(&other, input.as_bytes()).to_fixed().unwrap();
    let mut forged = jws.clone();
    forged["signature"] = serde_json::Value::String(base64url(&fixed));
    // The root certificate as the signer: the right signatures, the wrong signer.
    let cases = [
        ("changed", [lines[0], &changed].join("\n"), signer.clone()),
        ("signed by another key", forged.to_string(), signer.clone()),
        (
            "foreign signer",
            manifest.clone(),
            dir.path().join("pki/root.pem"),
        ),
    ];
    for (what, text, signer) in cases {
        let path = work.path().join(format!("{what}.jsonl"));
        fs::write(&path, text).unwrap();
        assert!(
            jwcrypto_verify(&path, &signer).is_err(),
            "{what}: jwcrypto accepted it"
        );
        let ours = provsim(&[
            "manifest",
            "verify",
            path.to_str().unwrap(),
            "--signer",
            signer.to_str().unwrap(),
        ]);
        assert_eq!(code(&ours), 1, "{what}: {}", stdout(&ours));
    }

    // Bad input is exit code 2, with the file named.
    let missing = provsim(&[
        "manifest",
        "verify",
        "no-such-manifest.jsonl",
        "--signer",
        signer.to_str().unwrap(),
    ]);
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("no-such-manifest.jsonl"));
}

/// Base64url without padding (RFC 4648, 5), for building a forged entry by hand.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// A run's manifest, its signer and a folder for tampered copies of it.
struct Tamper {
    run: tempfile::TempDir,
    work: tempfile::TempDir,
    lines: Vec<String>,
}

impl Tamper {
    fn new() -> Tamper {
        let (run, out) = run_into(None, Some(1));
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let lines = fs::read_to_string(run.path().join("manifest.jsonl"))
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        Tamper {
            run,
            work: tempfile::tempdir().unwrap(),
            lines,
        }
    }

    fn signer(&self) -> PathBuf {
        self.run.path().join("pki/vault-certificate.pem")
    }

    /// Writes `lines` as a manifest named `what`.
    fn write(&self, what: &str, lines: &[String]) -> PathBuf {
        let path = self.work.path().join(format!("{what}.jsonl"));
        fs::write(
            &path,
            lines.iter().map(|l| format!("{l}\n")).collect::<String>(),
        )
        .unwrap();
        path
    }

    /// `provsim manifest verify` on `lines`, with `extra` arguments.
    fn verify(&self, what: &str, lines: &[String], extra: &[&str]) -> std::process::Output {
        let path = self.write(what, lines);
        let mut args = vec![
            "manifest".to_owned(),
            "verify".to_owned(),
            path.display().to_string(),
            "--signer".to_owned(),
            self.signer().display().to_string(),
        ];
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        provsim(&args.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Checks `lines` are rejected (exit 1) with `says` in the message.
    fn rejected(&self, what: &str, lines: &[String], extra: &[&str], says: &str) {
        let out = self.verify(what, lines, extra);
        assert_eq!(code(&out), 1, "{what}: {}{}", stdout(&out), stderr(&out));
        assert!(
            stdout(&out).contains(&format!("REJECTED at {says}")),
            "{what}: {}",
            stdout(&out)
        );
    }
}

#[test]
fn a_removed_entry_is_rejected_at_its_line() {
    let t = Tamper::new();
    assert_eq!(t.lines.len(), 9, "eight entries and the closing record");
    let mut removed = t.lines.clone();
    removed.remove(2);
    t.rejected(
        "removed",
        &removed,
        &[],
        "line 3: entry 3 is missing (removed): line 3 holds entry 4",
    );
    // The last entry removed: the closing record's count says so.
    let mut last = t.lines.clone();
    last.remove(7);
    t.rejected(
        "last removed",
        &last,
        &[],
        "line 8: the closing record signs 8 entries, but the entries before it end at entry 7: entry 8 was removed",
    );
}

#[test]
fn reordered_entries_are_rejected_at_the_first_line_out_of_place() {
    let t = Tamper::new();
    let mut swapped = t.lines.clone();
    swapped.swap(1, 3);
    t.rejected(
        "swapped",
        &swapped,
        &[],
        "line 2: entries out of order: entry 2 belongs here but is at line 4 (line 2 holds entry 4)",
    );
}

#[test]
fn a_cut_manifest_or_a_missing_closing_record_is_rejected() {
    let t = Tamper::new();
    t.rejected(
        "no closing record",
        &t.lines[..8],
        &[],
        "the end: no closing record after line 8: the manifest was cut, or its closing record removed",
    );
    t.rejected(
        "cut",
        &t.lines[..5],
        &[],
        "the end: no closing record after line 5",
    );
    let mut after = t.lines.clone();
    after.push(t.lines[0].clone());
    t.rejected(
        "after the closing record",
        &after,
        &[],
        "line 10: a line after the closing record (line 9)",
    );
    // Microchip's layout has no closing record: it is not what this command checks.
    let json = t.run.path().join("manifest.json");
    let out = provsim(&[
        "manifest",
        "verify",
        json.to_str().unwrap(),
        "--signer",
        t.signer().to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(stderr(&out).contains("is a JSON array"), "{}", stderr(&out));
}

#[test]
fn a_count_other_than_expected_is_rejected() {
    let t = Tamper::new();
    t.rejected(
        "expect",
        &t.lines,
        &["--expect", "9"],
        "line 9: the closing record signs 8 entries where 9 were expected",
    );
    let out = t.verify("expect 8", &t.lines, &["--expect", "8"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = t.verify("expect nonsense", &t.lines, &["--expect", "eight"]);
    assert_eq!(code(&out), 2, "{}", stdout(&out));
}

/// The order of the P-256 group, big-endian.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// An entry with its signature `(r, s)` replaced by `(r, n - s)`: as valid an ECDSA
/// signature over the same bytes, and another string.
fn malleated(entry: &str) -> String {
    let mut jws: serde_json::Value = serde_json::from_str(entry).unwrap();
    let mut fixed = base64url_decode(jws["signature"].as_str().unwrap());
    assert_eq!(fixed.len(), 64);
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(ORDER[i]) - i16::from(fixed[32 + i]) - borrow;
        borrow = i16::from(d < 0);
        fixed[32 + i] = (d + 256 * borrow) as u8;
    }
    jws["signature"] = serde_json::Value::String(base64url(&fixed));
    jws.to_string()
}

#[test]
fn a_high_s_signature_passes_a_lax_verifier_but_is_rejected_as_malleated() {
    let t = Tamper::new();
    let mut lines = t.lines.clone();
    lines[2] = malleated(&t.lines[2]);
    assert_ne!(lines[2], t.lines[2]);
    // jwcrypto checks the signature as ECDSA does, and the high form is valid ECDSA.
    let path = t.write("malleated", &lines);
    let listed = jwcrypto_verify(&path, &t.signer())
        .unwrap_or_else(|e| panic!("jwcrypto refused the malleated entry: {e}"));
    assert_eq!(listed.len(), 8);
    t.rejected(
        "malleated",
        &lines,
        &[],
        "line 3: the signature is high-S: a malleated copy of a valid signature",
    );
    // The closing record is held to the same rule.
    let mut closing = t.lines.clone();
    closing[8] = malleated(&t.lines[8]);
    t.rejected(
        "malleated closing",
        &closing,
        &[],
        "line 9: the closing record: the signature is high-S",
    );
}

/// Base64url without padding, decoded (RFC 4648, 5).
fn base64url_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = Vec::new();
    let (mut bits, mut n) = (0u32, 0u32);
    for c in text.bytes() {
        let value = ALPHABET.iter().position(|&a| a == c).expect("base64url") as u32;
        bits = bits << 6 | value;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    out
}

/// Every run at one seed signs with the same vault key, so another run's manifest
/// verifies under this run's certificate: only the run its closing record names, checked
/// with `--run`, tells them apart.
#[test]
fn another_runs_manifest_is_rejected_by_its_run() {
    let (first, out) = run_into(Some("mcu-board-provisioner-hsm"), Some(1));
    assert!(matches!(code(&out), 0 | 1), "{}", stderr(&out));
    let (second, out) = run_into(Some("mcu-board-on-chip-keys"), Some(1));
    assert!(matches!(code(&out), 0 | 1), "{}", stderr(&out));
    let run_of = |dir: &Path| {
        report_json(dir)["run_id"]
            .as_str()
            .expect("report.json's run_id")
            .to_owned()
    };
    let (first_run, second_run) = (run_of(first.path()), run_of(second.path()));
    assert_ne!(first_run, second_run);
    let verify = |extra: &[&str]| {
        let manifest = second.path().join("manifest.jsonl");
        let signer = first.path().join("pki/vault-certificate.pem");
        let mut args = vec![
            "manifest",
            "verify",
            manifest.to_str().unwrap(),
            "--signer",
            signer.to_str().unwrap(),
        ];
        args.extend(extra);
        provsim(&args)
    };
    // The same key signed both: without --run the second run's manifest passes.
    let unchecked = verify(&[]);
    assert_eq!(code(&unchecked), 0, "{}", stdout(&unchecked));
    assert!(
        stdout(&unchecked).contains(&format!("of run {second_run} signs\n")),
        "{}",
        stdout(&unchecked)
    );
    let foreign = verify(&["--run", &first_run]);
    assert_eq!(code(&foreign), 1, "{}", stdout(&foreign));
    assert!(
        stdout(&foreign).contains(&format!(
            "REJECTED at line {}: the closing record names run {second_run} where run {first_run} was expected: another run's manifest",
            fs::read_to_string(second.path().join("manifest.jsonl")).unwrap().lines().count()
        )),
        "{}",
        stdout(&foreign)
    );
    let own = verify(&["--run", &second_run.to_uppercase()]);
    assert_eq!(code(&own), 0, "{}", stdout(&own));
    assert!(stdout(&own).contains(", as expected"), "{}", stdout(&own));
    let nonsense = verify(&["--run", "5a5a"]);
    assert_eq!(code(&nonsense), 2, "{}", stderr(&nonsense));
    assert!(
        stderr(&nonsense).contains("expected 64 hex digits"),
        "{}",
        stderr(&nonsense)
    );
}

/// A line a strict JOSE library refuses is refused: a member more, an unprotected
/// header member other than `uniqueId`, a member given twice.
#[test]
fn a_line_with_members_a_strict_jose_library_refuses_is_rejected() {
    let t = Tamper::new();
    let jws: serde_json::Value = serde_json::from_str(&t.lines[1]).unwrap();
    let with = |at: usize, from: &str, to: &str| {
        let mut lines = t.lines.clone();
        assert!(lines[at].contains(from));
        lines[at] = lines[at].replacen(from, to, 1);
        lines
    };
    let signatures = format!(
        r#"{{"signatures":[{{"protected":{},"signature":{}}}],"#,
        jws["protected"], jws["signature"]
    );
    let other_payload =
        serde_json::from_str::<serde_json::Value>(&t.lines[2]).unwrap()["payload"].clone();
    let cases = [
        (
            "signatures",
            with(1, "{", &signatures),
            "line 2: not a flattened JWS: unknown field `signatures`",
        ),
        (
            "alg none",
            with(1, r#""header":{"#, r#""header":{"alg":"none","#),
            "line 2: not a flattened JWS: unknown field `alg`",
        ),
        (
            "kid",
            with(2, r#""header":{"#, r#""header":{"kid":"0","#),
            "line 3: not a flattened JWS: unknown field `kid`",
        ),
        (
            "x5c",
            with(1, r#""header":{"#, r#""header":{"x5c":["MIIB"],"#),
            "line 2: not a flattened JWS: unknown field `x5c`",
        ),
        (
            "two payloads",
            with(1, "{", &format!(r#"{{"payload":{other_payload},"#)),
            "line 2: not a flattened JWS: duplicate field `payload`",
        ),
        (
            "closing header",
            with(8, "{", r#"{"header":{"uniqueId":"0"},"#),
            "line 9: the closing record: not a closing record: it has an unprotected header",
        ),
    ];
    for (what, lines, says) in cases {
        t.rejected(what, &lines, &[], says);
    }
}

/// A first line that is not meant as a flattened JWS at all is another kind of file
/// (exit 2, as for `manifest.json`); a JWS-shaped first line that fails is a verdict.
#[test]
fn a_file_that_is_not_a_manifest_is_unreadable_input_not_a_verdict() {
    let t = Tamper::new();
    for other in [
        "audit.jsonl",
        "records.jsonl",
        "report.json",
        "pki/vault-certificate.pem",
    ] {
        let out = provsim(&[
            "manifest",
            "verify",
            t.run.path().join(other).to_str().unwrap(),
            "--signer",
            t.signer().to_str().unwrap(),
        ]);
        assert_eq!(code(&out), 2, "{other}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("is not a manifest: its first line is not a flattened JWS"),
            "{other}: {}",
            stderr(&out)
        );
    }
    // Shaped like one, but not one: rejected at the line.
    let mut lines = t.lines.clone();
    lines[0] = r#"{"protected":"e30","payload":"e30","signature":"AA"}"#.to_owned();
    t.rejected(
        "shaped",
        &lines,
        &[],
        "line 1: the protected header is not ES256 by this signer",
    );
}

/// The line writes LF alone: a CRLF line is rewritten, though JSON reads past the CR.
#[test]
fn a_crlf_manifest_is_rejected_at_its_first_line() {
    let t = Tamper::new();
    let crlf: Vec<String> = t.lines.iter().map(|l| format!("{l}\r")).collect();
    t.rejected(
        "crlf",
        &crlf,
        &[],
        "line 1: the line ends in CR (a CRLF line break): not the bytes the line wrote",
    );
    let mut one = t.lines.clone();
    one[4].push_str("\r\r");
    t.rejected("one crlf", &one, &[], "line 5: the line ends in CR");
}
