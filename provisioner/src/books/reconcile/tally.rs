//! What reconciliation finds: each lot's balance, the tests, the returns, the order,
//! and every difference in words.

use crate::level::Level;

/// One lot's balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotBalance {
    /// The lot number the device ids carry.
    pub lot: u16,
    pub keys_made: u64,
    pub shipped: u64,
    pub destroyed: u64,
    /// Symmetric keys made, gone out in shipped devices, and destroyed with rejected ones.
    pub secrets_made: u64,
    pub secrets_shipped: u64,
    pub secrets_destroyed: u64,
}

impl LotBalance {
    pub fn balanced(&self) -> bool {
        self.keys_made == self.shipped + self.destroyed
            && self.secrets_made == self.secrets_shipped + self.secrets_destroyed
    }
}

/// One level's test results, from the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestTally {
    pub level: Level,
    pub first_pass: u64,
    pub retest_pass: u64,
    /// Failed the test and the retest: the part is out.
    pub failed: u64,
}

/// Devices that came back through the RMA desk, from the audit log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReturnTally {
    pub returned: u64,
    /// Entered RMA and read back with an empty key store.
    pub rma_wiped: u64,
    /// Entered RMA (which wipes), but the store could not be read back to confirm.
    pub rma_unverified: u64,
    /// Refused RMA (port fused shut) and destroyed physically.
    pub physically_destroyed: u64,
}

/// The order the run filled, from its audit records. The line stops once it is filled,
/// so shipping more is over-production by someone other than the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderTally {
    pub number: String,
    pub ordered: u64,
    pub shipped: u64,
}

/// The run's reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    /// The order, when the run had one: over-shipment is a finding.
    pub order: Option<OrderTally>,
    pub lots: Vec<LotBalance>,
    /// Identities that came back: each must have shipped, once, and ended wiped or
    /// destroyed.
    pub returns: ReturnTally,
    /// Wafer, package and board test results, in that order.
    pub tests: [TestTally; 3],
    /// Identities that shipped more than once.
    pub duplicate_identities: u64,
    /// Every difference, in words.
    pub findings: Vec<String>,
}

impl Default for Reconciliation {
    fn default() -> Self {
        Reconciliation {
            order: None,
            lots: Vec::new(),
            returns: ReturnTally::default(),
            tests: Level::ALL.map(|level| TestTally {
                level,
                first_pass: 0,
                retest_pass: 0,
                failed: 0,
            }),
            duplicate_identities: 0,
            findings: Vec::new(),
        }
    }
}
