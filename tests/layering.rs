//! The layering rule of DESIGN.md and the crate docs, checked on the sources: a module refers
//! only to modules below it in one stack, so every stage can be read, tested and replaced
//! alone, and nothing refers to `api`.
//!
//! The stack, bottom first: error, limits, dtype, pool, array, npy, syntax, hir, bytecode,
//! optimize, compile, vm, api, fuzz_entry, bin. Inside `vm`, the oracle `vm/reference` shares
//! no code with the rest of the VM (kernels, maths, frame): neither refers to the other.
//!
//! A reference is any `crate::<module>` path (in code or in a doc link), a name re-exported at
//! the crate root (`crate::Vars` is `api`'s), or a `super::` path that climbs out of the
//! file's top-level module. Unit-test code (`tests.rs`, files under a `tests/` folder of `src`,
//! and `#[cfg(test)]` modules) may refer to anything, and so may `lib.rs`, which declares the
//! modules and re-exports the public API.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom first.
const STACK: &[&str] = &[
    "error",
    "limits",
    "dtype",
    "pool",
    "array",
    "npy",
    "syntax",
    "hir",
    "bytecode",
    "optimize",
    "compile",
    "vm",
    "api",
    "fuzz_entry",
    "bin",
];

/// One reference that breaks the rule.
#[derive(Debug, PartialEq, Eq)]
struct Violation {
    /// The file, relative to `src`.
    file: String,
    /// 1-based.
    line: usize,
    /// What is referred to and why that is not allowed.
    what: String,
}

fn rank(layer: &str) -> Option<usize> {
    STACK.iter().position(|l| *l == layer)
}

/// The module path of a source file relative to `src` (`vm/kernels/mod.rs` -> vm, kernels).
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if let Some(last) = parts.pop() {
        let stem = last.trim_end_matches(".rs").to_string();
        if stem != "mod" && stem != "main" {
            parts.push(stem);
        }
    }
    parts
}

/// Which layer each name re-exported at the crate root comes from, read off `lib.rs`
/// (`pub use api::{Compiled, ...};` makes `crate::Compiled` an `api` reference).
fn root_exports(lib: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let flat = lib.replace('\n', " ");
    for stmt in flat.split(';') {
        let Some(rest) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((layer, names)) = rest.split_once("::") else {
            continue;
        };
        let names = names.trim().trim_start_matches('{').trim_end_matches('}');
        for name in names.split(',') {
            let name = name.trim();
            let name = name.rsplit("::").next().unwrap_or(name);
            if !name.is_empty() {
                out.insert(name.to_string(), layer.trim().to_string());
            }
        }
    }
    out
}

/// Whether `path` is unit-test code by its location.
fn is_test_file(rel: &Path) -> bool {
    rel.file_name().is_some_and(|f| f == "tests.rs") || rel.iter().any(|p| p == "tests")
}

/// The identifier starting at the front of `s`.
fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The lines of `text` outside `#[cfg(test)]` items, numbered from 1.
fn non_test_lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        if line.trim() == "#[cfg(test)]" {
            // Skip the item that follows: up to the brace that closes its first `{`, or to
            // its `;` for a one-line item such as `mod tests;`.
            let mut depth = 0i64;
            let mut opened = false;
            for (_, l) in lines.by_ref() {
                depth += l.matches('{').count() as i64 - l.matches('}').count() as i64;
                opened |= l.contains('{');
                if (opened && depth <= 0) || (!opened && l.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        out.push((i + 1, line));
    }
    out
}

/// The path that follows `s` (`a::b::c` up to the first non-path character), as segments.
fn path_segments(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        let name = ident(rest);
        if name.is_empty() {
            break;
        }
        out.push(name.to_string());
        match rest[name.len()..].strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    out
}

/// The absolute module paths `line` refers to. `module` is the file's module path (for
/// resolving `super::`); a name re-exported at the crate root resolves to its layer.
fn references(
    line: &str,
    module: &[String],
    exports: &HashMap<String, String>,
) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let absolute = |mut path: Vec<String>| {
        if let Some(layer) = path.first().and_then(|n| exports.get(n)) {
            path.insert(0, layer.clone());
        }
        path
    };
    // `crate::x::y` and `crate::{x, y}`.
    for (at, _) in line.match_indices("crate::") {
        let rest = &line[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for name in group[..end].split(',') {
                let path = path_segments(name.trim());
                if !path.is_empty() {
                    out.push(absolute(path));
                }
            }
        } else {
            let path = path_segments(rest);
            if !path.is_empty() {
                out.push(absolute(path));
            }
        }
    }
    // `super::super::x`: relative to the file's module (its parent for the first `super`).
    if !line.trim_start().starts_with("//") {
        for (at, _) in line.match_indices("super::") {
            if line[..at].ends_with("super::") {
                continue; // part of a chain counted from its first `super::`
            }
            let mut rest = &line[at..];
            let mut up = 0;
            while let Some(r) = rest.strip_prefix("super::") {
                up += 1;
                rest = r;
            }
            if up > module.len() {
                continue;
            }
            let mut path: Vec<String> = module[..module.len() - up].to_vec();
            path.extend(path_segments(rest));
            if !path.is_empty() {
                out.push(absolute(path));
            }
        }
    }
    out
}

/// Check the sources under `src`.
fn check(src: &Path) -> Vec<Violation> {
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    let exports = root_exports(&lib);
    let mut files = Vec::new();
    collect(src, &mut files);
    let mut violations = Vec::new();
    for path in files {
        let rel = path.strip_prefix(src).unwrap_or(&path).to_path_buf();
        if rel == Path::new("lib.rs") || is_test_file(&rel) {
            continue;
        }
        let module = module_path(&rel);
        let Some(layer) = module.first().cloned() else {
            continue;
        };
        let Some(own) = rank(&layer) else {
            violations.push(Violation {
                file: rel.display().to_string(),
                line: 1,
                what: format!("`{layer}` is not a layer of the stack; add it to STACK"),
            });
            continue;
        };
        let in_reference = module.get(1).is_some_and(|m| m == "reference") && layer == "vm";
        let text = fs::read_to_string(&path).unwrap_or_default();
        for (number, line) in non_test_lines(&text) {
            for target in references(line, &module, &exports) {
                let Some(r) = rank(&target[0]) else {
                    continue; // `crate::Result` and other root items of no layer
                };
                let shown = target.join("::");
                let to_reference = target.len() > 1 && target[..2] == ["vm", "reference"];
                let bad = if r > own && target[0] == "api" {
                    Some(format!(
                        "`{shown}`: nothing below the public API refers to api"
                    ))
                } else if r > own {
                    Some(format!(
                        "`{shown}`: {layer} may not refer to {}, a layer above it",
                        target[0]
                    ))
                } else if layer == "vm" && target[0] == "vm" && target.len() > 1 {
                    if in_reference && !to_reference {
                        Some(format!(
                            "`{shown}`: the oracle vm/reference shares no code with the VM"
                        ))
                    } else if !in_reference && to_reference && module.len() > 1 {
                        Some(format!(
                            "`{shown}`: the VM shares no code with its oracle vm/reference"
                        ))
                    } else {
                        None
                    }
                } else {
                    None
                };
                if let Some(what) = bad {
                    violations.push(Violation {
                        file: rel.display().to_string(),
                        line: number,
                        what,
                    });
                }
            }
        }
    }
    violations.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    violations
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_sources_keep_to_the_stack() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let violations = check(&src);
    assert!(
        violations.is_empty(),
        "layering violations:\n{}",
        violations
            .iter()
            .map(|v| format!("src/{}:{}: {}", v.file, v.line, v.what))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A synthetic source tree with each kind of violation the rule exists for (the imports the
/// layering issue found), and lines that are allowed.
#[test]
fn the_check_finds_each_kind_of_violation() {
    let dir = std::env::temp_dir().join(format!("vexpr-layering-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let file = |rel: &str, text: &str| {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    file(
        "lib.rs",
        "mod api;\npub use api::{Compiled, Vars};\npub use error::{Error, ErrorKind};\n",
    );
    file(
        "hir/lower.rs",
        "//! Lowering.\nuse crate::api::Signature;\nuse crate::dtype::DType;\n",
    );
    file(
        "array.rs",
        "use crate::error::Error;\nfn f() -> crate::api::Output<'static> { todo!() }\n",
    );
    file(
        "npy.rs",
        "fn g() {\n    crate::vm::advise_huge_pages(p, n);\n}\n",
    );
    file(
        "vm/kernels/complex.rs",
        "use super::super::reference::complex;\nuse crate::vm::math::lane;\n",
    );
    file(
        "vm/reference/scalar.rs",
        "use crate::vm::kernels::elem;\nuse super::complex;\n",
    );
    file(
        "bytecode/table.rs",
        "//! See [`UnaryFn`](crate::vm::math::UnaryFn).\n",
    );
    file("pool/mod.rs", "use crate::{Vars, Error};\n");
    file(
        "compile/mod.rs",
        "use crate::hir::Hir;\n#[cfg(test)]\nmod tests {\n    use crate::api::Vars;\n}\n",
    );
    file("compile/tests.rs", "use crate::api::Vars;\n");
    file(
        "api/mod.rs",
        "use crate::vm::Executable;\nuse crate::hir::Signature;\n",
    );
    file("jit.rs", "use crate::error::Error;\n");

    let found: Vec<(String, usize)> = check(&dir).into_iter().map(|v| (v.file, v.line)).collect();
    let _ = fs::remove_dir_all(&dir);
    let want: Vec<(String, usize)> = [
        ("array.rs", 2),
        ("bytecode/table.rs", 1),
        ("hir/lower.rs", 2),
        ("jit.rs", 1),
        ("npy.rs", 2),
        ("pool/mod.rs", 1),
        ("vm/kernels/complex.rs", 1),
        ("vm/reference/scalar.rs", 1),
    ]
    .iter()
    .map(|(f, l)| (f.to_string(), *l))
    .collect();
    assert_eq!(found, want);
}
