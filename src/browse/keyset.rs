//! Keyset paging: a page starts after the sort value and Id of the row before it.
//!
//! The order is the sort column (nulls first going up, last going down, as SOQL orders them
//! by default) and then Id, which is unique, so every row has one place and a page's
//! condition names exactly the rows after it, ties and nulls included.

use serde_json::Value;

use super::FieldKind;
use crate::salesforce::soql_text::quote;

/// Where a page ends: the last row's sort value (as the org sent it) and Id.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub value: Value,
    pub id: String,
}

/// `value` as a SOQL literal of `kind`; `None` when it cannot be written as one.
pub(super) fn literal(kind: FieldKind, value: &Value) -> Option<String> {
    match (kind, value) {
        (_, Value::Null) => Some("null".to_string()),
        (FieldKind::Text | FieldKind::Id, Value::String(s)) => Some(quote(s)),
        (FieldKind::Boolean, Value::Bool(b)) => Some(b.to_string()),
        (FieldKind::Number, Value::Number(n)) => Some(n.to_string()),
        (FieldKind::Date, Value::String(s)) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(|d| d.to_string()),
        // Kept to the millisecond: a literal floored to the second would put rows of the same
        // second on the wrong side of the key.
        (FieldKind::DateTime, Value::String(s)) => {
            parse_datetime(s).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        }
        _ => None,
    }
}

/// A datetime as the REST API writes it (`2024-01-31T10:00:00.000+0000`) or as RFC 3339.
pub(super) fn parse_datetime(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = text.trim();
    chrono::DateTime::parse_from_rfc3339(text)
        .or_else(|_| chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// `ORDER BY` for the sort column `path` and the Id after it.
pub(super) fn order_by(path: &str, descending: bool) -> String {
    if path.eq_ignore_ascii_case("Id") {
        return format!("ORDER BY Id {}", if descending { "DESC" } else { "ASC" });
    }
    if descending {
        format!("ORDER BY {path} DESC NULLS LAST, Id ASC")
    } else {
        format!("ORDER BY {path} ASC NULLS FIRST, Id ASC")
    }
}

/// The condition of the rows after `key` in the order of [`order_by`]; `None` when the key's
/// value cannot be written in a query.
pub(super) fn after(path: &str, kind: FieldKind, descending: bool, key: &Key) -> Option<String> {
    let id = quote(&key.id);
    if path.eq_ignore_ascii_case("Id") {
        let op = if descending { "<" } else { ">" };
        return Some(format!("Id {op} {id}"));
    }
    let null = key.value.is_null();
    let value = literal(kind, &key.value)?;
    Some(match (descending, null) {
        // Nulls come first: after the last null, the other nulls by Id, then every value.
        (false, true) => format!("(({path} = null AND Id > {id}) OR {path} != null)"),
        (false, false) => format!("({path} > {value} OR ({path} = {value} AND Id > {id}))"),
        (true, true) => format!("({path} = null AND Id > {id})"),
        // Nulls come last: they are all still to come.
        (true, false) => {
            format!("({path} < {value} OR ({path} = {value} AND Id > {id}) OR {path} = null)")
        }
    })
}

/// The pages seen of one list, so Previous goes back without asking for more than a page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pager {
    /// Where each page seen starts: the first after nothing, each next after a key.
    starts: Vec<Option<Key>>,
}

impl Pager {
    /// Where the page shown starts.
    pub fn start(&self) -> Option<&Key> {
        self.starts.last().and_then(Option::as_ref)
    }

    /// 1 for the first page.
    pub fn number(&self) -> usize {
        self.starts.len().max(1)
    }

    pub fn has_previous(&self) -> bool {
        self.starts.len() > 1
    }

    /// Moves to the page after `key` (the last row of the page shown).
    pub fn next(&mut self, key: Key) {
        if self.starts.is_empty() {
            self.starts.push(None);
        }
        self.starts.push(Some(key));
    }

    /// Moves back a page; false on the first.
    pub fn previous(&mut self) -> bool {
        if self.starts.len() > 1 {
            self.starts.pop();
            true
        } else {
            false
        }
    }

    /// Back to the first page, as after a new sort, filter or search.
    pub fn reset(&mut self) {
        self.starts.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(value: Value) -> Key {
        Key {
            value,
            id: "001000000000001AAA".to_string(),
        }
    }

    #[test]
    fn a_key_after_a_null_keeps_the_other_nulls_and_every_value() {
        assert_eq!(
            after("Industry", FieldKind::Text, false, &key(Value::Null)).as_deref(),
            Some("((Industry = null AND Id > '001000000000001AAA') OR Industry != null)")
        );
        assert_eq!(
            after("Industry", FieldKind::Text, true, &key(json!("O'Neil"))).as_deref(),
            Some(
                "(Industry < 'O\\'Neil' OR (Industry = 'O\\'Neil' AND Id > '001000000000001AAA') OR Industry = null)"
            )
        );
    }

    #[test]
    fn datetimes_keep_their_milliseconds() {
        assert_eq!(
            literal(FieldKind::DateTime, &json!("2024-01-31T10:00:00.250+0000")).as_deref(),
            Some("2024-01-31T10:00:00.250Z")
        );
        assert_eq!(literal(FieldKind::Date, &json!("2024-01-31' OR x")), None);
        assert_eq!(literal(FieldKind::Other, &json!({"city": "Oslo"})), None);
    }

    #[test]
    fn previous_goes_back_to_the_keys_seen() {
        let mut pager = Pager::default();
        assert_eq!((pager.number(), pager.start()), (1, None));
        pager.next(key(json!("b")));
        pager.next(key(json!("d")));
        assert_eq!(pager.number(), 3);
        assert!(pager.previous());
        assert_eq!(pager.start(), Some(&key(json!("b"))));
        assert!(pager.previous());
        assert!(!pager.previous());
        assert_eq!(pager.start(), None);
    }
}
