//! Unit tests of the whole-manifest check: count and order against the closing record.

use super::*;
use crate::books::manifest::closing::ManifestChain;
use crate::books::manifest::entry::{ManifestFields, verify_entry};
use crate::books::manifest::fixture::{Fixture, RUN, malleate};
use crate::books::manifest::jws::b64url;
use provsim_sim::Digest;
use provsim_sim::crypto::Signature;

fn check(
    f: &Fixture,
    lines: &[String],
    expect: Option<u64>,
) -> Result<ManifestSummary, ManifestRejection> {
    let expect = ManifestExpect {
        entries: expect,
        run: None,
    };
    check_expecting(f, lines, expect)
}

fn check_expecting(
    f: &Fixture,
    lines: &[String],
    expect: ManifestExpect,
) -> Result<ManifestSummary, ManifestRejection> {
    let mut check = ManifestCheck::new(&f.crypto, f.signer.public_key(), &f.signer_der);
    for line in lines {
        if let Some(rejected) = check.line(line) {
            return Err(rejected);
        }
    }
    check.finish(expect)
}

fn rejected_at(result: Result<ManifestSummary, ManifestRejection>, line: Option<u64>, says: &str) {
    let rejection = result.expect_err("the manifest was accepted");
    assert_eq!(rejection.line, line, "{rejection}");
    assert!(rejection.reason.contains(says), "{rejection}");
}

#[test]
fn a_whole_manifest_verifies_with_or_without_the_right_count() {
    let f = Fixture::new();
    let lines = f.manifest(5);
    let whole = ManifestSummary {
        entries: 5,
        closing_line: 6,
        run: RUN,
    };
    assert_eq!(check(&f, &lines, None), Ok(whole));
    assert_eq!(check(&f, &lines, Some(5)), Ok(whole));
    rejected_at(
        check(&f, &lines, Some(6)),
        Some(6),
        "signs 5 entries where 6 were expected",
    );
}

#[test]
fn a_removed_entry_is_named_at_its_line() {
    let f = Fixture::new();
    let mut lines = f.manifest(5);
    lines.remove(2);
    rejected_at(
        check(&f, &lines, None),
        Some(3),
        "entry 3 is missing (removed): line 3 holds entry 4",
    );
}

#[test]
fn reordered_entries_are_named_at_the_first_line_out_of_place() {
    let f = Fixture::new();
    let mut swapped = f.manifest(5);
    swapped.swap(1, 3);
    rejected_at(
        check(&f, &swapped, None),
        Some(2),
        "entries out of order: entry 2 belongs here but is at line 4 (line 2 holds entry 4)",
    );
    let mut adjacent = f.manifest(5);
    adjacent.swap(2, 3);
    rejected_at(
        check(&f, &adjacent, None),
        Some(3),
        "entry 3 belongs here but is at line 4",
    );
    let mut repeated = f.manifest(5);
    repeated.insert(3, repeated[1].clone());
    rejected_at(
        check(&f, &repeated, None),
        Some(4),
        "entry 2 again (it is at line 2)",
    );
}

#[test]
fn a_manifest_cut_or_closed_wrongly_is_rejected() {
    let f = Fixture::new();
    let lines = f.manifest(4);
    // The last entry removed, the closing record kept.
    let mut last_removed = lines.clone();
    last_removed.remove(3);
    rejected_at(
        check(&f, &last_removed, None),
        Some(4),
        "signs 4 entries, but the entries before it end at entry 3: entry 4 was removed",
    );
    // Cut: the closing record gone, with or without entries before it.
    rejected_at(
        check(&f, &lines[..4], None),
        None,
        "no closing record after line 4: the manifest was cut, or its closing record removed",
    );
    rejected_at(
        check(&f, &lines[..2], Some(4)),
        None,
        "no closing record after line 2",
    );
    // Anything after the closing record.
    let mut added = lines.clone();
    added.push(lines[0].clone());
    rejected_at(
        check(&f, &added, None),
        Some(6),
        "a line after the closing record (line 5)",
    );
    // Another manifest's closing record: same count, other entries.
    let mut chain = ManifestChain::new();
    for n in 1..=4 {
        let other = ManifestFields {
            manufacturer: "Other",
            ..f.fields(n)
        };
        chain.push(
            &f.crypto,
            &other.signing_input(f.signer.public_key(), &f.signer_der),
        );
    }
    let mut foreign = lines.clone();
    foreign[4] = f.closing(chain);
    rejected_at(check(&f, &foreign, None), Some(5), "the chain differs");
    // An entry replaced by one signed for another manifest, with the same number.
    let mut replaced = lines.clone();
    replaced[1] = f
        .sign(&ManifestFields {
            manufacturer: "Other",
            ..f.fields(2)
        })
        .0;
    rejected_at(check(&f, &replaced, None), Some(5), "the chain differs");
}

#[test]
fn an_empty_manifest_vouches_for_nothing() {
    let f = Fixture::new();
    rejected_at(check(&f, &[], None), Some(1), "the manifest holds no entry");
    // A closing record for no entry is just as empty.
    let closed_empty = f.manifest(0);
    assert_eq!(closed_empty.len(), 1);
    rejected_at(
        check(&f, &closed_empty, None),
        Some(1),
        "the manifest holds no entry",
    );
}

#[test]
fn the_closing_record_is_signed_low_s_and_never_passes_for_an_entry() {
    let f = Fixture::new();
    let lines = f.manifest(2);
    let closing: serde_json::Value = serde_json::from_str(&lines[2]).unwrap();
    assert!(
        closing.get("header").is_none(),
        "no uniqueId to take it for an entry by"
    );
    // Given as an entry, it is refused; an entry is never taken for it.
    assert!(verify_entry(&f.crypto, &lines[2], f.signer.public_key(), &f.signer_der).is_err());
    // Its high-S copy is refused as malleated.
    let fixed =
        crate::books::manifest::jws::decode(closing["signature"].as_str().unwrap(), "s").unwrap();
    let low = Signature::from_fixed(&fixed).unwrap();
    assert!(low.is_low_s().unwrap());
    let mut malleated = closing.clone();
    malleated["signature"] = b64url(&malleate(&low).to_fixed().unwrap()).into();
    let mut lines = lines.clone();
    lines[2] = malleated.to_string();
    rejected_at(check(&f, &lines, None), Some(3), "high-S");
}

/// Every run at one seed signs with the same vault key: only the run its closing record
/// names tells their manifests apart.
#[test]
fn the_closing_record_names_its_run_and_another_run_is_rejected() {
    let f = Fixture::new();
    let lines = f.manifest(3);
    let expecting = |run| ManifestExpect {
        entries: Some(3),
        run: Some(run),
    };
    assert_eq!(
        check_expecting(&f, &lines, expecting(RUN)).map(|s| s.run),
        Ok(RUN)
    );
    let other = Digest([0xa5; 32]);
    rejected_at(
        check_expecting(&f, &lines, expecting(other)),
        Some(4),
        &format!(
            "the closing record names run {RUN} where run {other} was expected: another run's manifest"
        ),
    );
    let closing: serde_json::Value = serde_json::from_str(&lines[3]).unwrap();
    let payload =
        crate::books::manifest::jws::decode(closing["payload"].as_str().unwrap(), "p").unwrap();
    let payload: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(payload["run"], RUN.to_string());
    assert_eq!(payload["run"].as_str().unwrap().len(), 64);
}

/// A closing record that names no run, or names it other than as written, is refused.
#[test]
fn a_closing_record_without_its_run_is_rejected() {
    let f = Fixture::new();
    let mut lines = f.manifest(1);
    let (signer, der) = (f.signer.public_key(), &f.signer_der[..]);
    let head = ManifestChain::new();
    let mut chain = head;
    let entry: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
    chain.push(
        &f.crypto,
        &format!(
            "{}.{}",
            entry["protected"].as_str().unwrap(),
            entry["payload"].as_str().unwrap()
        ),
    );
    let chain_text = b64url(&chain.head());
    for run in [
        serde_json::Value::Null,
        RUN.to_string().to_uppercase().into(),
        "5a5a".into(),
    ] {
        let mut payload = serde_json::json!({"version": 1, "entries": 1, "chain": chain_text,
            "closedTimestamp": "2025-01-01T00:00:00.000Z"});
        if !run.is_null() {
            payload["run"] = run;
        }
        let input = format!(
            "{}.{}",
            crate::books::manifest::jws::protected_header(signer, der, Some(CLOSING_TYP)),
            b64url(payload.to_string().as_bytes())
        );
        let signature = f.crypto.sign(&f.signer, input.as_bytes());
        lines[1] = crate::books::manifest::jws::signed_line(&input, None, &signature).unwrap();
        rejected_at(
            check(&f, &lines, None),
            Some(2),
            "the closing record: not a closing record: it names no run (64 lowercase hex digits)",
        );
    }
}

/// A CRLF line is not what the line wrote, though JSON would read past the CR.
#[test]
fn a_line_ending_in_cr_is_rejected() {
    let f = Fixture::new();
    for at in [0, 1, 2] {
        let mut lines = f.manifest(2);
        lines[at].push('\r');
        rejected_at(
            check(&f, &lines, None),
            Some(at as u64 + 1),
            "the line ends in CR (a CRLF line break)",
        );
    }
}
