//! The streams the runner draws from, one constructor each.
//!
//! Every stream is named by the attack path's position in the scenario and its attack's
//! id, so two paths never share draws, adding a path shifts no other path's draws, and
//! an attempt's stream depends on nothing but the seed, the path and the device. This is
//! the only module of the crate that opens a stream from a seed; the templates sit here
//! side by side so they can be checked for overlap (they start with `attack/`, which no
//! other crate's labels do).

use provsim_attacks::Attack;
use provsim_sim::label::LabelFamily;
use provsim_sim::{Seed, Stream};

static RUNG: LabelFamily = LabelFamily::new(
    "scenarios::labels::rung",
    "attack/{n}/{s}/device/{n}/rung/{n}",
);
static TARGETS: LabelFamily =
    LabelFamily::new("scenarios::labels::targets", "attack/{n}/{s}/targets");
static PART_CHALLENGE: LabelFamily = LabelFamily::new(
    "scenarios::labels::part_challenge",
    "attack/part-challenge/{n}/{s}/device/{n}/rung/{n}",
);
static RECORDING: LabelFamily = LabelFamily::new(
    "scenarios::labels::recording",
    "attack/recording/device/{n}",
);

/// Every family of this crate, for the workspace's overlap check.
pub static FAMILIES: &[&LabelFamily] = &[&RUNG, &PART_CHALLENGE, &TARGETS, &RECORDING];

/// What the attacker makes up (keys, guesses, plaintexts) on rung `rung` (its position
/// in the attack's own list of rungs) of path `plan` on device `device`: a rung run
/// alone draws what it drew in the whole climb. Attack ids are catalogue names of
/// lower-case letters, digits and `-`.
pub fn rung(seed: Seed, plan: usize, attack: &dyn Attack, device: u64, rung: usize) -> Stream {
    RUNG.open(
        seed,
        &[
            (plan as u64).into(),
            attack.id().into(),
            device.into(),
            (rung as u64).into(),
        ],
    )
}

/// The challenge the oracles put to each die a rung of path `plan` took off the line
/// (whether it holds the key its certificate names): the oracles' draws, not the
/// attacker's.
pub fn part_challenge(
    seed: Seed,
    plan: usize,
    attack: &dyn Attack,
    device: u64,
    rung: usize,
) -> Stream {
    PART_CHALLENGE.open(
        seed,
        &[
            (plan as u64).into(),
            attack.id().into(),
            device.into(),
            (rung as u64).into(),
        ],
    )
}

/// The sample of shipped devices path `plan` is tried on, when the scenario asks for one.
pub fn targets(seed: Seed, plan: usize, attack: &dyn Attack) -> Stream {
    TARGETS.open(seed, &[(plan as u64).into(), attack.id().into()])
}

/// The plaintexts and measurement noise of power traces recorded from device `device`
/// for use outside provsim (`provsim traces export`): no attack path's draws.
pub fn recording(seed: Seed, device: u64) -> Stream {
    RECORDING.open(seed, &[device.into()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use provsim_sim::label::{audit, audit_problems, family_conflicts, is_label_name};

    #[test]
    fn each_family_renders_its_own_template_and_none_overlap() {
        let samples = [
            (
                &RUNG,
                RUNG.render(&[3.into(), "debug-port-readout".into(), 17.into(), 2.into()]),
                "attack/3/debug-port-readout/device/17/rung/2",
            ),
            (
                &TARGETS,
                TARGETS.render(&[0.into(), "cpa-storage-key".into()]),
                "attack/0/cpa-storage-key/targets",
            ),
            (
                &PART_CHALLENGE,
                PART_CHALLENGE.render(&[1.into(), "overproduction".into(), 0.into(), 1.into()]),
                "attack/part-challenge/1/overproduction/device/0/rung/1",
            ),
            (
                &RECORDING,
                RECORDING.render(&[5.into()]),
                "attack/recording/device/5",
            ),
        ];
        for (family, label, expected) in samples {
            assert_eq!(label, expected);
            assert!(family.matches(&label), "{label}");
        }
        assert_eq!(FAMILIES.len(), 4);
        assert!(family_conflicts(FAMILIES).is_empty());
    }

    /// The attack id fills a name hole, so it must be a label name: the catalogue's ids
    /// are lower-case letters, digits and `-` only.
    #[test]
    fn every_attack_id_is_a_label_name() {
        for attack in provsim_attacks::catalogue() {
            let id = attack.id();
            assert!(is_label_name(id), "{id}");
            assert!(
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{id}"
            );
        }
    }

    proptest! {
        #[test]
        fn constructors_make_only_their_own_labels(
            seed: u64,
            plan in 0usize..1_000_000,
            device: u64,
            pick in 0usize..64,
            step in 0usize..64,
        ) {
            let catalogue = provsim_attacks::catalogue();
            let attack = catalogue[pick % catalogue.len()];
            let seed = Seed::new(seed);
            let ((), log) = audit(|| {
                let _ = rung(seed, plan, attack, device, step);
                let _ = targets(seed, plan, attack);
            });
            prop_assert_eq!(log.len(), 2);
            let problems = audit_problems(&log);
            prop_assert!(problems.is_empty(), "{:?}", problems);
        }
    }
}
