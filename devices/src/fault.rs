//! Named fault points: every security decision a chip's ROM or hardware makes passes
//! through one, so a fault-injection attack can be aimed at a single check.
//!
//! The physical fault model (what a glitch costs, how often it lands, what
//! countermeasures catch) belongs to the fault model; here the points are named and
//! every check is routed through a [`FaultGate`], so the model can later make exactly
//! one of them misbehave without touching the code that makes the decision.

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
}

impl FaultPoint {
    pub const ALL: [FaultPoint; 9] = [
        FaultPoint::ImageMagic,
        FaultPoint::ImageBounds,
        FaultPoint::ImageHash,
        FaultPoint::RootKeyHash,
        FaultPoint::ImageKeyHash,
        FaultPoint::ImageSignature,
        FaultPoint::RollbackCounter,
        FaultPoint::DebugAccess,
        FaultPoint::LifeCycleGate,
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

/// Faults armed on purpose: each listed point, the next time it is reached, acts as if
/// its check held. Used by tests to show a point really guards what it names, and by
/// the fault model to apply a glitch that landed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArmedFaults {
    armed: Vec<FaultPoint>,
    fired: Vec<FaultPoint>,
}

impl ArmedFaults {
    pub fn arm(&mut self, at: FaultPoint) {
        self.armed.push(at);
    }

    /// The points whose glitch took effect, in order.
    pub fn fired(&self) -> &[FaultPoint] {
        &self.fired
    }
}

impl FaultGate for ArmedFaults {
    fn check(&mut self, at: FaultPoint, holds: bool) -> bool {
        if holds {
            return true;
        }
        match self.armed.iter().position(|&p| p == at) {
            Some(i) => {
                self.armed.remove(i);
                self.fired.push(at);
                true
            }
            None => false,
        }
    }
}
