use super::*;
use crate::books::record::RecordFields;
use crate::books::record_closing::{RecordsChain, RecordsClosing};
use provsim_devices::DeviceId;
use provsim_sim::Seed;
use provsim_sim::crypto::{Fingerprint, SecretKey};

/// Records for the devices at `indices` (rejected devices leave gaps), signed by `vault`.
fn records(crypto: &Crypto, vault: &SecretKey, indices: &[u64]) -> Vec<String> {
    indices
        .iter()
        .map(|&index| {
            let fields = RecordFields {
                device: DeviceId::new(0x5053, 1, index as u32),
                index,
                lot: "LOT-1",
                wafer: "LOT-1-W01",
                x: index as u32,
                y: 0,
                level: "board",
                tester: "board-1",
                life_cycle: "provisioned",
                identity: Fingerprint([index as u8; 32]),
                certificate_sha256: [1; 32],
                firmware_sha256: [2; 32],
                shipped_at_ns: index * 1000,
                signer: vault.public_key().fingerprint().key_id(),
            };
            let signature = crypto.sign_low_s(vault, fields.prefix().as_bytes());
            fields.sign_with(&signature).line
        })
        .collect()
}

/// The run the fixture's records come from.
const RUN: [u8; 32] = [7; 32];

fn file(lines: &[String]) -> Vec<u8> {
    lines
        .iter()
        .flat_map(|l| format!("{l}\n").into_bytes())
        .collect()
}

/// The closing record of `records`, of run `run`, signed by `vault`.
fn closing(crypto: &Crypto, vault: &SecretKey, records: &[String], run: [u8; 32]) -> String {
    let mut chain = RecordsChain::new();
    for line in records {
        chain.push(crypto, line);
    }
    let closing = RecordsClosing {
        chain,
        run,
        closed_at_ns: 99,
        signer: vault.public_key().fingerprint().key_id(),
    };
    closing.line(&crypto.sign_low_s(vault, closing.prefix().as_bytes()))
}

struct Fixture {
    crypto: Crypto,
    vault: SecretKey,
    /// The records, without their closing record.
    lines: Vec<String>,
}

fn fixture() -> Fixture {
    let crypto = Crypto::new();
    let vault = crypto.generate_key(&mut Seed::new(1).stream("test/records/vault"));
    // Device 2 was rejected: no record, and no fault.
    let lines = records(&crypto, &vault, &[0, 1, 3, 4]);
    Fixture {
        crypto,
        vault,
        lines,
    }
}

impl Fixture {
    /// The records as written, with their closing record last.
    fn whole(&self) -> Vec<String> {
        self.closed(&self.lines)
    }

    /// `records` and a closing record the vault signed for them.
    fn closed(&self, records: &[String]) -> Vec<String> {
        let mut lines = records.to_vec();
        lines.push(closing(&self.crypto, &self.vault, records, RUN));
        lines
    }

    fn verify_with(
        &self,
        bytes: &[u8],
        expected: RecordsExpected,
    ) -> Result<RecordsSummary, RecordsError> {
        verify_records(bytes, &self.crypto, self.vault.public_key(), expected)
    }

    fn verify(&self, bytes: &[u8], records: Option<u64>) -> Result<RecordsSummary, RecordsError> {
        self.verify_with(bytes, RecordsExpected { records, run: None })
    }

    /// The line and reason a rejected file is rejected at.
    fn broken_with(&self, bytes: &[u8], expected: RecordsExpected) -> (u64, String) {
        match self.verify_with(bytes, expected) {
            Err(RecordsError::Broken(RecordBreak { line, reason })) => (line, reason),
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    fn broken(&self, bytes: &[u8], records: Option<u64>) -> (u64, String) {
        self.broken_with(bytes, RecordsExpected { records, run: None })
    }
}

#[test]
fn intact_records_verify_with_their_gaps_count_and_run() {
    let f = fixture();
    let bytes = file(&f.whole());
    assert_eq!(
        f.verify(&bytes, None).unwrap(),
        RecordsSummary {
            records: 4,
            run: RUN
        }
    );
    let all = RecordsExpected {
        records: Some(4),
        run: Some(RUN),
    };
    assert_eq!(f.verify_with(&bytes, all).unwrap().records, 4);
}

#[test]
fn an_altered_field_fails_its_signature() {
    let f = fixture();
    let mut lines = f.whole();
    lines[1] = lines[1].replace("\"x\":1,", "\"x\":9,");
    let (line, reason) = f.broken(&file(&lines), None);
    assert_eq!(line, 2);
    assert!(reason.starts_with("signature"), "{reason}");
}

#[test]
fn an_unknown_or_missing_field_is_not_a_record() {
    let f = fixture();
    for altered in [
        f.lines[2].replace("{\"device\"", "{\"extra\":1,\"device\""),
        f.lines[2].replace("\"y\":0,", ""),
        f.lines[2].replace("\"y\":0,", "\"y\":0,\"y\":0,"),
    ] {
        let mut lines = f.whole();
        lines[2] = altered;
        let (line, reason) = f.broken(&file(&lines), None);
        assert_eq!(line, 3);
        assert!(reason.contains("not a well-formed record"), "{reason}");
    }
}

/// A gap in the indices is what a rejected device leaves too: the closing record's
/// count is what tells a deleted record, with no `--expect`.
#[test]
fn a_deleted_record_is_caught_by_the_closing_count() {
    let f = fixture();
    for deleted in 0..4 {
        let mut lines = f.whole();
        lines.remove(deleted);
        let (line, reason) = f.broken(&file(&lines), None);
        assert_eq!(line, 4, "record {deleted}");
        assert!(
            reason.contains(
                "the closing record signs 4 record(s), but 3 precede it: 1 record(s) were deleted"
            ),
            "{reason}"
        );
    }
}

/// `--expect` is checked as well, naming the first surplus record, or the closing
/// record where records are missing.
#[test]
fn the_expected_count_names_the_first_surplus_line() {
    let f = fixture();
    let bytes = file(&f.whole());
    let (line, reason) = f.broken(&bytes, Some(2));
    assert_eq!(line, 3);
    assert!(
        reason.contains("holds 4 record(s), 2 expected: records were added"),
        "{reason}"
    );
    let (line, reason) = f.broken(&bytes, Some(6));
    assert_eq!(line, 5);
    assert!(reason.contains("records were deleted"), "{reason}");
}

#[test]
fn reordered_or_duplicated_records_are_rejected_where_the_order_breaks() {
    let f = fixture();
    let mut swapped = f.whole();
    swapped.swap(1, 2);
    let (line, reason) = f.broken(&file(&swapped), None);
    assert_eq!(line, 3);
    assert!(reason.contains("comes after index 3 (line 2)"), "{reason}");

    let mut twice = f.whole();
    twice.insert(2, f.lines[1].clone());
    let (line, reason) = f.broken(&file(&twice), None);
    assert_eq!(line, 3);
    assert!(
        reason.contains("again: line 2 is its record already"),
        "{reason}"
    );

    let mut appended = f.lines.clone();
    appended.push(f.lines[0].clone());
    let (line, reason) = f.broken(&file(&f.closed(&appended)), None);
    assert_eq!(line, 5);
    assert!(reason.contains("moved or repeated"), "{reason}");

    let mut after = f.whole();
    after.push(f.lines[3].clone());
    let (line, reason) = f.broken(&file(&after), None);
    assert_eq!(line, 6);
    assert!(
        reason.contains("a line after the closing record (line 5)"),
        "{reason}"
    );
}

/// A record swapped for another the same key signed (another run's device 3, say)
/// keeps the count and the order: the chain tells.
#[test]
fn a_record_replaced_by_another_of_the_same_key_breaks_the_chain() {
    let f = fixture();
    let other = records(&f.crypto, &f.vault, &[2]);
    let mut lines = f.whole();
    lines[2] = other[0].clone();
    let (line, reason) = f.broken(&file(&lines), None);
    assert_eq!(line, 5);
    assert!(reason.contains("their chain differs"), "{reason}");
}

/// Another run's whole file, signed by the same vault key, verifies as itself, but not
/// as the run the customer names.
#[test]
fn another_runs_records_fail_the_run_check() {
    let f = fixture();
    let bytes = file(&f.whole());
    let (line, reason) = f.broken_with(
        &bytes,
        RecordsExpected {
            records: None,
            run: Some([8; 32]),
        },
    );
    assert_eq!(line, 5);
    assert!(
        reason.contains(&format!(
            "the closing record names run {}, not run {}",
            "07".repeat(32),
            "08".repeat(32)
        )),
        "{reason}"
    );
}

#[test]
fn a_file_without_its_closing_record_was_cut() {
    let f = fixture();
    let (line, reason) = f.broken(&file(&f.lines), None);
    assert_eq!(line, 5);
    assert!(
        reason.contains("ends without its closing record after 4 record(s): it was cut"),
        "{reason}"
    );
    let (line, reason) = f.broken(b"", None);
    assert_eq!(line, 1);
    assert!(reason.contains("after 0 record(s)"), "{reason}");
    // A run that shipped nothing says so, signed.
    let none = file(&f.closed(&[]));
    assert_eq!(f.verify(&none, None).unwrap().records, 0);
}

#[test]
fn an_altered_or_foreign_closing_record_is_refused() {
    let f = fixture();
    let whole = f.whole();
    let last = whole[4].clone();
    let other = f
        .crypto
        .generate_key(&mut Seed::new(2).stream("test/records/other"));
    let foreign = closing(&f.crypto, &other, &f.lines, RUN);
    for (altered, expected) in [
        (last.replace("\"records\":4", "\"records\":5"), "signature"),
        (
            last.replace("\"closed_at_ns\":99", "\"closed_at_ns\": 99"),
            "not written as the vault writes it",
        ),
        (
            last.replace("\"closing\":\"records\"", "\"closing\":\"records\",\"x\":1"),
            "not a well-formed",
        ),
        (foreign, "not by the vault given"),
        (
            last.replace("\"signature\":\"", "\"signature\":\"00"),
            "signature",
        ),
    ] {
        let mut lines = whole.clone();
        lines[4] = altered;
        let (line, reason) = f.broken(&file(&lines), None);
        assert_eq!(line, 5, "{expected}");
        assert!(reason.contains(expected), "{expected}: {reason}");
    }
}

/// The high-S twin of a valid signature verifies too; the vault writes only low-S, so
/// the verifier refuses the other as malleated.
#[test]
fn a_high_s_signature_is_malleated() {
    let f = fixture();
    let line = &f.lines[0];
    let cut = line.rfind(",\"signature\":\"").unwrap();
    let prefix = &line[..cut];
    // RFC 6979 signs each message one way, half of them with a high `s`: the first
    // such variant of record 0 (its time changed) is signed in the high form.
    let (prefix, high) = (1..64u64)
        .find_map(|at| {
            let prefix =
                prefix.replace("\"shipped_at_ns\":0,", &format!("\"shipped_at_ns\":{at},"));
            let plain = f.crypto.sign(&f.vault, prefix.as_bytes());
            (!plain.is_low_s().unwrap()).then_some((prefix, plain))
        })
        .expect("no high-S signature in 63 tries");
    f.crypto
        .verify(f.vault.public_key(), prefix.as_bytes(), &high)
        .unwrap();
    let mut records = f.lines.clone();
    records[0] = format!(
        "{prefix},\"signature\":\"{}\"}}",
        provsim_sim::to_hex(high.as_der())
    );
    let (line, reason) = f.broken(&file(&f.closed(&records)), None);
    assert_eq!(line, 1);
    assert!(reason.contains("high-S (malleated)"), "{reason}");
}

#[test]
fn an_uppercase_signature_is_not_the_vaults() {
    let f = fixture();
    let mut lines = f.whole();
    let cut = lines[1].rfind(",\"signature\":\"").unwrap();
    lines[1] = format!(
        "{}{}",
        &lines[1][..cut],
        lines[1][cut..]
            .to_uppercase()
            .replace("\"SIGNATURE\"", "\"signature\"")
    );
    let (line, reason) = f.broken(&file(&lines), None);
    assert_eq!(line, 2);
    assert!(reason.contains("not lowercase hex"), "{reason}");
}

#[test]
fn a_truncated_last_line_is_a_cut() {
    let f = fixture();
    let bytes = file(&f.whole());
    let (line, reason) = f.broken(&bytes[..bytes.len() - 1], None);
    assert_eq!(line, 5);
    assert!(reason.contains("not terminated"), "{reason}");
    let (line, _) = f.broken(&bytes[..bytes.len() - 30], None);
    assert_eq!(line, 5);
}

/// A first line that begins as a record and then holds a byte that is not UTF-8 is a
/// broken record (a verdict), not some other kind of file.
#[test]
fn a_record_with_a_non_utf8_byte_is_broken_not_foreign() {
    let f = fixture();
    let mut bytes = file(&f.whole());
    let at = bytes.iter().position(|&b| b == b'L').unwrap();
    bytes[at] = 0xff;
    let (line, reason) = f.broken(&bytes, None);
    assert_eq!(line, 1);
    assert!(reason.contains("not UTF-8"), "{reason}");
}

#[test]
fn a_file_that_is_not_records_has_no_verdict() {
    let f = fixture();
    for bytes in [&b"{\"seq\":0,\"at_ns\":0}\n"[..], b"\xff\xfe\n", b"hello\n"] {
        assert!(
            matches!(
                f.verify(bytes, None),
                Err(RecordsError::NotRecords { line: 1, .. })
            ),
            "{bytes:?}"
        );
    }
    let long = vec![b'{'; (MAX_RECORD_BYTES + 10) as usize];
    let error = f.verify(&long, None).unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 1 is longer than the 1048576 bytes any record takes: not a records file"
    );
}

#[test]
fn the_signer_is_a_public_key_or_a_certificate_for_it() {
    let f = fixture();
    let pem = f.vault.public_key().to_pem();
    assert_eq!(&record_signer_from_pem(&pem).unwrap(), f.vault.public_key());
    let crypto = Crypto::new();
    let test = crate::pki::testing::establish(
        &crypto,
        Seed::new(4),
        crate::vault::custody::Custody::SharedVm,
    )
    .unwrap();
    let from_cert = record_signer_from_pem(&test.pki.vault().pem).unwrap();
    assert_eq!(&from_cert, test.vault_key.public_key());
    for bad in ["", "not pem", "-----BEGIN X-----\nAAAA\n-----END X-----\n"] {
        assert!(matches!(
            record_signer_from_pem(bad),
            Err(RecordsError::Signer(_))
        ));
    }
}

/// No single changed byte anywhere in a file passes, and none panics.
#[test]
fn every_changed_byte_is_rejected() {
    let f = fixture();
    let bytes = file(&f.closed(&f.lines[..2]));
    for at in 0..bytes.len() {
        let mut changed = bytes.clone();
        changed[at] ^= 0x01;
        assert!(f.verify(&changed, None).is_err(), "byte {at}");
    }
}

#[test]
fn a_foreign_signer_is_refused() {
    let f = fixture();
    let other = f
        .crypto
        .generate_key(&mut Seed::new(2).stream("test/records/other"));
    let forged = records(&f.crypto, &other, &[0, 1]);
    let mut theirs = forged.clone();
    theirs.push(closing(&f.crypto, &other, &forged, RUN));
    let (line, reason) = f.broken(&file(&theirs), None);
    assert_eq!(line, 1);
    assert!(reason.contains("not by the vault given"), "{reason}");
    // The same file checked against the other key verifies: the key decides.
    let checked = verify_records(
        &file(&theirs)[..],
        &f.crypto,
        other.public_key(),
        RecordsExpected::default(),
    );
    assert!(checked.is_ok(), "{checked:?}");
    // A record re-labelled with the given key's id still fails its signature.
    let ours = provsim_sim::to_hex(&f.vault.public_key().fingerprint().key_id());
    let theirs_id = provsim_sim::to_hex(&other.public_key().fingerprint().key_id());
    let relabelled: Vec<String> = theirs
        .iter()
        .map(|l| l.replace(&theirs_id, &ours))
        .collect();
    let (_, reason) = f.broken(&file(&relabelled), None);
    assert!(reason.starts_with("signature"), "{reason}");
}
