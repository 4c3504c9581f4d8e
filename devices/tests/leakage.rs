//! The leakage model, shown by outcome rather than by its knobs: power traces of the
//! MCU's AES with an injected key, measured through `Target::power_trace`, correlate
//! with the Hamming weight of the first-round S-box output under the right key when
//! the part is unmasked, and stay within 3/sqrt(N) of zero with first-order masking.
//! Registers that leak Hamming distance undo the masking; the ladder of a scalar
//! multiplication gives its key away to simple power analysis unless masked.

use provsim_devices::leakage::{LeakageModel, MeasuredOperation, PowerModel, SBOX, correlation};
use provsim_devices::mcu::{Mcu, injection_context};
use provsim_devices::{Command, DeviceId, Fuse, LifeCycle, Response, Target};
use provsim_sim::crypto::{Crypto, SecretKey};
use provsim_sim::{Ctx, Seed, SimTime, Stream, Trace};

/// Traces per campaign.
const N: usize = 2_000;
const AES_SLOT: u8 = 1;
const IDENTITY_SLOT: u8 = 0;

struct Chip {
    mcu: Mcu,
    aes_key: [u8; 32],
    identity: SecretKey,
}

/// An MCU with an AES key and an identity key injected, secure boot on, and its
/// firmware running, so its crypto service answers.
fn chip(crypto: &Crypto, leakage: LeakageModel) -> Chip {
    let seed = Seed::new(17);
    let device = DeviceId::new(1, 1, 0);
    let mut mcu = Mcu::new(seed, 0, device).with_leakage_model(leakage);
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, crypto, &mut trace);
    let mut run = |mcu: &mut Mcu, command| mcu.execute(&mut ctx, command).unwrap();
    run(
        &mut mcu,
        Command::Transition {
            to: LifeCycle::Test,
            token: None,
        },
    );
    let Response::Info(info) = run(&mut mcu, Command::GetInfo) else {
        panic!("no info");
    };
    let mut keys = seed.stream("test/keys");
    let aes_key: [u8; 32] = keys.bytes();
    let identity = crypto.generate_key(&mut keys);
    let mut wrap = seed.stream("test/wrap");
    let sealed = |secret: &[u8], slot, wrap: &mut Stream| {
        crypto.seal_envelope(
            &info.transport_key,
            &injection_context(device, slot),
            secret,
            wrap,
        )
    };
    let envelope = sealed(&aes_key, AES_SLOT, &mut wrap);
    run(
        &mut mcu,
        Command::InjectSecret {
            slot: AES_SLOT,
            envelope,
        },
    );
    let envelope = sealed(&identity.expose_secret_bytes(), IDENTITY_SLOT, &mut wrap);
    run(
        &mut mcu,
        Command::InjectKey {
            slot: IDENTITY_SLOT,
            envelope,
        },
    );
    let firmware = crypto.generate_key(&mut seed.stream("test/firmware-key"));
    let image =
        provsim_devices::image::sign(crypto, &firmware, b"application", &Default::default())
            .unwrap();
    for command in [
        Command::WriteFirmwareKey {
            sec1: firmware.public_key().sec1().to_vec(),
        },
        Command::BlowFuse {
            fuse: Fuse::SecureBoot,
        },
        Command::WriteImage { image },
    ] {
        run(&mut mcu, command);
    }
    mcu.boot(&mut ctx).unwrap();
    Chip {
        mcu,
        aes_key,
        identity,
    }
}

/// N traces of AES on random plaintexts: (plaintexts, traces).
fn aes_campaign(crypto: &Crypto, chip: &mut Chip, seed: u64) -> (Vec<[u8; 16]>, Vec<Vec<f64>>) {
    let mut inputs = Seed::new(seed).stream("test/plaintexts");
    let mut probe = Seed::new(seed).stream("test/probe");
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, crypto, &mut trace);
    (0..N)
        .map(|_| {
            let plaintext: [u8; 16] = inputs.bytes();
            let measured = chip
                .mcu
                .power_trace(
                    &mut ctx,
                    &MeasuredOperation::AesEncrypt {
                        slot: AES_SLOT,
                        plaintext,
                    },
                    &mut probe,
                )
                .unwrap();
            (plaintext, measured.samples)
        })
        .unzip()
}

/// The model an attacker correlates with: HW(S(p[0] ^ guess)) per trace.
fn hypothesis(plaintexts: &[[u8; 16]], guess: u8) -> Vec<f64> {
    plaintexts
        .iter()
        .map(|p| f64::from(SBOX[usize::from(p[0] ^ guess)].count_ones()))
        .collect()
}

fn column(traces: &[Vec<f64>], sample: usize) -> Vec<f64> {
    traces.iter().map(|t| t[sample]).collect()
}

fn bound() -> f64 {
    3.0 / (N as f64).sqrt()
}

#[test]
fn an_unmasked_aes_leaks_its_key_byte_and_a_masked_one_does_not() {
    let crypto = Crypto::new();
    let mut plain = chip(&crypto, LeakageModel::STOCK);
    let (plaintexts, traces) = aes_campaign(&crypto, &mut plain, 1);
    let right = hypothesis(&plaintexts, plain.aes_key[0]);
    let rho = correlation(&right, &column(&traces, 0));
    eprintln!(
        "unmasked: rho = {rho:.4} with N = {N} (3/sqrt(N) = {:.4})",
        bound()
    );
    assert!(rho > 10.0 * bound(), "rho {rho}");
    // A correlation power analysis over all 256 guesses ranks the right key byte first.
    let best = (0..=255u8)
        .max_by(|&a, &b| {
            let r = |g| correlation(&hypothesis(&plaintexts, g), &column(&traces, 0)).abs();
            r(a).total_cmp(&r(b))
        })
        .unwrap();
    assert_eq!(best, plain.aes_key[0]);

    let masked_model = LeakageModel {
        masking_order: 1,
        ..LeakageModel::STOCK
    };
    let mut masked = chip(&crypto, masked_model);
    let (plaintexts, traces) = aes_campaign(&crypto, &mut masked, 1);
    assert_eq!(traces[0].len(), 64, "two shares for each of 32 bytes");
    let right = hypothesis(&plaintexts, masked.aes_key[0]);
    for share in [0, 1] {
        let rho = correlation(&right, &column(&traces, share));
        eprintln!("first-order masked, share {share}: rho = {rho:.4}");
        assert!(rho.abs() <= bound(), "share {share}: rho {rho}");
    }
}

/// Masking assumes the shares leak apart. When they pass through one register, the
/// transition between them is their XOR, the value itself, and the leak is back.
#[test]
fn hamming_distance_between_shares_undoes_first_order_masking() {
    let crypto = Crypto::new();
    let model = LeakageModel {
        power: PowerModel::HammingDistance,
        masking_order: 1,
        ..LeakageModel::STOCK
    };
    let mut chip = chip(&crypto, model);
    let (plaintexts, traces) = aes_campaign(&crypto, &mut chip, 2);
    let rho = correlation(
        &hypothesis(&plaintexts, chip.aes_key[0]),
        &column(&traces, 1),
    );
    eprintln!("masked, Hamming-distance register: rho = {rho:.4}");
    assert!(rho > 10.0 * bound(), "rho {rho}");
}

/// Shielding attenuates the signal, so the same N shows less; noise is what it was.
#[test]
fn shielding_lowers_the_correlation() {
    let crypto = Crypto::new();
    let shielded = LeakageModel {
        shield: provsim_devices::fault::Ratio::new(1, 10).unwrap(),
        ..LeakageModel::STOCK
    };
    let mut open = chip(&crypto, LeakageModel::STOCK);
    let mut covered = chip(&crypto, shielded);
    let rho = |chip: &mut Chip| {
        let (plaintexts, traces) = aes_campaign(&crypto, chip, 3);
        correlation(
            &hypothesis(&plaintexts, chip.aes_key[0]),
            &column(&traces, 0),
        )
    };
    let (a, b) = (rho(&mut open), rho(&mut covered));
    eprintln!("open: {a:.4}, shielded to 1/10: {b:.4}");
    assert!(b < a / 2.0 && b > bound(), "{a} {b}");
}

/// The ladder's swap mask is all ones or all zeros: averaging a few traces reads the
/// scalar bit by bit (simple power analysis). Masked, the samples say nothing.
#[test]
fn an_unmasked_ladder_reads_out_its_scalar() {
    let crypto = Crypto::new();
    // Four traces averaged, and the scalar's bits, most significant first.
    let measure = |model: LeakageModel| {
        let mut chip = chip(&crypto, model);
        let mut probe = Seed::new(4).stream("test/probe");
        let mut trace = Trace::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
        let op = MeasuredOperation::ScalarMultiply {
            slot: IDENTITY_SLOT,
        };
        let mut sum = vec![0.0; 256 * (usize::from(model.masking_order) + 1)];
        for _ in 0..4 {
            let t = chip.mcu.power_trace(&mut ctx, &op, &mut probe).unwrap();
            for (s, x) in sum.iter_mut().zip(t.samples) {
                *s += x / 4.0;
            }
        }
        let bits: Vec<f64> = chip
            .identity
            .expose_secret_bytes()
            .iter()
            .flat_map(|byte| (0..8).rev().map(move |i| f64::from((byte >> i) & 1)))
            .collect();
        (sum, bits)
    };
    // Unmasked: a threshold on each sample reads every bit.
    let (sum, bits) = measure(LeakageModel::STOCK);
    let read: Vec<f64> = sum.iter().map(|&x| f64::from(u8::from(x > 4.0))).collect();
    assert_eq!(read, bits);
    // Masked: neither share's samples correlate with the bits.
    let masked = LeakageModel {
        masking_order: 1,
        ..LeakageModel::STOCK
    };
    let (sum, bits) = measure(masked);
    for share in 0..2 {
        let column: Vec<f64> = sum.iter().skip(share).step_by(2).copied().collect();
        let rho = correlation(&bits, &column);
        assert!(rho.abs() <= 3.0 / 16.0, "share {share}: rho {rho}");
    }
}

#[test]
fn no_running_firmware_no_measurement() {
    let crypto = Crypto::new();
    let mut mcu = Mcu::new(Seed::new(1), 0, DeviceId::new(1, 1, 0));
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
    let op = MeasuredOperation::ScalarMultiply { slot: 0 };
    assert!(
        mcu.power_trace(&mut ctx, &op, &mut Seed::new(1).stream("p"))
            .is_err()
    );
}

/// The masks come from the chip, not from the measurement: an attacker who replays
/// their own probe stream to guess each mask learns nothing.
#[test]
fn the_attacker_cannot_predict_the_masks_from_their_own_stream() {
    let crypto = Crypto::new();
    let masked = LeakageModel {
        masking_order: 1,
        ..LeakageModel::STOCK
    };
    let mut chip = chip(&crypto, masked);
    let mut inputs = Seed::new(6).stream("test/plaintexts");
    let mut probe = Seed::new(6).stream("test/probe");
    let mut trace = Trace::new();
    let mut ctx = Ctx::new(SimTime::ZERO, &crypto, &mut trace);
    let (mut model, mut sample) = (Vec::new(), Vec::new());
    for _ in 0..N {
        let plaintext: [u8; 16] = inputs.bytes();
        // The guess: the first byte the probe stream would give is the first mask.
        let guessed_mask = probe.duplicate().bytes::<1>()[0];
        let t = chip
            .mcu
            .power_trace(
                &mut ctx,
                &MeasuredOperation::AesEncrypt {
                    slot: AES_SLOT,
                    plaintext,
                },
                &mut probe,
            )
            .unwrap();
        let value = SBOX[usize::from(plaintext[0] ^ chip.aes_key[0])];
        model.push(f64::from((value ^ guessed_mask).count_ones()));
        sample.push(t.samples[1]);
    }
    let rho = correlation(&model, &sample);
    assert!(rho.abs() <= bound(), "rho {rho}");
}
