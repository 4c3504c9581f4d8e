//! `--seeds`: which seeds a sweep runs. `A..B` is every seed from A to B, both
//! included; `A,B,C` is those seeds. Either is read back in one normal form, which
//! the sweep's manifest records so shards can be checked against each other.

/// The most seeds one sweep names: far beyond any campaign, and small enough that the
/// list of them fits in memory.
const MOST: u64 = 100_000_000;

/// The seeds a sweep runs, in ascending order, with no repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedSpec {
    /// The normal form: `A..B`, or the seeds joined with commas in ascending order.
    pub text: String,
    pub seeds: Vec<u64>,
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
            return Ok(SeedSpec {
                text: format!("{from}..{to}"),
                seeds: (from..=to).collect(),
            });
        }
        if text.is_empty() {
            return Err("--seeds is empty: give A..B or A,B,C".to_owned());
        }
        let mut seeds = text
            .split(',')
            .map(number)
            .collect::<Result<Vec<u64>, String>>()?;
        seeds.sort_unstable();
        if let Some(twice) = seeds.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("--seeds {text:?} names seed {} twice", twice[0]));
        }
        if seeds.len() as u64 > MOST {
            return Err(format!("--seeds {text:?} names more than {MOST} seeds"));
        }
        let normal: Vec<String> = seeds.iter().map(u64::to_string).collect();
        Ok(SeedSpec {
            text: normal.join(","),
            seeds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_include_both_ends_and_lists_are_sorted() {
        let range = SeedSpec::parse("3..6").unwrap();
        assert_eq!(
            (range.text.as_str(), range.seeds),
            ("3..6", vec![3, 4, 5, 6])
        );
        assert_eq!(SeedSpec::parse("7..7").unwrap().seeds, vec![7]);
        let list = SeedSpec::parse(" 9, 2,5 ").unwrap();
        assert_eq!((list.text.as_str(), list.seeds), ("2,5,9", vec![2, 5, 9]));
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
            ("0..100000000", "more than"),
        ] {
            let error = SeedSpec::parse(bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }
}
