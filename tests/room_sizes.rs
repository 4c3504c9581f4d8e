//! Rooms stay small: no source file over 600 lines and no function over 120, tests
//! aside.
//!
//! A file that grows past a few hundred lines holds more than one concept, and a function
//! past a screenful holds more than one step; both are where the next change lands
//! badly. The limits are checked here so that a room that grows is split when it grows,
//! not in a clean-up issue later.

mod common;
#[path = "common/source.rs"]
mod source;

use syn::spanned::Spanned;
use syn::visit::Visit;

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 120;

/// The file's lines less those of its test-only items (unit-test modules, `#[test]`
/// functions, `#[cfg(test)]` helpers, wherever they sit).
fn code_lines(text: &str, file: &syn::File) -> usize {
    #[derive(Default)]
    struct TestSpans(Vec<(usize, usize)>);
    impl<'ast> Visit<'ast> for TestSpans {
        fn visit_item(&mut self, i: &'ast syn::Item) {
            if source::item_is_test_only(i) {
                self.0.push((i.span().start().line, i.span().end().line));
            } else {
                syn::visit::visit_item(self, i);
            }
        }
        fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
            if source::is_test_only(&f.attrs) {
                self.0.push((f.span().start().line, f.span().end().line));
            }
        }
    }
    let mut spans = TestSpans::default();
    spans.visit_file(file);
    // Attributes are part of an item's span, so `#[cfg(test)]` lines go with it.
    let test_lines: std::collections::BTreeSet<usize> =
        spans.0.iter().flat_map(|(a, b)| *a..=*b).collect();
    (1..=text.lines().count())
        .filter(|l| !test_lines.contains(l))
        .count()
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
        if !source::is_test_only(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        if !source::is_test_only(&i.attrs) {
            syn::visit::visit_item_impl(self, i);
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if !source::is_test_only(&f.attrs) {
            self.note(f.sig.ident.to_string(), f.span());
            syn::visit::visit_item_fn(self, f);
        }
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if !source::is_test_only(&f.attrs) {
            self.note(f.sig.ident.to_string(), f.span());
            syn::visit::visit_impl_item_fn(self, f);
        }
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if f.default.is_some() && !source::is_test_only(&f.attrs) {
            self.note(f.sig.ident.to_string(), f.span());
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

#[test]
fn no_source_file_is_over_600_lines() {
    let mut over = Vec::new();
    for path in source::product_files() {
        let (rel, text, file) = source::parse(&path);
        let lines = code_lines(&text, &file);
        if lines > MAX_FILE_LINES {
            over.push(format!("{rel}: {lines} lines"));
        }
    }
    assert!(
        over.is_empty(),
        "split these by concept (at most {MAX_FILE_LINES} lines besides tests):\n{}",
        over.join("\n")
    );
}

#[test]
fn no_function_is_over_120_lines() {
    let mut over = Vec::new();
    for path in source::product_files() {
        let (rel, _, file) = source::parse(&path);
        let mut functions = Functions::default();
        functions.visit_file(&file);
        for (name, line, lines) in functions.found {
            if lines > MAX_FN_LINES {
                over.push(format!("{rel}:{line}: {name} is {lines} lines"));
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
    assert_eq!(code_lines(&source, &file), MAX_FN_LINES + 3);
}
