//! Common Criteria attack potential (CEM v3.1 R5, Annex B.4): the factor table, the
//! rating table, and what a rating means for an AVA_VAN claim.
//!
//! The tables are data; every row has a test. A window of opportunity of "none" means
//! the path is not exploitable in the intended environment: it has no total at all,
//! never a large number.

use provsim_devices::Documentation;
use std::fmt;

macro_rules! factor {
    ($(#[$doc:meta])* $name:ident: $pty:ty { $($(#[$vdoc:meta])* $variant:ident = $points:expr, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant,)+ }

        impl $name {
            /// Every level, lowest first.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }

            pub fn points(self) -> $pty {
                match self { $($name::$variant => $points,)+ }
            }
        }
    };
}

factor!(
    /// Time to identify and exploit the vulnerability.
    ElapsedTime: u32 {
        OneDay = 0, "<= 1 day";
        OneWeek = 1, "<= 1 week";
        TwoWeeks = 2, "<= 2 weeks";
        OneMonth = 4, "<= 1 month";
        TwoMonths = 7, "<= 2 months";
        ThreeMonths = 10, "<= 3 months";
        FourMonths = 13, "<= 4 months";
        FiveMonths = 15, "<= 5 months";
        SixMonths = 17, "<= 6 months";
        MoreThanSixMonths = 19, "> 6 months";
    }
);

factor!(
    /// The attacker's expertise.
    Expertise: u32 {
        Layman = 0, "layman";
        Proficient = 3, "proficient";
        Expert = 6, "expert";
        MultipleExperts = 8, "multiple experts";
    }
);

factor!(
    /// Knowledge of the target's design the attack needs.
    KnowledgeOfToe: u32 {
        Public = 0, "public";
        Restricted = 3, "restricted";
        Sensitive = 7, "sensitive";
        Critical = 11, "critical";
    }
);

impl From<Documentation> for KnowledgeOfToe {
    /// The knowledge an attack on a target needs when it needs the target's design:
    /// exactly as widely as the kind's documentation is available (its profile says).
    fn from(documentation: Documentation) -> Self {
        match documentation {
            Documentation::Public => KnowledgeOfToe::Public,
            Documentation::Restricted => KnowledgeOfToe::Restricted,
            Documentation::Sensitive => KnowledgeOfToe::Sensitive,
            Documentation::Critical => KnowledgeOfToe::Critical,
        }
    }
}

factor!(
    /// Access to the target the attack needs. Its points are `None` for "none": the
    /// path is not exploitable because of measures in the intended environment.
    WindowOfOpportunity: Option<u32> {
        Unnecessary = Some(0), "unnecessary / unlimited";
        Easy = Some(1), "easy";
        Moderate = Some(4), "moderate";
        Difficult = Some(10), "difficult";
        /// Not exploitable, because of measures in the intended environment.
        None = None, "none (not exploitable)";
    }
);

factor!(
    /// Equipment the attack needs.
    Equipment: u32 {
        Standard = 0, "standard";
        Specialised = 4, "specialised";
        Bespoke = 7, "bespoke";
        MultipleBespoke = 9, "multiple bespoke";
    }
);

/// The attack potential an attack path needs (CEM Table 4, "attack potential required
/// to exploit"), ordered from lowest to highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rating {
    Basic,
    EnhancedBasic,
    Moderate,
    High,
    BeyondHigh,
}

impl Rating {
    /// Every band, lowest first.
    pub const ALL: [Rating; 5] = [
        Rating::Basic,
        Rating::EnhancedBasic,
        Rating::Moderate,
        Rating::High,
        Rating::BeyondHigh,
    ];

    /// The highest total in the band; `None` for Beyond High, which has no top.
    pub fn most_points(self) -> Option<u32> {
        match self {
            Rating::Basic => Some(9),
            Rating::EnhancedBasic => Some(13),
            Rating::Moderate => Some(19),
            Rating::High => Some(24),
            Rating::BeyondHigh => None,
        }
    }

    /// The band named `name` (as [`Rating::name`] writes it).
    pub fn parse(name: &str) -> Option<Rating> {
        Rating::ALL.into_iter().find(|r| r.name() == name)
    }

    /// The band of a total (inclusive ranges 0-9, 10-13, 14-19, 20-24, 25 and up).
    pub fn from_total(total: u32) -> Rating {
        match total {
            0..=9 => Rating::Basic,
            10..=13 => Rating::EnhancedBasic,
            14..=19 => Rating::Moderate,
            20..=24 => Rating::High,
            _ => Rating::BeyondHigh,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Rating::Basic => "Basic",
            Rating::EnhancedBasic => "Enhanced-Basic",
            Rating::Moderate => "Moderate",
            Rating::High => "High",
            Rating::BeyondHigh => "Beyond High",
        }
    }

    /// The resistance a target shows when an attack needing this rating breaks it: the
    /// band below (broken by a High attack: resistant to Moderate). `None` is CEM's
    /// "no rating".
    pub fn resistance_shown(self) -> Option<Rating> {
        match self {
            Rating::Basic => None,
            Rating::EnhancedBasic => Some(Rating::Basic),
            Rating::Moderate => Some(Rating::EnhancedBasic),
            Rating::High => Some(Rating::Moderate),
            Rating::BeyondHigh => Some(Rating::High),
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An AVA_VAN component: the vulnerability-analysis level a claim is made at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AvaVan {
    Van1 = 1,
    Van2 = 2,
    Van3 = 3,
    Van4 = 4,
    Van5 = 5,
}

impl AvaVan {
    pub const ALL: [AvaVan; 5] = [
        AvaVan::Van1,
        AvaVan::Van2,
        AvaVan::Van3,
        AvaVan::Van4,
        AvaVan::Van5,
    ];

    /// Parses `AVA_VAN.n`.
    pub fn parse(text: &str) -> Option<AvaVan> {
        AvaVan::ALL.into_iter().find(|level| level.name() == text)
    }

    pub fn name(self) -> &'static str {
        [
            "AVA_VAN.1",
            "AVA_VAN.2",
            "AVA_VAN.3",
            "AVA_VAN.4",
            "AVA_VAN.5",
        ][self as usize - 1]
    }

    /// The attacker potential the level requires resistance to: Basic for .1 and .2,
    /// Enhanced-Basic for .3, Moderate for .4, High for .5.
    pub fn attacker_potential(self) -> Rating {
        match self {
            AvaVan::Van1 | AvaVan::Van2 => Rating::Basic,
            AvaVan::Van3 => Rating::EnhancedBasic,
            AvaVan::Van4 => Rating::Moderate,
            AvaVan::Van5 => Rating::High,
        }
    }

    /// Whether an attack needing `rating` is within this level's attacker: a success of
    /// such an attack breaks a claim at this level; a success beyond it is residual risk.
    pub fn covers(self, rating: Rating) -> bool {
        rating <= self.attacker_potential()
    }
}

impl fmt::Display for AvaVan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One attack path's factor ratings, with the reasons for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttackPotential {
    pub elapsed: ElapsedTime,
    pub expertise: Expertise,
    pub knowledge: KnowledgeOfToe,
    pub window: WindowOfOpportunity,
    pub equipment: Equipment,
    /// Why each factor has its level.
    pub reasons: Reasons,
    /// One line on what was rated.
    pub rationale: String,
}

/// One line per factor on why it has its level.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reasons {
    pub elapsed: String,
    pub expertise: String,
    pub knowledge: String,
    pub window: String,
    pub equipment: String,
}

impl Reasons {
    /// The same reason for every factor (a rating given rather than computed).
    pub fn all(reason: &str) -> Reasons {
        Reasons {
            elapsed: reason.to_owned(),
            expertise: reason.to_owned(),
            knowledge: reason.to_owned(),
            window: reason.to_owned(),
            equipment: reason.to_owned(),
        }
    }
}

impl AttackPotential {
    /// The sum of the factors, or `None` when the path is not exploitable (window "none").
    pub fn total(&self) -> Option<u32> {
        Some(
            self.elapsed.points()
                + self.expertise.points()
                + self.knowledge.points()
                + self.window.points()?
                + self.equipment.points(),
        )
    }

    pub fn rating(&self) -> Option<Rating> {
        self.total().map(Rating::from_total)
    }

    /// The total as an order of cost: a path that is not exploitable costs more than
    /// any that is. Ladders are sorted, and cheapest rungs chosen, by it.
    pub fn cost(&self) -> u32 {
        self.total().unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CEM Table 3, row by row.
    #[test]
    fn factor_points_match_the_cem_table() {
        let elapsed: Vec<u32> = ElapsedTime::ALL.iter().map(|e| e.points()).collect();
        assert_eq!(elapsed, [0, 1, 2, 4, 7, 10, 13, 15, 17, 19]);
        let expertise: Vec<u32> = Expertise::ALL.iter().map(|e| e.points()).collect();
        assert_eq!(expertise, [0, 3, 6, 8]);
        let knowledge: Vec<u32> = KnowledgeOfToe::ALL.iter().map(|k| k.points()).collect();
        assert_eq!(knowledge, [0, 3, 7, 11]);
        let window: Vec<Option<u32>> = WindowOfOpportunity::ALL
            .iter()
            .map(|w| w.points())
            .collect();
        assert_eq!(window, [Some(0), Some(1), Some(4), Some(10), None]);
        let equipment: Vec<u32> = Equipment::ALL.iter().map(|e| e.points()).collect();
        assert_eq!(equipment, [0, 4, 7, 9]);
    }

    /// A kind's documentation maps to the CEM category of the same name, row by row.
    #[test]
    fn documentation_maps_to_knowledge_of_the_toe() {
        let rows = [
            (Documentation::Public, KnowledgeOfToe::Public),
            (Documentation::Restricted, KnowledgeOfToe::Restricted),
            (Documentation::Sensitive, KnowledgeOfToe::Sensitive),
            (Documentation::Critical, KnowledgeOfToe::Critical),
        ];
        for (documentation, knowledge) in rows {
            assert_eq!(KnowledgeOfToe::from(documentation), knowledge);
        }
    }

    /// CEM Table 4 at every band edge.
    #[test]
    fn ratings_follow_the_band_edges() {
        let cases = [
            (0, Rating::Basic),
            (9, Rating::Basic),
            (10, Rating::EnhancedBasic),
            (13, Rating::EnhancedBasic),
            (14, Rating::Moderate),
            (19, Rating::Moderate),
            (20, Rating::High),
            (24, Rating::High),
            (25, Rating::BeyondHigh),
            (57, Rating::BeyondHigh),
        ];
        for (total, rating) in cases {
            assert_eq!(Rating::from_total(total), rating, "total {total}");
        }
    }

    /// Table 4's "meets / fails" columns: an attack in a band breaks exactly the levels
    /// listed under "fails".
    #[test]
    fn a_band_breaks_the_levels_table_4_says_it_fails() {
        let fails = |rating: Rating| -> Vec<u8> {
            AvaVan::ALL
                .iter()
                .filter(|v| v.covers(rating))
                .map(|v| *v as u8)
                .collect()
        };
        assert_eq!(fails(Rating::Basic), [1, 2, 3, 4, 5]);
        assert_eq!(fails(Rating::EnhancedBasic), [3, 4, 5]);
        assert_eq!(fails(Rating::Moderate), [4, 5]);
        assert_eq!(fails(Rating::High), [5]);
        assert!(fails(Rating::BeyondHigh).is_empty());
    }

    /// Each band's top is the last total `from_total` puts in it.
    #[test]
    fn each_band_ends_where_the_next_begins() {
        for rating in Rating::ALL {
            assert_eq!(Rating::parse(rating.name()), Some(rating));
            if let Some(most) = rating.most_points() {
                assert_eq!(Rating::from_total(most), rating);
                assert_ne!(Rating::from_total(most + 1), rating);
            }
        }
        assert_eq!(Rating::BeyondHigh.most_points(), None);
    }

    #[test]
    fn resistance_shown_is_the_band_below() {
        assert_eq!(Rating::Basic.resistance_shown(), None);
        assert_eq!(Rating::High.resistance_shown(), Some(Rating::Moderate));
        assert_eq!(Rating::BeyondHigh.resistance_shown(), Some(Rating::High));
    }

    #[test]
    fn a_path_with_no_window_has_no_total() {
        let p = AttackPotential {
            elapsed: ElapsedTime::OneDay,
            expertise: Expertise::Layman,
            knowledge: KnowledgeOfToe::Public,
            window: WindowOfOpportunity::None,
            equipment: Equipment::Standard,
            reasons: Reasons::default(),
            rationale: String::new(),
        };
        assert_eq!(p.total(), None);
        assert_eq!(p.rating(), None);
        let max = AttackPotential {
            elapsed: ElapsedTime::MoreThanSixMonths,
            expertise: Expertise::MultipleExperts,
            knowledge: KnowledgeOfToe::Critical,
            window: WindowOfOpportunity::Difficult,
            equipment: Equipment::MultipleBespoke,
            reasons: Reasons::default(),
            rationale: String::new(),
        };
        assert_eq!(max.total(), Some(57));
    }

    #[test]
    fn ava_van_names_round_trip() {
        for level in AvaVan::ALL {
            assert_eq!(AvaVan::parse(level.name()), Some(level));
        }
        assert_eq!(AvaVan::parse("AVA_VAN.6"), None);
        assert_eq!(AvaVan::parse("ava_van.3"), None);
    }
}
