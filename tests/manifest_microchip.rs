//! `manifest.json`: the manifest in the layout of Microchip's secure-element manifests,
//! read the way their tools read it. Microchip's published decoding procedure (re-told
//! in `tests/tools/microchip_decode.py`) reads the file unchanged, and joserfc, a strict
//! JOSE library, verifies every entry once `uniqueId` is registered as a header
//! parameter (and refuses them while it is not).

mod common;

use common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A Python with jwcrypto and joserfc: $PROVSIM_PYTHON, then `.ci/venv/bin/python`, then
/// PATH.
fn python() -> PathBuf {
    venv_tool(
        "PROVSIM_PYTHON",
        "python",
        &["-c", "import jwcrypto, joserfc, cryptography"],
        "`python3 -m venv .ci/venv && .ci/venv/bin/pip install jwcrypto==1.5.6 joserfc==1.8.0`",
    )
}

fn tool(script: &str, args: &[&Path]) -> Output {
    Command::new(python())
        .arg(repo().join("tests/tools").join(script))
        .args(args)
        .output()
        .expect("python runs")
}

/// `manifest.json` is one JSON array of exactly the entries of `manifest.jsonl`, in its
/// order, byte for byte, without the closing record.
fn assert_same_entries(dir: &Path) {
    let jsonl = fs::read_to_string(dir.join("manifest.jsonl")).unwrap();
    let lines: Vec<&str> = jsonl.lines().collect();
    let (closing, entries) = lines.split_last().expect("a closing record");
    assert!(closing.contains(r#""protected""#) && !closing.contains(r#""header""#));
    let json = fs::read_to_string(dir.join("manifest.json")).unwrap();
    let expected = if entries.is_empty() {
        "[]\n".to_owned()
    } else {
        format!("[\n{}\n]\n", entries.join(",\n"))
    };
    assert_eq!(json, expected);
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed.as_array().map(Vec::len), Some(entries.len()));
}

#[test]
fn microchips_decoding_procedure_reads_manifest_json_unchanged() {
    for scenario in ["mcu-board-provisioner-hsm", "mcu-wafer-customer-hsm"] {
        let (dir, out) = run_into(Some(scenario), Some(1));
        assert!(matches!(code(&out), 0 | 1), "{scenario}: {}", stderr(&out));
        assert_same_entries(dir.path());
        let decoded = tool(
            "microchip_decode.py",
            &[
                &dir.path().join("manifest.json"),
                &dir.path().join("pki/vault-certificate.pem"),
            ],
        );
        assert_eq!(code(&decoded), 0, "{scenario}: {}", stderr(&decoded));
        // Each element's uniqueId, and the device certificate its publicKeySet carries
        // names the same device.
        let (ids, subjects): (Vec<String>, Vec<String>) = stdout(&decoded)
            .lines()
            .map(|l| {
                let (id, cn) = l.split_once(' ').expect("uniqueId and subject");
                (id.to_owned(), cn.to_owned())
            })
            .unzip();
        assert_eq!(ids, shipped_ids(dir.path()), "{scenario}");
        assert!(
            ids.iter()
                .zip(&subjects)
                .all(|(id, cn)| cn.contains(id.as_str())),
            "{scenario}: {subjects:?}"
        );
        assert!(!ids.is_empty());

        // Under another certificate the procedure refuses at the first element: its kid
        // names the vault's certificate, not the root's.
        let foreign = tool(
            "microchip_decode.py",
            &[
                &dir.path().join("manifest.json"),
                &dir.path().join("pki/root.pem"),
            ],
        );
        assert_eq!(code(&foreign), 1, "{scenario}: {}", stdout(&foreign));
        assert!(
            stderr(&foreign).contains("element 0"),
            "{}",
            stderr(&foreign)
        );
    }
}

#[test]
fn joserfc_with_unique_id_registered_verifies_every_entry() {
    let (dir, out) = run_into(None, Some(2));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let manifest = dir.path().join("manifest.json");
    let signer = dir.path().join("pki/vault-certificate.pem");
    let verified = tool("joserfc_manifest.py", &[&manifest, &signer]);
    assert_eq!(code(&verified), 0, "{}", stderr(&verified));
    let ids: Vec<String> = stdout(&verified).lines().map(str::to_owned).collect();
    assert_eq!(ids, shipped_ids(dir.path()));
    let count = report_json(dir.path())["devices"]["count"]
        .as_u64()
        .unwrap();
    assert_eq!(ids.len() as u64, count);

    // joserfc is strict: the unregistered `uniqueId` is refused, so the registration is
    // what lets the entries through, and the check above did check something.
    let unregistered = tool(
        "joserfc_manifest.py",
        &[Path::new("--unregistered"), &manifest, &signer],
    );
    assert_eq!(code(&unregistered), 1, "{}", stdout(&unregistered));
    assert!(
        stderr(&unregistered).contains("uniqueId"),
        "{}",
        stderr(&unregistered)
    );
    // And an entry changed in its payload is refused.
    let json = fs::read_to_string(&manifest).unwrap();
    let mut array: serde_json::Value = serde_json::from_str(&json).unwrap();
    let payload = array[0]["payload"].as_str().unwrap().to_owned();
    let flipped = if payload.ends_with('A') { "B" } else { "A" };
    array[0]["payload"] = format!("{}{flipped}", &payload[..payload.len() - 1]).into();
    let changed = dir.path().join("changed.json");
    fs::write(&changed, array.to_string()).unwrap();
    let refused = tool("joserfc_manifest.py", &[&changed, &signer]);
    assert_eq!(code(&refused), 1, "{}", stdout(&refused));
}

#[test]
fn a_run_that_ships_nothing_writes_an_empty_array_and_a_closing_record() {
    let dir = tempfile::tempdir().unwrap();
    let out = provsim(&[
        "run",
        repo()
            .join("tests/hostile/nothing-yields.toml")
            .to_str()
            .unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_same_entries(dir.path());
    let decoded = tool(
        "microchip_decode.py",
        &[
            &dir.path().join("manifest.json"),
            &dir.path().join("pki/vault-certificate.pem"),
        ],
    );
    assert_eq!(code(&decoded), 0, "{}", stderr(&decoded));
    assert_eq!(stdout(&decoded), "");
}
