use super::read::{load_file, parse_str};
use crate::scenario::Targets;
use provsim_devices::{Fuse, TargetKind};
use provsim_provisioner::{Level, LockStep, PERFECT_YIELD_PPM, Quorum, Yields};
use provsim_sim::SimDuration;
use std::path::Path;

const GOOD: &str = include_str!("../../mcu-board-provisioner-hsm.toml");

fn err(text: &str) -> String {
    match parse_str(text, "s.toml") {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_shipped_scenario_loads() {
    let s = parse_str(GOOD, "s.toml").unwrap();
    assert_eq!(s.name, "mcu-board-provisioner-hsm");
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
    let e = err(&GOOD.replace("custody = \"provisioner-hsm\"", "custody = \"hsm\""));
    assert!(
        e.contains("unknown variant `hsm`")
            && e.contains("shared-vm")
            && e.contains("provisioner-hsm")
            && e.contains("customer-hsm"),
        "{e}"
    );
    let e = err(&GOOD.replace("id = \"debug-port-readout\"", "id = \"laser\""));
    assert!(
        e.contains("unknown attack `laser`") && e.contains("debug-port-readout"),
        "{e}"
    );
    let e = err(&GOOD.replace("id = \"identity-key-confidentiality\"", "id = \"x\""));
    assert!(e.contains("unknown claim `x`"), "{e}");
    let e = err(&GOOD.replace("AVA_VAN.4", "AVA_VAN.9"));
    assert!(e.contains("AVA_VAN.1 to AVA_VAN.5"), "{e}");
}

#[test]
fn semantic_errors_point_at_the_value() {
    let text = GOOD.replace("devices = 8", "devices = 0");
    let line = text.lines().position(|l| l == "devices = 0").unwrap() + 1;
    assert!(err(&text).starts_with(&format!(
        "s.toml:{line}:11: a lot holds 1 to 10000000 devices"
    )));

    let e = err(&GOOD.replace("devices = 8", "devices = 4294967295"));
    assert!(e.contains("a lot holds 1 to 10000000 devices"), "{e}");
    let e = err(&GOOD.replace(
        "devices = 8",
        "devices = 6000000\n\n[[lot]]\nname = \"L2\"\ndevices = 6000000",
    ));
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

const WHAT_IF: &str = include_str!("../../mcu-lock-what-if.toml");

/// The 1-based line of the first line of `text` starting with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    text.lines().position(|l| l.starts_with(prefix)).unwrap() + 1
}

#[test]
fn lock_steps_are_kept_in_the_order_written() {
    let s = parse_str(WHAT_IF, "s.toml").unwrap();
    assert!(s.line.station.what_if);
    assert_eq!(
        s.line.station.lock_steps,
        [
            LockStep::SecureRegion,
            LockStep::Rdp(1),
            LockStep::Fuse(Fuse::SecureBoot),
            LockStep::Fuse(Fuse::DebugLock)
        ]
    );
}

#[test]
fn the_mcu_section_derives_the_safe_order() {
    let text = GOOD.replace(
        "lock_debug = true",
        "lock_debug = false\n\n[mcu]\nrdp = 1\nsecure_region = true",
    );
    let s = parse_str(&text, "s.toml").unwrap();
    assert_eq!(
        s.line.station.lock_steps,
        [
            LockStep::Fuse(Fuse::SecureBoot),
            LockStep::SecureRegion,
            LockStep::Rdp(1)
        ]
    );
    assert!(!s.line.station.what_if, "a line's own locks must take");
    // RDP and the debug-lock fuse shut each other out: refused at the fuse.
    for level in [1, 2] {
        let text = GOOD.replace(
            "lock_debug = true",
            &format!("lock_debug = true\n\n[mcu]\nrdp = {level}"),
        );
        let e = err(&text);
        assert!(
            e.starts_with(&format!(
                "s.toml:{}:14:",
                line_of(&text, "lock_debug = true")
            )) && e.contains("choose one"),
            "{e}"
        );
    }
    let text = GOOD.replace(
        "lock_debug = true",
        "lock_debug = false\n\n[mcu]\nboot = \"unverified\"",
    );
    assert!(
        parse_str(&text, "s.toml")
            .unwrap()
            .line
            .station
            .lock_steps
            .is_empty()
    );
    let text = GOOD.replace("lock_debug = true", "lock_debug = true\n\n[mcu]\nrdp = 3");
    let e = err(&text);
    assert!(
        e.starts_with(&format!(
            "s.toml:{}:7: rdp 3 does not exist",
            line_of(&text, "rdp = 3")
        )),
        "{e}"
    );
    let text = GOOD.replace(
        "lock_debug = true",
        "lock_debug = true\n\n[mcu]\nboot = \"maybe\"",
    );
    assert!(err(&text).contains("unknown variant `maybe`"));
}

#[test]
fn bad_lock_steps_are_refused_where_they_stand() {
    let cases = [
        (
            "step = \"rdp\"\nlevel = 1",
            "step = \"rdp\"\nlevel = 7",
            "level = 7",
            "rdp 7 does not exist",
        ),
        (
            "step = \"rdp\"\nlevel = 1",
            "step = \"rdp\"",
            "step = \"rdp\"",
            "needs `level`",
        ),
        (
            "step = \"rdp\"\nlevel = 1",
            "step = \"rdp\"\nfuse = \"debug-lock\"",
            "fuse = \"debug-lock\"",
            "takes `level`, not `fuse`",
        ),
        (
            "fuse = \"secure-boot\"",
            "fuse = \"secure-bot\"",
            "fuse = \"secure-bot\"",
            "unknown fuse `secure-bot`",
        ),
        (
            "step = \"secure-region\"",
            "step = \"secure-region\"\nlevel = 1",
            "level = 1",
            "takes no other setting",
        ),
        (
            "step = \"secure-region\"",
            "step = \"lock-everything\"",
            "step = \"lock-everything\"",
            "unknown lock step",
        ),
    ];
    for (from, to, at, message) in cases {
        let text = WHAT_IF.replacen(from, to, 1);
        let e = err(&text);
        let expected = format!("s.toml:{}:", line_of(&text, at));
        assert!(
            e.starts_with(&expected) && e.contains(message),
            "{e}\nexpected {expected} … {message}"
        );
    }
}

#[test]
fn lock_steps_and_derived_locks_do_not_mix() {
    let text = WHAT_IF.replace("target = \"mcu\"", "target = \"mcu\"\nlock_debug = true");
    let e = err(&text);
    assert!(
        e.starts_with(&format!("s.toml:{}:", line_of(&text, "lock_debug = true")))
            && e.contains("[[lock]] steps give the whole lock sequence"),
        "{e}"
    );
    let text = WHAT_IF.replace("[[lot]]", "[mcu]\nrdp = 2\n\n[[lot]]");
    let e = err(&text);
    assert!(
        e.starts_with(&format!("s.toml:{}:", line_of(&text, "rdp = 2"))),
        "{e}"
    );
    // `lock_debug = false` says nothing a sequence could contradict.
    let text = WHAT_IF.replace("target = \"mcu\"", "target = \"mcu\"\nlock_debug = false");
    assert!(parse_str(&text, "s.toml").is_ok());
}

#[test]
fn yields_are_fractions_kept_in_parts_per_million() {
    let text = format!("{GOOD}\n[yield]\nwafer = 0.9\nboard = 0.97\n");
    let s = parse_str(&text, "s.toml").unwrap();
    assert_eq!(
        s.line.yields,
        Yields {
            wafer: 900_000,
            package: PERFECT_YIELD_PPM,
            board: 970_000
        }
    );
    assert_eq!(
        parse_str(GOOD, "s.toml").unwrap().line.yields,
        Yields::PERFECT
    );
    let text = format!("{GOOD}\n[yield]\npackage = 1.5\n");
    let e = err(&text);
    assert!(
        e.starts_with(&format!(
            "s.toml:{}:11: yield 1.5 is not a fraction",
            line_of(&text, "package = 1.5")
        )),
        "{e}"
    );
    let text = GOOD.replace("level = \"board\"", "level = \"wafer\"\ndies_per_wafer = 0");
    let e = err(&text);
    assert!(e.contains("dies_per_wafer must be from 1"), "{e}");
    let text = GOOD.replace("level = \"board\"", "level = \"package\"");
    assert_eq!(
        parse_str(&text, "s.toml").unwrap().line.level,
        Level::Package
    );
}

#[test]
fn returns_orders_and_secrets_are_checked_where_they_are_written() {
    let base = GOOD.replace("[returns]\nsample = 1\n", "");
    assert_ne!(base, GOOD, "the default scenario's returns moved");
    let with = |extra: &str| format!("{base}\n{extra}\n");
    let e = err(&with("[returns]\ndevices = [3, 8]"));
    assert!(e.contains("device index 8 is out of range"), "{e}");
    let e = err(&with("[order]\nnumber = \"PO 1\"\ndevices = 3"));
    assert!(e.contains("order number"), "{e}");
    let e = err(&with("[order]\nnumber = \"PO-1\"\ndevices = 0"));
    assert!(e.contains("an order is for 1 to"), "{e}");
    let e = err(&with("[secrets]\nsymmetric_keys = [\"a\", \"a\"]"));
    assert!(e.contains("named twice"), "{e}");
    let e = err(&with("[secrets]\nsymmetric_keys = [\"Storage\"]"));
    assert!(e.contains("lower-case"), "{e}");
    let nine: Vec<String> = (0..9).map(|i| format!("\"k{i}\"")).collect();
    let e = err(&with(&format!(
        "[secrets]\nsymmetric_keys = [{}]",
        nine.join(", ")
    )));
    assert!(e.contains("at most 8"), "{e}");
    let ok = parse_str(
        &with("[returns]\ndevices = [3]\nsample = 2\n[order]\nnumber = \"PO-1\"\ndevices = 4"),
        "s.toml",
    )
    .unwrap();
    assert_eq!(ok.line.returns.devices, [3]);
    assert_eq!(ok.line.order.unwrap().devices, 4);
}

#[test]
fn cost_figures_override_the_defaults_exactly_and_bad_ones_are_refused() {
    use provsim_provisioner::{CostModel, Custody};
    let text = format!(
        "{GOOD}\n[cost]\ncurrency = \"EUR\"\n[cost.shared-vm]\nsetup = 1234.5\nper_unit = 0.000001\nweeks = 1\n"
    );
    let s = parse_str(&text, "s.toml").unwrap();
    assert_eq!(s.currency, "EUR");
    assert_eq!(
        s.costs[0],
        (
            Custody::SharedVm,
            CostModel {
                setup_micro: 1_234_500_000,
                per_unit_micro: 1,
                setup_weeks: 1
            }
        )
    );
    assert_eq!(s.costs[2].1, CostModel::default_for(Custody::CustomerHsm));
    assert_eq!(parse_str(GOOD, "s.toml").unwrap().currency, "USD");
    for bad in ["setup = -1.0", "per_unit = nan", "setup = 1e13"] {
        let e = err(&format!("{GOOD}\n[cost.customer-hsm]\n{bad}\n"));
        assert!(e.contains("an amount is from 0"), "{bad}: {e}");
    }
    let e = err(&format!("{GOOD}\n[cost]\ncurrency = \"dollars\"\n"));
    assert!(e.contains("upper-case"), "{e}");
    let e = err(&format!("{GOOD}\n[cost.cloud]\nsetup = 1.0\n"));
    assert!(e.contains("unknown field `cloud`"), "{e}");
}

#[test]
fn the_root_quorum_is_read_and_checked() {
    assert_eq!(
        parse_str(GOOD, "s.toml").unwrap().line.quorum,
        Quorum::DEFAULT
    );
    let text = GOOD.replace(
        "custody = \"provisioner-hsm\"",
        "custody = \"provisioner-hsm\"\ncustodians = 7\nquorum = 4",
    );
    assert_eq!(
        parse_str(&text, "s.toml").unwrap().line.quorum,
        Quorum {
            custodians: 7,
            threshold: 4
        }
    );
    for bad in [
        "custodians = 3\nquorum = 4",
        "quorum = 1",
        "custodians = 17\nquorum = 2",
    ] {
        let text = GOOD.replace(
            "custody = \"provisioner-hsm\"",
            &format!("custody = \"provisioner-hsm\"\n{bad}"),
        );
        let e = err(&text);
        assert!(e.contains("is not a ceremony"), "{bad}: {e}");
        assert!(e.starts_with("s.toml:"), "{e}");
    }
}

#[test]
fn the_link_section_is_read_in_units_and_checked_where_it_is_written() {
    use provsim_provisioner::link::{LinkConfig, OnLinkFailure};
    assert_eq!(
        parse_str(GOOD, "s.toml").unwrap().line.link,
        LinkConfig::CLEAN
    );
    let text = format!(
        "{GOOD}\n[link]\nlatency_ms = 3\njitter_ms = 4\ndrop = 0.1\nduplicate = 0.02\ntamper = 0.005\nreplay = 1\nresend_after_ms = 80\nresends = 0\nhandshakes = 5\non_failure = \"stop-line\"\n"
    );
    let link = parse_str(&text, "s.toml").unwrap().line.link;
    assert_eq!(link.latency, SimDuration::from_millis(3));
    assert_eq!(link.faults.jitter, SimDuration::from_millis(4));
    assert_eq!(
        (
            link.faults.drop_ppm,
            link.faults.duplicate_ppm,
            link.faults.tamper_ppm,
            link.faults.replay_ppm
        ),
        (100_000, 20_000, 5_000, 1_000_000)
    );
    assert_eq!(link.policy.resend_after, SimDuration::from_millis(80));
    assert_eq!(
        (link.policy.resends_per_link, link.policy.handshakes),
        (0, 5)
    );
    assert_eq!(link.on_failure, OnLinkFailure::StopLine);
    for (field, message) in [
        ("drop = 1.5", "drop 1.5 is not a fraction from 0 to 1"),
        ("tamper = -0.1", "tamper -0.1 is not a fraction"),
        ("handshakes = 0", "handshakes is from 1 to 100"),
        ("resends = 101", "resends is from 0 to 100"),
        (
            "resend_after_ms = 0",
            "resend_after_ms is from 1 to 60000 milliseconds",
        ),
        (
            "latency_ms = 60001",
            "latency_ms is from 0 to 60000 milliseconds",
        ),
    ] {
        let text = format!("{GOOD}\n[link]\n{field}\n");
        let e = err(&text);
        let column = field.find('=').unwrap() + 3;
        assert!(
            e.starts_with(&format!(
                "s.toml:{}:{column}: {message}",
                line_of(&text, field)
            )),
            "{field}: {e}"
        );
    }
    let text = format!("{GOOD}\n[link]\nlatency_ms = 20\njitter_ms = 10\nresend_after_ms = 50\n");
    let e = err(&text);
    assert!(
        e.starts_with(&format!(
            "s.toml:{}:19: the station resends after 50 ms, within a round trip of up to 60 ms",
            line_of(&text, "resend_after_ms = 50")
        )),
        "{e}"
    );
    let e = err(&format!("{GOOD}\n[link]\nlatency_ms = 30\n"));
    assert!(e.contains("resend_after must exceed"), "{e}");
    let e = err(&format!("{GOOD}\n[link]\non_failure = \"retry\"\n"));
    assert!(
        e.contains("reject-device") && e.contains("stop-line"),
        "{e}"
    );
    let e = err(&format!("{GOOD}\n[link]\nloss = 0.1\n"));
    assert!(e.contains("loss"), "{e}");
}

#[test]
fn countermeasures_are_read_and_checked_against_the_target() {
    use provsim_devices::fault::{FaultPoint, GlitchMethod, Ratio};
    assert_eq!(
        parse_str(GOOD, "s.toml").unwrap().line.countermeasures,
        provsim_devices::Countermeasures::default()
    );
    let text = format!(
        "{GOOD}\n[countermeasures]\nglitch_detectors = [\"voltage\", \"laser\"]\ndetector_catch = 0.5\nredundant_checks = [\"image-signature\"]\nhardened_booleans = true\npower_model = \"hamming-distance\"\nnoise = 2.5\nmasking_order = 1\nshield = 0.25\n"
    );
    let c = parse_str(&text, "s.toml").unwrap().line.countermeasures;
    let detectors = c.detectors.unwrap();
    assert_eq!(
        detectors.iter().map(|d| d.senses).collect::<Vec<_>>(),
        [GlitchMethod::Voltage, GlitchMethod::Laser]
    );
    assert_eq!(detectors[0].catches, Ratio::per_million(500_000));
    assert_eq!(c.redundant.unwrap(), [FaultPoint::ImageSignature]);
    assert_eq!(c.hardened_booleans, Some(true));
    assert_eq!(c.noise_milli, Some(2_500));
    assert_eq!(c.masking_order, Some(1));
    assert_eq!(c.shield, Some(Ratio::per_million(250_000)));
    let asic = GOOD.replace("target = \"mcu\"", "target = \"asic\"");
    let text = format!(
        "{asic}\n[countermeasures]\npuf_bit_error = 0.12\npuf_repetition = 63\nsealed_key_store = false\n"
    );
    let c = parse_str(&text, "s.toml").unwrap().line.countermeasures;
    assert_eq!(
        (c.puf_bit_error_ppm, c.puf_repetition, c.sealed_key_store),
        (Some(120_000), Some(63), Some(false))
    );
    for (base, field, message) in [
        (
            GOOD,
            "glitch_detectors = [\"x-ray\"]",
            "unknown glitch method \"x-ray\"",
        ),
        (
            GOOD,
            "redundant_checks = [\"key-ladder-step\"]",
            "a mcu has no fault point \"key-ladder-step\"",
        ),
        (
            GOOD,
            "puf_bit_error = 0.1",
            "a PUF and a sealed key store are ASIC blocks",
        ),
        (
            &asic,
            "puf_bit_error = 0.5",
            "puf_bit_error must be below 0.5",
        ),
        (&asic, "puf_repetition = 30", "puf_repetition is odd"),
        (GOOD, "masking_order = 4", "masking_order is from 0 to 3"),
        (GOOD, "shield = 1.5", "shield 1.5 is not a fraction"),
        (GOOD, "noise = -1.0", "noise -1 is not from 0 to 100"),
        (GOOD, "detector_catch = 0.5", "name them too"),
        (
            GOOD,
            "glitch_detectors = [\"clock\", \"clock\"]",
            "named twice",
        ),
        (&asic, "puf_bit_error = 0.2", "it takes at least 127 cells"),
    ] {
        let text = format!("{base}\n[countermeasures]\n{field}\n");
        let e = err(&text);
        let line = line_of(&text, field);
        assert!(e.starts_with(&format!("s.toml:{line}:")), "{field}: {e}");
        assert!(e.contains(message), "{field}: {e}");
    }
    let e = err(&format!(
        "{GOOD}\n[countermeasures]\npower_model = \"loud\"\n"
    ));
    assert!(
        e.contains("hamming-weight") && e.contains("hamming-distance"),
        "{e}"
    );
}

#[test]
fn a_secure_element_refuses_what_it_does_not_have() {
    let se = GOOD
        .replace("target = \"mcu\"", "target = \"se\"")
        .replace("lock_debug = true", "lock_debug = false");
    assert_eq!(
        parse_str(&se, "s.toml").unwrap().line.target,
        TargetKind::Se
    );
    let e = err(&se.replace("lock_debug = false", "lock_debug = true"));
    assert!(e.contains("no debug port to lock"), "{e}");
    let e = err(&format!("{se}\n[secrets]\nidentity = \"device\"\n"));
    assert!(
        e.contains("takes the vault's identity key") && e.starts_with("s.toml:"),
        "{e}"
    );
    let e = err(&format!("{se}\n[mcu]\nrdp = 1\n"));
    assert!(e.contains("a secure element has neither"), "{e}");
}

/// A claim stated at an EAL is judged at its package's AVA_VAN level (or the one it is
/// augmented with), and the report says it back; `EAL5+` alone is refused where it
/// stands, asking what it is augmented with.
#[test]
fn a_resistance_may_be_an_eal() {
    let first = r#"resistance = "AVA_VAN.4""#;
    assert!(GOOD.contains(first));
    let at = |text: &str| {
        let s = parse_str(&GOOD.replacen(first, text, 1), "s.toml").unwrap();
        let claim = &s.claims[0];
        (claim.resistance as u8, claim.eal.map(|eal| eal.to_string()))
    };
    assert_eq!(at(r#"resistance = "EAL5""#), (4, Some("EAL5".into())));
    assert_eq!(at(r#"resistance = "EAL3""#), (2, Some("EAL3".into())));
    assert_eq!(
        at(r#"resistance = "EAL4+AVA_VAN.5""#),
        (5, Some("EAL4+AVA_VAN.5".into()))
    );
    assert_eq!(at(first), (4, None));

    let text = GOOD.replacen(first, r#"resistance = "EAL5+""#, 1);
    let line = text.lines().position(|l| l.contains("EAL5+")).unwrap() + 1;
    let e = err(&text);
    assert!(e.starts_with(&format!("s.toml:{line}:14:")), "{e}");
    assert!(e.contains("EAL5+AVA_VAN.5"), "{e}");
    let e = err(&GOOD.replacen(first, r#"resistance = "EAL9""#, 1));
    assert!(e.contains("EAL1 to EAL7"), "{e}");
}
