//! The Records page's record view and writes: edits checked against the sandbox org's
//! describe, each write a run with its undo, and the record read by its layout.

mod check;
mod read;
mod writes;

use std::path::PathBuf;

use tether::records_write::write::Target;
use tether::salesforce::Client;

use crate::support::client::{TestOrg, org_and_client};

pub struct Bench {
    pub org: TestOrg,
    pub client: Client,
    pub dir: tempfile::TempDir,
}

impl Bench {
    pub async fn new() -> Bench {
        let (org, client) = org_and_client().await;
        let dir = tempfile::tempdir().unwrap();
        Bench { org, client, dir }
    }

    pub fn workspace(&self) -> PathBuf {
        self.dir.path().join("workspace.sqlite")
    }
}

pub fn account() -> Target<'static> {
    Target {
        connection: "sandbox",
        object: "Account",
    }
}

pub fn edits(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(f, v)| (f.to_string(), v.to_string()))
        .collect()
}
