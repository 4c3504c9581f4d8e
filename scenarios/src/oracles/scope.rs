//! An oracle's parameters: which part of the world a claim speaks for. A Security
//! Target claims keys at rest for the storage key but not a debug key, or for the lots
//! from one wafer line; the same oracle decides each, within the scope the claim gives
//! it. Only oracles about one device's secrets or behaviour take `lots`: a statement
//! about the site (its books, its firmware key, the identities its CA vouches for) is
//! about every lot at once.

use provsim_devices::DeviceId;
use std::ops::Range;

/// A parameter an oracle takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `lots = ["LOT-0001"]`: which lots' devices it covers.
    Lots,
    /// `secrets = ["storage"]`: which of the line's symmetric keys it covers.
    Secrets,
}

impl Param {
    pub fn key(self) -> &'static str {
        match self {
            Param::Lots => "lots",
            Param::Secrets => "secrets",
        }
    }

    /// What it takes, for `provsim list oracles`.
    pub fn takes(self) -> &'static str {
        match self {
            Param::Lots => "names from [[lot]]",
            Param::Secrets => "names from [secrets] symmetric_keys",
        }
    }
}

/// One lot a claim covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopedLot {
    pub name: String,
    /// Its number in device ids (from 1, in the scenario's order of lots).
    pub number: u16,
    /// Its devices' indices in the run.
    pub devices: Range<u64>,
}

/// The part of the world a claim speaks for. Empty lists mean all of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub lots: Vec<ScopedLot>,
    /// The symmetric keys it covers, by name.
    pub secrets: Vec<String>,
}

impl Scope {
    /// Everything: what a claim without parameters speaks for.
    pub const ALL: Scope = Scope {
        lots: Vec::new(),
        secrets: Vec::new(),
    };

    /// Whether the device at `index` of the run is within the claim's lots.
    pub fn covers_device(&self, index: u64) -> bool {
        self.lots.is_empty() || self.lots.iter().any(|l| l.devices.contains(&index))
    }

    /// Whether the device with this id is within the claim's lots.
    pub fn covers_id(&self, device: DeviceId) -> bool {
        self.lots.is_empty() || self.lots.iter().any(|l| l.number == device.lot())
    }

    /// Whether the symmetric key `name` is among the claim's.
    pub fn covers_secret(&self, name: &str) -> bool {
        self.secrets.is_empty() || self.secrets.iter().any(|s| s == name)
    }

    /// The lots' names, joined.
    pub fn lot_names(&self) -> String {
        let names: Vec<&str> = self.lots.iter().map(|l| l.name.as_str()).collect();
        names.join(", ")
    }

    /// The parameters in words, for the report; `None` when it is everything.
    pub fn describe(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.lots.is_empty() {
            parts.push(format!("lots {}", self.lot_names()));
        }
        if !self.secrets.is_empty() {
            parts.push(format!("secrets {}", self.secrets.join(", ")));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_scope_is_everything_and_a_given_one_is_only_itself() {
        let all = Scope::ALL;
        assert!(all.covers_device(99) && all.covers_secret("any"));
        assert!(all.covers_id(DeviceId::new(1, 9, 0)));
        assert_eq!(all.describe(), None);
        let some = Scope {
            lots: vec![ScopedLot {
                name: "LOT-0002".to_owned(),
                number: 2,
                devices: 8..16,
            }],
            secrets: vec!["storage".to_owned()],
        };
        assert!(some.covers_device(8) && some.covers_device(15));
        assert!(!some.covers_device(7) && !some.covers_device(16));
        assert!(some.covers_id(DeviceId::new(0x5053, 2, 3)));
        assert!(!some.covers_id(DeviceId::new(0x5053, 1, 3)));
        assert!(some.covers_secret("storage") && !some.covers_secret("debug"));
        assert_eq!(
            some.describe().as_deref(),
            Some("lots LOT-0002; secrets storage")
        );
    }
}
