//! The life cycle a chip keeps in fuses, and the tokens that gate its moves.

use std::fmt;

/// A chip's life-cycle state, kept in fuses so it only moves forward.
///
/// blank -> test -> provisioned -> field; provisioned or field -> rma (token-gated,
/// secrets wiped first); any -> scrapped. Fuse patterns that decode to no state are
/// treated as scrapped, as OpenTitan does with INVALID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LifeCycle {
    /// Fresh from the fab: nothing but identification and the move to test.
    Blank,
    /// Manufacturing test: the programming protocol may write secrets.
    Test,
    /// Secrets are in; key injection is over; the part may still be locked down.
    Provisioned,
    /// Deployed.
    Field,
    /// Returned for failure analysis: interfaces reopen, so secrets are wiped first.
    Rma,
    /// End of life: the chip refuses everything.
    Scrapped,
}

impl LifeCycle {
    pub const ALL: [LifeCycle; 6] = [
        LifeCycle::Blank,
        LifeCycle::Test,
        LifeCycle::Provisioned,
        LifeCycle::Field,
        LifeCycle::Rma,
        LifeCycle::Scrapped,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LifeCycle::Blank => "blank",
            LifeCycle::Test => "test",
            LifeCycle::Provisioned => "provisioned",
            LifeCycle::Field => "field",
            LifeCycle::Rma => "rma",
            LifeCycle::Scrapped => "scrapped",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.name() == name)
    }
}

impl fmt::Display for LifeCycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The secrets a gated life-cycle transition asks for. The chip stores only their
/// SHA-256, in fuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenKind {
    /// Leaves manufacturing test for provisioned.
    TestExit,
    /// Opens a returned part for failure analysis.
    Rma,
}

impl TokenKind {
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::TestExit => "test-exit",
            TokenKind::Rma => "rma",
        }
    }
}
