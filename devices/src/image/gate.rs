//! The one way a security decision is made here: computed, then handed to the
//! [`FaultGate`], which decides what the silicon acts on. Keeping it in one function
//! means no check can forget the gate or the reason it failed.

use super::error::ImageError;
use crate::fault::{FaultGate, FaultPoint};

/// Routes one security decision through `gate`: `verdict` is what the check
/// computed, with the reason if it failed. A gate that fails a check which held (a
/// fault that breaks rather than bypasses) gets [`ImageError::FaultInjected`].
pub(super) fn enforce(
    gate: &mut dyn FaultGate,
    at: FaultPoint,
    verdict: Result<(), ImageError>,
) -> Result<(), ImageError> {
    if gate.check(at, verdict.is_ok()) {
        Ok(())
    } else {
        Err(verdict.err().unwrap_or(ImageError::FaultInjected { at }))
    }
}
