//! The fault model, shown by outcome: a campaign of seeded glitches on the boot ROM's
//! signature check of a forged image, counted by whether the chip then runs the
//! forgery. The measured rate lies within a 99% binomial interval of the configured
//! one; a glitch detector lowers it as configured; with the check made redundant, a
//! single fault never gets the forgery to run, and two faults must both land.

use provsim_devices::fault::{
    Detector, FaultCountermeasures, FaultEffect, FaultModel, FaultPoint, Glitch, GlitchMethod,
    GlitchOutcome, Persistence, Ratio,
};
use provsim_devices::image::{SignOptions, prepare};
use provsim_devices::mcu::Mcu;
use provsim_devices::{Command, DeviceId, Fuse, LifeCycle, Target};
use provsim_sim::crypto::Crypto;
use provsim_sim::{Ctx, Seed, SimTime, Trace};

/// Trials per campaign: enough for a tight interval, few enough for CI (each trial is
/// one boot, one ECDSA verification).
const TRIALS: u64 = 3_000;

/// z for a two-sided 99% interval.
const Z99: f64 = 2.5758;

/// A chip with secure boot on, the genuine firmware key fused, and in its primary slot
/// a forgery: the genuine key's hash, a correct image hash, and a signature by another
/// key. Only the signature check stands between the forgery and the CPU.
fn chip_with_forgery(crypto: &Crypto, model: FaultModel) -> Mcu {
    let seed = Seed::new(31);
    let genuine = crypto.generate_key(&mut seed.stream("test/vendor-key"));
    let attacker = crypto.generate_key(&mut seed.stream("test/attacker-key"));
    let unsigned = prepare(
        crypto,
        genuine.public_key(),
        b"attacker's firmware",
        &SignOptions::default(),
    )
    .unwrap();
    let signature = crypto.sign_digest(&attacker, unsigned.digest());
    let forgery = unsigned.finish(&signature).unwrap();
    let mut mcu = Mcu::new(seed, 0, DeviceId::new(1, 1, 0)).with_fault_model(model);
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, crypto, &mut trace);
    for command in [
        Command::Transition {
            to: LifeCycle::Test,
            token: None,
        },
        Command::WriteFirmwareKey {
            sec1: genuine.public_key().sec1().to_vec(),
        },
        Command::BlowFuse {
            fuse: Fuse::SecureBoot,
        },
        Command::WriteImage { image: forgery },
    ] {
        mcu.execute(&mut ctx, command).unwrap();
    }
    assert!(
        mcu.boot(&mut ctx).is_err(),
        "the forgery must not boot unaided"
    );
    mcu
}

/// Runs `TRIALS` attempts, each on a fresh copy of `chip`: aim `glitches` (in order) at
/// the signature check, then power up. Returns how many attempts ran the forgery, and
/// the alarms raised in all.
fn campaign(crypto: &Crypto, chip: &Mcu, glitches: &[Glitch], seed: u64) -> (u64, u64) {
    campaign_of(TRIALS, crypto, chip, glitches, seed)
}

fn campaign_of(
    trials: u64,
    crypto: &Crypto,
    chip: &Mcu,
    glitches: &[Glitch],
    seed: u64,
) -> (u64, u64) {
    let mut rng = Seed::new(seed).stream("test/glitch-campaign");
    let mut booted = 0;
    let mut alarms = 0;
    for _ in 0..trials {
        let mut copy = chip.clone();
        for glitch in glitches {
            copy.glitch(*glitch, &mut rng);
        }
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, crypto, &mut trace);
        if copy.boot(&mut ctx).is_ok() {
            booted += 1;
        }
        alarms += copy.fault_alarms();
    }
    (booted, alarms)
}

/// The normal-approximation 99% interval of a binomial count with rate `p`.
fn interval(p: f64) -> (f64, f64) {
    let n = TRIALS as f64;
    let spread = Z99 * (p * (1.0 - p) * n).sqrt();
    (n * p - spread, n * p + spread)
}

fn assert_within(count: u64, p: f64, what: &str) {
    let (low, high) = interval(p);
    eprintln!(
        "{what}: {count} of {TRIALS} (expected {:.1}, 99% interval [{low:.1}, {high:.1}])",
        TRIALS as f64 * p
    );
    assert!(
        (low..=high).contains(&(count as f64)),
        "{what}: {count} of {TRIALS} outside the 99% interval [{low:.1}, {high:.1}] of p = {p}"
    );
}

fn voltage_skip() -> Glitch {
    Glitch {
        at: FaultPoint::ImageSignature,
        method: GlitchMethod::Voltage,
        effect: FaultEffect::Skip,
        persistence: Persistence::Transient,
    }
}

fn model(countermeasures: FaultCountermeasures) -> FaultModel {
    let mut model = FaultModel::stock();
    model
        .susceptibility
        .insert(GlitchMethod::Voltage, Ratio::new(1, 8).unwrap());
    model.countermeasures = countermeasures;
    model
}

#[test]
fn the_measured_rate_matches_the_configured_one() {
    let crypto = Crypto::new();
    let chip = chip_with_forgery(&crypto, model(FaultCountermeasures::default()));
    let (booted, alarms) = campaign(&crypto, &chip, &[voltage_skip()], 1);
    assert_within(booted, 1.0 / 8.0, "unprotected");
    assert_eq!(alarms, 0);
    // A glitch aimed at another check does nothing for the forgery.
    let elsewhere = Glitch {
        at: FaultPoint::ImageHash,
        ..voltage_skip()
    };
    assert_eq!(campaign(&crypto, &chip, &[elsewhere], 2).0, 0);
}

#[test]
fn a_detector_lowers_the_rate_as_configured() {
    let crypto = Crypto::new();
    // Catches three voltage glitches in four: 1/8 * 1/4 = 1/32 get through.
    let guarded = FaultCountermeasures {
        detectors: vec![Detector {
            senses: GlitchMethod::Voltage,
            catches: Ratio::new(3, 4).unwrap(),
        }],
        ..FaultCountermeasures::default()
    };
    let chip = chip_with_forgery(&crypto, model(guarded));
    let (booted, alarms) = campaign(&crypto, &chip, &[voltage_skip()], 3);
    assert_within(booted, 1.0 / 32.0, "behind a voltage detector");
    // Every landed glitch the detector caught raised an alarm: 1/8 * 3/4 of attempts.
    assert_within(alarms, 3.0 / 32.0, "alarms");
    // The detector senses voltage only: a clock glitch goes by it at the clock rate.
    let clock = Glitch {
        method: GlitchMethod::Clock,
        ..voltage_skip()
    };
    assert_within(
        campaign(&crypto, &chip, &[clock], 4).0,
        1.0 / 25.0,
        "clock past a voltage detector",
    );
}

#[test]
fn a_redundant_check_never_yields_to_a_single_fault() {
    let crypto = Crypto::new();
    let redundant = FaultCountermeasures {
        redundant: vec![FaultPoint::ImageSignature],
        ..FaultCountermeasures::default()
    };
    let chip = chip_with_forgery(&crypto, model(redundant));
    // Single faults of every effect and persistence: never through. Each that lands
    // makes the copies disagree, which the chip reports as an alarm.
    for effect in FaultEffect::ALL {
        for persistence in [Persistence::Transient, Persistence::Permanent] {
            let glitch = Glitch {
                effect,
                persistence,
                ..voltage_skip()
            };
            // 400 attempts: about 50 land, each a chance to get through.
            let (booted, alarms) = campaign_of(400, &crypto, &chip, &[glitch], 5);
            assert_eq!(booted, 0, "{effect:?} {persistence:?}");
            if effect != FaultEffect::StuckAtZero {
                assert!(alarms > 0, "{effect:?} {persistence:?}");
            }
        }
    }
    // Two skips, both landing at 1/8: through at 1/64.
    let (booted, _) = campaign(&crypto, &chip, &[voltage_skip(), voltage_skip()], 6);
    assert_within(booted, 1.0 / 64.0, "two faults on a redundant check");
}

#[test]
fn a_glitch_draws_only_from_the_attackers_stream() {
    let crypto = Crypto::new();
    let chip = chip_with_forgery(&crypto, model(FaultCountermeasures::default()));
    let outcomes = |seed| {
        let mut rng = Seed::new(seed).stream("test/glitches");
        let mut copy = chip.clone();
        (0..200)
            .map(|_| copy.glitch(voltage_skip(), &mut rng))
            .collect::<Vec<GlitchOutcome>>()
    };
    assert_eq!(outcomes(9), outcomes(9));
    assert_ne!(outcomes(9), outcomes(10));
}
