//! The CSV columns of a query, read from its SELECT list: the first record cannot give them,
//! since a null lookup (`"Account": null`) hides the `Account.Name` column it would have had.

use serde_json::{Map, Value};

/// What the SELECT list says the result looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Columns {
    /// One column per item of the list, in its order.
    Listed(Vec<Column>),
    /// `SELECT COUNT() FROM …`: no records, only the count.
    Count,
    /// `FIELDS(…)`, `TYPEOF` or text this reader does not follow: the first record's fields.
    FromFirstRecord,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// As the SELECT list writes it (or its alias).
    pub header: String,
    /// Where the value sits in a record: `Account.Name` is `["Account", "Name"]`.
    pub path: Vec<String>,
}

/// Reads the SELECT list of `soql`.
pub fn columns(soql: &str) -> Columns {
    parse(soql).unwrap_or(Columns::FromFirstRecord)
}

fn parse(soql: &str) -> Option<Columns> {
    let text = soql.trim();
    let head = text.get(..6)?;
    if !head.eq_ignore_ascii_case("select") || !text[6..].starts_with(char::is_whitespace) {
        return None;
    }
    let list = &text[6..top_level_from(text)?];
    let items = split_top_level(list)?;
    if let [only] = items.as_slice()
        && compact(only).eq_ignore_ascii_case("count()")
    {
        return Some(Columns::Count);
    }
    let mut unnamed_aggregates = 0;
    let mut columns = Vec::with_capacity(items.len());
    for item in items {
        let item = item.trim();
        match child_columns(item) {
            Some(children) => columns.extend(children),
            None => columns.push(column(item, &mut unnamed_aggregates)?),
        }
    }
    Some(Columns::Listed(columns))
}

fn column(item: &str, unnamed_aggregates: &mut usize) -> Option<Column> {
    let upper = item.to_ascii_uppercase();
    if item.is_empty() || upper.starts_with("FIELDS") || upper.starts_with("TYPEOF") {
        return None;
    }
    if let Some(inner) = item.strip_prefix('(') {
        // A subquery whose list cannot be read is one column, of its records as JSON.
        let inner = inner.strip_suffix(')')?;
        let relationship = inner[top_level_from(inner)? + 4..]
            .split_whitespace()
            .next()?;
        return Some(named(relationship));
    }
    if let Some(open) = item.find('(') {
        let close = item.rfind(')')?;
        let function = item[..open].trim().to_ascii_uppercase();
        let argument = item[open + 1..close].trim();
        let alias = item[close + 1..].split_whitespace().next();
        return Some(match alias {
            Some(alias) => named(alias),
            // These keep the field's own name; every other function is an aggregate, which
            // Salesforce names expr0, expr1, … in the order of the list (so is
            // `FORMAT(MIN(CloseDate))`, whose argument is one).
            None if matches!(function.as_str(), "TOLABEL" | "FORMAT" | "CONVERTCURRENCY")
                && !argument.contains('(') =>
            {
                named(argument)
            }
            None => {
                let header = format!("expr{unnamed_aggregates}");
                *unnamed_aggregates += 1;
                named(&header)
            }
        });
    }
    let mut words = item.split_whitespace();
    let field = words.next()?;
    Some(match words.next() {
        Some(alias) => Column {
            header: alias.to_string(),
            path: vec![alias.to_string()],
        },
        None => named(field),
    })
}

/// `(SELECT LastName, Owner.Name FROM Contacts …)`: `Contacts.LastName`,
/// `Contacts.Owner.Name`; `None` when the item is no subquery or its list cannot be read
/// (then the subquery is one column of JSON).
fn child_columns(item: &str) -> Option<Vec<Column>> {
    let inner = item.strip_prefix('(')?.strip_suffix(')')?.trim();
    let from = top_level_from(inner)?;
    let relationship = inner[from + 4..].split_whitespace().next()?;
    match parse(inner)? {
        Columns::Listed(children) => Some(
            children
                .into_iter()
                .map(|c| named(&format!("{relationship}.{}", c.header)))
                .collect(),
        ),
        _ => None,
    }
}

fn named(path: &str) -> Column {
    Column {
        header: path.to_string(),
        path: path.split('.').map(str::to_string).collect(),
    }
}

fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Byte offset of the first ` FROM ` outside parentheses and quotes.
fn top_level_from(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0i32;
    let mut quoted = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth -= 1,
            _ if !quoted
                && depth == 0
                && b.is_ascii_whitespace()
                && text
                    .get(i + 1..i + 5)
                    .is_some_and(|w| w.eq_ignore_ascii_case("from"))
                && bytes.get(i + 5).is_some_and(u8::is_ascii_whitespace) =>
            {
                return Some(i + 1);
            }
            _ => {}
        }
    }
    None
}

fn split_top_level(list: &str) -> Option<Vec<&str>> {
    let mut items = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in list.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                items.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&list[start..]);
    (depth == 0 && !quoted).then_some(items)
}

/// The value at `path` in `record`, field names matched without regard to case as SOQL does.
/// A grouped parent field comes back flat in an aggregate result, so the last name alone is
/// tried when the path is not there.
pub fn value_at<'a>(record: &'a Map<String, Value>, path: &[String]) -> Option<&'a Value> {
    let mut current = record;
    for (i, name) in path.iter().enumerate() {
        let Some(value) = get(current, name) else {
            // Absent (not null) on the way: an AggregateResult row names `Account.Industry`
            // `Industry`.
            return path
                .last()
                .filter(|_| path.len() > 1)
                .and_then(|last| get(record, last));
        };
        if i + 1 == path.len() {
            return Some(value);
        }
        match value {
            Value::Object(nested) => current = nested,
            _ => return None,
        }
    }
    None
}

fn get<'a>(record: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    record.get(name).or_else(|| {
        record
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(soql: &str) -> Vec<String> {
        match columns(soql) {
            Columns::Listed(columns) => columns.into_iter().map(|c| c.header).collect(),
            other => panic!("{soql}: {other:?}"),
        }
    }

    #[test]
    fn select_lists_give_their_columns_in_order() {
        assert_eq!(
            headers(
                "select Id, Account.Name ,Owner.Manager.Email from Contact where Name = 'a, from b'"
            ),
            ["Id", "Account.Name", "Owner.Manager.Email"]
        );
        assert_eq!(
            headers(
                "SELECT StageName, COUNT(Id), SUM(Amount) total, MAX(Amount) FROM Opportunity GROUP BY StageName"
            ),
            ["StageName", "expr0", "total", "expr1"]
        );
        assert_eq!(
            headers("SELECT Name, toLabel(Industry), (SELECT LastName FROM Contacts) FROM Account"),
            ["Name", "Industry", "Contacts.LastName"]
        );
        assert_eq!(
            headers(
                "SELECT Name, (SELECT LastName, Owner.Name FROM Contacts WHERE Email != null ORDER BY LastName LIMIT 5), (SELECT FIELDS(ALL) FROM Cases LIMIT 200) FROM Account"
            ),
            ["Name", "Contacts.LastName", "Contacts.Owner.Name", "Cases"]
        );
        assert_eq!(
            headers(
                "SELECT FORMAT(Amount) amt, format(CloseDate), FORMAT(MIN(CloseDate)), toLabel(Account.Type), COUNT(Id) FROM Opportunity FOR VIEW"
            ),
            ["amt", "CloseDate", "expr0", "Account.Type", "expr1"]
        );
        assert_eq!(columns("SELECT count( ) FROM Account"), Columns::Count);
        for fallback in [
            "SELECT FIELDS(ALL) FROM Account LIMIT 200",
            "SELECT TYPEOF What WHEN Account THEN Name END FROM Event",
            "SELECT Id FROM",
            "SELECT Id, FROM Account",
            "DESCRIBE Account",
        ] {
            assert_eq!(columns(fallback), Columns::FromFirstRecord, "{fallback}");
        }
    }

    #[test]
    fn values_are_found_by_path_whatever_the_case() {
        let record = serde_json::json!({"Name": "Kid", "Account": null, "Owner": {"Name": "Ann"}});
        let record = record.as_object().unwrap();
        let path = |p: &str| p.split('.').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(value_at(record, &path("name")), Some(&Value::from("Kid")));
        assert_eq!(value_at(record, &path("Account.Name")), None);
        let grouped = serde_json::json!({"Industry": "Energy", "expr0": 2});
        assert_eq!(
            value_at(grouped.as_object().unwrap(), &path("Account.Industry")),
            Some(&Value::from("Energy")),
            "a grouped parent field comes back under its own name"
        );
        assert_eq!(
            value_at(record, &path("owner.name")),
            Some(&Value::from("Ann"))
        );
    }
}
