use super::*;
use crate::keystore::parse_slots;
use provsim_sim::crypto::Crypto;
use provsim_sim::{SimTime, Trace};

struct Bench {
    crypto: Crypto,
    trace: Trace,
    seed: Seed,
}

impl Bench {
    fn new() -> Self {
        Bench {
            crypto: Crypto::new(),
            trace: Trace::new(),
            seed: Seed::new(11),
        }
    }

    fn ctx(&mut self) -> Ctx<'_> {
        Ctx::new(SimTime::ZERO, &self.crypto, &mut self.trace)
    }

    fn mcu(&self, index: u64) -> Mcu {
        Mcu::new(self.seed, index, DeviceId::new(1, 1, index as u32))
    }

    /// Seals a fresh key for `mcu`'s transport key, as a vault would.
    fn sealed_key(
        &mut self,
        mcu: &mut Mcu,
        slot: u8,
    ) -> (SecretKey, provsim_sim::crypto::Envelope) {
        let Response::Info(info) = mcu.execute(&mut self.ctx(), Command::GetInfo).unwrap() else {
            panic!("GetInfo answered something else");
        };
        let mut stream = self.seed.stream("test/vault");
        let key = self.crypto.generate_key(&mut stream);
        let aad = injection_context(info.device_id, slot);
        let envelope = self.crypto.seal_envelope(
            &info.transport_key,
            &aad,
            &key.expose_secret_bytes(),
            &mut stream,
        );
        (key, envelope)
    }
}

#[test]
fn an_injected_key_lands_in_its_slot_and_is_reported_back() {
    let mut bench = Bench::new();
    let mut mcu = bench.mcu(0);
    let (key, envelope) = bench.sealed_key(&mut mcu, 0);
    let response = mcu
        .execute(&mut bench.ctx(), Command::InjectKey { slot: 0, envelope })
        .unwrap();
    assert_eq!(
        response,
        Response::KeyInstalled {
            slot: 0,
            public_key: key.public_key().clone()
        }
    );

    let dump = mcu
        .debug_read(&mut bench.ctx(), KEYSTORE_BASE, KEYSTORE_SIZE)
        .unwrap();
    let slots = parse_slots(&dump);
    assert_eq!(slots.len(), 1);
    assert_eq!(slots[0].kind, SlotKind::P256Private);
    assert_eq!(slots[0].data, key.expose_secret_bytes());
    assert_eq!(mcu.persistent_writes(), 1);
}

#[test]
fn an_envelope_for_another_device_or_slot_does_not_open() {
    let mut bench = Bench::new();
    let mut first = bench.mcu(0);
    let mut second = bench.mcu(1);
    let (_, envelope) = bench.sealed_key(&mut first, 0);
    second.execute(&mut bench.ctx(), Command::GetInfo).unwrap();
    let err = second
        .execute(
            &mut bench.ctx(),
            Command::InjectKey {
                slot: 0,
                envelope: envelope.clone(),
            },
        )
        .unwrap_err();
    assert!(matches!(err, DeviceError::Envelope(_)), "{err:?}");
    let err = first
        .execute(&mut bench.ctx(), Command::InjectKey { slot: 1, envelope })
        .unwrap_err();
    assert!(matches!(err, DeviceError::Envelope(_)), "{err:?}");

    // Sealed to this very chip's transport key but bound to another device id: the
    // associated data, not only the key, decides.
    let Response::Info(info) = first.execute(&mut bench.ctx(), Command::GetInfo).unwrap() else {
        panic!("GetInfo answered something else");
    };
    let key = bench
        .crypto
        .generate_key(&mut bench.seed.stream("test/other"));
    let wrong_device = injection_context(DeviceId(info.device_id.0 + 1), 0);
    let envelope = bench.crypto.seal_envelope(
        &info.transport_key,
        &wrong_device,
        &key.expose_secret_bytes(),
        &mut bench.seed.stream("test/other-seal"),
    );
    let err = first
        .execute(&mut bench.ctx(), Command::InjectKey { slot: 0, envelope })
        .unwrap_err();
    assert!(matches!(err, DeviceError::Envelope(_)), "{err:?}");
    assert_eq!(first.persistent_writes() + second.persistent_writes(), 0);
}

#[test]
fn an_occupied_slot_is_not_overwritten() {
    let mut bench = Bench::new();
    let mut mcu = bench.mcu(0);
    let (_, envelope) = bench.sealed_key(&mut mcu, 0);
    mcu.execute(
        &mut bench.ctx(),
        Command::InjectKey {
            slot: 0,
            envelope: envelope.clone(),
        },
    )
    .unwrap();
    let err = mcu
        .execute(&mut bench.ctx(), Command::InjectKey { slot: 0, envelope })
        .unwrap_err();
    assert_eq!(err, DeviceError::SlotOccupied(0));
    let err = mcu
        .execute(
            &mut bench.ctx(),
            Command::InjectKey {
                slot: SLOTS,
                envelope: provsim_sim::crypto::Envelope::from_bytes(vec![]),
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        DeviceError::NoSuchSlot {
            slot: SLOTS,
            slots: SLOTS
        }
    );
}

#[test]
fn the_lock_fuse_closes_the_debug_port_and_the_protocol_for_good() {
    let mut bench = Bench::new();
    let mut mcu = bench.mcu(0);
    assert!(mcu.debug_read(&mut bench.ctx(), OTP_BASE, OTP_SIZE).is_ok());
    assert_eq!(
        mcu.execute(&mut bench.ctx(), Command::LockDebug).unwrap(),
        Response::DebugLocked
    );
    assert_eq!(
        mcu.debug_read(&mut bench.ctx(), KEYSTORE_BASE, KEYSTORE_SIZE),
        Err(PortError::Locked)
    );
    assert_eq!(
        mcu.execute(&mut bench.ctx(), Command::GetInfo),
        Err(DeviceError::Port(PortError::Locked))
    );
    assert_eq!(
        mcu.execute(&mut bench.ctx(), Command::LockDebug),
        Err(DeviceError::Port(PortError::Locked))
    );
}

#[test]
fn the_firmware_key_hash_is_fused_as_root_of_trust() {
    let mut bench = Bench::new();
    let mut mcu = bench.mcu(0);
    let fw_key = bench.crypto.generate_key(&mut bench.seed.stream("test/fw"));
    let sec1 = fw_key.public_key().sec1().to_vec();
    mcu.execute(
        &mut bench.ctx(),
        Command::WriteFirmwareKey { sec1: sec1.clone() },
    )
    .unwrap();
    let fused = mcu
        .debug_read(&mut bench.ctx(), OTP_BASE + OTP_ROT_HASH_OFFSET, 32)
        .unwrap();
    assert_eq!(fused, provsim_sim::crypto::Sha256::digest(&sec1));
    let stored = mcu.debug_read(&mut bench.ctx(), FW_KEY_BASE, 67).unwrap();
    assert_eq!(&stored[2..], sec1.as_slice());
    let err = mcu
        .execute(
            &mut bench.ctx(),
            Command::WriteFirmwareKey { sec1: vec![4; 65] },
        )
        .unwrap_err();
    assert!(matches!(err, DeviceError::InvalidPublicKey(_)));
}

#[test]
fn oversized_certificates_and_unmapped_reads_are_refused() {
    let mut bench = Bench::new();
    let mut mcu = bench.mcu(0);
    let err = mcu
        .execute(
            &mut bench.ctx(),
            Command::WriteCertificate {
                der: vec![0; CERT_SIZE as usize],
            },
        )
        .unwrap_err();
    assert!(matches!(err, DeviceError::TooLarge { .. }));
    assert_eq!(
        mcu.debug_read(&mut bench.ctx(), 0x2000_0000, 4),
        Err(PortError::Unmapped {
            addr: 0x2000_0000,
            len: 4
        })
    );
    assert!(
        mcu.debug_read(&mut bench.ctx(), FLASH_BASE + FLASH_SIZE - 1, 2)
            .is_err()
    );
}

#[test]
fn the_same_seed_builds_the_same_chip() {
    let mut bench = Bench::new();
    let mut a = bench.mcu(3);
    let mut b = bench.mcu(3);
    let info = |m: &mut Mcu, bench: &mut Bench| match m
        .execute(&mut bench.ctx(), Command::GetInfo)
        .unwrap()
    {
        Response::Info(info) => info.transport_key,
        other => panic!("{other:?}"),
    };
    let (ka, kb) = (info(&mut a, &mut bench), info(&mut b, &mut bench));
    assert_eq!(ka, kb);
    let mut c = bench.mcu(4);
    assert_ne!(ka, info(&mut c, &mut bench));
}
