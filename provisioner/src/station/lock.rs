//! Locking: the chip's life cycle on the station. A blank chip goes into manufacturing
//! test with the hashes of its life-cycle tokens fused; once provisioned it leaves test
//! (or, a secure element, closes personalisation) and the configured lock sequence runs,
//! each step shown to the pass's observer.

use crate::station::config::{LockStep, StationConfig};
use crate::station::error::StationError;
use crate::station::observer::{LockStage, PassObserver};
use crate::station::pass::Pass;
use crate::station::timing;
use provsim_devices::{Command, Fuse, LifeCycle, PortError, Target, TokenKind};

/// Moves a blank chip into manufacturing test and fuses its token hashes.
pub(super) fn enter_test(
    pass: &mut Pass<'_, '_, '_>,
    target: &mut dyn Target,
    state: LifeCycle,
) -> Result<(), StationError> {
    if state == LifeCycle::Blank {
        pass.step(timing::TEST_ENTRY, "enter-test");
        pass.command(
            target,
            "enter test",
            Command::Transition {
                to: LifeCycle::Test,
                token: None,
            },
        )?;
    }
    if !target.kind().runs_firmware() {
        // A secure element has no life-cycle tokens: it is closed, not exited, and
        // a returned one is terminated, not reopened.
        return Ok(());
    }
    pass.step(timing::TOKENS, "token-hashes");
    for kind in [TokenKind::TestExit, TokenKind::Rma] {
        let hash = pass.ctx.crypto.sha256(&pass.streams.life_cycle_token(kind));
        pass.command(
            target,
            "write token hash",
            Command::WriteTokenHash { token: kind, hash },
        )?;
    }
    pass.audit(
        "station",
        "life-cycle-tokens-fused",
        "tokens=test-exit,rma".to_owned(),
    );
    Ok(())
}

/// Writes the firmware, leaves test with the test-exit token, and runs the lock
/// sequence, checking a debug lock that took really shut the port.
pub(super) fn leave_test_and_lock(
    pass: &mut Pass<'_, '_, '_>,
    config: &StationConfig,
    target: &mut dyn Target,
    observer: &mut dyn PassObserver,
) -> Result<(), StationError> {
    let device = pass.device;
    pass.step(timing::WRITE_IMAGE, "write-image");
    let image = pass.site.firmware_image.clone();
    pass.command(
        target,
        "write firmware image",
        Command::WriteImage { image },
    )?;

    pass.step(timing::TEST_EXIT, "test-exit");
    let token = pass.streams.life_cycle_token(TokenKind::TestExit);
    pass.command(
        target,
        "leave test",
        Command::Transition {
            to: LifeCycle::Provisioned,
            token: Some(token.to_vec()),
        },
    )?;
    pass.audit("station", "life-cycle", "state=provisioned".to_owned());

    observer.observe(LockStage::BeforeLocks, target);
    let debug_locked = run_lock_steps(pass, config, target, observer)?;
    if debug_locked {
        pass.step(timing::VERIFY_LOCK, "verify-lock");
        // Probe a mapped address: anything but a refusal means the fuse did not hold.
        let probe = target.memory_map().first().map_or(0, |region| region.base);
        if target.debug_read(pass.ctx, probe, 4) != Err(PortError::Locked) {
            return Err(StationError::LockNotEffective { device });
        }
    }
    Ok(())
}

/// Runs the lock steps in order, each audited and shown to `observer`; a refused step
/// rejects the device unless the sequence is a what-if. Says whether the debug lock
/// took.
fn run_lock_steps(
    pass: &mut Pass<'_, '_, '_>,
    config: &StationConfig,
    target: &mut dyn Target,
    observer: &mut dyn PassObserver,
) -> Result<bool, StationError> {
    let mut debug_locked = false;
    for &step in &config.lock_steps {
        pass.step(timing::LOCK, "lock-step");
        let refused = target
            .execute(pass.ctx, step.command())
            .err()
            .map(|e| e.to_string());
        let outcome = match &refused {
            None => "applied".to_owned(),
            Some(reason) => format!("refused:{}", reason.replace(' ', "_")),
        };
        pass.audit(
            "station",
            "lock-step",
            format!(
                "step={} result={outcome}",
                step.to_string().replace(' ', "_")
            ),
        );
        observer.observe(
            LockStage::AfterStep {
                step,
                refused: refused.as_deref(),
            },
            target,
        );
        debug_locked |= refused.is_none() && step == LockStep::Fuse(Fuse::DebugLock);
        if let Some(reason) = refused.filter(|_| !config.what_if) {
            return Err(StationError::LockRefused {
                device: pass.device,
                step,
                reason,
            });
        }
    }
    Ok(debug_locked)
}

/// A secure element's personalisation is closed, which makes its objects operational:
/// its end of the life cycle on the station.
pub(super) fn close_personalisation(
    pass: &mut Pass<'_, '_, '_>,
    target: &mut dyn Target,
    observer: &mut dyn PassObserver,
) -> Result<(), StationError> {
    pass.step(timing::TEST_EXIT, "close-personalisation");
    pass.command(
        target,
        "close personalisation",
        Command::Transition {
            to: LifeCycle::Provisioned,
            token: None,
        },
    )?;
    pass.audit("station", "life-cycle", "state=provisioned".to_owned());
    observer.observe(LockStage::BeforeLocks, target);
    Ok(())
}
