//! The card lets a command its rules keep for the secure channel past its access checks
//! only as the key holder sealed it, and only once.

use super::oracle::{Observation, Oracle};
use super::scope::Param;
use provsim_attacks::Gain;

/// What the attacked card counted while the attempt ran: a secured command whose
/// sealed bytes it had opened before (a replay), and a channel-only command sent in
/// plain that got past its access check. The attack's account of itself plays no part.
#[derive(Debug, Clone, Copy)]
pub struct ChannelCommandsSealedOnce;

impl Oracle for ChannelCommandsSealedOnce {
    fn id(&self) -> &'static str {
        "channel-commands-sealed-once"
    }

    fn statement(&self) -> &'static str {
        "A shipped card lets a command its rules keep for the secure channel past its access checks only as the key holder sealed it, and only once."
    }

    fn falsified_by(&self) -> &'static [Gain] {
        &[Gain::ChannelCommand]
    }

    fn parameters(&self) -> &'static [Param] {
        &[Param::Lots]
    }

    fn check(&self, seen: &Observation<'_>) -> Option<String> {
        if !seen.scope.covers_id(seen.attacked.device) {
            return None;
        }
        let breaches = seen.attacked.channel;
        let mut found = Vec::new();
        if breaches.replayed > 0 {
            found.push(format!(
                "opened {} secured command(s) whose sealed bytes it had already opened (a replay)",
                breaches.replayed
            ));
        }
        if breaches.unsealed > 0 {
            found.push(format!(
                "let {} channel-only command(s) sent in plain past its access check",
                breaches.unsealed
            ));
        }
        (!found.is_empty())
            .then(|| format!("device {} {}", seen.attacked.device, found.join(", and ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oracles::oracle::tests::attacked;
    use crate::oracles::truth::GroundTruth;
    use provsim_attacks::Knowledge;
    use provsim_devices::ChannelBreaches;
    use provsim_sim::crypto::Crypto;

    fn judge(replayed: u64, unsealed: u64) -> Option<String> {
        let mut attacked = attacked();
        attacked.channel = ChannelBreaches { replayed, unsealed };
        ChannelCommandsSealedOnce.check(&Observation {
            scope: &crate::oracles::scope::Scope::ALL,
            truth: &GroundTruth::default(),
            attacked: &attacked,
            knowledge: &Knowledge::new(),
            crypto: &Crypto::new(),
        })
    }

    #[test]
    fn only_what_the_card_counted_violates_it() {
        assert_eq!(judge(0, 0), None);
        let replay = judge(1, 0).expect("a replay");
        assert!(replay.contains("1 secured command(s)"), "{replay}");
        let both = judge(2, 3).expect("both");
        assert!(both.contains("and let 3 channel-only"), "{both}");
    }
}
