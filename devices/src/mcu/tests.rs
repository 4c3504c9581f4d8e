use super::chip::Mcu;
use super::layout::*;
use super::options::Rdp;
use super::*;
use crate::error::{BootError, DeviceError, PortError};
use crate::fault::FaultPoint;
use crate::keystore::parse_slots;
use crate::keystore::{SLOTS, SlotKind};
use crate::life_cycle::{LifeCycle, TokenKind};
use crate::target::{Command, DeviceId, Fuse, Response, Target};
use provsim_sim::crypto::Crypto;
use provsim_sim::crypto::SecretKey;
use provsim_sim::{Ctx, Seed};
use provsim_sim::{SimTime, Trace};

pub(super) struct Bench {
    pub(super) crypto: Crypto,
    trace: Trace,
    pub(super) seed: Seed,
}

impl Bench {
    pub(super) fn new() -> Self {
        Bench {
            crypto: Crypto::new(),
            trace: Trace::journaling(),
            seed: Seed::new(11),
        }
    }

    pub(super) fn ctx(&mut self) -> Ctx<'_> {
        Ctx::new(SimTime::ZERO, &self.crypto, &mut self.trace)
    }

    /// A chip fresh from the fab, moved into manufacturing test.
    pub(super) fn mcu(&mut self, index: u64) -> Mcu {
        let mut mcu = Mcu::new(self.seed, index, DeviceId::new(1, 1, index as u32));
        assert_eq!(mcu.life_cycle(), LifeCycle::Blank);
        mcu.execute(
            &mut self.ctx(),
            Command::Transition {
                to: LifeCycle::Test,
                token: None,
            },
        )
        .unwrap();
        mcu
    }

    pub(super) fn run(&mut self, mcu: &mut Mcu, command: Command) -> Result<Response, DeviceError> {
        mcu.execute(&mut self.ctx(), command)
    }

    pub(super) fn read(
        &mut self,
        mcu: &mut Mcu,
        addr: u32,
        len: u32,
    ) -> Result<Vec<u8>, PortError> {
        mcu.debug_read(&mut self.ctx(), addr, len)
    }

    /// Injects a key into slot 0 and returns it.
    pub(super) fn inject(&mut self, mcu: &mut Mcu) -> SecretKey {
        let (key, envelope) = self.sealed_key(mcu, 0);
        self.run(mcu, Command::InjectKey { slot: 0, envelope })
            .unwrap();
        key
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
    // The move to test, then the key.
    assert_eq!(mcu.persistent_writes(), 2);
}

#[test]
fn a_key_made_on_chip_stays_there_and_leaves_only_as_a_signed_request() {
    let mut bench = Bench::new();
    let mut blank = Mcu::new(bench.seed, 4, DeviceId::new(1, 1, 4));
    assert!(matches!(
        bench.run(&mut blank, Command::GenerateIdentity { slot: 0 }),
        Err(DeviceError::LifeCycle { .. })
    ));
    let mut mcu = bench.mcu(4);
    let Response::CertificateRequest {
        slot,
        public_key,
        der,
    } = bench
        .run(&mut mcu, Command::GenerateIdentity { slot: 0 })
        .unwrap()
    else {
        panic!("expected a certificate request");
    };
    assert_eq!(slot, 0);
    // Ground truth re-derives the key from the chip's keygen stream alone.
    let expected = bench
        .crypto
        .generate_key(&mut on_chip_key_stream(bench.seed, 4));
    assert_eq!(&public_key, expected.public_key());
    // The request carries the public key, never the private one.
    let secret = expected.expose_secret_bytes();
    assert!(!der.windows(32).any(|w| w == secret));
    let spki = public_key.spki_der();
    assert!(der.windows(spki.len()).any(|w| w == spki));

    let dump = bench.read(&mut mcu, KEYSTORE_BASE, KEYSTORE_SIZE).unwrap();
    let slots = parse_slots(&dump);
    assert_eq!(slots.len(), 1);
    assert_eq!(slots[0].data, secret);
    assert_eq!(
        bench.run(&mut mcu, Command::GenerateIdentity { slot: 0 }),
        Err(DeviceError::SlotOccupied(0))
    );
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
    assert_eq!(first.persistent_writes() + second.persistent_writes(), 2);
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
    let lock = Command::BlowFuse {
        fuse: Fuse::DebugLock,
    };
    assert_eq!(
        mcu.execute(&mut bench.ctx(), lock.clone()).unwrap(),
        Response::FuseBlown(Fuse::DebugLock)
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
        mcu.execute(&mut bench.ctx(), lock),
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
    assert_eq!(
        fused,
        provsim_sim::crypto::Sha256::digest(&fw_key.public_key().spki_der())
    );
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

#[test]
fn rdp_1_keeps_flash_from_the_debugger_and_regression_erases_everything() {
    let mut bench = Bench::new();
    let mut mcu = bench.mcu(0);
    let key = bench.inject(&mut mcu);
    bench
        .run(&mut mcu, Command::SetReadoutProtection { level: 1 })
        .unwrap();
    assert_eq!(
        bench.read(&mut mcu, KEYSTORE_BASE, KEYSTORE_SIZE),
        Err(PortError::ReadProtected {
            addr: KEYSTORE_BASE
        })
    );
    assert!(bench.read(&mut mcu, OTP_BASE, 4).is_err());
    // The port still answers: option bytes and the protocol's harmless commands.
    assert_eq!(bench.read(&mut mcu, OPTIONS_BASE, 1).unwrap(), [0xbb]);
    assert!(bench.run(&mut mcu, Command::GetInfo).is_ok());
    assert_eq!(
        bench.run(&mut mcu, Command::WriteCertificate { der: vec![1, 2, 3] }),
        Err(DeviceError::ProgrammingProtected)
    );

    bench
        .run(&mut mcu, Command::SetReadoutProtection { level: 0 })
        .unwrap();
    let dump = bench.read(&mut mcu, FLASH_BASE, FLASH_SIZE).unwrap();
    assert!(
        dump.iter().all(|&b| b == 0xff),
        "regression must mass-erase"
    );
    let secret = key.expose_secret_bytes();
    assert!(!dump.windows(32).any(|w| w == secret));
}

#[test]
fn rdp_2_is_final() {
    let mut bench = Bench::new();
    let mut mcu = bench.mcu(0);
    bench.inject(&mut mcu);
    bench
        .run(&mut mcu, Command::SetReadoutProtection { level: 2 })
        .unwrap();
    assert_eq!(
        bench.read(&mut mcu, OPTIONS_BASE, 1),
        Err(PortError::Disabled)
    );
    for level in 0..=2 {
        assert_eq!(
            bench.run(&mut mcu, Command::SetReadoutProtection { level }),
            Err(DeviceError::Port(PortError::Disabled))
        );
    }
    // Even the chip's own option-byte logic refuses, were the port to be glitched open.
    mcu.arm_fault(FaultPoint::DebugAccess);
    assert_eq!(
        bench.run(&mut mcu, Command::SetReadoutProtection { level: 0 }),
        Err(DeviceError::OptionsFrozen)
    );
    assert_eq!(mcu.option_bytes().rdp, Rdp::Level2);
}

#[test]
fn the_secure_region_hides_the_key_store_but_not_the_rest() {
    let mut bench = Bench::new();
    let mut mcu = bench.mcu(0);
    bench.inject(&mut mcu);
    bench.run(&mut mcu, Command::EnableSecureRegion).unwrap();
    assert_eq!(
        bench.read(&mut mcu, KEYSTORE_BASE, 16),
        Err(PortError::SecureRegion {
            addr: KEYSTORE_BASE
        })
    );
    // A read that only straddles into the region is refused too.
    assert!(bench.read(&mut mcu, KEYSTORE_BASE - 4, 8).is_err());
    assert!(bench.read(&mut mcu, KEYSTORE_BASE - 4, 4).is_ok());
    assert!(mcu.option_bytes().secure_region);
}

#[test]
fn gated_transitions_need_the_token_whose_hash_is_fused() {
    let mut bench = Bench::new();
    let mut mcu = bench.mcu(0);
    let provisioned = |token: Option<&[u8]>| Command::Transition {
        to: LifeCycle::Provisioned,
        token: token.map(<[u8]>::to_vec),
    };
    assert_eq!(
        bench.run(&mut mcu, provisioned(Some(b"anything"))),
        Err(DeviceError::TokenNotProvisioned(TokenKind::TestExit))
    );
    let hash = bench.crypto.sha256(b"exit-token");
    bench
        .run(
            &mut mcu,
            Command::WriteTokenHash {
                token: TokenKind::TestExit,
                hash,
            },
        )
        .unwrap();
    assert_eq!(
        bench.run(&mut mcu, provisioned(None)),
        Err(DeviceError::TokenRequired(TokenKind::TestExit))
    );
    assert_eq!(
        bench.run(&mut mcu, provisioned(Some(b"exit-tokeN"))),
        Err(DeviceError::TokenMismatch(TokenKind::TestExit))
    );
    // Only the hash is stored: the token itself appears nowhere in the fuses.
    let otp = bench.read(&mut mcu, OTP_BASE, OTP_SIZE).unwrap();
    assert!(!otp.windows(10).any(|w| w == b"exit-token"));
    bench
        .run(&mut mcu, provisioned(Some(b"exit-token")))
        .unwrap();
    assert_eq!(mcu.life_cycle(), LifeCycle::Provisioned);
    assert_eq!(
        bench.run(
            &mut mcu,
            Command::Transition {
                to: LifeCycle::Test,
                token: None
            }
        ),
        Err(DeviceError::Transition {
            from: LifeCycle::Provisioned,
            to: LifeCycle::Test
        })
    );
    let (_, envelope) = bench.sealed_key(&mut mcu, 1);
    assert_eq!(
        bench.run(&mut mcu, Command::InjectKey { slot: 1, envelope }),
        Err(DeviceError::LifeCycle {
            state: LifeCycle::Provisioned,
            action: "key injection"
        })
    );
}

#[test]
fn rma_wipes_the_key_store_before_it_reopens_the_port() {
    let mut bench = Bench::new();
    let mut mcu = bench.mcu(0);
    let key = bench.inject(&mut mcu);
    for (token, value) in [
        (TokenKind::TestExit, &b"exit"[..]),
        (TokenKind::Rma, b"rma"),
    ] {
        let hash = bench.crypto.sha256(value);
        bench
            .run(&mut mcu, Command::WriteTokenHash { token, hash })
            .unwrap();
    }
    bench
        .run(
            &mut mcu,
            Command::Transition {
                to: LifeCycle::Provisioned,
                token: Some(b"exit".to_vec()),
            },
        )
        .unwrap();
    bench
        .run(&mut mcu, Command::SetReadoutProtection { level: 1 })
        .unwrap();
    assert!(bench.read(&mut mcu, KEYSTORE_BASE, KEYSTORE_SIZE).is_err());
    bench
        .run(
            &mut mcu,
            Command::Transition {
                to: LifeCycle::Rma,
                token: Some(b"rma".to_vec()),
            },
        )
        .unwrap();
    // RMA lets the analyst read flash again, and there is nothing left to read.
    let dump = bench.read(&mut mcu, KEYSTORE_BASE, KEYSTORE_SIZE).unwrap();
    assert!(dump.iter().all(|&b| b == 0xff));
    assert!(!dump.windows(32).any(|w| w == key.expose_secret_bytes()));
    let trace_order: Vec<_> = bench.trace.kinds().collect();
    let wiped = trace_order
        .iter()
        .rposition(|k| *k == "secrets-wiped")
        .unwrap();
    let moved = trace_order
        .iter()
        .rposition(|k| *k == "life-cycle")
        .unwrap();
    assert!(wiped < moved);
}

#[test]
fn scrapped_parts_answer_nothing() {
    let mut bench = Bench::new();
    let mut mcu = bench.mcu(0);
    let key = bench.inject(&mut mcu);
    bench
        .run(
            &mut mcu,
            Command::Transition {
                to: LifeCycle::Scrapped,
                token: None,
            },
        )
        .unwrap();
    assert_eq!(bench.read(&mut mcu, OTP_BASE, 4), Err(PortError::Scrapped));
    assert!(mcu.boot(&mut bench.ctx()).is_err());
    assert!(mcu.stage_update(&mut bench.ctx(), &[0; 64]).is_err());
    // And the key it held is gone from the silicon, not only out of reach.
    assert!(mcu.flash.is_erased(KEYSTORE_BASE, KEYSTORE_SIZE));
    let everything = mcu.flash.read(FLASH_BASE, FLASH_SIZE);
    assert!(
        !everything
            .windows(32)
            .any(|w| w == key.expose_secret_bytes())
    );
    assert!(mcu.transport.is_none());
}

/// An image of `counter` signed by `key`.
pub(super) fn signed_image(bench: &Bench, key: &SecretKey, counter: u32) -> Vec<u8> {
    let options = crate::image::SignOptions {
        security_counter: Some(counter),
        ..Default::default()
    };
    crate::image::sign(&bench.crypto, key, b"firmware", &options).unwrap()
}

#[test]
fn every_mcu_fault_point_guards_the_check_it_names() {
    let mut bench = Bench::new();
    let fw = bench.crypto.generate_key(&mut bench.seed.stream("test/fw"));

    // debug-access: a locked port answers once when the glitch lands, then never again.
    let mut mcu = bench.mcu(0);
    bench
        .run(
            &mut mcu,
            Command::BlowFuse {
                fuse: Fuse::DebugLock,
            },
        )
        .unwrap();
    assert_eq!(bench.read(&mut mcu, OTP_BASE, 4), Err(PortError::Locked));
    mcu.arm_fault(FaultPoint::DebugAccess);
    assert!(bench.read(&mut mcu, OTP_BASE, 4).is_ok());
    assert_eq!(bench.read(&mut mcu, OTP_BASE, 4), Err(PortError::Locked));
    assert_eq!(mcu.faults_fired(), [FaultPoint::DebugAccess]);

    // life-cycle-gate: an illegal transition goes through once.
    let mut mcu = bench.mcu(1);
    let field = Command::Transition {
        to: LifeCycle::Field,
        token: None,
    };
    assert!(bench.run(&mut mcu, field.clone()).is_err());
    mcu.arm_fault(FaultPoint::LifeCycleGate);
    bench.run(&mut mcu, field).unwrap();
    assert_eq!(
        mcu.life_cycle(),
        LifeCycle::Scrapped,
        "test|field is no valid pattern"
    );

    // rollback-counter: an older image boots once.
    let mut mcu = bench.mcu(2);
    for command in [
        Command::WriteFirmwareKey {
            sec1: fw.public_key().sec1().to_vec(),
        },
        Command::BlowFuse {
            fuse: Fuse::SecureBoot,
        },
        Command::WriteImage {
            image: signed_image(&bench, &fw, 5),
        },
    ] {
        bench.run(&mut mcu, command).unwrap();
    }
    mcu.boot(&mut bench.ctx()).unwrap();
    bench
        .run(
            &mut mcu,
            Command::WriteImage {
                image: signed_image(&bench, &fw, 2),
            },
        )
        .unwrap();
    assert_eq!(
        mcu.boot(&mut bench.ctx()),
        Err(BootError::Rollback { image: 2, fuses: 5 })
    );
    mcu.arm_fault(FaultPoint::RollbackCounter);
    assert_eq!(
        mcu.boot(&mut bench.ctx()).unwrap().security_counter,
        Some(2)
    );
    assert_eq!(mcu.rollback_counter(), 5, "fuses never go back");

    // root-key-hash: after a mass erase the fuses still name the first key, so a second
    // key written later is not trusted, unless the check is glitched.
    let mut mcu = bench.mcu(3);
    let other = bench
        .crypto
        .generate_key(&mut bench.seed.stream("test/other-fw"));
    for command in [
        Command::WriteFirmwareKey {
            sec1: fw.public_key().sec1().to_vec(),
        },
        Command::BlowFuse {
            fuse: Fuse::SecureBoot,
        },
        Command::SetReadoutProtection { level: 1 },
        Command::SetReadoutProtection { level: 0 },
        Command::WriteFirmwareKey {
            sec1: other.public_key().sec1().to_vec(),
        },
        Command::WriteImage {
            image: signed_image(&bench, &other, 1),
        },
    ] {
        bench.run(&mut mcu, command).unwrap();
    }
    assert_eq!(mcu.boot(&mut bench.ctx()), Err(BootError::NoRootOfTrust));
    mcu.arm_fault(FaultPoint::RootKeyHash);
    assert!(mcu.boot(&mut bench.ctx()).unwrap().verified);
    assert_eq!(mcu.boot(&mut bench.ctx()), Err(BootError::NoRootOfTrust));
}
