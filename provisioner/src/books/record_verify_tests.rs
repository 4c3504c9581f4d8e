use super::*;
use crate::books::record::RecordFields;
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
            let signature = crypto.sign(vault, fields.prefix().as_bytes());
            fields.sign_with(&signature).line
        })
        .collect()
}

fn file(lines: &[String]) -> Vec<u8> {
    lines
        .iter()
        .flat_map(|l| format!("{l}\n").into_bytes())
        .collect()
}

struct Fixture {
    crypto: Crypto,
    vault: SecretKey,
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
    fn verify(&self, bytes: &[u8], expected: Option<u64>) -> Result<RecordsSummary, RecordsError> {
        verify_records(bytes, &self.crypto, self.vault.public_key(), expected)
    }

    /// The line and reason a rejected file is rejected at.
    fn broken(&self, bytes: &[u8], expected: Option<u64>) -> (u64, String) {
        match self.verify(bytes, expected) {
            Err(RecordsError::Broken(RecordBreak { line, reason })) => (line, reason),
            other => panic!("expected a rejection, got {other:?}"),
        }
    }
}

#[test]
fn intact_records_verify_with_their_gaps_and_their_count() {
    let f = fixture();
    let bytes = file(&f.lines);
    assert_eq!(
        f.verify(&bytes, None).unwrap(),
        RecordsSummary { records: 4 }
    );
    assert_eq!(f.verify(&bytes, Some(4)).unwrap().records, 4);
}

#[test]
fn an_altered_field_fails_its_signature() {
    let f = fixture();
    let mut lines = f.lines.clone();
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
        let mut lines = f.lines.clone();
        lines[2] = altered;
        let (line, reason) = f.broken(&file(&lines), None);
        assert_eq!(line, 3);
        assert!(reason.contains("not a well-formed record"), "{reason}");
    }
}

#[test]
fn a_deleted_record_is_caught_by_the_count() {
    let f = fixture();
    let mut lines = f.lines.clone();
    lines.remove(1);
    // Alone, a gap is what a rejected device leaves: the count tells.
    assert!(f.verify(&file(&lines), None).is_ok());
    let (line, reason) = f.broken(&file(&lines), Some(4));
    assert_eq!(line, 4);
    assert!(
        reason.contains("holds 3 record(s), 4 expected: records were deleted"),
        "{reason}"
    );
    let (_, reason) = f.broken(&file(&f.lines), Some(3));
    assert!(reason.contains("records were added"), "{reason}");
}

#[test]
fn reordered_or_duplicated_records_are_rejected_where_the_order_breaks() {
    let f = fixture();
    let mut swapped = f.lines.clone();
    swapped.swap(1, 2);
    let (line, reason) = f.broken(&file(&swapped), None);
    assert_eq!(line, 3);
    assert!(reason.contains("comes after index 3 (line 2)"), "{reason}");

    let mut twice = f.lines.clone();
    twice.insert(2, f.lines[1].clone());
    let (line, reason) = f.broken(&file(&twice), None);
    assert_eq!(line, 3);
    assert!(
        reason.contains("again: line 2 is its record already"),
        "{reason}"
    );

    let mut appended = f.lines.clone();
    appended.push(f.lines[0].clone());
    let (line, reason) = f.broken(&file(&appended), None);
    assert_eq!(line, 5);
    assert!(reason.contains("moved or repeated"), "{reason}");
}

#[test]
fn a_foreign_signer_is_refused() {
    let f = fixture();
    let other = f
        .crypto
        .generate_key(&mut Seed::new(2).stream("test/records/other"));
    let forged = records(&f.crypto, &other, &[0, 1]);
    let (line, reason) = f.broken(&file(&forged), None);
    assert_eq!(line, 1);
    assert!(reason.contains("not by the vault"), "{reason}");
    // The same file checked against the other key verifies: the key decides.
    let theirs = verify_records(&file(&forged)[..], &f.crypto, other.public_key(), None);
    assert!(theirs.is_ok());
    // A record re-labelled with the given key's id still fails its signature.
    let ours = provsim_sim::to_hex(&f.vault.public_key().fingerprint().key_id());
    let theirs_id = provsim_sim::to_hex(&other.public_key().fingerprint().key_id());
    let relabelled: Vec<String> = forged
        .iter()
        .map(|l| l.replace(&theirs_id, &ours))
        .collect();
    let (_, reason) = f.broken(&file(&relabelled), None);
    assert!(reason.starts_with("signature"), "{reason}");
}

#[test]
fn a_truncated_last_line_is_a_cut() {
    let f = fixture();
    let bytes = file(&f.lines);
    let (line, reason) = f.broken(&bytes[..bytes.len() - 1], None);
    assert_eq!(line, 4);
    assert!(reason.contains("not terminated"), "{reason}");
    let (line, _) = f.broken(&bytes[..bytes.len() - 30], None);
    assert_eq!(line, 4);
}

#[test]
fn an_empty_file_vouches_for_nothing() {
    let f = fixture();
    let (line, reason) = f.broken(b"", None);
    assert_eq!(line, 1);
    assert!(reason.contains("holds no record"), "{reason}");
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
    let bytes = file(&f.lines[..2]);
    for at in 0..bytes.len() {
        let mut changed = bytes.clone();
        changed[at] ^= 0x01;
        assert!(f.verify(&changed, None).is_err(), "byte {at}");
    }
}
