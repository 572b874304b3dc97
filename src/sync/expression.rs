//! The guard around a link's SQL expressions (computed push fields and the push filter): each
//! is compiled on a read-only connection of its own under an authorizer that lets it read and
//! nothing else, then evaluated over every row with a budget of steps and time per row. What
//! fails is named by its field, so that `link verify` and a run say which expression to fix
//! instead of hanging on one that never ends.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::{Connection, OpenFlags};

use super::link::{Link, LocalSource};
use crate::workspace::capture::quote_ident;

/// SQLite virtual-machine steps one row's expression may take.
pub const STEPS_PER_ROW: u64 = 50_000_000;
/// Time one row's expression may take.
pub const TIME_PER_ROW: Duration = Duration::from_secs(2);
/// How often (in steps) SQLite asks whether to go on.
const CHECK_EVERY: i32 = 10_000;

/// What is wrong with one expression. `field` is the Salesforce field the expression computes,
/// or "the push filter".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpressionError {
    #[error(
        "the expression for {field} may not {what}: an expression may only read the row. Remove that part from the expression"
    )]
    Refused { field: String, what: String },
    #[error(
        "the expression for {field} ran past its budget ({limit}) on row {row}: it may recurse without end or read far too much. Simplify it (a recursive WITH needs a stopping condition), or compute the value into a column"
    )]
    Budget {
        field: String,
        row: String,
        limit: String,
    },
    #[error("the expression for {field} cannot be evaluated: {message}. Correct the expression")]
    Invalid { field: String, message: String },
}

impl ExpressionError {
    /// The Salesforce field concerned; `None` for the push filter.
    pub fn field(&self) -> Option<&str> {
        let (ExpressionError::Refused { field, .. }
        | ExpressionError::Budget { field, .. }
        | ExpressionError::Invalid { field, .. }) = self;
        (field != PUSH_FILTER).then_some(field.as_str())
    }
}

const PUSH_FILTER: &str = "the push filter";

/// Checks every expression of `link` against the table in the workspace `conn` is open on.
/// Returns one error per failing expression, in the link's order. A connection without a
/// file (an in-memory database) is not checked: a workspace is always a file.
pub fn check_link(conn: &Connection, link: &Link) -> Vec<ExpressionError> {
    let Some(path) = conn.path().filter(|p| !p.is_empty()) else {
        return Vec::new();
    };
    let mut expressions: Vec<(String, String)> = link
        .fields
        .iter()
        .filter_map(|f| match &f.local {
            LocalSource::Expression(sql) => Some((f.remote.clone(), format!("({sql})"))),
            LocalSource::Column(_) => None,
        })
        .collect();
    if let Some(filter) = link.push_filter.as_deref().filter(|f| !f.trim().is_empty()) {
        expressions.push((
            PUSH_FILTER.to_string(),
            format!("CASE WHEN ({filter}) THEN 1 ELSE 0 END"),
        ));
    }
    if expressions.is_empty() {
        return Vec::new();
    }
    let mut guarded = match Guarded::open(Path::new(path)) {
        Ok(guarded) => guarded,
        Err(e) => {
            return vec![ExpressionError::Invalid {
                field: expressions[0].0.clone(),
                message: format!("the workspace cannot be opened to check it ({e})"),
            }];
        }
    };
    expressions
        .into_iter()
        .filter_map(|(field, sql)| guarded.check(link, &field, &sql).err())
        .collect()
}

/// A read-only connection with the authorizer and the budget installed.
struct Guarded {
    conn: Connection,
    /// What the authorizer refused last, in words.
    refused: Arc<Mutex<Option<String>>>,
    /// Steps taken on the current row, and when it started.
    steps: Arc<AtomicU64>,
    row_started: Arc<Mutex<Instant>>,
    /// Which limit stopped the statement, in words.
    stopped: Arc<Mutex<Option<String>>>,
}

impl Guarded {
    fn open(path: &Path) -> rusqlite::Result<Guarded> {
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(10))?;
        let refused = Arc::new(Mutex::new(None));
        let seen = refused.clone();
        conn.authorizer(Some(move |context: AuthContext<'_>| {
            match refusal(&context.action) {
                None => Authorization::Allow,
                Some(what) => {
                    if let Ok(mut seen) = seen.lock() {
                        seen.get_or_insert(what);
                    }
                    Authorization::Deny
                }
            }
        }))?;
        let steps = Arc::new(AtomicU64::new(0));
        let row_started = Arc::new(Mutex::new(Instant::now()));
        let stopped = Arc::new(Mutex::new(None));
        let (counted, started, why) = (steps.clone(), row_started.clone(), stopped.clone());
        conn.progress_handler(
            CHECK_EVERY,
            Some(move || {
                let taken = counted.fetch_add(CHECK_EVERY as u64, Ordering::Relaxed);
                let elapsed = started.lock().map(|s| s.elapsed()).unwrap_or_default();
                let over = if taken >= STEPS_PER_ROW {
                    Some(format!("{STEPS_PER_ROW} steps"))
                } else if elapsed >= TIME_PER_ROW {
                    Some(format!("{} s", TIME_PER_ROW.as_secs()))
                } else {
                    None
                };
                match over {
                    Some(limit) => {
                        if let Ok(mut why) = why.lock() {
                            *why = Some(limit);
                        }
                        true
                    }
                    None => false,
                }
            }),
        )?;
        Ok(Guarded {
            conn,
            refused,
            steps,
            row_started,
            stopped,
        })
    }

    fn new_row(&self) {
        self.steps.store(0, Ordering::Relaxed);
        if let Ok(mut started) = self.row_started.lock() {
            *started = Instant::now();
        }
    }

    fn check(&mut self, link: &Link, field: &str, sql: &str) -> Result<(), ExpressionError> {
        if let Ok(mut refused) = self.refused.lock() {
            refused.take();
        }
        if let Ok(mut stopped) = self.stopped.lock() {
            stopped.take();
        }
        let query = format!(
            "SELECT CAST({} AS TEXT), {sql} FROM {}",
            quote_ident(&link.key),
            quote_ident(&link.table)
        );
        let invalid = |message: String| ExpressionError::Invalid {
            field: field.to_string(),
            message,
        };
        self.new_row();
        let mut stmt = match self.conn.prepare(&query) {
            Ok(stmt) => stmt,
            Err(rusqlite::Error::MultipleStatement) => {
                return Err(invalid(
                    "it holds more than one statement; write one expression, without `;`".into(),
                ));
            }
            Err(e) => {
                let refused = self.refused.lock().ok().and_then(|mut r| r.take());
                return Err(match refused {
                    Some(what) => ExpressionError::Refused {
                        field: field.to_string(),
                        what,
                    },
                    None => invalid(e.to_string()),
                });
            }
        };
        let mut rows = stmt.query([]).map_err(|e| invalid(e.to_string()))?;
        let mut key = String::new();
        self.new_row();
        loop {
            match rows.next() {
                Ok(Some(row)) => {
                    key = row
                        .get::<_, Option<String>>(0)
                        .ok()
                        .flatten()
                        .unwrap_or_default();
                    self.new_row();
                }
                Ok(None) => return Ok(()),
                Err(e) => {
                    let stopped = self.stopped.lock().ok().and_then(|mut s| s.take());
                    return Err(match stopped {
                        Some(limit) => ExpressionError::Budget {
                            field: field.to_string(),
                            row: next_row_name(&key),
                            limit: format!("{limit} per row"),
                        },
                        None => invalid(e.to_string()),
                    });
                }
            }
        }
    }
}

/// The row after `key`, as far as the person can tell: the one being read when it stopped.
fn next_row_name(last: &str) -> String {
    if last.is_empty() {
        "1 (the first row read)".to_string()
    } else {
        format!("after {last}")
    }
}

/// Why an action is refused in an expression, or `None` when reading is all it does.
fn refusal(action: &AuthAction<'_>) -> Option<String> {
    match action {
        AuthAction::Select | AuthAction::Read { .. } | AuthAction::Recursive => None,
        AuthAction::Function { function_name } => {
            let name = function_name.to_ascii_lowercase();
            (name == "load_extension").then(|| "call load_extension".to_string())
        }
        AuthAction::Attach { .. } => Some("ATTACH a database".into()),
        AuthAction::Detach { .. } => Some("DETACH a database".into()),
        AuthAction::Pragma { pragma_name, .. } => Some(format!("run PRAGMA {pragma_name}")),
        AuthAction::Insert { .. }
        | AuthAction::Update { .. }
        | AuthAction::Delete { .. }
        | AuthAction::AlterTable { .. }
        | AuthAction::Analyze { .. }
        | AuthAction::Reindex { .. }
        | AuthAction::Transaction { .. }
        | AuthAction::Savepoint { .. } => Some("write to the workspace".into()),
        _ => Some("create or drop anything in the workspace".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_is_allowed_and_everything_else_is_named() {
        assert_eq!(refusal(&AuthAction::Select), None);
        assert_eq!(refusal(&AuthAction::Recursive), None);
        assert_eq!(
            refusal(&AuthAction::Function {
                function_name: "upper"
            }),
            None
        );
        assert_eq!(
            refusal(&AuthAction::Function {
                function_name: "LOAD_EXTENSION"
            })
            .as_deref(),
            Some("call load_extension")
        );
        assert_eq!(
            refusal(&AuthAction::Attach { filename: "x.db" }).as_deref(),
            Some("ATTACH a database")
        );
    }
}
