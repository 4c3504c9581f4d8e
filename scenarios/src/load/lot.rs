//! `[[lot]]`: the lots the line runs, in order, and the bound on a run's devices.

use super::locator::Locator;
use crate::error::ScenarioError;
use provsim_provisioner::Lot;
use serde::Deserialize;
use toml::Spanned;

/// Longest lot name: a lot number, not a description.
const MAX_LOT_NAME: usize = 64;

/// Most devices one run provisions. A run writing to an output folder keeps at most 48
/// bytes a device in memory (the identities its books, registrar and oracles look up;
/// its ledger goes to a scratch file there), so this bounds that memory to about half a
/// gigabyte.
pub const MAX_DEVICES: u64 = 10_000_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotSection {
    pub name: Spanned<String>,
    pub devices: Spanned<u64>,
}

/// The lots: at least one, at most `u16::MAX`, none empty, each named once (a short
/// name with nothing a reader cannot see), at most [`MAX_DEVICES`] devices in all.
pub fn lots(
    sections: Spanned<Vec<LotSection>>,
    at: &Locator<'_>,
) -> Result<Vec<Lot>, ScenarioError> {
    let lots_span = sections.span();
    let lot_sections = sections.into_inner();
    if lot_sections.is_empty() {
        return Err(at.error(lots_span, "a scenario needs at least one [[lot]]"));
    }
    if lot_sections.len() > usize::from(u16::MAX) {
        return Err(at.error(
            lots_span,
            format!(
                "{} lots; at most {} are supported",
                lot_sections.len(),
                u16::MAX
            ),
        ));
    }
    let mut lots = Vec::with_capacity(lot_sections.len());
    let mut device_count = 0u64;
    let mut names = std::collections::BTreeSet::new();
    for lot in lot_sections {
        at.check_text(&lot.name, "lot name", MAX_LOT_NAME, "fit a device record")?;
        if !names.insert(lot.name.get_ref().clone()) {
            return Err(at.at(
                &lot.name,
                format!(
                    "lot name `{}` is used twice: each lot needs its own, or two lots' devices share ids",
                    lot.name.get_ref()
                ),
            ));
        }
        let devices = *lot.devices.get_ref();
        let Some(devices) = u32::try_from(devices)
            .ok()
            .filter(|&n| (1..=MAX_DEVICES).contains(&u64::from(n)))
        else {
            return Err(at.at(
                &lot.devices,
                format!("a lot holds 1 to {MAX_DEVICES} devices"),
            ));
        };
        device_count += u64::from(devices);
        if device_count > MAX_DEVICES {
            return Err(at.at(
                &lot.devices,
                format!("the lots hold more than {MAX_DEVICES} devices, the most one run takes"),
            ));
        }
        lots.push(Lot {
            name: lot.name.into_inner(),
            devices,
        });
    }
    Ok(lots)
}
