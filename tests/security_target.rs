//! Claims stated as a Security Target: a scenario's own claims over library oracles,
//! one or more per essential element and for the site, each named in the report with
//! its requirement and element, none inconclusive; and the loader's refusals.

mod common;

use common::{code, repo, report_json, run_into, run_text, stderr};
use std::fs;

#[test]
fn the_shipped_security_target_states_every_element_and_none_is_inconclusive() {
    let (dir, output) = run_into(Some("mcu-board-security-target"), None);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = report_json(dir.path());
    let claims = report["claims"].as_array().unwrap();
    let mut elements: Vec<&str> = claims
        .iter()
        .map(|c| c["element"].as_str().unwrap())
        .collect();
    elements.sort_unstable();
    elements.dedup();
    assert_eq!(
        elements,
        [
            "authentication",
            "secure code execution",
            "secure connections",
            "secure storage",
            "site"
        ]
    );
    for claim in claims {
        assert_eq!(claim["verdict"], "holds", "{claim:#}");
        assert!(claim["attempts"].as_u64().unwrap() > 0, "{claim:#}");
        assert!(claim["id"].as_str().unwrap().starts_with("st-"));
        assert!(claim.get("requirement_free").is_none());
    }
    let keys = claims
        .iter()
        .find(|c| c["id"] == "st-keys-at-rest")
        .unwrap();
    assert_eq!(keys["requirement"], "FDP_SDC.1 stored data confidentiality");
    assert_eq!(keys["oracle"], "identity-keys-secret");
    let markdown = fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(markdown.contains("- Requirement: FTP_ITC.1 inter-TSF trusted channel"));
    assert!(markdown.contains("- Element: secure connections; oracle `identity-keys-secret`"));
}

/// Claim `id` of a report.json.
fn claim_of(report: &serde_json::Value, id: &str) -> serde_json::Value {
    report["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no claim {id}"))
        .clone()
}

/// The default scenario with its first claim replaced by `claim`.
fn with_claim(claim: &str) -> String {
    let text = fs::read_to_string(repo().join("scenarios/mcu-board-provisioner-hsm.toml")).unwrap();
    text.replacen(
        "[[claim]]\nid = \"identity-key-confidentiality\"\nresistance = \"AVA_VAN.4\"",
        claim,
        1,
    )
}

#[test]
fn a_free_requirement_is_marked_and_mistakes_are_named() {
    let (dir, output) = run_text(&with_claim(
        "[[claim]]\nid = \"ours\"\noracle = \"identity-keys-secret\"\nfree_requirement = \"Keys stay in the part\"\nelement = \"secure-storage\"\nresistance = \"AVA_VAN.2\"",
    ));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let report = report_json(&dir.path().join("out"));
    let ours = report["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "ours")
        .unwrap()
        .clone();
    assert_eq!(ours["requirement"], "Keys stay in the part");
    assert_eq!(ours["requirement_free"], true);
    let markdown = fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    assert!(markdown.contains("Keys stay in the part (a free name: not one provsim lists)"));

    for (claim, says) in [
        (
            "[[claim]]\nid = \"x\"\noracle = \"identity-keys-secret\"\nrequirement = \"FDP_SDC.9\"\nelement = \"secure-storage\"\nresistance = \"AVA_VAN.2\"",
            "unknown requirement `FDP_SDC.9`, expected one of: ALC_DVS.1",
        ),
        (
            "[[claim]]\nid = \"Keys | ## forged\"\noracle = \"identity-keys-secret\"\nrequirement = \"FDP_SDC.1\"\nelement = \"secure-storage\"\nresistance = \"AVA_VAN.2\"",
            "lowercase letters, digits and hyphens",
        ),
        (
            "[[claim]]\nid = \"x\"\noracle = \"identity-keys-secret\"\nfree_requirement = \"FDP_SDC.1\"\nelement = \"site\"\nresistance = \"AVA_VAN.2\"",
            "is one provsim lists",
        ),
        (
            "[[claim]]\nid = \"x\"\noracle = \"identity-keys-secret\"\nfree_requirement = \"a\\n## b\"\nelement = \"site\"\nresistance = \"AVA_VAN.2\"",
            "one line of 1 to 200 characters",
        ),
        (
            "[[claim]]\nid = \"x\"\noracle = \"keys-are-safe\"\nrequirement = \"FDP_SDC.1\"\nelement = \"secure-storage\"\nresistance = \"AVA_VAN.2\"",
            "unknown oracle `keys-are-safe`",
        ),
        (
            "[[claim]]\nid = \"x\"\noracle = \"identity-keys-secret\"\nrequirement = \"FDP_SDC.1\"\nresistance = \"AVA_VAN.2\"",
            "needs `element = \"...\"`",
        ),
        (
            "[[claim]]\nid = \"x\"\noracle = \"identity-keys-secret\"\nrequirement = \"FDP_SDC.1\"\nelement = \"storage\"\nresistance = \"AVA_VAN.2\"",
            "unknown element `storage`",
        ),
        (
            "[[claim]]\nid = \"identity-key-confidentiality\"\nrequirement = \"FDP_SDC.1\"\nresistance = \"AVA_VAN.2\"",
            "is the library's",
        ),
        (
            "[[claim]]\nid = \"firmware-authenticity\"\noracle = \"identity-keys-secret\"\nrequirement = \"FDP_SDC.1\"\nelement = \"site\"\nresistance = \"AVA_VAN.2\"",
            "a library claim's id",
        ),
    ] {
        let (_, output) = run_text(&with_claim(claim));
        assert_eq!(code(&output), 2, "{claim}");
        assert!(
            stderr(&output).contains(says),
            "{claim}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).contains(".toml:"), "{}", stderr(&output));
    }
}

/// The claims x attacks matrix says what each path did to each claim, as the verdicts
/// rest on it: the console path broke the preventive identity claim within AVA_VAN.3,
/// the backup's quorum only beyond it, and a field path cannot test the site's books.
#[test]
fn the_matrix_says_what_each_path_did_to_each_claim() {
    let (dir, output) = run_into(Some("mcu-board-supply-chain"), None);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let report = report_json(dir.path());
    let status = |claim: &str, attack: &str| -> String {
        let row = report["applicability"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["claim"] == claim)
            .unwrap_or_else(|| panic!("no row {claim}"));
        let cell = row["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["attack"] == attack)
            .unwrap_or_else(|| panic!("no cell {attack}"));
        cell["status"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        status(
            "device-identity-authenticity",
            "operator-console-certificate"
        ),
        "broken"
    );
    assert_eq!(
        status("device-identity-authenticity", "vault-backup-theft"),
        "residual risk"
    );
    // The link path can come away with keys, never with a certificate: it tests the
    // keys' claim and not the identities'.
    assert_eq!(
        status("device-identity-authenticity", "link-man-in-the-middle"),
        "not applicable"
    );
    assert_eq!(
        status("identity-key-confidentiality", "link-man-in-the-middle"),
        "resisted"
    );
    assert_eq!(
        status("illegitimate-identities-detected", "identity-cloning"),
        "not applicable"
    );
    let rows = report["applicability"].as_array().unwrap();
    assert_eq!(rows.len(), report["claims"].as_array().unwrap().len());
    let markdown = fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(markdown.contains("What each attack path did to each claim:"));
    assert!(markdown.contains(
        "- `device-identity-authenticity` x `link-man-in-the-middle`: not applicable: it can come away with an identity key or a symmetric key; only a vouched-for identity makes no-counterfeit-identity false"
    ));
}

/// A claim's parameters decide what it speaks for, in a real run: the debug probe on the
/// first lot's devices breaks the keys' claim for that lot, and says nothing about the
/// second lot's (inconclusive, not "holds"); a symmetric-key claim for a key the probe
/// dumps is broken, and the markdown names each claim's scope.
#[test]
fn parameters_narrow_a_claim_to_its_lots_and_keys() {
    let base = fs::read_to_string(repo().join("scenarios/mcu-board-debug-open.toml")).unwrap();
    let text = base
        .replace(
            "[[lot]]\nname = \"LOT-0001\"\ndevices = 8\n",
            "[secrets]\nidentity = \"vault\"\nsymmetric_keys = [\"storage\", \"debug\"]\n\n[[lot]]\nname = \"LOT-0001\"\ndevices = 8\n\n[[lot]]\nname = \"LOT-0002\"\ndevices = 4\n",
        )
        .replace(
            "id = \"debug-port-readout\"\nsample = 4\n",
            "id = \"debug-port-readout\"\ndevices = [0, 1]\n",
        );
    let text = format!(
        "{text}\nlots = [\"LOT-0001\"]\n\n\
         [[claim]]\nid = \"second-lot-keys\"\noracle = \"identity-keys-secret\"\nrequirement = \"FDP_SDC.1\"\nelement = \"secure-storage\"\nresistance = \"AVA_VAN.3\"\nlots = [\"LOT-0002\"]\n\n\
         [[claim]]\nid = \"debug-key\"\noracle = \"symmetric-keys-secret\"\nrequirement = \"FDP_SDC.1\"\nelement = \"secure-storage\"\nresistance = \"AVA_VAN.3\"\nsecrets = [\"debug\"]\n"
    );
    let (dir, output) = run_text(&text);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let report = report_json(&dir.path().join("out"));
    let verdict = |id: &str| claim_of(&report, id);
    let first = verdict("identity-key-confidentiality");
    assert_eq!(first["verdict"], "broken", "{first:#}");
    assert_eq!(first["scope"], "lots LOT-0001");
    let second = verdict("second-lot-keys");
    assert_eq!(second["verdict"], "inconclusive", "{second:#}");
    assert_eq!(second["attempts"], 0);
    assert!(
        second["inconclusive"]
            .as_str()
            .unwrap()
            .contains("outside the claim's lots"),
        "{second:#}"
    );
    let cell = &report["applicability"][1]["cells"][0];
    assert_eq!(cell["status"], "out of scope", "{cell:#}");
    assert!(
        cell["why"]
            .as_str()
            .unwrap()
            .contains("is in none of the claim's lots (LOT-0002)"),
        "{cell:#}"
    );
    // The probe's attempts on LOT-0001 record no violation of the second lot's claim.
    for attempt in report["attempts"].as_array().unwrap() {
        assert!(
            !attempt.to_string().contains("second-lot-keys"),
            "{attempt:#}"
        );
    }
    let debug = verdict("debug-key");
    assert_eq!(debug["verdict"], "broken", "{debug:#}");
    assert!(
        debug["evidence"][0]
            .as_str()
            .unwrap()
            .contains("symmetric key `debug`"),
        "{debug:#}"
    );
    let markdown = fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    assert!(markdown.contains("- Scope: lots LOT-0002"), "{markdown}");
    assert!(markdown.contains("- Scope: secrets debug"), "{markdown}");
}

/// A process claim with no site path to test it rests on the honest run alone: a run
/// of perfect yields had nothing but shipments to account for (inconclusive, saying
/// so); one that refused parts and destroyed their keys exercised the books (holds).
#[test]
fn a_process_claim_rests_on_the_honest_run_only_when_it_exercised_the_books() {
    let base = fs::read_to_string(repo().join("scenarios/mcu-board-debug-open.toml")).unwrap();
    let with_books =
        format!("{base}\n[[claim]]\nid = \"site-books-balance\"\nresistance = \"AVA_VAN.3\"\n");
    let books = |report: &serde_json::Value| claim_of(report, "site-books-balance");
    let (dir, output) = run_text(&with_books);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let idle = books(&report_json(&dir.path().join("out")));
    assert_eq!(idle["verdict"], "inconclusive", "{idle:#}");
    assert!(
        idle["inconclusive"]
            .as_str()
            .unwrap()
            .contains("the honest run never exercised it"),
        "{idle:#}"
    );
    assert!(
        idle["honest_run"]
            .as_str()
            .unwrap()
            .starts_with("not exercised: "),
        "{idle:#}"
    );

    let refusing = with_books.replacen("[returns]", "[yield]\nboard = 0.5\n\n[returns]", 1);
    assert_ne!(refusing, with_books);
    let (dir, output) = run_text(&refusing);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let exercised = books(&report_json(&dir.path().join("out")));
    assert_eq!(exercised["verdict"], "holds", "{exercised:#}");
    assert_eq!(exercised["attempts"], 0);
    assert!(
        exercised["honest_run"]
            .as_str()
            .unwrap()
            .starts_with("exercised: the honest run's books balance, with "),
        "{exercised:#}"
    );
    let markdown = fs::read_to_string(dir.path().join("out/report.md")).unwrap();
    assert!(
        markdown.contains("no attack tested it: it rests on the honest run's exercise alone"),
        "{markdown}"
    );
}

/// `provsim list oracles` says what each oracle takes: a statement about one device's
/// secrets takes lots (and, for symmetric keys, which keys); one about the whole site
/// takes none, as the loader enforces.
#[test]
fn list_oracles_says_which_parameters_each_takes() {
    let output = common::provsim(&["list", "oracles"]);
    assert_eq!(code(&output), 0);
    let text = common::stdout(&output);
    let block = |oracle: &str| -> String {
        let start = text
            .find(&format!("  {oracle} ("))
            .unwrap_or_else(|| panic!("{oracle}: {text}"));
        text[start..].lines().take(5).collect::<Vec<_>>().join("\n")
    };
    assert!(
        block("symmetric-keys-secret").contains(
            "parameters: lots (names from [[lot]]), secrets (names from [secrets] symmetric_keys)"
        ),
        "{text}"
    );
    assert!(
        block("books-balance").contains("parameters: none: it speaks for the whole site"),
        "{text}"
    );
    assert!(
        block("identity-keys-secret").contains("parameters: lots (names from [[lot]])\n")
            || block("identity-keys-secret").ends_with("parameters: lots (names from [[lot]])"),
        "{text}"
    );
}
