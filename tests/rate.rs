//! `provsim rate` as an evaluator runs it. Every expected value is a literal from the
//! CEM v3.1 R5 Annex B.4 tables (the factor table and the rating table), typed here
//! from the CEM, never read from provsim's own tables.

mod common;

use serde_json::Value;

fn rate(elapsed: &str, expertise: &str, knowledge: &str, window: &str, equipment: &str) -> Value {
    let factors = [elapsed, expertise, knowledge, window, equipment];
    let output = common::rate(factors, &["--format", "json"]);
    assert_eq!(common::code(&output), 0, "{}", common::stderr(&output));
    serde_json::from_str(&common::stdout(&output)).expect("one JSON object")
}

/// A band case: the five factor values, then the total, the potential the path needs,
/// the resistance a TOE that falls to it shows, and the AVA_VAN levels it still meets.
type BandCase = (
    [&'static str; 5],
    u64,
    &'static str,
    &'static str,
    &'static [u64],
);

/// The AVA_VAN levels a TOE that falls to the path still meets, as numbers.
fn met(rating: &Value) -> Vec<u64> {
    rating["ava_van"]
        .as_array()
        .expect("ava_van")
        .iter()
        .filter(|level| level["met"] == true)
        .map(|level| {
            let name = level["level"].as_str().expect("a name");
            name.trim_start_matches("AVA_VAN.")
                .parse()
                .expect("a level")
        })
        .collect()
}

/// The rating table at both sides of every band boundary: the total, the potential the
/// path needs, the resistance a TOE that falls to it shows, the levels it still meets.
#[test]
fn every_band_boundary_of_the_rating_table() {
    let cases: [BandCase; 8] = [
        (
            ["<=2w", "expert", "public", "easy", "standard"],
            9,
            "Basic",
            "No rating",
            &[],
        ),
        (
            ["<=1m", "expert", "public", "unnecessary", "standard"],
            10,
            "Enhanced-Basic",
            "Basic",
            &[1, 2],
        ),
        (
            ["<=4m", "layman", "public", "unnecessary", "standard"],
            13,
            "Enhanced-Basic",
            "Basic",
            &[1, 2],
        ),
        (
            ["<=1m", "proficient", "sensitive", "unnecessary", "standard"],
            14,
            "Moderate",
            "Enhanced-Basic",
            &[1, 2, 3],
        ),
        (
            [">6m", "layman", "public", "unnecessary", "standard"],
            19,
            "Moderate",
            "Enhanced-Basic",
            &[1, 2, 3],
        ),
        (
            ["<=1m", "expert", "restricted", "unnecessary", "bespoke"],
            20,
            "High",
            "Moderate",
            &[1, 2, 3, 4],
        ),
        (
            ["<=2m", "expert", "restricted", "easy", "bespoke"],
            24,
            "High",
            "Moderate",
            &[1, 2, 3, 4],
        ),
        (
            [
                "<=3m",
                "multiple-experts",
                "restricted",
                "unnecessary",
                "specialised",
            ],
            25,
            "Beyond High",
            "High",
            &[1, 2, 3, 4, 5],
        ),
    ];
    for ([e, x, k, w, q], total, potential, resistance, levels) in cases {
        let rating = rate(e, x, k, w, q);
        assert_eq!(rating["total"], total, "{rating:#}");
        assert_eq!(rating["exploitable"], true);
        assert_eq!(rating["attack_potential"], potential, "total {total}");
        assert_eq!(rating["resistance_shown"], resistance, "total {total}");
        assert_eq!(met(&rating), levels, "total {total}");
    }
}

/// A window of "none": the path is not exploitable, has no total, and fails no level.
#[test]
fn a_window_of_none_is_not_exploitable() {
    let rating = rate(
        ">6m",
        "multiple-experts",
        "critical",
        "none",
        "multiple-bespoke",
    );
    assert_eq!(rating["total"], Value::Null);
    assert_eq!(rating["exploitable"], false);
    assert_eq!(rating["attack_potential"], Value::Null);
    assert_eq!(rating["resistance_shown"], Value::Null);
    assert_eq!(met(&rating), [1, 2, 3, 4, 5]);
    let window = &rating["factors"][3];
    assert_eq!(window["factor"], "window");
    assert_eq!(window["points"], Value::Null);
}

/// The factor table, row by row: each level's points with every other factor at 0.
#[test]
fn every_row_of_the_factor_table() {
    let zero = ["<=1d", "layman", "public", "unnecessary", "standard"];
    let rows: [(usize, &[(&str, u64)]); 5] = [
        (
            0,
            &[
                ("<=1d", 0),
                ("<=1w", 1),
                ("<=2w", 2),
                ("<=1m", 4),
                ("<=2m", 7),
                ("<=3m", 10),
                ("<=4m", 13),
                ("<=5m", 15),
                ("<=6m", 17),
                (">6m", 19),
            ],
        ),
        (
            1,
            &[
                ("layman", 0),
                ("proficient", 3),
                ("expert", 6),
                ("multiple-experts", 8),
            ],
        ),
        (
            2,
            &[
                ("public", 0),
                ("restricted", 3),
                ("sensitive", 7),
                ("critical", 11),
            ],
        ),
        (
            3,
            &[
                ("unnecessary", 0),
                ("easy", 1),
                ("moderate", 4),
                ("difficult", 10),
            ],
        ),
        (
            4,
            &[
                ("standard", 0),
                ("specialised", 4),
                ("bespoke", 7),
                ("multiple-bespoke", 9),
            ],
        ),
    ];
    for (factor, levels) in rows {
        for (value, points) in levels {
            let mut args = zero;
            args[factor] = value;
            let rating = rate(args[0], args[1], args[2], args[3], args[4]);
            assert_eq!(rating["factors"][factor]["points"], *points, "{value}");
            assert_eq!(rating["factors"][factor]["value"], *value);
            assert_eq!(rating["total"], *points, "{value}");
        }
    }
    // The largest total the table allows.
    let most = rate(
        ">6m",
        "multiple-experts",
        "critical",
        "difficult",
        "multiple-bespoke",
    );
    assert_eq!(most["total"], 57);
}

/// People get the same figures; an unknown or missing value is a usage error (2)
/// that lists the values allowed.
#[test]
fn text_output_and_bad_values() {
    let output = common::rate(["<=2m", "expert", "restricted", "easy", "bespoke"], &[]);
    assert_eq!(common::code(&output), 0);
    let text = common::stdout(&output);
    assert!(
        text.contains("total      24: attack potential High needed"),
        "{text}"
    );
    assert!(text.contains("shows: resistant to Moderate"), "{text}");
    assert!(text.contains("AVA_VAN.4 met, AVA_VAN.5 FAILED"), "{text}");

    let unknown = common::rate(["<=7m", "expert", "public", "easy", "standard"], &[]);
    assert_eq!(common::code(&unknown), 2);
    let error = common::stderr(&unknown);
    assert!(error.contains("<=7m") && error.contains("<=6m"), "{error}");

    // Without the shell's redirection characters: the same levels.
    for (plain, points) in [("2m", 7), ("6m+", 19), ("1d", 0)] {
        let rating = rate(plain, "layman", "public", "unnecessary", "standard");
        assert_eq!(rating["total"], points, "{plain}");
    }

    let missing = common::provsim(&["rate", "--elapsed", "<=1d"]);
    assert_eq!(common::code(&missing), 2);
    assert!(common::stderr(&missing).contains("--expertise"));
}

/// The README's example and its JSON are what `provsim rate` prints.
#[test]
fn the_readme_shows_what_rate_prints() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).expect("README");
    let section = readme
        .split("## Rating an attack path")
        .nth(1)
        .expect("the README's rate section");
    let command = section
        .lines()
        .find(|line| line.starts_with("provsim rate "))
        .expect("an example command");
    let json = section
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a JSON example");
    let documented: Value = serde_json::from_str(json).expect("the README's JSON parses");
    // The shell's quotes around `<=2m` are the shell's, not provsim's.
    let command = command.replace('\'', "");
    let mut args: Vec<&str> = command.split_whitespace().skip(1).collect();
    args.extend(["--format", "json"]);
    let output = common::provsim(&args);
    assert_eq!(common::code(&output), 0, "{}", common::stderr(&output));
    let printed: Value = serde_json::from_str(&common::stdout(&output)).expect("JSON");
    assert_eq!(printed, documented);
}

/// A scenario's claim stated at an EAL: report.json keeps the AVA_VAN level it is
/// judged at and says what it was stated as; the run's lines and report.md say both.
#[test]
fn a_claim_stated_at_an_eal_is_reported_as_stated() {
    let dir = tempfile::tempdir().expect("a folder");
    let scenario = common::default_scenario_with(
        dir.path(),
        "eal.toml",
        r#"resistance = "AVA_VAN.4""#,
        r#"resistance = "EAL5""#,
    );
    let out = dir.path().join("out");
    let output = common::provsim(&[
        "run",
        scenario.to_str().expect("UTF-8"),
        "--out",
        out.to_str().expect("UTF-8"),
    ]);
    assert_eq!(common::code(&output), 0, "{}", common::stderr(&output));
    let report = common::report_json(&out);
    assert_eq!(report["claims"][0]["resistance"], "AVA_VAN.4");
    assert_eq!(report["claims"][0]["stated_as"], "EAL5");
    assert!(report["claims"][1].get("stated_as").is_none());
    assert!(common::stdout(&output).contains("(EAL5, judged at AVA_VAN.4)"));
    let markdown = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(markdown.contains("EAL5, judged at AVA_VAN.4"), "{markdown}");
}

/// JIL's scheme: both phases' points added, every output marked unverified, a factor
/// that is not practical leaves no total, and bad lists are usage errors.
#[test]
fn the_jil_scheme_adds_both_phases_and_says_it_is_unverified() {
    let jil = |identification: &str, exploitation: &str| {
        common::provsim(&[
            "rate",
            "--scheme",
            "jil",
            "--identification",
            identification,
            "--exploitation",
            exploitation,
            "--format",
            "json",
        ])
    };
    let id = "elapsed=<1w,expertise=expert,knowledge=restricted,access=<10,equipment=specialised,open-samples=public";
    let ex = "elapsed=<1d,expertise=proficient,knowledge=public,access=<10,equipment=specialised";
    let output = jil(id, ex);
    assert_eq!(common::code(&output), 0, "{}", common::stderr(&output));
    let rating: Value = serde_json::from_str(&common::stdout(&output)).expect("JSON");
    assert!(rating["status"].as_str().unwrap().starts_with("unverified"));
    let sum = |phase: &str| -> u64 {
        rating[phase]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["points"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(
        rating["total"].as_u64(),
        Some(sum("identification") + sum("exploitation"))
    );
    assert_eq!(rating["identification"].as_array().unwrap().len(), 6);
    assert_eq!(rating["exploitation"].as_array().unwrap().len(), 5);
    let text = common::stdout(&common::provsim(&[
        "rate",
        "--scheme",
        "jil",
        "--identification",
        id,
        "--exploitation",
        ex,
    ]));
    assert!(text.contains("unverified"), "{text}");

    let impractical = jil(id, &ex.replace("access=<10", "access=not-practical"));
    assert_eq!(common::code(&impractical), 0);
    let rating: Value = serde_json::from_str(&common::stdout(&impractical)).expect("JSON");
    assert!(rating["total"].is_null());
    assert_eq!(rating["exploitable"], false);

    for (identification, exploitation, expected) in [
        (id, "elapsed=<1d", "give expertise"),
        (
            id,
            &format!("{ex},open-samples=public") as &str,
            "identification phase only",
        ),
        (
            id,
            &ex.replace("knowledge=public", "knowledge=very-critical") as &str,
            "not rated in this phase",
        ),
        (
            &id.replace("expert,", "guru,") as &str,
            ex,
            "not a level of expertise",
        ),
    ] {
        let output = jil(identification, exploitation);
        assert_eq!(common::code(&output), 2);
        assert!(
            common::stderr(&output).contains(expected),
            "{}",
            common::stderr(&output)
        );
    }
    // The two schemes' arguments do not mix.
    let mixed = common::provsim(&["rate", "--scheme", "jil", "--elapsed", "1d"]);
    assert_eq!(common::code(&mixed), 2);
    assert!(common::stderr(&mixed).contains("not the CEM's factor flags"));
    let half = common::provsim(&["rate", "--elapsed", "1d"]);
    assert_eq!(common::code(&half), 2);
    assert!(common::stderr(&half).contains("needs every factor"));
}
