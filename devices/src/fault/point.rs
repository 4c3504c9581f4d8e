//! The named checks a glitch can be aimed at, and the gate every check passes through.

use std::fmt;

/// A check a target makes that a well-placed glitch could skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FaultPoint {
    /// The image header's magic number.
    ImageMagic,
    /// Header sizes and TLV areas lie inside the slot.
    ImageBounds,
    /// The SHA-256 TLV equals the hash of header, body and protected TLVs.
    ImageHash,
    /// The stored firmware-verification key hashes to the root of trust in fuses.
    RootKeyHash,
    /// The image's key-hash TLV names the root-of-trust key.
    ImageKeyHash,
    /// The ECDSA signature TLV verifies under that key.
    ImageSignature,
    /// The image's security counter is not below the anti-rollback fuses.
    RollbackCounter,
    /// The debug-lock fuse and readout protection are consulted on a debug access.
    DebugAccess,
    /// The life-cycle state permits a command or transition.
    LifeCycleGate,
    /// A secure element's access rule for an APDU (PIN, secure channel, never).
    ApduAccess,
    /// One step of an ASIC's key ladder: a skipped step leaves the register as it was.
    KeyLadderStep,
}

impl FaultPoint {
    pub const ALL: [FaultPoint; 11] = [
        FaultPoint::ImageMagic,
        FaultPoint::ImageBounds,
        FaultPoint::ImageHash,
        FaultPoint::RootKeyHash,
        FaultPoint::ImageKeyHash,
        FaultPoint::ImageSignature,
        FaultPoint::RollbackCounter,
        FaultPoint::DebugAccess,
        FaultPoint::LifeCycleGate,
        FaultPoint::ApduAccess,
        FaultPoint::KeyLadderStep,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FaultPoint::ImageMagic => "image-magic",
            FaultPoint::ImageBounds => "image-bounds",
            FaultPoint::ImageHash => "image-hash",
            FaultPoint::RootKeyHash => "root-key-hash",
            FaultPoint::ImageKeyHash => "image-key-hash",
            FaultPoint::ImageSignature => "image-signature",
            FaultPoint::RollbackCounter => "rollback-counter",
            FaultPoint::DebugAccess => "debug-access",
            FaultPoint::LifeCycleGate => "life-cycle-gate",
            FaultPoint::ApduAccess => "apdu-access",
            FaultPoint::KeyLadderStep => "key-ladder-step",
        }
    }
}

impl fmt::Display for FaultPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a check's outcome is decided. `holds` is what the check computed; the gate
/// returns what the silicon acts on.
pub trait FaultGate {
    fn check(&mut self, at: FaultPoint, holds: bool) -> bool;
}

/// A chip nobody is glitching: every check acts on what it computed.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFaults;

impl FaultGate for NoFaults {
    fn check(&mut self, _at: FaultPoint, holds: bool) -> bool {
        holds
    }
}
