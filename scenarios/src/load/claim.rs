//! `[[claim]]`: the claims the scenario makes, each from the library, at a resistance.

use super::locator::{Expected, Locator};
use crate::claims::claim::Claim;
use crate::claims::library::{CLAIMS, find};
use crate::error::ScenarioError;
use provsim_attacks::{ResistanceError, parse_resistance};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimSection {
    pub id: Spanned<String>,
    pub resistance: Spanned<String>,
}

/// The claims in the file's order: at least one, each named once.
pub fn claims(
    sections: Spanned<Vec<ClaimSection>>,
    at: &Locator<'_>,
) -> Result<Vec<Claim>, ScenarioError> {
    let claims_span = sections.span();
    let claim_sections = sections.into_inner();
    if claim_sections.is_empty() {
        return Err(at.error(claims_span, "a scenario needs at least one [[claim]]"));
    }
    let mut claims: Vec<Claim> = Vec::with_capacity(claim_sections.len());
    for section in claim_sections {
        let Some(entry) = find(section.id.get_ref()) else {
            let known: Vec<_> = CLAIMS.iter().map(|c| c.id).collect();
            return Err(at.unknown(&section.id, "claim", Expected::OneOf(&known)));
        };
        if claims.iter().any(|c| c.id == entry.id) {
            return Err(at.at(&section.id, format!("claim `{}` is given twice", entry.id)));
        }
        let (resistance, eal) = match parse_resistance(section.resistance.get_ref()) {
            Ok(read) => read,
            Err(ResistanceError::Unknown) => {
                return Err(at.unknown(
                    &section.resistance,
                    "resistance",
                    Expected::Words("AVA_VAN.1 to AVA_VAN.5, EAL1 to EAL7, or EALn+AVA_VAN.m"),
                ));
            }
            Err(why) => return Err(at.at(&section.resistance, why.to_string())),
        };
        claims.push(entry.at(resistance).stated_as(eal));
    }
    Ok(claims)
}
