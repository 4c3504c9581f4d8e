//! `provsim rate --scheme jil`: JIL's smart-card attack-potential scheme, a factor list
//! per phase (`--identification`, `--exploitation`), on the tables in
//! `provsim_attacks::jil`, which are unverified: every output says so.

use provsim_attacks::AvaVan;
use provsim_attacks::jil::{FACTORS, Factor, Level, Points, UNVERIFIED, meets, resistance};
use serde_json::{Value, json};

/// The two phases' factor lists as given on the command line.
pub struct Phases<'a> {
    pub identification: &'a str,
    pub exploitation: &'a str,
}

/// The rating as one JSON object, or what is wrong with the lists.
pub fn rate(phases: &Phases<'_>) -> Result<Value, String> {
    let identification = phase("identification", phases.identification, true)?;
    let exploitation = phase("exploitation", phases.exploitation, false)?;
    let sum = |rows: &[Value]| -> Option<u64> { rows.iter().map(|r| r["points"].as_u64()).sum() };
    let total = sum(&identification)
        .zip(sum(&exploitation))
        .map(|(a, b)| a + b);
    let ava_van: Vec<Value> = AvaVan::ALL
        .iter()
        .map(|&level| {
            // A path that is not practical fails no level.
            let met = total.is_none_or(|t| meets(t as u32, level));
            json!({ "level": level.name(), "met": met })
        })
        .collect();
    Ok(json!({
        "scheme": "JIL Application of Attack Potential to Smartcards",
        "status": UNVERIFIED,
        "identification": identification,
        "exploitation": exploitation,
        "total": total,
        "exploitable": total.is_some(),
        "resistance_shown": total.map(|t| resistance(t as u32).unwrap_or("No rating")),
        "ava_van": ava_van,
    }))
}

/// One phase's list, `factor=level,...`, every factor of the phase given once.
fn phase(name: &str, list: &str, identification: bool) -> Result<Vec<Value>, String> {
    let mut given: Vec<(&Factor, &Level)> = Vec::new();
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let Some((key, value)) = item.split_once('=') else {
            return Err(format!("--{name}: `{item}` is not factor=level"));
        };
        let Some(factor) = FACTORS.iter().find(|f| f.key == key.trim()) else {
            let known: Vec<&str> = FACTORS.iter().map(|f| f.key).collect();
            return Err(format!(
                "--{name}: unknown factor `{key}`, expected one of: {}",
                known.join(", ")
            ));
        };
        if factor.identification_only && !identification {
            return Err(format!(
                "--{name}: `{key}` is rated in the identification phase only"
            ));
        }
        let Some(level) = factor.levels.iter().find(|l| l.key == value.trim()) else {
            let known: Vec<&str> = factor.levels.iter().map(|l| l.key).collect();
            return Err(format!(
                "--{name}: `{value}` is not a level of {key}; expected one of: {}",
                known.join(", ")
            ));
        };
        if given.iter().any(|(f, _)| f.key == factor.key) {
            return Err(format!("--{name}: {key} is given twice"));
        }
        given.push((factor, level));
    }
    let mut rows = Vec::new();
    for factor in FACTORS
        .iter()
        .filter(|f| identification || !f.identification_only)
    {
        let Some((_, level)) = given.iter().find(|(f, _)| f.key == factor.key) else {
            return Err(format!("--{name}: give {}=LEVEL", factor.key));
        };
        let points = match if identification {
            level.identification
        } else {
            level.exploitation
        } {
            Points::Some(p) => Some(p),
            Points::NotPractical => None,
            Points::NotApplicable => {
                return Err(format!(
                    "--{name}: {}={} is not rated in this phase",
                    factor.key, level.key
                ));
            }
        };
        rows.push(json!({
            "factor": factor.key,
            "value": level.key,
            "level": level.label,
            "points": points,
        }));
    }
    Ok(rows)
}

/// The rating for people.
pub fn text(rating: &Value) -> String {
    let field = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let mut out = format!(
        "provsim rate: {} ({})\n",
        field(&rating["scheme"]),
        field(&rating["status"])
    );
    let empty = Vec::new();
    for phase in ["identification", "exploitation"] {
        out += &format!("  {phase}:\n");
        for row in rating[phase].as_array().unwrap_or(&empty) {
            let points = row["points"]
                .as_u64()
                .map_or_else(|| "-".to_owned(), |p| p.to_string());
            out += &format!(
                "    {:<13} {:<30} {points:>3}\n",
                field(&row["factor"]),
                field(&row["level"])
            );
        }
    }
    match rating["total"].as_u64() {
        None => out += "  total      none: not practical; it fails no AVA_VAN level\n",
        Some(total) => {
            out += &format!(
                "  total      {total}: a TOE that falls to it shows resistance: {}\n",
                field(&rating["resistance_shown"])
            );
            let levels: Vec<String> = rating["ava_van"]
                .as_array()
                .unwrap_or(&empty)
                .iter()
                .map(|l| {
                    let verdict = if l["met"] == true { "met" } else { "FAILED" };
                    format!("{} {verdict}", field(&l["level"]))
                })
                .collect();
            out += &format!("  a TOE that falls to it: {}\n", levels.join(", "));
        }
    }
    out
}
