//! The CLI as a user drives it, for end-to-end tests: a `tether sandbox-org` child process,
//! `tether connect` through the web-server flow with the session keychain, a workspace and a
//! data directory in a tempdir, and the org reached directly over REST by the test itself.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;
use serde_json::{Value, json};

const TETHER: &str = env!("CARGO_BIN_EXE_tether");
static TETHER_COPY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
pub const CLIENT_ID: &str = "TetherCli";

/// Held by the tests whose connection is named after the demo user (the name `tether connect`
/// picks when none is given): tests of one process share the session keychain, whose one entry
/// of that name they would otherwise overwrite or delete under one another.
pub static DEMO_USER_CONNECTION: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// `tether`, run from the copy made by [`use_private_copy`] once there is one.
pub fn tether() -> Command {
    Command::new(TETHER_COPY.get().map_or(Path::new(TETHER), |p| p.as_path()))
}

/// Runs a copy of the built binary from now on, so that every step runs the same build of
/// tether even if the target directory is rebuilt while the tests run. The copy is named
/// after the build and kept in the tests' scratch folder, shared by every test of the process.
pub fn use_private_copy() -> &'static Path {
    TETHER_COPY.get_or_init(|| {
        let built = std::fs::metadata(TETHER).expect("the tether binary is built");
        let stamp = built
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let copy = scratch.join(format!("tether-{stamp}-{}", built.len()));
        if !copy.exists() {
            forget_old_copies(scratch);
            let partial = scratch.join(format!("tether-copying-{}", std::process::id()));
            std::fs::copy(TETHER, &partial).expect("the tether binary copies");
            std::fs::rename(&partial, &copy).expect("the copy is put in place");
        }
        copy
    })
}

/// Copies of earlier builds, so that the scratch folder does not grow by a binary a build. A
/// copy made in the last hour is kept: a test process started before this build may run it.
fn forget_old_copies(scratch: &Path) {
    let Ok(entries) = std::fs::read_dir(scratch) else {
        return;
    };
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for entry in entries.flatten() {
        let is_copy = entry.file_name().to_string_lossy().starts_with("tether-");
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        if is_copy && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Kills the child when the test ends, however it ends.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The org as the test itself reaches it: REST with a password-flow session of its own.
pub struct Org {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Org {
    pub async fn sign_in(base: &str) -> Org {
        let http = reqwest::Client::new();
        let token = crate::support::org::password_login(&http, base).await;
        Org {
            http,
            base: base.to_string(),
            token,
        }
    }

    /// Every record a SOQL query returns, following `nextRecordsUrl`.
    pub async fn query_all(&self, soql: &str) -> Vec<Value> {
        let mut records = Vec::new();
        let mut next = Some(format!("/services/data/v60.0/query?q={}", urlencode(soql)));
        while let Some(path) = next.take() {
            let page: Value = self
                .http
                .get(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let batch = page["records"]
                .as_array()
                .unwrap_or_else(|| panic!("query answer {page}"));
            records.extend(batch.iter().cloned());
            next = page["nextRecordsUrl"].as_str().map(str::to_string);
        }
        records
    }

    /// Creates (POST) or updates (PATCH) Accounts through sObject Collections, all or none.
    pub async fn write_accounts(&self, method: reqwest::Method, records: Vec<Value>) {
        self.write_records("Account", method, records).await;
    }

    /// Creates (POST) or updates (PATCH) records of `object` through sObject Collections, all
    /// or none. Returns the ids, in the order of `records`.
    pub async fn write_records(
        &self,
        object: &str,
        method: reqwest::Method,
        records: Vec<Value>,
    ) -> Vec<String> {
        let mut ids = Vec::with_capacity(records.len());
        for chunk in records.chunks(200) {
            let records: Vec<Value> = chunk
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    r["attributes"] = json!({"type": object});
                    r
                })
                .collect();
            let results: Value = self
                .http
                .request(
                    method.clone(),
                    format!("{}/services/data/v60.0/composite/sobjects", self.base),
                )
                .bearer_auth(&self.token)
                .json(&json!({"allOrNone": true, "records": records}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let all_ok = results
                .as_array()
                .is_some_and(|a| a.iter().all(|r| r["success"] == json!(true)));
            assert!(all_ok, "{method} {object}: {results}");
            ids.extend(
                results
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|r| r["id"].as_str().unwrap_or_default().to_string()),
            );
        }
        ids
    }

    /// Deletes records through sObject Collections, all or none.
    pub async fn delete_records(&self, ids: &[String]) {
        for chunk in ids.chunks(200) {
            let results: Value = self
                .http
                .delete(format!(
                    "{}/services/data/v60.0/composite/sobjects?allOrNone=true&ids={}",
                    self.base,
                    chunk.join(",")
                ))
                .bearer_auth(&self.token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let all_ok = results
                .as_array()
                .is_some_and(|a| a.iter().all(|r| r["success"] == json!(true)));
            assert!(all_ok, "DELETE {chunk:?}: {results}");
        }
    }

    /// Sets the org's fault dice (see the emulator's `FaultConfig`) through its admin endpoint.
    pub async fn set_faults(&self, faults: Value) {
        let answer = self
            .http
            .put(format!("{}/__sandbox/faults", self.base))
            .json(&faults)
            .send()
            .await
            .expect("faults request");
        assert!(
            answer.status().is_success(),
            "faults {faults}: {}",
            answer.status()
        );
    }
}

pub fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

pub fn lines(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

pub fn wait_for_line(rx: &mpsc::Receiver<String>, wanted: impl Fn(&str) -> bool) -> String {
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if wanted(&line) => return line,
            Ok(line) => seen.push(line),
            Err(e) => panic!(
                "line not printed ({e}); stdout so far:\n{}",
                seen.join("\n")
            ),
        }
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `tether sandbox-org`, empty unless `extra` gives a `--seed-size`, with `extra` arguments
/// (latency, faults …). Returns the process and its login URL.
pub fn start_org(callback: &str, extra: &[&str]) -> (Running, String) {
    let seed: &[&str] = if extra.contains(&"--seed-size") {
        &[]
    } else {
        &["--seed-size", "0"]
    };
    let mut org = tether()
        .args(["sandbox-org", "--port", "0", "--auto-approve"])
        .args(seed)
        .args(extra)
        .args(["--client-id", CLIENT_ID, "--callback", callback])
        .stdout(Stdio::piped())
        .spawn()
        .expect("sandbox org starts");
    let org_lines = lines(&mut org);
    let org = Running(org);
    let login = wait_for_line(&org_lines, |l| l.trim().starts_with("Login URL"));
    let login = login
        .trim()
        .trim_start_matches("Login URL")
        .trim()
        .to_string();
    // Keep reading so the org never blocks on a full pipe.
    std::thread::spawn(move || while org_lines.recv().is_ok() {});
    (org, login)
}

/// `tether connect` through the web-server flow, the user's browser played by reqwest. The
/// connection is named `name`, or after the user when `None`; tests that run at the same time
/// share the session keychain, so each names its own.
pub async fn connect(login: &str, port: u16, data: &Path, name: Option<&str>) {
    let connect = tether()
        .args([
            "connect",
            "--login-url",
            login,
            "--client-id",
            CLIENT_ID,
            "--no-browser",
        ])
        .args(["--port", &port.to_string(), "--data-dir"])
        .arg(data)
        .args(name.map(|n| ["--name", n]).into_iter().flatten())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("tether connect starts");
    approve_in_browser(connect).await;
}

/// Plays the user's browser for a running `tether connect`: opens the authorize URL it
/// prints, lets the org approve and redirect to the waiting listener, and waits for the
/// command to succeed. Returns its "Connected …" line.
pub async fn approve_in_browser(mut connect: Child) -> String {
    let connect_lines = lines(&mut connect);
    let mut connect = Running(connect);
    let authorize = wait_for_line(&connect_lines, |l| l.starts_with("http"));
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(2))
        .build()
        .unwrap();
    let landed = browser.get(&authorize).send().await.unwrap();
    assert_eq!(landed.status(), 200, "callback page");
    let done = wait_for_line(&connect_lines, |l| l.starts_with("Connected"));
    let status = connect.0.wait().unwrap();
    assert!(status.success(), "tether connect exited with {status}");
    done
}

/// Where one test keeps the user's workspace and Tether's data directory.
pub struct Setup {
    pub workspace: PathBuf,
    pub data: PathBuf,
}

impl Setup {
    pub fn in_dir(dir: &Path) -> Setup {
        Setup {
            workspace: dir.join("workspace.sqlite"),
            data: dir.join("data"),
        }
    }

    /// `tether ARGS --workspace W --data-dir D`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = tether();
        command
            .args(args)
            .arg("--workspace")
            .arg(&self.workspace)
            .arg("--data-dir")
            .arg(&self.data)
            .env("RUST_LOG", "warn");
        command
    }

    pub fn db(&self) -> Connection {
        let conn = Connection::open(&self.workspace).expect("workspace file opens");
        conn.busy_timeout(Duration::from_secs(10)).unwrap();
        conn
    }

    pub fn last_run_id(&self) -> i64 {
        self.db()
            .query_row("SELECT COALESCE(MAX(id), 0) FROM tether_runs", [], |r| {
                r.get(0)
            })
            .unwrap()
    }

    pub fn runs_after(&self, id: i64) -> Vec<(i64, String)> {
        let conn = self.db();
        let mut stmt = conn
            .prepare("SELECT id, status FROM tether_runs WHERE id > ?1 ORDER BY id")
            .unwrap();
        stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

/// What a finished command printed; panics with both streams if it failed.
pub fn succeeded(what: &str, out: Output) -> String {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}
