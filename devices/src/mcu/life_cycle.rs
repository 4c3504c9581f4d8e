//! The life-cycle state in fuses: one bit per transition, so a state can only be left
//! by blowing more bits, and no fuse pattern decodes to an earlier state than one it
//! came from.

use crate::life_cycle::{LifeCycle, TokenKind};

const TEST: u16 = 1 << 0;
const PROVISIONED: u16 = 1 << 1;
const FIELD: u16 = 1 << 2;
const RMA: u16 = 1 << 3;
const SCRAPPED: u16 = 1 << 4;

/// Decodes the life-cycle fuse word. Patterns no transition sequence produces decode as
/// scrapped, so glitching or partly blowing fuses cannot land the part somewhere open.
pub fn decode(bits: u16) -> LifeCycle {
    if bits & SCRAPPED != 0 {
        return LifeCycle::Scrapped;
    }
    match bits {
        0 => LifeCycle::Blank,
        TEST => LifeCycle::Test,
        b if b == TEST | PROVISIONED => LifeCycle::Provisioned,
        b if b == TEST | PROVISIONED | FIELD => LifeCycle::Field,
        b if b == TEST | PROVISIONED | RMA || b == TEST | PROVISIONED | FIELD | RMA => {
            LifeCycle::Rma
        }
        _ => LifeCycle::Scrapped,
    }
}

/// The fuse bit a transition into `to` blows.
pub fn bit_for(to: LifeCycle) -> Option<u16> {
    match to {
        LifeCycle::Blank => None,
        LifeCycle::Test => Some(TEST),
        LifeCycle::Provisioned => Some(PROVISIONED),
        LifeCycle::Field => Some(FIELD),
        LifeCycle::Rma => Some(RMA),
        LifeCycle::Scrapped => Some(SCRAPPED),
    }
}

/// Whether the chip allows `from -> to`, and which token it asks for.
pub fn rule(from: LifeCycle, to: LifeCycle) -> Option<Option<TokenKind>> {
    use LifeCycle::*;
    match (from, to) {
        (Blank, Test) => Some(None),
        (Test, Provisioned) => Some(Some(TokenKind::TestExit)),
        (Provisioned, Field) => Some(None),
        (Provisioned | Field, Rma) => Some(Some(TokenKind::Rma)),
        (Blank | Test | Provisioned | Field | Rma, Scrapped) => Some(None),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_allowed_transition_only_adds_bits_and_decodes_to_its_target() {
        let mut reached = vec![(0u16, LifeCycle::Blank)];
        let mut i = 0;
        while i < reached.len() {
            let (bits, from) = reached[i];
            for to in LifeCycle::ALL {
                if rule(from, to).is_some() {
                    let next = bits | bit_for(to).unwrap();
                    assert_ne!(next, bits);
                    assert_eq!(decode(next), to, "{from} -> {to}");
                    if !reached.contains(&(next, to)) {
                        reached.push((next, to));
                    }
                }
            }
            i += 1;
        }
        assert!(reached.iter().any(|&(_, s)| s == LifeCycle::Rma));
    }

    #[test]
    fn scrapped_and_blank_cannot_be_left_backwards() {
        for to in LifeCycle::ALL {
            assert!(rule(LifeCycle::Scrapped, to).is_none());
            assert!(rule(to, LifeCycle::Blank).is_none());
        }
        assert!(rule(LifeCycle::Rma, LifeCycle::Field).is_none());
        assert!(rule(LifeCycle::Test, LifeCycle::Rma).is_none());
    }

    proptest! {
        /// Blowing more fuses never decodes to a state that is open where the fewer
        /// fuses were closed: from scrapped there is no way out, and no pattern decodes
        /// to blank except no fuses at all.
        #[test]
        fn more_fuses_never_go_back_to_blank_or_out_of_scrapped(bits in any::<u16>(), extra in any::<u16>()) {
            let before = decode(bits);
            let after = decode(bits | extra);
            if before == LifeCycle::Scrapped { prop_assert_eq!(after, LifeCycle::Scrapped); }
            if bits != 0 { prop_assert_ne!(after, LifeCycle::Blank); }
        }
    }
}
