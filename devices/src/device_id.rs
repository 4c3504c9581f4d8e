//! A device's public identifier. Its own room, below everything that names a device
//! (the target interface, the die's certificate), so none of them has to import the
//! other.

use std::fmt;

/// A device's public, unique identifier, as written at wafer test and printed in its
/// certificate: product (16 bits), lot (16 bits), device number within the lot (32 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceId(pub u64);

impl DeviceId {
    pub fn new(product: u16, lot: u16, number: u32) -> Self {
        DeviceId((u64::from(product) << 48) | (u64::from(lot) << 32) | u64::from(number))
    }

    /// The lot number it was made in (from 1, in the scenario's order of lots).
    pub fn lot(self) -> u16 {
        (self.0 >> 32) as u16
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}
