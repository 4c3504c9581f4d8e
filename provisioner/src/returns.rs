//! RMA returns: shipped devices that come back from the field for failure analysis.
//!
//! The return desk presents the device's RMA token (the customer keeps it; the chip has
//! only its hash). A chip that accepts it wipes its key store before it opens up again,
//! and the desk checks the store is empty; a chip whose debug port was fused shut
//! cannot enter RMA at all and is destroyed physically. Either way the identity is
//! revoked, and the audit log says which, so the books can follow every identity from
//! shipment to its end.

use provsim_devices::keystore::parse_slots;
use provsim_devices::{Command, LifeCycle, RegionKind, Target};
use provsim_sim::{Ctx, Seed};

/// Which shipped devices come back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnPlan {
    /// Device indices; one that did not ship cannot come back and is skipped.
    pub devices: Vec<u64>,
    /// This many more shipped devices, drawn from the seed.
    pub sample: u32,
}

impl ReturnPlan {
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty() && self.sample == 0
    }

    /// The returned devices' indices, sorted, from `shipped` (sorted indices).
    pub(crate) fn select(&self, seed: Seed, shipped: &[u64]) -> Vec<u64> {
        let mut chosen: Vec<u64> = self
            .devices
            .iter()
            .copied()
            .filter(|i| shipped.binary_search(i).is_ok())
            .collect();
        let mut pool: Vec<u64> = shipped
            .iter()
            .copied()
            .filter(|i| !chosen.contains(i))
            .collect();
        let take = (self.sample as usize).min(pool.len());
        let mut stream = seed.stream("returns");
        for i in 0..take {
            let j = i + stream.below((pool.len() - i) as u64) as usize;
            pool.swap(i, j);
        }
        chosen.extend_from_slice(&pool[..take]);
        chosen.sort_unstable();
        chosen.dedup();
        chosen
    }
}

/// What became of a returned device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnOutcome {
    /// It entered RMA and its key store read back empty.
    RmaWiped,
    /// It entered RMA but key material was still readable: a finding.
    RmaNotWiped,
    /// It refused RMA (its debug port is fused shut) and was destroyed physically.
    PhysicallyDestroyed,
}

impl ReturnOutcome {
    pub fn name(self) -> &'static str {
        match self {
            ReturnOutcome::RmaWiped => "rma-wiped",
            ReturnOutcome::RmaNotWiped => "rma-not-wiped",
            ReturnOutcome::PhysicallyDestroyed => "physically-destroyed",
        }
    }

    pub fn parse(name: &str) -> Option<ReturnOutcome> {
        [
            ReturnOutcome::RmaWiped,
            ReturnOutcome::RmaNotWiped,
            ReturnOutcome::PhysicallyDestroyed,
        ]
        .into_iter()
        .find(|o| o.name() == name)
    }
}

/// Takes a returned chip through the RMA desk with its `token`.
pub(crate) fn process_return(
    ctx: &mut Ctx<'_>,
    target: &mut dyn Target,
    token: [u8; 32],
) -> (ReturnOutcome, String) {
    let entered = target.execute(
        ctx,
        Command::Transition {
            to: LifeCycle::Rma,
            token: Some(token.to_vec()),
        },
    );
    if let Err(refused) = entered {
        // Nothing can be analysed or wiped through a closed port: the part is shredded.
        let _ = target.execute(
            ctx,
            Command::Transition {
                to: LifeCycle::Scrapped,
                token: None,
            },
        );
        return (ReturnOutcome::PhysicallyDestroyed, refused.to_string());
    }
    let mut left = 0;
    for region in target.memory_map() {
        if region.kind != RegionKind::KeyStore {
            continue;
        }
        match target.debug_read(ctx, region.base, region.len) {
            Ok(dump) => left += parse_slots(&dump).len(),
            Err(refused) => return (ReturnOutcome::RmaNotWiped, refused.to_string()),
        }
    }
    if left == 0 {
        (ReturnOutcome::RmaWiped, "key store empty".to_owned())
    } else {
        (
            ReturnOutcome::RmaNotWiped,
            format!("{left} key-store slot(s) still occupied"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_selects_only_shipped_devices_once_and_in_order() {
        let shipped = [0, 2, 3, 5, 8, 9];
        let plan = ReturnPlan {
            devices: vec![9, 4, 2, 2],
            sample: 2,
        };
        let chosen = plan.select(Seed::new(1), &shipped);
        assert_eq!(chosen.len(), 4);
        assert!(chosen.contains(&9) && chosen.contains(&2) && !chosen.contains(&4));
        assert!(chosen.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(chosen, plan.select(Seed::new(1), &shipped));
        let all = ReturnPlan {
            devices: Vec::new(),
            sample: 100,
        };
        assert_eq!(all.select(Seed::new(2), &shipped), shipped);
        assert!(
            ReturnPlan::default()
                .select(Seed::new(3), &shipped)
                .is_empty()
        );
    }
}
