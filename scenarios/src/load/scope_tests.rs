//! A `[[claim]]`'s parameters: what each covers once read, and the errors each gives
//! where it is written.

use super::read::parse_str;

const GOOD: &str = include_str!("../../mcu-board-provisioner-hsm.toml");

/// The shipped scenario with a second lot, a second symmetric key beside the storage
/// key, and `claims` in place of its own.
fn with_claims(claims: &str) -> String {
    let text = GOOD
        .replace(
            "[[lot]]\nname = \"LOT-0001\"\ndevices = 8\n",
            "[[lot]]\nname = \"LOT-0001\"\ndevices = 8\n\n[[lot]]\nname = \"LOT-0002\"\ndevices = 4\n\n[secrets]\nidentity = \"vault\"\nsymmetric_keys = [\"storage\", \"debug\"]\n",
        );
    let cut = text.find("[[claim]]").expect("a claim");
    format!("{}{claims}", &text[..cut])
}

fn err(text: &str) -> String {
    match parse_str(text, "s.toml") {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn parameters_narrow_a_claim_to_lots_and_keys() {
    let text = with_claims(
        "[[claim]]\nid = \"device-secret-confidentiality\"\nresistance = \"AVA_VAN.3\"\nlots = [\"LOT-0002\"]\nsecrets = [\"debug\"]\n\n\
         [[claim]]\nid = \"identity-key-confidentiality\"\nresistance = \"AVA_VAN.3\"\n",
    );
    let scenario = parse_str(&text, "s.toml").unwrap_or_else(|e| panic!("{e}"));
    let scope = &scenario.claims[0].scope;
    assert_eq!(scope.lots.len(), 1);
    assert_eq!(
        (scope.lots[0].name.as_str(), scope.lots[0].number),
        ("LOT-0002", 2)
    );
    assert_eq!(scope.lots[0].devices, 8..12);
    assert_eq!(scope.secrets, ["debug"]);
    assert!(!scope.covers_device(7) && scope.covers_device(8));
    assert_eq!(scenario.claims[1].scope.describe(), None);
}

#[test]
fn bad_parameters_are_refused_where_they_stand() {
    let claim = |extra: &str| {
        with_claims(&format!(
            "[[claim]]\nid = \"device-secret-confidentiality\"\nresistance = \"AVA_VAN.3\"\n{extra}\n"
        ))
    };
    let e = err(&claim("lots = [\"LOT-0009\"]"));
    assert!(
        e.contains("unknown lot") && e.contains("LOT-0001, LOT-0002"),
        "{e}"
    );
    assert!(e.starts_with("s.toml:"), "{e}");
    let e = err(&claim("secrets = [\"firmware\"]"));
    assert!(
        e.contains("unknown symmetric key") && e.contains("storage, debug"),
        "{e}"
    );
    let e = err(&claim("lots = []"));
    assert!(e.contains("`lots` names at least one"), "{e}");
    let e = err(&claim("secrets = [\"debug\", \"debug\"]"));
    assert!(e.contains("`debug` is given twice"), "{e}");
    // A statement about the whole site takes no lots.
    let site = with_claims(
        "[[claim]]\nid = \"site-books-balance\"\nresistance = \"AVA_VAN.3\"\nlots = [\"LOT-0001\"]\n",
    );
    let e = err(&site);
    assert!(
        e.contains(
            "oracle `books-balance` takes no `lots`: no parameters: it speaks for the whole site"
        ),
        "{e}"
    );
    // Keys to name, but none to name them from.
    let bare = GOOD.replace(
        "[[claim]]\nid = \"identity-key-confidentiality\"\nresistance = \"AVA_VAN.4\"\n",
        "[[claim]]\nid = \"device-secret-confidentiality\"\nresistance = \"AVA_VAN.4\"\nsecrets = [\"storage\"]\n",
    );
    assert_ne!(bare, GOOD);
    let e = err(&bare);
    assert!(e.contains("[secrets] symmetric_keys names none"), "{e}");
    let identity = with_claims(
        "[[claim]]\nid = \"identity-key-confidentiality\"\nresistance = \"AVA_VAN.3\"\nsecrets = [\"debug\"]\n",
    );
    let e = err(&identity);
    assert!(e.contains("takes no `secrets`: it takes lots"), "{e}");
}
