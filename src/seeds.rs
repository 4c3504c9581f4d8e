//! `--seeds`: which seeds a sweep runs. `A..B` is every seed from A to B, both
//! included; `A,B,C` is those seeds. Either is read back in one normal form (a list of
//! consecutive seeds becomes a range), which the sweep's manifest records so shards can
//! be checked against each other. A range is never written out seed by seed: a shard
//! of a large range holds only its own seeds.

/// The most seeds one sweep names: far beyond any campaign on one machine (a sweep
/// keeps a record of a few hundred bytes per seed it runs), and checked before anything
/// is run.
const MOST: u64 = 10_000_000;

/// The seeds a sweep runs, ascending, with no repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSpec {
    /// The normal form: `A..B`, or the seeds joined with commas in ascending order.
    pub text: String,
    seeds: Seeds,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seeds {
    /// From, to, both included.
    Range(u64, u64),
    /// Ascending, no repeats, not consecutive.
    List(Vec<u64>),
}

impl SeedSpec {
    /// Reads `--seeds`; the error says what was expected.
    pub fn parse(text: &str) -> Result<SeedSpec, String> {
        let text = text.trim();
        let number = |part: &str| {
            part.trim().parse::<u64>().map_err(|_| {
                format!(
                    "`{part}` in --seeds {text:?} is not a seed (a whole number from 0 to {})",
                    u64::MAX
                )
            })
        };
        if let Some((from, to)) = text.split_once("..") {
            let (from, to) = (number(from)?, number(to)?);
            if from > to {
                return Err(format!(
                    "--seeds {text:?} runs backwards: write the lower seed first (A..B, both included)"
                ));
            }
            if to - from >= MOST {
                return Err(format!("--seeds {text:?} names more than {MOST} seeds"));
            }
            return Ok(SeedSpec::range(from, to));
        }
        if text.is_empty() {
            return Err("--seeds is empty: give A..B or A,B,C".to_owned());
        }
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() as u64 > MOST {
            return Err(format!("--seeds names more than {MOST} seeds"));
        }
        let mut seeds = parts
            .into_iter()
            .map(number)
            .collect::<Result<Vec<u64>, String>>()?;
        seeds.sort_unstable();
        if let Some(twice) = seeds.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("--seeds {text:?} names seed {} twice", twice[0]));
        }
        let (first, last) = (seeds[0], seeds[seeds.len() - 1]);
        if last - first + 1 == seeds.len() as u64 {
            return Ok(SeedSpec::range(first, last));
        }
        let normal: Vec<String> = seeds.iter().map(u64::to_string).collect();
        Ok(SeedSpec {
            text: normal.join(","),
            seeds: Seeds::List(seeds),
        })
    }

    fn range(from: u64, to: u64) -> SeedSpec {
        SeedSpec {
            text: format!("{from}..{to}"),
            seeds: Seeds::Range(from, to),
        }
    }

    /// How many seeds.
    pub fn len(&self) -> u64 {
        match &self.seeds {
            Seeds::Range(from, to) => to - from + 1,
            Seeds::List(seeds) => seeds.len() as u64,
        }
    }

    /// The seed at `position` (from 0) of the ascending list.
    pub fn nth(&self, position: u64) -> Option<u64> {
        match &self.seeds {
            Seeds::Range(from, to) => from.checked_add(position).filter(|s| s <= to),
            Seeds::List(seeds) => usize::try_from(position)
                .ok()
                .and_then(|p| seeds.get(p).copied()),
        }
    }

    /// The seeds at positions `first`, `first + step`, ... (ascending).
    pub fn every(&self, first: u64, step: u64) -> Vec<u64> {
        let step = step.max(1);
        let mut seeds = Vec::new();
        let mut position = first;
        while let Some(seed) = self.nth(position) {
            seeds.push(seed);
            position += step;
        }
        seeds
    }

    /// Every seed, ascending.
    pub fn all(&self) -> Vec<u64> {
        self.every(0, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_include_both_ends_and_lists_are_sorted() {
        let range = SeedSpec::parse("3..6").unwrap();
        assert_eq!(
            (range.text.as_str(), range.all()),
            ("3..6", vec![3, 4, 5, 6])
        );
        assert_eq!(SeedSpec::parse("7..7").unwrap().all(), vec![7]);
        let list = SeedSpec::parse(" 9, 2,5 ").unwrap();
        assert_eq!((list.text.as_str(), list.all()), ("2,5,9", vec![2, 5, 9]));
        // Consecutive seeds listed one by one are the same sweep as their range.
        assert_eq!(
            SeedSpec::parse("3,1,2").unwrap(),
            SeedSpec::parse("1..3").unwrap()
        );
        assert_eq!(list.every(1, 2), vec![5]);
        assert_eq!(range.len(), 4);
    }

    #[test]
    fn a_slice_of_a_large_range_holds_only_its_own_seeds() {
        let range = SeedSpec::parse("0..9999999").unwrap();
        assert_eq!(range.every(9_999_998, 5_000_000), vec![9_999_998]);
        assert_eq!(range.nth(10_000_000), None);
    }

    #[test]
    fn bad_seeds_say_what_was_expected() {
        for (bad, says) in [
            ("6..3", "runs backwards"),
            ("1,2,1", "seed 1 twice"),
            ("x..3", "`x`"),
            ("1,,2", "is not a seed"),
            ("", "is empty"),
            ("-1..3", "`-1`"),
            ("0..10000000", "more than"),
        ] {
            let error = SeedSpec::parse(bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
