//! `--shard K/N`: the slice of a sweep's seeds one job runs, so a campaign spreads over
//! CI jobs or a cluster's array job. Shard K of N takes the seeds at positions K, K+N,
//! K+2N, ... of the ascending list: the shards are disjoint, together they cover every
//! seed, and each gets about as many as the others whatever the range.
//!
//! `auto/N` takes K from the scheduler that started the job: a Kubernetes Indexed Job
//! sets `JOB_COMPLETION_INDEX` (0 to N-1); a Slurm array sets `SLURM_ARRAY_TASK_ID`,
//! counted from `SLURM_ARRAY_TASK_MIN` (`--array=1-8` gives 1 to 8).

use crate::seeds::SeedSpec;
use serde::{Deserialize, Serialize};

/// One shard of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Reads `--shard`, looking `auto` up in `env` (the process environment, or a test's).
    pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let Some((index, count)) = text.split_once('/') else {
            return Err(format!("--shard {text:?}: give K/N (K from 0) or auto/N"));
        };
        let count: u64 = count
            .trim()
            .parse()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| format!("--shard {text:?}: N must be a whole number of at least 1"))?;
        let index = match index.trim() {
            "auto" => scheduler_index(env)?,
            k => k.parse::<u64>().map_err(|_| {
                format!("--shard {text:?}: K must be a whole number from 0, or auto")
            })?,
        };
        if index >= count {
            return Err(format!(
                "--shard {text:?}: shard {index} does not exist among {count} (K counts from 0 to N-1)"
            ));
        }
        Ok(Shard { index, count })
    }

    /// The seeds of `spec` that are this shard's, ascending.
    pub fn pick(self, spec: &SeedSpec) -> Vec<u64> {
        spec.every(self.index, self.count)
    }
}

/// The shard index the scheduler gave this job.
fn scheduler_index(env: &dyn Fn(&str) -> Option<String>) -> Result<u64, String> {
    let read = |name: &str| -> Result<Option<u64>, String> {
        match env(name) {
            None => Ok(None),
            Some(value) => value
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("{name}={value:?} is not a whole number")),
        }
    };
    if let Some(index) = read("JOB_COMPLETION_INDEX")? {
        return Ok(index);
    }
    if let Some(task) = read("SLURM_ARRAY_TASK_ID")? {
        let min = read("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        return task.checked_sub(min).ok_or_else(|| {
            format!("SLURM_ARRAY_TASK_ID={task} is below SLURM_ARRAY_TASK_MIN={min}")
        });
    }
    Err(
        "--shard auto/N: neither JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) nor \
         SLURM_ARRAY_TASK_ID (a Slurm array) is set: give K/N"
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn shards_are_disjoint_and_cover_the_seeds() {
        let seeds = SeedSpec::parse("10..30").unwrap();
        let mut all: Vec<u64> = (0..3)
            .flat_map(|k| Shard { index: k, count: 3 }.pick(&seeds))
            .collect();
        assert_eq!(
            Shard { index: 1, count: 3 }.pick(&seeds),
            [11, 14, 17, 20, 23, 26, 29]
        );
        all.sort_unstable();
        assert_eq!(all, seeds.all());
    }

    #[test]
    fn a_kubernetes_indexed_job_gives_its_completion_index() {
        let k8s = env(&[("JOB_COMPLETION_INDEX", "2")]);
        assert_eq!(
            Shard::parse("auto/3", &k8s),
            Ok(Shard { index: 2, count: 3 })
        );
        let beyond = env(&[("JOB_COMPLETION_INDEX", "3")]);
        assert!(
            Shard::parse("auto/3", &beyond)
                .unwrap_err()
                .contains("does not exist")
        );
    }

    #[test]
    fn a_slurm_array_counts_from_its_first_task() {
        let slurm = env(&[("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_MIN", "1")]);
        assert_eq!(
            Shard::parse("auto/8", &slurm),
            Ok(Shard { index: 4, count: 8 })
        );
        let from_zero = env(&[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_MIN", "0")]);
        assert_eq!(
            Shard::parse("auto/8", &from_zero),
            Ok(Shard { index: 0, count: 8 })
        );
        let below = env(&[("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_MIN", "1")]);
        assert!(Shard::parse("auto/8", &below).is_err());
    }

    #[test]
    fn explicit_shards_and_mistakes() {
        let none = env(&[]);
        assert_eq!(Shard::parse("0/1", &none), Ok(Shard { index: 0, count: 1 }));
        for (bad, says) in [
            ("3/3", "does not exist"),
            ("1/0", "at least 1"),
            ("a/3", "K must be"),
            ("3", "give K/N"),
            ("auto/4", "neither JOB_COMPLETION_INDEX"),
        ] {
            let error = Shard::parse(bad, &none).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
