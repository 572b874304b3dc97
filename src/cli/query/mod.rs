//! `tether query NAME "SOQL"` and `tether limits NAME`: a connected org through the typed
//! client, with the token renewed from the keychain when the session has expired.

mod saved;
mod workbook;

pub use saved::{QueriesArgs, queries};

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use futures_util::StreamExt;
use serde_json::{Map, Value};

use super::CliError;
use super::WorkspaceArg;
use super::connect::{DataDirArg, keychain, open_db, runtime};
use crate::connect::{ConnectError, saved_client};
use crate::explore::columns::{Columns, columns};
use crate::explore::nested;
use crate::import::results::neutralised;
use crate::salesforce::{BatchSize, Client, ClientConfig};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Json,
    /// A workbook with typed cells (needs --output).
    Xlsx,
}

#[derive(Debug, Clone, Args)]
pub struct QueryArgs {
    /// The connection to query (see `tether connections`).
    pub name: String,
    /// The SOQL statement, e.g. "SELECT Id, Name FROM Account", or @NAME for a saved query
    /// (see `tether queries`).
    pub soql: String,
    /// After a successful run, save the statement under this name.
    #[arg(long, value_name = "NAME")]
    pub save: Option<String>,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write to this file instead of standard output (required with --format xlsx).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Include deleted and archived records (queryAll).
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub workspace: WorkspaceArg,
}

#[derive(Debug, Clone, Args)]
pub struct LimitsArgs {
    /// The connection whose limits to show.
    pub name: String,
    #[command(flatten)]
    pub data: DataDirArg,
}

pub(super) async fn client_for(name: &str, data: &DataDirArg) -> Result<Client, CliError> {
    let db = open_db(data)?;
    let connection = db.get(name).map_err(ConnectError::from)?.ok_or_else(|| {
        CliError::Usage(format!(
            "no connection named `{name}`: list them with `tether connections`, or add one with `tether connect`"
        ))
    })?;
    saved_client(&connection, keychain()?, ClientConfig::default())
        .await
        .map_err(|e| match e {
            ConnectError::Salesforce(e) => CliError::Salesforce(e.to_string()),
            other => other.into(),
        })
}

pub fn query(mut args: QueryArgs) -> Result<(), CliError> {
    if let Some(name) = args.soql.strip_prefix('@') {
        args.soql = saved::statement(&args.workspace, name)?;
    }
    let outcome = run(&args);
    saved::remember(&args, &outcome);
    outcome.map(|_| ())
}

/// Runs the statement; the org's total when it answered.
fn run(args: &QueryArgs) -> Result<u64, CliError> {
    runtime()?.block_on(async {
        let client = client_for(&args.name, &args.workspace.data).await?;
        let pages = if args.all {
            client
                .query_all::<Map<String, Value>>(&args.soql, Some(BatchSize(2000)))
                .boxed()
        } else {
            client
                .query::<Map<String, Value>>(&args.soql, Some(BatchSize(2000)))
                .boxed()
        };
        if args.format == Format::Xlsx {
            let Some(path) = &args.output else {
                return Err(CliError::Usage(
                    "--format xlsx writes a file: add --output FILE.xlsx".to_string(),
                ));
            };
            return workbook::write(&args.soql, pages, path).await;
        }
        let target: Box<dyn Write> = match &args.output {
            Some(path) => Box::new(std::io::BufWriter::new(
                std::fs::File::create(path).map_err(|e| {
                    CliError::Usage(format!(
                        "cannot create {}: {e}; choose a folder you may write to",
                        path.display()
                    ))
                })?,
            )),
            None => Box::new(std::io::stdout().lock()),
        };
        let mut out = Output::new(args.format, columns(&args.soql), target);
        let mut pages = pages;
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| CliError::Salesforce(e.to_string()))?;
            out.total(page.total_size);
            for record in page.records {
                out.record(&record).map_err(write_failed)?;
            }
        }
        let total = out.total;
        out.finish().map_err(write_failed)?;
        Ok(total)
    })
}

pub fn limits(args: LimitsArgs) -> Result<(), CliError> {
    runtime()?.block_on(async {
        let client = client_for(&args.name, &args.data).await?;
        let limits = client
            .limits()
            .await
            .map_err(|e| CliError::Salesforce(e.to_string()))?;
        let width = limits.keys().map(String::len).max().unwrap_or(5).max(5);
        println!(
            "{:width$}  {:>12}  {:>12}  {:>6}",
            "LIMIT", "MAX", "REMAINING", "USED"
        );
        for (name, limit) in limits {
            let used = if limit.max > 0 {
                100.0 * (limit.max - limit.remaining) as f64 / limit.max as f64
            } else {
                0.0
            };
            println!(
                "{name:width$}  {:>12}  {:>12}  {used:>5.1}%",
                limit.max, limit.remaining
            );
        }
        Ok(())
    })
}

fn write_failed(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return CliError::ClosedPipe;
    }
    CliError::Usage(format!("cannot write the results: {e}"))
}

/// `{"Name": "A", "Account": {"Name": "B"}}` → `Name`, `Account.Name`, without `attributes`.
fn flatten(record: &Map<String, Value>) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    flatten_into("", record, &mut out);
    out
}

fn flatten_into(prefix: &str, record: &Map<String, Value>, out: &mut Vec<(String, Value)>) {
    for (key, value) in record {
        if key == "attributes" {
            continue;
        }
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if let Some(children) = nested::child_records(value) {
            let children = children
                .iter()
                .filter_map(Value::as_object)
                .map(|child| Value::Object(flatten(child).into_iter().collect()))
                .collect();
            out.push((path, Value::Array(children)));
            continue;
        }
        match value {
            Value::Object(nested) => flatten_into(&path, nested, out),
            other => out.push((path, other.clone())),
        }
    }
}

/// Writes records as they arrive, so that memory stays flat whatever the result size.
struct Output<W: Write> {
    format: Format,
    columns: Columns,
    out: W,
    /// The CSV header once written: the SELECT list's, or the first record's fields.
    header: Option<Vec<Vec<String>>>,
    first: bool,
    total: u64,
}

impl<W: Write> Output<W> {
    fn new(format: Format, columns: Columns, out: W) -> Self {
        Output {
            format,
            columns,
            out,
            header: None,
            first: true,
            total: 0,
        }
    }

    fn total(&mut self, total: u64) {
        self.total = total;
    }

    fn record(&mut self, record: &Map<String, Value>) -> std::io::Result<()> {
        match self.format {
            // Workbooks are written by `workbook::write`.
            Format::Xlsx => {}
            Format::Json => {
                let object: Map<String, Value> = flatten(record).into_iter().collect();
                let prefix = if self.first { "[\n" } else { ",\n" };
                write!(self.out, "{prefix}{}", Value::Object(object))?;
            }
            Format::Csv => {
                if self.header.is_none() {
                    let paths = match &self.columns {
                        Columns::FromFirstRecord => flatten(record)
                            .into_iter()
                            .map(|(k, _)| k.split('.').map(str::to_string).collect())
                            .collect(),
                        _ => Vec::new(),
                    };
                    self.write_header(paths)?;
                }
                let header = self.header.as_deref().unwrap_or_default();
                for row in nested::rows(record, header) {
                    let cells: Vec<String> = row
                        .iter()
                        .map(|value| value.as_ref().map(cell).unwrap_or_default())
                        .collect();
                    writeln!(self.out, "{}", csv_line(cells.iter().map(String::as_str)))?;
                }
            }
        }
        self.first = false;
        Ok(())
    }

    /// The SELECT list's columns, or `first_record` when the list could not be read.
    fn write_header(&mut self, first_record: Vec<Vec<String>>) -> std::io::Result<()> {
        let (names, paths): (Vec<String>, Vec<Vec<String>>) = match &self.columns {
            Columns::Listed(columns) => columns
                .iter()
                .map(|c| (c.header.clone(), c.path.clone()))
                .unzip(),
            Columns::Count => (vec!["count".to_string()], Vec::new()),
            Columns::FromFirstRecord => (
                first_record.iter().map(|p| p.join(".")).collect(),
                first_record,
            ),
        };
        writeln!(self.out, "{}", csv_line(names.iter().map(String::as_str)))?;
        self.header = Some(paths);
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        let count = self.columns == Columns::Count;
        match self.format {
            Format::Json if count => writeln!(self.out, "[{{\"count\": {}}}]", self.total)?,
            Format::Json => writeln!(self.out, "{}", if self.first { "[]" } else { "\n]" })?,
            Format::Csv if count => {
                self.write_header(Vec::new())?;
                writeln!(self.out, "{}", self.total)?;
            }
            // An empty result still says which columns it has, when the SELECT list does.
            Format::Csv if self.header.is_none() && self.columns != Columns::FromFirstRecord => {
                self.write_header(Vec::new())?
            }
            Format::Csv | Format::Xlsx => {}
        }
        self.out.flush()
    }
}

/// A value as CSV text; text a spreadsheet would run as a formula is written as text, as in
/// every CSV Tether writes. A subquery's records are written as their JSON.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => neutralised(s),
        Value::Object(nested) => nested.get("records").unwrap_or(v).to_string(),
        other => other.to_string(),
    }
}

fn csv_line<'a>(cells: impl Iterator<Item = &'a str>) -> String {
    cells
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parent_fields_flatten_to_dotted_columns_without_attributes() {
        let record = json!({"attributes": {"type": "Contact"}, "Name": "Kid", "Account": {"attributes": {}, "Name": "Acme, Inc."}, "Amount": 5.5, "Email": null});
        let flat = flatten(record.as_object().unwrap());
        let keys: Vec<&str> = flat.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["Name", "Account.Name", "Amount", "Email"]);
        let mut buf = Vec::new();
        let mut out = Output::new(Format::Csv, Columns::FromFirstRecord, &mut buf);
        out.record(record.as_object().unwrap()).unwrap();
        out.finish().unwrap();
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "Name,Account.Name,Amount,Email\nKid,\"Acme, Inc.\",5.5,\n"
        );
    }

    #[test]
    fn json_output_is_one_array_even_when_empty() {
        let mut buf = Vec::new();
        Output::new(Format::Json, Columns::FromFirstRecord, &mut buf)
            .finish()
            .unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "[]\n");
        let mut buf = Vec::new();
        let mut out = Output::new(Format::Json, Columns::FromFirstRecord, &mut buf);
        out.record(json!({"Id": "001"}).as_object().unwrap())
            .unwrap();
        out.finish().unwrap();
        let parsed: Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(parsed, json!([{"Id": "001"}]));
    }

    #[test]
    fn json_nests_child_records_as_an_array_without_attributes() {
        let record = json!({
            "attributes": {"type": "Account"}, "Name": "Acme",
            "Contacts": {"totalSize": 1, "done": true, "records": [
                {"attributes": {"type": "Contact"}, "LastName": "Ng", "Owner": {"attributes": {}, "Name": "Ann"}}]},
            "Cases": null
        });
        let flat: Map<String, Value> = flatten(record.as_object().unwrap()).into_iter().collect();
        assert_eq!(
            Value::Object(flat),
            json!({"Name": "Acme", "Contacts": [{"LastName": "Ng", "Owner.Name": "Ann"}], "Cases": null})
        );
    }
}
