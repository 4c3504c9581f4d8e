//! Stream labels and the families they come from.
//!
//! A stream's label is what makes it independent of every other stream, so two purposes
//! drawing from one label would silently share their "random" values. Every label in
//! the simulated crates therefore comes from a [`LabelFamily`]: one constructor, one
//! template such as `device/{n}/identity-key`. The templates are checked pairwise for
//! overlap ([`LabelFamily::overlaps`], decided exactly, not by sampling), and what a
//! constructor produces is checked against its own template ([`audit`]), so no two
//! constructors can ever draw the same stream.
//!
//! The kernel holds the mechanism only; each crate above it keeps its families in one
//! `labels` module, which is the only place that opens a stream from a seed.

use crate::seed::{Seed, Stream};
use std::cell::RefCell;
use std::fmt::Write as _;

/// One argument of a label: a number (`{n}` in a template) or a name (`{s}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelArg<'a> {
    Number(u64),
    Name(&'a str),
}

impl From<u64> for LabelArg<'_> {
    fn from(n: u64) -> Self {
        LabelArg::Number(n)
    }
}

impl<'a> From<&'a str> for LabelArg<'a> {
    fn from(s: &'a str) -> Self {
        LabelArg::Name(s)
    }
}

/// The labels one constructor makes.
///
/// The template is literal text with holes: `{n}` stands for a decimal number, `{s}` for
/// a name of ASCII letters, digits, `-`, `_` and `.` (never `/`, so a name cannot reach
/// into the next part of a label).
#[derive(Debug)]
pub struct LabelFamily {
    /// The constructor's path, for messages (`provisioner::labels::identity_key`).
    pub constructor: &'static str,
    pub template: &'static str,
}

impl LabelFamily {
    pub const fn new(constructor: &'static str, template: &'static str) -> Self {
        LabelFamily {
            constructor,
            template,
        }
    }

    /// The label for these arguments, holes filled in order.
    pub fn render(&self, args: &[LabelArg<'_>]) -> String {
        let mut out = String::with_capacity(self.template.len() + 8);
        let mut args = args.iter();
        let mut rest = self.template;
        while !rest.is_empty() {
            let hole = ["{n}", "{s}"].into_iter().find(|h| rest.starts_with(h));
            match (hole, hole.and_then(|_| args.next())) {
                (Some(_), Some(LabelArg::Number(n))) => {
                    let _ = write!(out, "{n}");
                }
                (Some(_), Some(LabelArg::Name(s))) => out.push_str(s),
                // A hole with no argument stays visible, and the audit names it.
                (Some(hole), None) => out.push_str(hole),
                (None, _) => {
                    let c = rest.chars().next().unwrap_or_default();
                    out.push(c);
                    rest = &rest[c.len_utf8()..];
                    continue;
                }
            }
            rest = &rest[3..];
        }
        out
    }

    /// Opens the stream for these arguments. The only way a labels module draws from a
    /// seed, so every stream a run opens passes the [`audit`].
    ///
    /// In debug builds (every test) a label outside the family's template, or arguments
    /// that do not fit its holes, stop the run at once rather than share a stream.
    pub fn open(&'static self, seed: Seed, args: &[LabelArg<'_>]) -> Stream {
        let label = self.render(args);
        debug_assert!(
            self.fits(args) && self.matches(&label),
            "{} made {label:?} from {args:?}, outside its template {:?}",
            self.constructor,
            self.template
        );
        AUDIT.with(|audit| {
            if let Some(log) = audit.borrow_mut().as_mut() {
                log.push((self, label.clone()));
            }
        });
        seed.stream(&label)
    }

    /// True when `args` fill the template's holes one for one, numbers in `{n}` and
    /// label names in `{s}`.
    pub fn fits(&self, args: &[LabelArg<'_>]) -> bool {
        let holes: Vec<bool> = pattern(self.template)
            .iter()
            .filter(|item| item.repeat)
            .map(|item| item.class == Class::Digit)
            .collect();
        holes.len() == args.len()
            && holes.iter().zip(args).all(|(number, arg)| match arg {
                LabelArg::Number(_) => *number,
                LabelArg::Name(s) => !*number && is_label_name(s),
            })
    }

    /// True when `label` is one this family can make.
    pub fn matches(&self, label: &str) -> bool {
        let pattern = pattern(self.template);
        let mut state = vec![false; pattern.len() + 1];
        state[0] = true;
        for c in label.chars() {
            let mut next = vec![false; pattern.len() + 1];
            for (i, item) in pattern.iter().enumerate() {
                if state[i] && item.class.accepts(c) {
                    next[i + 1] = true;
                    if item.repeat {
                        next[i] = true;
                    }
                }
            }
            state = next;
        }
        state[pattern.len()]
    }

    /// True when some label could come from both families: the two templates are
    /// intersected as automata, so the answer is exact for every argument.
    pub fn overlaps(&self, other: &LabelFamily) -> bool {
        let a = pattern(self.template);
        let b = pattern(other.template);
        // State (i, j): the next item of each to match. A repeated item that has just
        // matched may match again (stay) or let the next item take over.
        let mut seen = vec![false; (a.len() + 1) * (b.len() + 1)];
        let mut stack = vec![(0usize, 0usize)];
        while let Some((i, j)) = stack.pop() {
            let at = i * (b.len() + 1) + j;
            if seen[at] {
                continue;
            }
            seen[at] = true;
            if i == a.len() && j == b.len() {
                return true;
            }
            if i == a.len() || j == b.len() || !a[i].class.meets(b[j].class) {
                continue;
            }
            for ni in [i + 1, if a[i].repeat { i } else { usize::MAX }] {
                for nj in [j + 1, if b[j].repeat { j } else { usize::MAX }] {
                    if ni != usize::MAX && nj != usize::MAX && (ni, nj) != (i, j) {
                        stack.push((ni, nj));
                    }
                }
            }
        }
        false
    }
}

/// What one character of a label may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Exactly(char),
    Digit,
    NameChar,
}

impl Class {
    fn accepts(self, c: char) -> bool {
        match self {
            Class::Exactly(x) => x == c,
            Class::Digit => c.is_ascii_digit(),
            Class::NameChar => is_name_char(c),
        }
    }

    /// True when some character is in both classes.
    fn meets(self, other: Class) -> bool {
        match (self, other) {
            (Class::Exactly(x), c) | (c, Class::Exactly(x)) => c.accepts(x),
            // Digits are name characters.
            _ => true,
        }
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// True when `name` may fill a `{s}` hole.
pub fn is_label_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(is_name_char)
}

#[derive(Debug, Clone, Copy)]
struct Item {
    class: Class,
    /// One or more characters of the class (a hole), rather than exactly one.
    repeat: bool,
}

fn pattern(template: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut rest = template;
    while !rest.is_empty() {
        if let Some(tail) = rest.strip_prefix("{n}") {
            items.push(Item {
                class: Class::Digit,
                repeat: true,
            });
            rest = tail;
        } else if let Some(tail) = rest.strip_prefix("{s}") {
            items.push(Item {
                class: Class::NameChar,
                repeat: true,
            });
            rest = tail;
        } else {
            let c = rest.chars().next().unwrap_or_default();
            items.push(Item {
                class: Class::Exactly(c),
                repeat: false,
            });
            rest = &rest[c.len_utf8()..];
        }
    }
    items
}

thread_local! {
    static AUDIT: RefCell<Option<Vec<(&'static LabelFamily, String)>>> = const { RefCell::new(None) };
}

/// Every label opened on this thread while `f` runs, with the family that made it.
///
/// Off (and free, but for one thread-local check) outside this call; tests use it to show
/// that a whole run drew each label from one family only, and only labels its family's
/// template allows.
pub fn audit<T>(f: impl FnOnce() -> T) -> (T, Vec<(&'static LabelFamily, String)>) {
    let outer = AUDIT.with(|a| a.borrow_mut().replace(Vec::new()));
    let value = f();
    let log = AUDIT.with(|a| {
        let mut slot = a.borrow_mut();
        let log = slot.take().unwrap_or_default();
        *slot = outer;
        if let Some(outer) = slot.as_mut() {
            outer.extend(log.iter().cloned());
        }
        log
    });
    (value, log)
}

/// The problems in an audit log: labels outside their family's template, and labels
/// drawn from two families. Empty when the run was sound.
pub fn audit_problems(log: &[(&'static LabelFamily, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut first: std::collections::BTreeMap<&str, &'static LabelFamily> = Default::default();
    for (family, label) in log {
        if !family.matches(label) {
            problems.push(format!(
                "{} made {label:?}, outside its template {:?}",
                family.constructor, family.template
            ));
        }
        let seen = first.entry(label).or_insert(family);
        if !std::ptr::eq(*seen, *family) {
            problems.push(format!(
                "{label:?} drawn from both {} and {}",
                seen.constructor, family.constructor
            ));
        }
    }
    problems
}

/// The pairs of families, in `families`, whose templates overlap, or that share a
/// constructor name. Empty when every label names exactly one constructor.
pub fn family_conflicts(families: &[&LabelFamily]) -> Vec<String> {
    let mut conflicts = Vec::new();
    for (i, a) in families.iter().enumerate() {
        for b in &families[i + 1..] {
            if a.constructor == b.constructor {
                conflicts.push(format!("two families named {}", a.constructor));
            }
            if a.overlaps(b) {
                conflicts.push(format!(
                    "{} ({:?}) and {} ({:?}) can make the same label",
                    a.constructor, a.template, b.constructor, b.template
                ));
            }
        }
    }
    conflicts
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    static KEY: LabelFamily = LabelFamily::new("t::key", "device/{n}/identity-key");
    static SYM: LabelFamily = LabelFamily::new("t::sym", "device/{n}/symmetric-key/{s}");
    static TOKEN: LabelFamily = LabelFamily::new("t::token", "device/{n}/{s}-token");
    static ANY: LabelFamily = LabelFamily::new("t::any", "device/{n}/{s}");
    static SITE: LabelFamily = LabelFamily::new("t::site", "site/root-ca");

    #[test]
    fn render_fills_holes_in_order() {
        assert_eq!(
            SYM.render(&[7.into(), "storage".into()]),
            "device/7/symmetric-key/storage"
        );
        assert_eq!(
            TOKEN.render(&[3.into(), "debug".into()]),
            "device/3/debug-token"
        );
    }

    #[test]
    fn overlap_is_exact() {
        assert!(!KEY.overlaps(&SYM));
        assert!(!KEY.overlaps(&TOKEN));
        assert!(!SYM.overlaps(&TOKEN));
        assert!(!KEY.overlaps(&SITE));
        // A bare name hole swallows "identity-key" and "debug-token".
        assert!(KEY.overlaps(&ANY));
        assert!(TOKEN.overlaps(&ANY));
        assert!(!SYM.overlaps(&ANY), "a name never contains '/'");
        assert!(KEY.overlaps(&KEY));
        let conflicts = family_conflicts(&[&KEY, &SYM, &TOKEN, &ANY, &SITE]);
        assert_eq!(conflicts.len(), 2, "{conflicts:?}");
    }

    #[test]
    fn matches_follows_the_template() {
        assert!(KEY.matches("device/12/identity-key"));
        assert!(!KEY.matches("device//identity-key"));
        assert!(!KEY.matches("device/x/identity-key"));
        assert!(TOKEN.matches("device/0/test-token"));
        assert!(!TOKEN.matches("device/0/-token"));
        assert!(!SYM.matches("device/0/symmetric-key/a/b"));
    }

    #[test]
    fn audit_names_a_label_from_two_families() {
        static SAME: LabelFamily = LabelFamily::new("t::same", "device/{n}/identity-key");
        let ((), log) = audit(|| {
            let _ = KEY.open(Seed::new(1), &[5.into()]);
            let _ = SAME.open(Seed::new(1), &[5.into()]);
        });
        let problems = audit_problems(&log);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("t::key") && problems[0].contains("t::same"));
        let ((), clean) = audit(|| {
            let _ = KEY.open(Seed::new(1), &[5.into()]);
            let _ = KEY.open(Seed::new(2), &[5.into()]);
        });
        assert!(audit_problems(&clean).is_empty());
    }

    #[test]
    fn audit_names_a_label_outside_its_template() {
        // What `open` would draw, checked as the audit checks it.
        let label = SYM.render(&[5.into(), "a/b".into()]);
        let log = vec![(&SYM, label)];
        assert_eq!(audit_problems(&log).len(), 1);
    }

    #[test]
    fn arguments_must_fit_the_holes() {
        assert!(SYM.fits(&[5.into(), "storage".into()]));
        assert!(!SYM.fits(&[5.into()]), "too few");
        assert!(!SYM.fits(&[5.into(), "a".into(), "b".into()]), "too many");
        assert!(
            !SYM.fits(&["5".into(), "storage".into()]),
            "a name in a number hole"
        );
        assert!(!SYM.fits(&[5.into(), "a/b".into()]), "a name with a slash");
        assert!(!SYM.fits(&[5.into(), "".into()]), "an empty name");
        assert_eq!(SYM.render(&[5.into()]), "device/5/symmetric-key/{s}");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "outside its template")]
    fn opening_a_label_outside_the_template_stops_a_debug_run() {
        let _ = SYM.open(Seed::new(1), &[5.into(), "a/b".into()]);
    }

    #[test]
    fn a_brace_that_is_no_hole_is_text() {
        static ODD: LabelFamily = LabelFamily::new("t::odd", "odd/{x}/é{");
        assert_eq!(ODD.render(&[]), "odd/{x}/é{");
        assert!(ODD.matches("odd/{x}/é{"));
    }

    #[test]
    fn open_draws_the_rendered_label() {
        let a = KEY.open(Seed::new(9), &[4.into()]).next_u64();
        let b = Seed::new(9).stream("device/4/identity-key").next_u64();
        assert_eq!(a, b);
    }

    proptest! {
        #[test]
        fn rendered_labels_match_their_own_family_only(n: u64, name in "[a-z0-9_.-]{1,12}") {
            let families = [&KEY, &SYM, &TOKEN, &SITE];
            for family in families {
                let label = family.render(&[n.into(), name.as_str().into()]);
                prop_assert!(family.matches(&label), "{label}");
                for other in families {
                    if !std::ptr::eq(other, family) {
                        prop_assert!(!other.matches(&label), "{label} also matches {}", other.template);
                    }
                }
            }
        }
    }
}
