//! `provsim rate`: the CEM attack-potential calculator (CEM v3.1 R5, Annex B.4: the
//! factor table and the rating table) for an evaluator's own attack path, on the very
//! tables the simulated attacks are rated with (`provsim_attacks::potential`).

use provsim_attacks::potential::{
    AttackPotential, AvaVan, ElapsedTime, Equipment, Expertise, KnowledgeOfToe, Rating, Reasons,
    WindowOfOpportunity,
};
use serde_json::{Value, json};

pub const ABOUT: &str = "\
Rate an attack path by CEM v3.1 R5 Annex B.4: each factor's points (the factor table), \
their total, the attack potential that total needs and the resistance a TOE that falls \
to it shows (the rating table), and for each AVA_VAN level whether such a TOE still meets \
it. A window of opportunity of `none` means the path is not exploitable in the intended \
environment: it has no total and fails no level.

--format json prints one object: scheme; factors (each with factor, value as given, \
level, points, null for a window of none); total (null when not exploitable); \
exploitable; attack_potential (Basic, Enhanced-Basic, Moderate, High or Beyond High; \
null when not exploitable); resistance_shown (the resistance the rating table gives a \
TOE that falls to the path: \"No rating\", Basic, Enhanced-Basic, Moderate or High; null \
when not exploitable); and \
ava_van, for AVA_VAN.1 to .5, whether a TOE that falls to this path meets the level.

The elapsed times `<=1d` .. `>6m` need quoting in a shell; `1d` .. `6m` and `6m+` \
are the same values unquoted.

--scheme jil rates by JIL's smart-card scheme instead (tables unverified, and every \
output says so): --identification and --exploitation each take factor=level pairs, \
comma-separated: elapsed <1h|<1d|<1w|<1m|>1m|not-practical; expertise \
layman|proficient|expert|multiple-experts; knowledge public|restricted|sensitive|critical \
(very-critical: identification only); access <10|<30|<100|>100|not-practical; equipment \
none|standard|specialised|bespoke|multiple-bespoke; open-samples \
public|restricted|sensitive|critical (identification only).

Exit code 0; 2 for a missing or unknown factor value.";

#[derive(clap::Args)]
pub struct RateArgs {
    /// Time to identify and exploit the path. `<=` and `>` need quoting in a shell
    /// (`'<=2m'`); each value is also taken without them (`2m`, `6m+`).
    #[arg(long, value_parser = choice(ELAPSED))]
    elapsed: Option<ElapsedTime>,
    /// The attacker's expertise.
    #[arg(long, value_parser = choice(EXPERTISE))]
    expertise: Option<Expertise>,
    /// Knowledge of the TOE's design the path needs.
    #[arg(long, value_parser = choice(KNOWLEDGE))]
    knowledge: Option<KnowledgeOfToe>,
    /// Window of opportunity: access to the TOE (or samples) the path needs.
    #[arg(long, value_parser = choice(WINDOW))]
    window: Option<WindowOfOpportunity>,
    /// Equipment the path needs.
    #[arg(long, value_parser = choice(EQUIPMENT))]
    equipment: Option<Equipment>,
    /// `text` for people, `json` for one JSON object (fields in --help).
    #[arg(long, value_enum, default_value = "text")]
    format: crate::bench::Format,
    /// `cem` (CEM v3.1 R5 Annex B.4, the default) or `jil` (JIL's smart-card scheme:
    /// unverified tables, two phases).
    #[arg(long, value_enum, default_value = "cem")]
    scheme: Scheme,
    /// JIL: the identification phase, `elapsed=<1w,expertise=expert,knowledge=restricted,
    /// access=<10,equipment=specialised,open-samples=public`.
    #[arg(long)]
    identification: Option<String>,
    /// JIL: the exploitation phase, the same factors but open-samples.
    #[arg(long)]
    exploitation: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Scheme {
    Cem,
    Jil,
}

/// The command-line names of each factor's levels, lowest first.
const ELAPSED: &[(&str, ElapsedTime)] = &[
    ("<=1d", ElapsedTime::OneDay),
    ("<=1w", ElapsedTime::OneWeek),
    ("<=2w", ElapsedTime::TwoWeeks),
    ("<=1m", ElapsedTime::OneMonth),
    ("<=2m", ElapsedTime::TwoMonths),
    ("<=3m", ElapsedTime::ThreeMonths),
    ("<=4m", ElapsedTime::FourMonths),
    ("<=5m", ElapsedTime::FiveMonths),
    ("<=6m", ElapsedTime::SixMonths),
    (">6m", ElapsedTime::MoreThanSixMonths),
];
const EXPERTISE: &[(&str, Expertise)] = &[
    ("layman", Expertise::Layman),
    ("proficient", Expertise::Proficient),
    ("expert", Expertise::Expert),
    ("multiple-experts", Expertise::MultipleExperts),
];
const KNOWLEDGE: &[(&str, KnowledgeOfToe)] = &[
    ("public", KnowledgeOfToe::Public),
    ("restricted", KnowledgeOfToe::Restricted),
    ("sensitive", KnowledgeOfToe::Sensitive),
    ("critical", KnowledgeOfToe::Critical),
];
const WINDOW: &[(&str, WindowOfOpportunity)] = &[
    ("unnecessary", WindowOfOpportunity::Unnecessary),
    ("easy", WindowOfOpportunity::Easy),
    ("moderate", WindowOfOpportunity::Moderate),
    ("difficult", WindowOfOpportunity::Difficult),
    ("none", WindowOfOpportunity::None),
];
const EQUIPMENT: &[(&str, Equipment)] = &[
    ("standard", Equipment::Standard),
    ("specialised", Equipment::Specialised),
    ("bespoke", Equipment::Bespoke),
    ("multiple-bespoke", Equipment::MultipleBespoke),
];

/// A parser that accepts exactly the names in `table` (clap lists them in the error
/// and in --help), and for the elapsed times the same without `<=` and `>` (which a
/// shell reads as redirections: `2m` for `<=2m`, `6m+` for `>6m`), and gives the level
/// named.
fn choice<T: Copy + PartialEq + Send + Sync + 'static>(
    table: &'static [(&'static str, T)],
) -> impl clap::builder::TypedValueParser<Value = T> {
    use clap::builder::{PossibleValue, TypedValueParser};
    let values = table.iter().map(|(name, _)| {
        let value = PossibleValue::new(*name);
        match shell_safe(name) {
            Some(alias) => value.alias(alias),
            None => value,
        }
    });
    clap::builder::PossibleValuesParser::new(values).try_map(move |name: String| {
        table
            .iter()
            .find(|(listed, _)| *listed == name || shell_safe(listed) == Some(name.as_str()))
            .map(|(_, level)| *level)
            .ok_or_else(|| format!("`{name}` is not a level of this factor"))
    })
}

/// The spelling of an elapsed time without a shell's redirection characters.
fn shell_safe(name: &'static str) -> Option<&'static str> {
    match name.strip_prefix("<=") {
        Some(rest) => Some(rest),
        None if name == ">6m" => Some("6m+"),
        None => None,
    }
}

/// The name a level was given on the command line.
fn name_of<T: PartialEq>(table: &[(&'static str, T)], level: &T) -> &'static str {
    table
        .iter()
        .find(|(_, listed)| listed == level)
        .map_or("", |(name, _)| name)
}

pub fn command(args: RateArgs) -> std::process::ExitCode {
    if args.scheme == Scheme::Jil {
        return jil(&args);
    }
    if args.identification.is_some() || args.exploitation.is_some() {
        return crate::fail(anyhow::anyhow!(
            "--identification and --exploitation are JIL's phases: add --scheme jil"
        ));
    }
    let (Some(elapsed), Some(expertise), Some(knowledge), Some(window), Some(equipment)) = (
        args.elapsed,
        args.expertise,
        args.knowledge,
        args.window,
        args.equipment,
    ) else {
        return crate::fail(anyhow::anyhow!(
            "the CEM scheme needs every factor: --elapsed, --expertise, --knowledge, --window and --equipment"
        ));
    };
    let potential = AttackPotential {
        elapsed,
        expertise,
        knowledge,
        window,
        equipment,
        reasons: Reasons::all("given on the command line"),
        rationale: "given on the command line".to_owned(),
    };
    let rating = rate(&potential);
    let text = match args.format {
        crate::bench::Format::Json => format!("{:#}\n", rating),
        crate::bench::Format::Text => text(&rating),
    };
    // A reader that left early (`| head`) is no failure of the rating.
    crate::say_verdict(&text, std::process::ExitCode::SUCCESS)
}

/// The rating as the JSON object `--format json` prints (and the text is made from).
fn rate(p: &AttackPotential) -> Value {
    let factor = |factor: &str, value: &str, level: &str, points: Option<u32>| json!({ "factor": factor, "value": value, "level": level, "points": points });
    let factors = vec![
        factor(
            "elapsed",
            name_of(ELAPSED, &p.elapsed),
            p.elapsed.label(),
            Some(p.elapsed.points()),
        ),
        factor(
            "expertise",
            name_of(EXPERTISE, &p.expertise),
            p.expertise.label(),
            Some(p.expertise.points()),
        ),
        factor(
            "knowledge",
            name_of(KNOWLEDGE, &p.knowledge),
            p.knowledge.label(),
            Some(p.knowledge.points()),
        ),
        factor(
            "window",
            name_of(WINDOW, &p.window),
            p.window.label(),
            p.window.points(),
        ),
        factor(
            "equipment",
            name_of(EQUIPMENT, &p.equipment),
            p.equipment.label(),
            Some(p.equipment.points()),
        ),
    ];
    let rating = p.rating();
    let shown = rating.map(|r| r.resistance_shown().map_or("No rating", Rating::name));
    let ava_van: Vec<Value> = AvaVan::ALL
        .iter()
        .map(|level| {
            // A TOE that falls to this path meets a level only if the path needs more
            // than the level's attacker has; a path that is not exploitable fails none.
            let met = rating.is_none_or(|r| !level.covers(r));
            json!({ "level": level.name(), "met": met })
        })
        .collect();
    json!({
        "scheme": "CEM v3.1 R5 Annex B.4",
        "factors": factors,
        "total": p.total(),
        "exploitable": rating.is_some(),
        "attack_potential": rating.map(Rating::name),
        "resistance_shown": shown,
        "ava_van": ava_van,
    })
}

/// The rating for people: a line a factor, the total and its meaning, the levels.
fn text(rating: &Value) -> String {
    let mut out = format!(
        "provsim rate: {}\n",
        rating["scheme"].as_str().unwrap_or("")
    );
    let empty = Vec::new();
    for factor in rating["factors"].as_array().unwrap_or(&empty) {
        let points = factor["points"]
            .as_u64()
            .map_or_else(|| "-".to_owned(), |p| p.to_string());
        out += &format!(
            "  {:<10} {:<24} {:>3}\n",
            factor["factor"].as_str().unwrap_or(""),
            factor["level"].as_str().unwrap_or(""),
            points
        );
    }
    let Some(total) = rating["total"].as_u64() else {
        out += "  total      none: not exploitable in the intended environment; it fails no AVA_VAN level\n";
        return out;
    };
    let shown = match rating["resistance_shown"].as_str() {
        Some("No rating") | None => "none (no rating)".to_owned(),
        Some(level) => format!("resistant to {level}"),
    };
    out += &format!(
        "  total      {total}: attack potential {} needed; a TOE that falls to it shows: {shown}\n",
        rating["attack_potential"].as_str().unwrap_or("")
    );
    let levels: Vec<String> = rating["ava_van"]
        .as_array()
        .unwrap_or(&empty)
        .iter()
        .map(|level| {
            let verdict = if level["met"] == true {
                "met"
            } else {
                "FAILED"
            };
            format!("{} {verdict}", level["level"].as_str().unwrap_or(""))
        })
        .collect();
    out += &format!("  a TOE that falls to it: {}\n", levels.join(", "));
    out
}

/// `--scheme jil`: both phases' lists, rated on the unverified JIL tables.
fn jil(args: &RateArgs) -> std::process::ExitCode {
    let cem = [
        args.elapsed.is_some(),
        args.expertise.is_some(),
        args.knowledge.is_some(),
        args.window.is_some(),
        args.equipment.is_some(),
    ];
    if cem.contains(&true) {
        return crate::fail(anyhow::anyhow!(
            "--scheme jil rates --identification and --exploitation lists, not the CEM's factor flags"
        ));
    }
    let (Some(identification), Some(exploitation)) = (&args.identification, &args.exploitation)
    else {
        return crate::fail(anyhow::anyhow!(
            "--scheme jil needs --identification and --exploitation"
        ));
    };
    let phases = crate::jil::Phases {
        identification,
        exploitation,
    };
    match crate::jil::rate(&phases) {
        Ok(rating) => {
            let text = match args.format {
                crate::bench::Format::Json => format!("{rating:#}\n"),
                crate::bench::Format::Text => crate::jil::text(&rating),
            };
            crate::say_verdict(&text, std::process::ExitCode::SUCCESS)
        }
        Err(problem) => crate::fail(anyhow::anyhow!(problem)),
    }
}
