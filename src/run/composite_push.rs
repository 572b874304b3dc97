//! Writes through Composite: up to five sObject Collections subrequests of 200 records in one
//! call, 1,000 records a call where Collections takes five. Answers come back per record in
//! the order asked, as Collections answers; records refused because another save held them
//! locked go again through Collections, which retries them with backoff.

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::RunError;
use super::push::{Outcome, PushItem, PushOp, body_of, interpret, through_collections};
use crate::salesforce::{COLLECTION_CHUNK, Client, RecordError, SaveResult, Subrequest};

/// Collections subrequests one Composite request may hold.
pub const SUBREQUESTS_PER_CALL: usize = 5;
/// Records one Composite call writes at most.
pub const RECORDS_PER_CALL: usize = SUBREQUESTS_PER_CALL * COLLECTION_CHUNK;

/// One subrequest: a kind of write and the items it carries.
struct Part<'a> {
    request: Subrequest,
    items: Vec<&'a PushItem>,
}

/// Writes `items` in Composite calls of up to five Collections subrequests each.
pub async fn through_composite(
    client: &Client,
    object: &str,
    items: &[PushItem],
) -> Result<Vec<(usize, Outcome)>, RunError> {
    let parts = parts(client, object, items);
    let mut out = Vec::with_capacity(items.len());
    let mut locked: Vec<PushItem> = Vec::new();
    for call in parts.chunks(SUBREQUESTS_PER_CALL) {
        let requests: Vec<Subrequest> = call.iter().map(|p| p.request.clone()).collect();
        let answers = client.composite(false, &requests).await?;
        for (part, answer) in call.iter().zip(answers) {
            let results = results_of(answer.http_status_code, &answer.body, part.items.len());
            for (item, result) in part.items.iter().zip(results) {
                if result
                    .errors
                    .iter()
                    .any(|e| e.status_code == "UNABLE_TO_LOCK_ROW")
                {
                    locked.push((*item).clone());
                } else {
                    out.push(interpret(item, result));
                }
            }
        }
    }
    if !locked.is_empty() {
        out.extend(through_collections(client, object, &locked).await?);
    }
    Ok(out)
}

/// The Collections subrequests for `items`: creates, upserts per external-id field, updates
/// and deletes, 200 records each.
fn parts<'a>(client: &Client, object: &str, items: &'a [PushItem]) -> Vec<Part<'a>> {
    let mut kinds: Vec<(String, Vec<&'a PushItem>)> = Vec::new();
    for item in items {
        let kind = match &item.op {
            PushOp::Create => "create".to_string(),
            PushOp::Upsert { field, .. } => format!("upsert {field}"),
            PushOp::Update { .. } => "update".to_string(),
            PushOp::Delete { .. } => "delete".to_string(),
        };
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, group)) => group.push(item),
            None => kinds.push((kind, vec![item])),
        }
    }
    let mut parts = Vec::new();
    for (_, group) in kinds {
        for chunk in group.chunks(COLLECTION_CHUNK) {
            let reference_id = format!("part{}", parts.len());
            let request = subrequest(client, object, chunk, reference_id);
            parts.push(Part {
                request,
                items: chunk.to_vec(),
            });
        }
    }
    parts
}

fn subrequest(
    client: &Client,
    object: &str,
    chunk: &[&PushItem],
    reference_id: String,
) -> Subrequest {
    let records = || -> Vec<Value> {
        chunk
            .iter()
            .map(|item| {
                let mut record = Map::new();
                record.insert("attributes".into(), json!({ "type": object }));
                record.extend(body_of(item));
                Value::Object(record)
            })
            .collect()
    };
    let body = |records: Vec<Value>| Some(json!({ "allOrNone": false, "records": records }));
    let (method, url, body) = match &chunk.first().map(|i| &i.op) {
        Some(PushOp::Upsert { field, .. }) => (
            Method::PATCH,
            client.data_path(&format!("/composite/sobjects/{object}/{field}")),
            body(records()),
        ),
        Some(PushOp::Update { .. }) => (
            Method::PATCH,
            client.data_path("/composite/sobjects"),
            body(records()),
        ),
        Some(PushOp::Delete { .. }) => {
            let ids: Vec<&str> = chunk
                .iter()
                .filter_map(|item| match &item.op {
                    PushOp::Delete { id } => Some(id.as_str()),
                    _ => None,
                })
                .collect();
            (
                Method::DELETE,
                client.data_path(&format!(
                    "/composite/sobjects?ids={}&allOrNone=false",
                    ids.join(",")
                )),
                None,
            )
        }
        Some(PushOp::Create) | None => (
            Method::POST,
            client.data_path("/composite/sobjects"),
            body(records()),
        ),
    };
    Subrequest {
        method: method.to_string(),
        url,
        reference_id,
        body,
    }
}

/// The per-record answers of one subrequest; a refused subrequest (an error array) is that
/// error for each of its records.
fn results_of(status: u16, body: &Value, records: usize) -> Vec<SaveResult> {
    if (200..300).contains(&status)
        && let Ok(results) = serde_json::from_value::<Vec<SaveResult>>(body.clone())
        && results.len() == records
    {
        return results;
    }
    let error = body
        .as_array()
        .and_then(|errors| errors.first())
        .map(|e| RecordError {
            status_code: e["errorCode"]
                .as_str()
                .unwrap_or("UNKNOWN_ERROR")
                .to_string(),
            message: e["message"]
                .as_str()
                .unwrap_or("Salesforce refused the subrequest without saying why")
                .to_string(),
            fields: Vec::new(),
        })
        .unwrap_or_else(|| RecordError {
            status_code: "UNKNOWN_ERROR".into(),
            message: format!("Salesforce answered the subrequest with {status}: {body}"),
            fields: Vec::new(),
        });
    (0..records)
        .map(|_| SaveResult {
            success: false,
            id: None,
            created: None,
            errors: vec![error.clone()],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::push::WritePath;

    #[test]
    fn a_refused_subrequest_is_its_error_for_each_record() {
        let body = json!([{ "errorCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain exclusive access" }]);
        let results = results_of(400, &body, 3);
        assert_eq!(results.len(), 3);
        assert!(
            results
                .iter()
                .all(|r| !r.success && r.errors[0].status_code == "UNABLE_TO_LOCK_ROW")
        );
    }

    #[test]
    fn an_answer_per_record_is_taken_as_it_is() {
        let body = json!([
            { "id": "001000000000001AAA", "success": true, "errors": [] },
            { "success": false, "errors": [{ "statusCode": "REQUIRED_FIELD_MISSING", "message": "Name", "fields": ["Name"] }] }
        ]);
        let results = results_of(200, &body, 2);
        assert!(results[0].success);
        assert_eq!(results[1].errors[0].status_code, "REQUIRED_FIELD_MISSING");
        // An answer that does not hold one result per record is not trusted record by record.
        assert!(results_of(200, &body, 3).iter().all(|r| !r.success));
    }

    #[test]
    fn the_path_follows_the_count() {
        assert_eq!(WritePath::for_push(200, 5_000), WritePath::Collections);
        assert_eq!(WritePath::for_push(201, 5_000), WritePath::Composite);
        assert_eq!(WritePath::for_push(5_000, 5_000), WritePath::Composite);
        assert_eq!(WritePath::for_push(5_001, 5_000), WritePath::Bulk);
        assert_eq!(WritePath::Composite.calls_for(10_000), 10);
        assert_eq!(WritePath::Collections.calls_for(10_000), 50);
    }
}
