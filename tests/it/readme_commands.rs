//! Every ```sh block of README.md, run command by command as a newcomer would type it: the built
//! `tether` first on PATH (`cargo run --release --` too), a sandbox org started here, a data
//! directory and a working directory of their own. Placeholders (the connection, ports, run
//! and conflict numbers) are filled in by [`Sandbox::fill`]; the sheet the import reads is
//! written by [`fixtures`]; the conflict and the failed import that the README's commands
//! decide and retry are made first, as a person would make them. A block may be skipped only
//! when README.md marks it with `<!-- not run: reason -->` on the line before; any other block
//! that cannot run fails the test, naming the README line.
//!
//! Needs the session keychain, as `tether connect` does (see scripts/test.sh).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::cli::{Running, free_port, lines, use_private_copy, wait_for_line};
use sandbox_org::config::DEMO_USERNAME;
use serde_json::{Value, json};

/// The connected app the README registers on its sandbox org (`--client-id MyApp`).
const README_CLIENT_ID: &str = "MyApp";

/// A ```sh block of the README.
#[derive(Debug)]
struct Block {
    /// 1-based line of the opening fence.
    line: usize,
    not_run: Option<String>,
    /// (README line, text) of each line inside the block.
    lines: Vec<(usize, String)>,
}

const NOT_RUN: &str = "<!-- not run:";

/// The sh blocks in order. A `not run` marker must sit right before a sh block.
fn sh_blocks(readme: &str) -> Vec<Block> {
    let all: Vec<&str> = readme.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let line = all[i].trim_end();
        if line.starts_with(NOT_RUN) {
            assert!(
                line.ends_with("-->") && line.len() > NOT_RUN.len() + 4,
                "README.md:{}: a not-run marker is one line with its reason: {line}",
                i + 1
            );
            let next = all.get(i + 1).map(|l| l.trim_end());
            assert_eq!(
                next,
                Some("```sh"),
                "README.md:{}: a not-run marker must come right before a ```sh block",
                i + 1
            );
        }
        if line.starts_with("```") && line != "```" {
            let fence_line = i + 1;
            let is_sh = line == "```sh";
            let not_run = i
                .checked_sub(1)
                .map(|p| all[p].trim())
                .and_then(|p| p.strip_prefix(NOT_RUN))
                .map(|reason| reason.trim_end_matches("-->").trim().to_string());
            let mut body = Vec::new();
            i += 1;
            while i < all.len() && all[i].trim_end() != "```" {
                body.push((i + 1, all[i].to_string()));
                i += 1;
            }
            if is_sh {
                blocks.push(Block {
                    line: fence_line,
                    not_run,
                    lines: body,
                });
            }
        }
        i += 1;
    }
    blocks
}

/// What the test knows about the machine the README talks about.
struct Sandbox {
    dir: PathBuf,
    work: PathBuf,
    data: PathBuf,
    bin: PathBuf,
    org_port: u16,
    callback_port: u16,
    /// The conflict `<conflict>` names, once [`Sandbox::make_conflict`] made one.
    conflict: Option<String>,
}

impl Sandbox {
    /// The latest run's number, as `tether runs` shows it.
    fn last_run(&self) -> String {
        let conn = rusqlite::Connection::open(self.data.join("workspace.sqlite"))
            .expect("the workspace opens");
        let id: i64 = conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM tether_runs", [], |r| {
                r.get(0)
            })
            .expect("runs are readable");
        assert!(id > 0, "`<run>` is used before any run exists");
        id.to_string()
    }

    /// The command with every placeholder filled; an unknown `<…>` is an error.
    fn fill(&self, command: &str) -> Result<String, String> {
        // `cargo run --release --` is the built binary; a port of its own, as 8443 may be taken.
        let mut filled = command
            .replace("cargo run --release -- ", "tether ")
            .replace("--port 8443", &format!("--port {}", free_port()))
            .replace("me@acme.com", DEMO_USERNAME)
            .replace("127.0.0.1:8443", &format!("127.0.0.1:{}", self.org_port))
            .replace("--port 1717", &format!("--port {}", self.callback_port));
        if let Some(conflict) = &self.conflict {
            filled = filled.replace("<conflict>", conflict);
        }
        if filled.contains("<run>") {
            filled = filled.replace("<run>", &self.last_run());
        }
        if let Some(start) = filled.find('<')
            && let Some(len) = filled[start..].find('>')
        {
            return Err(format!(
                "unknown placeholder {}: add it to the test's table or mark the block not run",
                &filled[start..=start + len]
            ));
        }
        Ok(filled)
    }

    fn command(&self, line: &str) -> Command {
        let mut command = Command::new("sh");
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.bin.clone()];
        paths.extend(std::env::split_paths(&path));
        // `exec`, so that stopping the child stops tether and not only its shell.
        command
            .arg("-c")
            .arg(format!("exec {line}"))
            .current_dir(&self.work)
            .env("PATH", std::env::join_paths(paths).expect("PATH joins"))
            .env("HOME", self.dir.join("home"))
            .env("XDG_DATA_HOME", self.dir.join("home/.local/share"))
            .env("TETHER_DATA_DIR", &self.data)
            .env_remove("TETHER_WORKSPACE")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        command
    }

    /// A conflict in the manual-review queue, as a person gets one: the stakeholders link's
    /// `Title` synced both ways under manual review, then one contact's title changed in the
    /// table and in Salesforce before the next sync.
    fn make_conflict(&mut self) {
        let link = "customer-health-stakeholders";
        let must = |what: &str, outcome: Result<String, String>| {
            outcome.unwrap_or_else(|e| panic!("making a conflict: {what}: {e}"))
        };
        must(
            "export",
            self.run(&format!(
                "tether link export {link} --output stakeholders.json"
            )),
        );
        let path = self.work.join("stakeholders.json");
        let mut file: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("the export reads"))
                .expect("the export is JSON");
        for field in file["links"][0]["fields"].as_array_mut().expect("fields") {
            if field["remote"] == "Title" {
                field["direction"] = json!("both");
                field["policy"] = json!("manual_review");
            }
        }
        std::fs::write(&path, file.to_string()).expect("the edit writes");
        must("import", self.run("tether link import stakeholders.json"));
        must("first sync", self.run(&format!("tether sync {link}")));
        let conn = rusqlite::Connection::open(self.data.join("workspace.sqlite"))
            .expect("the workspace opens");
        let contact: String = conn
            .query_row(
                "SELECT stakeholder_id FROM stakeholders ORDER BY stakeholder_id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .expect("the first sync pulled contacts");
        conn.execute(
            "UPDATE stakeholders SET title = 'Head of Data' WHERE stakeholder_id = ?1",
            [&contact],
        )
        .expect("the local edit");
        drop(conn);
        let base = format!("http://127.0.0.1:{}", self.org_port);
        tokio::runtime::Runtime::new()
            .expect("runtime")
            .block_on(async {
                crate::support::cli::Org::sign_in(&base)
                    .await
                    .write_records(
                        "Contact",
                        reqwest::Method::PATCH,
                        vec![json!({"Id": contact, "Title": "Chief Data Officer"})],
                    )
                    .await
            });
        must("second sync", self.run(&format!("tether sync {link}")));
        let conn = rusqlite::Connection::open(self.data.join("workspace.sqlite"))
            .expect("the workspace opens");
        let id: Option<i64> = conn
            .query_row("SELECT MAX(id) FROM tether_conflicts", [], |r| r.get(0))
            .expect("conflicts are readable");
        let id = id.expect("the second sync queued a conflict");
        self.conflict = Some(id.to_string());
    }

    /// An import whose rows failed, as a busy org makes one: every write answered
    /// `UNABLE_TO_LOCK_ROW` while it sends, with the mapping the README saved.
    fn make_failed_import(&self) {
        std::fs::write(
            self.work.join("late-deals.csv"),
            "Deal,Account,Stage,Close Date,Amount\n\
             README deal 3,README Account,Prospecting,2026-05-31,900\n",
        )
        .expect("late-deals.csv writes");
        let base = format!("http://127.0.0.1:{}", self.org_port);
        let faults = |faults: Value| {
            tokio::runtime::Runtime::new()
                .expect("runtime")
                .block_on(async {
                    crate::support::cli::Org::sign_in(&base)
                        .await
                        .set_faults(faults)
                        .await
                })
        };
        faults(json!({"lock_error_rate": 1.0}));
        let failed = self.run("tether import late-deals.csv --mapping deals.json --yes");
        faults(json!({}));
        let message = failed.expect_err("the import fails while every row is locked");
        assert!(message.contains("--retry"), "{message}");
    }

    /// Runs one README command; Err with both streams when it fails or hangs.
    fn run(&self, line: &str) -> Result<String, String> {
        if line.contains("tether connect ") && line.contains("--no-browser") {
            return self.connect(line);
        }
        if line.contains("tether sandbox-org ") {
            return self.serve(line);
        }
        let out = self.dir.join("out.txt");
        let err = self.dir.join("err.txt");
        let mut child = self
            .command(line)
            .stdout(std::fs::File::create(&out).expect("stdout file"))
            .stderr(std::fs::File::create(&err).expect("stderr file"))
            .spawn()
            .map_err(|e| format!("cannot start sh: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(180);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break Some(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let stdout = std::fs::read_to_string(&out).unwrap_or_default();
        let stderr = std::fs::read_to_string(&err).unwrap_or_default();
        match status {
            Some(status) if status.success() => Ok(stdout),
            Some(status) => Err(format!("{status}\n{stdout}\n{stderr}")),
            None => Err(format!("still running after 180 s\n{stdout}\n{stderr}")),
        }
    }

    /// `tether sandbox-org …` serves until Ctrl+C: it must print its login URL and still be
    /// serving then.
    fn serve(&self, line: &str) -> Result<String, String> {
        let mut child = self
            .command(line)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start sh: {e}"))?;
        let printed = lines(&mut child);
        let mut child = Running(child);
        let login = wait_for_line(&printed, |l| l.trim().starts_with("Login URL"));
        match child.0.try_wait().expect("wait") {
            None => Ok(login),
            Some(status) => Err(format!("the org stopped by itself ({status})")),
        }
    }

    /// `tether connect … --no-browser`: the user opens the printed URL; here reqwest does.
    fn connect(&self, line: &str) -> Result<String, String> {
        let mut child = self
            .command(line)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start sh: {e}"))?;
        let printed = lines(&mut child);
        let mut child = Running(child);
        let authorize = wait_for_line(&printed, |l| l.starts_with("http"));
        let landed = tokio::runtime::Runtime::new()
            .expect("runtime")
            .block_on(async {
                let browser = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::limited(2))
                    .build()
                    .expect("client");
                browser.get(&authorize).send().await.map(|r| r.status())
            })
            .map_err(|e| format!("the sign-in page did not answer: {e}"))?;
        if landed != 200 {
            return Err(format!("the callback page answered {landed}"));
        }
        let connected = wait_for_line(&printed, |l| l.starts_with("Connected"));
        let status = child.0.wait().expect("wait");
        if status.success() {
            Ok(connected)
        } else {
            Err(format!("tether connect exited with {status}"))
        }
    }
}

/// Files the README's commands read, written into the working directory first.
fn fixtures(work: &Path, readme: &str) {
    std::fs::write(work.join("fields.json"), fields_example(readme)).expect("fields.json writes");
    std::fs::write(
        work.join("deals.csv"),
        "Deal,Account,Stage,Close Date,Amount\n\
         README deal 1,README Account,Prospecting,2026-03-31,1200\n\
         README deal 2,README Account,Closed Won,2026-04-30,3400.50\n",
    )
    .expect("deals.csv writes");
}

/// The README's example `fields.json`: the ```json block after the line that names it.
fn fields_example(readme: &str) -> String {
    let named = readme
        .find("A `fields.json`:")
        .expect("README.md shows a fields.json");
    let block = &readme[named..];
    let start = block.find("```json\n").expect("a json block follows") + "```json\n".len();
    let end = block[start..].find("```").expect("the json block ends");
    block[start..start + end].to_string()
}

/// Edits the README asks for in a comment line, made as a person would make them.
fn edit(work: &Path, comment: &str) {
    if comment.starts_with("# in customer-health.json:") {
        let path = work.join("customer-health.json");
        let mut file: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("the export reads"))
                .expect("the export is JSON");
        for link in file["links"].as_array_mut().expect("links") {
            link["schedule"] = json!({"every": "minutes", "minutes": 15});
        }
        std::fs::write(&path, file.to_string()).expect("the edit writes");
    }
}

fn start_org(callback_port: u16) -> (Running, u16) {
    let mut org = crate::support::cli::tether()
        .args(["sandbox-org", "--port", "0", "--seed-size", "300"])
        .args([
            "--auto-approve",
            "--client-id",
            README_CLIENT_ID,
            "--callback",
        ])
        .arg(format!("http://localhost:{callback_port}/OauthRedirect"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the sandbox org starts");
    let printed = lines(&mut org);
    let org = Running(org);
    let login = wait_for_line(&printed, |l| l.trim().starts_with("Login URL"));
    std::thread::spawn(move || while printed.recv().is_ok() {});
    let port = login
        .rsplit(':')
        .next()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("no port in {login}"));
    // The account the README's sheet names, so that its lookup finds one record.
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            let base = format!("http://127.0.0.1:{port}");
            crate::support::cli::Org::sign_in(&base)
                .await
                .write_records(
                    "Account",
                    reqwest::Method::POST,
                    vec![json!({"Name": "README Account"})],
                )
                .await
        });
    (org, port)
}

#[test]
fn every_readme_command_block_runs_against_the_sandbox_org() {
    let _keychain = crate::support::cli::DEMO_USER_CONNECTION.blocking_lock();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md reads");
    let blocks = sh_blocks(&readme);
    assert!(
        blocks.len() >= 5,
        "README.md has {} sh blocks",
        blocks.len()
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    std::os::unix::fs::symlink(use_private_copy(), bin.join("tether")).expect("tether on PATH");
    let callback_port = free_port();
    let (_org, org_port) = start_org(callback_port);
    let mut sandbox = Sandbox {
        dir: dir.path().to_path_buf(),
        work: dir.path().join("work"),
        data: dir.path().join("data"),
        bin,
        org_port,
        callback_port,
        conflict: None,
    };
    std::fs::create_dir_all(&sandbox.work).expect("work dir");
    fixtures(&sandbox.work, &readme);

    let mut ran = 0;
    let mut skipped = Vec::new();
    for block in &blocks {
        if let Some(reason) = &block.not_run {
            skipped.push(format!("README.md:{} ({reason})", block.line));
            continue;
        }
        if block.lines.iter().any(|(_, l)| l.contains("<conflict>")) {
            sandbox.make_conflict();
        }
        if block
            .lines
            .iter()
            .any(|(_, l)| l.contains("tether import --retry"))
        {
            sandbox.make_failed_import();
        }
        for (line, command) in &block.lines {
            let command = command.trim();
            if command.is_empty() {
                continue;
            }
            if command.starts_with('#') {
                edit(&sandbox.work, command);
                continue;
            }
            let filled = sandbox
                .fill(command)
                .unwrap_or_else(|e| panic!("README.md:{line}: `{command}`: {e}"));
            if let Err(e) = sandbox.run(&filled) {
                panic!(
                    "README.md:{line}: `{command}` failed (ran as `{filled}`); fix the command or \
                     mark its block `<!-- not run: reason -->`:\n{e}"
                );
            }
            ran += 1;
        }
    }
    eprintln!(
        "ran {ran} README commands; skipped the marked blocks {}",
        skipped.join(", ")
    );
    assert!(ran >= 15, "only {ran} README commands ran");

    // What the walk-through left behind, as the README says.
    let runs = sandbox.run("tether runs").expect("tether runs");
    assert!(runs.contains("customer-health"), "{runs}");
    let show = sandbox
        .run("tether link show customer-health")
        .expect("link show");
    assert!(show.contains("Schedule: every 15 min"), "{show}");
}

#[test]
fn an_unmarked_block_that_cannot_run_is_reported_with_its_line() {
    let readme = "intro\n\n```sh\ntether frobnicate <widget>\n```\n\n<!-- not run: needs a browser -->\n```sh\ntether connect\n```\n";
    let blocks = sh_blocks(readme);
    assert_eq!(blocks.len(), 2);
    assert_eq!(blocks[0].not_run, None);
    assert_eq!(blocks[0].line, 3);
    assert_eq!(blocks[1].not_run.as_deref(), Some("needs a browser"));
    let sandbox = Sandbox {
        dir: PathBuf::new(),
        work: PathBuf::new(),
        data: PathBuf::new(),
        bin: PathBuf::new(),
        org_port: 1,
        callback_port: 2,
        conflict: None,
    };
    let err = sandbox
        .fill(&blocks[0].lines[0].1)
        .expect_err("an unknown placeholder is refused");
    assert!(err.contains("<widget>"), "{err}");
}

#[test]
#[should_panic(expected = "must come right before a ```sh block")]
fn a_not_run_marker_away_from_a_sh_block_is_refused() {
    sh_blocks("<!-- not run: reason -->\n\ntext\n```sh\ntether\n```\n");
}
