use provsim_devices::{DeviceError, DeviceId};
use provsim_sim::KernelError;

/// Why the HSM refused an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HsmError {
    #[error("no key with handle {0}")]
    NoSuchKey(u32),
    #[error("{presented} share(s) presented do not rebuild the key (threshold {threshold})")]
    QuorumNotMet { presented: usize, threshold: u8 },
    #[error("key {handle} is a {usage} key and its policy forbids {operation}")]
    PolicyForbids {
        handle: u32,
        usage: &'static str,
        operation: &'static str,
    },
    #[error("the device's certificate request was refused: {0}")]
    Request(#[from] crate::csr::CsrError),
    #[error("the vault refuses {operation}: {policy}")]
    Refused {
        operation: &'static str,
        policy: &'static str,
    },
}

/// Why a certificate could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PkiError {
    #[error(transparent)]
    Hsm(#[from] HsmError),
    #[error("certificate encoding failed: {0}")]
    Encoding(String),
}

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
        step: crate::station::LockStep,
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
    #[error("device {device}: the vault refused the request: {reason}")]
    VaultRefused { device: DeviceId, reason: String },
    #[error(transparent)]
    Hsm(#[from] HsmError),
    #[error(transparent)]
    Pki(#[from] PkiError),
}

/// Why the line stopped.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error(transparent)]
    Kernel(#[from] KernelError),
    #[error("establishing the site: {0}")]
    Establish(#[from] PkiError),
    #[error(transparent)]
    Hsm(#[from] HsmError),
    #[error(transparent)]
    Station(#[from] StationError),
    #[error("building the firmware image: {0}")]
    Firmware(#[from] provsim_devices::image::ImageError),
    #[error("writing the line's output: {0}")]
    Sink(#[from] std::io::Error),
    #[error("device index {index} is not in any lot of this run")]
    NoSuchDevice { index: u64 },
    #[error("the replay of device {index} never made a key, so there is no moment to copy")]
    NoKeyInFlight { index: u64 },
    #[error("the line's configuration cannot run: {0}")]
    Config(String),
    #[error("writing a manifest entry: {0}")]
    Manifest(#[from] crate::manifest::ManifestError),
}
