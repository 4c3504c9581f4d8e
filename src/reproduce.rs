//! The reproduce line: the shell command that reruns a report's run. The library
//! records what reproduces a run (the scenario as named, the seed); writing it as a
//! command for a POSIX shell is the command line's business, so it happens here.

use provsim_scenarios::Reproduce;

/// `provsim run [SCENARIO] --seed N`, the scenario quoted when a shell needs it; for
/// lots a bench resized, the bench command that ran them (at the scenario's seed).
pub fn shell_line(reproduce: &Reproduce) -> String {
    if let Some(devices) = reproduce.devices {
        let scenario = reproduce.scenario.as_deref().map(shell_quote);
        return match scenario {
            Some(arg) => format!("provsim bench {arg} --devices {devices} --out provsim-out"),
            None => format!("provsim bench --devices {devices} --out provsim-out"),
        };
    }
    match &reproduce.scenario {
        Some(arg) => format!("provsim run {} --seed {}", shell_quote(arg), reproduce.seed),
        None => format!("provsim run --seed {}", reproduce.seed),
    }
}

/// Quotes `arg` for a POSIX shell when it needs it.
fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=+@%,".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(scenario: Option<&str>, seed: u64) -> String {
        shell_line(&Reproduce {
            scenario: scenario.map(str::to_owned),
            seed,
            devices: None,
            command: None,
        })
    }

    #[test]
    fn plain_arguments_stay_bare_and_others_are_quoted() {
        assert_eq!(line(None, 7), "provsim run --seed 7");
        assert_eq!(
            line(Some("scenarios/a-b.toml"), 1),
            "provsim run scenarios/a-b.toml --seed 1"
        );
        assert_eq!(
            line(Some("my dir/it's.toml"), 2),
            r"provsim run 'my dir/it'\''s.toml' --seed 2"
        );
        assert_eq!(line(Some(""), 3), "provsim run '' --seed 3");
    }

    #[test]
    fn resized_lots_are_reproduced_by_the_bench_that_resized_them() {
        let reproduce = Reproduce {
            scenario: Some("my scenario.toml".to_owned()),
            seed: 1,
            devices: Some(12),
            command: None,
        };
        assert_eq!(
            shell_line(&reproduce),
            "provsim bench 'my scenario.toml' --devices 12 --out provsim-out"
        );
    }
}
