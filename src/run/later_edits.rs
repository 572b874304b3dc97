//! Before an undo writes Salesforce back, Salesforce must still hold what the run wrote:
//! otherwise putting the before-images back (or deleting what the run created) would silently
//! overwrite whoever changed the records since. The run's after-images say what it wrote; the
//! records are read again by Id and compared with them field by field, in canonical form, so
//! that `1` and `1.0`, or one instant written two ways, are not edits.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use futures_util::TryStreamExt;
use serde::Serialize;
use serde_json::{Map, Value};

use super::RunError;
use crate::salesforce::soql_text::{self, IN_LIST_BYTES};
use crate::salesforce::{BatchSize, Client, ObjectDescribe};
use crate::sync::engine::values::{self, Kind};
use crate::sync::plan::Values;
use crate::workspace::images::{RemoteImage, RemoteOp};
use crate::workspace::journal::row_name;

/// How many records a message names before it counts the rest.
pub const NAMED: usize = 10;

/// A record the run wrote that Salesforce changed since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LaterEdit {
    pub object: String,
    pub sf_id: String,
    /// The local row (or the sheet's key) the record was written from.
    pub row_key: Option<String>,
    /// Fields that no longer hold what the run wrote; empty when the record was deleted.
    pub fields: Vec<String>,
    pub deleted: bool,
}

impl fmt::Display for LaterEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.object, self.sf_id)?;
        if let Some(key) = &self.row_key {
            write!(f, " ({})", row_name(key))?;
        }
        if self.deleted {
            write!(f, " was deleted")
        } else {
            write!(f, ": {}", self.fields.join(", "))
        }
    }
}

/// Every record of run `run_id` that Salesforce changed since the run wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LaterEdits {
    pub run_id: i64,
    pub edits: Vec<LaterEdit>,
}

impl LaterEdits {
    /// The first records, to name, and how many more there are.
    pub fn named(&self) -> (&[LaterEdit], usize) {
        let shown = self.edits.len().min(NAMED);
        (&self.edits[..shown], self.edits.len() - shown)
    }
}

impl fmt::Display for LaterEdits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let run = self.run_id;
        let (named, more) = self.named();
        let list: Vec<String> = named.iter().map(LaterEdit::to_string).collect();
        write!(
            f,
            "records that run {run} wrote were changed in Salesforce since: {}",
            list.join("; ")
        )?;
        if more > 0 {
            write!(f, "; and {more} more record(s)")?;
        }
        write!(
            f,
            ". Undoing would overwrite those changes. To keep them, leave run {run} as it is; to undo it anyway, over those changes, run `tether undo {run} --overwrite-salesforce-edits`"
        )
    }
}

/// What the run left in one record, as far as the undo acts on it.
struct Expected {
    object: String,
    sf_id: String,
    row_key: Option<String>,
    fields: Values,
    /// The run created the record: the undo deletes it, so its deletion since is no loss.
    created: bool,
}

/// Ids compare on their first 15 characters: Salesforce answers 18, a person may write 15.
fn id15(id: &str) -> &str {
    id.get(..15).unwrap_or(id)
}

/// What the run's confirmed writes left in each record the undo would write back or delete,
/// in the order the run wrote them.
fn expected(images: &[RemoteImage]) -> Vec<Expected> {
    let mut out: Vec<Option<Expected>> = Vec::new();
    let mut at: HashMap<(String, String), usize> = HashMap::new();
    for image in images.iter().filter(|i| i.confirmed) {
        let Some(sf_id) = &image.sf_id else { continue };
        let key = (image.object.clone(), id15(sf_id).to_string());
        let written = || {
            image
                .after
                .iter()
                .flatten()
                // A parent reference left empty is not sent, so it says nothing of the record.
                .filter(|(name, value)| !(name.contains('.') && value.is_null()))
                .map(|(name, value)| (name.clone(), value.clone()))
        };
        match image.op {
            RemoteOp::Delete => {
                if let Some(i) = at.remove(&key) {
                    out[i] = None;
                }
            }
            RemoteOp::Create | RemoteOp::Update => match at.get(&key) {
                Some(&i) => {
                    if let Some(entry) = &mut out[i] {
                        entry.fields.extend(written());
                    }
                }
                // An update without a before-image is not put back by the undo.
                None if image.op == RemoteOp::Create || image.before.is_some() => {
                    at.insert(key, out.len());
                    out.push(Some(Expected {
                        object: image.object.clone(),
                        sf_id: sf_id.clone(),
                        row_key: image.row_key.clone(),
                        fields: written().collect(),
                        created: image.op == RemoteOp::Create,
                    }));
                }
                None => {}
            },
        }
    }
    out.into_iter().flatten().collect()
}

/// How one object's fields are read and compared.
struct Fields {
    /// API names by lower-cased name.
    names: HashMap<String, String>,
    kinds: HashMap<String, Kind>,
    /// Fields holding Ids, compared on 15 characters.
    ids: BTreeSet<String>,
    relationships: BTreeSet<String>,
}

impl Fields {
    fn of(describe: &ObjectDescribe) -> Fields {
        let mut relationships = BTreeSet::new();
        for field in &describe.fields {
            if let Some(name) = field.other.get("relationshipName").and_then(Value::as_str) {
                relationships.insert(name.to_ascii_lowercase());
            }
        }
        Fields {
            names: describe
                .fields
                .iter()
                .map(|f| (f.name.to_ascii_lowercase(), f.name.clone()))
                .collect(),
            kinds: values::kinds(describe, chrono_tz::Tz::UTC)
                .into_iter()
                .map(|(name, kind)| (name.to_ascii_lowercase(), kind))
                .collect(),
            ids: describe
                .fields
                .iter()
                .filter(|f| matches!(f.field_type.as_str(), "id" | "reference"))
                .map(|f| f.name.to_ascii_lowercase())
                .collect(),
            relationships,
        }
    }

    /// Whether the object still has the field, so that it can be selected. A parent
    /// reference (`Account.X__c`) is checked by its relationship.
    fn readable(&self, name: &str) -> bool {
        match name.split_once('.') {
            Some((relationship, field)) => {
                self.relationships
                    .contains(&relationship.to_ascii_lowercase())
                    && soql_text::is_field_path(field)
            }
            None => self.names.contains_key(&name.to_ascii_lowercase()),
        }
    }

    fn same(&self, name: &str, wrote: &Value, now: &Value) -> bool {
        let lower = name.to_ascii_lowercase();
        if self.ids.contains(&lower)
            && let (Value::String(a), Value::String(b)) = (wrote, now)
        {
            return id15(a) == id15(b);
        }
        let kind = self.kinds.get(&lower).copied().unwrap_or(Kind::Text);
        values::same(kind, wrote, now)
    }
}

/// A field of a record as the REST API answers it: parent references come nested, and names
/// in the describe's case.
fn field_of<'a>(record: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut current = get_any_case(record, parts.next()?)?;
    for part in parts {
        current = get_any_case(current.as_object()?, part)?;
    }
    Some(current)
}

fn get_any_case<'a>(record: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    record.get(name).or_else(|| {
        record
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// Reads the records of one object by Id: their current values of `fields`, by 15-character Id.
async fn current(
    client: &Client,
    object: &str,
    ids: &[&str],
    fields: &[String],
) -> Result<HashMap<String, Map<String, Value>>, RunError> {
    let mut select = vec!["Id".to_string()];
    select.extend(
        fields
            .iter()
            .filter(|f| !f.eq_ignore_ascii_case("Id"))
            .cloned(),
    );
    let select = select.join(", ");
    let mut found = HashMap::new();
    for list in soql_text::in_lists("Id", ids, IN_LIST_BYTES) {
        let soql = format!("SELECT {select} FROM {object} WHERE {list}");
        let pages: Vec<_> = client
            .query::<Map<String, Value>>(&soql, Some(BatchSize(2000)))
            .try_collect()
            .await?;
        for record in pages.into_iter().flat_map(|p| p.records) {
            if let Some(id) = record.get("Id").and_then(Value::as_str) {
                found.insert(id15(id).to_string(), record);
            }
        }
    }
    Ok(found)
}

/// The records of run `run_id` (its `images`) that Salesforce changed since the run wrote
/// them, or `None` when Salesforce still holds everything the undo would put back or delete.
pub async fn find(
    client: &Client,
    run_id: i64,
    images: &[RemoteImage],
) -> Result<Option<LaterEdits>, RunError> {
    let expected = expected(images);
    let mut objects: Vec<&str> = Vec::new();
    for entry in &expected {
        if !objects.contains(&entry.object.as_str()) {
            objects.push(&entry.object);
        }
    }
    let mut edits: HashMap<(String, String), LaterEdit> = HashMap::new();
    for object in objects {
        let entries: Vec<&Expected> = expected.iter().filter(|e| e.object == object).collect();
        let fields = Fields::of(&*client.describe(object).await?);
        let mut names: Vec<String> = Vec::new();
        for entry in &entries {
            for name in entry.fields.keys() {
                if fields.readable(name) && !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    names.push(name.clone());
                }
            }
        }
        let ids: Vec<&str> = entries.iter().map(|e| e.sf_id.as_str()).collect();
        let now = current(client, object, &ids, &names).await?;
        for entry in entries {
            let edit = match now.get(id15(&entry.sf_id)) {
                // What the run created and someone deleted since is gone either way.
                None if entry.created => continue,
                None => LaterEdit {
                    object: entry.object.clone(),
                    sf_id: entry.sf_id.clone(),
                    row_key: entry.row_key.clone(),
                    fields: Vec::new(),
                    deleted: true,
                },
                Some(record) => {
                    let changed: Vec<String> = entry
                        .fields
                        .iter()
                        .filter(|(name, _)| fields.readable(name))
                        .filter(|(name, wrote)| {
                            let now = field_of(record, name).unwrap_or(&Value::Null);
                            !fields.same(name, wrote, now)
                        })
                        .map(|(name, _)| name.clone())
                        .collect();
                    if changed.is_empty() {
                        continue;
                    }
                    LaterEdit {
                        object: entry.object.clone(),
                        sf_id: entry.sf_id.clone(),
                        row_key: entry.row_key.clone(),
                        fields: changed,
                        deleted: false,
                    }
                }
            };
            edits.insert((edit.object.clone(), id15(&edit.sf_id).to_string()), edit);
        }
    }
    // In the order the run wrote the records, as the run's history lists them.
    let ordered: Vec<LaterEdit> = expected
        .iter()
        .filter_map(|e| edits.remove(&(e.object.clone(), id15(&e.sf_id).to_string())))
        .collect();
    Ok((!ordered.is_empty()).then_some(LaterEdits {
        run_id,
        edits: ordered,
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn image(op: RemoteOp, id: &str, before: Option<Value>, after: Option<Value>) -> RemoteImage {
        let values = |v: Value| -> Values {
            v.as_object()
                .map(|m| m.clone().into_iter().collect())
                .unwrap_or_default()
        };
        RemoteImage {
            id: 0,
            run_id: 1,
            object: "Account".into(),
            sf_id: Some(id.into()),
            row_key: Some("1".into()),
            op,
            before: before.map(values),
            after: after.map(values),
            confirmed: true,
        }
    }

    #[test]
    fn what_the_run_left_is_its_last_word_on_each_record() {
        let a = "001000000000001AAA";
        let b = "001000000000002AAA";
        let c = "001000000000003AAA";
        let images = vec![
            image(
                RemoteOp::Update,
                a,
                Some(json!({"Name": "Old"})),
                Some(json!({"Name": "New", "Account.X__c": null})),
            ),
            image(RemoteOp::Create, b, None, Some(json!({"Name": "B"}))),
            // Written again under its 15-character Id: one record.
            image(
                RemoteOp::Update,
                &a[..15],
                Some(json!({"Phone": "1"})),
                Some(json!({"Phone": "2"})),
            ),
            // The undo does not put back an update it has no before-image for.
            image(RemoteOp::Update, c, None, Some(json!({"Name": "C"}))),
            image(RemoteOp::Delete, b, Some(json!({"Name": "B"})), None),
        ];
        let expected = expected(&images);
        assert_eq!(
            expected.len(),
            1,
            "the deleted record is gone from the list"
        );
        assert_eq!(expected[0].sf_id, a);
        assert_eq!(
            expected[0].fields,
            Values::from([
                ("Name".to_string(), json!("New")),
                ("Phone".to_string(), json!("2")),
            ]),
            "an empty parent reference was not sent"
        );
        let mut unconfirmed = image(RemoteOp::Create, b, None, Some(json!({"Name": "B"})));
        unconfirmed.confirmed = false;
        assert!(super::expected(&[unconfirmed]).is_empty());
    }

    #[test]
    fn the_message_names_records_and_fields_and_counts_the_rest() {
        let edit = |n: usize| LaterEdit {
            object: "Account".into(),
            sf_id: format!("001{n:015}"),
            row_key: Some(n.to_string()),
            fields: vec!["Name".into(), "Phone".into()],
            deleted: n == 0,
        };
        let edits = LaterEdits {
            run_id: 7,
            edits: (0..13).map(edit).collect(),
        };
        let text = edits.to_string();
        assert!(
            text.contains("Account 001000000000000000 (row 0) was deleted"),
            "{text}"
        );
        assert!(
            text.contains("Account 001000000000000001 (row 1): Name, Phone"),
            "{text}"
        );
        assert!(!text.contains("(row 10)"), "ten are named: {text}");
        assert!(text.contains("and 3 more record(s)"), "{text}");
        assert!(
            text.contains("`tether undo 7 --overwrite-salesforce-edits`"),
            "{text}"
        );
    }
}
