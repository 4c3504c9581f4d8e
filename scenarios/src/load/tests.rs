use super::*;

const GOOD: &str = include_str!("../../mcu-board-hsm.toml");

fn err(text: &str) -> String {
    match parse_str(text, "s.toml") {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_shipped_scenario_loads() {
    let s = parse_str(GOOD, "s.toml").unwrap();
    assert_eq!(s.name, "mcu-board-hsm");
    assert_eq!(s.device_count(), 8);
    assert_eq!(s.attacks[0].targets, Targets::Sample(4));
    assert_eq!(
        s.line.station,
        provsim_provisioner::StationConfig::secure_boot_then(true)
    );
}

#[test]
fn malformed_toml_names_line_and_column() {
    let e = err("[scenario]\nname = \"x\nseed = 1\n");
    assert!(e.starts_with("s.toml:2:"), "{e}");
}

#[test]
fn an_unknown_field_is_refused_where_it_stands() {
    let text = GOOD.replace("lock_debug = true", "lock_debug = true\nlock_dbeug = false");
    let line = text
        .lines()
        .position(|l| l.starts_with("lock_dbeug"))
        .unwrap()
        + 1;
    let e = err(&text);
    assert!(
        e.starts_with(&format!("s.toml:{line}:1: unknown field `lock_dbeug`")),
        "{e}"
    );
}

#[test]
fn a_wrong_type_names_what_was_expected() {
    let text = GOOD.replace("devices = 8", "devices = \"eight\"");
    let line = text
        .lines()
        .position(|l| l.starts_with("devices = \"eight\""))
        .unwrap()
        + 1;
    let e = err(&text);
    assert!(e.starts_with(&format!("s.toml:{line}:11:")), "{e}");
    assert!(e.contains("integer"), "{e}");
}

#[test]
fn unknown_values_list_the_known_ones() {
    let e = err(&GOOD.replace("custody = \"hsm\"", "custody = \"vault\""));
    assert!(
        e.contains("unknown variant `vault`") && e.contains("hsm"),
        "{e}"
    );
    let e = err(&GOOD.replace("id = \"debug-port-readout\"", "id = \"laser\""));
    assert!(
        e.contains("unknown attack `laser`") && e.contains("debug-port-readout"),
        "{e}"
    );
    let e = err(&GOOD.replace("id = \"identity-key-confidentiality\"", "id = \"x\""));
    assert!(e.contains("unknown claim `x`"), "{e}");
    let e = err(&GOOD.replace("AVA_VAN.3", "AVA_VAN.9"));
    assert!(e.contains("AVA_VAN.1 to AVA_VAN.5"), "{e}");
}

#[test]
fn semantic_errors_point_at_the_value() {
    let text = GOOD.replace("devices = 8", "devices = 0");
    let line = text.lines().position(|l| l == "devices = 0").unwrap() + 1;
    assert!(err(&text).starts_with(&format!("s.toml:{line}:11: a lot needs at least 1 device")));

    let e = err(&GOOD.replace("devices = 8", "devices = 4294967295"));
    assert!(e.contains("more than 10000000 devices"), "{e}");
    let e = err(&GOOD.replace("sample = 4", "devices = [1, 8]"));
    assert!(e.contains("device index 8 is out of range"), "{e}");
    let e = err(&GOOD.replace("sample = 4", "sample = 4\ndevices = [1]"));
    assert!(e.contains("either `devices` or `sample`"), "{e}");
    let e = err(&GOOD.replace(
        "customer = \"Acme Sensors\"",
        &format!("customer = \"{}\"", "A".repeat(60)),
    ));
    assert!(e.contains("at most 54"), "{e}");
    let twice = format!(
        "{GOOD}\n[[claim]]\nid = \"identity-key-confidentiality\"\nresistance = \"AVA_VAN.1\"\n"
    );
    assert!(err(&twice).contains("given twice"));
}

#[test]
fn missing_sections_are_named() {
    let e = err("[scenario]\nname = \"x\"\ntitle = \"t\"\n");
    assert!(e.contains("missing field"), "{e}");
    assert!(e.starts_with("s.toml"), "{e}");
}

#[test]
fn a_missing_file_and_a_directory_are_told_apart() {
    let missing = load_file(Path::new("/nonexistent/provsim.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("cannot read scenario file `/nonexistent/provsim.toml`"),
        "{missing}"
    );
    let dir = load_file(Path::new(env!("CARGO_MANIFEST_DIR")))
        .unwrap_err()
        .to_string();
    assert!(dir.contains("is a directory"), "{dir}");
}
