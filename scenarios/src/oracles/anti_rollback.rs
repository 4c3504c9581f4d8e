//! No image starts with a security counter below the anti-rollback fuses (nor a
//! genuine release below the one the device shipped with).

use super::oracle::{Observation, Oracle};
use super::scope::Param;
use provsim_attacks::Gain;

/// The oracle compares, itself, the security counter of every image the device started
/// (during the attempt, as the device recorded each start with the fuse count it was
/// made over, and at its own power-on afterwards) with the fuses: whether the boot ROM
/// compared them is what is on trial. A genuine release is also held to the counter of
/// the release the device shipped with: a part that boots unverified never advances its
/// fuses, yet an older release on it is a rollback.
#[derive(Debug, Clone, Copy)]
pub struct NoRollback;

impl Oracle for NoRollback {
    fn id(&self) -> &'static str {
        "no-rollback"
    }

    fn statement(&self) -> &'static str {
        "No image a shipped device starts has a security counter below its anti-rollback fuses, nor a genuine release one below the release it shipped with."
    }

    fn falsified_by(&self) -> &'static [Gain] {
        &[Gain::ForeignCode, Gain::OlderRelease]
    }

    fn needs_boot(&self) -> bool {
        true
    }

    fn parameters(&self) -> &'static [Param] {
        &[Param::Lots]
    }

    fn check(&self, seen: &Observation<'_>) -> Option<String> {
        if !seen.scope.covers_id(seen.attacked.device) {
            return None;
        }
        let attacked = seen.attacked;
        // The shipped release's counter binds genuine releases only: an image of
        // someone else's is the authenticity claim's business.
        let floor = |fuses: u32, hash: &[u8; 32]| {
            if attacked.authorised_firmware.contains(hash) {
                fuses.max(attacked.installed_counter)
            } else {
                fuses
            }
        };
        let why = |fuses: u32, hash: &[u8; 32]| {
            if floor(fuses, hash) == fuses {
                "its fuses count"
            } else {
                "of the release it shipped with (its fuses count less: they never advanced)"
            }
        };
        // Every start the device made, during the attempt included: one that got past
        // the comparison only because of a glitch is as much a rollback.
        let during = attacked.started.iter().find_map(|start| {
            let counter = start.security_counter.unwrap_or(0);
            (counter < floor(start.fuses, &start.hash)).then(|| {
                format!(
                    "device {} started version {} with security counter {counter} during the attempt, below the {} {}",
                    attacked.device,
                    start.version,
                    floor(start.fuses, &start.hash),
                    why(start.fuses, &start.hash)
                )
            })
        });
        let (Some(Ok(running)), Some(fuses)) = (&attacked.booted, attacked.fuses_at_boot) else {
            return during;
        };
        let counter = running.security_counter.unwrap_or(0);
        if counter < floor(fuses, &running.hash) {
            return Some(format!(
                "device {} started version {} with security counter {counter}, below the {} {}",
                attacked.device,
                running.version,
                floor(fuses, &running.hash),
                why(fuses, &running.hash)
            ));
        }
        during
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracles::oracle::Attacked;
    use crate::oracles::truth::GroundTruth;
    use provsim_attacks::Knowledge;
    use provsim_devices::{DeviceId, RunningImage};
    use provsim_sim::Seed;
    use provsim_sim::crypto::Crypto;

    fn judge(counter: Option<u32>, fuses: Option<u32>, booted: bool) -> Option<String> {
        judge_shipped(counter, fuses, booted, 0)
    }

    fn judge_shipped(
        counter: Option<u32>,
        fuses: Option<u32>,
        booted: bool,
        installed: u32,
    ) -> Option<String> {
        let running = RunningImage {
            hash: [1; 32],
            version: "1.2.0".to_owned(),
            security_counter: counter,
            verified: true,
            update_refused: None,
        };
        let attacked = Attacked {
            device: DeviceId(7),
            identity_secret: [9; 32],
            booted: Some(if booted {
                Ok(running)
            } else {
                Err("rollback refused".to_owned())
            }),
            started: Vec::new(),
            fuses_at_boot: fuses,
            installed_counter: installed,
            authorised_firmware: vec![[1; 32]],
            customer_ca: Crypto::new()
                .generate_key(&mut Seed::new(1).stream("test/ca"))
                .public_key()
                .clone(),
            firmware_key: provsim_sim::crypto::Crypto::new()
                .generate_key(&mut provsim_sim::Seed::new(2).stream("test/firmware"))
                .public_key()
                .clone(),
            symmetric_keys: Vec::new(),
            channel: provsim_devices::ChannelBreaches::default(),
            life_cycle: None,
            books: None,
            parts: Vec::new(),
            shared_identities: Vec::new(),
            admitted_barred: Vec::new(),
        };
        NoRollback.check(&Observation {
            scope: &crate::oracles::scope::Scope::ALL,
            truth: &GroundTruth::default(),
            attacked: &attacked,
            knowledge: &Knowledge::new(),
            crypto: &Crypto::new(),
        })
    }

    #[test]
    fn only_a_started_image_below_the_fuses_violates_it() {
        let below = judge(Some(2), Some(5), true).expect("a rollback");
        assert!(below.contains("security counter 2, below the 5"), "{below}");
        assert_eq!(judge(Some(5), Some(5), true), None);
        assert_eq!(judge(Some(6), Some(5), true), None);
        // A refused boot runs nothing; an image without a counter counts as 0.
        assert_eq!(judge(Some(2), Some(5), false), None);
        assert!(judge(None, Some(1), true).is_some());
        assert_eq!(judge(None, Some(0), true), None);
        // Not observed: nothing to judge.
        assert_eq!(judge(Some(2), None, true), None);
    }

    /// A part that boots unverified never advances its fuses: the release it shipped
    /// with is the floor then.
    #[test]
    fn below_the_shipped_release_is_a_rollback_whatever_the_fuses() {
        let below = judge_shipped(Some(0), Some(0), true, 1).expect("a rollback");
        assert!(below.contains("of the release it shipped with"), "{below}");
        assert_eq!(judge_shipped(Some(1), Some(0), true, 1), None);
        assert_eq!(judge_shipped(Some(0), Some(0), false, 1), None);
    }

    /// A start during the attempt is judged by the fuses it was made over, even when
    /// the oracle's own power-on starts nothing.
    #[test]
    fn a_start_during_the_attempt_counts() {
        let mut attacked = crate::oracles::oracle::tests::attacked();
        attacked.installed_counter = 1;
        attacked.started = vec![provsim_devices::StartedImage {
            hash: [2; 32],
            version: "0.9.0+0".to_owned(),
            security_counter: Some(0),
            fuses: 1,
        }];
        let judge = |attacked: &Attacked| {
            NoRollback.check(&Observation {
                scope: &crate::oracles::scope::Scope::ALL,
                truth: &GroundTruth::default(),
                attacked,
                knowledge: &Knowledge::new(),
                crypto: &Crypto::new(),
            })
        };
        let found = judge(&attacked).expect("a rollback");
        assert!(found.contains("during the attempt"), "{found}");
        attacked.started[0].security_counter = Some(1);
        assert_eq!(judge(&attacked), None);
    }

    /// The shipped release's counter binds genuine releases only: an image of someone
    /// else's is judged against the fuses alone.
    #[test]
    fn the_shipped_floor_binds_genuine_releases_only() {
        let mut attacked = crate::oracles::oracle::tests::attacked();
        attacked.installed_counter = 1;
        let start = |hash| provsim_devices::StartedImage {
            hash,
            version: "0.9.0+0".to_owned(),
            security_counter: Some(0),
            fuses: 0,
        };
        let judge = |attacked: &Attacked| {
            NoRollback.check(&Observation {
                scope: &crate::oracles::scope::Scope::ALL,
                truth: &GroundTruth::default(),
                attacked,
                knowledge: &Knowledge::new(),
                crypto: &Crypto::new(),
            })
        };
        attacked.started = vec![start([1; 32])];
        let genuine = judge(&attacked).expect("a genuine release below the shipped one");
        assert!(
            genuine.contains("of the release it shipped with"),
            "{genuine}"
        );
        attacked.started = vec![start([2; 32])];
        assert_eq!(judge(&attacked), None);
    }
}
