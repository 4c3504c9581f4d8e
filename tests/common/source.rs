//! Reading the workspace's own source, as the structure tests do: which files are
//! product code, and which items in them are tests. Each structure test uses its own
//! part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Folders holding library and binary code, relative to the workspace root.
pub const SOURCE_ROOTS: &[&str] = &[
    "sim/src",
    "devices/src",
    "provisioner/src",
    "attacks/src",
    "scenarios/src",
    "reports/src",
    "src",
];

/// A unit-test file declared with `#[cfg(test)] mod tests;` (or `mod x_tests;`).
pub fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "tests.rs" || name.ends_with("_tests.rs")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a readable folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") && !is_test_file(&path) {
            out.push(path);
        }
    }
}

/// Every non-test Rust file under [`SOURCE_ROOTS`], in a fixed order.
pub fn product_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in SOURCE_ROOTS {
        collect(&crate::common::repo().join(root), &mut files);
    }
    files
}

/// The file parsed, with its path relative to the workspace root for messages.
pub fn parse(path: &Path) -> (String, String, syn::File) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (relative(path), text, file)
}

pub fn relative(path: &Path) -> String {
    path.strip_prefix(crate::common::repo())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// True for `#[test]` and `#[cfg(test)]`: code that exists only under test.
pub fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("test")
            || (a.path().is_ident("cfg")
                && a.parse_args::<syn::Meta>()
                    .map(|m| m.path().is_ident("test"))
                    .unwrap_or(false))
    })
}

/// True for an item that exists only under test (see [`is_test_only`]).
pub fn item_is_test_only(item: &syn::Item) -> bool {
    let attrs = match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => return false,
    };
    is_test_only(attrs)
}
