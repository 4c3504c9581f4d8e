//! The boot ROM, MCUboot-style in overwrite-only mode: at power-on it judges a staged
//! update in the secondary slot (installing it over the primary slot only if it passes),
//! then checks the primary image and starts it.
//!
//! With the secure-boot fuse blown an image must carry a SHA-256 that matches, a key
//! hash naming the root of trust in fuses, an ECDSA P-256 signature by that key, and a
//! security counter not below the anti-rollback fuses, which a higher counter advances.
//! Without the fuse the ROM starts whatever has a valid header: the unlocked part a
//! development board is.

use super::chip::Mcu;
use super::layout::*;
use crate::error::BootError;
use crate::fault::FaultPoint;
use crate::image::{self, VerifiedImage};
use crate::life_cycle::LifeCycle;
use crate::target::{RunningImage, Target};
use crate::weakness::Weakness;
use provsim_sim::crypto::PublicKey;
use provsim_sim::{Ctx, Field};

pub(super) fn run(mcu: &mut Mcu, ctx: &mut Ctx<'_>) -> Result<RunningImage, BootError> {
    let state = mcu.life_cycle();
    let boots = !matches!(state, LifeCycle::Blank | LifeCycle::Scrapped);
    if !mcu.check(FaultPoint::LifeCycleGate, boots) {
        return Err(BootError::LifeCycle(state));
    }
    if mcu.otp.is_blown(OTP_SECURE_BOOT_BIT) {
        verified_boot(mcu, ctx)
    } else {
        unverified_boot(mcu, ctx)
    }
}

fn slot(mcu: &Mcu, base: u32) -> Vec<u8> {
    mcu.flash.read(base, SLOT_SIZE_BYTES)
}

fn staged(mcu: &Mcu) -> bool {
    !mcu.flash.is_erased(SECONDARY_BASE, 4)
}

/// Copies the staged image over the primary slot and clears the secondary slot.
fn install(mcu: &mut Mcu, ctx: &mut Ctx<'_>, image: &[u8]) -> Result<(), BootError> {
    mcu.write_slot(ctx, PRIMARY_BASE, image)
        .map_err(|_| BootError::Empty)?;
    mcu.erase(ctx, SECONDARY_BASE, SLOT_SIZE_BYTES);
    ctx.record(
        "update-installed",
        &[("len", Field::U64(image.len() as u64))],
    );
    Ok(())
}

fn unverified_boot(mcu: &mut Mcu, ctx: &mut Ctx<'_>) -> Result<RunningImage, BootError> {
    let mut update_refused = None;
    if staged(mcu) {
        let secondary = slot(mcu, SECONDARY_BASE);
        match image::parse(&secondary, &mut mcu.faults).map(|parsed| parsed.len) {
            Ok(len) => install(mcu, ctx, &secondary[..len])?,
            Err(error) => {
                update_refused = Some(error.to_string());
                mcu.erase(ctx, SECONDARY_BASE, SLOT_SIZE_BYTES);
            }
        }
    }
    if mcu.flash.is_erased(PRIMARY_BASE, 4) {
        return Err(BootError::Empty);
    }
    let primary = slot(mcu, PRIMARY_BASE);
    let parsed = image::parse(&primary, &mut mcu.faults)?;
    Ok(RunningImage {
        hash: ctx.crypto.sha256(parsed.signed_region),
        version: parsed.header.version.to_string(),
        security_counter: parsed.security_counter(),
        verified: false,
        update_refused,
    })
}

/// The firmware key, if it is stored and hashes to the root of trust in fuses.
fn root_key(mcu: &mut Mcu, ctx: &mut Ctx<'_>) -> Result<PublicKey, BootError> {
    let fused = mcu.otp.read(OTP_ROT_HASH_OFFSET as usize, 32);
    let stored = mcu
        .read_record(FW_KEY_BASE, FW_KEY_SIZE)
        .and_then(|sec1| PublicKey::from_sec1(&sec1).ok());
    let matches = match &stored {
        Some(key) => {
            fused.iter().any(|&b| b != 0) && ctx.crypto.sha256(&key.spki_der())[..] == fused[..]
        }
        None => false,
    };
    if !mcu.check(FaultPoint::RootKeyHash, matches) {
        return Err(BootError::NoRootOfTrust);
    }
    stored.ok_or(BootError::NoRootOfTrust)
}

/// Verifies an image and checks its security counter against the fuses.
fn judge(
    mcu: &mut Mcu,
    ctx: &mut Ctx<'_>,
    bytes: &[u8],
    key: &PublicKey,
) -> Result<VerifiedImage, BootError> {
    let verified = image::verify(ctx.crypto, bytes, key, &mut mcu.faults)?;
    let counter = verified.security_counter.unwrap_or(0);
    let fuses = mcu.rollback_counter();
    let current = counter >= fuses || mcu.weak(Weakness::NoRollbackCheck);
    if !mcu.check(FaultPoint::RollbackCounter, current) {
        return Err(BootError::Rollback {
            image: counter,
            fuses,
        });
    }
    if counter > COUNTER_CAPACITY {
        return Err(BootError::CounterExhausted {
            image: counter,
            capacity: COUNTER_CAPACITY,
        });
    }
    Ok(verified)
}

/// Blows anti-rollback fuses until they count `counter`.
fn advance_counter(mcu: &mut Mcu, ctx: &mut Ctx<'_>, counter: u32) {
    let current = mcu.rollback_counter();
    if counter <= current {
        return;
    }
    let mut bits = vec![0u8; OTP_COUNTER_BYTES as usize];
    for bit in 0..counter as usize {
        bits[bit / 8] |= 1 << (bit % 8);
    }
    mcu.program_otp(ctx, OTP_COUNTER_OFFSET, &bits);
    ctx.record(
        "rollback-counter",
        &[
            ("from", Field::U64(current.into())),
            ("to", Field::U64(counter.into())),
        ],
    );
}

fn verified_boot(mcu: &mut Mcu, ctx: &mut Ctx<'_>) -> Result<RunningImage, BootError> {
    let key = root_key(mcu, ctx)?;
    let mut update_refused = None;
    if staged(mcu) {
        let secondary = slot(mcu, SECONDARY_BASE);
        match judge(mcu, ctx, &secondary, &key) {
            Ok(verified) => install(mcu, ctx, &secondary[..verified.total_len])?,
            Err(error) => {
                ctx.record(
                    "update-refused",
                    &[("reason", Field::Str(&error.to_string()))],
                );
                update_refused = Some(error.to_string());
                mcu.erase(ctx, SECONDARY_BASE, SLOT_SIZE_BYTES);
            }
        }
    }
    if mcu.flash.is_erased(PRIMARY_BASE, 4) {
        return Err(BootError::Empty);
    }
    let primary = slot(mcu, PRIMARY_BASE);
    let verified = judge(mcu, ctx, &primary, &key)?;
    let counter = verified.security_counter.unwrap_or(0);
    advance_counter(mcu, ctx, counter);
    Ok(RunningImage {
        hash: verified.hash,
        version: verified.version.to_string(),
        security_counter: verified.security_counter,
        verified: true,
        update_refused,
    })
}
