//! Architecture invariants of ARCHITECTURE.md: the crate graph as `cargo metadata` reports
//! it, and what a text scan can check.

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
    let found = offenders(&["egui", "eframe"], &["ui/"]);
    assert!(
        found.is_empty(),
        "egui/eframe named outside src/ui (move the code into ui):\n{}",
        found.join("\n")
    );
}

/// The workspace's packages and resolved dependency graph, as `cargo metadata` reports them.
struct Graph {
    metadata: serde_json::Value,
}

impl Graph {
    fn load() -> Graph {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let output = std::process::Command::new(cargo)
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo metadata runs");
        assert!(
            output.status.success(),
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let metadata = serde_json::from_slice(&output.stdout).expect("cargo metadata is JSON");
        Graph { metadata }
    }

    fn package(&self, name: &str) -> &serde_json::Value {
        self.metadata["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("the workspace has no package {name}"))
    }

    /// Names of the packages `name` builds with (normal and build dependencies, not
    /// dev-dependencies, which reach only tests): directly, and through the workspace's own
    /// packages (a crate from a registry never depends on them).
    fn builds_with(&self, name: &str) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        let mut pending = vec![name.to_string()];
        while let Some(current) = pending.pop() {
            for dep in self.package(&current)["dependencies"]
                .as_array()
                .expect("dependencies")
            {
                if dep["kind"] == "dev" {
                    continue;
                }
                let dep_name = dep["name"].as_str().expect("name").to_string();
                if seen.contains(&dep_name) {
                    continue;
                }
                if !dep["path"].is_null() {
                    pending.push(dep_name.clone());
                }
                seen.push(dep_name);
            }
        }
        seen.sort();
        seen
    }
}

#[test]
fn the_library_never_links_the_sandbox_org() {
    // The sandbox org stands beside the product: the library talks to Salesforce (and so to
    // the org) over HTTP only. The program and the tests start the org.
    let graph = Graph::load();
    let library = graph.builds_with("tether-lib");
    for forbidden in ["sandbox-org", "tether-bench", "axum"] {
        assert!(
            !library.iter().any(|n| n == forbidden),
            "the library builds with {forbidden}: talk to the org over HTTP, and start it from the program"
        );
    }
    let program = graph.builds_with("tether");
    assert!(
        program.iter().any(|n| n == "sandbox-org") && program.iter().any(|n| n == "tether-lib"),
        "the program starts the sandbox org and drives the library: {program:?}"
    );
}

#[test]
fn the_sandbox_org_knows_nothing_of_the_product() {
    let graph = Graph::load();
    let org = graph.builds_with("sandbox-org");
    assert!(
        !org.iter().any(|n| n == "tether-lib" || n == "tether"),
        "the sandbox org builds with the product: it must answer as Salesforce does, not as Tether expects: {org:?}"
    );
}

#[test]
fn the_window_stack_is_only_in_the_gui_feature() {
    let graph = Graph::load();
    let library = graph.package("tether-lib");
    let windowing = ["eframe", "egui", "egui_extras", "egui_plot", "rfd", "zbus"];
    for dep in library["dependencies"].as_array().expect("dependencies") {
        let name = dep["name"].as_str().expect("name");
        if windowing.contains(&name) && dep["kind"].is_null() {
            assert_eq!(
                dep["optional"], true,
                "{name} is linked without the gui feature: make it optional and part of `gui`"
            );
        }
    }
    let gui: Vec<&str> = library["features"]["gui"]
        .as_array()
        .expect("a gui feature")
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    for name in windowing {
        assert!(
            gui.contains(&format!("dep:{name}").as_str()),
            "the gui feature does not enable {name}"
        );
    }
}

#[test]
fn the_scan_sees_the_modules_it_guards() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = rust_files(&src);
    for expected in ["ui/mod.rs", "cli/mod.rs", "lib.rs"] {
        assert!(
            files.contains(&src.join(expected)),
            "src/{expected} is missing: update this test with the new layout"
        );
    }
}
