//! The command line as users meet it: exit codes, messages, determinism, outputs.

mod common;

use common::*;
use std::fs;

const HSM: &str = "scenarios/mcu-board-provisioner-hsm.toml";
const OPEN: &str = "scenarios/mcu-board-debug-open.toml";
const WHAT_IF: &str = "scenarios/mcu-lock-what-if.toml";

#[test]
fn the_correct_line_holds_and_exits_0() {
    let (dir, out) = run_into(Some(HSM), Some(1));
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    let seed_line = text
        .lines()
        .position(|l| l.contains("seed 1"))
        .expect("seed printed");
    let verdict_line = text
        .lines()
        .position(|l| l.contains("holds"))
        .expect("verdict printed");
    assert!(
        seed_line < verdict_line,
        "the seed is printed before the run's results"
    );
    assert!(!text.contains("reproduce:"));

    let report = report_json(dir.path());
    assert_eq!(report["claims"][0]["verdict"], "holds");
    let attempts = report["attempts"].as_array().unwrap();
    assert!(!attempts.is_empty());
    for attempt in attempts {
        let (outcome, why) = match attempt["attack"].as_str().unwrap() {
            "debug-port-readout" => ("blocked", "debug port locked"),
            "co-tenant-memory-scrape" => ("failed", "no private key"),
            other => panic!("unexpected attack {other}"),
        };
        assert_eq!(attempt["outcome"], outcome);
        assert!(attempt["why"].as_str().unwrap().contains(why), "{attempt}");
    }
    for file in [
        "report.md",
        "devices.pem",
        "audit.jsonl",
        "pki/root.pem",
        "pki/customer-ca.pem",
    ] {
        assert!(dir.path().join(file).is_file(), "{file} written");
    }
}

#[test]
fn skipping_the_debug_lock_is_caught_and_exits_1() {
    let (dir, out) = run_into(Some(OPEN), Some(1));
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains(&format!("reproduce: provsim run {OPEN} --seed 1")),
        "{}",
        stdout(&out)
    );
    let report = report_json(dir.path());
    let claim = &report["claims"][0];
    assert_eq!(claim["id"], "identity-key-confidentiality");
    assert_eq!(claim["verdict"], "broken");
    assert_eq!(
        claim["broken_by"],
        serde_json::json!(["debug-port-readout"])
    );
    assert_eq!(report["reproduce"], format!("provsim run {OPEN} --seed 1"));

    // The same attack was tried on the same devices in the correct line.
    let (locked_dir, _) = run_into(Some(HSM), Some(1));
    let locked = report_json(locked_dir.path());
    let targets = |r: &serde_json::Value| -> Vec<u64> {
        r["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["attack"] == "debug-port-readout")
            .map(|a| a["device"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(targets(&report), targets(&locked));
}

#[test]
fn the_what_if_scenario_shows_what_each_lock_step_leaves_open() {
    let (dir, out) = run_into(Some(WHAT_IF), Some(1));
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let report = report_json(dir.path());

    // Interface states, stage by stage: debug-port, flash-read, key-store-read,
    // programming, foreign-boot.
    let table: Vec<(String, String, Vec<bool>)> = report["locks"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|stage| {
            (
                stage["stage"].as_str().unwrap().to_owned(),
                stage["result"].as_str().unwrap().to_owned(),
                stage["interfaces"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["open"].as_bool().unwrap())
                    .collect(),
            )
        })
        .collect();
    let stages: Vec<&str> = table.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        stages,
        [
            "provisioned",
            "secure-region",
            "rdp 1",
            "fuse secure-boot",
            "fuse debug-lock"
        ]
    );
    assert_eq!(table[0].2, [true, true, true, true, true]);
    assert_eq!(table[1].2, [true, true, false, true, true]);
    assert_eq!(table[2].2, [true, false, false, false, true]);
    for (_, result, open) in &table[3..] {
        assert!(
            result.starts_with("refused: readout protection level 1"),
            "{result}"
        );
        assert_eq!(open, &[true, false, false, false, true]);
    }
    let after: Vec<(&str, bool)> = report["locks"]["after_run"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["interface"].as_str().unwrap(),
                i["open"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        after,
        [
            ("debug-port", true),
            ("flash-read", false),
            ("key-store-read", false),
            ("programming", false),
            ("foreign-boot", true)
        ]
    );

    // The open boot path is what the firmware claim falls to; the key store holds.
    let verdicts: Vec<(&str, &str)> = report["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("identity-key-confidentiality", "holds"),
            ("firmware-authenticity", "broken")
        ]
    );
    let markdown = fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(markdown.contains("## What the lock sequence leaves open"));
    assert!(
        markdown.contains("| rdp 1 | applied | **open** | closed | closed | closed | **open** |")
    );

    // Fuses first, then the option bytes, then RDP 2 (final: it closes the port the
    // debug-lock fuse would have): everything is closed and every claim holds.
    let text = fs::read_to_string(repo().join(WHAT_IF)).unwrap();
    let (locks_at, lot_at) = (
        text.find("[[lock]]").unwrap(),
        text.find("[[lot]]").unwrap(),
    );
    let safe_order = "[[lock]]\nstep = \"fuse\"\nfuse = \"secure-boot\"\n\n\
                      [[lock]]\nstep = \"secure-region\"\n\n\
                      [[lock]]\nstep = \"rdp\"\nlevel = 2\n\n";
    let reordered = format!("{}{safe_order}{}", &text[..locks_at], &text[lot_at..]);
    let (_d, path) = scenario_file(&reordered);
    let (fixed_dir, out) = run_into(Some(&path), Some(1));
    assert_eq!(
        code(&out),
        0,
        "{}{}\n{reordered}",
        stdout(&out),
        stderr(&out)
    );
    let fixed = report_json(fixed_dir.path());
    let after: Vec<bool> = fixed["locks"]["after_run"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["open"].as_bool().unwrap())
        .collect();
    assert_eq!(after, [false, false, false, false, false]);
}

#[test]
fn foreign_firmware_reads_what_readout_protection_keeps_from_the_debugger() {
    // The what-if line without its secure-region step: RDP 1 still keeps the debugger
    // out, but the attacker's firmware runs with the CPU's view of memory.
    let text = fs::read_to_string(repo().join(WHAT_IF)).unwrap().replacen(
        "[[lock]]\nstep = \"secure-region\"\n\n",
        "",
        1,
    );
    let (_d, path) = scenario_file(&text);
    let (dir, out) = run_into(Some(&path), Some(1));
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let report = report_json(dir.path());
    for claim in report["claims"].as_array().unwrap() {
        assert_eq!(claim["verdict"], "broken", "{claim}");
        assert_eq!(
            claim["broken_by"],
            serde_json::json!(["foreign-firmware-update"])
        );
    }
    let debug_probe = report["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["attack"] == "debug-port-readout")
        .unwrap();
    assert!(debug_probe["violates"].as_array().unwrap().is_empty());
}

#[test]
fn parts_failing_a_test_after_their_secrets_went_in_are_scrapped_and_the_books_balance() {
    // Keys go in at wafer probe; the package and board tests come after.
    let text = fs::read_to_string(repo().join(HSM))
        .unwrap()
        .replace(
            "level = \"board\"",
            "level = \"wafer\"\ndies_per_wafer = 10",
        )
        .replace("devices = 8", "devices = 24")
        + "\n[yield]\nwafer = 0.8\npackage = 0.7\nboard = 0.9\n";
    let (_d, path) = scenario_file(&text);
    let (dir, out) = run_into(Some(&path), Some(3));
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let report = report_json(dir.path());
    let books = &report["line"]["reconciliation"];
    assert_eq!(books["balanced"], true, "{books}");
    let tally = |level: usize, field: &str| books["tests"][level][field].as_u64().unwrap();
    let failed_after = tally(0, "failed") + tally(1, "failed") + tally(2, "failed");
    assert!(
        tally(1, "failed") > 0 && tally(1, "retest_pass") > 0,
        "{books}"
    );
    let shipped = report["devices"]["count"].as_u64().unwrap();
    assert_eq!(tally(2, "first_pass") + tally(2, "retest_pass"), shipped);
    assert_eq!(shipped + failed_after, 24);
    assert_eq!(
        books["lots"][0]["destroyed"].as_u64().unwrap(),
        failed_after
    );
    let audit = fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert_eq!(
        audit.matches("\"identity-key-destroyed\"").count() as u64,
        failed_after,
        "every scrapped part's secrets are destroyed, on the record"
    );
    // The keys went in at wafer probe, so each destruction names the chip's fate too.
    for line in audit
        .lines()
        .filter(|l| l.contains("\"identity-key-destroyed\""))
    {
        assert!(
            line.contains("hsm=already-gone chip=physically-destroyed")
                || line.contains("hsm=already-gone chip=scrapped-wiped"),
            "{line}"
        );
    }
    // Records carry the wafer and the die's site; ten dies a wafer. The closing record
    // after them signs their count.
    let mut records: Vec<serde_json::Value> = fs::read_to_string(dir.path().join("records.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let closing = records.pop().unwrap();
    assert_eq!(closing["closing"], "records");
    assert_eq!(closing["records"].as_u64(), Some(shipped));
    assert_eq!(records.len() as u64, shipped);
    for record in &records {
        assert_eq!(record["level"], "wafer");
        assert_eq!(record["tester"], "wafer-probe-1");
        let index = record["index"].as_u64().unwrap();
        assert_eq!(record["wafer"], format!("LOT-0001-W{:02}", index / 10 + 1));
    }

    // Keys at board level instead: parts failing wafer or package tests never get one.
    let late = text.replace("level = \"wafer\"", "level = \"board\"");
    let (_d2, path) = scenario_file(&late);
    let (dir, out) = run_into(Some(&path), Some(3));
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let report = report_json(dir.path());
    let books = &report["line"]["reconciliation"];
    let made = books["lots"][0]["keys_made"].as_u64().unwrap();
    let lost_early = books["tests"][0]["failed"].as_u64().unwrap()
        + books["tests"][1]["failed"].as_u64().unwrap();
    assert_eq!(made + lost_early, 24);
    assert_eq!(
        books["lots"][0]["destroyed"].as_u64().unwrap(),
        books["tests"][2]["failed"].as_u64().unwrap()
    );
}

#[test]
fn built_in_scenarios_run_by_name() {
    let (dir, out) = run_into(Some("mcu-lock-what-if"), Some(1));
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("(builtin:mcu-lock-what-if)"));
    assert!(stdout(&out).contains("reproduce: provsim run mcu-lock-what-if --seed 1"));
    let by_file = run_into(Some(WHAT_IF), Some(1)).0;
    assert_eq!(
        report_json(dir.path())["trace_digest"],
        report_json(by_file.path())["trace_digest"]
    );
    let missing = provsim(&["run", "no-such-scenario"]);
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("no-such-scenario"));
}

#[test]
fn two_processes_write_byte_identical_reports() {
    let (a, _) = run_into(Some(HSM), Some(1));
    let (b, _) = run_into(Some(HSM), Some(1));
    for file in [
        "report.json",
        "report.md",
        "devices.pem",
        "audit.jsonl",
        "pki/root.pem",
    ] {
        assert_eq!(
            fs::read(a.path().join(file)).unwrap(),
            fs::read(b.path().join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn another_seed_gives_another_world() {
    let (a, _) = run_into(Some(HSM), Some(1));
    let (b, _) = run_into(Some(HSM), Some(2));
    let (a, b) = (report_json(a.path()), report_json(b.path()));
    assert_ne!(a["trace_digest"], b["trace_digest"]);
    let fps = |r: &serde_json::Value| r["devices"]["first_identities"].as_array().unwrap().clone();
    let (fa, fb) = (fps(&a), fps(&b));
    assert_ne!(
        a["devices"]["identities_digest"],
        b["devices"]["identities_digest"]
    );
    assert_eq!(fa.len(), fb.len());
    assert!(
        fa.iter().all(|f| !fb.contains(f)),
        "no identity key is shared between seeds"
    );
}

/// Where a built-in scenario's golden report (seed 1) is kept, from the repository root.
fn golden_path(name: &str) -> String {
    format!("tests/golden/{name}.seed1.report.json")
}

/// The committed golden report for seed 1 of every built-in scenario, the list taken
/// from the scenarios the binary ships, so a new scenario without a golden report fails
/// here. Regenerate with PROVSIM_BLESS=1 after a deliberate change (or to add a new
/// scenario's), review the file, and say why in the commit.
#[test]
fn the_golden_report_is_reproduced() {
    let bless = std::env::var_os("PROVSIM_BLESS").is_some();
    let mut missing = Vec::new();
    for scenario in provsim_scenarios::BUILTIN {
        let golden = golden_path(scenario.name);
        let path = repo().join(&golden);
        let (dir, _) = run_into(Some(&format!("scenarios/{}.toml", scenario.name)), Some(1));
        let produced = fs::read_to_string(dir.path().join("report.json")).unwrap();
        if bless {
            fs::write(&path, &produced).unwrap();
        }
        let Ok(expected) = fs::read_to_string(&path) else {
            missing.push(golden);
            continue;
        };
        assert!(
            produced == expected,
            "{golden} differs from this run; if the change is intended, rerun with PROVSIM_BLESS=1"
        );
    }
    assert!(
        missing.is_empty(),
        "built-in scenario(s) without a golden report: {}. Create it with \
         `PROVSIM_BLESS=1 cargo test --test cli the_golden_report_is_reproduced`, \
         review it and commit it",
        missing.join(", ")
    );
}

/// A golden report whose scenario is no longer built in is checked by nothing: remove it.
#[test]
fn every_golden_report_belongs_to_a_built_in_scenario() {
    let shipped: Vec<String> = provsim_scenarios::BUILTIN
        .iter()
        .map(|b| golden_path(b.name))
        .collect();
    let mut stale = Vec::new();
    for entry in fs::read_dir(repo().join("tests/golden")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let golden = format!("tests/golden/{name}");
        if !shipped.contains(&golden) {
            stale.push(golden);
        }
    }
    assert!(
        stale.is_empty(),
        "golden report(s) of no built-in scenario: {}",
        stale.join(", ")
    );
}

#[test]
fn the_default_scenario_runs_from_any_folder() {
    let elsewhere = tempfile::tempdir().unwrap();
    let out = provsim_in(elsewhere.path(), &["run"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("builtin:mcu-board-provisioner-hsm"));
    let report = report_json(&elsewhere.path().join("provsim-out"));
    assert_eq!(report["reproduce"], "provsim run --seed 1");
}

fn bad_input(args: &[&str]) -> String {
    let out = provsim(args);
    assert_eq!(code(&out), 2, "{args:?}: {}{}", stdout(&out), stderr(&out));
    let message = stderr(&out);
    assert!(!message.contains("panicked"), "{message}");
    message
}

fn scenario_file(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.toml");
    fs::write(&path, text).unwrap();
    (dir, path.to_str().unwrap().to_owned())
}

#[test]
fn bad_input_exits_2_with_file_line_and_column() {
    let good = fs::read_to_string(repo().join(HSM)).unwrap();

    let message = bad_input(&["run", "no/such/scenario.toml"]);
    assert!(
        message.contains("cannot read scenario file `no/such/scenario.toml`"),
        "{message}"
    );

    let message = bad_input(&["run", "scenarios"]);
    assert!(message.contains("`scenarios` is a directory"), "{message}");

    let (_d, path) = scenario_file("[scenario]\nname = \"oops\n");
    let message = bad_input(&["run", &path]);
    assert!(message.contains(&format!("{path}:2:")), "{message}");

    let (_d, path) =
        scenario_file(&good.replace("lock_debug = true", "lock_debug = true\ncolour = \"red\""));
    let line = good.lines().position(|l| l == "lock_debug = true").unwrap() + 2;
    let message = bad_input(&["run", &path]);
    assert!(
        message.contains(&format!("{path}:{line}:1: unknown field `colour`")),
        "{message}"
    );

    let (_d, path) = scenario_file(&good.replace("lock_debug = true", "lock_debug = \"yes\""));
    let line = good.lines().position(|l| l == "lock_debug = true").unwrap() + 1;
    let message = bad_input(&["run", &path]);
    assert!(
        message.contains(&format!(
            "{path}:{line}:14: invalid type: string \"yes\", expected a boolean"
        )),
        "{message}"
    );
}

#[test]
fn usage_errors_exit_2() {
    bad_input(&["run", "--seed", "minus-one"]);
    bad_input(&["explode"]);
    bad_input(&[]);
    let out = provsim(&["--help"]);
    assert_eq!(code(&out), 0);
}

/// A full disk (or a closed pipe) on standard output is an error, not a panic.
#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_stdout_exits_2_without_panicking() {
    let out = tempfile::tempdir().unwrap();
    let full = fs::File::create("/dev/full").expect("/dev/full exists on Linux");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_provsim"))
        .args(["run", "--out"])
        .arg(out.path())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(code(&output), 2);
    let message = stderr(&output);
    assert!(message.contains("writing to standard output"), "{message}");
    assert!(!message.contains("panicked"), "{message}");
}

/// The report compares the three custody configurations' costs at the scenario's
/// volume, marking the one the scenario runs.
#[test]
fn the_report_shows_every_configurations_cost_at_the_scenarios_volume() {
    for (scenario, custody, volume) in [
        ("mcu-board-provisioner-hsm", "provisioner-hsm", 8),
        ("mcu-wafer-customer-hsm", "customer-hsm", 20),
        ("mcu-package-shared-vm", "shared-vm", 24),
    ] {
        let (dir, _) = run_into(Some(scenario), Some(1));
        let report = report_json(dir.path());
        let costs = &report["costs"];
        assert_eq!(costs["volume"], volume, "{scenario}");
        let rows = costs["configurations"].as_array().unwrap();
        let names: Vec<&str> = rows
            .iter()
            .map(|r| r["custody"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["shared-vm", "provisioner-hsm", "customer-hsm"]);
        for row in rows {
            let total = row["setup_micro"].as_u64().unwrap()
                + row["per_unit_micro"].as_u64().unwrap() * volume;
            assert_eq!(row["total_micro"], total);
            assert_eq!(row["chosen"], row["custody"] == custody);
        }
        let md = fs::read_to_string(dir.path().join("report.md")).unwrap();
        assert!(
            md.contains(&format!("| {custody} (this scenario) |")),
            "{scenario}"
        );
    }
}

/// The hardened scenario's ladder: every single-fault rung is blocked by the redundant
/// check; double faults by every method are tried, and the cheapest
/// that gets through decides, at a
/// potential beyond the claim's (residual risk, so the claim holds) and above the stock
/// part's, where the same file without countermeasures falls to a single voltage glitch
/// on the cheapest rung. Each success is rated by the tries it used.
#[test]
fn the_countermeasures_section_decides_the_glitch_attack() {
    let path = repo().join("scenarios/mcu-board-glitch-hardened.toml");
    let text = fs::read_to_string(&path).unwrap();
    let (dir, out) = run_into(Some("scenarios/mcu-board-glitch-hardened.toml"), Some(1));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = report_json(dir.path());
    let attempts = report["attempts"].as_array().unwrap();
    assert!(!attempts.is_empty());
    let mut hardened_totals = Vec::new();
    for attempt in attempts {
        let rungs = attempt["rungs"].as_array().unwrap();
        let single: Vec<&serde_json::Value> = rungs
            .iter()
            .filter(|r| r["rung"].as_str().unwrap().contains("single fault"))
            .collect();
        // Every method, two lengths each: all climbed, none got through, and they say
        // the duplicated check's mismatch alarms are what stopped them.
        assert_eq!(single.len(), 8, "{attempt:#}");
        for method in ["voltage", "clock", "electromagnetic", "laser"] {
            assert!(single.iter().any(|r| {
                r["rung"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{method}, single fault at debug-access"))
            }));
        }
        assert!(single.iter().all(|r| r["outcome"] == "blocked"));
        assert!(
            single
                .iter()
                .any(|r| r["why"].as_str().unwrap().contains("mismatch alarm"))
        );
        // Past the first success (the scenario climbs the whole ladder), a double
        // fault by every method was tried at the check.
        for method in ["voltage", "clock", "electromagnetic", "laser"] {
            assert!(rungs.iter().any(|r| {
                r["rung"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{method}, double fault at debug-access"))
            }));
        }
        let cheapest = rungs
            .iter()
            .filter(|r| r["outcome"] == "obtained")
            .min_by_key(|r| r["total"].as_u64().unwrap())
            .expect("a double fault got through");
        assert!(
            cheapest["rung"].as_str().unwrap().contains("double fault"),
            "{cheapest:#}"
        );
        assert_eq!(
            cheapest["violates"],
            serde_json::json!(["identity-key-confidentiality"])
        );
        // Rated by the tries it used, never the rung's allowance.
        let used: u64 = cheapest["spent"]
            .as_str()
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(used < 10_000, "{cheapest:#}");
        assert_eq!(attempt["potential"]["total"], cheapest["total"]);
        hardened_totals.push(cheapest["total"].as_u64().unwrap());
    }
    let judged = &report["claims"][0];
    assert_eq!(judged["verdict"], "holds", "{judged:#}");
    let start = text.find("\n[countermeasures]").unwrap();
    let end = text.find("\n[[lot]]").unwrap();
    let stock = tempfile::tempdir().unwrap();
    let file = stock.path().join("stock.toml");
    fs::write(&file, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let out_dir = stock.path().join("out");
    let out = provsim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report = report_json(&out_dir);
    for attempt in report["attempts"].as_array().unwrap() {
        let rungs = attempt["rungs"].as_array().unwrap();
        // The cheapest rung already gets through (the file climbs on past it).
        assert_eq!(
            rungs[0]["rung"],
            "voltage, single fault at debug-access, 200 tries"
        );
        assert_eq!(rungs[0]["outcome"], "obtained");
        let stock_total = rungs[0]["total"].as_u64().unwrap();
        assert!(hardened_totals.iter().all(|&t| t > stock_total));
    }
}

/// The ASIC's masking is what keeps its storage key from first-order CPA: unmasked, the
/// ladder's first rungs give the key away (11 points, Enhanced-Basic), which breaks the
/// claim made at AVA_VAN.3.
#[test]
fn masking_decides_the_power_analysis() {
    let text = fs::read_to_string(repo().join("scenarios/asic-board-test-port-open.toml")).unwrap();
    let run = |text: &str| {
        let (dir, out) = run_text(text);
        let out_dir = dir.path().join("out");
        let report = report_json(&out_dir);
        let cpa: Vec<String> = report["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["attack"] == "cpa-storage-key")
            .map(|a| a["outcome"].as_str().unwrap().to_owned())
            .collect();
        (code(&out), cpa)
    };
    assert_eq!(run(&text), (0, vec!["failed".to_owned(); 2]));
    let unmasked = format!("{text}\n[countermeasures]\nmasking_order = 0\n");
    assert_eq!(run(&unmasked), (1, vec!["obtained".to_owned(); 2]));
}

/// Noise moves the first rung that succeeds: the unmasked ASIC gives its key to the
/// CPA's cheapest rungs at one bit of noise and only at 10,000 traces per round at four.
/// Success comes from running each rung on the device's leakage, never from a table.
#[test]
fn noise_moves_the_first_rung_that_succeeds() {
    let text = fs::read_to_string(repo().join("scenarios/asic-board-test-port-open.toml")).unwrap();
    let first_success = |noise: u32| -> Vec<u64> {
        let (dir, out) = run_text(&format!(
            "{text}\n[countermeasures]\nmasking_order = 0\nnoise = {noise}\n"
        ));
        let out_dir = dir.path().join("out");
        assert_eq!(code(&out), 1, "{}", stderr(&out));
        report_json(&out_dir)["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["attack"] == "cpa-storage-key")
            .map(|a| {
                let rungs = a["rungs"].as_array().unwrap();
                let won = rungs
                    .iter()
                    .find(|r| r["outcome"] == "obtained")
                    .expect("a rung got the key");
                won["rung"]
                    .as_str()
                    .unwrap()
                    .split(' ')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect()
    };
    let quiet = first_success(1);
    let noisy = first_success(4);
    assert_eq!(quiet.len(), 2);
    assert!(quiet.iter().all(|&t| t <= 1_000), "{quiet:?}");
    assert_eq!(noisy, [10_000, 10_000]);
}

/// The secure region as a weakness: with the debug port left open, the probe reads
/// every region but the key store, and its attempts name the secure region that
/// refused; built with `no-secure-region`, the same probe takes the identity key. The
/// report lists the weakness in force. A part whose port ignores the debug-lock fuse
/// never ships: the station's own lock check refuses it.
#[test]
fn a_weakness_decides_the_debug_probe() {
    let text = fs::read_to_string(repo().join("scenarios/mcu-board-debug-open.toml")).unwrap();
    let region = format!("{text}\n[mcu]\nsecure_region = true\n");
    let run = |text: &str| {
        let (dir, out) = run_text(text);
        let out_dir = dir.path().join("out");
        (code(&out), report_json(&out_dir), dir)
    };
    let (sound, report, _dir) = run(&region);
    assert_eq!(sound, 0);
    let probes: Vec<&serde_json::Value> = report["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["attack"] == "debug-port-readout")
        .collect();
    assert!(!probes.is_empty());
    for probe in probes {
        assert_eq!(probe["outcome"], "failed");
        assert!(
            probe["why"].as_str().unwrap().contains("secure region"),
            "{probe:#}"
        );
    }
    let weak = format!("{region}\n[countermeasures]\nweaknesses = [\"no-secure-region\"]\n");
    let (broken, report, _dir) = run(&weak);
    assert_eq!(broken, 1);
    let listed = report["site"]["countermeasures"].to_string();
    assert!(listed.contains("weakness no-secure-region"), "{listed}");

    let locked = text.replace("lock_debug = false", "lock_debug = true");
    let ignored = format!("{locked}\n[countermeasures]\nweaknesses = [\"debug-lock-ignored\"]\n");
    let (code, report, _dir) = run(&ignored);
    assert_eq!(code, 3, "inconclusive: nothing shipped");
    assert_eq!(report["claims"][0]["verdict"], "inconclusive");
}

/// A weakness is named from the list, once, and only on a kind that implements it;
/// each refusal points at the name.
#[test]
fn weakness_names_are_checked_where_written() {
    let text = fs::read_to_string(repo().join("scenarios/mcu-board-debug-open.toml")).unwrap();
    let se = fs::read_to_string(repo().join("scenarios/se-board-provisioner-hsm.toml")).unwrap();
    for (base, weaknesses, expected) in [
        (&text, "[\"no-such-thing\"]", "unknown weakness"),
        (
            &text,
            "[\"no-rollback-check\", \"no-rollback-check\"]",
            "named twice",
        ),
        (&se, "[\"no-secure-region\"]", "does not implement"),
    ] {
        let (_dir, out) = run_text(&format!(
            "{base}\n[countermeasures]\nweaknesses = {weaknesses}\n"
        ));
        assert_eq!(code(&out), 2);
        let error = stderr(&out);
        assert!(error.contains(expected), "{error}");
        assert!(error.contains("s.toml:"), "{error}");
    }
}
