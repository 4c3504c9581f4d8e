//! `[[attack]]`: the attack paths, each an attack from the catalogue and the shipped
//! devices it is tried on.

use super::locator::{Expected, Locator};
use super::returns::listed_twice;
use crate::error::ScenarioError;
use crate::scenario::{AttackPlan, Climb, Targets};
use provsim_attacks::{Attack, Rating};
use provsim_devices::TargetKind;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttackSection {
    pub id: Spanned<String>,
    /// Device indices to attack; absent means every shipped device (or `sample`).
    pub devices: Option<Spanned<Vec<u64>>>,
    /// Attack this many shipped devices, drawn from the seed.
    pub sample: Option<Spanned<u32>>,
    /// Run only the rung with this label (`provsim explain ATTACK` lists them).
    pub rung: Option<Spanned<String>>,
    /// Climb at most this many rungs of the ladder, cheapest first.
    pub max_rung: Option<Spanned<u32>>,
    /// Climb only rungs rated at most this: a rating (`"Moderate"`) or points (`19`).
    pub budget: Option<Spanned<Budget>>,
    /// `false` keeps climbing after a rung succeeds, to map the whole ladder.
    pub stop_at_success: Option<bool>,
}

/// An attacker's budget as written: a rating band's name or a number of points.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Budget {
    Points(u32),
    Rating(String),
}

/// How far up its ladder a path climbs, checked against the ladder on `target`.
fn climb(
    section: &AttackSection,
    attack: &'static dyn Attack,
    target: TargetKind,
    at: &Locator<'_>,
) -> Result<Climb, ScenarioError> {
    let mut climb = Climb {
        past_success: section.stop_at_success == Some(false),
        ..Climb::default()
    };
    if let Some(rung) = &section.rung {
        let labels: Vec<String> = attack.rungs(target).into_iter().map(|r| r.label).collect();
        if !labels.iter().any(|l| l == rung.get_ref()) {
            let known: Vec<&str> = labels.iter().map(String::as_str).collect();
            return Err(at.unknown(rung, "rung", Expected::OneOf(&known)));
        }
        climb.pinned = Some(rung.get_ref().clone());
    }
    if let Some(max) = &section.max_rung {
        if *max.get_ref() == 0 {
            return Err(at.at(max, "`max_rung` must be at least 1"));
        }
        climb.max_rungs = Some(*max.get_ref() as usize);
    }
    if let Some(budget) = &section.budget {
        climb.budget = match budget.get_ref() {
            Budget::Points(points) => Some(*points),
            Budget::Rating(name) => match Rating::parse(name) {
                Some(band) => band.most_points(),
                None => {
                    let known: Vec<&str> = Rating::ALL.iter().map(|band| band.name()).collect();
                    return Err(at.at(
                        budget,
                        format!(
                            "unknown budget {name:?}, expected points or one of: {}",
                            known.join(", ")
                        ),
                    ));
                }
            },
        };
    }
    // A budget that leaves nothing to climb is refused where it is written (without a
    // budget there is always a rung: a pinned one exists, and `max_rung` is at least 1).
    let probe = AttackPlan {
        attack,
        targets: Targets::All,
        climb: climb.clone(),
    };
    if let (Some(most), Some(budget)) = (climb.budget, &section.budget)
        && probe.rungs(target).is_empty()
    {
        let ladder = provsim_attacks::ladder(attack, target);
        let message = match &climb.pinned {
            Some(pinned) => format!(
                "the pinned rung {pinned:?} is rated {}, over the budget of {most} points",
                ladder
                    .iter()
                    .find(|r| r.rung.label == *pinned)
                    .and_then(|r| r.planned.total())
                    .map_or("not exploitable".to_owned(), |t| format!("{t} points"))
            ),
            None => format!(
                "a budget of {most} points leaves {} no rung: its cheapest is rated {}",
                attack.id(),
                ladder
                    .first()
                    .and_then(|r| r.planned.total())
                    .map_or("not exploitable".to_owned(), |t| format!("{t} points"))
            ),
        };
        return Err(at.at(budget, message));
    }
    Ok(climb)
}

/// The attack paths in the file's order, their devices checked against the lots'
/// `device_count`.
pub fn plans(
    sections: Vec<AttackSection>,
    device_count: u64,
    target: TargetKind,
    at: &Locator<'_>,
) -> Result<Vec<AttackPlan>, ScenarioError> {
    let mut attacks = Vec::with_capacity(sections.len());
    for section in sections {
        let Some(attack) = provsim_attacks::find(section.id.get_ref()) else {
            let known: Vec<_> = provsim_attacks::catalogue()
                .iter()
                .map(|a| a.id())
                .collect();
            return Err(at.unknown(&section.id, "attack", Expected::OneOf(&known)));
        };
        let targets = match (section.devices.as_ref(), section.sample.as_ref()) {
            (Some(_), Some(sample)) => {
                return Err(at.at(sample, "give either `devices` or `sample`, not both"));
            }
            (Some(devices), None) => {
                if devices.get_ref().is_empty() {
                    return Err(at.at(
                        devices,
                        "`devices` lists no device; omit it to attack every device",
                    ));
                }
                if let Some(twice) = listed_twice(devices.get_ref()) {
                    return Err(at.at(
                        devices,
                        format!("device index {twice} is listed twice: each is attacked once"),
                    ));
                }
                if let Some(bad) = devices.get_ref().iter().find(|&&i| i >= device_count) {
                    return Err(at.at(
                        devices,
                        format!("device index {bad} is out of range: the lots hold {device_count} devices (0..{device_count})"),
                    ));
                }
                Targets::Devices(devices.get_ref().clone())
            }
            (None, Some(sample)) => {
                if *sample.get_ref() == 0 {
                    return Err(at.at(sample, "`sample` must be at least 1"));
                }
                Targets::Sample(*sample.get_ref())
            }
            (None, None) => Targets::All,
        };
        let climb = climb(&section, attack, target, at)?;
        attacks.push(AttackPlan {
            attack,
            targets,
            climb,
        });
    }
    Ok(attacks)
}
