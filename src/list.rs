//! `provsim list`: the built-in scenarios, attacks (by life-cycle phase), claims, the
//! oracles claims are made of, targets and weaknesses, for a person choosing what to
//! write in a scenario.

use crate::targets;
use provsim_scenarios::DEFAULT_SCENARIO;
use std::io::Write;

/// What `provsim list` lists.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListWhat {
    Scenarios,
    Attacks,
    Claims,
    Oracles,
    Targets,
    Weaknesses,
}

pub fn list(what: Option<ListWhat>) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    let all = what.is_none();
    if all || what == Some(ListWhat::Scenarios) {
        writeln!(
            stdout,
            "Built-in scenarios (`provsim run` runs {DEFAULT_SCENARIO}):"
        )?;
        let width = provsim_scenarios::BUILTIN
            .iter()
            .map(|b| b.name.len())
            .max()
            .unwrap_or(0);
        for b in provsim_scenarios::BUILTIN {
            let title = b.load().map(|s| s.title).unwrap_or_default();
            writeln!(stdout, "  {:<width$} {title}", b.name)?;
        }
    }
    if all || what == Some(ListWhat::Attacks) {
        writeln!(
            stdout,
            "Attacks, by life-cycle phase (and what each acts on):"
        )?;
        let catalogue = provsim_scenarios::attack_catalogue();
        let width = catalogue.iter().map(|(id, _)| id.len()).max().unwrap_or(0);
        let by_phase = provsim_scenarios::attacks_by_phase();
        let at = by_phase
            .iter()
            .flat_map(|(_, attacks)| attacks.iter().map(|(position, _, _)| position.len() + 2))
            .max()
            .unwrap_or(0);
        for (phase, attacks) in by_phase {
            writeln!(stdout, "  {phase}:")?;
            for (position, id, title) in attacks {
                writeln!(
                    stdout,
                    "    {id:<width$} {:<at$} {title}",
                    format!("[{position}]")
                )?;
            }
        }
    }
    if all || what == Some(ListWhat::Claims) {
        writeln!(stdout, "Claims:")?;
        for c in provsim_scenarios::CLAIMS {
            writeln!(stdout, "  {:<32} {}", c.id, c.oracle.statement())?;
        }
    }
    if all || what == Some(ListWhat::Oracles) {
        writeln!(
            stdout,
            "Oracles (a claim of your own: [[claim]] id, oracle, requirement, element, resistance; any claim may narrow its oracle with the parameters listed):"
        )?;
        for o in provsim_scenarios::ORACLES {
            let claims: Vec<&str> = provsim_scenarios::CLAIMS
                .iter()
                .filter(|c| c.oracle.id() == o.id())
                .map(|c| c.id)
                .collect();
            writeln!(stdout, "  {} ({})", o.id(), o.control().name())?;
            writeln!(stdout, "    {}", o.statement())?;
            writeln!(stdout, "    the library's claim: {}", claims.join(", "))?;
            writeln!(
                stdout,
                "    made false only by a path that can come away with {}",
                provsim_attacks::gain::names(o.falsified_by())
            )?;
            let params: Vec<String> = o
                .parameters()
                .iter()
                .map(|p| format!("{} ({})", p.key(), p.takes()))
                .collect();
            let params = if params.is_empty() {
                vec!["none: it speaks for the whole site".to_owned()]
            } else {
                params
            };
            writeln!(stdout, "    parameters: {}", params.join(", "))?;
        }
    }
    if all || what == Some(ListWhat::Targets) {
        stdout.write_all(targets::describe(what.is_some()).as_bytes())?;
    }
    if all || what == Some(ListWhat::Weaknesses) {
        writeln!(stdout, "Site weaknesses ([site] weaknesses = [...]):")?;
        for w in provsim_provisioner::SiteWeakness::ALL {
            writeln!(stdout, "  {:<34} disables {}", w.name(), w.disables())?;
        }
        writeln!(stdout, "Weaknesses ([countermeasures] weaknesses = [...]):")?;
        for w in provsim_devices::Weakness::ALL {
            let kinds: Vec<&str> = provsim_devices::TargetKind::ALL
                .iter()
                .filter(|k| w.applies_to(**k))
                .map(|k| k.name())
                .collect();
            let (name, on) = (w.name(), kinds.join(", "));
            writeln!(stdout, "  {name:<26} ({on}) disables {}", w.disables())?;
        }
    }
    stdout.flush()
}
