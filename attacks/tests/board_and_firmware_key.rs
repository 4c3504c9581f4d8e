//! The counterfeit part at the board assembler and the operator's firmware signature,
//! each against the sound line and the line with its weakness: what the attacker ends
//! up holding is checked against the world (the shipped devices' keys, the customer CA,
//! a shipped device's boot ROM), not against the attack's account.

use provsim_attacks::{
    Attack, ConsoleFirmwareSigning, CounterfeitPart, Knowledge, MaterialKind, Outcome, Surface,
};
use provsim_devices::TargetKind;
use provsim_provisioner::{
    Custody, IdentityOrigin, Level, Line, LineConfig, Lot, ShippedDevice, SiteAccess, SiteWeakness,
    SiteWeaknesses, signed_by,
};
use provsim_sim::crypto::{Crypto, PublicKey};
use provsim_sim::{Ctx, Seed, SimTime, Trace};

fn a_line(
    level: Level,
    identity: IdentityOrigin,
    weak: &[SiteWeakness],
) -> (Line, Vec<ShippedDevice>) {
    a_line_of(TargetKind::Mcu, level, identity, weak)
}

fn a_line_of(
    kind: TargetKind,
    level: Level,
    identity: IdentityOrigin,
    weak: &[SiteWeakness],
) -> (Line, Vec<ShippedDevice>) {
    let config = LineConfig::builder(kind)
        .custody(Custody::ProvisionerHsm)
        .level(level)
        .names("Test House", "Acme")
        .product(1)
        .secrets(identity, ["storage"])
        .site_weaknesses(SiteWeaknesses::new(weak.iter().copied()))
        .build();
    let lots = vec![Lot {
        name: "L".into(),
        devices: 3,
    }];
    let mut line = Line::establish(config, Seed::new(41), lots).unwrap();
    let shipped = line.run(&mut ()).unwrap().ledger.all_shipped().unwrap();
    (line, shipped)
}

/// The first rung of `attack`'s ladder on `surface`, from the attacker's own stream.
fn first_rung(attack: &dyn Attack, line: &Line, surface: Surface<'_>) -> (Outcome, Knowledge) {
    let crypto = Crypto::new();
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
    let mut knowledge = Knowledge::new();
    let rung = &provsim_attacks::ladder(attack, line.config().target)[0].rung;
    let mut rng = Seed::new(0).stream("test/attacker");
    let outcome = attack.run(rung, surface, &mut ctx, &mut rng, &mut knowledge);
    (outcome.outcome, knowledge)
}

fn attempt(attack: &dyn Attack, line: &Line, mut site: SiteAccess) -> (Outcome, Knowledge) {
    first_rung(attack, line, Surface::Site(&mut site))
}

fn counterfeit(line: &Line, index: u64) -> (Outcome, Knowledge) {
    let mut board = line.board_assembly(index, &Crypto::new()).unwrap();
    first_rung(&CounterfeitPart, line, Surface::Board(&mut board))
}

fn candidate_keys(knowledge: &Knowledge, crypto: &Crypto) -> Vec<PublicKey> {
    knowledge
        .of_kind(MaterialKind::KeyCandidate)
        .filter_map(|m| crypto.import_secret(m.bytes()).ok())
        .map(|k| k.public_key().clone())
        .collect()
}

#[test]
fn a_counterfeit_keeps_the_vaults_keys_only_where_the_station_does_not_authenticate_parts() {
    let crypto = Crypto::new();
    let weak = [SiteWeakness::StationNoPartAuthentication];
    let (line, shipped) = a_line(Level::Board, IdentityOrigin::Vault, &weak);
    let device = &shipped[1];
    let (outcome, knowledge) = counterfeit(&line, device.index);
    assert!(matches!(outcome, Outcome::Obtained { .. }), "{outcome}");
    // The shipped device's own identity key: the copy's pass made it from the same
    // stream, and the counterfeit opened it.
    let keys = candidate_keys(&knowledge, &crypto);
    assert!(keys.iter().any(|k| k.fingerprint() == device.identity));
    let storage = line.symmetric_keys(device.index)[0].1;
    assert!(
        knowledge
            .of_kind(MaterialKind::SecretCandidate)
            .any(|m| m.bytes() == storage)
    );

    let (line, shipped) = a_line(Level::Board, IdentityOrigin::Vault, &[]);
    let (outcome, knowledge) = counterfeit(&line, shipped[1].index);
    let Outcome::Blocked { reason } = &outcome else {
        panic!("{outcome}");
    };
    assert!(reason.contains("the part is not a genuine die"), "{reason}");
    assert!(
        reason.contains("does not verify under the certified die key"),
        "{reason}"
    );
    assert_eq!(knowledge.of_kind(MaterialKind::KeyCandidate).count(), 0);
    assert_eq!(knowledge.of_kind(MaterialKind::SecretCandidate).count(), 0);
}

#[test]
fn a_counterfeit_gets_its_own_key_certified_only_without_part_authentication() {
    let crypto = Crypto::new();
    let weak = [SiteWeakness::StationNoPartAuthentication];
    let (line, shipped) = a_line(Level::Board, IdentityOrigin::Device, &weak);
    let (outcome, knowledge) = counterfeit(&line, shipped[0].index);
    assert!(matches!(outcome, Outcome::Obtained { .. }), "{outcome}");
    let certificate = knowledge.of_kind(MaterialKind::Certificate).next().unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(certificate.bytes()).unwrap();
    assert!(signed_by(
        &crypto,
        &cert,
        line.pki().customer().public_key()
    ));
    let key = PublicKey::from_sec1(&cert.public_key().subject_public_key.data).unwrap();
    // A key the line never shipped, whose private half the attacker holds.
    assert!(shipped.iter().all(|d| d.identity != key.fingerprint()));
    assert!(candidate_keys(&knowledge, &crypto).contains(&key));

    // The sound station refuses after the counterfeit made its key: no certificate.
    let (line, shipped) = a_line(Level::Board, IdentityOrigin::Device, &[]);
    let (outcome, knowledge) = counterfeit(&line, shipped[0].index);
    let Outcome::Blocked { reason } = &outcome else {
        panic!("{outcome}");
    };
    assert!(reason.contains("the part is not a genuine die"), "{reason}");
    assert_eq!(knowledge.of_kind(MaterialKind::Certificate).count(), 0);
}

/// The same counterfeit in an ASIC's and a secure element's package: each kind's die
/// attests, and each station refuses the counterfeit unless it skips the check.
#[test]
fn the_counterfeit_and_the_check_work_on_every_kind() {
    let crypto = Crypto::new();
    let weak = [SiteWeakness::StationNoPartAuthentication];
    for kind in [TargetKind::Asic, TargetKind::Se] {
        let (line, shipped) = a_line_of(kind, Level::Board, IdentityOrigin::Vault, &weak);
        let device = &shipped[0];
        let (outcome, knowledge) = counterfeit(&line, device.index);
        assert!(
            matches!(outcome, Outcome::Obtained { .. }),
            "{kind:?}: {outcome}"
        );
        let keys = candidate_keys(&knowledge, &crypto);
        assert!(
            keys.iter().any(|k| k.fingerprint() == device.identity),
            "{kind:?}"
        );

        let (line, shipped) = a_line_of(kind, Level::Board, IdentityOrigin::Vault, &[]);
        let (outcome, knowledge) = counterfeit(&line, shipped[0].index);
        let Outcome::Blocked { reason } = &outcome else {
            panic!("{kind:?}: {outcome}");
        };
        assert!(
            reason.contains("the part is not a genuine die"),
            "{kind:?}: {reason}"
        );
        let forged = "does not verify under the certified die key";
        assert!(reason.contains(forged), "{kind:?}: {reason}");
        assert_eq!(knowledge.of_kind(MaterialKind::KeyCandidate).count(), 0);
    }
}

#[test]
fn no_station_sees_the_board_on_a_line_that_provisions_at_the_test_house() {
    let weak = [SiteWeakness::StationNoPartAuthentication];
    let (line, shipped) = a_line(Level::Package, IdentityOrigin::Vault, &weak);
    let (outcome, knowledge) = counterfeit(&line, shipped[0].index);
    let Outcome::Blocked { reason } = &outcome else {
        panic!("{outcome}");
    };
    assert!(reason.contains("no station sees the board"), "{reason}");
    assert_eq!(knowledge.of_kind(MaterialKind::KeyCandidate).count(), 0);
}

#[test]
fn the_firmware_key_signs_for_an_operator_only_with_the_weakness_and_then_every_device_runs_it() {
    let crypto = Crypto::new();
    let weak = [SiteWeakness::FirmwareKeyOperatorUse];
    let (line, shipped) = a_line(Level::Board, IdentityOrigin::Vault, &weak);
    let site = line.site_during(shipped[0].index, &crypto).unwrap();
    let (outcome, knowledge) = attempt(&ConsoleFirmwareSigning, &line, site);
    assert!(matches!(outcome, Outcome::Obtained { .. }), "{outcome}");
    let image = knowledge.of_kind(MaterialKind::ForgedImage).next().unwrap();
    // A shipped device, as it shipped, takes it through its update path and starts it.
    let (mut device, _) = line.rebuild_device(shipped[2].index, &crypto).unwrap();
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
    device.stage_update(&mut ctx, image.bytes()).unwrap();
    let running = device.boot(&mut ctx).unwrap();
    assert!(running.verified);
    assert_eq!(running.update_refused, None);
    assert!(!line.signed_firmware_hashes().contains(&running.hash));
    assert_eq!(running.version, "9.0.0+0");

    let (line, shipped) = a_line(Level::Board, IdentityOrigin::Vault, &[]);
    let site = line.site_during(shipped[0].index, &crypto).unwrap();
    let (outcome, knowledge) = attempt(&ConsoleFirmwareSigning, &line, site);
    let Outcome::Blocked { reason } = &outcome else {
        panic!("{outcome}");
    };
    assert!(
        reason.contains("signs only in its key ceremony"),
        "{reason}"
    );
    assert_eq!(knowledge.of_kind(MaterialKind::ForgedImage).count(), 0);
}
