//! Insiders at the line against the site's own books: what each custody configuration
//! stops (the preventive claim) and what the path's reconciled books name (the
//! detective claim), side by side in one report.

use provsim_scenarios::{AttemptInfo, RunOptions, RunReport, Verdict, parse_str, run};

/// The default board line with an operator at the console and an insider running dies
/// beyond the order, judged by the preventive and the detective claim.
fn insiders(custody: &str, identity: &str) -> RunReport {
    let text = format!(
        r#"
[scenario]
name = "insiders"
title = "Insiders at the console and the station"
seed = 1

[site]
name = "provsim Test House"
customer = "Acme Sensors"
custody = "{custody}"

[secrets]
identity = "{identity}"

[line]
level = "board"
target = "mcu"
lock_debug = true

[[lot]]
name = "LOT-0001"
devices = 8

[[attack]]
id = "operator-console-certificate"
sample = 1

[[attack]]
id = "overproduction"
sample = 1

[[claim]]
id = "device-identity-authenticity"
resistance = "AVA_VAN.3"

[[claim]]
id = "illegitimate-identities-detected"
resistance = "AVA_VAN.3"
"#
    );
    let scenario = parse_str(&text, "insiders.toml").unwrap();
    run(&scenario, &RunOptions::new(1, None), &mut ()).unwrap()
}

fn attempt<'r>(report: &'r RunReport, attack: &str) -> &'r AttemptInfo {
    report
        .attempts
        .iter()
        .find(|a| a.attack == attack)
        .unwrap_or_else(|| panic!("no {attack} attempt"))
}

/// The key (hex) a violation's evidence names: "... for key <hex> that ...".
fn key_in(evidence: &str) -> &str {
    let at = evidence.find("for key ").expect("names a key") + "for key ".len();
    &evidence[at..at + 64]
}

#[test]
fn on_the_provisioners_hsm_both_insiders_succeed_and_the_books_name_each_identity() {
    let report = insiders("provisioner-hsm", "vault");
    let (preventive, detective) = (&report.claims[0], &report.claims[1]);
    assert_eq!(
        (preventive.control.as_str(), detective.control.as_str()),
        ("preventive", "detective")
    );
    assert_eq!(preventive.verdict, Verdict::Broken);
    assert_eq!(
        preventive.broken_by,
        ["operator-console-certificate", "overproduction"]
    );
    assert_eq!(detective.verdict, Verdict::Holds, "{:#?}", detective);
    assert_eq!(detective.attempts, 2);
    for attack in ["operator-console-certificate", "overproduction"] {
        let attempt = attempt(&report, attack);
        assert_eq!(attempt.outcome, "obtained", "{attack}");
        let evidence = &attempt.violates[0].evidence;
        let key = key_in(evidence);
        let named: Vec<_> = attempt.books.iter().filter(|f| f.contains(key)).collect();
        assert_eq!(named.len(), 1, "{attack}: {:#?}", attempt.books);
        assert!(named[0].starts_with("record "), "{}", named[0]);
    }
    assert!(attempt(&report, "overproduction").books[0].contains("neither shipped nor destroyed"));
}

#[test]
fn the_customers_hsm_refuses_both_when_it_makes_the_identities() {
    let report = insiders("customer-hsm", "vault");
    assert_eq!(report.verdict, Verdict::Holds);
    let console = attempt(&report, "operator-console-certificate");
    assert_eq!(console.outcome, "blocked");
    assert!(console.why.contains("refused"), "{}", console.why);
    let extra = attempt(&report, "overproduction");
    assert_eq!(extra.outcome, "blocked");
    assert!(
        extra.why.contains("count licence is spent"),
        "{}",
        extra.why
    );
    // Nothing was made off the order, so the books have nothing to name.
    assert!(console.books.is_empty() && extra.books.is_empty());
}

#[test]
fn with_device_made_identities_the_customers_hsm_certifies_the_operators_request_and_the_books_name_it()
 {
    let report = insiders("customer-hsm", "device");
    let preventive = &report.claims[0];
    assert_eq!(preventive.verdict, Verdict::Broken);
    assert_eq!(preventive.broken_by, ["operator-console-certificate"]);
    assert_eq!(report.claims[1].verdict, Verdict::Holds);
    let console = attempt(&report, "operator-console-certificate");
    assert!(console.why.contains("given a request"), "{}", console.why);
    let key = key_in(&console.violates[0].evidence);
    assert!(
        console
            .books
            .iter()
            .any(|f| f.contains(key) && f.contains("at the console")),
        "{:#?}",
        console.books
    );
    assert_eq!(attempt(&report, "overproduction").outcome, "blocked");
}

/// The vault backup's wrapping key is split 3 of 5: one custodian alone, and two,
/// open nothing; three colluding open it, and the path is rated by what all three
/// spent together (their elapsed times added), beyond the claimed AVA_VAN.3.
#[test]
fn each_custodian_alone_fails_where_a_colluding_quorum_succeeds() {
    let text = include_str!("../mcu-board-insider.toml").replace(
        "id = \"operator-console-certificate\"",
        "id = \"vault-backup-theft\"",
    );
    let scenario = parse_str(&text, "backup.toml").unwrap();
    let report = run(&scenario, &RunOptions::new(1, None), &mut ()).unwrap();
    let attempt = attempt(&report, "vault-backup-theft");
    let outcomes: Vec<(&str, &str)> = attempt
        .rungs
        .iter()
        .map(|r| (r.rung.as_str(), r.outcome.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("the backup file and one custodian's safe", "blocked"),
            ("the file and two custodians", "blocked"),
            ("the file and a colluding quorum of custodians", "obtained"),
        ]
    );
    assert!(
        attempt.rungs[1]
            .why
            .contains("do not rebuild the wrapping key")
    );
    let alone = attempt.rungs[0].total.expect("rated");
    let together = attempt.rungs[2].total.expect("rated");
    assert!(together > alone, "{alone} then {together}");
    let claim = &report.claims[1];
    assert_eq!(claim.id, "device-identity-authenticity");
    assert_eq!(claim.verdict, Verdict::Holds);
    assert_eq!(claim.residual_risk, ["vault-backup-theft"]);
}

/// A detective claim only device paths tried is inconclusive: they leave no trace in the
/// site's books, so nothing tested whether the books would catch them.
#[test]
fn a_detective_claim_no_site_path_tried_is_inconclusive() {
    let text = include_str!("../mcu-board-debug-open.toml").to_owned()
        + "\n[[claim]]\nid = \"illegitimate-identities-detected\"\nresistance = \"AVA_VAN.3\"\n";
    let scenario = parse_str(&text, "device-only.toml").unwrap();
    let report = run(&scenario, &RunOptions::new(1, None), &mut ()).unwrap();
    let claim = report
        .claims
        .iter()
        .find(|c| c.id == "illegitimate-identities-detected")
        .unwrap();
    assert_eq!(claim.verdict, Verdict::Inconclusive);
    assert_eq!(claim.attempts, 0);
    assert!(!report.attempts.is_empty());
}
