//! No import circle between the modules of a crate.
//!
//! A circle between modules means neither can be understood, tested or moved without
//! the other: the rooms are rooms in name only. The graph is built from the source
//! itself (parsed with `syn`), so it sees what a reader sees:
//!
//! - every module is a node (`lib.rs`, each `mod x;` file and each inline `mod x { }`);
//! - every `crate::`, `super::` and `self::` path, in `use` trees and inline, and every
//!   path that starts with a child module declared in the module, is an edge to the
//!   deepest module the path names;
//! - `#[cfg(test)]` items are left out: tests may reach anywhere;
//! - paths inside macro arguments (`matches!(x, crate::a::B)`) count too.
//!
//! Circles are looked for between modules, and between the rooms of every folder: a room
//! (a child module with everything below it) that uses a sibling room which uses it back
//! is a circle even when no two single files close it.
//!
//! So a module that takes a type through its parent's (or the crate root's) re-export,
//! while that parent re-exports the module, closes a circle: inside a crate, items are
//! imported from the module that defines them.

mod common;
#[path = "common/source.rs"]
mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use syn::visit::Visit;

/// Every library crate of the workspace, by folder.
const CRATES: &[&str] = &[
    "sim",
    "devices",
    "provisioner",
    "attacks",
    "scenarios",
    "reports",
];

type Module = Vec<String>;

#[derive(Default)]
struct Graph {
    /// Each module and the modules its paths name, with one example path per edge.
    edges: BTreeMap<Module, BTreeMap<Module, String>>,
}

fn module_file(dir: &Path, name: &str, attrs: &[syn::Attribute]) -> PathBuf {
    for a in attrs {
        if a.path().is_ident("path")
            && let syn::Meta::NameValue(nv) = &a.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
        {
            return dir.join(s.value());
        }
    }
    let flat = dir.join(format!("{name}.rs"));
    if flat.exists() {
        flat
    } else {
        dir.join(name).join("mod.rs")
    }
}

/// The folder a module's `mod x;` children are looked up in.
fn child_dir(file: &Path, is_mod_rs: bool) -> PathBuf {
    let parent = file.parent().expect("a source file has a folder");
    if is_mod_rs {
        parent.to_owned()
    } else {
        parent.join(file.file_stem().expect("a source file has a name"))
    }
}

/// Reads every non-test module of a crate, starting at its `lib.rs`.
fn load(
    module: Module,
    items: &[syn::Item],
    dir: &Path,
    out: &mut BTreeMap<Module, Vec<syn::Item>>,
) {
    let mut kept = Vec::new();
    for item in items {
        if let syn::Item::Mod(m) = item {
            if source::is_test_only(&m.attrs) {
                continue;
            }
            let mut child = module.clone();
            child.push(m.ident.to_string());
            match &m.content {
                Some((_, inner)) => load(child, inner, &dir.join(m.ident.to_string()), out),
                None => {
                    let file = module_file(dir, &m.ident.to_string(), &m.attrs);
                    let text = std::fs::read_to_string(&file)
                        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                    let parsed = syn::parse_file(&text)
                        .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                    let is_mod_rs = file.file_name().is_some_and(|n| n == "mod.rs");
                    load(child, &parsed.items, &child_dir(&file, is_mod_rs), out);
                }
            }
        }
        if !source::item_is_test_only(item) {
            kept.push(item.clone());
        }
    }
    out.insert(module, kept);
}

/// Collects the paths of one module's own items (not of its child modules).
struct Paths<'a> {
    module: &'a Module,
    children: Vec<String>,
    found: Vec<(Vec<String>, String)>,
}

impl Paths<'_> {
    fn note(&mut self, segments: Vec<String>) {
        let shown = segments.join("::");
        let Some(first) = segments.first() else {
            return;
        };
        let base: Module = match first.as_str() {
            "crate" => Vec::new(),
            "self" => self.module.clone(),
            "super" => {
                let supers = segments.iter().take_while(|s| *s == "super").count();
                let mut path = self.module.clone();
                path.truncate(path.len().saturating_sub(supers));
                path.extend(segments[supers..].iter().cloned());
                self.found.push((path, shown));
                return;
            }
            name if self.children.iter().any(|c| c == name) => {
                let mut path = self.module.clone();
                path.extend(segments.iter().cloned());
                self.found.push((path, shown));
                return;
            }
            _ => return,
        };
        let mut path = base;
        path.extend(segments[1..].iter().cloned());
        self.found.push((path, shown));
    }
}

impl<'ast> Visit<'ast> for Paths<'_> {
    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {
        // A child module's paths are its own node's.
    }

    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {
        // `pub(crate)` and `pub(super)` say who may see an item, not what it uses.
    }

    fn visit_item_use(&mut self, i: &'ast syn::ItemUse) {
        fn walk(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
            match tree {
                syn::UseTree::Path(p) => {
                    prefix.push(p.ident.to_string());
                    walk(&p.tree, prefix, out);
                    prefix.pop();
                }
                syn::UseTree::Name(n) => {
                    let mut full = prefix.clone();
                    full.push(n.ident.to_string());
                    out.push(full);
                }
                syn::UseTree::Rename(r) => {
                    let mut full = prefix.clone();
                    full.push(r.ident.to_string());
                    out.push(full);
                }
                syn::UseTree::Glob(_) => out.push(prefix.clone()),
                syn::UseTree::Group(g) => {
                    for t in &g.items {
                        walk(t, prefix, out);
                    }
                }
            }
        }
        let mut paths = Vec::new();
        walk(&i.tree, &mut Vec::new(), &mut paths);
        for p in paths {
            self.note(p);
        }
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // A macro's arguments are tokens, not syntax: read `crate::a::b` runs off them.
        fn walk(tokens: proc_macro2::TokenStream, out: &mut Vec<Vec<String>>) {
            let mut run: Vec<String> = Vec::new();
            let mut colons = 0;
            for token in tokens {
                match token {
                    proc_macro2::TokenTree::Group(g) => {
                        out.extend((!run.is_empty()).then(|| std::mem::take(&mut run)));
                        walk(g.stream(), out);
                    }
                    proc_macro2::TokenTree::Ident(i) => {
                        let word = i.to_string();
                        if colons == 2 && !run.is_empty() {
                            run.push(word);
                        } else {
                            out.extend((!run.is_empty()).then(|| std::mem::take(&mut run)));
                            if matches!(word.as_str(), "crate" | "super" | "self") {
                                run.push(word);
                            }
                        }
                        colons = 0;
                    }
                    proc_macro2::TokenTree::Punct(p) if p.as_char() == ':' => colons += 1,
                    _ => {
                        out.extend((!run.is_empty()).then(|| std::mem::take(&mut run)));
                        colons = 0;
                    }
                }
            }
            out.extend((!run.is_empty()).then_some(run));
        }
        let mut paths = Vec::new();
        walk(m.tokens.clone(), &mut paths);
        for p in paths {
            self.note(p);
        }
        syn::visit::visit_macro(self, m);
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        self.note(p.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, p);
    }
}

fn graph_of(krate: &str) -> Graph {
    let root = common::repo().join(krate).join("src");
    let lib = root.join("lib.rs");
    let text = std::fs::read_to_string(&lib).expect("every crate has a lib.rs");
    let file = syn::parse_file(&text).expect("lib.rs parses");
    let mut modules = BTreeMap::new();
    load(Vec::new(), &file.items, &root, &mut modules);
    graph_of_modules(&modules)
}

fn graph_of_modules(modules: &BTreeMap<Module, Vec<syn::Item>>) -> Graph {
    let mut graph = Graph::default();
    for (module, items) in modules {
        let children = modules
            .keys()
            .filter(|m| m.len() == module.len() + 1 && m.starts_with(module))
            .map(|m| m[module.len()].clone())
            .collect();
        let mut paths = Paths {
            module,
            children,
            found: Vec::new(),
        };
        for item in items {
            paths.visit_item(item);
        }
        let out = graph.edges.entry(module.clone()).or_default();
        for (mut target, shown) in paths.found {
            // The deepest module the path names.
            while !target.is_empty() && !modules.contains_key(&target) {
                target.pop();
            }
            if &target != module {
                out.entry(target).or_insert(shown);
            }
        }
    }
    graph
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

/// One circle of the graph, as "a -(path)-> b -(path)-> a", if there is any.
fn find_cycle(graph: &Graph) -> Option<String> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        graph: &Graph,
        at: &Module,
        marks: &mut BTreeMap<Module, Mark>,
        stack: &mut Vec<Module>,
    ) -> Option<String> {
        match marks.get(at) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let from = stack.iter().position(|m| m == at).unwrap_or(0);
                let mut shown = String::new();
                let ring: Vec<&Module> = stack[from..].iter().chain([at]).collect();
                for pair in ring.windows(2) {
                    let via = &graph.edges[pair[0]][pair[1]];
                    shown.push_str(&format!("{} -({via})-> ", name(pair[0])));
                }
                shown.push_str(&name(at));
                return Some(shown);
            }
            None => {}
        }
        marks.insert(at.clone(), Mark::Open);
        stack.push(at.clone());
        for next in graph.edges.get(at).into_iter().flat_map(|e| e.keys()) {
            if let Some(cycle) = visit(graph, next, marks, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        marks.insert(at.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for start in graph.edges.keys() {
        if let Some(cycle) = visit(graph, start, &mut marks, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}

/// The graph between the rooms under `parent`: each child module stands for itself and
/// everything below it, so a circle that runs through several files of two rooms (a
/// station file using the line, a line file using the station) is a circle here.
fn rooms_under(graph: &Graph, parent: &Module) -> Graph {
    let room_of = |m: &Module| -> Option<Module> {
        (m.len() > parent.len() && m.starts_with(parent)).then(|| m[..=parent.len()].to_vec())
    };
    let mut rooms = Graph::default();
    for (from, targets) in &graph.edges {
        let Some(a) = room_of(from) else { continue };
        for (to, via) in targets {
            if let Some(b) = room_of(to)
                && a != b
            {
                rooms
                    .edges
                    .entry(a.clone())
                    .or_default()
                    .entry(b)
                    .or_insert_with(|| format!("{}: {via}", name(from)));
            }
        }
    }
    rooms
}

/// A circle between modules, or between the rooms (folders) of any one folder.
fn find_any_cycle(graph: &Graph) -> Option<String> {
    if let Some(cycle) = find_cycle(graph) {
        return Some(cycle);
    }
    graph.edges.keys().find_map(|parent| {
        find_cycle(&rooms_under(graph, parent)).map(|c| format!("between rooms: {c}"))
    })
}

#[test]
fn no_crate_has_an_import_circle_between_its_modules() {
    let mut failures = Vec::new();
    for krate in CRATES {
        if let Some(cycle) = find_any_cycle(&graph_of(krate)) {
            failures.push(format!("{krate}: {cycle}"));
        }
    }
    assert!(
        failures.is_empty(),
        "import circles (import each item from the module that defines it):\n{}",
        failures.join("\n")
    );
}

/// The checker itself: a planted back edge is a circle, a parent's re-export used by its
/// child is a circle, and a tree is not.
#[test]
fn the_checker_finds_a_planted_circle() {
    let graph_from = |sources: &[(&str, &str)]| {
        let modules: BTreeMap<Module, Vec<syn::Item>> = sources
            .iter()
            .map(|(path, text)| {
                let module = path
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                let file = syn::parse_file(text).expect("test source parses");
                let items = file
                    .items
                    .into_iter()
                    .filter(|i| !source::item_is_test_only(i))
                    .collect();
                (module, items)
            })
            .collect();
        graph_of_modules(&modules)
    };
    let tree = graph_from(&[
        ("", "mod site; mod line; pub use line::Line;"),
        ("site", "pub struct Site;"),
        ("line", "use crate::site::Site; pub struct Line(Site);"),
    ]);
    assert_eq!(find_cycle(&tree), None);

    let back_edge = graph_from(&[
        ("", "mod site; mod line;"),
        ("site", "pub struct Site(crate::line::Line);"),
        ("line", "use crate::site::Site; pub struct Line(Box<Site>);"),
    ]);
    let cycle = find_cycle(&back_edge).expect("a planted back edge is a circle");
    assert!(cycle.contains("crate::line::Line"), "{cycle}");

    let through_reexport = graph_from(&[
        ("", "mod line; pub use line::Site;"),
        (
            "line",
            "mod site; mod station; pub use site::Site; pub use station::Station;",
        ),
        ("line::site", "pub struct Site;"),
        (
            "line::station",
            "pub struct Station; fn f(_: super::Site) {}",
        ),
    ]);
    assert!(find_cycle(&through_reexport).is_some());

    let between_rooms = graph_from(&[
        ("", "mod site; mod line;"),
        ("site", "mod config; mod state;"),
        (
            "site::config",
            "pub struct Config(crate::line::plan::Plan);",
        ),
        ("site::state", "pub struct State;"),
        ("line", "mod plan; mod run;"),
        ("line::plan", "pub struct Plan;"),
        ("line::run", "fn run(_: crate::site::state::State) {}"),
    ]);
    assert_eq!(find_cycle(&between_rooms), None, "no circle between files");
    let cycle = find_any_cycle(&between_rooms).expect("site and line use each other");
    assert!(cycle.starts_with("between rooms"), "{cycle}");

    let in_a_macro = graph_from(&[
        ("", "mod a; mod b;"),
        (
            "a",
            "pub struct A; fn f() -> bool { matches!(1, crate::b::ONE) }",
        ),
        ("b", "pub const ONE: i32 = 1; fn g(_: crate::a::A) {}"),
    ]);
    assert!(
        find_cycle(&in_a_macro).is_some(),
        "paths inside macros count"
    );

    let test_only = graph_from(&[
        ("", "mod a; mod b;"),
        ("a", "use crate::b::B; pub struct A(B);"),
        ("b", "pub struct B; #[cfg(test)] fn t(_: crate::a::A) {}"),
    ]);
    assert_eq!(find_cycle(&test_only), None);
}
