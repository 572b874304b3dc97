//! `tether records list|columns`: the window's Records list from a terminal, through the same
//! library code (columns from describe, typed filters, SOSL search, keyset pages).

use std::io::Write;

use clap::{Args, ValueEnum};

use crate::browse::{self, Catalog, FieldKind, Filter, ListPlan, ListSpec, Pager, Row, Sort};
use crate::cli::CliError;
use crate::cli::connect::{DataDirArg, runtime};
use crate::cli::query::client_for;
use crate::import::results::neutralised;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Csv,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// The connection (see `tether connections`).
    #[arg(long)]
    pub connection: String,
    /// The object's API name, e.g. Account.
    #[arg(long)]
    pub object: String,
    /// Columns, comma-separated (`Name,Owner.Name,Industry`; a lookup such as `AccountId`
    /// shows its parent's name). Default: the name and a few common fields.
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
    /// `Field operator value`, e.g. `Amount >= 1000`, `Industry = null`, `Name like acme`;
    /// repeat for several (all must hold).
    #[arg(long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,
    /// The column to sort by (default: the name).
    #[arg(long)]
    pub sort: Option<String>,
    /// Sort going down.
    #[arg(long)]
    pub desc: bool,
    /// Search text (SOSL), in every text field of the object.
    #[arg(long)]
    pub search: Option<String>,
    /// Rows to print; pages are read until there are this many.
    #[arg(long, default_value_t = browse::DEFAULT_PAGE_SIZE, conflicts_with = "all")]
    pub limit: usize,
    /// Print every row, a page at a time.
    #[arg(long)]
    pub all: bool,
    /// Rows per call.
    #[arg(long, default_value_t = 200)]
    pub page_size: usize,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    #[command(flatten)]
    pub data: DataDirArg,
}

#[derive(Debug, Clone, Args)]
pub struct ColumnsArgs {
    #[arg(long)]
    pub connection: String,
    #[arg(long)]
    pub object: String,
    #[command(flatten)]
    pub data: DataDirArg,
}

fn spec(args: &ListArgs) -> Result<ListSpec, CliError> {
    let filters = args
        .filters
        .iter()
        .map(|f| Filter::parse(f))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    Ok(ListSpec {
        object: args.object.clone(),
        columns: args.columns.clone(),
        sort: args.sort.as_ref().map(|path| Sort {
            path: path.clone(),
            descending: args.desc,
        }),
        filters,
        search: args.search.clone().unwrap_or_default(),
        page_size: if args.all {
            args.page_size
        } else {
            args.page_size.min(args.limit.max(1))
        },
    })
}

pub fn list(args: ListArgs) -> Result<(), CliError> {
    let spec = spec(&args)?;
    runtime()?.block_on(async {
        let client = client_for(&args.connection, &args.data).await?;
        let catalog = browse::catalog(&client, &args.object)
            .await
            .map_err(|e| CliError::Salesforce(e.to_string()))?;
        let plan = ListPlan::new(&spec, &catalog).map_err(|e| CliError::Usage(e.to_string()))?;
        let wanted = if args.all { usize::MAX } else { args.limit };
        let mut pager = Pager::default();
        let mut rows: Vec<Row> = Vec::new();
        let stdout = std::io::stdout();
        let mut out = Printer::new(args.format, &plan, stdout.lock());
        loop {
            let page = browse::fetch_page(&client, &plan, pager.start())
                .await
                .map_err(|e| CliError::Salesforce(e.to_string()))?;
            for row in page.rows {
                if rows.len() + out.printed >= wanted {
                    break;
                }
                rows.push(row);
            }
            // A table needs every row for its widths; the others print as they come.
            if args.format != ListFormat::Table {
                out.rows(&std::mem::take(&mut rows)).map_err(write_failed)?;
            }
            match page.next {
                Some(key) if rows.len() + out.printed < wanted => pager.next(key),
                _ => break,
            }
        }
        out.rows(&rows).map_err(write_failed)?;
        out.finish().map_err(write_failed)
    })
}

pub fn columns(args: ColumnsArgs) -> Result<(), CliError> {
    runtime()?.block_on(async {
        let client = client_for(&args.connection, &args.data).await?;
        let catalog: Catalog = browse::catalog(&client, &args.object)
            .await
            .map_err(|e| CliError::Salesforce(e.to_string()))?;
        let defaults = catalog.default_columns();
        let width = catalog
            .columns
            .iter()
            .map(|c| c.path.len())
            .max()
            .unwrap_or(4);
        let mut out = std::io::stdout().lock();
        for column in &catalog.columns {
            let mut notes = Vec::new();
            if defaults.contains(&column.path) {
                notes.push("shown by default");
            }
            if !column.sortable {
                notes.push("not sortable");
            }
            if !column.filterable {
                notes.push("not filterable");
            }
            writeln!(
                out,
                "{:width$}  {:14}  {}{}",
                column.path,
                column.describe_type,
                column.label,
                if notes.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", notes.join(", "))
                }
            )
            .map_err(write_failed)?;
        }
        Ok(())
    })
}

fn write_failed(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return CliError::ClosedPipe;
    }
    CliError::Usage(format!("cannot write the records: {e}"))
}

/// Most characters a table cell shows.
const CELL_CHARS: usize = 40;

struct Printer<'a, W: Write> {
    format: ListFormat,
    headers: Vec<String>,
    kinds: Vec<FieldKind>,
    plan: &'a ListPlan,
    out: W,
    printed: usize,
}

impl<'a, W: Write> Printer<'a, W> {
    fn new(format: ListFormat, plan: &'a ListPlan, out: W) -> Self {
        let mut headers = vec!["Id".to_string()];
        headers.extend(plan.columns.iter().map(|c| c.path.clone()));
        let mut kinds = vec![FieldKind::Id];
        kinds.extend(plan.columns.iter().map(|c| c.kind));
        Printer {
            format,
            headers,
            kinds,
            plan,
            out,
            printed: 0,
        }
    }

    fn cells(row: &Row) -> Vec<&str> {
        std::iter::once(row.id.as_str())
            .chain(row.cells.iter().map(String::as_str))
            .collect()
    }

    fn rows(&mut self, rows: &[Row]) -> std::io::Result<()> {
        match self.format {
            ListFormat::Table => {
                let mut widths: Vec<usize> =
                    self.headers.iter().map(|h| h.chars().count()).collect();
                for row in rows {
                    for (width, cell) in widths.iter_mut().zip(Self::cells(row)) {
                        *width = (*width).max(cell.chars().count().min(CELL_CHARS));
                    }
                }
                let line = |cells: Vec<&str>| {
                    cells
                        .iter()
                        .zip(&widths)
                        .map(|(cell, width)| format!("{:width$}", shorten(cell)))
                        .collect::<Vec<_>>()
                        .join("  ")
                        .trim_end()
                        .to_string()
                };
                writeln!(
                    self.out,
                    "{}",
                    line(self.headers.iter().map(String::as_str).collect())
                )?;
                for row in rows {
                    writeln!(self.out, "{}", line(Self::cells(row)))?;
                }
            }
            ListFormat::Csv => {
                if self.printed == 0 {
                    writeln!(
                        self.out,
                        "{}",
                        csv_line(self.headers.iter().map(String::clone))
                    )?;
                }
                for row in rows {
                    let cells =
                        Self::cells(row)
                            .into_iter()
                            .zip(&self.kinds)
                            .map(|(cell, kind)| {
                                // Text a spreadsheet would run as a formula is written as text.
                                if *kind == FieldKind::Text {
                                    neutralised(cell)
                                } else {
                                    cell.to_string()
                                }
                            });
                    writeln!(self.out, "{}", csv_line(cells))?;
                }
            }
            ListFormat::Json => {
                for row in rows {
                    let object: serde_json::Map<String, serde_json::Value> = self
                        .headers
                        .iter()
                        .cloned()
                        .zip(
                            Self::cells(row)
                                .into_iter()
                                .map(|c| serde_json::Value::String(c.to_string())),
                        )
                        .collect();
                    let prefix = if self.printed == 0 { "[\n" } else { ",\n" };
                    write!(self.out, "{prefix}{}", serde_json::Value::Object(object))?;
                    self.printed += 1;
                }
                return Ok(());
            }
        }
        self.printed += rows.len();
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<()> {
        match self.format {
            ListFormat::Json => {
                writeln!(self.out, "{}", if self.printed == 0 { "[]" } else { "\n]" })?
            }
            ListFormat::Csv if self.printed == 0 => writeln!(
                self.out,
                "{}",
                csv_line(self.headers.iter().map(String::clone))
            )?,
            ListFormat::Table if self.printed == 0 => {
                writeln!(self.out, "No {} matches.", self.plan.object)?
            }
            _ => {}
        }
        self.out.flush()
    }
}

fn shorten(cell: &str) -> String {
    let flat = cell.replace(['\n', '\r', '\t'], " ");
    if flat.chars().count() > CELL_CHARS {
        flat.chars().take(CELL_CHARS - 1).collect::<String>() + "…"
    } else {
        flat
    }
}

fn csv_line(cells: impl Iterator<Item = String>) -> String {
    cells
        .map(|c| {
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}
