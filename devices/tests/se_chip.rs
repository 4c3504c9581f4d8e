//! The secure element as the line sees it: personalised through the station's command
//! set (keys imported sealed to its transport key, a certificate written in chunks,
//! personalisation closed), its identity key then answering challenges; nothing goes
//! in once it is closed, it has no debug port, and its masked AES (what ENCIPHER runs)
//! shows nothing.

use provsim_devices::leakage::{MeasuredOperation, SBOX, correlation};
use provsim_devices::mcu::injection_context;
use provsim_devices::se::{ENCIPHER, ins};
use provsim_devices::{
    Command, DeviceError, DeviceId, LifeCycle, PortError, Response, Target, TargetKind,
    build_target,
};
use provsim_sim::crypto::{Crypto, Envelope, PublicKey};
use provsim_sim::{Ctx, Seed, SimTime, Stream, Trace};

struct Line {
    crypto: Crypto,
    trace: Trace,
    keys: Stream,
}

impl Line {
    fn ctx(&mut self) -> Ctx<'_> {
        Ctx::new(SimTime::ZERO, &self.crypto, &mut self.trace)
    }

    fn run(&mut self, se: &mut dyn Target, command: Command) -> Result<Response, DeviceError> {
        se.execute(&mut self.ctx(), command)
    }

    fn seal(
        &mut self,
        transport: &PublicKey,
        device: DeviceId,
        slot: u8,
        secret: &[u8],
    ) -> Envelope {
        self.crypto.seal_envelope(
            transport,
            &injection_context(device, slot),
            secret,
            &mut self.keys,
        )
    }
}

#[test]
fn an_se_is_personalised_closed_and_then_only_used() {
    let mut line = Line {
        crypto: Crypto::new(),
        trace: Trace::new(),
        keys: Seed::new(3).stream("test/keys"),
    };
    let device = DeviceId::new(5, 1, 0);
    let mut se = build_target(TargetKind::Se, Seed::new(3), 0, device);
    assert_eq!(se.life_cycle(), LifeCycle::Test);
    assert_eq!(se.debug_read(&mut line.ctx(), 0, 4), Err(PortError::NoPort));
    let Response::Info(info) = line.run(se.as_mut(), Command::GetInfo).unwrap() else {
        panic!("no info");
    };
    assert_eq!(info.kind, TargetKind::Se);
    let identity = line.crypto.generate_key(&mut line.keys);
    let envelope = line.seal(
        &info.transport_key,
        device,
        0,
        &identity.expose_secret_bytes(),
    );
    let Response::KeyInstalled { public_key, .. } = line
        .run(se.as_mut(), Command::InjectKey { slot: 0, envelope })
        .unwrap()
    else {
        panic!("not installed");
    };
    assert_eq!(&public_key, identity.public_key());
    // An envelope for another slot does not open for this one.
    let storage = [0x5au8; 32];
    let wrong = line.seal(&info.transport_key, device, 2, &storage);
    assert!(matches!(
        line.run(
            se.as_mut(),
            Command::InjectSecret {
                slot: 1,
                envelope: wrong
            }
        ),
        Err(DeviceError::Apdu { sw: 0x6a80, .. })
    ));
    let envelope = line.seal(&info.transport_key, device, 1, &storage);
    let Response::SecretInstalled { check, .. } = line
        .run(se.as_mut(), Command::InjectSecret { slot: 1, envelope })
        .unwrap()
    else {
        panic!("not installed");
    };
    assert_eq!(
        check,
        provsim_devices::key_check_value(&line.crypto, &storage)
    );
    // A certificate longer than one APDU goes in chunks.
    let der = vec![0x30u8; 700];
    assert_eq!(
        line.run(se.as_mut(), Command::WriteCertificate { der })
            .unwrap(),
        Response::Written { bytes: 700 }
    );
    // No firmware, fuses or tokens on an SE.
    assert!(matches!(
        line.run(se.as_mut(), Command::WriteImage { image: vec![0; 8] }),
        Err(DeviceError::Unsupported { .. })
    ));
    // Before it is closed, the key is not operational: no answer to a challenge.
    let server = line.crypto.generate_key(&mut line.keys);
    assert!(
        se.authenticate(&mut line.ctx(), &[1; 32], server.public_key())
            .is_err()
    );
    line.run(
        se.as_mut(),
        Command::Transition {
            to: LifeCycle::Provisioned,
            token: None,
        },
    )
    .unwrap();
    assert_eq!(se.life_cycle(), LifeCycle::Provisioned);
    let (auth, _) = se
        .authenticate(&mut line.ctx(), &[1; 32], server.public_key())
        .unwrap();
    let transcript = provsim_devices::first_connection::transcript(
        &[1; 32],
        server.public_key(),
        &auth.ephemeral,
    );
    assert!(
        line.crypto
            .verify(identity.public_key(), &transcript, &auth.signature)
            .is_ok()
    );
    // Closed: no transport key, no key in.
    assert!(line.run(se.as_mut(), Command::GetInfo).is_err());
    let late = line.seal(&info.transport_key, device, 2, &storage);
    assert!(
        line.run(
            se.as_mut(),
            Command::InjectSecret {
                slot: 2,
                envelope: late
            }
        )
        .is_err()
    );
    // Its AES (run by ENCIPHER, as a reader would have it) is masked at second order:
    // the right key byte's model finds nothing in any share's samples (three per value),
    // where an unmasked part shows ~0.8.
    let mut probe = Seed::new(3).stream("test/probe");
    let mut inputs = Seed::new(3).stream("test/plaintexts");
    let n = 2_000;
    let mut model = Vec::new();
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); 3];
    for _ in 0..n {
        let plaintext: [u8; 16] = inputs.bytes();
        let t = se
            .power_trace(
                &mut line.ctx(),
                &MeasuredOperation::AesEncrypt { slot: 1, plaintext },
                &mut probe,
            )
            .unwrap();
        model.push(f64::from(
            SBOX[usize::from(plaintext[0] ^ storage[0])].count_ones(),
        ));
        for (share, column) in samples.iter_mut().enumerate() {
            column.push(t.samples[share]);
        }
    }
    for column in &samples {
        let rho = correlation(&model, column);
        assert!(rho.abs() <= 3.0 / f64::sqrt(n as f64), "rho {rho}");
    }
    // What was measured is the card's own ENCIPHER: AES-256 under the storage key.
    let block = [7u8; 16];
    let mut encipher = vec![0x80, ins::PERFORM_SECURITY_OPERATION, ENCIPHER, 1, 16];
    encipher.extend_from_slice(&block);
    encipher.push(0);
    let answer = se.apdu(&mut line.ctx(), &encipher).unwrap();
    assert_eq!(
        answer[..16],
        line.crypto.aes256_encrypt_block(&storage, &block)
    );
    assert_eq!(answer[16..], [0x90, 0x00]);
    // The certificate written while personalising is frozen once closed.
    assert!(
        line.run(
            se.as_mut(),
            Command::WriteCertificate {
                der: vec![0x31; 10]
            }
        )
        .is_err()
    );
    // In the field nobody without the channel's key ends the card: host firmware
    // cannot brick the identity (a returned SE with no key holder is destroyed).
    assert!(
        line.run(
            se.as_mut(),
            Command::Transition {
                to: LifeCycle::Scrapped,
                token: None,
            },
        )
        .is_err()
    );
    assert_eq!(se.life_cycle(), LifeCycle::Provisioned);
    assert!(
        se.authenticate(&mut line.ctx(), &[1; 32], server.public_key())
            .is_ok()
    );
}

/// An envelope opens only as the kind of key its object holds in the card's object
/// map: the identity envelope for object 0 cannot be taken in as a symmetric key.
#[test]
fn a_key_goes_in_only_as_its_objects_kind() {
    let mut line = Line {
        crypto: Crypto::new(),
        trace: Trace::new(),
        keys: Seed::new(4).stream("test/keys"),
    };
    let device = DeviceId::new(5, 1, 1);
    let mut se = build_target(TargetKind::Se, Seed::new(4), 1, device);
    let Response::Info(info) = line.run(se.as_mut(), Command::GetInfo).unwrap() else {
        panic!("no info");
    };
    let identity = line.crypto.generate_key(&mut line.keys);
    let envelope = line.seal(
        &info.transport_key,
        device,
        0,
        &identity.expose_secret_bytes(),
    );
    assert!(matches!(
        line.run(
            se.as_mut(),
            Command::InjectSecret {
                slot: 0,
                envelope: envelope.clone()
            }
        ),
        Err(DeviceError::Apdu { sw: 0x6a86, .. })
    ));
    assert!(
        line.run(se.as_mut(), Command::InjectKey { slot: 0, envelope })
            .is_ok()
    );
    // Before closing, a part the station rejects is terminated, no channel needed.
    line.run(
        se.as_mut(),
        Command::Transition {
            to: LifeCycle::Scrapped,
            token: None,
        },
    )
    .unwrap();
    assert_eq!(se.life_cycle(), LifeCycle::Scrapped);
}

/// A key planted by someone who sealed to the public transport key before the station
/// came is found before closing: the part is not closed with it.
#[test]
fn a_planted_key_stops_the_close() {
    use provsim_devices::fault::FaultModel;
    use provsim_devices::leakage::LeakageModel;
    use provsim_devices::se::{SeChip, ins};
    let mut line = Line {
        crypto: Crypto::new(),
        trace: Trace::new(),
        keys: Seed::new(5).stream("test/keys"),
    };
    let device = DeviceId::new(5, 1, 2);
    let mut se = SeChip::new(
        Seed::new(5),
        2,
        device,
        &[1; 32],
        &line.crypto,
        LeakageModel::STOCK,
        FaultModel::stock(),
        provsim_devices::Weaknesses::default(),
    );
    let Response::Info(info) = line.run(&mut se, Command::GetInfo).unwrap() else {
        panic!("no info");
    };
    // The planter speaks APDUs to the card directly: IMPORT SEALED KEY into object 5.
    let planted = line.seal(&info.transport_key, device, 5, &[9u8; 32]);
    let mut apdu = vec![
        0x00,
        ins::IMPORT_SEALED_KEY,
        4,
        5,
        planted.as_bytes().len() as u8,
    ];
    apdu.extend_from_slice(planted.as_bytes());
    apdu.push(0);
    let answer = se.card_mut().transmit(&mut line.ctx(), &apdu);
    assert_eq!(answer[answer.len() - 2..], [0x90, 0x00]);
    let identity = line.crypto.generate_key(&mut line.keys);
    let envelope = line.seal(
        &info.transport_key,
        device,
        0,
        &identity.expose_secret_bytes(),
    );
    line.run(&mut se, Command::InjectKey { slot: 0, envelope })
        .unwrap();
    let close = Command::Transition {
        to: LifeCycle::Provisioned,
        token: None,
    };
    assert_eq!(
        line.run(&mut se, close),
        Err(DeviceError::UnexpectedObjects { ids: vec![5] })
    );
    assert_eq!(se.life_cycle(), LifeCycle::Test);
}
