//! Every attack's ladder on every target kind, as the one rating function rates each
//! rung's plan: the cheapest and the dearest rung's totals, pinned, since reports print
//! them and shipped verdicts rest on them.

use provsim_attacks::{find, ladder};
use provsim_devices::TargetKind;

/// An attack, its [cheapest, dearest] rung totals on mcu, asic and se, and the
/// knowledge of the TOE its cheapest rung needs on each.
type Row = (&'static str, [[u32; 2]; 3], [&'static str; 3]);

const TABLE: &[Row] = &[
    (
        "bus-probing",
        [[18, 18], [21, 21], [25, 25]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "co-tenant-memory-scrape",
        [[15, 15], [15, 15], [15, 15]],
        ["restricted", "restricted", "restricted"],
    ),
    (
        "console-firmware-signing",
        [[10, 10], [10, 10], [10, 10]],
        ["restricted", "restricted", "restricted"],
    ),
    (
        "counterfeit-part",
        [[18, 18], [21, 21], [25, 25]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "cpa-storage-key",
        [[8, 15], [11, 18], [15, 22]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "debug-port-readout",
        [[4, 4], [7, 7], [11, 11]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "foreign-firmware-update",
        [[4, 4], [4, 4], [4, 4]],
        ["public", "public", "public"],
    ),
    (
        "glitch-debug-readout",
        [[8, 20], [11, 23], [15, 27]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "glitch-rollback-check",
        [[8, 20], [11, 23], [15, 27]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "glitch-secure-boot",
        [[8, 20], [11, 23], [15, 27]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "identity-cloning",
        [[4, 4], [7, 7], [11, 11]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "link-man-in-the-middle",
        [[10, 10], [10, 10], [10, 10]],
        ["restricted", "restricted", "restricted"],
    ),
    (
        "operator-console-certificate",
        [[10, 10], [10, 10], [10, 10]],
        ["restricted", "restricted", "restricted"],
    ),
    (
        "overproduction",
        [[10, 10], [10, 10], [10, 10]],
        ["restricted", "restricted", "restricted"],
    ),
    (
        "vault-backup-theft",
        [[12, 23], [12, 23], [12, 23]],
        ["restricted", "restricted", "restricted"],
    ),
    (
        "puf-helper-data",
        [[8, 8], [11, 11], [15, 15]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "rdp-downgrade",
        [[4, 4], [7, 7], [11, 11]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "returned-part-resale",
        [[10, 10], [10, 10], [10, 10]],
        ["restricted", "restricted", "restricted"],
    ),
    (
        "rollback-older-image",
        [[4, 4], [4, 4], [4, 4]],
        ["public", "public", "public"],
    ),
    (
        "scrap-bin-recovery",
        [[4, 4], [7, 7], [11, 11]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "se-apdu-glitch",
        [[8, 20], [11, 23], [15, 27]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "se-apdu-replay",
        [[4, 4], [4, 4], [4, 4]],
        ["public", "public", "public"],
    ),
    (
        "se-instruction-scan",
        [[4, 4], [7, 7], [11, 11]],
        ["public", "restricted", "sensitive"],
    ),
    (
        "test-mode-reentry",
        [[4, 20], [7, 23], [11, 27]],
        ["public", "restricted", "sensitive"],
    ),
];

fn kind(name: &str) -> TargetKind {
    TargetKind::from_name(name).unwrap_or_else(|| panic!("no kind {name}"))
}

#[test]
fn the_table_covers_the_catalogue() {
    let mut pinned: Vec<&str> = TABLE.iter().map(|(id, _, _)| *id).collect();
    let mut catalogue: Vec<&str> = provsim_attacks::catalogue()
        .iter()
        .map(|a| a.id())
        .collect();
    pinned.sort_unstable();
    catalogue.sort_unstable();
    assert_eq!(pinned, catalogue, "pin every attack's ladder here");
}

#[test]
fn every_ladder_is_rated_as_pinned() {
    for (id, totals, knowledge) in TABLE {
        let attack = find(id).unwrap_or_else(|| panic!("no attack {id}"));
        for (i, name) in ["mcu", "asic", "se"].into_iter().enumerate() {
            let ladder = ladder(attack, kind(name));
            let (first, last) = (&ladder[0].planned, &ladder[ladder.len() - 1].planned);
            assert_eq!(
                [first.total(), last.total()],
                [Some(totals[i][0]), Some(totals[i][1])],
                "{id} on {name}"
            );
            assert_eq!(first.knowledge.label(), knowledge[i], "{id} on {name}");
        }
    }
}

/// Each factor's reason says what it rests on: the counts for elapsed time, the bench
/// for equipment, the kind's documentation for knowledge.
#[test]
fn reasons_name_what_each_factor_rests_on() {
    let glitch = find("glitch-debug-readout").expect("in the catalogue");
    let cheapest = &ladder(glitch, kind("asic"))[0];
    let (rung, rated) = (&cheapest.rung, &cheapest.planned);
    assert!(
        rated
            .reasons
            .elapsed
            .contains(&format!("{} tries", rung.plan.count))
    );
    assert!(
        rated.reasons.equipment.starts_with("voltage glitcher"),
        "{:?}",
        rated.reasons
    );
    assert!(
        rated.reasons.knowledge.contains("asic"),
        "{:?}",
        rated.reasons
    );
    assert!(
        rated.reasons.knowledge.contains("restricted"),
        "{:?}",
        rated.reasons
    );
}
