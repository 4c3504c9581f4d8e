//! Evaluation assurance levels as a resistance (CC v3.1 R5 Part 3): each EAL package
//! includes one AVA_VAN component, and a certificate "EAL4 augmented with AVA_VAN.5"
//! claims the higher one. A claim may be stated either way; it is judged at its
//! AVA_VAN level.

use crate::potential::AvaVan;
use std::fmt;

/// An EAL, with the AVA_VAN augmentation it may carry. Made only by
/// [`parse_resistance`], so its number is always 1 to 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eal {
    number: u8,
    /// `EALn+AVA_VAN.m`: the vulnerability analysis raised above the package's.
    augmented: Option<AvaVan>,
}

/// Why a resistance could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResistanceError {
    /// Neither `AVA_VAN.n` nor an EAL.
    Unknown,
    /// `EAL5+`: augmented, but with what is not said.
    BareAugmentation { number: u8 },
    /// `EAL4+ALC_DVS.2`: an augmentation that does not bear on the resistance.
    NotVulnerabilityAnalysis { number: u8, component: String },
    /// `EAL4+AVA_VAN.4+AVA_VAN.5`: two vulnerability analyses.
    TwoLevels { number: u8 },
    /// `EAL5+AVA_VAN.3`: no higher than the package's own component.
    NotHigher {
        number: u8,
        package: AvaVan,
        given: AvaVan,
    },
}

impl fmt::Display for ResistanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResistanceError::Unknown => {
                f.write_str("expected AVA_VAN.1 to AVA_VAN.5, EAL1 to EAL7, or EALn+AVA_VAN.m")
            }
            ResistanceError::BareAugmentation { number } => write!(
                f,
                "`EAL{number}+` does not say what EAL{number} is augmented with: {}",
                suggestion(*number)
            ),
            ResistanceError::NotVulnerabilityAnalysis { number, component } => write!(
                f,
                "`{component}` does not bear on the resistance to attack: {}",
                suggestion(*number)
            ),
            ResistanceError::TwoLevels { number } => write!(
                f,
                "EAL{number} is augmented with two AVA_VAN levels: give one"
            ),
            ResistanceError::NotHigher {
                number,
                package,
                given,
            } => write!(
                f,
                "EAL{number} already includes {package}: `+{given}` augments nothing"
            ),
        }
    }
}

/// How to write a claim at EAL `number`'s resistance, or above it.
fn suggestion(number: u8) -> String {
    match Eal::package_level(number) {
        Some(level) if level < AvaVan::Van5 => format!(
            "write `EAL{number}` (judged at {level}), or its AVA_VAN augmentation, e.g. \
             `EAL{number}+AVA_VAN.5`"
        ),
        _ => format!("write `EAL{number}`: it already includes AVA_VAN.5"),
    }
}

impl Eal {
    /// The EAL's number, 1 to 7.
    pub fn number(self) -> u8 {
        self.number
    }

    /// The AVA_VAN component of the EAL's package (CC v3.1 R5 Part 3).
    pub fn package_level(number: u8) -> Option<AvaVan> {
        match number {
            1 => Some(AvaVan::Van1),
            2 | 3 => Some(AvaVan::Van2),
            4 => Some(AvaVan::Van3),
            5 => Some(AvaVan::Van4),
            6 | 7 => Some(AvaVan::Van5),
            _ => None,
        }
    }

    /// The AVA_VAN level a claim stated as this EAL is judged at.
    pub fn level(self) -> AvaVan {
        self.augmented
            .or_else(|| Eal::package_level(self.number))
            .unwrap_or(AvaVan::Van1)
    }
}

impl fmt::Display for Eal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.augmented {
            Some(level) => write!(f, "EAL{}+{level}", self.number),
            None => write!(f, "EAL{}", self.number),
        }
    }
}

/// Reads a resistance: `AVA_VAN.n`, `EALn` or `EALn+AVA_VAN.m`. The EAL, when one was
/// given, comes back with the level it is judged at.
pub fn parse_resistance(text: &str) -> Result<(AvaVan, Option<Eal>), ResistanceError> {
    if let Some(level) = AvaVan::parse(text) {
        return Ok((level, None));
    }
    let rest = text.strip_prefix("EAL").ok_or(ResistanceError::Unknown)?;
    let mut parts = rest.split('+');
    let number: u8 = match parts.next().map(|digit| digit.trim().as_bytes()) {
        Some([d @ b'1'..=b'7']) => d - b'0',
        _ => return Err(ResistanceError::Unknown),
    };
    let package = Eal::package_level(number).ok_or(ResistanceError::Unknown)?;
    // Each augmentation, trimmed (`EAL4 + AVA_VAN.5` as certificates often spell it).
    let mut augmented = None;
    for component in parts.map(str::trim) {
        if component.is_empty() {
            return Err(ResistanceError::BareAugmentation { number });
        }
        let Some(given) = AvaVan::parse(component) else {
            return Err(ResistanceError::NotVulnerabilityAnalysis {
                number,
                component: component.to_owned(),
            });
        };
        if augmented.replace(given).is_some() {
            return Err(ResistanceError::TwoLevels { number });
        }
        if given <= package {
            return Err(ResistanceError::NotHigher {
                number,
                package,
                given,
            });
        }
    }
    let eal = Eal { number, augmented };
    Ok((eal.level(), Some(eal)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The EAL packages' AVA_VAN components, as CC v3.1 R5 Part 3 lists them.
    #[test]
    fn each_eal_is_judged_at_its_package_level() {
        let cases = [
            ("EAL1", 1),
            ("EAL2", 2),
            ("EAL3", 2),
            ("EAL4", 3),
            ("EAL5", 4),
            ("EAL6", 5),
            ("EAL7", 5),
        ];
        for (text, level) in cases {
            let (judged, eal) = parse_resistance(text).expect(text);
            assert_eq!(judged as u8, level, "{text}");
            assert_eq!(eal.map(|e| e.to_string()).as_deref(), Some(text));
        }
    }

    #[test]
    fn an_augmentation_raises_the_level_and_is_written_out() {
        let (level, eal) = parse_resistance("EAL4+AVA_VAN.5").expect("augmented");
        assert_eq!(level, AvaVan::Van5);
        assert_eq!(eal.expect("an EAL").to_string(), "EAL4+AVA_VAN.5");
        assert_eq!(
            parse_resistance("AVA_VAN.3"),
            Ok((AvaVan::Van3, None)),
            "a bare AVA_VAN level"
        );
    }

    #[test]
    fn what_cannot_be_read_says_why() {
        assert_eq!(
            parse_resistance("EAL5+"),
            Err(ResistanceError::BareAugmentation { number: 5 })
        );
        assert!(
            parse_resistance("EAL5+")
                .unwrap_err()
                .to_string()
                .contains("EAL5+AVA_VAN.5")
        );
        assert!(matches!(
            parse_resistance("EAL4+ALC_DVS.2"),
            Err(ResistanceError::NotVulnerabilityAnalysis { number: 4, .. })
        ));
        assert!(matches!(
            parse_resistance("EAL5+AVA_VAN.4"),
            Err(ResistanceError::NotHigher { number: 5, .. })
        ));
        // EAL6 already includes AVA_VAN.5: the advice is not to augment it.
        let advice = parse_resistance("EAL6+").unwrap_err().to_string();
        assert!(advice.contains("already includes AVA_VAN.5"), "{advice}");
        assert!(!advice.contains("EAL6+AVA_VAN.5"), "{advice}");
        // Several augmentations: the one that does not bear is named alone.
        let both = parse_resistance("EAL5+ALC_DVS.2+AVA_VAN.5").unwrap_err();
        assert_eq!(
            both,
            ResistanceError::NotVulnerabilityAnalysis {
                number: 5,
                component: "ALC_DVS.2".into()
            }
        );
        let (level, eal) = parse_resistance("EAL4 + AVA_VAN.5").expect("spaced");
        assert_eq!(level, AvaVan::Van5);
        assert_eq!(eal.expect("an EAL").to_string(), "EAL4+AVA_VAN.5");
        assert_eq!(
            parse_resistance("EAL3+AVA_VAN.4+AVA_VAN.5"),
            Err(ResistanceError::TwoLevels { number: 3 })
        );
        for text in ["EAL0", "EAL8", "EAL", "eal4", "EAL44", "AVA_VAN.6", ""] {
            assert_eq!(
                parse_resistance(text),
                Err(ResistanceError::Unknown),
                "{text}"
            );
        }
    }
}
