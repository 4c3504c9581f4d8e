//! A count licence: how many device certificates the vault may sign for the order, as
//! count-limited provisioning services sell it. The vault takes one unit for each
//! device certificate it signs under the customer CA and refuses once the units are
//! spent, whoever asks (the station, or an operator at the console): so the order's
//! size, not the operator's word, bounds how many genuine identities a line can make.

use crate::vault::error::HsmError;

/// The order's licence: units granted and units taken so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountLicence {
    pub units: u64,
    pub used: u64,
}

impl CountLicence {
    pub fn new(units: u64) -> Self {
        CountLicence { units, used: 0 }
    }

    /// Takes a unit for one device certificate, or refuses with every unit spent.
    pub(crate) fn take(&mut self) -> Result<(), HsmError> {
        if self.used >= self.units {
            return Err(HsmError::Refused {
                operation: "certifying another device",
                policy: "the order's count licence is spent",
            });
        }
        self.used += 1;
        Ok(())
    }

    /// Closes the licence with the order: the units not used lapse, so no certificate
    /// is signed for the order afterwards.
    pub(crate) fn close(&mut self) {
        self.units = self.used;
    }

    /// Gives back one unit: only an attack copy does this, when it rewinds a device's
    /// pass that the run already certified (the copy's pass takes the unit again).
    pub(crate) fn give_back(&mut self) {
        self.used = self.used.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_taken_until_spent_and_a_rewind_gives_one_back() {
        let mut licence = CountLicence::new(2);
        assert_eq!(licence.take(), Ok(()));
        assert_eq!(licence.take(), Ok(()));
        assert!(matches!(licence.take(), Err(HsmError::Refused { .. })));
        assert_eq!(licence.used, 2);
        licence.give_back();
        assert_eq!(licence.take(), Ok(()));
        let mut none = CountLicence::new(0);
        assert!(none.take().is_err());
        none.give_back();
        assert_eq!(none.used, 0);
    }
}
