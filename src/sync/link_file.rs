//! Links shared as a versioned JSON file:
//! `{"format": "tether-links", "version": 3, "links": [ … ]}`.
//!
//! Import is strict: an unknown key (a typo such as `direciton`) is refused with the link's
//! name and the line and column, so a mistake never silently drops a setting.
//!
//! Older versions are read through [`migrate`]: version 1 had no `create_unmatched`, and its
//! links keep what they did then (rows without a Salesforce Id are not created). Versions
//! before 3 had no `time_zone` and read a local datetime without an offset as UTC, which their
//! links keep.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::link::{LINK_FORMAT_VERSION, Link};
use crate::workspace::{Workspace, WorkspaceError, audit, capture};

pub const FORMAT: &str = "tether-links";

#[derive(Debug, thiserror::Error)]
pub enum LinkFileError {
    #[error("the links file is not valid JSON at line {line}, column {column}: {reason}")]
    Syntax {
        line: usize,
        column: usize,
        reason: String,
    },
    #[error(
        "this is not a Tether links file (format {found}): export links with `tether link export`"
    )]
    NotLinks { found: String },
    #[error(
        "the links file is version {found}, newer than this Tether reads ({known}): upgrade Tether to import it"
    )]
    TooNew { found: u64, known: u32 },
    #[error("the links file has no usable `version` (found {found}): export it again")]
    BadVersion { found: String },
    #[error(
        "link {which} at line {line}, column {column}: {reason}. Correct it in the file and import again"
    )]
    BadLink {
        which: String,
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("the links file has no `links` list: export it again with `tether link export`")]
    NoLinks,
    #[error("the links file defines `{0}` more than once: keep one definition per name")]
    Duplicate(String),
    #[error(
        "link `{link}` syncs the local table `{table}`, which does not exist in this workspace: create it (or install its template) first"
    )]
    MissingTable { link: String, table: String },
    #[error("{0}")]
    Workspace(#[from] WorkspaceError),
}

#[derive(Serialize)]
struct Envelope<'a> {
    format: &'a str,
    version: u32,
    links: &'a [Link],
}

/// The strict shape, parsed from text so that serde reports line and column.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // parsed only for its errors' positions
struct Strict {
    format: String,
    version: u64,
    links: Vec<Link>,
}

/// The links as a pretty-printed links file.
pub fn export(links: &[Link]) -> String {
    let envelope = Envelope {
        format: FORMAT,
        version: LINK_FORMAT_VERSION,
        links,
    };
    // Serialising plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(&envelope).unwrap_or_default();
    text.push('\n');
    text
}

/// The links of a links file, refusing other formats, newer versions and any unknown key.
pub fn parse(text: &str) -> Result<Vec<Link>, LinkFileError> {
    let document: Value = serde_json::from_str(text).map_err(|e| LinkFileError::Syntax {
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })?;
    let format = document.get("format");
    if format.and_then(Value::as_str) != Some(FORMAT) {
        return Err(LinkFileError::NotLinks {
            found: format.map_or("missing".into(), |f| f.to_string()),
        });
    }
    let version = match document.get("version").and_then(Value::as_u64) {
        Some(v) if v > u64::from(LINK_FORMAT_VERSION) => {
            return Err(LinkFileError::TooNew {
                found: v,
                known: LINK_FORMAT_VERSION,
            });
        }
        Some(v) if v >= 1 => v,
        _ => {
            return Err(LinkFileError::BadVersion {
                found: document
                    .get("version")
                    .map_or("none".into(), |v| v.to_string()),
            });
        }
    };
    let Some(entries) = document.get("links").and_then(Value::as_array) else {
        return Err(LinkFileError::NoLinks);
    };
    let mut links = Vec::with_capacity(entries.len());
    let mut names = BTreeSet::new();
    for (index, entry) in entries.iter().enumerate() {
        let which = match entry.get("name").and_then(Value::as_str) {
            Some(name) => format!("`{name}`"),
            None => format!("number {}", index + 1),
        };
        let link: Link = serde_json::from_value(migrate(version, entry.clone()))
            .map_err(|e| position_error(text, &which, &e.to_string()))?;
        if !names.insert(link.name.clone()) {
            return Err(LinkFileError::Duplicate(link.name));
        }
        links.push(link);
    }
    Ok(links)
}

/// One link of a file of `version`, in the shape of the current version.
fn migrate(version: u64, mut link: Value) -> Value {
    if version < 2
        && let Value::Object(fields) = &mut link
    {
        fields
            .entry("create_unmatched")
            .or_insert(Value::Bool(false));
    }
    if version < 3
        && let Value::Object(fields) = &mut link
    {
        fields
            .entry("time_zone")
            .or_insert(Value::String("UTC".into()));
    }
    link
}

/// Where in the text the strict parse fails: serde stops at the first bad link in file
/// order, the same one the per-link parse names.
fn position_error(text: &str, which: &str, reason: &str) -> LinkFileError {
    let (line, column) = match serde_json::from_str::<Strict>(text) {
        Err(e) => (e.line(), e.column()),
        Ok(_) => (0, 0),
    };
    LinkFileError::BadLink {
        which: which.to_string(),
        line,
        column,
        reason: reason.to_string(),
    }
}

/// Saves every link of the file into the workspace (replacing links of the same name) and
/// returns their names. Nothing is saved unless every link parses and its table exists.
pub fn import(ws: &mut Workspace, text: &str, actor: &str) -> Result<Vec<String>, LinkFileError> {
    let links = parse(text)?;
    for link in &links {
        match capture::columns(ws.conn(), &link.table) {
            Ok(_) => {}
            Err(WorkspaceError::NoSuchTable(table)) => {
                return Err(LinkFileError::MissingTable {
                    link: link.name.clone(),
                    table,
                });
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut names = Vec::with_capacity(links.len());
    for link in &links {
        ws.save_link(link, actor)?;
        names.push(link.name.clone());
    }
    audit(ws.conn(), actor, "link.import", &names.join(", "), None)?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::link::{FieldMapping, MatchKey, Schedule};
    use crate::sync::plan::{ConflictPolicy, DeletePolicy, Direction};

    fn sample() -> Vec<Link> {
        vec![
            Link {
                name: "accounts".into(),
                connection: "prod".into(),
                table: "customers".into(),
                key: "customer_id".into(),
                object: "Account".into(),
                id_column: "sf_id".into(),
                match_on: MatchKey::ExternalId {
                    field: "External_Id__c".into(),
                    column: "customer_id".into(),
                },
                create_unmatched: false,
                fields: vec![
                    FieldMapping::column("name", "Name", Direction::Both),
                    FieldMapping {
                        policy: Some(ConflictPolicy::ManualReview),
                        ..FieldMapping::column("industry", "Industry", Direction::Both)
                    },
                    FieldMapping::expression("upper(name)", "Site"),
                ],
                pull_filter: Some("Type = 'Customer'".into()),
                push_filter: Some("active = 1".into()),
                policy: ConflictPolicy::MostRecentWins,
                deletes: DeletePolicy::MarkArchived,
                archive_column: Some("archived".into()),
                schedule: Schedule::Day { at: "06:30".into() },
                strategy: Default::default(),
                time_zone: None,
            },
            Link {
                name: "leads".into(),
                connection: "prod".into(),
                table: "lead_scores".into(),
                key: "lead_id".into(),
                object: "Lead".into(),
                id_column: "lead_id".into(),
                match_on: MatchKey::SalesforceId,
                create_unmatched: false,
                fields: vec![FieldMapping::column(
                    "tier",
                    "Lead_Score_Tier__c",
                    Direction::Push,
                )],
                pull_filter: None,
                push_filter: None,
                policy: ConflictPolicy::default(),
                deletes: DeletePolicy::Ignore,
                archive_column: None,
                schedule: Schedule::Minutes { minutes: 15 },
                strategy: Default::default(),
                time_zone: None,
            },
        ]
    }

    #[test]
    fn export_then_parse_gives_back_the_same_links() {
        let links = sample();
        let text = export(&links);
        assert!(text.contains("\"format\": \"tether-links\""), "{text}");
        assert!(text.contains("\"version\": 3"), "{text}");
        assert!(text.contains("\"create_unmatched\": false"), "{text}");
        assert_eq!(parse(&text).expect("round trip"), links);
    }

    #[test]
    fn a_misspelt_key_is_refused_with_the_link_name_and_position() {
        let text =
            export(&sample()).replacen("\"direction\": \"push\"", "\"direciton\": \"push\"", 1);
        let line_of_typo = text
            .lines()
            .position(|l| l.contains("direciton"))
            .expect("typo present")
            + 1;
        let err = parse(&text).expect_err("typo refused");
        let message = err.to_string();
        assert!(message.contains("direciton"), "{message}");
        assert!(message.contains("`accounts`"), "{message}");
        match err {
            LinkFileError::BadLink { line, .. } => assert_eq!(line, line_of_typo, "{message}"),
            other => panic!("expected BadLink, got {other:?}"),
        }
    }

    #[test]
    fn other_formats_versions_and_broken_json_are_refused_clearly() {
        let cases: &[(&str, &str)] = &[
            (
                r#"{"format":"tether-links","version":4,"links":[]}"#,
                "upgrade Tether",
            ),
            (
                r#"{"format":"other","version":1,"links":[]}"#,
                "not a Tether links file",
            ),
            (r#"{"version":1,"links":[]}"#, "format missing"),
            (
                r#"{"format":"tether-links","links":[]}"#,
                "no usable `version`",
            ),
            (
                r#"{"format":"tether-links","version":0,"links":[]}"#,
                "no usable `version`",
            ),
            (
                r#"{"format":"tether-links","version":1}"#,
                "no `links` list",
            ),
            ("{\"format\":\n  \"tether-links\",,}", "line 2, column"),
        ];
        for (text, expected) in cases {
            let message = parse(text).expect_err(text).to_string();
            assert!(message.contains(expected), "{text}: {message}");
        }
    }

    #[test]
    fn a_version_1_file_imports_with_create_unmatched_off() {
        let version_1 = r#"{"format": "tether-links", "version": 1, "links": [{
            "name": "people", "connection": "prod", "table": "people", "key": "id",
            "object": "Contact", "id_column": "sf_id",
            "fields": [{"local": {"column": "last_name"}, "remote": "LastName", "direction": "both"}]
        }]}"#;
        let links = parse(version_1).expect("a version 1 file still imports");
        assert!(!links[0].create_unmatched, "{links:?}");
        assert_eq!(
            links[0].time_zone.as_deref(),
            Some("UTC"),
            "an older file read datetimes without an offset as UTC"
        );

        let mut creating = links;
        creating[0].create_unmatched = true;
        let text = export(&creating);
        assert!(text.contains("\"version\": 3"), "{text}");
        assert!(text.contains("\"create_unmatched\": true"), "{text}");
        assert_eq!(parse(&text).expect("round trip"), creating);
    }

    #[test]
    fn a_name_defined_twice_is_refused() {
        let mut links = sample();
        links[1].name = "accounts".into();
        let message = parse(&export(&links)).expect_err("duplicate").to_string();
        assert!(message.contains("`accounts` more than once"), "{message}");
    }

    #[test]
    fn import_saves_every_link_or_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut ws = Workspace::open(&dir.path().join("w.sqlite")).expect("workspace");
        ws.conn()
            .execute_batch(
                "CREATE TABLE customers (customer_id TEXT PRIMARY KEY, sf_id TEXT, name TEXT,
                     industry TEXT, active INTEGER, archived INTEGER);",
            )
            .expect("table");
        let text = export(&sample());
        let err = import(&mut ws, &text, "test").expect_err("lead_scores is missing");
        assert!(
            matches!(&err, LinkFileError::MissingTable { link, table } if link == "leads" && table == "lead_scores"),
            "{err}"
        );
        assert!(ws.links().expect("links").is_empty());

        ws.conn()
            .execute_batch("CREATE TABLE lead_scores (lead_id TEXT PRIMARY KEY, tier TEXT);")
            .expect("table");
        let names = import(&mut ws, &text, "test").expect("import");
        assert_eq!(names, ["accounts", "leads"]);
        let stored: Vec<Link> = ws
            .links()
            .expect("links")
            .into_iter()
            .map(|s| s.link)
            .collect();
        // A link saved without a time zone takes the machine's.
        let mut expected = sample();
        for link in &mut expected {
            link.time_zone = Some(crate::sync::link::machine_time_zone());
        }
        assert_eq!(stored, expected);
    }
}
