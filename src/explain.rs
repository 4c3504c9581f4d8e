//! `provsim explain ATTACK`: what an attack in the catalogue is, where in the life
//! cycle it strikes, what it acts on, and its effort ladder on each kind of target:
//! every rung, cheapest first, with each CEM factor's level, points and reason, the
//! total, the rating, and the AVA_VAN levels a success at that rung breaks.

use provsim_attacks::{Attack, AttackPotential, AvaVan, Rating, ladder};
use provsim_devices::TargetKind;
use serde_json::{Value, json};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// An attack's id, as `provsim list attacks` shows them.
    attack: String,
    /// `text` for people, `json` for one JSON object.
    #[arg(long, value_enum, default_value = "text")]
    format: crate::bench::Format,
}

pub fn command(args: ExplainArgs) -> ExitCode {
    let Some(attack) = provsim_attacks::find(&args.attack) else {
        let known: Vec<&str> = provsim_attacks::catalogue()
            .iter()
            .map(|a| a.id())
            .collect();
        return crate::fail(anyhow::anyhow!(
            "no attack `{}` in the catalogue; expected one of: {}",
            crate::escape_unseen(&args.attack),
            known.join(", ")
        ));
    };
    let explained = explain(attack);
    let text = match args.format {
        crate::bench::Format::Json => format!("{explained:#}\n"),
        crate::bench::Format::Text => text(&explained),
    };
    crate::say_verdict(&text, ExitCode::SUCCESS)
}

fn explain(attack: &dyn Attack) -> Value {
    let targets: Vec<Value> = TargetKind::ALL
        .iter()
        .map(|&kind| {
            let rungs: Vec<Value> = ladder(attack, kind)
                .iter()
                .map(|r| rung_json(&r.rung.label, &r.planned))
                .collect();
            json!({ "target": kind.name(), "ladder": rungs })
        })
        .collect();
    json!({
        "id": attack.id(),
        "title": attack.title(),
        "phase": attack.phase().name(),
        "acts_on": attack.position().name(),
        "effort": "an effort ladder: rungs climbed cheapest first, each rated by what it \
                   spends (a run rates each rung by what it really used)",
        "targets": targets,
    })
}

fn rung_json(label: &str, p: &AttackPotential) -> Value {
    let rating = p.rating();
    let factor = |level: &str, points: Option<u32>, why: &str| json!({ "level": level, "points": points, "why": why });
    let r = &p.reasons;
    json!({
        "rung": label,
        "plan": p.rationale,
        "factors": {
            "elapsed": factor(p.elapsed.label(), Some(p.elapsed.points()), &r.elapsed),
            "expertise": factor(p.expertise.label(), Some(p.expertise.points()), &r.expertise),
            "knowledge": factor(p.knowledge.label(), Some(p.knowledge.points()), &r.knowledge),
            "window": factor(p.window.label(), p.window.points(), &r.window),
            "equipment": factor(p.equipment.label(), Some(p.equipment.points()), &r.equipment),
        },
        "total": p.total(),
        "attack_potential": rating.map(|r| r.name()),
        "within": within(rating),
    })
}

/// The AVA_VAN levels whose attacker a path needing `rating` is within: a success of
/// it breaks a claim made at them. None for a path that is not exploitable.
fn within(rating: Option<Rating>) -> Vec<&'static str> {
    AvaVan::ALL
        .iter()
        .filter(|level| rating.is_some_and(|r| level.covers(r)))
        .map(|level| level.name())
        .collect()
}

fn text(explained: &Value) -> String {
    let field = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let mut out = format!(
        "{}: {}\n  phase      {}\n  acts on    the {}\n  effort     {}\n",
        field(&explained["id"]),
        field(&explained["title"]),
        field(&explained["phase"]),
        field(&explained["acts_on"]),
        field(&explained["effort"]),
    );
    let empty = Vec::new();
    for target in explained["targets"].as_array().unwrap_or(&empty) {
        out += &format!("  on {}:\n", field(&target["target"]));
        for (n, rung) in target["ladder"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .enumerate()
        {
            let total = rung["total"]
                .as_u64()
                .map_or_else(|| "-".to_owned(), |t| t.to_string());
            let within: Vec<String> = rung["within"]
                .as_array()
                .unwrap_or(&empty)
                .iter()
                .map(field)
                .collect();
            let breaks = match (within.first(), within.last(), rung["total"].is_null()) {
                (Some(low), Some(high), _) if low == high => format!("breaks {low}"),
                (Some(low), Some(high), _) => format!("breaks {low} to {high}"),
                (_, _, true) => "not exploitable".to_owned(),
                _ => "beyond AVA_VAN.5: residual risk".to_owned(),
            };
            out += &format!(
                "    {:>2}. {:<54} total {total:>2} {:<14} {breaks}\n",
                n + 1,
                field(&rung["rung"]),
                field(&rung["attack_potential"]),
            );
            let levels: Vec<String> = ["elapsed", "expertise", "knowledge", "window", "equipment"]
                .iter()
                .map(|f| format!("{f} {}", field(&rung["factors"][f]["level"])))
                .collect();
            out += &format!("        {}\n", levels.join(", "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each band of the rating table, and no rating: the levels a success breaks, as
    /// the CEM's Table 4 lists the levels a TOE falling to such a path fails.
    #[test]
    fn a_success_breaks_the_levels_whose_attacker_it_is_within() {
        let all = [
            "AVA_VAN.1",
            "AVA_VAN.2",
            "AVA_VAN.3",
            "AVA_VAN.4",
            "AVA_VAN.5",
        ];
        assert_eq!(within(Some(Rating::Basic)), all);
        assert_eq!(within(Some(Rating::EnhancedBasic)), all[2..]);
        assert_eq!(within(Some(Rating::Moderate)), all[3..]);
        assert_eq!(within(Some(Rating::High)), all[4..]);
        assert!(within(Some(Rating::BeyondHigh)).is_empty());
        assert!(within(None).is_empty());
    }
}
