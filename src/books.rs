//! `provsim books check OUTDIR`: the books a run exported, checked as an ALC_DVS
//! auditor checks a line's: each file against its own verifier (the audit log's chain
//! and signed checkpoints, the manifest's and the records' signatures and closing
//! records), then the four against each other (see `provsim_provisioner::check_exports`),
//! every disagreement named by file, line and identity.

use crate::{fail, say_verdict};
use provsim_provisioner::{
    Exports, ManifestCheck, ManifestExpect, RecordsError, RecordsExpected, check_exports,
    signer_from_pem, verify_log, verify_records,
};
use provsim_scenarios::escape_unseen;
use provsim_sim::crypto::Crypto;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// A whole export, or why it cannot be read (bad input: exit 2).
fn read(dir: &Path, name: &str) -> anyhow::Result<String> {
    let path = dir.join(name);
    std::fs::read_to_string(&path).map_err(|e| {
        anyhow::anyhow!(
            "cannot read `{}`: {e} (books check reads a run's output folder: audit.jsonl, manifest.jsonl, records.jsonl, devices.pem, pki/vault-certificate.pem, pki/root.pem and pki/customer-ca.pem)",
            path.display()
        )
    })
}

/// Exit 0 when the books agree, 1 naming every disagreement, 2 when a book or one of
/// the site's certificates (vault, root, customer CA) is missing or unreadable.
pub fn check(dir: &Path) -> ExitCode {
    let books = [
        "audit.jsonl",
        "manifest.jsonl",
        "records.jsonl",
        "devices.pem",
    ]
    .map(|name| read(dir, name));
    let signer = read(dir, "pki/vault-certificate.pem");
    let [Ok(audit), Ok(manifest), Ok(records), Ok(devices_pem)] = books else {
        let first = books.into_iter().find_map(Result::err);
        return fail(first.unwrap_or_else(|| anyhow::anyhow!("a book could not be read")));
    };
    let signer = match signer {
        Ok(text) => text,
        Err(e) => return fail(e),
    };
    let (key, der) = match signer_from_pem(&signer) {
        Ok(signer) => signer,
        Err(e) => return fail(anyhow::anyhow!("pki/vault-certificate.pem: {e}")),
    };
    let crypto = Crypto::new();
    let mut problems = Vec::new();
    // The vault's certificate must chain to the site's root, and the device
    // certificates to the customer CA; the root's fingerprint is printed for the auditor
    // to compare with the one the site registered.
    let anchors = ["pki/root.pem", "pki/customer-ca.pem"].map(|name| {
        read(dir, name)
            .and_then(|text| signer_from_pem(&text).map_err(|e| anyhow::anyhow!("{name}: {e}")))
    });
    let [Ok((root, _)), Ok((customer_ca, customer_ca_der))] = anchors else {
        let first = anchors.into_iter().find_map(Result::err);
        return fail(
            first.unwrap_or_else(|| anyhow::anyhow!("a CA certificate could not be read")),
        );
    };

    if let Err(e) = verify_log(audit.as_bytes(), None, Some(&key), None) {
        problems.push(format!("audit.jsonl: REJECTED: {e}"));
    }
    let mut manifest_check = ManifestCheck::new(&crypto, &key, &der);
    let rejected = manifest
        .lines()
        .find_map(|line| manifest_check.line(line))
        .map(|r| r.to_string())
        .or_else(|| {
            manifest_check
                .finish(ManifestExpect::default())
                .err()
                .map(|r| r.to_string())
        });
    if let Some(why) = rejected {
        problems.push(format!("manifest.jsonl: REJECTED: {why}"));
    }
    match verify_records(
        records.as_bytes(),
        &crypto,
        &key,
        RecordsExpected::default(),
    ) {
        Ok(_) => {}
        Err(RecordsError::Broken(broken)) => {
            problems.push(format!("records.jsonl: REJECTED at {broken}"));
        }
        Err(e) => problems.push(format!("records.jsonl: {e}")),
    }
    let checked = check_exports(
        &crypto,
        &Exports {
            audit: &audit,
            manifest: &manifest,
            records: &records,
            devices_pem: &devices_pem,
            vault_key: &key,
            vault_der: &der,
            customer_ca: &customer_ca,
            customer_ca_der: &customer_ca_der,
            root: &root,
        },
    );
    problems.extend(checked.findings.iter().map(|f| f.what.clone()));
    // What the books held (a device id, a reason) and the path go out escaped.
    let mut text = format!(
        "provsim: books of `{}` (root CA key {}): {} identities shipped, {} manifest entries, {} device records, {} certificates",
        escape_unseen(&dir.display().to_string()),
        root.fingerprint(),
        checked.shipped,
        checked.manifest_entries,
        checked.records,
        checked.certificates
    );
    let code = if problems.is_empty() {
        text.push_str(": they agree\n");
        ExitCode::SUCCESS
    } else {
        let _ = writeln!(text, ": {} disagreement(s)", problems.len());
        for problem in &problems {
            let _ = writeln!(text, "  - {}", escape_unseen(problem));
        }
        ExitCode::from(1)
    };
    say_verdict(&text, code)
}
