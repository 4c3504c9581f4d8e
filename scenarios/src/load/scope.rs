//! A `[[claim]]`'s parameters (`lots`, `secrets`): which part of the world it speaks
//! for, checked against the scenario's lots and keys and against what its oracle takes
//! (`provsim list oracles` says which).

use super::locator::{Expected, Locator};
use crate::error::ScenarioError;
use crate::oracles::oracle::Oracle;
use crate::oracles::scope::{Param, Scope, ScopedLot};
use provsim_provisioner::Lot;
use toml::Spanned;

/// A list of names as written.
pub type Names = Option<Spanned<Vec<Spanned<String>>>>;

/// What a claim's parameters are checked against: the scenario's lots and symmetric
/// keys.
pub struct ScopeContext<'a> {
    pub lots: &'a [Lot],
    pub symmetric_keys: &'a [String],
}

/// The scope `lots` and `secrets` give a claim decided by `oracle`.
pub fn scope(
    (lots, secrets): (&Names, &Names),
    oracle: &dyn Oracle,
    context: &ScopeContext<'_>,
    at: &Locator<'_>,
) -> Result<Scope, ScenarioError> {
    let mut scope = Scope::default();
    if let Some(list) = lots {
        takes(oracle, Param::Lots, list, at)?;
        let known: Vec<&str> = context.lots.iter().map(|l| l.name.as_str()).collect();
        for name in names(list, "lots", at)? {
            let mut first = 0u64;
            let mut found = None;
            for (position, lot) in context.lots.iter().enumerate() {
                let end = first + u64::from(lot.devices);
                if lot.name == *name.get_ref() {
                    found = Some(ScopedLot {
                        name: lot.name.clone(),
                        number: u16::try_from(position + 1).unwrap_or(u16::MAX),
                        devices: first..end,
                    });
                }
                first = end;
            }
            let Some(lot) = found else {
                return Err(at.unknown(name, "lot", Expected::OneOf(&known)));
            };
            scope.lots.push(lot);
        }
    }
    if let Some(list) = secrets {
        takes(oracle, Param::Secrets, list, at)?;
        let known: Vec<&str> = context.symmetric_keys.iter().map(String::as_str).collect();
        if known.is_empty() {
            return Err(at.at(
                list,
                "`secrets` names symmetric keys, and [secrets] symmetric_keys names none",
            ));
        }
        for name in names(list, "secrets", at)? {
            if !known.contains(&name.get_ref().as_str()) {
                return Err(at.unknown(name, "symmetric key", Expected::OneOf(&known)));
            }
            scope.secrets.push(name.get_ref().clone());
        }
    }
    Ok(scope)
}

/// Refuses a parameter the claim's oracle does not take.
fn takes<T>(
    oracle: &dyn Oracle,
    param: Param,
    given: &Spanned<T>,
    at: &Locator<'_>,
) -> Result<(), ScenarioError> {
    if oracle.parameters().contains(&param) {
        return Ok(());
    }
    let taken: Vec<&str> = oracle.parameters().iter().map(|p| p.key()).collect();
    let taken = if taken.is_empty() {
        "no parameters: it speaks for the whole site".to_owned()
    } else {
        format!("it takes {}", taken.join(", "))
    };
    Err(at.at(
        given,
        format!(
            "oracle `{}` takes no `{}`: {taken}",
            oracle.id(),
            param.key()
        ),
    ))
}

/// The names of a list, at least one and each once.
fn names<'l>(
    list: &'l Spanned<Vec<Spanned<String>>>,
    key: &str,
    at: &Locator<'_>,
) -> Result<&'l [Spanned<String>], ScenarioError> {
    let names = list.get_ref();
    if names.is_empty() {
        return Err(at.at(
            list,
            format!("`{key}` names at least one (leave it out to cover all)"),
        ));
    }
    for (i, name) in names.iter().enumerate() {
        if names[..i].iter().any(|n| n.get_ref() == name.get_ref()) {
            return Err(at.at(name, format!("`{}` is given twice", name.get_ref())));
        }
    }
    Ok(names)
}
