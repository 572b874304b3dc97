//! Architecture invariants of ARCHITECTURE.md that a text scan can check.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// `path:line` of every line in files outside `allowed` that names any of `words`.
fn offenders(words: &[&str], allowed: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for file in rust_files(&src) {
        let relative = file
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        if allowed
            .iter()
            .any(|a| relative == *a || (a.ends_with('/') && relative.starts_with(a)))
        {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("readable source");
        for (number, line) in text.lines().enumerate() {
            if words.iter().any(|w| line.contains(w)) {
                found.push(format!("src/{relative}:{}: {}", number + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn only_the_ui_names_egui_or_eframe() {
    let found = offenders(&["egui", "eframe"], &["ui/", "main.rs", "cli/"]);
    assert!(
        found.is_empty(),
        "egui/eframe named outside src/ui (move the code into ui):\n{}",
        found.join("\n")
    );
}

#[test]
fn product_code_never_imports_the_sandbox_org() {
    // The sandbox org stands beside the product: only the command-line glue and the
    // benchmark of the sandbox org itself start it, and the desktop app's one-click sandbox.
    let found = offenders(
        &["emulator"],
        &[
            "emulator/",
            "cli/",
            "bench/",
            "lib.rs",
            "main.rs",
            "desktop/sandbox.rs",
        ],
    );
    assert!(
        found.is_empty(),
        "product code names the emulator (talk to it over HTTP instead):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_the_modules_it_guards() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = rust_files(&src);
    for expected in ["ui/mod.rs", "cli/mod.rs", "emulator/mod.rs"] {
        assert!(
            files.contains(&src.join(expected)),
            "src/{expected} is missing: update this test with the new layout"
        );
    }
}
