//! `[[claim]]`: the claims the scenario makes, each at a resistance: a claim from the
//! library by its id, or one the scenario states itself, as a Security Target does (its
//! own id, the requirement it stands for, the essential element it serves, and a
//! library oracle that decides it).

use super::locator::{Expected, Locator};
use super::scope::{Names, ScopeContext, scope};
use crate::claims::claim::{Claim, EssentialElement};
use crate::claims::library::{CLAIMS, find};
use crate::claims::requirements;
use crate::error::ScenarioError;
use crate::oracles::library::ORACLES;
use provsim_attacks::{ResistanceError, parse_resistance};
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimSection {
    pub id: Spanned<String>,
    pub resistance: Spanned<String>,
    /// The library oracle of a claim the scenario states itself.
    pub oracle: Option<Spanned<String>>,
    /// The requirement it stands for, from provsim's list.
    pub requirement: Option<Spanned<String>>,
    /// A requirement provsim does not list, named freely (the report marks it).
    pub free_requirement: Option<Spanned<String>>,
    pub element: Option<Spanned<String>>,
    /// The oracle's parameters: which lots and symmetric keys it covers.
    pub lots: Names,
    pub secrets: Names,
}

/// The claims in the file's order: at least one, each named once.
pub fn claims(
    sections: Spanned<Vec<ClaimSection>>,
    context: &ScopeContext<'_>,
    at: &Locator<'_>,
) -> Result<Vec<Claim>, ScenarioError> {
    let claims_span = sections.span();
    let claim_sections = sections.into_inner();
    if claim_sections.is_empty() {
        return Err(at.error(claims_span, "a scenario needs at least one [[claim]]"));
    }
    let mut claims: Vec<Claim> = Vec::with_capacity(claim_sections.len());
    for section in claim_sections {
        let claim = match &section.oracle {
            None => library_claim(&section, at)?,
            Some(oracle) => own_claim(&section, oracle, at)?,
        };
        if claims.iter().any(|c| c.id == claim.id) {
            return Err(at.at(&section.id, format!("claim `{}` is given twice", claim.id)));
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
        let scope = scope((&section.lots, &section.secrets), claim.oracle, context, at)?;
        claims.push(Claim {
            resistance,
            eal,
            scope,
            ..claim
        });
    }
    Ok(claims)
}

/// A claim from the library, by its id; what it stands for is the library's.
fn library_claim(section: &ClaimSection, at: &Locator<'_>) -> Result<Claim, ScenarioError> {
    let Some(entry) = find(section.id.get_ref()) else {
        let known: Vec<_> = CLAIMS.iter().map(|c| c.id).collect();
        return Err(at.unknown(&section.id, "claim", Expected::OneOf(&known)));
    };
    let given = [
        &section.requirement,
        &section.free_requirement,
        &section.element,
    ];
    if let Some(extra) = given.into_iter().flatten().next() {
        return Err(at.at(
            extra,
            format!(
                "claim `{}` is the library's, with its own requirement and element; to state a claim of your own, give it an id of your own and `oracle = \"...\"`",
                entry.id
            ),
        ));
    }
    Ok(entry.at(provsim_attacks::AvaVan::Van1))
}

/// A claim the scenario states: its own id, a library oracle, a requirement (listed or
/// free) and an essential element.
fn own_claim(
    section: &ClaimSection,
    oracle: &Spanned<String>,
    at: &Locator<'_>,
) -> Result<Claim, ScenarioError> {
    if find(section.id.get_ref()).is_some() {
        return Err(at.at(
            &section.id,
            format!(
                "`{}` is a library claim's id: give your own claim an id of its own",
                section.id.get_ref()
            ),
        ));
    }
    let id = section.id.get_ref();
    let plain = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if id.is_empty() || id.len() > 64 || !id.chars().all(plain) || id.starts_with('-') {
        return Err(at.at(
            &section.id,
            "a claim's id is 1 to 64 lowercase letters, digits and hyphens (`keys-at-rest`)",
        ));
    }
    let Some(oracle_found) = ORACLES.iter().find(|o| o.id() == oracle.get_ref()) else {
        let known: Vec<_> = ORACLES.iter().map(|o| o.id()).collect();
        return Err(at.unknown(oracle, "oracle", Expected::OneOf(&known)));
    };
    let (requirement, listed) = match (&section.requirement, &section.free_requirement) {
        (Some(name), None) => match requirements::titled(name.get_ref()) {
            Some(titled) => (titled, true),
            None => {
                let known = requirements::names();
                return Err(at.unknown(name, "requirement", Expected::OneOf(&known)));
            }
        },
        (None, Some(free)) => {
            let name = free.get_ref().trim();
            if requirements::titled(name).is_some() {
                return Err(at.at(
                    free,
                    format!("`{name}` is one provsim lists: write `requirement = \"{name}\"`"),
                ));
            }
            let one_line = name
                .chars()
                .all(|c| !c.is_control() && c != '|' && c != '`');
            if name.is_empty() || name.chars().count() > 200 || !one_line {
                return Err(at.at(
                    free,
                    "a free requirement is one line of 1 to 200 characters, without `|` or backquotes",
                ));
            }
            (name.to_owned(), false)
        }
        (Some(_), Some(free)) => {
            return Err(at.at(free, "give `requirement` or `free_requirement`, not both"));
        }
        _ => {
            return Err(at.at(
                &section.id,
                "a claim of your own needs `requirement = \"...\"` (one provsim lists) or `free_requirement = \"...\"`",
            ));
        }
    };
    let Some(element) = &section.element else {
        return Err(at.at(
            &section.id,
            "a claim of your own needs `element = \"...\"`: authentication, secure-connections, secure-code-execution, secure-storage or site",
        ));
    };
    let Some(element) = EssentialElement::from_key(element.get_ref()) else {
        let known: Vec<_> = EssentialElement::ALL.iter().map(|e| e.key()).collect();
        return Err(at.unknown(element, "element", Expected::OneOf(&known)));
    };
    Ok(Claim {
        id: section.id.get_ref().clone(),
        requirement,
        listed,
        element,
        resistance: provsim_attacks::AvaVan::Van1,
        eal: None,
        oracle: *oracle_found,
        scope: crate::oracles::scope::Scope::ALL,
    })
}
