use crate::error::{DeviceError, PortError};
use provsim_sim::crypto::{Envelope, PublicKey};
use provsim_sim::{Ctx, Seed};
use std::fmt;

/// The kinds of chip provsim models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TargetKind {
    /// A stock microcontroller's own security features: debug lock fuse, OTP, flash.
    Mcu,
}

impl TargetKind {
    pub fn name(self) -> &'static str {
        match self {
            TargetKind::Mcu => "mcu",
        }
    }
}

/// A device's public, unique identifier, as written at wafer test and printed in its
/// certificate: product (16 bits), lot (16 bits), device number within the lot (32 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceId(pub u64);

impl DeviceId {
    pub fn new(product: u16, lot: u16, number: u32) -> Self {
        DeviceId((u64::from(product) << 48) | (u64::from(lot) << 32) | u64::from(number))
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// What a memory region holds, as the public data sheet describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionKind {
    /// Application code and data.
    Code,
    /// Stored certificates and public keys.
    Data,
    /// The key store: slots in the documented [`crate::keystore`] format.
    KeyStore,
    /// One-time-programmable fuses.
    Otp,
}

/// One entry of a target's memory map. The map is public (data-sheet) knowledge: an
/// attacker may know it without knowing anything secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryRegion {
    pub name: &'static str,
    pub base: u32,
    pub len: u32,
    pub kind: RegionKind,
}

/// Commands of the programming protocol a station speaks through the debug port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Identify the device and return its transport key for injection.
    GetInfo,
    /// Install a private key sealed to the device's transport key into a key-store slot.
    InjectKey { slot: u8, envelope: Envelope },
    /// Store the device certificate (DER).
    WriteCertificate { der: Vec<u8> },
    /// Store the firmware-verification public key (SEC1) and fuse its hash as the root
    /// of trust for secure boot.
    WriteFirmwareKey { sec1: Vec<u8> },
    /// Blow the debug-lock fuse. One-way.
    LockDebug,
}

/// What a device reports about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    pub device_id: DeviceId,
    pub kind: TargetKind,
    /// The ephemeral key (made on chip at power-up, never stored) that injected keys are
    /// sealed to, so they cross the station only encrypted.
    pub transport_key: PublicKey,
    pub debug_locked: bool,
}

/// A device's answer to a [`Command`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Info(DeviceInfo),
    /// The key was installed; the device reports the public key it computed from it, so
    /// the station can check that the right key arrived intact.
    KeyInstalled {
        slot: u8,
        public_key: PublicKey,
    },
    Written {
        bytes: usize,
    },
    DebugLocked,
}

/// What the line, attackers and claims can do to a chip: the surfaces they really reach.
///
/// Every persistent write a target performs (a fuse, a flash page) is counted and
/// recorded in the step's trace, so tests can cut power at any write.
pub trait Target {
    fn kind(&self) -> TargetKind;

    fn device_id(&self) -> DeviceId;

    /// The public memory map.
    fn memory_map(&self) -> &'static [MemoryRegion];

    /// Reads memory through the debug port (SWD/JTAG), as a programmer or an attacker
    /// with a probe on the pins would.
    fn debug_read(&mut self, ctx: &mut Ctx<'_>, addr: u32, len: u32) -> Result<Vec<u8>, PortError>;

    /// Runs one command of the programming protocol (reached through the debug port).
    fn execute(&mut self, ctx: &mut Ctx<'_>, command: Command) -> Result<Response, DeviceError>;

    /// Persistent writes (fuse and flash programming) so far.
    fn persistent_writes(&self) -> u64;
}

/// Builds device number `index` of a run, from the seed alone: the same arguments always
/// give the same chip, which is how attacks re-create the devices they target.
pub fn build_target(
    kind: TargetKind,
    seed: Seed,
    index: u64,
    device_id: DeviceId,
) -> Box<dyn Target> {
    match kind {
        TargetKind::Mcu => Box::new(crate::mcu::Mcu::new(seed, index, device_id)),
    }
}
