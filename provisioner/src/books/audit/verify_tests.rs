use super::*;
use crate::books::audit::checkpoint::signed_message;
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

/// A closed log, signed by the vault: device records, a checkpoint after each count of
/// records in `checkpoints` (counting every record so far), then the closing record.
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
        lines.push(device_record(&mut log, &crypto, i));
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
    let head = verify_log(&bytes[..], None, None).unwrap().head;
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
    verify_log(bytes, None, signer)
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
            signed_message(Vouch::Checkpoint, 21, &head).as_bytes(),
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
    let message = signed_message(Vouch::Checkpoint, 21, &parse_head(head).unwrap());
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
    let message = signed_message(Vouch::Checkpoint, 21, &head);
    let crypto = Crypto::new();
    for forger in [key(2), key(3)] {
        let forged = crypto.sign_low_s(&forger, message.as_bytes());
        let altered = format!("{statement} signature={}", to_hex(forged.as_der()));
        let b = broken(verdict(
            &join(&with_detail(&lines, 21, &altered)),
            Some(&vault()),
        ));
        // The detail changed, so its own hash no longer matches: the chain names it.
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
    let message = signed_message(Vouch::Closing, 23, &head);
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
    let result = verify_log(std::io::BufReader::new(zeros), None, None);
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
    let summary = verify_log(&bytes[..], Some(head), None).unwrap();
    assert_eq!(
        summary,
        AuditSummary {
            records: 5,
            head,
            checkpoints: 0
        }
    );
    assert_eq!(verify_log(&bytes[..], None, None).unwrap().records, 5);
    // An empty file is not an intact log: it has no closing record.
    assert_eq!(broken(verify_log(&b""[..], None, None)).record, 0);
}

#[test]
fn every_altered_byte_is_caught_at_its_record() {
    let (bytes, head) = log(3);
    for offset in 0..bytes.len() {
        for flip in [0x01u8, 0x20, 0x80] {
            let mut altered = bytes.clone();
            altered[offset] ^= flip;
            let b = broken(verify_log(&altered[..], Some(head), None));
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
        let b = broken(verify_log(&cut[..], None, None));
        assert_eq!(b.record, keep as u64);
        assert!(b.reason.contains("without its closing record"), "{b}");
    }
    let mid = &bytes[..bytes.len() - 5];
    assert_eq!(broken(verify_log(mid, None, None)).record, 3);
    let swapped: Vec<u8> = [lines[1], lines[0], lines[2], lines[3]].concat();
    assert_eq!(broken(verify_log(&swapped[..], None, None)).record, 0);
    let dropped_middle: Vec<u8> = [lines[0], lines[2], lines[3]].concat();
    assert_eq!(
        broken(verify_log(&dropped_middle[..], None, None)).record,
        1
    );
    let after_close: Vec<u8> = [&bytes[..], lines[0]].concat();
    assert_eq!(
        broken(verify_log(&after_close[..], Some(head), None)).record,
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
    let b = broken(verify_log(text.as_bytes(), None, None));
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
    let result = verify_log(std::io::BufReader::new(Failing), None, None);
    assert!(matches!(result, Err(AuditError::Io(_))), "{result:?}");
}

#[test]
fn heads_parse_from_hex() {
    let (_, head) = log(1);
    assert_eq!(parse_head(&to_hex(&head.0)), Some(head));
    assert_eq!(parse_head(&to_hex(&head.0).to_uppercase()), Some(head));
    assert_eq!(parse_head("abc"), None);
}
