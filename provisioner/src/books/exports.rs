//! The books as an auditor gets them from a line: the audit log, the customer's
//! manifest, the signed device records and the device certificates, checked against
//! each other. Each file has its own verifier (chain, signatures, closing record); this
//! asks the question none of them can alone: do the four books tell the same story of
//! which identities were made, shipped and certified? Every disagreement is named by
//! its file, line and identity.
//!
//! It reads what it is given, whatever it is: a line that does not parse is itself a
//! finding, never a panic. It is handed each book whole and keeps an entry of a few
//! hundred bytes per identity of each: a lot of a hundred thousand devices is a few
//! hundred MB; a larger run's books are best checked lot by lot.

use crate::books::manifest::entry::verify_entry;
use crate::books::overlay::BooksFinding;
use crate::books::record_closing::RECORDS_CLOSING_START;
use provsim_sim::crypto::{Crypto, PublicKey};
use provsim_sim::to_hex;
use std::collections::{BTreeMap, BTreeSet};

/// The four books, as text, and the vault's key and certificate (DER) their signatures
/// verify under.
pub struct Exports<'a> {
    pub audit: &'a str,
    pub manifest: &'a str,
    pub records: &'a str,
    pub devices_pem: &'a str,
    pub vault_key: &'a PublicKey,
    pub vault_der: &'a [u8],
    /// The customer CA's key: every device certificate must verify under it.
    pub customer_ca: &'a PublicKey,
    /// The customer CA's certificate (DER): it must verify under the root.
    pub customer_ca_der: &'a [u8],
    /// The site's root key: the vault's certificate must verify under it.
    pub root: &'a PublicKey,
}

/// What the cross-check found, and how much it read.
#[derive(Debug, Default)]
pub struct ExportsCheck {
    pub shipped: usize,
    pub manifest_entries: usize,
    pub records: usize,
    pub certificates: usize,
    pub findings: Vec<BooksFinding>,
}

/// One shipped identity as a book tells it: the device, where the book says it, and
/// the certificate's SHA-256 where the book gives one.
#[derive(Debug, Clone)]
struct Told {
    device: String,
    at: String,
    certificate: Option<String>,
}

fn finding(identity: &str, what: String) -> BooksFinding {
    BooksFinding {
        record: None,
        identity: Some(identity.to_owned()),
        what,
    }
}

/// A finding no identity names (a file that does not read, a signature that fails).
fn unnamed(what: String) -> BooksFinding {
    BooksFinding {
        record: None,
        identity: None,
        what,
    }
}

/// The value of `name=` in an audit detail.
fn detail_value<'a>(detail: &'a str, name: &str) -> Option<&'a str> {
    detail
        .split(' ')
        .find_map(|part| part.strip_prefix(name)?.strip_prefix('='))
}

/// Cross-checks the four books: every identity the audit log ships has a manifest
/// entry, a device record and a certificate that agree with it; none of those names an
/// identity the log never shipped; identity keys made balance shipped and destroyed.
pub fn check_exports(crypto: &Crypto, books: &Exports<'_>) -> ExportsCheck {
    let mut check = ExportsCheck::default();
    let under_root = |der: &[u8]| {
        x509_parser::parse_x509_certificate(der)
            .is_ok_and(|(_, cert)| crate::pki::certificate::signed_by(crypto, &cert, books.root))
    };
    for (der, what) in [
        (books.vault_der, "the vault's certificate"),
        (books.customer_ca_der, "the customer CA's certificate"),
    ] {
        if !under_root(der) {
            check.findings.push(unnamed(format!(
                "{what} does not verify under the site's root"
            )));
        }
    }
    let (shipped, issued) = audit_story(books.audit, &mut check);
    let manifest = manifest_story(crypto, books, &mut check);
    let records = records_story(books.records, &mut check);
    let certificates = certificate_story(crypto, books, &mut check);
    check.shipped = shipped.len();
    check.manifest_entries = manifest.len();
    check.records = records.len();
    check.certificates = certificates.len();
    let books = [
        ("manifest.jsonl", "a manifest entry", &manifest),
        ("records.jsonl", "a device record", &records),
        ("devices.pem", "a certificate", &certificates),
    ];
    // Every identity the log ships, in every book.
    let present: Vec<BTreeSet<&str>> = books
        .iter()
        .map(|(_, _, story)| story.iter().map(|(i, _)| i.as_str()).collect())
        .collect();
    for (identity, told) in &shipped {
        for ((book, _, _), present) in books.iter().zip(&present) {
            if !present.contains(identity.as_str()) {
                check.findings.push(finding(
                    identity,
                    format!(
                        "{} ships device {} with identity {identity}: {book} has no entry for it",
                        told.at, told.device
                    ),
                ));
            }
        }
    }
    // Every entry of every book, against the log.
    for (_, kind, story) in books {
        for (identity, told) in story {
            let Some(shipped_as) = shipped.get(identity) else {
                check.findings.push(finding(
                    identity,
                    format!(
                        "{} is {kind} for device {} with identity {identity}, which the audit log never shipped",
                        told.at, told.device
                    ),
                ));
                continue;
            };
            if told.device != shipped_as.device {
                check.findings.push(finding(
                    identity,
                    format!(
                        "{} names device {} for identity {identity}, which {} ships as device {}",
                        told.at, told.device, shipped_as.at, shipped_as.device
                    ),
                ));
            } else if told.certificate.is_some() && !issued.contains_key(&told.device) {
                check.findings.push(finding(
                    identity,
                    format!(
                        "{} gives a certificate for device {}, for which no audit record issued one",
                        told.at, told.device
                    ),
                ));
            } else if let (Some(hash), Some(issued)) = (&told.certificate, issued.get(&told.device))
                && !issued.contains(hash)
            {
                check.findings.push(finding(
                    identity,
                    format!(
                        "{} gives device {}'s certificate as {hash}, which no audit record issued",
                        told.at, told.device
                    ),
                ));
            }
        }
    }
    check
}

/// The audit log's story: shipped identities, and each device's issued certificates;
/// identity keys made that were neither shipped nor destroyed are findings.
fn audit_story(
    text: &str,
    check: &mut ExportsCheck,
) -> (BTreeMap<String, Told>, BTreeMap<String, BTreeSet<String>>) {
    let mut shipped = BTreeMap::new();
    let mut issued: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut made: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let at = format!("audit.jsonl line {}", number + 1);
        let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else {
            check
                .findings
                .push(unnamed(format!("{at} is not an audit record")));
            continue;
        };
        let field = |name: &str| record.get(name).and_then(|v| v.as_str()).unwrap_or("");
        let (action, device, detail) = (field("action"), field("device"), field("detail"));
        match (action, detail_value(detail, "key")) {
            ("identity-key-generated", Some(key)) => {
                made.insert(key.to_owned(), (device.to_owned(), at));
            }
            ("identity-key-destroyed", Some(key)) => {
                made.remove(key);
            }
            ("device-shipped", Some(key)) => {
                made.remove(key);
                shipped.insert(
                    key.to_owned(),
                    Told {
                        device: device.to_owned(),
                        at,
                        certificate: None,
                    },
                );
            }
            ("certificate-issued", _) => {
                if let Some(hash) = detail_value(detail, "sha256") {
                    issued
                        .entry(device.to_owned())
                        .or_default()
                        .insert(hash.to_owned());
                }
            }
            _ => {}
        }
    }
    for (key, (device, at)) in made {
        check.findings.push(finding(
            &key,
            format!("{at} makes identity key {key} for device {device}: it was neither shipped nor destroyed"),
        ));
    }
    (shipped, issued)
}

/// The manifest's story: each entry verified under the vault's key; an entry that does
/// not verify is a finding and tells nothing.
fn manifest_story(
    crypto: &Crypto,
    books: &Exports<'_>,
    check: &mut ExportsCheck,
) -> Vec<(String, Told)> {
    let mut story = Vec::new();
    for (number, line) in books.manifest.lines().enumerate() {
        let at = format!("manifest.jsonl line {}", number + 1);
        // The closing record carries no unprotected header: it names no device.
        let is_entry = serde_json::from_str::<serde_json::Value>(line)
            .is_ok_and(|v| v.get("header").is_some());
        if !is_entry {
            continue;
        }
        match verify_entry(crypto, line, books.vault_key, books.vault_der) {
            Ok(entry) => {
                let identity = to_hex(&entry.identity.fingerprint().0);
                story.push((
                    identity,
                    Told {
                        device: entry.unique_id,
                        at,
                        certificate: Some(to_hex(&crypto.sha256(&entry.certificate))),
                    },
                ));
            }
            Err(e) => check.findings.push(unnamed(format!(
                "{at} does not verify under the vault's key: {e}"
            ))),
        }
    }
    story
}

/// The device records' story, as they state it (the records verifier checks their
/// signatures).
fn records_story(text: &str, check: &mut ExportsCheck) -> Vec<(String, Told)> {
    let mut story = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let at = format!("records.jsonl line {}", number + 1);
        if line.starts_with(RECORDS_CLOSING_START) {
            continue;
        }
        let Ok(record) = serde_json::from_str::<serde_json::Value>(line) else {
            check
                .findings
                .push(unnamed(format!("{at} is not a device record")));
            continue;
        };
        let field = |name: &str| record.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        let (Some(device), Some(identity)) = (field("device"), field("identity")) else {
            check
                .findings
                .push(unnamed(format!("{at} names no device or identity")));
            continue;
        };
        story.push((
            identity,
            Told {
                device,
                at,
                certificate: field("certificate_sha256"),
            },
        ));
    }
    story
}

/// The device certificates' story: each certificate's key, its device (the subject's
/// serial number) and its SHA-256.
fn certificate_story(
    crypto: &Crypto,
    books: &Exports<'_>,
    check: &mut ExportsCheck,
) -> Vec<(String, Told)> {
    let mut story = Vec::new();
    let blocks = match pem::parse_many(books.devices_pem) {
        Ok(blocks) => blocks,
        Err(e) => {
            check
                .findings
                .push(unnamed(format!("devices.pem is not PEM: {e}")));
            return story;
        }
    };
    for (number, block) in blocks.iter().enumerate() {
        let at = format!("devices.pem certificate {}", number + 1);
        let parsed = x509_parser::parse_x509_certificate(block.contents())
            .ok()
            .and_then(|(_, cert)| {
                if !crate::pki::certificate::signed_by(crypto, &cert, books.customer_ca) {
                    return Some(Err(()));
                }
                let key = PublicKey::from_sec1(&cert.public_key().subject_public_key.data).ok()?;
                let device = cert
                    .subject()
                    .iter_by_oid(&x509_parser::oid_registry::OID_X509_SERIALNUMBER)
                    .next()
                    .and_then(|a| a.as_str().ok())
                    .map(str::to_owned)
                    .unwrap_or_default();
                Some(Ok((to_hex(&key.fingerprint().0), device)))
            });
        if matches!(parsed, Some(Err(()))) {
            check.findings.push(unnamed(format!(
                "{at} does not verify under the customer CA"
            )));
            continue;
        }
        let Some(Ok((identity, device))) = parsed else {
            check
                .findings
                .push(unnamed(format!("{at} is not a device certificate")));
            continue;
        };
        story.push((
            identity,
            Told {
                device,
                at,
                certificate: Some(to_hex(&crypto.sha256(block.contents()))),
            },
        ));
    }
    story
}
