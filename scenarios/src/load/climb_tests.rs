//! `[[attack]]`'s climb: a pinned rung, `max_rung` and `budget`, and the errors each
//! gives where it is written.

use super::read::parse_str;
use provsim_attacks::effort::Effort;

const GOOD: &str = include_str!("../../mcu-board-provisioner-hsm.toml");

/// The shipped scenario with its first path (the debug probe on an MCU) replaced by the
/// CPA, with `extra` lines under it.
fn with_cpa(extra: &str) -> String {
    let text = GOOD.replace(
        "id = \"debug-port-readout\"\nsample = 4\n",
        &format!("id = \"cpa-storage-key\"\nsample = 4\n{extra}\n"),
    );
    assert_ne!(text, GOOD);
    text
}

fn labels(text: &str) -> Vec<String> {
    let scenario = parse_str(text, "s.toml").unwrap_or_else(|e| panic!("{e}"));
    scenario.attacks[0]
        .rungs(scenario.line.target)
        .into_iter()
        .map(|r| r.rung.label)
        .collect()
}

fn err(text: &str) -> String {
    match parse_str(text, "s.toml") {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_whole_ladder_is_climbed_unless_capped() {
    assert_eq!(labels(&with_cpa("")).len(), 10);
    assert_eq!(
        labels(&with_cpa("max_rung = 2")),
        [
            "100 traces per round, first order",
            "1000 traces per round, first order"
        ]
    );
    // On a stock MCU the first four first-order rungs rate 8 points (Basic); a million
    // traces per round rate 12.
    assert_eq!(labels(&with_cpa("budget = \"Basic\"")).len(), 4);
    assert_eq!(labels(&with_cpa("budget = 12")).len(), 5);
    assert_eq!(labels(&with_cpa("budget = \"Beyond High\"")).len(), 10);
    assert_eq!(
        labels(&with_cpa("rung = \"10000 traces per round, second order\"")),
        ["10000 traces per round, second order"]
    );
    // A pinned rung under a budget that admits it.
    assert_eq!(
        labels(&with_cpa(
            "rung = \"100 traces per round, first order\"\nbudget = \"Basic\""
        ))
        .len(),
        1
    );
}

#[test]
fn caps_that_cannot_be_climbed_are_refused_where_written() {
    let unknown = err(&with_cpa("rung = \"a million traces\""));
    assert!(unknown.contains("unknown rung"), "{unknown}");
    assert!(
        unknown.contains("100 traces per round, first order"),
        "{unknown}"
    );
    let zero = err(&with_cpa("max_rung = 0"));
    assert!(zero.contains("at least 1"), "{zero}");
    let band = err(&with_cpa("budget = \"Mighty\""));
    assert!(band.contains("unknown budget"), "{band}");
    assert!(band.contains("Enhanced-Basic"), "{band}");
    let poor = err(&with_cpa("budget = 5"));
    assert!(poor.contains("no rung"), "{poor}");
    assert!(poor.contains("8 points"), "{poor}");
    let pinned_over = err(&with_cpa(
        "rung = \"100 traces per round, second order\"\nbudget = \"Basic\"",
    ));
    assert!(
        pinned_over.contains("over the budget of 9"),
        "{pinned_over}"
    );
    assert!(pinned_over.contains("15 points"), "{pinned_over}");
    // Each error points at the line it is about.
    let line = with_cpa("budget = 5")
        .lines()
        .position(|l| l.starts_with("budget"))
        .unwrap()
        + 1;
    assert!(poor.starts_with(&format!("s.toml:{line}:")), "{poor}");
}

/// The plan a pinned rung runs is the attack's own, whatever the cap.
#[test]
fn a_pinned_rung_runs_the_attack_s_plan() {
    let scenario = parse_str(
        &with_cpa("rung = \"1000 traces per round, first order\""),
        "s.toml",
    )
    .unwrap();
    let rungs = scenario.attacks[0].rungs(scenario.line.target);
    let plan: &Effort = &rungs[0].rung.plan;
    assert_eq!(plan.count, 2 * 1_000 + 16);
    assert_eq!(plan.order, 1);
    assert_eq!(
        rungs[0].at, 1,
        "its place in the attack's own list names its stream"
    );
}

#[test]
fn climbing_past_success_is_asked_for_by_name() {
    let past = parse_str(&with_cpa("stop_at_success = false"), "s.toml").unwrap();
    assert!(past.attacks[0].climb.past_success);
    let stop = parse_str(&with_cpa("stop_at_success = true"), "s.toml").unwrap();
    assert!(!stop.attacks[0].climb.past_success);
    assert!(
        !parse_str(&with_cpa(""), "s.toml").unwrap().attacks[0]
            .climb
            .past_success
    );
    let wrong = err(&with_cpa("stop_at_success = \"no\""));
    assert!(wrong.contains("s.toml:"), "{wrong}");
}
