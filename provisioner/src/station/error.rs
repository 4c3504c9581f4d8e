//! Why a station could not finish a device.

use crate::pki::error::PkiError;
use crate::station::config::LockStep;
use crate::vault::error::HsmError;
use provsim_devices::{DeviceError, DeviceId};

/// Why a station could not finish a device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StationError {
    #[error("device {device}: {step} failed: {source}")]
    Device {
        device: DeviceId,
        step: &'static str,
        source: DeviceError,
    },
    #[error("device {device}: {step}: unexpected answer {answer}")]
    UnexpectedResponse {
        device: DeviceId,
        step: &'static str,
        answer: String,
    },
    #[error("device {device}: installed key does not match the key the HSM made")]
    KeyMismatch { device: DeviceId },
    #[error("device {device}: debug port still answers after the lock fuse was blown")]
    LockNotEffective { device: DeviceId },
    #[error("device {device}: lock step `{step}` refused: {reason}")]
    LockRefused {
        device: DeviceId,
        step: LockStep,
        reason: String,
    },
    #[error("device {device}: failed the {level} test and its retest")]
    FailedTest {
        device: DeviceId,
        level: &'static str,
    },
    #[error("device {device}: functional test failed: {reason}")]
    BootFailed { device: DeviceId, reason: String },
    #[error(
        "device {device}: the vault's answer never arrived ({handshakes} handshakes, {requests} requests)"
    )]
    LinkFailed {
        device: DeviceId,
        handshakes: u32,
        requests: u32,
    },
    #[error("device {device}: the part is not a genuine die: {reason}")]
    PartNotGenuine { device: DeviceId, reason: String },
    #[error("device {device}: the vault refused the request: {reason}")]
    VaultRefused { device: DeviceId, reason: String },
    #[error(transparent)]
    Hsm(#[from] HsmError),
    #[error(transparent)]
    Pki(#[from] PkiError),
}
