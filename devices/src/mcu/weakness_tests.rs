//! Every weakness as a pair: the same steps on a part with the protection and on one
//! built without it. The sound part refuses; the weak one lets the attacker through.

use super::chip::Mcu;
use super::layout::*;
use super::tests::{Bench, signed_image};
use crate::error::{BootError, DeviceError, PortError};
use crate::life_cycle::{LifeCycle, TokenKind};
use crate::target::{Command, Fuse, Target};
use crate::weakness::{Weakness, Weaknesses};

/// Part `index` from the fab, with `weakness` left out when `weak`.
fn part(bench: &mut Bench, index: u64, weakness: Weakness, weak: bool) -> Mcu {
    let mcu = bench.mcu(index);
    if weak {
        mcu.with_weaknesses(Weaknesses::new([weakness]))
    } else {
        mcu
    }
}

/// Whether the key store, read over the debug port, holds the injected key.
fn key_readable(bench: &mut Bench, mcu: &mut Mcu, secret: &[u8]) -> Result<bool, PortError> {
    let dump = bench.read(mcu, KEYSTORE_BASE, KEYSTORE_SIZE)?;
    Ok(dump.windows(secret.len()).any(|w| w == secret))
}

#[test]
fn debug_lock_ignored_opens_a_locked_port() {
    for weak in [false, true] {
        let mut bench = Bench::new();
        let mut mcu = part(&mut bench, 0, Weakness::DebugLockIgnored, weak);
        let key = bench.inject(&mut mcu);
        let lock = Command::BlowFuse {
            fuse: Fuse::DebugLock,
        };
        bench.run(&mut mcu, lock).unwrap();
        let read = key_readable(&mut bench, &mut mcu, &key.expose_secret_bytes());
        if weak {
            assert_eq!(read, Ok(true));
        } else {
            assert_eq!(read, Err(PortError::Locked));
        }
    }
}

#[test]
fn no_secure_region_gives_the_key_store_to_the_port() {
    for weak in [false, true] {
        let mut bench = Bench::new();
        let mut mcu = part(&mut bench, 0, Weakness::NoSecureRegion, weak);
        let key = bench.inject(&mut mcu);
        bench.run(&mut mcu, Command::EnableSecureRegion).unwrap();
        let read = key_readable(&mut bench, &mut mcu, &key.expose_secret_bytes());
        if weak {
            assert_eq!(read, Ok(true));
        } else {
            assert_eq!(
                read,
                Err(PortError::SecureRegion {
                    addr: KEYSTORE_BASE
                })
            );
        }
    }
}

#[test]
fn no_rdp_regression_erase_keeps_the_key_through_a_regression() {
    for weak in [false, true] {
        let mut bench = Bench::new();
        let mut mcu = part(&mut bench, 0, Weakness::NoRdpRegressionErase, weak);
        let key = bench.inject(&mut mcu);
        for level in [1, 0] {
            bench
                .run(&mut mcu, Command::SetReadoutProtection { level })
                .unwrap();
        }
        let read = key_readable(&mut bench, &mut mcu, &key.expose_secret_bytes());
        assert_eq!(read, Ok(weak), "weak: {weak}");
    }
}

#[test]
fn no_life_cycle_token_check_takes_any_token() {
    for weak in [false, true] {
        let mut bench = Bench::new();
        let mut mcu = part(&mut bench, 0, Weakness::NoLifeCycleTokenCheck, weak);
        let hash = bench.crypto.sha256(b"exit-token");
        let write = Command::WriteTokenHash {
            token: TokenKind::TestExit,
            hash,
        };
        bench.run(&mut mcu, write).unwrap();
        let wrong = Command::Transition {
            to: LifeCycle::Provisioned,
            token: Some(b"guessed".to_vec()),
        };
        let result = bench.run(&mut mcu, wrong);
        if weak {
            assert!(result.is_ok(), "{result:?}");
            assert_eq!(mcu.life_cycle(), LifeCycle::Provisioned);
        } else {
            assert_eq!(result, Err(DeviceError::TokenMismatch(TokenKind::TestExit)));
        }
    }
}

#[test]
fn no_rollback_check_boots_an_older_image() {
    for weak in [false, true] {
        let mut bench = Bench::new();
        let fw = bench.crypto.generate_key(&mut bench.seed.stream("test/fw"));
        let mut mcu = part(&mut bench, 0, Weakness::NoRollbackCheck, weak);
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
        let older = Command::WriteImage {
            image: signed_image(&bench, &fw, 2),
        };
        bench.run(&mut mcu, older).unwrap();
        let booted = mcu.boot(&mut bench.ctx());
        if weak {
            assert_eq!(booted.unwrap().security_counter, Some(2));
        } else {
            assert_eq!(booted, Err(BootError::Rollback { image: 2, fuses: 5 }));
        }
        assert_eq!(mcu.rollback_counter(), 5, "fuses never go back");
    }
}
