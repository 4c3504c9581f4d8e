//! Reading a scenario file: TOML into the sections as written, then each section
//! checked in a fixed order (so a file with several mistakes always reports the same
//! one first) and the validated [`Scenario`] put together.

use super::attack::plans;
use super::canonical::input_digest;
use super::claim::claims;
use super::cost::cost_models;
use super::countermeasures::countermeasures;
use super::file::File;
use super::line::{dies_per_wafer, level, target};
use super::link::link_config;
use super::locator::Locator;
use super::lock::lock_sequence;
use super::lot::lots;
use super::order::{count_licence, order};
use super::returns::returns;
use super::scope::ScopeContext;
use super::secrets::secrets_profile;
use super::site::{custody, names, quorum, site_weaknesses};
use super::yields::yields;
use crate::error::ScenarioError;
use crate::input::{InputKind, read_text};
use crate::plain::plain_types;
use crate::scenario::Scenario;
use provsim_provisioner::{LineConfig, StationConfig};
use provsim_sim::Digest;
use std::path::Path;

/// Loads and validates the scenario at `path`.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let text = read_text(path, InputKind::Scenario)?;
    parse_str(&text, &path.display().to_string())
}

/// Longest title: one line of a report, not a document of its own.
const MAX_TITLE: usize = 200;

/// Parses and validates scenario text; `source` names it in errors and in the report.
pub fn parse_str(text: &str, source: &str) -> Result<Scenario, ScenarioError> {
    let at = Locator { text, file: source };
    let file: File = toml::from_str(text).map_err(|e| {
        let message = plain_types(e.message().trim_end());
        match e.span() {
            Some(span) => at.error(span, message),
            None => ScenarioError::Whole {
                file: source.to_owned(),
                message,
            },
        }
    })?;
    // Valid TOML by now; should the two readings ever disagree, say so.
    let input = input_digest(text).map_err(|e| ScenarioError::Whole {
        file: source.to_owned(),
        message: plain_types(e.message().trim_end()),
    })?;
    validate(file, source, input, &at)
}

fn validate(
    file: File,
    source: &str,
    input: Digest,
    at: &Locator<'_>,
) -> Result<Scenario, ScenarioError> {
    at.check_name(&file.scenario.name, "scenario name", 128)?;
    at.check_text(
        &file.scenario.title,
        "title",
        MAX_TITLE,
        "fit a report's title line",
    )?;
    let names = names(&file.site, at)?;
    let lock_steps = lock_sequence(
        file.mcu.as_ref(),
        file.line.lock_debug.as_ref(),
        file.locks.as_ref(),
        at,
    )?;
    let secrets = secrets_profile(file.secrets.as_ref(), at)?;
    let order = order(file.order.as_ref(), at)?;
    let count_licence = count_licence(file.order.as_ref(), at)?;
    let quorum = quorum(&file.site, at)?;
    let yields = yields(file.yields.as_ref(), at)?;
    let dies_per_wafer = dies_per_wafer(&file.line, at)?;
    let lots = lots(file.lots, at)?;
    let device_count = lots.iter().map(|lot| u64::from(lot.devices)).sum();
    let volume = order.as_ref().map_or(device_count, |order| order.devices);
    let (costs, currency) = cost_models(file.cost.as_ref(), volume, at)?;
    let returns = returns(file.returns.as_ref(), device_count, at)?;
    let link = link_config(file.link.as_ref(), at)?;
    let firmware_settings = file.mcu.is_some() || file.locks.is_some();
    let target = target(&file.line, firmware_settings, &secrets, at)?;
    let countermeasures = countermeasures(file.countermeasures.as_ref(), target, at)?;
    let attacks = plans(file.attacks, device_count, target, at)?;
    let context = ScopeContext {
        lots: &lots,
        symmetric_keys: &secrets.symmetric_keys,
    };
    let claims = claims(file.claims, &context, at)?;

    Ok(Scenario {
        name: file.scenario.name.into_inner(),
        title: file.scenario.title.into_inner(),
        source: source.to_owned(),
        input,
        text: at.text.to_owned(),
        default_seed: file.scenario.seed,
        line: LineConfig {
            // The runner names the run, once it knows the seed.
            run: Digest([0; 32]),
            custody: custody(file.site.custody),
            level: level(file.line.level),
            target,
            countermeasures,
            station: StationConfig {
                what_if: file.locks.is_some(),
                lock_steps,
            },
            names,
            product: file.line.product,
            dies_per_wafer,
            yields,
            quorum,
            secrets,
            returns,
            order,
            count_licence,
            site_weaknesses: site_weaknesses(&file.site, at)?,
            link,
        },
        lots,
        attacks,
        claims,
        costs,
        currency,
    })
}
