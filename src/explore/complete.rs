//! Completion in the SOQL editor, from describe: objects after `FROM`, the `FROM` object's
//! fields elsewhere, a parent's fields after a relationship (`Account.` → Account's fields,
//! through the lookup's `relationshipName` and `referenceTo`), and in a subquery the child
//! relationships of the outer object after its `FROM` and the child object's fields.

use std::collections::HashMap;
use std::ops::Range;

/// What completion knows of the org: the global describe's objects, and the describes read
/// so far (keys lowercase).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    pub objects: Vec<String>,
    pub described: HashMap<String, ObjectInfo>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectInfo {
    pub name: String,
    pub fields: Vec<FieldInfo>,
    pub children: Vec<ChildInfo>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldInfo {
    pub name: String,
    pub kind: String,
    /// A lookup's name in paths (`Account` for `AccountId`).
    pub relationship: Option<String>,
    pub reference_to: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChildInfo {
    /// `Contacts`.
    pub relationship: String,
    /// `Contact`.
    pub object: String,
}

impl Schema {
    pub fn object(&self, name: &str) -> Option<&ObjectInfo> {
        self.described.get(&name.to_ascii_lowercase())
    }

    pub fn insert(&mut self, info: ObjectInfo) {
        self.described.insert(info.name.to_ascii_lowercase(), info);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    /// What is inserted.
    pub text: String,
    /// What it is (`Object`, a field's type, `Relationship → Account`, `Child → Contact`).
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Replace `replace` (bytes of the statement) with one of `items`.
    Items {
        replace: Range<usize>,
        items: Vec<Suggestion>,
    },
    /// The describe of this object is needed first.
    Describe(String),
    Nothing,
}

/// Most suggestions shown at once.
pub const MAX_ITEMS: usize = 50;

/// Completion at byte `cursor` of `soql`.
pub fn complete(soql: &str, cursor: usize, schema: &Schema) -> Completion {
    let Some(before) = soql.get(..cursor) else {
        return Completion::Nothing;
    };
    if in_string(before) {
        return Completion::Nothing;
    }
    let word_start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .map_or(0, |i| {
            i + before[i..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &before[word_start..];
    let (path, prefix) = match word.rsplit_once('.') {
        Some((path, prefix)) => (path.split('.').collect::<Vec<_>>(), prefix),
        None => (Vec::new(), word),
    };
    let replace = cursor - prefix.len()..cursor;
    let scopes = scopes(soql, cursor);
    let Some(scope) = scopes.last() else {
        return Completion::Nothing;
    };
    let previous = last_word(&soql[scope.start..word_start]);
    let parent_scope = scopes.len().checked_sub(2).map(|i| &scopes[i]);
    if previous.eq_ignore_ascii_case("from") && path.is_empty() {
        let items = match parent_scope {
            Some(outer) => {
                let Some(outer_object) = from_object(soql, outer) else {
                    return Completion::Nothing;
                };
                let Some(info) = schema.object(&outer_object) else {
                    return Completion::Describe(outer_object);
                };
                info.children
                    .iter()
                    .map(|c| Suggestion {
                        text: c.relationship.clone(),
                        detail: format!("Child → {}", c.object),
                    })
                    .collect()
            }
            None => schema
                .objects
                .iter()
                .map(|o| Suggestion {
                    text: o.clone(),
                    detail: "Object".to_string(),
                })
                .collect(),
        };
        return finish(replace, prefix, items);
    }
    if !in_field_clause(soql, scope, word_start) {
        return Completion::Nothing;
    }
    let Some(mut object) = scope_object(soql, &scopes, schema) else {
        return match unresolved(soql, &scopes, schema) {
            Some(name) => Completion::Describe(name),
            None => Completion::Nothing,
        };
    };
    for step in &path {
        let Some(info) = schema.object(&object) else {
            return Completion::Describe(object);
        };
        let parent = info.fields.iter().find(|f| {
            f.relationship
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(step))
        });
        match parent.and_then(|f| f.reference_to.first()) {
            Some(next) => object = next.clone(),
            None => return Completion::Nothing,
        }
    }
    let Some(info) = schema.object(&object) else {
        return Completion::Describe(object);
    };
    let mut items: Vec<Suggestion> = info
        .fields
        .iter()
        .map(|f| Suggestion {
            text: f.name.clone(),
            detail: f.kind.clone(),
        })
        .collect();
    items.extend(info.fields.iter().filter_map(|f| {
        let relationship = f.relationship.as_ref()?;
        Some(Suggestion {
            text: relationship.clone(),
            detail: format!("Relationship → {}", f.reference_to.join(", ")),
        })
    }));
    finish(replace, prefix, items)
}

fn finish(replace: Range<usize>, prefix: &str, items: Vec<Suggestion>) -> Completion {
    let prefix = prefix.to_ascii_lowercase();
    let mut items: Vec<Suggestion> = items
        .into_iter()
        .filter(|s| s.text.to_ascii_lowercase().starts_with(&prefix))
        .collect();
    items.sort_by_key(|s| s.text.to_ascii_lowercase());
    items.dedup_by(|a, b| a.text == b.text);
    items.truncate(MAX_ITEMS);
    if items.is_empty() {
        return Completion::Nothing;
    }
    Completion::Items { replace, items }
}

fn in_string(before: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in before.chars() {
        match c {
            '\\' if quoted && !escaped => {
                escaped = true;
                continue;
            }
            '\'' if !escaped => quoted = !quoted,
            _ => {}
        }
        escaped = false;
    }
    quoted
}

/// The text of one SELECT statement: the whole text, or a subquery's inside.
#[derive(Debug, Clone, Copy)]
struct Scope {
    start: usize,
    end: usize,
}

/// The statements around `cursor`, outermost first.
fn scopes(soql: &str, cursor: usize) -> Vec<Scope> {
    let mut out = vec![Scope {
        start: 0,
        end: soql.len(),
    }];
    let mut open: Vec<usize> = Vec::new();
    let mut quoted = false;
    let mut enclosing: Vec<(usize, usize)> = Vec::new();
    for (i, c) in soql.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => open.push(i + 1),
            ')' if !quoted => {
                if let Some(start) = open.pop()
                    && start <= cursor
                    && cursor <= i
                {
                    enclosing.push((start, i));
                }
            }
            _ => {}
        }
    }
    // Parentheses left open (the person is still typing) enclose the cursor to the end.
    enclosing.extend(
        open.into_iter()
            .filter(|s| *s <= cursor)
            .map(|s| (s, soql.len())),
    );
    enclosing.sort_by_key(|(start, _)| *start);
    for (start, end) in enclosing {
        let inner = soql[start..end].trim_start();
        if inner.len() >= 6 && inner[..6].eq_ignore_ascii_case("select") {
            out.push(Scope { start, end });
        }
    }
    out
}

/// The last word (letters, digits, `_`) of `text`, ignoring what follows it.
fn last_word(text: &str) -> &str {
    let trimmed = text.trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_'));
    let start = trimmed
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    &trimmed[start..]
}

/// Top-level words of a scope with their offsets (subqueries and strings skipped).
fn words(soql: &str, scope: &Scope) -> Vec<(usize, String)> {
    let text = &soql[scope.start..scope.end];
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut start: Option<usize> = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let word_char = c.is_alphanumeric() || c == '_' || c == '.';
        if word_char && !quoted && depth == 0 {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            out.push((scope.start + s, text[s..i].to_string()));
        }
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            _ => {}
        }
    }
    out
}

fn from_object(soql: &str, scope: &Scope) -> Option<String> {
    let words = words(soql, scope);
    let at = words
        .iter()
        .position(|(_, w)| w.eq_ignore_ascii_case("from"))?;
    words.get(at + 1).map(|(_, w)| w.clone())
}

/// Fields are offered in SELECT, WHERE, GROUP BY, ORDER BY and HAVING; not after LIMIT,
/// OFFSET or FROM's object.
fn in_field_clause(soql: &str, scope: &Scope, word_start: usize) -> bool {
    let clause = words(soql, scope)
        .into_iter()
        .filter(|(at, _)| *at < word_start)
        .map(|(_, w)| w.to_ascii_uppercase())
        .rfind(|w| {
            matches!(
                w.as_str(),
                "SELECT"
                    | "FROM"
                    | "WHERE"
                    | "BY"
                    | "HAVING"
                    | "LIMIT"
                    | "OFFSET"
                    | "FOR"
                    | "USING"
                    | "WITH"
            )
        });
    matches!(
        clause.as_deref(),
        Some("SELECT" | "WHERE" | "BY" | "HAVING")
    )
}

/// The object the innermost statement reads: its FROM object, or for a subquery the child
/// object its relationship names.
fn scope_object(soql: &str, scopes: &[Scope], schema: &Schema) -> Option<String> {
    let mut object = from_object(soql, scopes.first()?)?;
    for scope in &scopes[1..] {
        let relationship = from_object(soql, scope)?;
        let info = schema.object(&object)?;
        object = info
            .children
            .iter()
            .find(|c| c.relationship.eq_ignore_ascii_case(&relationship))?
            .object
            .clone();
    }
    Some(object)
}

/// The describe that would let [`scope_object`] answer, when one is missing.
fn unresolved(soql: &str, scopes: &[Scope], schema: &Schema) -> Option<String> {
    let mut object = from_object(soql, scopes.first()?)?;
    for scope in &scopes[1..] {
        let relationship = from_object(soql, scope)?;
        let Some(info) = schema.object(&object) else {
            return Some(object);
        };
        object = info
            .children
            .iter()
            .find(|c| c.relationship.eq_ignore_ascii_case(&relationship))?
            .object
            .clone();
    }
    schema.object(&object).is_none().then_some(object)
}

#[cfg(test)]
#[path = "complete_tests.rs"]
mod tests;
