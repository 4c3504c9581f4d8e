//! Unit tests of a line's shape: exactly the members of a flattened JWS the manifest
//! writes, each once, as a strict JOSE library reads it.

use super::*;
use crate::books::manifest::entry::verify_entry;
use crate::books::manifest::fixture::Fixture;

/// `line` with its JSON text edited by `edit` (a textual replacement, so that a
/// duplicate member can be written).
fn edited(line: &str, from: &str, to: &str) -> String {
    assert!(line.contains(from), "{from} not in {line}");
    line.replacen(from, to, 1)
}

fn refused(f: &Fixture, line: &str, says: &str) {
    let result = verify_entry(&f.crypto, line, f.signer.public_key(), &f.signer_der);
    let error = result.expect_err("the line was accepted");
    assert!(error.to_string().contains(says), "{error}");
}

#[test]
fn the_line_as_written_parses_and_verifies() {
    let f = Fixture::new();
    let (line, _) = f.sign(&f.fields(1));
    assert!(verify_entry(&f.crypto, &line, f.signer.public_key(), &f.signer_der).is_ok());
    assert!(jws_shaped(&line));
}

#[test]
fn a_member_other_than_the_four_is_refused() {
    let f = Fixture::new();
    let (line, _) = f.sign(&f.fields(1));
    let jws: Value = serde_json::from_str(&line).unwrap();
    let signatures = format!(
        r#"{{"signatures":[{{"protected":{},"signature":{}}}],"#,
        jws["protected"], jws["signature"]
    );
    refused(
        &f,
        &edited(&line, "{", &signatures),
        "not a flattened JWS: unknown field `signatures`",
    );
    refused(
        &f,
        &edited(&line, "{", r#"{"extra":1,"#),
        "unknown field `extra`",
    );
}

#[test]
fn an_unprotected_header_member_other_than_unique_id_is_refused() {
    let f = Fixture::new();
    let (line, _) = f.sign(&f.fields(1));
    for (member, value) in [
        ("alg", r#""none""#),
        ("kid", r#""0""#),
        ("x5c", r#"["MIIB"]"#),
        ("uniqueId", r#""5053000100000001""#),
    ] {
        let line = edited(
            &line,
            r#""header":{"#,
            &format!(r#""header":{{"{member}":{value},"#),
        );
        let says = match member {
            "uniqueId" => "duplicate field `uniqueId`".to_owned(),
            _ => format!("unknown field `{member}`, expected `uniqueId`"),
        };
        refused(&f, &line, &says);
    }
    refused(
        &f,
        &edited(&line, r#""header":{"#, r#""header":null,"h":{"#),
        "invalid type: null",
    );
}

/// serde's derived parser refuses a member given twice: `serde_json::Value` would keep
/// the last, and a reader that keeps the first would read another line.
#[test]
fn a_member_given_twice_is_refused() {
    let f = Fixture::new();
    let (line, _) = f.sign(&f.fields(1));
    let (other, _) = f.sign(&f.fields(2));
    let jws: Value = serde_json::from_str(&line).unwrap();
    let theirs: Value = serde_json::from_str(&other).unwrap();
    // The second payload is a valid one of the same signer: last-wins would verify it
    // under the first line's signature only if they matched, so the check is the parse.
    for (member, value) in [
        ("payload", &theirs["payload"]),
        ("protected", &jws["protected"]),
        ("signature", &theirs["signature"]),
        ("header", &theirs["header"]),
    ] {
        let twice = edited(&line, "{", &format!(r#"{{"{member}":{value},"#));
        refused(
            &f,
            &twice,
            &format!("not a flattened JWS: duplicate field `{member}`"),
        );
        // What a last-wins parser makes of the same text.
        assert!(serde_json::from_str::<Value>(&twice).is_ok());
    }
}

#[test]
fn jws_shaped_means_an_object_with_the_three_members() {
    for yes in [
        r#"{"protected":1,"payload":null,"signature":"x"}"#,
        r#"{"protected":"","payload":"","signature":"","signatures":[]}"#,
    ] {
        assert!(jws_shaped(yes), "{yes}");
    }
    for no in [
        "",
        "-----BEGIN CERTIFICATE-----",
        r#"{"seq":1,"action":"x"}"#,
        r#"{"protected":"","payload":""}"#,
        r#"[{"protected":"","payload":"","signature":""}]"#,
        "42",
    ] {
        assert!(!jws_shaped(no), "{no}");
    }
}
