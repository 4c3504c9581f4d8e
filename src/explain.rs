//! `provsim explain ATTACK`: what an attack in the catalogue is, where in the life
//! cycle it strikes, what it acts on, and how it is rated on each kind of target (each
//! CEM factor with its points, the total, the rating, and the rationale).

use provsim_attacks::{Attack, AvaVan};
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
                // The levels whose attacker this path is within: a success breaks a
                // claim made there.
                "within": AvaVan::ALL
                    .iter()
                    .filter(|level| rating.is_some_and(|r| level.covers(r)))
                    .map(|level| level.name())
                    .collect::<Vec<_>>(),
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
        let total = rating["total"]
            .as_u64()
            .map_or_else(|| "not exploitable".to_owned(), |t| t.to_string());
        out += &format!(
            "  on {}: total {total} ({})\n",
            field(&rating["target"]),
            rating["attack_potential"].as_str().unwrap_or("no rating")
        );
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
        out += &format!(
            "    breaks a claim at: {}\n    why: {}\n",
            if within.is_empty() {
                "no level".to_owned()
            } else {
                within.join(", ")
            },
            field(&rating["rationale"])
        );
    }
    out
}
