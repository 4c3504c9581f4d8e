//! A scenario run at another volume than its file says: `provsim bench --devices N`.
//!
//! The lots are resized in the text itself (each `devices = …` value rewritten where it
//! stands) and the text is read again as any file is. So the resized scenario is exactly
//! the scenario a file with those lot sizes would be, input digest, checks and costs
//! included, and an error in it is reported at the line it would have in that file.

use super::file::File;
use super::lot::MAX_DEVICES;
use super::read::parse_str;
use crate::error::ScenarioError;
use crate::scenario::Scenario;

/// The scenario in `text`, its lots resized to hold `devices` in all: one device each
/// first, the rest spread in proportion to the sizes the file gives (largest remainders
/// first, earlier lots first among equals). A scenario of one lot gets all of them.
pub fn parse_resized(text: &str, source: &str, devices: u64) -> Result<Scenario, ScenarioError> {
    // The file as it is must be valid first: its own errors come as they always do.
    parse_str(text, source)?;
    let whole = |message: String| ScenarioError::Whole {
        file: source.to_owned(),
        message,
    };
    let file: File = toml::from_str(text).map_err(|e| whole(e.message().to_owned()))?;
    let lots = file.lots.into_inner();
    if devices < lots.len() as u64 || devices > MAX_DEVICES {
        return Err(whole(format!(
            "cannot resize its {} lot(s) to {devices} devices: a lot holds at least one, \
             a run at most {MAX_DEVICES}",
            lots.len()
        )));
    }
    let sizes: Vec<u64> = lots.iter().map(|lot| *lot.devices.get_ref()).collect();
    let mut resized = text.to_owned();
    // From the last lot back, so each span still points where it did.
    for (lot, size) in lots.iter().zip(spread(&sizes, devices)).rev() {
        resized.replace_range(lot.devices.span(), &size.to_string());
    }
    parse_str(&resized, source)
}

/// `total` spread over lots of `sizes` (each at least one, `total` at least their
/// number): one each, the rest in proportion by largest remainder.
fn spread(sizes: &[u64], total: u64) -> Vec<u64> {
    let lots = sizes.len() as u64;
    let rest = u128::from(total - lots);
    let whole = u128::from(sizes.iter().sum::<u64>().max(1));
    let shares: Vec<(u64, u128)> = sizes
        .iter()
        .map(|&size| {
            let exact = rest * u128::from(size);
            // At most `rest`, which is a u64.
            ((exact / whole) as u64, exact % whole)
        })
        .collect();
    let mut out: Vec<u64> = shares.iter().map(|&(share, _)| 1 + share).collect();
    let mut left = total - out.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| shares[b].1.cmp(&shares[a].1).then(a.cmp(&b)));
    for i in order {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_LOTS: &str = r#"
[scenario]
name = "two-lots"
title = "Two lots"
seed = 1

[site]
name = "provsim Test House"
customer = "Acme Sensors"
custody = "provisioner-hsm"

[line]
level = "board"
target = "mcu"

[[lot]]
name = "A"
devices = 3

[[lot]]
name = "B"
devices = 1_000

[[claim]]
id = "identity-key-confidentiality"
resistance = "AVA_VAN.1"
"#;

    #[test]
    fn devices_are_spread_in_proportion_and_add_up() {
        assert_eq!(spread(&[8], 10_000), [10_000]);
        assert_eq!(spread(&[1, 1], 5), [3, 2]);
        assert_eq!(spread(&[3, 1000], 2), [1, 1]);
        assert_eq!(spread(&[1, 3], 10), [3, 7]);
        for total in 3..200 {
            let out = spread(&[5, 1, 7], total);
            assert_eq!(out.iter().sum::<u64>(), total);
            assert!(out.iter().all(|&n| n >= 1));
        }
    }

    #[test]
    fn a_resized_scenario_is_the_file_that_says_those_sizes() {
        let resized = parse_resized(TWO_LOTS, "s.toml", 20).expect("resizes");
        let sizes: Vec<u32> = resized.lots.iter().map(|l| l.devices).collect();
        assert_eq!(sizes, [1, 19]);
        let written = TWO_LOTS
            .replace("devices = 3", "devices = 1")
            .replace("devices = 1_000", "devices = 19");
        let file = parse_str(&written, "s.toml").expect("parses");
        assert_eq!(resized.input, file.input);
        assert_eq!(resized.device_count(), 20);
    }

    #[test]
    fn too_few_or_too_many_devices_are_refused_by_name() {
        for devices in [0, 1, MAX_DEVICES + 1] {
            let error = parse_resized(TWO_LOTS, "s.toml", devices)
                .expect_err("refused")
                .to_string();
            assert!(
                error.starts_with("s.toml: cannot resize its 2 lot(s)"),
                "{error}"
            );
        }
    }
}
