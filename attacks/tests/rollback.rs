//! Rollback to the line's own superseded release, on parts from a real line: the boot
//! ROM's anti-rollback comparison is all that stops it, and when it stops it, nothing
//! on the part moves.

use provsim_attacks::{Attack, Knowledge, MaterialKind, Outcome, RollbackOlderImage, Surface};
use provsim_devices::{Countermeasures, TargetKind, Weakness};
use provsim_provisioner::{Line, LineConfig, Lot, StationConfig};
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, Seed, SimTime, Trace};

fn line(weaknesses: Vec<Weakness>) -> Line {
    let config = LineConfig::builder(TargetKind::Mcu)
        .station(StationConfig::secure_boot_then(true))
        .countermeasures(Countermeasures {
            weaknesses,
            ..Countermeasures::default()
        })
        .names("Test House", "Acme")
        .product(1)
        .build();
    let mut line = Line::establish(
        config,
        Seed::new(21),
        vec![Lot {
            name: "L".into(),
            devices: 2,
        }],
    )
    .unwrap();
    line.run(&mut ()).unwrap();
    line
}

/// The attempt on device 0; the outcome, the fuses' count before and after, and the
/// version the part starts at the next power-on.
fn attempt(line: &Line) -> (Outcome, u32, u32, String) {
    let crypto = Crypto::new();
    let (mut target, _) = line.rebuild_device(0, &crypto).unwrap();
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
    let mut knowledge = Knowledge::new();
    for image in line.published_firmware() {
        knowledge.learn(
            MaterialKind::PublishedImage,
            "update server",
            image.to_vec(),
        );
    }
    let before = target.anti_rollback_fuses();
    let rung = &provsim_attacks::ladder(&RollbackOlderImage, TargetKind::Mcu)[0].rung;
    let outcome = RollbackOlderImage.run(
        rung,
        Surface::Device(target.as_mut()),
        &mut ctx,
        &mut Seed::new(0).stream("test/attacker"),
        &mut knowledge,
    );
    let after = target.anti_rollback_fuses();
    let next = target.boot(&mut ctx).map(|r| r.version).unwrap_or_default();
    (outcome.outcome, before, after, next)
}

#[test]
fn the_sound_boot_rom_refuses_the_older_release_and_the_fuses_stay() {
    let (outcome, before, after, next) = attempt(&line(Vec::new()));
    assert!(matches!(outcome, Outcome::Blocked { .. }), "{outcome}");
    assert!(
        outcome
            .to_string()
            .contains("below the anti-rollback fuses"),
        "{outcome}"
    );
    // The line's own boot advanced the fuses to the installed release's counter; the
    // refusal leaves them there, and the installed release still starts.
    assert_eq!(before, 1);
    assert_eq!(after, before);
    assert_eq!(next, "1.0.0+0");
}

#[test]
fn without_the_comparison_the_older_release_runs() {
    let (outcome, before, after, next) = attempt(&line(vec![Weakness::NoRollbackCheck]));
    assert!(matches!(outcome, Outcome::Obtained { .. }), "{outcome}");
    assert_eq!((before, after), (1, 1));
    assert_eq!(next, "0.9.0+0");
}
