//! What the station is told to do: the lock sequence it runs once a device is
//! provisioned, and what a refused step means.

use provsim_devices::{Command, Fuse};

/// One step of the lock sequence the station runs after provisioning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockStep {
    /// Set readout protection to this level.
    Rdp(u8),
    /// Hide the key store from everything but the boot ROM.
    SecureRegion,
    /// Blow a one-time fuse.
    Fuse(Fuse),
}

impl LockStep {
    pub(crate) fn command(self) -> Command {
        match self {
            LockStep::Rdp(level) => Command::SetReadoutProtection { level },
            LockStep::SecureRegion => Command::EnableSecureRegion,
            LockStep::Fuse(fuse) => Command::BlowFuse { fuse },
        }
    }
}

impl std::fmt::Display for LockStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockStep::Rdp(level) => write!(f, "rdp {level}"),
            LockStep::SecureRegion => f.write_str("secure-region"),
            LockStep::Fuse(fuse) => write!(f, "fuse {}", fuse.name()),
        }
    }
}

/// What the station is told to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationConfig {
    /// The lock steps, in order, run once the device is provisioned.
    pub lock_steps: Vec<LockStep>,
    /// What a step the chip refuses means. `false` (a line's own configuration): the
    /// device is rejected, as a real line stops a part whose lock did not take. `true`
    /// (a what-if sequence): the refusal is recorded and the sequence goes on, so the
    /// report shows what it leaves open. Either way a chip that then fails to boot its
    /// firmware fails the functional test and is rejected.
    pub what_if: bool,
}

impl StationConfig {
    /// Secure boot on, and the debug-lock fuse blown last when `lock_debug`: the
    /// sequence a scenario without `[mcu]` or `[[lock]]` gets.
    pub fn secure_boot_then(lock_debug: bool) -> Self {
        let mut lock_steps = vec![LockStep::Fuse(Fuse::SecureBoot)];
        if lock_debug {
            lock_steps.push(LockStep::Fuse(Fuse::DebugLock));
        }
        StationConfig {
            lock_steps,
            what_if: false,
        }
    }
}
