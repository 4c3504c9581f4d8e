//! `[[lock]]`: the station's lock sequence as written, or else the safe order derived
//! from `[mcu]` and `lock_debug`.

use super::locator::{Expected, Locator};
use super::mcu::{Boot, McuSection};
use crate::error::ScenarioError;
use provsim_devices::Fuse;
use provsim_provisioner::LockStep;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockSection {
    /// `"rdp"`, `"secure-region"` or `"fuse"`.
    pub step: Spanned<String>,
    /// For `rdp`: the level.
    pub level: Option<Spanned<u8>>,
    /// For `fuse`: `"debug-lock"` or `"secure-boot"`.
    pub fuse: Option<Spanned<String>>,
}

/// The station's lock sequence: the `[[lock]]` steps as written, or the safe order
/// derived from `[mcu]` and `lock_debug`.
pub fn lock_sequence(
    mcu: Option<&McuSection>,
    lock_debug: Option<&Spanned<bool>>,
    locks: Option<&Spanned<Vec<LockSection>>>,
    at: &Locator<'_>,
) -> Result<Vec<LockStep>, ScenarioError> {
    match locks {
        None => derived(mcu, lock_debug, at),
        Some(locks) => explicit(mcu, lock_debug, locks, at),
    }
}

/// The one safe order: fuses, then option bytes, then RDP, then the debug-lock fuse.
fn derived(
    mcu: Option<&McuSection>,
    lock_debug: Option<&Spanned<bool>>,
    at: &Locator<'_>,
) -> Result<Vec<LockStep>, ScenarioError> {
    let mut steps = Vec::new();
    let boot = mcu.and_then(|m| m.boot.as_ref()).map(|b| *b.get_ref());
    if boot != Some(Boot::Unverified) {
        steps.push(LockStep::Fuse(Fuse::SecureBoot));
    }
    if mcu
        .and_then(|m| m.secure_region.as_ref())
        .is_some_and(|s| *s.get_ref())
    {
        steps.push(LockStep::SecureRegion);
    }
    if let Some(rdp) = mcu.and_then(|m| m.rdp.as_ref()) {
        match *rdp.get_ref() {
            0 => {}
            level @ (1 | 2) => steps.push(LockStep::Rdp(level)),
            level => {
                return Err(at.at(
                    rdp,
                    format!("rdp {level} does not exist, expected 0, 1 or 2"),
                ));
            }
        }
    }
    if let Some(lock) = lock_debug.filter(|l| *l.get_ref()) {
        if let Some(LockStep::Rdp(level)) = steps.last() {
            // Each closes the debug port, and each shuts the other out: at RDP 1 or 2
            // the debugger can no longer blow fuses, and a blown lock fuse leaves no
            // port to set RDP through. A line must pick one.
            return Err(at.at(
                lock,
                format!(
                    "`lock_debug = true` cannot follow `rdp = {level}`: at RDP {level} the debugger \
                     can no longer blow the debug-lock fuse; choose one (rdp = 2 is the \
                     permanent lock), or give [[lock]] steps to see what each order does"
                ),
            ));
        }
        steps.push(LockStep::Fuse(Fuse::DebugLock));
    }
    Ok(steps)
}

/// The `[[lock]]` steps in the author's order. One way to say it: an explicit sequence
/// replaces the derived one whole, so the settings it derives from must be absent.
fn explicit(
    mcu: Option<&McuSection>,
    lock_debug: Option<&Spanned<bool>>,
    locks: &Spanned<Vec<LockSection>>,
    at: &Locator<'_>,
) -> Result<Vec<LockStep>, ScenarioError> {
    let derived_too = [
        mcu.and_then(|m| m.boot.as_ref()).map(Spanned::span),
        mcu.and_then(|m| m.rdp.as_ref()).map(Spanned::span),
        mcu.and_then(|m| m.secure_region.as_ref())
            .map(Spanned::span),
        lock_debug.filter(|l| *l.get_ref()).map(Spanned::span),
    ];
    if let Some(span) = derived_too.into_iter().flatten().next() {
        return Err(at.error(
            span,
            "[[lock]] steps give the whole lock sequence; remove this setting or the [[lock]] steps",
        ));
    }
    locks.get_ref().iter().map(|lock| step(lock, at)).collect()
}

/// One `[[lock]]` step, with exactly the settings its kind takes.
fn step(lock: &LockSection, at: &Locator<'_>) -> Result<LockStep, ScenarioError> {
    let step = match lock.step.get_ref().as_str() {
        "rdp" => {
            if let Some(fuse) = &lock.fuse {
                return Err(at.at(fuse, "an `rdp` step takes `level`, not `fuse`"));
            }
            let Some(level) = &lock.level else {
                return Err(at.at(&lock.step, "an `rdp` step needs `level` (0, 1 or 2)"));
            };
            if *level.get_ref() > 2 {
                return Err(at.at(
                    level,
                    format!("rdp {} does not exist, expected 0, 1 or 2", level.get_ref()),
                ));
            }
            LockStep::Rdp(*level.get_ref())
        }
        "fuse" => {
            if let Some(level) = &lock.level {
                return Err(at.at(level, "a `fuse` step takes `fuse`, not `level`"));
            }
            let Some(fuse) = &lock.fuse else {
                return Err(at.at(
                    &lock.step,
                    "a `fuse` step needs `fuse` (debug-lock or secure-boot)",
                ));
            };
            let Some(parsed) = Fuse::parse(fuse.get_ref()) else {
                return Err(at.unknown(fuse, "fuse", Expected::Words("debug-lock or secure-boot")));
            };
            LockStep::Fuse(parsed)
        }
        "secure-region" => {
            if let Some(extra) = lock
                .level
                .as_ref()
                .map(Spanned::span)
                .or(lock.fuse.as_ref().map(Spanned::span))
            {
                return Err(at.error(extra, "a `secure-region` step takes no other setting"));
            }
            LockStep::SecureRegion
        }
        _ => {
            return Err(at.unknown(
                &lock.step,
                "lock step",
                Expected::Words("rdp, secure-region or fuse"),
            ));
        }
    };
    Ok(step)
}
