//! Every attack's rating on every target kind, pinned: the ratings moved from per-kind
//! `match` blocks in the attacks to the facts in each kind's profile, and reports
//! print them, so they must not move.

use provsim_attacks::find;
use provsim_devices::TargetKind;

/// (attack, totals on mcu, asic, se, knowledge of the TOE on mcu, asic, se).
const TABLE: &[(&str, [u32; 3], [&str; 3])] = &[
    (
        "co-tenant-memory-scrape",
        [15, 15, 15],
        ["restricted", "restricted", "restricted"],
    ),
    (
        "cpa-storage-key",
        [12, 15, 19],
        ["public", "restricted", "sensitive"],
    ),
    (
        "debug-port-readout",
        [4, 7, 11],
        ["public", "restricted", "sensitive"],
    ),
    (
        "foreign-firmware-update",
        [4, 4, 4],
        ["public", "public", "public"],
    ),
    (
        "glitch-debug-readout",
        [12, 15, 19],
        ["public", "restricted", "sensitive"],
    ),
    (
        "operator-console-certificate",
        [10, 10, 10],
        ["restricted", "restricted", "restricted"],
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
    assert_eq!(pinned, catalogue, "pin every attack's ratings here");
}

#[test]
fn every_rating_is_what_it_was() {
    for (id, totals, knowledge) in TABLE {
        let attack = find(id).unwrap_or_else(|| panic!("no attack {id}"));
        for (i, name) in ["mcu", "asic", "se"].into_iter().enumerate() {
            let potential = attack.potential(kind(name));
            assert_eq!(potential.total(), Some(totals[i]), "{id} on {name}");
            assert_eq!(potential.knowledge.label(), knowledge[i], "{id} on {name}");
        }
    }
}

#[test]
fn the_debug_port_paths_give_the_profiles_reasons() {
    let probe = find("debug-port-readout").expect("in the catalogue");
    let glitch = find("glitch-debug-readout").expect("in the catalogue");
    for kind in TargetKind::ALL {
        let facts = kind.profile().attack_facts;
        assert_eq!(probe.potential(kind).rationale, facts.debug_probe);
        assert_eq!(glitch.potential(kind).rationale, facts.debug_glitch);
    }
    assert_eq!(
        probe.potential(kind("mcu")).rationale,
        "a commodity SWD probe and open-source tools against the data-sheet memory map of \
         one device bought in the field"
    );
    assert_eq!(
        glitch.potential(kind("se")).rationale,
        "the same rig against a secure element, whose design is under NDA and which has no \
         debug port to open"
    );
}
