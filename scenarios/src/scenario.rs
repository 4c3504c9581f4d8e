use crate::claims::claim::Claim;
use provsim_attacks::{Attack, RatedRung};
use provsim_devices::TargetKind;
use provsim_provisioner::{CostModel, Custody, LineConfig, Lot};
use provsim_sim::Digest;

/// A validated scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub title: String,
    /// How the user named it: a path as given, or `builtin:NAME`.
    pub source: String,
    /// What the file says, whatever its layout (comments, spacing, key order): the
    /// canonical digest of its TOML values. The run's trace digest covers it, so two
    /// runs of different inputs never share one. Where the file lies does not count.
    pub input: Digest,
    /// The file's text as read: a report embeds it, so the run can be replayed from the
    /// report alone.
    pub text: String,
    /// The seed used when the command line gives none.
    pub default_seed: u64,
    pub line: LineConfig,
    pub lots: Vec<Lot>,
    pub attacks: Vec<AttackPlan>,
    /// The claims, each made at its resistance, in the file's order.
    pub claims: Vec<Claim>,
    /// Every custody configuration's costs (the scenario's own figures over the
    /// defaults), in `Custody::ALL` order, and the currency they are in.
    pub costs: [(Custody, CostModel); 3],
    pub currency: String,
}

impl Scenario {
    pub fn device_count(&self) -> u64 {
        self.lots.iter().map(|lot| u64::from(lot.devices)).sum()
    }

    /// The run of this scenario at `seed`: SHA-256 over the scenario's values and the
    /// seed. The line's books name it (the audit log's first record, the signed closing
    /// records), so books of one run cannot pass for another's.
    pub fn run_id(&self, seed: u64) -> Digest {
        let mut hash = provsim_sim::crypto::Sha256::new();
        hash.update(b"provsim run v1\0");
        hash.update(&self.input.0);
        hash.update(&seed.to_be_bytes());
        Digest(hash.finalize())
    }

    /// The volume costs are reported at: the order, or else every device of the lots.
    pub fn volume(&self) -> u64 {
        self.line
            .order
            .as_ref()
            .map_or_else(|| self.device_count(), |order| order.devices)
    }
}

/// Which shipped devices an attack is tried on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Targets {
    All,
    Devices(Vec<u64>),
    /// This many distinct shipped devices, drawn from the seed.
    Sample(u32),
}

/// One attack path of a scenario.
#[derive(Clone)]
pub struct AttackPlan {
    pub attack: &'static dyn Attack,
    pub targets: Targets,
    pub climb: Climb,
}

/// How far up its effort ladder a path climbs: the whole ladder unless the scenario
/// caps it or pins one rung.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Climb {
    /// Only the rung with this label.
    pub pinned: Option<String>,
    /// At most this many rungs, cheapest first.
    pub max_rungs: Option<usize>,
    /// Only rungs whose plan is rated at most this many points; `None` is no cap.
    pub budget: Option<u32>,
    /// Keep climbing after a rung succeeds, to map every rung (the judgement is the
    /// same: the cheapest success still decides).
    pub past_success: bool,
}

impl AttackPlan {
    /// The rungs this path climbs on `target`, cheapest first, each with its position
    /// in the attack's own list (what its stream is named by) and its planned rating.
    pub fn rungs(&self, target: TargetKind) -> Vec<RatedRung> {
        provsim_attacks::ladder(self.attack, target)
            .into_iter()
            .filter(|r| {
                self.climb
                    .pinned
                    .as_ref()
                    .is_none_or(|p| *p == r.rung.label)
            })
            .filter(|r| {
                self.climb
                    .budget
                    .is_none_or(|most| r.planned.total().is_some_and(|t| t <= most))
            })
            .take(self.climb.max_rungs.unwrap_or(usize::MAX))
            .collect()
    }
}

impl std::fmt::Debug for AttackPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttackPlan")
            .field("attack", &self.attack.id())
            .field("targets", &self.targets)
            .field("climb", &self.climb)
            .finish()
    }
}
