//! What the window asks of the desktop service ([`Request`]) and what the service tells the
//! window ([`Event`]). Plain data: no drawing here, and no I/O.
//!
//! Every request is answered by events; a failure comes back as [`Event::Failed`] with the
//! request's [`Topic`], so the window knows where to show it.

use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::import::mapping::ImportMapping;
use crate::import::run::ImportSummary;
use crate::run::RunSummary;
pub use crate::run::later_edits::{LaterEdit, LaterEdits};
use crate::sync::engine::Records;
use crate::sync::link::{Link, Schedule};
use crate::sync::verify::Problem;
use crate::workspace::conflicts::{ConflictRecord, Keep};
use crate::workspace::journal::RunRecord;
pub use crate::workspace::journal::pages::{ErrorSort, RunSort, TEXT_COUNT_CAP};
use crate::workspace::journal::{ErrorLifecycle, ErrorRecord};

/// Where the user signs in, as the connect wizard offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginTarget {
    Production,
    Sandbox,
    /// A My Domain, e.g. `acme.my.salesforce.com`.
    MyDomain(String),
    /// Any other host, e.g. a local Salesforce-compatible server.
    Custom(String),
}

impl LoginTarget {
    /// The text [`crate::connect::LoginUrl::parse`] understands.
    pub fn login_text(&self) -> String {
        match self {
            LoginTarget::Production => "production".to_string(),
            LoginTarget::Sandbox => "sandbox".to_string(),
            LoginTarget::MyDomain(host) | LoginTarget::Custom(host) => host.trim().to_string(),
        }
    }
}

/// What the window asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Work of the Records page.
    Records(super::RecordsRequest),
    /// Work of the SOQL explorer.
    Query(super::QueryRequest),
    /// Work of the Analytics page.
    Analytics(super::AnalyticsRequest),
    /// Create missing fields, for a link or a template.
    Setup(super::SetupRequest),
    // Connections
    /// Answered by [`Event::Connections`], then one [`Event::ConnectionChecked`] per connection.
    ListConnections,
    /// The browser sign-in (OAuth web-server flow with PKCE over a loopback redirect).
    /// Answered by [`Event::ConnectProgress`] steps, then [`Event::Connected`].
    Connect {
        target: LoginTarget,
        client_id: String,
        /// Defaults to the username that signed in.
        name: Option<String>,
    },
    /// Stops a browser sign-in that is still waiting.
    CancelConnect,
    /// Starts the built-in sandbox org (demo data) and connects to it: one click, no browser.
    ConnectSandbox,
    /// Signs in again to an existing connection (e.g. after its refresh token was revoked).
    Reconnect {
        name: String,
    },
    /// Revokes the tokens, removes them from the keychain and forgets the connection.
    Disconnect {
        name: String,
    },
    /// Checks a connection and reads its API usage; answered by [`Event::ConnectionChecked`].
    CheckConnection {
        name: String,
    },

    // Links and the dashboard
    /// Answered by [`Event::Links`].
    ListLinks,
    SyncNow {
        link: String,
    },
    SyncAll,
    /// Syncs these records of a link only: a record-scoped run.
    SyncRecords {
        link: String,
        records: Records,
    },
    /// Syncs the one row of a link that `name` names: by its key or a mapped column's value
    /// (a customer's name), compared without case. Naming no row or several is a failure
    /// that says which.
    SyncNamedRecord {
        link: String,
        name: String,
    },
    /// Sync Now, letting the run delete more than the mass-delete guard allows: the answer
    /// "Delete them" to a run that stopped needing confirmation.
    SyncAllowingDeletes {
        link: String,
    },
    CancelSync {
        link: String,
    },
    SetSchedule {
        link: String,
        schedule: Schedule,
    },
    /// Records synced and errors per day; answered by [`Event::DailyStats`].
    DailyStats {
        days: u32,
    },

    // Mapping studio
    /// The objects of a connection's org; answered by [`Event::Objects`].
    ListObjects {
        connection: String,
    },
    /// One object's fields; answered by [`Event::ObjectFields`].
    DescribeObject {
        connection: String,
        object: String,
    },
    /// Every field of an object for the field explorer, with the user's field-level access;
    /// answered by [`Event::FieldCatalog`].
    ExploreFields {
        connection: String,
        object: String,
    },
    /// The workspace's own tables and their columns; answered by [`Event::LocalTables`].
    ListLocalTables,
    /// A local table made from `object`'s fields, proposed; answered by [`Event::TableProposed`].
    ProposeTable {
        connection: String,
        object: String,
    },
    /// Creates the proposed table; answered by [`Event::TableCreated`], then
    /// [`Event::LocalTables`].
    CreateTable {
        proposal: super::new_table::TableProposal,
    },
    /// Evaluates a SQL expression over a few rows; answered by [`Event::ExpressionPreview`].
    PreviewExpression {
        table: String,
        key: String,
        expression: String,
    },
    /// Answered by [`Event::Verified`].
    VerifyLink {
        link: Link,
    },
    /// Verifies, then saves; answered by [`Event::LinkSaved`] or [`Event::Verified`] with the
    /// errors that stopped it.
    SaveLink {
        link: Link,
    },
    DeleteLink {
        name: String,
    },
    ExportLink {
        name: String,
        path: PathBuf,
    },
    /// Reads a link file; answered by [`Event::LinkImported`] (not saved until the user saves).
    ImportLink {
        path: PathBuf,
    },

    // History and errors
    RunsPage {
        filter: RunFilter,
        offset: u64,
        limit: u64,
    },
    RunDetail {
        run_id: i64,
    },
    ErrorsPage {
        filter: ErrorFilter,
        offset: u64,
        limit: u64,
    },
    ErrorGroups {
        filter: ErrorFilter,
    },
    /// Syncs the records of these errors again, in a run of those records only.
    RetryErrors {
        ids: Vec<i64>,
    },
    /// Writes these errors as CSV (formula cells neutralised); answered by [`Event::Exported`].
    ExportErrors {
        ids: Vec<i64>,
        path: PathBuf,
    },

    // Conflicts
    /// Answered by [`Event::Conflicts`].
    ListConflicts,
    ResolveConflicts {
        ids: Vec<i64>,
        keep: Keep,
    },

    /// Reads the start of a spreadsheet (CSV, TSV or XLSX) for the import preview; answered by
    /// [`Event::FilePreview`].
    PreviewFile {
        path: PathBuf,
        /// The sheet of a workbook; the first when `None`.
        sheet: Option<String>,
    },

    /// Proposes a mapping for a sheet: a template saved for its headers, else one made from
    /// the column names; answered by [`Event::ImportProposal`].
    ProposeImport {
        path: PathBuf,
        sheet: Option<String>,
        connection: String,
        object: String,
    },
    /// Checks every row against the org and sends nothing; answered by
    /// [`Event::ImportChecked`].
    CheckImport(Box<ImportRequest>),
    /// Sends the rows (only after the user confirmed a check); answered by
    /// [`Event::ImportProgress`] steps, then [`Event::ImportFinished`].
    LoadImport(Box<ImportRequest>),
    /// Stops the import under way after the rows being sent.
    CancelImport,
    /// Undoes an import run; answered by [`Event::ImportUndone`], or by
    /// [`Event::LaterSalesforceEdits`] (nothing written) when Salesforce changed records the
    /// import wrote since and `overwrite_salesforce_edits` is off.
    UndoImport {
        run_id: i64,
        /// The person saw those changes and chose to undo anyway.
        overwrite_salesforce_edits: bool,
    },
    /// Undoes a run from History, with the CLI's refusals (`tether undo`); answered by
    /// [`Event::RunUndone`], or by [`Event::LaterSalesforceEdits`] (nothing written) when
    /// Salesforce changed what the run wrote since and `overwrite_salesforce_edits` is off.
    UndoRun {
        run_id: i64,
        overwrite_salesforce_edits: bool,
    },
    /// Keeps a mapping to be offered for the next sheet with these headers; answered by
    /// [`Event::ImportTemplateSaved`].
    SaveImportTemplate {
        name: String,
        headers: Vec<String>,
        mapping: ImportMapping,
    },

    /// Opens a URL (a record in Salesforce, the log folder) in the system's handler.
    OpenUrl {
        url: String,
    },
}

/// Which area of the window a failure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    Records,
    Query,
    Analytics,
    Connections,
    Links,
    Sync,
    Mapping,
    History,
    Errors,
    Conflicts,
    Settings,
    Import,
}

/// What the service tells the window.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Something failed; `message` says what happened and what to do.
    Failed {
        topic: Topic,
        message: String,
    },
    /// Finished background work worth a toast.
    Notice(String),
    /// Finished background work that did not all go through (a run that failed, stopped or
    /// left records behind): a toast that never looks like a success.
    Warning(String),

    /// Answers to the Records page.
    Records(super::RecordsEvent),
    /// Answers to the SOQL explorer.
    Query(super::QueryEvent),
    /// Answers to the Analytics page.
    Analytics(super::AnalyticsEvent),
    /// Answers to Create missing fields.
    Setup(super::SetupEvent),

    Connections(Vec<ConnectionView>),
    ConnectionChecked(ConnectionView),
    /// A step of a browser sign-in, e.g. "Waiting for you to sign in in the browser…".
    ConnectProgress(String),
    /// The sign-in URL, for a user whose browser did not open.
    SignInUrl(String),
    Connected(ConnectionView),
    /// The signed-in user's role on a connection, read from its org: what the window's
    /// controls allow. Sent again when the access to another object has been read.
    Access(Box<crate::access::Access>),
    Disconnected {
        name: String,
    },
    /// The org's daily API usage as its last answer reported it, after a sync or an import.
    ApiUsage {
        connection: String,
        used: u64,
        max: u64,
    },

    Links(Vec<LinkCard>),
    SyncStarted {
        link: String,
        run_id: i64,
    },
    SyncProgress(SyncProgress),
    SyncFinished(RunSummary),
    /// A sync cancelled while it waited its turn: no run was started or recorded.
    SyncNotStarted {
        link: String,
        message: String,
    },
    DailyStats(Vec<DayStats>),

    Objects {
        connection: String,
        objects: Vec<ObjectSummary>,
    },
    ObjectFields {
        connection: String,
        object: String,
        fields: Vec<FieldInfo>,
    },
    FieldCatalog {
        connection: String,
        object: String,
        fields: Vec<super::ExploredField>,
    },
    LocalTables(Vec<LocalTable>),
    TableProposed {
        object: String,
        proposal: super::new_table::TableProposal,
    },
    /// The proposed table now exists in the workspace.
    TableCreated(super::new_table::TableProposal),
    ExpressionPreview {
        expression: String,
        /// (row key, value as text) per sample row, or what is wrong with the expression.
        result: Result<Vec<(String, String)>, String>,
    },
    Verified {
        link: String,
        problems: Vec<Problem>,
    },
    LinkSaved {
        link: String,
        problems: Vec<Problem>,
    },
    LinkDeleted {
        link: String,
    },
    LinkImported(Box<Link>),

    RunsPage {
        filter: RunFilter,
        offset: u64,
        total: u64,
        rows: Vec<RunRecord>,
    },
    RunDetail(Box<RunDetail>),
    ErrorsPage {
        filter: ErrorFilter,
        offset: u64,
        total: u64,
        rows: Vec<ErrorRow>,
    },
    ErrorGroups {
        filter: ErrorFilter,
        groups: Vec<ErrorGroup>,
    },
    Exported {
        path: PathBuf,
        rows: u64,
    },

    Conflicts(Vec<ConflictRow>),

    FilePreview(Box<FilePreview>),
    ImportProposal(Box<ImportProposal>),
    ImportChecked(Box<ImportReport>),
    ImportProgress {
        decided: u64,
        sent: u64,
        to_send: u64,
    },
    /// The load ended (also when it failed part way: the report says how far it got).
    ImportFinished(Box<ImportReport>),
    ImportUndone(Box<RunSummary>),
    /// A run undone from History: the undo's own run.
    RunUndone(Box<RunSummary>),
    /// An undo stopped before writing: Salesforce changed these records since the run wrote
    /// them. The window asks whether to undo anyway.
    LaterSalesforceEdits(Box<LaterEdits>),
    ImportTemplateSaved {
        name: String,
    },
}

/// A sheet to check or load, with its mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRequest {
    pub path: PathBuf,
    pub sheet: Option<String>,
    pub connection: String,
    pub mapping: ImportMapping,
    /// Send only the rows this import could not send.
    pub retry_of: Option<i64>,
}

/// A first mapping for a sheet and what the person should check.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportProposal {
    pub path: PathBuf,
    pub connection: String,
    pub headers: Vec<String>,
    /// The object's fields, for the two-column editor.
    pub fields: Vec<FieldInfo>,
    pub mapping: ImportMapping,
    pub notes: Vec<String>,
    /// The saved template the mapping comes from, if any.
    pub template: Option<String>,
}

/// What a check found or a load did, with the first rows of its report.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    pub summary: ImportSummary,
    /// Rows that are invalid or failed first, then the others, at most [`REPORT_ROWS`].
    pub rows: Vec<ReportRow>,
}

/// Rows of a report the window holds; the whole report is in the CSV file.
pub const REPORT_ROWS: usize = 2_000;

#[derive(Debug, Clone, PartialEq)]
pub struct ReportRow {
    pub row: u64,
    pub status: String,
    pub sf_id: Option<String>,
    pub message: String,
}

/// The first rows of a spreadsheet, and how it is written.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePreview {
    pub path: PathBuf,
    /// e.g. "CSV · Windows-1252 · semicolons · CRLF line endings".
    pub format: String,
    /// A workbook's sheets; empty for text files.
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    pub headers: Vec<String>,
    /// The first rows, with the row numbers a person sees in the file.
    pub rows: Vec<crate::import::Row>,
    /// Whether the file has more rows than the preview holds.
    pub more: bool,
}

/// One connection as the Connections panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionView {
    pub name: String,
    pub username: String,
    pub org_id: String,
    pub instance_url: String,
    pub login_url: String,
    /// The built-in sandbox org, which lives only while Tether runs.
    pub embedded: bool,
    pub status: ConnectionStatus,
    /// Daily API requests (used, allowed), when known.
    pub api_usage: Option<(u64, u64)>,
    pub connected_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionStatus {
    /// Not checked yet in this session.
    Unknown,
    Checking,
    Ok,
    /// The org answered but refused the tokens: the user must sign in again.
    SignInAgain(String),
    /// The org could not be reached; what happened and what to do.
    Unreachable(String),
}

/// One link as its dashboard card shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkCard {
    pub link: Link,
    pub last_run: Option<RunRecord>,
    /// The last run that did not fail, when the last one failed.
    pub last_success: Option<DateTime<Utc>>,
    pub next_run: Option<DateTime<Utc>>,
    pub open_conflicts: u64,
    /// Records whose last attempt failed: the link's open errors, whichever runs they failed in.
    pub open_errors: u64,
}

/// A running sync, as its card's progress bar shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncProgress {
    pub link: String,
    pub run_id: i64,
    /// "Reading", "Planning", "Sending".
    pub phase: String,
    pub done: u64,
    /// Unknown while reading.
    pub total: Option<u64>,
    pub records_per_second: f64,
    pub eta_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DayStats {
    pub day: NaiveDate,
    pub synced: u64,
    pub errors: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectSummary {
    pub name: String,
    pub label: String,
    pub custom: bool,
}

/// One Salesforce field, as the left column of the mapping studio shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldInfo {
    pub name: String,
    pub label: String,
    /// The describe type: `string`, `double`, `picklist`, `reference`, …
    pub field_type: String,
    pub length: Option<u32>,
    pub required: bool,
    pub external_id: bool,
    /// Neither createable nor updateable: it can only be pulled.
    pub read_only: bool,
    pub picklist_values: Vec<String>,
    /// Salesforce refuses values a restricted picklist's list does not have.
    pub restricted_picklist: bool,
    /// For a reference field, the objects it may point to.
    pub reference_to: Vec<String>,
}

/// One of the user's own tables, as the right column of the mapping studio shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalTable {
    pub name: String,
    pub columns: Vec<LocalColumn>,
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LocalColumn {
    pub name: String,
    /// The declared SQLite type, e.g. `TEXT`, `REAL`; empty when none was declared.
    pub declared_type: String,
    pub primary_key: bool,
    pub not_null: bool,
}

/// Which runs the History table shows: the journal's own query, sent as it is.
pub type RunFilter = crate::workspace::journal::pages::RunQuery;

/// Which errors the error browser shows. With words in `text`, a page's `total` stops
/// counting at [`TEXT_COUNT_CAP`].
pub type ErrorFilter = crate::workspace::journal::pages::ErrorQuery;

/// A failed record with what the browser needs around it.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorRow {
    /// The last answer of the error (or, for a run's detail, the attempt in that run).
    pub error: ErrorRecord,
    /// Open or resolved, attempts, first and last seen.
    pub lifecycle: ErrorLifecycle,
    pub link: String,
    pub object: String,
    /// The record's name (its Name, or the object's name field) as the local table holds it.
    pub name: Option<String>,
    /// The record in Salesforce, when it has an Id and the connection is known.
    pub record_url: Option<String>,
    /// Salesforce's answer as it came back (code, message, fields), as JSON.
    pub response: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorGroup {
    pub code: String,
    pub count: u64,
    pub hint: String,
}

/// Everything the History panel shows about one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDetail {
    pub run: RunRecord,
    /// The first errors of the run (the error browser has them all).
    pub errors: Vec<ErrorRow>,
    pub total_errors: u64,
    /// What happened when, oldest first: (time, what).
    pub timeline: Vec<(DateTime<Utc>, String)>,
    /// What the run changed on each side.
    pub changes: super::RunChanges,
}

/// A conflict with the names the inbox shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictRow {
    pub conflict: ConflictRecord,
    pub link: String,
    pub object: String,
    /// The record's name (its Name, or the object's name field) as the local table holds it.
    pub name: Option<String>,
    /// The local column mapped to the field.
    pub column: Option<String>,
    pub record_url: Option<String>,
}
