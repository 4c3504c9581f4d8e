//! Harnesses shared by the fuzz targets (`fuzz/`) and the tests that replay their seeds,
//! so a crash found by a campaign becomes a regression test by adding one file.

use crate::load::read::parse_str;
use crate::run::run;
use crate::runner::execute::RunOptions;
use crate::verdict::Verdict;

/// Lots this size or smaller are also run, not only parsed.
const RUN_AT_MOST: u64 = 4;

/// Parses arbitrary bytes as a scenario; a scenario that parses and is small is run.
/// Must never panic: bad input is an error with a position, not a crash.
pub fn scenario_bytes(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_str(text, "fuzz.toml") {
        Err(error) => assert!(error.to_string().starts_with("fuzz.toml"), "{error}"),
        Ok(scenario) if scenario.device_count() <= RUN_AT_MOST => {
            let report = run(&scenario, &RunOptions::new(1, Some("fuzz.toml")), &mut ())
                .expect("a valid small scenario runs");
            let any_broken = report.claims.iter().any(|c| c.verdict == Verdict::Broken);
            assert_eq!(report.verdict == Verdict::Broken, any_broken);
            assert_eq!(report.devices.count, scenario.device_count());
        }
        Ok(_) => {}
    }
}
