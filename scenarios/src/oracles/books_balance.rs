//! The site's books balance: a process claim, judged on the honest run as well as on
//! every site path's copy.
//!
//! Reconciliation (dies started = shipped + refused, keys made = shipped + destroyed,
//! every certificate signed in the manifest and the audit log, no identity shipped
//! twice) is what an ALC_DVS auditor asks of a provisioning site. It is false when the
//! honest line's own books do not balance (a process failure, with no attacker), or when
//! a path at the site leaves its copy's books with something they cannot account for
//! (an insider diverted a die, a key or a certificate), or when a key the books count
//! as destroyed is read out of the unshipped part it was made for. It is preventive: it says
//! nothing was diverted, and the books showing a divergence is what makes it false
//! (`books-name-illegitimate-identities` is the detective claim that the books name
//! what was diverted: the same attack can break this one and leave that one holding).
//! The honest run exercises the
//! clause only when it had something other than shipments to account for: at least one
//! refused device and one destroyed key. A run of perfect yields that no site path
//! tested says nothing about the books.

use super::oracle::{HonestRun, Observation, OnHonestRun, Oracle, keeps_books};
use super::scrapped_part::ScrappedPartsHoldNoKeys;
use provsim_attacks::{Gain, Position};

#[derive(Debug, Clone, Copy)]
pub struct BooksBalance;

impl Oracle for BooksBalance {
    fn id(&self) -> &'static str {
        "books-balance"
    }

    fn statement(&self) -> &'static str {
        "The site's books balance: every die started shipped or was refused, every key made shipped or was destroyed, and every certificate signed is in the manifest and the audit log."
    }

    fn falsified_by(&self) -> &'static [Gain] {
        &[Gain::Identity, Gain::ResidualKey]
    }

    /// A site path's copy keeps the books; a part in the scrap bin is what the books
    /// count as destroyed.
    fn tried_by(&self, position: Position) -> bool {
        keeps_books(position) || position == Position::ScrapBin
    }

    fn on_honest_run(&self, run: &HonestRun<'_>) -> Option<OnHonestRun> {
        if let Some(first) = run.findings.first() {
            return Some(OnHonestRun::Broken(format!(
                "the honest run's books do not balance ({} finding(s)), first: {first}",
                run.findings.len()
            )));
        }
        Some(run.as_exercise("balance"))
    }

    fn check(&self, seen: &Observation<'_>) -> Option<String> {
        // Ground truth against the books: a key they count as destroyed, read out of
        // the part it was made for.
        if let Some(found) = ScrappedPartsHoldNoKeys.check(seen) {
            return Some(format!(
                "the books count the keys of a part that did not ship as destroyed, but {found}"
            ));
        }
        let findings = seen.attacked.books.as_ref()?;
        let first = findings.first()?;
        let named = match first.record {
            Some(record) => format!("record {record}: {}", first.what),
            None => first.what.clone(),
        };
        Some(format!(
            "after the attack the site's books do not balance ({} finding(s)), first: {named}",
            findings.len()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(refused: u64, keys_destroyed: u64, findings: &[String]) -> HonestRun<'_> {
        HonestRun {
            shipped: 8,
            refused,
            keys_destroyed,
            findings,
        }
    }

    /// The honest run exercises the clause only with a refused device and a destroyed
    /// key; its own findings break the claim whatever else it did.
    #[test]
    fn the_honest_run_is_an_exercise_only_when_it_refused_and_destroyed() {
        let on = |r: &HonestRun<'_>| BooksBalance.on_honest_run(r).unwrap();
        assert!(matches!(on(&run(1, 2, &[])), OnHonestRun::Exercised(_)));
        assert!(matches!(on(&run(0, 2, &[])), OnHonestRun::NotExercised(_)));
        assert!(matches!(on(&run(1, 0, &[])), OnHonestRun::NotExercised(_)));
        let findings = ["lot LOT-0001: 8 started, 7 shipped, 0 refused".to_owned()];
        let OnHonestRun::Broken(why) = on(&run(1, 2, &findings)) else {
            panic!("findings did not break it");
        };
        assert!(why.contains("7 shipped"), "{why}");
    }
}
