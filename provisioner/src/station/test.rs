//! Testing: a part's test at each level, with one retest, and the functional test at
//! the end of the pass (the firmware boots, or a secure element's identity key answers
//! a challenge).

use crate::level::{Level, PERFECT_YIELD_PPM, Yields};
use crate::station::error::StationError;
use crate::station::pass::Pass;
use crate::station::timing;
use provsim_devices::Target;
use provsim_devices::first_connection::transcript;

/// A part's test at `level`: it fails with that level's defect rate, is retested
/// once, and is rejected if it fails again. Drawn from the device's own stream for
/// that level, so a part's fate does not depend on where the secrets go in.
pub(super) fn test_part(
    pass: &mut Pass<'_, '_, '_>,
    yields: &Yields,
    level: Level,
) -> Result<(), StationError> {
    let fail_ppm = u64::from(PERFECT_YIELD_PPM.saturating_sub(yields.at(level)));
    let mut outcomes = pass.streams.part_test(level);
    for attempt in 1..=2u32 {
        pass.step(timing::FINAL_TEST, "part-test");
        let passed = !outcomes.chance(fail_ppm, u64::from(PERFECT_YIELD_PPM));
        pass.audit(
            "tester",
            "part-tested",
            format!(
                "level={} attempt={attempt} result={}",
                level.name(),
                if passed { "pass" } else { "fail" }
            ),
        );
        if passed {
            return Ok(());
        }
    }
    Err(StationError::FailedTest {
        device: pass.device,
        level: level.name(),
    })
}

/// The functional test of a part that runs firmware: it boots, and what it started is
/// the line's firmware.
pub(super) fn boot_test(
    pass: &mut Pass<'_, '_, '_>,
    target: &mut dyn Target,
) -> Result<(), StationError> {
    let device = pass.device;
    pass.step(timing::BOOT, "boot");
    let running = target
        .boot(pass.ctx)
        .map_err(|source| StationError::BootFailed {
            device,
            reason: source.to_string(),
        })?;
    if running.hash != pass.site.firmware_hash {
        return Err(StationError::BootFailed {
            device,
            reason: "the chip started an image other than the line's firmware".to_owned(),
        });
    }
    pass.audit(
        "station",
        "functional-test-passed",
        format!("firmware={} verified={}", running.version, running.verified),
    );
    Ok(())
}

/// A secure element's functional test: its identity key answers a first-connection
/// challenge from the station's own test key, checked against the key the vault
/// certified.
pub(super) fn challenge_test(
    pass: &mut Pass<'_, '_, '_>,
    target: &mut dyn Target,
) -> Result<(), StationError> {
    let device = pass.device;
    pass.step(timing::BOOT, "functional-test");
    let mut stream = pass.streams.functional_test();
    let tester = pass.ctx.crypto.generate_key(&mut stream);
    let challenge: [u8; 32] = stream.bytes();
    let failed = |reason: String| StationError::BootFailed { device, reason };
    let (auth, _) = target
        .authenticate(pass.ctx, &challenge, tester.public_key())
        .map_err(|e| failed(e.to_string()))?;
    let identity = pass
        .identity
        .clone()
        .ok_or_else(|| failed("no identity key was made".to_owned()))?;
    let transcript = transcript(&challenge, tester.public_key(), &auth.ephemeral);
    pass.ctx
        .crypto
        .verify(&identity, &transcript, &auth.signature)
        .map_err(|_| failed("the identity key did not answer the challenge".to_owned()))?;
    pass.audit(
        "station",
        "functional-test-passed",
        "identity=answered".to_owned(),
    );
    Ok(())
}
