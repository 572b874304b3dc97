//! The search tokens of each live record of an object, field by field as a scan splits them,
//! and the records holding each token, brought up to date by every write: a search then reads
//! only the records it returns, and a search for a rare word looks at its few records only.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock, RwLockReadGuard};

use serde_json::Value;

use super::{Scope, Terms, terms};
use crate::error::SfError;
use crate::schema::ObjectSchema;
use crate::store::{KeptIndex, Record, Store, Stored};

/// Between two searched fields' tokens in a record's kept text.
const FIELD_BREAK: char = '\n';
/// Between two tokens of a field; tokens hold letters and digits only.
const TOKEN_BREAK: char = ' ';

/// Each live record's tokens by id, one line per searched field that holds text.
pub(super) struct SearchTokens {
    object: String,
    fields: Vec<String>,
    kept: RwLock<Kept>,
}

#[derive(Default)]
pub(super) struct Kept {
    by_id: HashMap<Arc<str>, Box<str>>,
    /// The ids of the records holding each token.
    by_token: HashMap<Box<str>, HashSet<Arc<str>>>,
}

fn tokens(text: &str) -> impl Iterator<Item = &str> {
    text.split([FIELD_BREAK, TOKEN_BREAK])
        .filter(|t| !t.is_empty())
}

impl Kept {
    /// The kept text of record `id`'s tokens.
    pub(super) fn text(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(|text| &**text)
    }

    fn insert(&mut self, id: &str, text: Box<str>) {
        self.remove(id);
        let id: Arc<str> = Arc::from(id);
        for token in tokens(&text) {
            self.by_token
                .entry(Box::from(token))
                .or_default()
                .insert(id.clone());
        }
        self.by_id.insert(id, text);
    }

    fn remove(&mut self, id: &str) {
        let Some(text) = self.by_id.remove(id) else {
            return;
        };
        for token in tokens(&text) {
            if let Some(ids) = self.by_token.get_mut(token) {
                ids.remove(id);
                if ids.is_empty() {
                    self.by_token.remove(token);
                }
            }
        }
    }

    /// Ids of the records `terms` may match (all of those it matches, perhaps more), when a
    /// word of the terms narrows them to at most `most`; `None` otherwise.
    pub(super) fn candidates(&self, terms: &Terms, most: usize) -> Option<HashSet<&str>> {
        match terms {
            Terms::Phrase(patterns) => {
                let rarest = patterns
                    .iter()
                    .filter_map(|p| p.exact())
                    .map(|token| self.by_token.get(token))
                    .min_by_key(|holders| holders.map_or(0, HashSet::len))?;
                if rarest.map_or(0, HashSet::len) > most {
                    return None;
                }
                Some(rarest.into_iter().flatten().map(|id| &**id).collect())
            }
            Terms::And(a, b) => match (self.candidates(a, most), self.candidates(b, most)) {
                (Some(x), Some(y)) => Some(x.intersection(&y).copied().collect()),
                (Some(x), None) | (None, Some(x)) => Some(x),
                (None, None) => None,
            },
            Terms::Or(a, b) => {
                let mut x = self.candidates(a, most)?;
                x.extend(self.candidates(b, most)?);
                (x.len() <= most).then_some(x)
            }
            Terms::Not(_) => None,
        }
    }
}

impl SearchTokens {
    fn new(object: &str, fields: &[&str]) -> SearchTokens {
        SearchTokens {
            object: object.to_string(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            kept: RwLock::new(Kept::default()),
        }
    }

    fn key(&self) -> String {
        format!("tokens|{}|{}", self.object, self.fields.join(","))
    }

    pub(super) fn read(&self) -> RwLockReadGuard<'_, Kept> {
        self.kept.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The kept text of `record`'s tokens, field by field.
    fn text(&self, record: &Record) -> Box<str> {
        let lines: Vec<String> = self
            .fields
            .iter()
            .filter_map(|f| record.get(f).and_then(Value::as_str))
            .map(|text| terms::split(text, false).join(&TOKEN_BREAK.to_string()))
            .collect();
        lines.join(&FIELD_BREAK.to_string()).into_boxed_str()
    }

    fn fill(&self, store: &Store) -> Result<(), SfError> {
        let mut kept = Kept::default();
        let mut keep = |record: &Record| {
            if let Some(id) = record.get("Id").and_then(Value::as_str) {
                kept.insert(id, self.text(record));
            }
        };
        let mut wanted: Vec<&str> = vec!["Id"];
        wanted.extend(self.fields.iter().map(String::as_str));
        // Only the searched fields are read when SQLite can: decoding whole records is most
        // of a scan's time.
        match store.field_values(&self.object, false, &wanted) {
            Some(records) => records.iter().for_each(&mut keep),
            None => store.scan(&self.object, false, &mut |record| {
                keep(&record);
                true
            })?,
        }
        *self.kept.write().unwrap_or_else(|p| p.into_inner()) = kept;
        Ok(())
    }
}

/// Fills `lists` with a record's kept text as the token lists [`terms::Terms::matches`]
/// reads, reusing their room (a search reads every record's); answers how many it filled.
pub(super) fn token_lists_into<'a>(text: &'a str, lists: &mut Vec<Vec<&'a str>>) -> usize {
    if text.is_empty() {
        return 0;
    }
    let mut filled = 0;
    for line in text.split(FIELD_BREAK) {
        if lists.len() == filled {
            lists.push(Vec::new());
        }
        let list = &mut lists[filled];
        list.clear();
        list.extend(line.split(TOKEN_BREAK).filter(|t| !t.is_empty()));
        filled += 1;
    }
    filled
}

impl KeptIndex for SearchTokens {
    fn object(&self) -> &str {
        &self.object
    }

    fn apply(&self, id: &str, stored: Option<&Stored>) {
        let text = stored.filter(|s| !s.deleted).map(|s| self.text(&s.record));
        let mut kept = self.kept.write().unwrap_or_else(|p| p.into_inner());
        match text {
            Some(text) => kept.insert(id, text),
            None => kept.remove(id),
        }
    }
}

/// The tokens of `fields` of each live record of `object`, built when first asked for.
pub(super) fn tokens_of(
    store: &Store,
    object: &str,
    fields: &[&str],
) -> Result<Arc<SearchTokens>, SfError> {
    let wanted = SearchTokens::new(object, fields);
    store.reads().get_or_build(&wanted.key(), || {
        wanted.fill(store)?;
        Ok(wanted)
    })
}

/// Keeps the tokens of every field a search of `object` in all fields reads, as a real org
/// keeps its search index.
pub fn keep_search_tokens(store: &Store, object: &ObjectSchema) {
    if !(object.searchable() && object.queryable) {
        return;
    }
    let fields = super::searched_fields(object, Scope::All);
    if fields.is_empty() {
        return;
    }
    let tokens = SearchTokens::new(&object.name, &fields);
    // Tokens that cannot be read are built when first asked for, and fail then.
    if tokens.fill(store).is_ok() {
        store.reads().keep_standard(&tokens.key(), tokens);
    }
}
