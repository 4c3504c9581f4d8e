//! Every image a shipped device starts is the firmware the vault signed.

use super::oracle::{Observation, Oracle};
use super::scope::Param;
use provsim_attacks::Gain;
use provsim_sim::to_hex;

/// What the chip ran: every image it started during the attempt, as it recorded them,
/// and what it starts at the oracle's power-on afterwards; the attack's account of
/// itself plays no part. A device that no longer boots runs nothing unauthorised.
#[derive(Debug, Clone, Copy)]
pub struct OnlySignedFirmwareStarts;

impl Oracle for OnlySignedFirmwareStarts {
    fn id(&self) -> &'static str {
        "only-signed-firmware-starts"
    }

    fn statement(&self) -> &'static str {
        "Every image a shipped device starts is the firmware the vault signed for the line."
    }

    fn falsified_by(&self) -> &'static [Gain] {
        &[Gain::ForeignCode]
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
        let authorised = |hash: &[u8; 32]| attacked.authorised_firmware.contains(hash);
        if let Some(Ok(running)) = &attacked.booted
            && !authorised(&running.hash)
        {
            return Some(format!(
                "device {} started image {} (version {}, {}), not the firmware the vault signed",
                attacked.device,
                to_hex(&running.hash),
                running.version,
                if running.verified {
                    "verified"
                } else {
                    "unverified"
                }
            ));
        }
        // Every start the device made during the attempt counts too: an image that ran
        // only while a glitch held the check open ran all the same.
        attacked.started.iter().find(|s| !authorised(&s.hash)).map(|start| {
            format!(
                "device {} started image {} (version {}) during the attempt, not the firmware the vault signed",
                attacked.device,
                to_hex(&start.hash),
                start.version
            )
        })
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

    #[test]
    fn only_an_unsigned_running_image_violates_it() {
        let running = |hash: [u8; 32], verified: bool| RunningImage {
            hash,
            version: "1.0.0".to_owned(),
            security_counter: Some(1),
            verified,
            update_refused: None,
        };
        let judge = |booted: Option<Result<RunningImage, String>>| {
            let attacked = Attacked {
                device: DeviceId(3),
                identity_secret: [9; 32],
                booted,
                started: Vec::new(),
                fuses_at_boot: None,
                installed_counter: 0,
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
            OnlySignedFirmwareStarts.check(&Observation {
                scope: &crate::oracles::scope::Scope::ALL,
                truth: &GroundTruth::default(),
                attacked: &attacked,
                // What the attacker says it did is not consulted.
                knowledge: &Knowledge::new(),
                crypto: &Crypto::new(),
            })
        };
        assert_eq!(judge(None), None);
        assert_eq!(judge(Some(Err("bricked".to_owned()))), None);
        assert_eq!(judge(Some(Ok(running([1; 32], true)))), None);
        let evidence = judge(Some(Ok(running([2; 32], false)))).unwrap();
        assert!(evidence.contains("0000000000000003") && evidence.contains("unverified"));
    }

    /// An image that started only during the attempt counts, even when the oracle's own
    /// power-on starts nothing.
    #[test]
    fn a_start_during_the_attempt_counts() {
        let mut attacked = crate::oracles::oracle::tests::attacked();
        attacked.booted = Some(Err("bad signature".to_owned()));
        attacked.started = vec![provsim_devices::StartedImage {
            hash: [3; 32],
            version: "99.0.0+0".to_owned(),
            security_counter: Some(100),
            fuses: 1,
        }];
        let judge = |attacked: &Attacked| {
            OnlySignedFirmwareStarts.check(&Observation {
                scope: &crate::oracles::scope::Scope::ALL,
                truth: &GroundTruth::default(),
                attacked,
                knowledge: &Knowledge::new(),
                crypto: &Crypto::new(),
            })
        };
        let found = judge(&attacked).expect("an unsigned start");
        assert!(found.contains("during the attempt"), "{found}");
        attacked.started[0].hash = [1; 32];
        assert_eq!(judge(&attacked), None);
    }
}
