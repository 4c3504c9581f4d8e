//! Rooms stay small: no source file over 600 lines and no function over 120, tests
//! aside.
//!
//! A file that grows past a few hundred lines holds more than one concept, and a function
//! past a screenful holds more than one step; both are where the next change lands
//! badly. The limits are checked here so that a room that grows is split when it grows,
//! not in a clean-up issue later.

mod common;

use std::path::{Path, PathBuf};
use syn::spanned::Spanned;
use syn::visit::Visit;

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 120;

/// Folders holding library and binary code.
const SOURCE_ROOTS: &[&str] = &[
    "sim/src",
    "devices/src",
    "provisioner/src",
    "attacks/src",
    "scenarios/src",
    "reports/src",
    "src",
];

fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "tests.rs" || name.ends_with("_tests.rs")
}

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a readable folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            source_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") && !is_test_file(&path) {
            out.push(path);
        }
    }
}

fn all_sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in SOURCE_ROOTS {
        source_files(&common::repo().join(root), &mut files);
    }
    files
}

/// Lines before the file's first `#[cfg(test)]`: the unit tests that close a file are
/// tests, not the room.
fn code_lines(text: &str) -> usize {
    text.lines()
        .take_while(|l| l.trim() != "#[cfg(test)]")
        .count()
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("test")
            || (a.path().is_ident("cfg")
                && a.parse_args::<syn::Meta>()
                    .map(|m| m.path().is_ident("test"))
                    .unwrap_or(false))
    })
}

/// Every non-test function with its first line and its length in lines.
#[derive(Default)]
struct Functions {
    found: Vec<(String, usize, usize)>,
}

impl Functions {
    fn note(&mut self, name: String, span: proc_macro2::Span) {
        let (first, last) = (span.start().line, span.end().line);
        self.found.push((name, first, last + 1 - first));
    }
}

impl<'ast> Visit<'ast> for Functions {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test_only(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if !is_test_only(&i.attrs) {
            syn::visit::visit_item_impl(self, i);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !is_test_only(&f.attrs) {
            self.note(f.sig.ident.to_string(), f.span());
            syn::visit::visit_item_fn(self, f);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !is_test_only(&f.attrs) {
            self.note(f.sig.ident.to_string(), f.span());
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if f.default.is_some() && !is_test_only(&f.attrs) {
            self.note(f.sig.ident.to_string(), f.span());
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

fn relative(path: &Path) -> String {
    path.strip_prefix(common::repo())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn no_source_file_is_over_600_lines() {
    let mut over = Vec::new();
    for path in all_sources() {
        let text = std::fs::read_to_string(&path).expect("a readable source file");
        let lines = code_lines(&text);
        if lines > MAX_FILE_LINES {
            over.push(format!("{}: {lines} lines", relative(&path)));
        }
    }
    assert!(
        over.is_empty(),
        "split these by concept (at most {MAX_FILE_LINES} lines before the unit tests):\n{}",
        over.join("\n")
    );
}

#[test]
fn no_function_is_over_120_lines() {
    let mut over = Vec::new();
    for path in all_sources() {
        let text = std::fs::read_to_string(&path).expect("a readable source file");
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut functions = Functions::default();
        functions.visit_file(&file);
        for (name, line, lines) in functions.found {
            if lines > MAX_FN_LINES {
                over.push(format!(
                    "{}:{line}: {name} is {lines} lines",
                    relative(&path)
                ));
            }
        }
    }
    assert!(
        over.is_empty(),
        "split these into steps (at most {MAX_FN_LINES} lines a function):\n{}",
        over.join("\n")
    );
}

/// The measures themselves: a long function is found, a test function is not.
#[test]
fn the_measures_see_what_a_reader_sees() {
    let body = "    let x = 1;\n".repeat(MAX_FN_LINES);
    let source = format!(
        "fn long() {{\n{body}}}\nfn short() {{}}\n#[cfg(test)]\nmod tests {{\n    fn also_long() {{\n{body}    }}\n}}\n"
    );
    let file = syn::parse_file(&source).expect("the sample parses");
    let mut functions = Functions::default();
    functions.visit_file(&file);
    let names: Vec<_> = functions
        .found
        .iter()
        .map(|(n, _, len)| (n.as_str(), *len))
        .collect();
    assert_eq!(names, [("long", MAX_FN_LINES + 2), ("short", 1)]);
    assert_eq!(code_lines(&source), MAX_FN_LINES + 3);
}
