//! SOSL: text search across objects, as `/search?q=FIND {…}` and `/parameterizedSearch` answer.
//!
//! A search is a [`Terms`] query, a field scope and the objects to return. Each returned
//! object's field list, WHERE and ORDER BY are compiled as SOQL, so they accept and refuse
//! exactly what a query does; the search term then keeps the records whose searchable fields
//! (by scope) match, and LIMIT and OFFSET apply last. Results come object by object, in the
//! order the statement names them, as a real org lists them.

mod index;
mod statement;
pub mod terms;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub use index::keep_search_tokens;
pub use statement::parse;
pub use terms::Terms;

use crate::error::SfError;
use crate::schema::{FieldType, ObjectSchema, Schema};
use crate::soql::{self, Lookups, Output};
use crate::store::{Record, Store};

/// Most records one search returns (API v28.0 and later).
pub const MAX_RESULTS: usize = 2000;
/// Records read from the store at a time while matching.
const CHUNK: usize = 500;
/// Most records a word may hold for a search to place them in the order rather than walk it.
const RARE: usize = 5_000;

/// Which fields the search term is matched against (`IN … FIELDS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    Name,
    Email,
    Phone,
    /// The fields the sidebar searches: name fields, as in an org without customisation.
    Sidebar,
}

impl Scope {
    pub fn parse(word: &str) -> Option<Scope> {
        Some(match word.to_ascii_uppercase().as_str() {
            "ALL" => Scope::All,
            "NAME" => Scope::Name,
            "EMAIL" => Scope::Email,
            "PHONE" => Scope::Phone,
            "SIDEBAR" => Scope::Sidebar,
            _ => return None,
        })
    }

    fn searches(self, object: &ObjectSchema, field: &crate::schema::FieldDef) -> bool {
        let name_like = field.name_field
            || (matches!(object.name.as_str(), "Contact" | "Lead" | "User")
                && matches!(field.name.as_str(), "FirstName" | "LastName" | "MiddleName"));
        match self {
            Scope::Name | Scope::Sidebar => name_like,
            Scope::Email => field.kind == FieldType::Email,
            Scope::Phone => field.kind == FieldType::Phone,
            Scope::All => {
                name_like
                    || matches!(
                        field.kind,
                        FieldType::String
                            | FieldType::Textarea
                            | FieldType::Email
                            | FieldType::Phone
                            | FieldType::Url
                            | FieldType::Combobox
                    )
            }
        }
    }
}

/// One `RETURNING` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Returning {
    pub object: String,
    /// The field list: `Name, Phone`.
    pub fields: String,
    /// WHERE and ORDER BY, as SOQL: `WHERE Industry = 'Energy' ORDER BY Name`.
    pub clauses: String,
    pub limit: Option<usize>,
    pub offset: usize,
}

impl Returning {
    /// An object named without parentheses: its records' ids.
    pub fn ids_of(object: String) -> Returning {
        Returning {
            object,
            fields: "Id".to_string(),
            clauses: String::new(),
            limit: None,
            offset: 0,
        }
    }

    fn parse(object: String, inner: &str) -> Result<Returning, SfError> {
        let parts = statement::split_returning(inner)?;
        Ok(Returning {
            object,
            fields: parts.fields,
            clauses: parts.clauses,
            limit: parts.limit,
            offset: parts.offset,
        })
    }
}

/// A parsed search.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    pub terms: Terms,
    pub scope: Scope,
    /// Empty: every searchable object, ids only.
    pub returning: Vec<Returning>,
    /// Most records over all objects.
    pub limit: usize,
}

/// Runs `search` and shapes each record as the REST API answers it for `version`.
pub fn run(
    search: &Search,
    schema: &Schema,
    store: &Store,
    version: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Value>, SfError> {
    let targets: Vec<Returning> = if search.returning.is_empty() {
        schema
            .objects()
            .filter(|o| o.searchable() && o.queryable)
            .map(|o| Returning::ids_of(o.name.clone()))
            .collect()
    } else {
        search.returning.clone()
    };
    let mut found = Vec::new();
    for target in &targets {
        let room = search.limit.saturating_sub(found.len());
        if room == 0 {
            break;
        }
        let object = schema
            .object(&target.object)
            .ok_or_else(|| unknown_object(&target.object))?;
        let soql_text = format!(
            "SELECT {} FROM {} {}",
            target.fields, object.name, target.clauses
        );
        let plan = soql::compile(&soql_text, schema, now)?;
        let Output::Records(_) = &plan.output else {
            return Err(SfError::new(
                "MALFORMED_SEARCH",
                format!(
                    "RETURNING {}(…) takes fields, not aggregate functions",
                    object.name
                ),
            ));
        };
        let searched = searched_fields(object, search.scope);
        let wanted = target.limit.unwrap_or(usize::MAX).min(room);
        let tokens = (!searched.is_empty() && wanted > 0)
            .then(|| index::tokens_of(store, &object.name, &searched).ok())
            .flatten();
        let kept = tokens.as_ref().and_then(|tokens| {
            rare_matching(&search.terms, tokens, &plan, store, target.offset, wanted).or_else(
                || kept_matching(&search.terms, tokens, &plan, store, target.offset, wanted),
            )
        });
        let matched = match kept {
            Some(matched) => matched?,
            None => {
                let ids = soql::matching_ids(&plan, store, false)?;
                let indexed = if searched.is_empty() || wanted == 0 {
                    Some(Vec::new())
                } else {
                    tokens.and_then(|tokens| {
                        indexed_matching(&search.terms, &tokens, store, &ids, target.offset, wanted)
                    })
                };
                match indexed {
                    Some(matched) => matched,
                    None => matching(&search.terms, &searched, store, &ids, target.offset, wanted),
                }
            }
        };
        let shapes = soql::shape_for(&plan);
        let mut lookups = Lookups::new(store);
        found.extend(
            matched
                .iter()
                .map(|record| soql::project(&plan, &shapes, record, &mut lookups, version)),
        );
    }
    Ok(found)
}

/// The fields a search in `scope` matches its terms against, in describe order.
fn searched_fields(object: &ObjectSchema, scope: Scope) -> Vec<&str> {
    object
        .fields
        .iter()
        .filter(|f| scope.searches(object, f))
        .map(|f| f.name.as_str())
        .collect()
}

/// [`matching`] for terms a rare word narrows to a few records: those records, placed in the
/// kept order; `None` when no word narrows the terms or the order cannot place them.
fn rare_matching(
    terms: &Terms,
    tokens: &index::SearchTokens,
    plan: &soql::Plan,
    store: &Store,
    offset: usize,
    wanted: usize,
) -> Option<Result<Vec<Record>, SfError>> {
    let matched: Vec<String> = {
        let kept = tokens.read();
        let candidates = kept.candidates(terms, RARE)?;
        let mut lists = Vec::new();
        candidates
            .into_iter()
            .filter(|id| {
                kept.text(id).is_some_and(|text| {
                    let filled = index::token_lists_into(text, &mut lists);
                    terms.matches(&lists[..filled])
                })
            })
            .map(str::to_string)
            .collect()
    };
    let ordered = match soql::order_matching_ids(plan, store, false, &matched)? {
        Ok(ordered) => ordered,
        Err(e) => return Some(Err(e)),
    };
    let found: Vec<String> = ordered.into_iter().skip(offset).take(wanted).collect();
    Some(Ok(store.get_many(&found)))
}

/// [`matching`] through the kept order and tokens together, walking the order only as far
/// as the last record wanted; `None` when the order cannot answer on its kept fields alone or
/// a record it names has no tokens (none should), and the caller matches otherwise.
fn kept_matching(
    terms: &Terms,
    tokens: &index::SearchTokens,
    plan: &soql::Plan,
    store: &Store,
    offset: usize,
    wanted: usize,
) -> Option<Result<Vec<Record>, SfError>> {
    let kept = tokens.read();
    let mut lists = Vec::new();
    let mut skipped = 0;
    let mut found = Vec::new();
    let mut complete = true;
    let walked = soql::visit_matching_ids(plan, store, false, &mut |id| {
        let Some(text) = kept.text(id) else {
            complete = false;
            return false;
        };
        let filled = index::token_lists_into(text, &mut lists);
        if terms.matches(&lists[..filled]) {
            if skipped < offset {
                skipped += 1;
            } else {
                found.push(id.to_string());
            }
        }
        found.len() < wanted
    })?;
    // Let go of the tokens before reading the store: a write holds the store while it waits.
    drop(lists);
    drop(kept);
    if let Err(e) = walked {
        return Some(Err(e));
    }
    complete.then(|| Ok(store.get_many(&found)))
}

/// [`matching`] through the kept tokens; `None` when the index lacks one of `ids` (none
/// should), and the records are then matched one by one.
fn indexed_matching(
    terms: &Terms,
    tokens: &index::SearchTokens,
    store: &Store,
    ids: &[String],
    offset: usize,
    wanted: usize,
) -> Option<Vec<Record>> {
    let mut skipped = 0;
    let mut found = Vec::new();
    let kept = tokens.read();
    let mut lists = Vec::new();
    for id in ids {
        if found.len() >= wanted {
            break;
        }
        let filled = index::token_lists_into(kept.text(id)?, &mut lists);
        if !terms.matches(&lists[..filled]) {
            continue;
        }
        if skipped < offset {
            skipped += 1;
            continue;
        }
        found.push(id.clone());
    }
    // Let go of the tokens before reading the store: a write holds the store while it waits.
    drop(lists);
    drop(kept);
    Some(store.get_many(&found))
}

/// The records among `ids` whose `fields` match, skipping the first `offset`.
fn matching(
    terms: &Terms,
    fields: &[&str],
    store: &Store,
    ids: &[String],
    offset: usize,
    wanted: usize,
) -> Vec<Record> {
    let mut skipped = 0;
    let mut out = Vec::new();
    if fields.is_empty() || wanted == 0 {
        return out;
    }
    for chunk in ids.chunks(CHUNK) {
        for record in store.get_many(chunk) {
            let tokens: Vec<Vec<String>> = fields
                .iter()
                .filter_map(|f| record.get(*f).and_then(Value::as_str))
                .map(|text| terms::split(text, false))
                .collect();
            if !terms.matches(&tokens) {
                continue;
            }
            if skipped < offset {
                skipped += 1;
                continue;
            }
            out.push(record);
            if out.len() >= wanted {
                return out;
            }
        }
    }
    out
}

fn unknown_object(name: &str) -> SfError {
    SfError::new(
        "INVALID_TYPE",
        format!(
            "sObject type '{name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
        ),
    )
}

/// The answer's body: `{"searchRecords": […]}` from API v37.0, a bare array before.
pub fn answer(major_version: u32, records: Vec<Value>) -> Value {
    if major_version < 37 {
        Value::Array(records)
    } else {
        json!({ "searchRecords": records })
    }
}
