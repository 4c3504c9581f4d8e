//! Every random stream of a run comes from one labelled constructor, and no two
//! constructors can draw the same stream.
//!
//! Two purposes that drew from one label would share their "random" values (a device's
//! masks equal to its identity key's bytes, say) without any test noticing. So labels are
//! built only by the families in each crate's `labels` module: their templates are
//! checked pairwise for overlap here (exactly, as automata), a grep keeps `Seed::stream`
//! out of every other non-test file, and whole runs of the built-in scenarios are audited
//! for a label drawn from two families or outside its family's template.

mod common;
#[path = "common/source.rs"]
mod source;

use provsim_scenarios::{BUILTIN, RunOptions, run};
use provsim_sim::label::{LabelFamily, audit, audit_problems, family_conflicts};
use syn::spanned::Spanned;
use syn::visit::Visit;

fn all_families() -> Vec<&'static LabelFamily> {
    [
        provsim_devices::labels::FAMILIES,
        provsim_provisioner::labels::FAMILIES,
        provsim_scenarios::labels::FAMILIES,
    ]
    .concat()
}

#[test]
fn no_two_label_families_can_make_the_same_label() {
    let families = all_families();
    assert!(families.len() > 20, "only {} families", families.len());
    let conflicts = family_conflicts(&families);
    assert!(conflicts.is_empty(), "{}", conflicts.join("\n"));
}

/// Calls that open a stream straight from a seed: `x.stream(..)`, `x.device_stream(..)`
/// and `Seed::stream(..)`, outside test-only items.
#[derive(Default)]
struct StreamCalls {
    found: Vec<(usize, String)>,
}

impl<'ast> Visit<'ast> for StreamCalls {
    fn visit_item(&mut self, i: &'ast syn::Item) {
        if !source::item_is_test_only(i) {
            syn::visit::visit_item(self, i);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !source::is_test_only(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
        let method = call.method.to_string();
        if method == "stream" || method == "device_stream" {
            self.found
                .push((call.method.span().start().line, format!(".{method}(..)")));
        }
        syn::visit::visit_expr_method_call(self, call);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        let names: Vec<String> = p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if let [.., owner, method] = names.as_slice()
            && owner == "Seed"
            && (method == "stream" || method == "device_stream")
        {
            self.found
                .push((p.path.span().start().line, format!("Seed::{method}")));
        }
        syn::visit::visit_expr_path(self, p);
    }
}

#[test]
fn only_the_labels_modules_open_streams_from_a_seed() {
    // The kernel's own doors, and the one labels module of each crate.
    let allowed = |rel: &str| {
        rel == "sim/src/seed.rs" || rel == "sim/src/label.rs" || rel.ends_with("/src/labels.rs")
    };
    let mut offenders = Vec::new();
    for path in source::product_files() {
        let (rel, _, file) = source::parse(&path);
        if allowed(&rel) {
            continue;
        }
        let mut calls = StreamCalls::default();
        calls.visit_file(&file);
        for (line, call) in calls.found {
            offenders.push(format!("{rel}:{line}: {call}"));
        }
    }
    assert!(
        offenders.is_empty(),
        "open streams through the crate's labels module:\n{}",
        offenders.join("\n")
    );
}

/// The finder itself: a call in a test-only method inside a product impl is left alone,
/// the one after it in the same impl is not.
#[test]
fn the_stream_finder_sees_past_a_test_only_item() {
    let file = syn::parse_file(
        "impl Chip {\n\
         #[cfg(test)]\n\
         fn peek(&self) { self.seed.stream(\"t\"); }\n\
         fn keys(&self) { self.seed.device_stream(1, \"k\"); }\n\
         }\n\
         fn f(s: Seed) { Seed::stream(s, \"x\"); }\n",
    )
    .expect("the sample parses");
    let mut calls = StreamCalls::default();
    calls.visit_file(&file);
    let lines: Vec<usize> = calls.found.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [4, 6], "{:?}", calls.found);
}

#[test]
fn every_built_in_run_draws_each_label_from_one_family() {
    let families = all_families();
    for builtin in BUILTIN {
        let scenario = builtin.load().expect("a shipped scenario loads");
        for seed in [1, 2] {
            let (report, log) = audit(|| {
                run(
                    &scenario,
                    &RunOptions::new(seed, Some(builtin.name)),
                    &mut (),
                )
            });
            report.unwrap_or_else(|e| panic!("{} seed {seed}: {e}", builtin.name));
            assert!(!log.is_empty(), "{}: no stream was audited", builtin.name);
            let problems = audit_problems(&log);
            assert!(
                problems.is_empty(),
                "{} seed {seed}:\n{}",
                builtin.name,
                problems.join("\n")
            );
            for (family, _) in &log {
                assert!(
                    families.iter().any(|f| std::ptr::eq(*f, *family)),
                    "{} is missing from its crate's FAMILIES",
                    family.constructor
                );
            }
        }
    }
}
