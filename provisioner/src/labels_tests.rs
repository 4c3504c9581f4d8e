use super::*;
use proptest::prelude::*;
use provsim_sim::label::{LabelArg, audit, audit_problems, family_conflicts};
use std::collections::BTreeSet;

/// The constructors of every family, by name.
fn all_constructors() -> BTreeSet<&'static str> {
    FAMILIES.iter().map(|f| f.constructor).collect()
}

/// The constructors that drew a label in `log`.
fn exercised(log: &[(&'static LabelFamily, String)]) -> BTreeSet<&'static str> {
    log.iter().map(|(f, _)| f.constructor).collect()
}

#[test]
fn every_family_renders_inside_its_own_template() {
    for family in FAMILIES {
        // A number for each `{n}`, a name for each `{s}`, in template order.
        let args: Vec<LabelArg<'_>> = family
            .template
            .match_indices('{')
            .map(|(at, _)| match &family.template[at..at + 3] {
                "{n}" => LabelArg::Number(417),
                _ => LabelArg::Name("start"),
            })
            .collect();
        let label = family.render(&args);
        assert!(!label.contains('{'), "{label}");
        assert!(
            family.matches(&label),
            "{} made {label}",
            family.constructor
        );
    }
    assert_eq!(IDENTITY_KEY.render(&[7.into()]), "device/7/identity-key");
    assert_eq!(
        SITE_LINK_STATION.render(&["start".into(), 2.into()]),
        "site/link/start/station/2"
    );
    assert_eq!(
        LIFE_CYCLE_TOKEN.render(&[7.into(), "test-exit".into()]),
        "device/7/test-exit-token"
    );
}

#[test]
fn no_two_families_can_make_the_same_label() {
    assert_eq!(family_conflicts(FAMILIES), Vec::<String>::new());
}

/// The constructors draw exactly the streams the line always drew, and every
/// constructor is among them.
#[test]
fn constructors_open_the_labels_they_always_opened() {
    let seed = Seed::new(5);
    let after = LinkOccasion::AfterDevice(12);
    let (pairs, log) = audit(|| -> Vec<(Stream, &str)> {
        vec![
            (vault_identity_key(seed), "site/vault-identity-key"),
            (root_ca(seed), "site/root-ca"),
            (root_ceremony_shares(seed), "site/root-ceremony/shares"),
            (
                root_ceremony_attendees(seed),
                "site/root-ceremony/attendees",
            ),
            (customer_ca(seed), "site/customer-ca"),
            (vault_certificate(seed), "site/vault-certificate"),
            (firmware_signing_key(seed), "site/firmware-signing-key"),
            (link_ca_key(seed), "site/link/ca-key"),
            (
                link_certificate_serials(seed),
                "site/link/certificate-serials",
            ),
            (link_vault_key(seed), "site/link/vault-key"),
            (link_station_key(seed), "site/link/station-key"),
            (
                site_link_network(seed, LinkOccasion::Start),
                "site/link/start/network",
            ),
            (
                site_link_station(seed, LinkOccasion::Start, 1),
                "site/link/start/station/1",
            ),
            (site_link_vault(seed, after, 3), "site/link/12/vault/3"),
            (site_link_network(seed, after), "site/link/12/network"),
            (registrar_code(seed), "registrar/code"),
            (
                registrar_verification_serial(seed),
                "registrar/verification-serial",
            ),
            (returns(seed), "returns"),
            (copy_link_network(seed), "replay/link/network"),
            (copy_link_station(seed, 1), "replay/link/station/1"),
            (copy_link_vault(seed, 2), "replay/link/vault/2"),
            (
                copy_registrar_challenges(seed, 4),
                "replay/registrar/device/4/challenges",
            ),
            (test_vault_key(seed), "test/vault"),
            (vault_backup(seed), "site/vault-backup"),
            (identity_key(seed, 3), "device/3/identity-key"),
            (
                life_cycle_token(seed, 3, TokenKind::TestExit),
                "device/3/test-exit-token",
            ),
            (
                life_cycle_token(seed, 3, TokenKind::Rma),
                "device/3/rma-token",
            ),
            (certificate_serial(seed, 3), "device/3/certificate-serial"),
            (functional_test(seed, 3), "device/3/functional-test"),
            (part_challenge(seed, 3), "device/3/part-challenge"),
            (part_test(seed, 3, Level::Package), "device/3/test/package"),
            (identity_injection(seed, 3), "device/3/injection"),
            (secret_injection(seed, 3, 2), "device/3/injection/2"),
            (
                symmetric_key(seed, 3, "storage"),
                "device/3/symmetric-key/storage",
            ),
            (registrar_challenge(seed, 3), "device/3/registrar/challenge"),
            (device_link_network(seed, 3), "device/3/link/network"),
            (device_link_station(seed, 3, 4), "device/3/link/station/4"),
            (device_link_vault(seed, 3, 4), "device/3/link/vault/4"),
        ]
    });
    assert_eq!(exercised(&log), all_constructors());
    for (mut stream, label) in pairs {
        assert_eq!(stream.next_u64(), seed.stream(label).next_u64(), "{label}");
    }
}

proptest! {
    #[test]
    fn constructors_stay_inside_their_families(
        seed: u64,
        index: u64,
        k: u32,
        slot: u8,
        after: u64,
        start: bool,
        name in "[a-z0-9-]{1,32}",
        level in prop::sample::select(Level::ALL.to_vec()),
        kind in prop::sample::select(vec![TokenKind::TestExit, TokenKind::Rma]),
    ) {
        let seed = Seed::new(seed);
        let occasion = if start { LinkOccasion::Start } else { LinkOccasion::AfterDevice(after) };
        let ((), log) = audit(|| {
            let _ = vault_identity_key(seed);
            let _ = root_ca(seed);
            let _ = root_ceremony_shares(seed);
            let _ = root_ceremony_attendees(seed);
            let _ = customer_ca(seed);
            let _ = vault_certificate(seed);
            let _ = firmware_signing_key(seed);
            let _ = link_ca_key(seed);
            let _ = link_certificate_serials(seed);
            let _ = link_vault_key(seed);
            let _ = link_station_key(seed);
            let _ = site_link_network(seed, occasion);
            let _ = site_link_station(seed, occasion, k);
            let _ = site_link_vault(seed, occasion, k);
            let _ = registrar_code(seed);
            let _ = registrar_verification_serial(seed);
            let _ = returns(seed);
            let _ = copy_link_network(seed);
            let _ = copy_link_station(seed, k);
            let _ = copy_link_vault(seed, k);
            let _ = copy_registrar_challenges(seed, index);
            let _ = vault_backup(seed);
            let _ = test_vault_key(seed);
            let _ = identity_key(seed, index);
            let _ = life_cycle_token(seed, index, kind);
            let _ = certificate_serial(seed, index);
            let _ = functional_test(seed, index);
            let _ = part_challenge(seed, index);
            let _ = part_test(seed, index, level);
            let _ = identity_injection(seed, index);
            let _ = secret_injection(seed, index, slot);
            let _ = symmetric_key(seed, index, &name);
            let _ = registrar_challenge(seed, index);
            let _ = device_link_network(seed, index);
            let _ = device_link_station(seed, index, k);
            let _ = device_link_vault(seed, index, k);
        });
        prop_assert_eq!(exercised(&log), all_constructors());
        prop_assert_eq!(audit_problems(&log), Vec::<String>::new());
    }
}
