//! `provsim explain ATTACK`: what an attack in the catalogue is, where in the life
//! cycle it strikes, what it acts on, and how it is rated on each kind of target (each
//! CEM factor with its points, the total, the rating, and the rationale).

use provsim_attacks::{Attack, AvaVan, Rating};
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
    let ratings: Vec<Value> = TargetKind::ALL
        .iter()
        .map(|&kind| {
            let p = attack.potential(kind);
            let rating = p.rating();
            json!({
                "target": kind.name(),
                "factors": {
                    "elapsed": { "level": p.elapsed.label(), "points": p.elapsed.points() },
                    "expertise": { "level": p.expertise.label(), "points": p.expertise.points() },
                    "knowledge": { "level": p.knowledge.label(), "points": p.knowledge.points() },
                    "window": { "level": p.window.label(), "points": p.window.points() },
                    "equipment": { "level": p.equipment.label(), "points": p.equipment.points() },
                },
                "total": p.total(),
                "attack_potential": rating.map(|r| r.name()),
                "within": within(rating),
                "rationale": p.rationale,
            })
        })
        .collect();
    json!({
        "id": attack.id(),
        "title": attack.title(),
        "phase": attack.phase().name(),
        "acts_on": attack.position().name(),
        "ratings": ratings,
        "effort": "fixed: one rating per target kind (no effort ladder yet)",
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
    for rating in explained["ratings"].as_array().unwrap_or(&empty) {
        out += &match rating["total"].as_u64() {
            Some(total) => format!(
                "  on {}: total {total}, attack potential {} needed\n",
                field(&rating["target"]),
                field(&rating["attack_potential"])
            ),
            None => format!(
                "  on {}: not exploitable in the intended environment (window none)\n",
                field(&rating["target"])
            ),
        };
        for factor in ["elapsed", "expertise", "knowledge", "window", "equipment"] {
            let f = &rating["factors"][factor];
            let points = f["points"]
                .as_u64()
                .map_or_else(|| "-".to_owned(), |p| p.to_string());
            out += &format!("    {factor:<10} {:<24} {points:>3}\n", field(&f["level"]));
        }
        let within: Vec<String> = rating["within"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .map(field)
            .collect();
        let levels = match (within.is_empty(), rating["total"].is_null()) {
            (false, _) => within.join(", "),
            (true, true) => "no level (not exploitable)".to_owned(),
            (true, false) => "no level (beyond AVA_VAN.5's attacker: residual risk)".to_owned(),
        };
        out += &format!(
            "    a success breaks a claim at: {levels}\n    why: {}\n",
            field(&rating["rationale"])
        );
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
