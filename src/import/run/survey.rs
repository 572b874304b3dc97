//! The first reading of a sheet and what is asked of Salesforce before rows are decided.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::order::{Order, rows_list};
use super::{ImportJob, ImportProgress, ImportProgressSink, ImportRunError};
use crate::import::ImportError;
use crate::import::fields::{FieldSpec, FieldType};
use crate::import::lookup::{LookupRule, LookupTable, find_parents, normalise_for};
use crate::import::validate::{Problem, RowCheck, Validator};
use crate::import::verdict::KeyCounts;
use crate::import::{Row, Rows};
use crate::salesforce::{Client, SalesforceError};

/// What the first reading found.
pub struct Survey {
    pub headers: Vec<String>,
    pub keys: KeyCounts,
    /// Per lookup: normalised text → the text first written for it.
    pub texts: Vec<HashMap<String, String>>,
    /// Per lookup: the texts of rows with no problem of their own, the only parents worth
    /// creating.
    pub wanted: Vec<HashSet<String>>,
    /// Rows with no problem of their own (lookups and duplicates aside).
    pub clean_rows: u64,
    /// The most cells a row has past the header's: the result files give them columns.
    pub extra_cells: usize,
    /// Per lookup of the sheet's own object (accounts naming their parent account): the
    /// names its rows bear and the parents they name.
    pub family: Vec<Option<Family>>,
}

/// Rows of a sheet that are one another's parents through one lookup.
#[derive(Debug, Default)]
pub struct Family {
    /// Normalised name → the rows bearing it (by the lookup's match fields).
    pub names: HashMap<String, Vec<u64>>,
    /// Each row's parent, normalised.
    pub parents: Vec<(u64, String)>,
}

impl Family {
    /// What a row is called by the lookup's match fields, normalised as the lookup compares.
    fn names_of(rule: &LookupRule, validator: &Validator, check: &RowCheck) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for field in &rule.match_on {
            let text = if validator
                .key_field()
                .is_some_and(|k| k.eq_ignore_ascii_case(field))
            {
                check.key.clone()
            } else {
                check
                    .values
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(field))
                    .and_then(|(_, value)| value.as_str())
                    .map(String::from)
            };
            if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
                let name = normalise_for(rule, &text);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }
}

impl Survey {
    /// The result files' columns: the header's, then one per extra cell of a ragged row.
    pub fn result_headers(&self) -> Vec<String> {
        let extra = (1..=self.extra_cells).map(|n| format!("Extra cell {n}"));
        self.headers.iter().cloned().chain(extra).collect()
    }
}

/// A row with more or fewer cells than the header is read as it is, with its problem: its
/// cells stay in the report, so that it can be fixed from there, and its key still counts
/// among the keys. Any other error is handed back.
pub fn ragged(e: ImportError) -> Result<(Row, Problem), ImportError> {
    let message = e.to_string();
    match e {
        ImportError::RaggedRow { row, cells, .. } => Ok((
            Row { number: row, cells },
            Problem {
                column: None,
                message,
            },
        )),
        other => Err(other),
    }
}

/// Opens the sheet; its header is needed to bind the mapping.
pub fn open(job: &ImportJob) -> Result<(Rows, Vec<String>), ImportRunError> {
    let rows = Rows::open(&job.file, &job.read)?;
    let headers = rows
        .headers()
        .ok_or_else(|| ImportRunError::NoHeader {
            file: job.file.display().to_string(),
        })?
        .to_vec();
    Ok((rows, headers))
}

/// Whether a row is part of this import.
pub fn wanted(only: &Option<BTreeSet<u64>>, row: u64) -> bool {
    only.as_ref().is_none_or(|rows| rows.contains(&row))
}

/// Reads every row once: errors that stop the reader stop the import before anything is sent.
#[tracing::instrument(name = "parse", level = "debug", skip_all)]
pub fn survey(
    job: &ImportJob,
    validator: &Validator,
    progress: Option<&ImportProgressSink>,
) -> Result<Survey, ImportRunError> {
    let (rows, headers) = open(job)?;
    let mut survey = Survey {
        headers,
        keys: KeyCounts::default(),
        texts: vec![HashMap::new(); validator.lookups.len()],
        wanted: vec![HashSet::new(); validator.lookups.len()],
        clean_rows: 0,
        extra_cells: 0,
        family: validator
            .lookups
            .iter()
            .map(|rule| {
                rule.object
                    .eq_ignore_ascii_case(&validator.object)
                    .then(Family::default)
            })
            .collect(),
    };
    let width = survey.headers.len();
    let mut read = 0u64;
    for item in rows {
        let (row, own_problem) = match item {
            Ok(row) => (row, None),
            Err(e) if e.is_row_local() => match ragged(e) {
                Ok((row, problem)) => (row, Some(problem)),
                Err(_) => continue,
            },
            Err(e) => return Err(e.into()),
        };
        read += 1;
        if read.is_multiple_of(10_000)
            && let Some(progress) = progress
        {
            progress(ImportProgress::Checking { rows: read });
        }
        if !wanted(&job.only_rows, row.number) {
            continue;
        }
        let mut check = validator.check(&row);
        if let Some(problem) = own_problem {
            check.problems.insert(0, problem);
            survey.extra_cells = survey
                .extra_cells
                .max(row.cells.len().saturating_sub(width));
        }
        if let Some(key) = &check.key {
            survey.keys.add(key, row.number);
        }
        for (i, family) in survey.family.iter_mut().enumerate() {
            let Some(family) = family else { continue };
            for name in Family::names_of(&validator.lookups[i], validator, &check) {
                family.names.entry(name).or_default().push(row.number);
            }
            if let Some(Some(parent)) = check.lookups.get(i) {
                family.parents.push((row.number, parent.clone()));
            }
        }
        for (i, text) in check.lookups.iter().enumerate() {
            if let Some(text) = text
                && !survey.texts[i].contains_key(text)
            {
                survey.texts[i].insert(text.clone(), validator.lookup_text(i, &row));
            }
        }
        if check.problems.is_empty() {
            survey.clean_rows += 1;
            for (i, text) in check.lookups.iter().enumerate() {
                if let Some(text) = text
                    && !survey.wanted[i].contains(text)
                {
                    survey.wanted[i].insert(text.clone());
                }
            }
        }
    }
    Ok(survey)
}

/// Finds the parents of every lookup; names no record has are marked to be created when the
/// lookup allows it.
#[tracing::instrument(name = "check_parents", level = "debug", skip_all, fields(lookups = validator.lookups.len()))]
pub async fn lookup_parents(
    client: &Client,
    validator: &Validator,
    survey: &Survey,
) -> Result<Vec<LookupTable>, SalesforceError> {
    let mut tables = Vec::with_capacity(validator.lookups.len());
    for (((rule, texts), wanted), family) in validator
        .lookups
        .iter()
        .zip(&survey.texts)
        .zip(&survey.wanted)
        .zip(&survey.family)
    {
        let mut table = find_parents(client, rule, texts).await?;
        if let Some(family) = family {
            // A name a record already has is that record's; the others the sheet makes.
            table.sheet = family
                .names
                .iter()
                .filter(|(name, _)| !table.found.contains_key(*name))
                .map(|(name, rows)| (name.clone(), rows.clone()))
                .collect();
        }
        if rule.create_missing {
            for (key, raw) in texts {
                if !table.found.contains_key(key)
                    && !table.sheet.contains_key(key)
                    && wanted.contains(key)
                {
                    table.to_create.insert(key.clone(), raw.clone());
                }
            }
            if !table.to_create.is_empty() {
                refuse_long_names(client, rule, &mut table).await?;
            }
        }
        tables.push(table);
    }
    Ok(tables)
}

/// Parents are created with the cell as their Name: a name longer than the field holds would
/// only come back from Salesforce as `STRING_TOO_LONG`, so the check says so first.
async fn refuse_long_names(
    client: &Client,
    rule: &LookupRule,
    table: &mut LookupTable,
) -> Result<(), SalesforceError> {
    let describe = client.describe(&rule.object).await?;
    let Some(name) = describe
        .fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case("Name"))
        .map(FieldSpec::from_describe)
    else {
        return Ok(());
    };
    let FieldType::Text { max_len } = name.kind else {
        return Ok(());
    };
    let label = if name.label.is_empty() {
        format!("{} Name", rule.object)
    } else {
        name.label.clone()
    };
    let long: Vec<(String, String)> = table
        .to_create
        .iter()
        .filter(|(_, text)| text.chars().count() > max_len)
        .map(|(key, text)| (key.clone(), text.clone()))
        .collect();
    for (key, text) in long {
        table.to_create.remove(&key);
        table.cannot_create.insert(
            key,
            format!(
                "the new {} `{text}` is {} characters long, but {label} holds {max_len}; shorten it, or map it to an existing {} in the lookup's value map",
                rule.object,
                text.chars().count(),
                rule.object
            ),
        );
    }
    Ok(())
}

/// The passes the rows need when the sheet makes its own parents, and the rows refused for
/// naming each other in a cycle, with why.
#[tracing::instrument(name = "plan", level = "debug", skip_all)]
pub fn order(
    validator: &Validator,
    survey: &Survey,
    tables: &[LookupTable],
) -> (Order, HashMap<u64, Problem>) {
    let mut parents: HashMap<u64, BTreeSet<u64>> = HashMap::new();
    let mut column = HashMap::new();
    for (i, family) in survey.family.iter().enumerate() {
        let (Some(family), Some(table)) = (family, tables.get(i)) else {
            continue;
        };
        for (row, parent) in &family.parents {
            // A name two rows bear is refused when the child is decided.
            if let Some([maker]) = table.sheet.get(parent).map(Vec::as_slice) {
                parents.entry(*row).or_default().insert(*maker);
                column.entry(*row).or_insert(i);
            }
        }
    }
    let order = Order::new(&parents);
    let problems = order
        .cycles
        .iter()
        .map(|(&row, cycle)| {
            let rule = &validator.lookups[column.get(&row).copied().unwrap_or(0)];
            let message = match cycle.as_slice() {
                [_] => format!(
                    "row {row} names itself as its parent; leave `{}` blank, or name another {}",
                    rule.column, rule.object
                ),
                _ => format!(
                    "rows {} name each other as parents, so none of them can be created first; leave `{}` blank on one of them, import, then fill it in and import again",
                    rows_list(&sorted(cycle)),
                    rule.column
                ),
            };
            (row, Problem::in_column(&rule.column, message))
        })
        .collect();
    (order, problems)
}

fn sorted(rows: &[u64]) -> Vec<u64> {
    let mut rows = rows.to_vec();
    rows.sort_unstable();
    rows
}
