//! The debug-port readout against devices from a real line: it gets the identity key
//! exactly when the station skipped the lock, and only through the port.

use provsim_attacks::{Attack, DebugPortReadout, Knowledge, MaterialKind, Outcome, Surface};
use provsim_devices::TargetKind;
use provsim_provisioner::{Line, LineConfig, Lot, StationConfig};
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, Seed, SimTime, Trace};

fn line(lock_debug: bool) -> (Line, Vec<provsim_provisioner::ShippedDevice>) {
    let config = LineConfig::builder(TargetKind::Mcu)
        .station(StationConfig::secure_boot_then(lock_debug))
        .names("Test House", "Acme")
        .product(1)
        .build();
    let mut line = Line::establish(
        config,
        Seed::new(21),
        vec![Lot {
            name: "L".into(),
            devices: 3,
        }],
    )
    .unwrap();
    let shipped = line.run(&mut ()).unwrap().ledger.all_shipped().unwrap();
    (line, shipped)
}

fn attempt(line: &Line, index: u64) -> (Outcome, Knowledge) {
    let crypto = Crypto::new();
    let (mut target, _) = line.rebuild_device(index, &crypto).unwrap();
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
    let mut knowledge = Knowledge::new();
    let rung = &provsim_attacks::ladder(&DebugPortReadout, TargetKind::Mcu)[0].rung;
    let outcome = DebugPortReadout.run(
        rung,
        Surface::Device(target.as_mut()),
        &mut ctx,
        &mut Seed::new(0).stream("test/attacker"),
        &mut knowledge,
    );
    (outcome.outcome, knowledge)
}

#[test]
fn an_open_port_gives_up_the_identity_key() {
    let (line, shipped) = line(false);
    let crypto = Crypto::new();
    for device in &shipped {
        let (outcome, knowledge) = attempt(&line, device.index);
        assert!(matches!(outcome, Outcome::Obtained { .. }), "{outcome}");
        let candidates: Vec<_> = knowledge.of_kind(MaterialKind::KeyCandidate).collect();
        assert_eq!(candidates.len(), 1);
        let key = crypto.import_secret(candidates[0].bytes()).unwrap();
        assert_eq!(key.public_key().fingerprint(), device.identity);
    }
}

#[test]
fn a_locked_port_gives_nothing() {
    let (line, shipped) = line(true);
    for device in &shipped {
        let (outcome, knowledge) = attempt(&line, device.index);
        match outcome {
            Outcome::Blocked { reason } => assert!(reason.contains("locked"), "{reason}"),
            other => panic!("expected blocked, got {other}"),
        }
        assert!(knowledge.is_empty());
    }
}

#[test]
fn the_attack_is_rated_basic_on_an_mcu() {
    let potential = &provsim_attacks::ladder(&DebugPortReadout, TargetKind::Mcu)[0].planned;
    assert_eq!(potential.total(), Some(4));
    assert_eq!(potential.rating(), Some(provsim_attacks::Rating::Basic));
}
