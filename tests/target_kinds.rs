//! A target kind is known in one place: its folder (`devices/src/<kind>/`) and the
//! registry (`devices/src/registry.rs`). Everywhere else asks the kind's profile, so
//! non-test code outside those places never names a `TargetKind` variant: a fourth
//! kind then needs no edit anywhere else. This test parses every non-test source file of
//! the workspace and names each place that does.

mod common;
#[path = "common/source.rs"]
mod source;

use provsim_devices::TargetKind;
use syn::spanned::Spanned;
use syn::visit::Visit;

/// The places allowed to name a kind, relative to the workspace root, with `/`.
fn allowed(relative: &str) -> bool {
    relative == "devices/src/registry.rs"
        || TargetKind::ALL
            .iter()
            .any(|kind| relative.starts_with(&format!("devices/src/{}/", kind.name())))
}

fn variants() -> Vec<String> {
    TargetKind::ALL.iter().map(|k| format!("{k:?}")).collect()
}

/// Every place a file's non-test code names a variant: `TargetKind::Mcu` (at the end of
/// any path, in a `use`, inside a macro), `Self::Mcu` inside `impl TargetKind`, and
/// imports that would let a bare `Mcu` or an alias through (`TargetKind::*`,
/// `TargetKind::{..}`, `TargetKind as K`).
#[derive(Default)]
struct KindNames {
    variants: Vec<String>,
    in_kind_impl: bool,
    found: Vec<(usize, String)>,
}

impl KindNames {
    fn check(&mut self, segments: &[String], line: usize) {
        for pair in segments.windows(2) {
            let owner_is_kind = pair[0] == "TargetKind" || (self.in_kind_impl && pair[0] == "Self");
            if owner_is_kind && self.variants.contains(&pair[1]) {
                self.found.push((line, format!("{}::{}", pair[0], pair[1])));
            }
        }
    }
}

impl<'ast> Visit<'ast> for KindNames {
    fn visit_item(&mut self, i: &'ast syn::Item) {
        if !source::item_is_test_only(i) {
            syn::visit::visit_item(self, i);
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let outer = self.in_kind_impl;
        self.in_kind_impl = matches!(&*i.self_ty, syn::Type::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "TargetKind"));
        syn::visit::visit_item_impl(self, i);
        self.in_kind_impl = outer;
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !source::is_test_only(&f.attrs) {
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segments: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        self.check(&segments, p.span().start().line);
        syn::visit::visit_path(self, p);
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        fn walk(tree: &syn::UseTree, prefix: &mut Vec<String>, names: &mut KindNames) {
            let line = tree.span().start().line;
            let under_kind = prefix.last().is_some_and(|p| p == "TargetKind");
            match tree {
                syn::UseTree::Path(p) => {
                    prefix.push(p.ident.to_string());
                    walk(&p.tree, prefix, names);
                    prefix.pop();
                }
                syn::UseTree::Name(n) => {
                    prefix.push(n.ident.to_string());
                    names.check(prefix, line);
                    prefix.pop();
                }
                syn::UseTree::Rename(r) if r.ident == "TargetKind" => {
                    names
                        .found
                        .push((line, format!("TargetKind as {}", r.rename)));
                }
                syn::UseTree::Rename(r) => {
                    prefix.push(r.ident.to_string());
                    names.check(prefix, line);
                    prefix.pop();
                }
                syn::UseTree::Glob(_) if under_kind => {
                    names.found.push((line, "TargetKind::*".to_owned()));
                }
                syn::UseTree::Glob(_) => {}
                syn::UseTree::Group(g) => {
                    for t in &g.items {
                        walk(t, prefix, names);
                    }
                }
            }
        }
        walk(&u.tree, &mut Vec::new(), self);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // Macro arguments are tokens: look for `TargetKind :: Variant` runs in them.
        fn walk(tokens: proc_macro2::TokenStream, names: &mut KindNames) {
            let mut recent: Vec<String> = Vec::new();
            for token in tokens {
                match token {
                    proc_macro2::TokenTree::Group(g) => walk(g.stream(), names),
                    proc_macro2::TokenTree::Ident(i) => {
                        recent.push(i.to_string());
                        let n = recent.len();
                        if n >= 2 {
                            let pair = [recent[n - 2].clone(), recent[n - 1].clone()];
                            names.check(&pair, i.span().start().line);
                        }
                        continue;
                    }
                    proc_macro2::TokenTree::Punct(p) if p.as_char() == ':' => continue,
                    _ => {}
                }
                recent.clear();
            }
        }
        walk(m.tokens.clone(), self);
        syn::visit::visit_macro(self, m);
    }
}

fn findings(text: &str) -> Vec<(usize, String)> {
    let file = syn::parse_file(text).expect("the source parses");
    let mut names = KindNames {
        variants: variants(),
        ..KindNames::default()
    };
    names.visit_file(&file);
    names.found
}

#[test]
fn no_code_outside_the_kind_folders_and_the_registry_names_a_kind() {
    let files = source::product_files();
    assert!(files.len() > 50, "found only {} source files", files.len());
    let mut problems = Vec::new();
    for path in files {
        let (relative, text, _) = source::parse(&path);
        if allowed(&relative) {
            continue;
        }
        for (line, what) in findings(&text) {
            problems.push(format!("{relative}:{line}: {what}"));
        }
    }
    assert!(
        problems.is_empty(),
        "these lines name a target kind outside its folder and the registry; ask the \
         kind's profile instead (TargetKind::profile, TargetKind::ALL, from_name):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_scan_sees_code_and_ignores_tests_and_comments() {
    let text = "fn potential(kind: TargetKind) {\n\
                \x20   if kind == TargetKind::Mcu {}\n\
                \x20   let _ = format::TargetKind::Se;\n\
                }\n\
                // TargetKind::Asic in a comment\n\
                const S: &str = \"TargetKind::Asic {\";\n\
                use provsim_devices::TargetKind::*;\n\
                #[cfg(test)]\n\
                mod tests {\n\
                \x20   fn f() { let _ = TargetKind::Asic; }\n\
                }\n\
                #[cfg(test)]\n\
                use provsim_devices::TargetKind::Se;\n\
                fn after() { let _ = TargetKind::Asic; }\n\
                impl TargetKind { fn se(self) -> bool { self == Self::Se } }\n\
                use provsim_devices::TargetKind as K;\n\
                fn m() -> bool { matches!(k, TargetKind::Mcu) }\n\
                use provsim_devices::TargetKind::{Mcu, Se};\n";
    let lines: Vec<usize> = findings(text).into_iter().map(|(n, _)| n).collect();
    assert_eq!(lines, [2, 3, 7, 14, 15, 16, 17, 18, 18]);
}

#[test]
fn only_the_kind_folders_and_the_registry_are_allowed() {
    assert!(allowed("devices/src/mcu/chip.rs"));
    assert!(allowed("devices/src/se/profile.rs"));
    assert!(allowed("devices/src/asic/profile.rs"));
    assert!(allowed("devices/src/registry.rs"));
    assert!(!allowed("devices/src/target.rs"));
    assert!(!allowed("devices/src/countermeasures.rs"));
    assert!(!allowed("attacks/src/cpa_storage_key.rs"));
    assert!(!allowed("devices/src/mcu.rs"));
}
