//! `[[claim]]`: the claims the scenario makes, each from the library, at a resistance.

use super::locator::{Expected, Locator};
use crate::claims::claim::Claim;
use crate::claims::library::{CLAIMS, find};
use crate::error::ScenarioError;
use provsim_attacks::AvaVan;
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
        let Some(resistance) = AvaVan::parse(section.resistance.get_ref()) else {
            return Err(at.unknown(
                &section.resistance,
                "resistance",
                Expected::Words("AVA_VAN.1 to AVA_VAN.5"),
            ));
        };
        claims.push(entry.at(resistance));
    }
    Ok(claims)
}
