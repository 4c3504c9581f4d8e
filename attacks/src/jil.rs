//! JIL's "Application of Attack Potential to Smartcards (and similar devices)" as a
//! second scorer: every factor rated twice, for identification (building the attack
//! and proving it works) and for exploitation (reapplying it to another sample), the
//! points of both phases added.
//!
//! UNVERIFIED. The JIL document could not be consulted; these tables are the values
//! recalled from v2.9-era copies (see `assurance-standards.md` §3.2) and every output
//! that uses them says so ([`UNVERIFIED`]). Only the equipment row's "none" and
//! "standard" values are corroborated by a second source. They are data, in one place,
//! to be corrected against JIL v3.2.1 when it can be read.

use crate::potential::AvaVan;

/// What every output made from these tables says.
pub const UNVERIFIED: &str = "unverified: JIL tables recalled from v2.9-era copies, not yet \
     checked against the JIL document";

/// One level of a JIL factor: its command-line key, its label, and its points in each
/// phase (`None`: not practical, so the path is not exploitable; or not rated in that
/// phase).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    pub key: &'static str,
    pub label: &'static str,
    pub identification: Points,
    pub exploitation: Points,
}

/// A level's points in one phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Points {
    Some(u32),
    /// The factor makes the attack impractical (JIL's `*`).
    NotPractical,
    /// The level does not apply in this phase (JIL's "n/a").
    NotApplicable,
}

/// One factor and its levels, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Factor {
    pub key: &'static str,
    pub levels: &'static [Level],
    /// Rated in the identification phase only (open samples).
    pub identification_only: bool,
}

const fn level(key: &'static str, label: &'static str, id: u32, ex: u32) -> Level {
    Level {
        key,
        label,
        identification: Points::Some(id),
        exploitation: Points::Some(ex),
    }
}

const NOT_PRACTICAL: Level = Level {
    key: "not-practical",
    label: "not practical",
    identification: Points::NotPractical,
    exploitation: Points::NotPractical,
};

/// The factors, in JIL's order.
pub const FACTORS: &[Factor] = &[
    Factor {
        key: "elapsed",
        levels: &[
            level("<1h", "< 1 hour", 0, 0),
            level("<1d", "< 1 day", 1, 3),
            level("<1w", "< 1 week", 2, 4),
            level("<1m", "< 1 month", 3, 6),
            level(">1m", "> 1 month", 5, 8),
            NOT_PRACTICAL,
        ],
        identification_only: false,
    },
    Factor {
        key: "expertise",
        levels: &[
            level("layman", "layman", 0, 0),
            level("proficient", "proficient", 2, 2),
            level("expert", "expert", 5, 4),
            level("multiple-experts", "multiple experts", 7, 6),
        ],
        identification_only: false,
    },
    Factor {
        key: "knowledge",
        levels: &[
            level("public", "public", 0, 0),
            level("restricted", "restricted", 2, 2),
            level("sensitive", "sensitive", 4, 3),
            level("critical", "critical", 6, 5),
            Level {
                key: "very-critical",
                label: "very critical hardware design",
                identification: Points::Some(9),
                exploitation: Points::NotApplicable,
            },
        ],
        identification_only: false,
    },
    Factor {
        key: "access",
        levels: &[
            level("<10", "< 10 samples", 0, 0),
            level("<30", "< 30 samples", 1, 2),
            level("<100", "< 100 samples", 2, 4),
            level(">100", "> 100 samples", 3, 6),
            NOT_PRACTICAL,
        ],
        identification_only: false,
    },
    Factor {
        key: "equipment",
        levels: &[
            level("none", "none", 0, 0),
            level("standard", "standard", 1, 2),
            level("specialised", "specialised", 3, 4),
            level("bespoke", "bespoke", 5, 6),
            level("multiple-bespoke", "multiple bespoke", 7, 8),
        ],
        identification_only: false,
    },
    Factor {
        key: "open-samples",
        levels: &[
            level("public", "public", 0, 0),
            level("restricted", "restricted", 2, 0),
            level("sensitive", "sensitive", 4, 0),
            level("critical", "critical", 6, 0),
        ],
        identification_only: true,
    },
];

/// The resistance a TOE shows against a path of `total` points (the sum of both
/// phases): `None` for "no rating" (0 to 15), then Basic (16 to 20), Enhanced-Basic (21
/// to 24), Moderate (25 to 30) and High (31 and up).
pub fn resistance(total: u32) -> Option<&'static str> {
    match total {
        0..=15 => None,
        16..=20 => Some("Basic"),
        21..=24 => Some("Enhanced-Basic"),
        25..=30 => Some("Moderate"),
        _ => Some("High"),
    }
}

/// Whether a TOE that falls to a path of `total` points still meets `level`: it shows
/// resistance to the band `total` is in, and a level asks for resistance to its
/// attacker's potential.
pub fn meets(total: u32, level: AvaVan) -> bool {
    let needed = match level {
        AvaVan::Van1 | AvaVan::Van2 => 16,
        AvaVan::Van3 => 21,
        AvaVan::Van4 => 25,
        AvaVan::Van5 => 31,
    };
    total >= needed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every factor's keys are unique, and the phases' points never fall as the level
    /// rises (the tables are recalled, not verified: this checks their shape only).
    #[test]
    fn the_tables_are_well_formed() {
        for factor in FACTORS {
            let mut keys: Vec<_> = factor.levels.iter().map(|l| l.key).collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), factor.levels.len(), "{}", factor.key);
            let points = |p: Points| match p {
                Points::Some(n) => Some(n),
                _ => None,
            };
            let id: Vec<u32> = factor
                .levels
                .iter()
                .filter_map(|l| points(l.identification))
                .collect();
            assert!(id.windows(2).all(|w| w[0] <= w[1]), "{}", factor.key);
            let ex: Vec<u32> = factor
                .levels
                .iter()
                .filter_map(|l| points(l.exploitation))
                .collect();
            assert!(ex.windows(2).all(|w| w[0] <= w[1]), "{}", factor.key);
        }
    }

    #[test]
    fn bands_and_levels_agree() {
        for total in 0..60 {
            let met: Vec<bool> = AvaVan::ALL.iter().map(|&l| meets(total, l)).collect();
            let expected = match resistance(total) {
                None => [false; 5],
                Some("Basic") => [true, true, false, false, false],
                Some("Enhanced-Basic") => [true, true, true, false, false],
                Some("Moderate") => [true, true, true, true, false],
                _ => [true; 5],
            };
            assert_eq!(met, expected, "{total}");
        }
    }
}
