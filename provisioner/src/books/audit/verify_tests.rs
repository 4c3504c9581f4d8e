use super::*;
use crate::books::audit::checkpoint::{Stamp, signed_message};
use crate::books::audit::log::AuditLog;
use provsim_devices::DeviceId;
use provsim_sim::SimTime;
use provsim_sim::crypto::{Crypto, PublicKey, SecretKey, Signature};
use std::convert::Infallible;

/// The vault's key in these tests (`byte` 1), or another signer's.
fn key(byte: u8) -> SecretKey {
    Crypto::new().import_secret(&[byte; 32]).unwrap()
}

fn vault() -> PublicKey {
    key(1).public_key().clone()
}

/// The vault signing with `key`, as the line's HSM does (low-S).
fn signing(key: &SecretKey) -> impl FnOnce(&[u8]) -> Result<Signature, Infallible> + '_ {
    move |message| Ok(Crypto::new().sign_low_s(key, message))
}

/// One device record of a test log.
fn device_record(log: &mut AuditLog, crypto: &Crypto, i: u64) -> String {
    log.append(
        crypto,
        SimTime::from_nanos(i * 10),
        "station",
        "identity-key-injected",
        Some(DeviceId(i)),
        format!("key={}", "ab".repeat(32)),
    )
    .line
}

/// The run the test logs open.
const RUN: Digest = Digest([0x5a; 32]);

/// A closed log, signed by the vault: the `run-opened` record naming [`RUN`] and
/// `devices - 1` device records, a checkpoint after each count of records in
/// `checkpoints` (counting every record so far), then the closing record.
fn signed_log(devices: u64, checkpoints: &[u64]) -> Vec<String> {
    let crypto = Crypto::new();
    let vault = key(1);
    let mut log = AuditLog::new();
    let mut lines = Vec::new();
    for i in 0..devices {
        if checkpoints.contains(&log.records()) {
            let record = log.checkpoint(&crypto, SimTime::from_nanos(i * 10), signing(&vault));
            lines.push(record.unwrap().line);
        }
        if i == 0 {
            let detail = format!("run={}", to_hex(&RUN.0));
            let opened = log.append(&crypto, SimTime::ZERO, "site", "run-opened", None, detail);
            lines.push(opened.line);
        } else {
            lines.push(device_record(&mut log, &crypto, i));
        }
    }
    lines.push(
        log.close(&crypto, SimTime::ZERO, signing(&vault))
            .unwrap()
            .line,
    );
    lines
}

/// A closed log of `n` device records (n + 1 lines) and its head.
fn log(n: u64) -> (Vec<u8>, Digest) {
    let lines = signed_log(n, &[]);
    let bytes = join(&lines);
    let head = verify_log(&bytes[..], None, None, None).unwrap().head;
    (bytes, head)
}

fn join(lines: &[String]) -> Vec<u8> {
    lines
        .iter()
        .flat_map(|l| format!("{l}\n").into_bytes())
        .collect()
}

/// What a forger does: every line's `prev` set to the hash of the line before it as it
/// now is, and every `hash` recomputed, so the chain is whole again.
fn rehash(lines: &[String]) -> Vec<u8> {
    let mut prev = to_hex(&[0; 32]);
    let mut out = Vec::new();
    for line in lines {
        let cut = line.rfind(HASH_FIELD).unwrap();
        let at = line[..cut].rfind(",\"prev\":\"").unwrap();
        let prefix = format!("{},\"prev\":\"{prev}\"", &line[..at]);
        prev = to_hex(&Sha256::digest(prefix.as_bytes()));
        out.extend(format!("{prefix}{HASH_FIELD}{prev}\"}}\n").into_bytes());
    }
    out
}

/// `lines` with line `index`'s detail replaced by `detail`.
fn with_detail(lines: &[String], index: usize, detail: &str) -> Vec<String> {
    let mut lines = lines.to_vec();
    let value: serde_json::Value = serde_json::from_str(&lines[index]).unwrap();
    let old = serde_json::to_string(value["detail"].as_str().unwrap()).unwrap();
    let new = serde_json::to_string(detail).unwrap();
    lines[index] = lines[index].replacen(&old, &new, 1);
    lines
}

/// A line's `seq` and `at_ns`, which a signed record's signature covers.
fn stamp_of(line: &str) -> Stamp {
    let value: serde_json::Value = serde_json::from_str(line).unwrap();
    Stamp {
        seq: value["seq"].as_u64().unwrap(),
        at_ns: value["at_ns"].as_u64().unwrap(),
    }
}

fn detail_of(line: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(line).unwrap();
    value["detail"].as_str().unwrap().to_owned()
}

/// The same signature with `s` replaced by `n - s`: valid ECDSA, but high-S.
fn high_s(signature: &Signature) -> Signature {
    const N: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63,
        0x25, 0x51,
    ];
    let mut fixed = signature.to_fixed().unwrap();
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(N[i]) - i16::from(fixed[32 + i]) - borrow;
        fixed[32 + i] = d.rem_euclid(256) as u8;
        borrow = i16::from(d < 0);
    }
    Signature::from_fixed(&fixed).unwrap()
}

fn hex_to_bytes(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// The log the signer tests work on: 25 device records, a checkpoint after the first 10
/// (record 10) and after the next 10 (record 21), and the closing record (record 27).
fn checkpointed() -> Vec<String> {
    let lines = signed_log(25, &[10, 21]);
    assert_eq!(lines.len(), 28);
    assert!(lines[10].contains(CHECKPOINT_ACTION) && lines[21].contains(CHECKPOINT_ACTION));
    lines
}

fn verdict(bytes: &[u8], signer: Option<&PublicKey>) -> Result<AuditSummary, AuditError> {
    verify_log(bytes, None, signer, None)
}

#[test]
fn a_signed_log_verifies_under_its_signer_only() {
    let lines = checkpointed();
    let bytes = join(&lines);
    let summary = verdict(&bytes, Some(&vault())).unwrap();
    assert_eq!((summary.records, summary.checkpoints), (28, 2));
    assert_eq!(verdict(&bytes, None).unwrap().checkpoints, 0);
    // Another signer vouches for nothing: the first checkpoint already fails.
    let other = key(2).public_key().clone();
    let b = broken(verdict(&bytes, Some(&other)));
    assert_eq!(b.record, 0, "{b}");
    assert!(
        b.reason.contains(
            "the checkpoint at record 10 (line 11) has a signature that does not verify under the signer's key"
        ),
        "{b}"
    );
    // A checkpoint's signature is over the message its module documents.
    let detail = detail_of(&lines[21]);
    let signature = detail.rsplit_once("signature=").unwrap().1;
    let head = parse_head(&detail[detail.find("head=").unwrap() + 5..][..64]).unwrap();
    Crypto::new()
        .verify(
            &vault(),
            signed_message(Vouch::Checkpoint, stamp_of(&lines[21]), 21, &head).as_bytes(),
            &Signature::from_der_bytes(hex_to_bytes(signature)),
        )
        .unwrap();
}

#[test]
fn a_record_rewritten_and_rehashed_is_caught_after_the_last_good_checkpoint() {
    let lines = checkpointed();
    // (the record rewritten, the first record after the last good checkpoint before it,
    // the signed record that catches it)
    for (rewritten, named, caught) in [(3, 0, 10), (15, 11, 21), (24, 22, 27)] {
        let forged = rehash(&with_detail(&lines, rewritten, "key=forged"));
        // The finding: without the signer, the rewritten log is intact.
        assert!(verdict(&forged, None).is_ok(), "record {rewritten}");
        let b = broken(verdict(&forged, Some(&vault())));
        assert_eq!(b.record, named, "record {rewritten}: {b}");
        assert_eq!(b.line, named + 1);
        assert!(
            b.reason
                .contains(&format!("at record {caught} (line {})", caught + 1))
                && b.reason.contains("but the records before it hash to")
                && b.reason.contains(&format!(
                    "a record from {named} to {} may have been rewritten",
                    caught - 1
                )),
            "record {rewritten}: {b}"
        );
    }
}

#[test]
fn every_checkpoint_field_altered_is_caught() {
    let lines = checkpointed();
    let detail = detail_of(&lines[21]);
    let (statement, signature) = detail.rsplit_once(" signature=").unwrap();
    let head = &statement[statement.find("head=").unwrap() + 5..];
    let other_head = format!(
        "{}{}",
        if head.starts_with('0') { "1" } else { "0" },
        &head[1..]
    );
    let sig = Signature::from_der_bytes(hex_to_bytes(signature));
    let mut flipped = hex_to_bytes(signature);
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let cases = [
        (
            format!("records=22 head={head} signature={signature}"),
            "counts 22 record(s) before it, but 21 precede it",
        ),
        (
            format!("records=21 head={other_head} signature={signature}"),
            "states head",
        ),
        (
            format!("records=21 head={head} signature={}", to_hex(&flipped)),
            "does not verify under the signer's key",
        ),
        (
            format!(
                "records=21 head={head} signature={}",
                signature.to_uppercase()
            ),
            "not hex",
        ),
        (
            format!("records=21 head={head} signature=3000"),
            "not a DER ECDSA signature",
        ),
        (
            format!(
                "records=21 head={head} signature={}",
                to_hex(high_s(&sig).as_der())
            ),
            "high-S (malleated)",
        ),
        (
            format!("records=21 head={head}"),
            "is not `records=K head=H signature=S`",
        ),
        (
            format!("{detail} note=x"),
            "is not `records=K head=H signature=S`",
        ),
        (
            format!("head={head} records=21 signature={signature}"),
            "is not",
        ),
        ("records=21".to_owned(), "carries no signature"),
    ];
    for (altered, why) in cases {
        let forged = rehash(&with_detail(&lines, 21, &altered));
        assert!(verdict(&forged, None).is_ok(), "{altered}");
        let b = broken(verdict(&forged, Some(&vault())));
        assert_eq!(b.record, 11, "{altered}: {b}");
        assert!(
            b.reason.contains("the checkpoint at record 21 (line 22)") && b.reason.contains(why),
            "{altered}: expected {why:?} in {b}"
        );
    }
    // The high-S form is the same signature, malleated: it verifies as plain ECDSA.
    let message = signed_message(
        Vouch::Checkpoint,
        stamp_of(&lines[21]),
        21,
        &parse_head(head).unwrap(),
    );
    Crypto::new()
        .verify(&vault(), message.as_bytes(), &high_s(&sig))
        .unwrap();
}

#[test]
fn a_forged_signature_is_caught() {
    let lines = checkpointed();
    let detail = detail_of(&lines[21]);
    let statement = detail.rsplit_once(" signature=").unwrap().0;
    let head = parse_head(&statement[statement.find("head=").unwrap() + 5..]).unwrap();
    let message = signed_message(Vouch::Checkpoint, stamp_of(&lines[21]), 21, &head);
    let crypto = Crypto::new();
    for forger in [key(2), key(3)] {
        let forged = crypto.sign_low_s(&forger, message.as_bytes());
        let altered = format!("{statement} signature={}", to_hex(forged.as_der()));
        let b = broken(verdict(
            &join(&with_detail(&lines, 21, &altered)),
            Some(&vault()),
        ));
        // The detail changed, so its own hash no longer matches: the chain breaks there,
        // and the signer vouches for nothing after the last checkpoint that held.
        assert_eq!(b.record, 11, "{b}");
        assert!(
            b.reason
                .contains("the chain breaks at record 21 (line 22): its bytes hash to"),
            "{b}"
        );
        // Without the signer, the chain names the record itself.
        let b = broken(verdict(&join(&with_detail(&lines, 21, &altered)), None));
        assert_eq!(b.record, 21, "{b}");
        let b = broken(verdict(
            &rehash(&with_detail(&lines, 21, &altered)),
            Some(&vault()),
        ));
        assert_eq!(b.record, 11, "{b}");
        assert!(b.reason.contains("does not verify"), "{b}");
    }
}

#[test]
fn a_log_cut_after_a_checkpoint_and_closed_again_is_caught() {
    let lines = checkpointed();
    let mut cut = lines[..22].to_vec();
    // Closed again by hand, unsigned (the old closing record's form).
    cut.push(lines[27].replacen("{\"seq\":27,", "{\"seq\":22,", 1));
    let unsigned = rehash(&with_detail(&cut, 22, "records=23"));
    assert_eq!(verdict(&unsigned, None).unwrap().records, 23);
    let b = broken(verdict(&unsigned, Some(&vault())));
    assert_eq!(b.record, 22, "{b}");
    assert!(
        b.reason
            .contains("the closing record at record 22 (line 23) carries no signature"),
        "{b}"
    );
    // Closed with the checkpoint's signature replayed: it vouches for another statement.
    let detail = detail_of(&lines[21]);
    let signature = detail.rsplit_once(" signature=").unwrap().1;
    let value: serde_json::Value = serde_json::from_str(&lines[21]).unwrap();
    let head = parse_head(value["hash"].as_str().unwrap()).unwrap();
    let replayed = format!("records=23 head={} signature={signature}", to_hex(&head.0));
    let b = broken(verdict(
        &rehash(&with_detail(&cut, 22, &replayed)),
        Some(&vault()),
    ));
    assert_eq!(b.record, 22, "{b}");
    assert!(b.reason.contains("does not verify"), "{b}");
    // Re-signed by another key: still not the vault.
    let message = signed_message(Vouch::Closing, stamp_of(&cut[22]), 23, &head);
    let other = Crypto::new().sign_low_s(&key(2), message.as_bytes());
    let resigned = format!(
        "records=23 head={} signature={}",
        to_hex(&head.0),
        to_hex(other.as_der())
    );
    let b = broken(verdict(
        &rehash(&with_detail(&cut, 22, &resigned)),
        Some(&vault()),
    ));
    assert_eq!(b.record, 22, "{b}");
    // Re-signed by the vault, it is the vault's word: intact.
    let good = Crypto::new().sign_low_s(&key(1), message.as_bytes());
    let vouched = format!(
        "records=23 head={} signature={}",
        to_hex(&head.0),
        to_hex(good.as_der())
    );
    let summary = verdict(&rehash(&with_detail(&cut, 22, &vouched)), Some(&vault())).unwrap();
    assert_eq!((summary.records, summary.checkpoints), (23, 2));
}

#[test]
fn a_closing_record_without_a_signature_is_refused_by_the_signer_only() {
    let lines = signed_log(3, &[]);
    let unsigned = rehash(&with_detail(&lines, 3, "records=4"));
    assert_eq!(verdict(&unsigned, None).unwrap().records, 4);
    let b = broken(verdict(&unsigned, Some(&vault())));
    assert_eq!(b.record, 0, "{b}");
    assert!(b.reason.contains("carries no signature"), "{b}");
    // A count the closing record gets wrong is caught with or without the signer.
    let detail = detail_of(&lines[3]).replacen("records=4", "records=5", 1);
    let miscounted = rehash(&with_detail(&lines, 3, &detail));
    let b = broken(verdict(&miscounted, None));
    assert!(
        b.reason.contains("counts 5 record(s), the log has 4"),
        "{b}"
    );
    let b = broken(verdict(&miscounted, Some(&vault())));
    assert!(
        b.reason.contains(
            "the closing record at record 3 (line 4) counts 5 record(s), but the log has 4"
        ),
        "{b}"
    );
}

#[test]
fn a_line_longer_than_any_record_is_not_a_log() {
    let zeros = std::io::repeat(0).take(MAX_RECORD_BYTES * 4);
    let result = verify_log(std::io::BufReader::new(zeros), None, None, None);
    assert!(
        matches!(result, Err(AuditError::NotALog { line: 1 })),
        "{result:?}"
    );
}

fn broken(result: Result<AuditSummary, AuditError>) -> AuditBreak {
    match result {
        Err(AuditError::Broken(b)) => b,
        other => panic!("expected a broken log, got {other:?}"),
    }
}

/// The record a byte offset falls in.
fn record_at(bytes: &[u8], offset: usize) -> u64 {
    bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u64
}

#[test]
fn an_intact_log_verifies_with_and_without_its_head() {
    let (bytes, head) = log(4);
    let summary = verify_log(&bytes[..], Some(head), None, None).unwrap();
    assert_eq!(
        summary,
        AuditSummary {
            records: 5,
            head,
            checkpoints: 0,
            run: Some(RUN),
        }
    );
    assert_eq!(verify_log(&bytes[..], None, None, None).unwrap().records, 5);
    // An empty file is not an intact log: it has no closing record.
    assert_eq!(broken(verify_log(&b""[..], None, None, None)).record, 0);
}

#[test]
fn every_altered_byte_is_caught_at_its_record() {
    let (bytes, head) = log(3);
    for offset in 0..bytes.len() {
        for flip in [0x01u8, 0x20, 0x80] {
            let mut altered = bytes.clone();
            altered[offset] ^= flip;
            let b = broken(verify_log(&altered[..], Some(head), None, None));
            assert_eq!(
                b.record,
                record_at(&bytes, offset),
                "byte {offset} ^ {flip:#x}: {b}"
            );
        }
    }
}

#[test]
fn a_cut_reordered_or_extended_log_is_caught_even_without_the_head() {
    let (bytes, head) = log(3);
    let lines: Vec<&[u8]> = bytes.split_inclusive(|&b| b == b'\n').collect();
    for keep in 0..lines.len() {
        let cut: Vec<u8> = lines[..keep].concat();
        let b = broken(verify_log(&cut[..], None, None, None));
        assert_eq!(b.record, keep as u64);
        assert!(b.reason.contains("without its closing record"), "{b}");
    }
    let mid = &bytes[..bytes.len() - 5];
    assert_eq!(broken(verify_log(mid, None, None, None)).record, 3);
    let swapped: Vec<u8> = [lines[1], lines[0], lines[2], lines[3]].concat();
    assert_eq!(broken(verify_log(&swapped[..], None, None, None)).record, 0);
    let dropped_middle: Vec<u8> = [lines[0], lines[2], lines[3]].concat();
    assert_eq!(
        broken(verify_log(&dropped_middle[..], None, None, None)).record,
        1
    );
    let after_close: Vec<u8> = [&bytes[..], lines[0]].concat();
    assert_eq!(
        broken(verify_log(&after_close[..], Some(head), None, None)).record,
        4
    );
}

#[test]
fn a_record_rewritten_and_rehashed_is_named() {
    let crypto = Crypto::new();
    // Rewrite record 1 with new detail and a correct hash of its own: record 2's
    // `prev` no longer matches, and the blame goes to record 1.
    let mut log = AuditLog::new();
    let mut lines = Vec::new();
    for detail in ["a", "b", "c"] {
        lines.push(
            log.append(&crypto, SimTime::ZERO, "x", "y", None, detail.to_owned())
                .line,
        );
    }
    lines.push(
        log.close(&crypto, SimTime::ZERO, signing(&key(1)))
            .unwrap()
            .line,
    );
    let mut forged_log = AuditLog::new();
    forged_log.append(&crypto, SimTime::ZERO, "x", "y", None, "a".to_owned());
    let forged = forged_log
        .append(&crypto, SimTime::ZERO, "x", "y", None, "B".to_owned())
        .line;
    let text = format!("{}\n{forged}\n{}\n{}\n", lines[0], lines[2], lines[3]);
    let b = broken(verify_log(text.as_bytes(), None, None, None));
    assert_eq!(b.record, 1, "{b}");
    assert!(b.reason.starts_with("rewritten"), "{b}");
}

#[test]
fn unreadable_input_is_not_a_verdict() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    let result = verify_log(std::io::BufReader::new(Failing), None, None, None);
    assert!(matches!(result, Err(AuditError::Io(_))), "{result:?}");
}

#[test]
fn heads_parse_from_hex() {
    let (_, head) = log(1);
    assert_eq!(parse_head(&to_hex(&head.0)), Some(head));
    assert_eq!(parse_head(&to_hex(&head.0).to_uppercase()), Some(head));
    assert_eq!(parse_head("abc"), None);
}

/// `lines` with line `index`'s `field` (a JSON value as written) replaced by `value`.
fn with_field(lines: &[String], index: usize, field: &str, value: &str) -> Vec<String> {
    let mut lines = lines.to_vec();
    let mut record: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&lines[index]).unwrap();
    record.insert(field.to_owned(), serde_json::from_str(value).unwrap());
    // The fixed field order the line writes, so re-hashing gives a whole line.
    let order = [
        "seq", "at_ns", "actor", "action", "device", "detail", "prev", "hash",
    ];
    let body: Vec<String> = order
        .iter()
        .map(|f| format!("\"{f}\":{}", record[*f]))
        .collect();
    lines[index] = format!("{{{}}}", body.join(","));
    lines
}

#[test]
fn a_signed_records_own_line_is_fixed_by_signed_data() {
    let lines = checkpointed();
    assert!(verdict(&rehash(&lines), Some(&vault())).is_ok());
    // Blamed on another actor or a device, re-hashed: the signature still holds over
    // the statement, so the records before it hold, and the checkpoint is named.
    for (field, value, why) in [
        (
            "actor",
            "\"site\"",
            "is written by `site`, but only `vault` writes it",
        ),
        (
            "device",
            "\"0000000000000007\"",
            "names device `0000000000000007`",
        ),
    ] {
        let forged = rehash(&with_field(&lines, 21, field, value));
        assert!(verdict(&forged, None).is_ok(), "{field}");
        let b = broken(verdict(&forged, Some(&vault())));
        assert_eq!(b.record, 21, "{field}: {b}");
        assert!(
            b.reason.contains("the checkpoint at record 21 (line 22) ") && b.reason.contains(why),
            "{field}: {b}"
        );
    }
    // Moved in time or renumbered: `seq` and `at_ns` are signed.
    let moved = rehash(&with_field(&lines, 21, "at_ns", "999"));
    let b = broken(verdict(&moved, Some(&vault())));
    assert_eq!(b.record, 11, "{b}");
    assert!(
        b.reason
            .contains("the checkpoint at record 21 (line 22) has a signature that does not verify"),
        "{b}"
    );
    // The closing record likewise: its actor, its device, its time, its count's form.
    // (the signed fields named at the closing record itself, its time after checkpoint 21)
    for (field, value, named) in [
        ("actor", "\"vault\"", 27),
        ("device", "\"0000000000000007\"", 27),
        ("at_ns", "1", 22),
    ] {
        let forged = rehash(&with_field(&lines, 27, field, value));
        assert!(verdict(&forged, None).is_ok(), "{field}");
        let b = broken(verdict(&forged, Some(&vault())));
        assert_eq!(b.record, named, "{field}: {b}");
        assert!(
            b.reason.contains("the closing record at record 27"),
            "{field}: {b}"
        );
    }
    let detail = detail_of(&lines[27]);
    for padded in ["records=+28", "records=028", "records=+0028"] {
        let forged = rehash(&with_detail(
            &lines,
            27,
            &detail.replacen("records=28", padded, 1),
        ));
        let b = broken(verdict(&forged, None));
        assert!(b.reason.contains("counts no record(s)"), "{padded}: {b}");
        let b = broken(verdict(&forged, Some(&vault())));
        assert_eq!(b.record, 22, "{padded}: {b}");
        assert!(
            b.reason.contains("is not `records=K head=H signature=S`"),
            "{padded}: {b}"
        );
    }
}

#[test]
fn a_partial_rehash_is_blamed_after_the_last_good_checkpoint() {
    let lines = checkpointed();
    // Record 15 rewritten, the chain re-hashed only through record 18.
    let forged_lines = with_detail(&lines, 15, "key=forged");
    let mut forged = rehash(&forged_lines[..19]);
    forged.extend(join(&lines[19..]));
    // The chain alone blames record 18, where the re-hash stopped.
    let b = broken(verdict(&forged, None));
    assert_eq!(b.record, 18, "{b}");
    assert!(b.reason.starts_with("rewritten"), "{b}");
    // The signer vouches for nothing after checkpoint 10: record 11 is named.
    let b = broken(verdict(&forged, Some(&vault())));
    assert_eq!((b.record, b.line), (11, 12), "{b}");
    assert!(
        b.reason.contains(
            "the signer vouches for no record from here on: the chain breaks at record 18 (line 19): rewritten"
        ),
        "{b}"
    );
    // A log cut after checkpoint 21: the records after it are not vouched for.
    let cut = join(&lines[..25]);
    let b = broken(verdict(&cut, Some(&vault())));
    assert_eq!(b.record, 22, "{b}");
    assert!(
        b.reason.contains("the chain breaks at record 25 (line 26)"),
        "{b}"
    );
    // Before any checkpoint, the first record is the first untrusted.
    let early = rehash(&with_detail(&lines, 3, "key=forged")[..6]);
    let mut early = early;
    early.extend(join(&lines[6..]));
    assert_eq!(broken(verdict(&early, Some(&vault()))).record, 0);
}

#[test]
fn the_log_is_bound_to_the_run_it_opens() {
    let bytes = join(&checkpointed());
    let summary = verify_log(&bytes[..], None, Some(&vault()), Some(RUN)).unwrap();
    assert_eq!(summary.run, Some(RUN));
    assert_eq!(verdict(&bytes, None).unwrap().run, Some(RUN));
    // Another run's log: the vault's key is the same, the run is not.
    let other = Digest([0x53; 32]);
    for signer in [None, Some(vault())] {
        let b = broken(verify_log(&bytes[..], None, signer.as_ref(), Some(other)));
        assert_eq!((b.record, b.line), (0, 1), "{b}");
        assert!(
            b.reason.contains(&format!(
                "the log opens run {}, not the run {} given: it is another run's log",
                to_hex(&RUN.0),
                to_hex(&other.0)
            )),
            "{b}"
        );
    }
    // A log that opens with no run: no run to tie it to, and not a log provsim signs.
    let lines = with_field(&checkpointed(), 0, "action", "\"run-closed\"");
    let unopened = rehash(&lines);
    assert_eq!(verdict(&unopened, None).unwrap().run, None);
    let b = broken(verify_log(&unopened[..], None, None, Some(RUN)));
    assert!(
        b.record == 0 && b.reason.contains("cannot be tied to the run"),
        "{b}"
    );
    let b = broken(verdict(&unopened, Some(&vault())));
    assert!(
        b.record == 0 && b.reason.contains("every log provsim writes opens"),
        "{b}"
    );
    for (field, value) in [("actor", "\"vault\""), ("device", "\"0000000000000007\"")] {
        let lines = with_field(&checkpointed(), 0, field, value);
        assert_eq!(verdict(&rehash(&lines), None).unwrap().run, None, "{field}");
    }
    let (field, value) = (
        "detail",
        format!("\"run={}\"", to_hex(&RUN.0).to_uppercase()),
    );
    let lines = with_field(&checkpointed(), 0, field, &value);
    assert_eq!(verdict(&rehash(&lines), None).unwrap().run, None);
}
