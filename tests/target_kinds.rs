//! A target kind is known in one place: its folder (`devices/src/<kind>/`) and the
//! registry (`devices/src/registry.rs`). Everywhere else asks the kind's profile, so
//! non-test code outside those places never names a `TargetKind` variant: a fourth
//! kind then needs no edit anywhere else. This test reads every non-test source file of
//! the workspace and names each line that does.

use provsim_devices::TargetKind;
use std::path::{Path, PathBuf};

/// Folders whose files are test or tooling code, not the product.
const SKIPPED_DIRS: &[&str] = &["target", "tests", "benches", "fuzz"];

/// The places allowed to name a kind, relative to the workspace root, with `/`.
fn allowed(relative: &str) -> bool {
    relative == "devices/src/registry.rs"
        || TargetKind::ALL
            .iter()
            .any(|kind| relative.starts_with(&format!("devices/src/{}/", kind.name())))
}

/// What naming a variant looks like: `TargetKind::Mcu` (also as the tail of a longer
/// path), or importing the variants wholesale (`TargetKind::*`, `TargetKind::{...}`).
fn patterns() -> Vec<String> {
    let mut patterns: Vec<String> = TargetKind::ALL
        .iter()
        .map(|kind| format!("TargetKind::{kind:?}"))
        .collect();
    patterns.push("TargetKind::*".to_owned());
    patterns.push("TargetKind::{".to_owned());
    patterns
}

fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "tests.rs" || name.ends_with("_tests.rs")
}

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !name.starts_with('.') && !SKIPPED_DIRS.contains(&name) {
                source_files(&path, out);
            }
        } else if name.ends_with(".rs") && !is_test_file(&path) {
            out.push(path);
        }
    }
}

/// Skips a string or character literal starting at `at`, returning the index after it;
/// `None` when there is no literal there.
fn skip_literal(bytes: &[u8], at: usize) -> Option<usize> {
    match bytes[at] {
        b'"' => {
            let mut i = at + 1;
            while i < bytes.len() && bytes[i] != b'"' {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            Some(i + 1)
        }
        b'r' if bytes.get(at + 1).is_some_and(|b| *b == b'#' || *b == b'"') => {
            let hashes = bytes[at + 1..].iter().take_while(|b| **b == b'#').count();
            let open = at + 1 + hashes;
            if bytes.get(open) != Some(&b'"') {
                return None;
            }
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let rest = &bytes[open + 1..];
            let end = rest
                .windows(close.len())
                .position(|w| w == close.as_slice())?;
            Some(open + 1 + end + close.len())
        }
        b'\'' => {
            // A character literal ('{', '\n'), not a lifetime ('a).
            if bytes.get(at + 1) == Some(&b'\\') {
                let end = bytes.get(at + 3..)?.iter().position(|b| *b == b'\'')?;
                Some(at + 3 + end + 1)
            } else if bytes.get(at + 2) == Some(&b'\'') {
                Some(at + 3)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The text with every `#[cfg(test)]` item and every comment blanked out (newlines
/// kept, so line numbers still hold).
fn without_tests_and_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to.min(bytes.len())] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"//") {
            let end = bytes[i..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |n| i + n);
            blank(&mut out, i, end);
            i = end;
        } else if bytes[i..].starts_with(b"/*") {
            let end = text[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |n| i + 2 + n + 2);
            blank(&mut out, i, end);
            i = end;
        } else if bytes[i..].starts_with(b"#[cfg(test)]") {
            let end = item_end(bytes, i + "#[cfg(test)]".len());
            blank(&mut out, i, end);
            i = end;
        } else if let Some(end) = skip_literal(bytes, i) {
            i = end;
        } else {
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where the item that starts after an attribute ends: at its `;` when it has no body,
/// else after the brace that closes its body.
fn item_end(bytes: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"//") {
            i += bytes[i..].iter().position(|b| *b == b'\n').unwrap_or(0) + 1;
            continue;
        }
        if let Some(end) = skip_literal(bytes, i) {
            i = end;
            continue;
        }
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            b';' if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

/// `(line, text)` of every line of `text`'s non-test code that names a variant.
fn findings(text: &str) -> Vec<(usize, String)> {
    let code = without_tests_and_comments(text);
    let patterns = patterns();
    code.lines()
        .enumerate()
        .filter(|(_, line)| patterns.iter().any(|p| line.contains(p.as_str())))
        .map(|(n, _)| (n + 1, text.lines().nth(n).unwrap_or("").trim().to_owned()))
        .collect()
}

#[test]
fn no_code_outside_the_kind_folders_and_the_registry_names_a_kind() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    source_files(&root, &mut files);
    assert!(files.len() > 50, "found only {} source files", files.len());
    let mut problems = Vec::new();
    for path in files {
        let relative = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        if allowed(&relative) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (line, code) in findings(&text) {
            problems.push(format!("{relative}:{line}: {code}"));
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
                const S: &str = \"{\";\n\
                use provsim_devices::TargetKind::*;\n\
                #[cfg(test)]\n\
                mod tests {\n\
                \x20   fn f() { let _ = '{'; let _ = TargetKind::Asic; }\n\
                }\n\
                #[cfg(test)]\n\
                use provsim_devices::TargetKind::Se;\n\
                fn after() { let _ = TargetKind::Asic; }\n";
    let lines: Vec<usize> = findings(text).into_iter().map(|(n, _)| n).collect();
    assert_eq!(lines, [2, 3, 7, 14]);
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
