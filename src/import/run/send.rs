//! Sending a pass's decided rows: every write recorded first as an intent, so the import can
//! be undone; upserts on the key (Collections, or Bulk API 2.0) or creates without one, joined
//! back to rows by key; and the parents the sheet names, created before any row.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::ImportRunError;
use super::join;
use super::pass::{Decided, Pass};
use crate::import::lookup::Parent;
use crate::import::validate::Validator;
use crate::import::verdict::{Action, Existing};
use crate::run::push::{self, Outcome, PushItem, PushOp};
use crate::run::unheard::{self, Unheard, records_by_key};
use crate::salesforce::{Client, CollectionOptions};
use crate::sync::hints;
use crate::sync::plan::Values;
use crate::workspace::images::{self, NewImage, RemoteOp};
use crate::workspace::imports::{self, RowOutcome, RowStatus};
use crate::workspace::journal::{self, RecordFailure, Side};

impl Pass<'_> {
    /// Creates the parents the sheet names that do not exist yet, recording each as a write of
    /// this run so that undo removes them with the rest.
    pub(super) async fn create_parents(&mut self) -> Result<(), ImportRunError> {
        let Some(load) = &mut self.load else {
            return Ok(());
        };
        for (rule, table) in self.validator.lookups.iter().zip(&mut self.tables) {
            let mut wanted: Vec<(String, String)> = table.to_create.drain().collect();
            wanted.sort();
            for chunk in wanted.chunks(200) {
                let new_images: Vec<NewImage> = chunk
                    .iter()
                    .map(|(_, name)| NewImage {
                        object: rule.object.clone(),
                        sf_id: None,
                        row_key: Some(name.clone()),
                        op: RemoteOp::Create,
                        before: None,
                        after: Some(Values::from([(
                            "Name".to_string(),
                            Value::String(name.clone()),
                        )])),
                    })
                    .collect();
                let image_ids = images::record_intents(load.ws.conn(), load.run, &new_images)?;
                let bodies: Vec<Map<String, Value>> = chunk
                    .iter()
                    .map(|(_, name)| {
                        Map::from_iter([("Name".to_string(), Value::String(name.clone()))])
                    })
                    .collect();
                let results = self
                    .client
                    .create_many(&rule.object, &bodies, CollectionOptions::default())
                    .await?;
                for (((key, name), result), image) in chunk.iter().zip(results).zip(image_ids) {
                    match (result.success, result.id) {
                        (true, Some(id)) => {
                            images::confirm(load.ws.conn(), image, Some(&id))?;
                            table.found.insert(
                                key.clone(),
                                vec![Parent {
                                    id,
                                    name: name.clone(),
                                }],
                            );
                            self.summary.parents_created += 1;
                            load.counts.created += 1;
                        }
                        _ => {
                            let error = result.errors.first();
                            let code = error.map_or("UNKNOWN_ERROR", |e| e.status_code.as_str());
                            let message = error
                                .map_or("Salesforce refused the record", |e| e.message.as_str());
                            let fields = error.map(|e| e.fields.join(", ")).unwrap_or_default();
                            let on = if fields.is_empty() {
                                String::new()
                            } else {
                                format!(" on {fields}")
                            };
                            // The rows naming it then say why, rather than that no such
                            // parent exists.
                            table.cannot_create.insert(
                                key.clone(),
                                format!(
                                    "Salesforce refused to create {} `{name}`: {code}{on}: {message}. Fix the cause, then import the file again (rows already imported are updated, not created twice)",
                                    rule.object
                                ),
                            );
                            journal::record_error(
                                load.ws.conn(),
                                load.run,
                                &RecordFailure {
                                    side: Side::Salesforce,
                                    sf_id: None,
                                    row_key: Some(name.clone()),
                                    code: code.to_string(),
                                    message: format!(
                                        "creating {} `{name}` failed: {message}",
                                        rule.object
                                    ),
                                    fields: Vec::new(),
                                    payload: Some(serde_json::json!({ "Name": name })),
                                    hint: hints::hint(code, &[], message),
                                },
                            )?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Sends a chunk's rows to create or update, and returns every row's outcome in order.
    #[tracing::instrument(name = "send", level = "debug", skip_all, fields(rows = decided.len()))]
    pub(super) async fn send(
        &mut self,
        decided: &[Decided],
        existing: &HashMap<String, Existing>,
    ) -> Result<Vec<RowOutcome>, ImportRunError> {
        let mut outcomes: Vec<RowOutcome> = decided
            .iter()
            .map(|d| {
                let v = &d.verdict;
                let (status, sf_id) = match &v.action {
                    None => (RowStatus::Invalid, None),
                    Some(Action::Unchanged { id }) => (RowStatus::Unchanged, Some(id.clone())),
                    Some(_) => (RowStatus::NotSent, None),
                };
                RowOutcome {
                    row: v.row,
                    key: v.key.clone(),
                    status,
                    sf_id,
                    message: (!v.problems.is_empty()).then(|| v.reasons()),
                }
            })
            .collect();
        let Some(load) = &mut self.load else {
            return Ok(outcomes);
        };
        let to_send: Vec<usize> = decided
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                matches!(
                    d.verdict.action,
                    Some(Action::Create | Action::Update { .. })
                )
            })
            .map(|(i, _)| i)
            .collect();
        if !to_send.is_empty() && load.stopped.is_none() && !self.cancel.is_cancelled() {
            let new_images: Vec<NewImage> = to_send
                .iter()
                .map(|&i| {
                    let v = &decided[i].verdict;
                    let row_key = Some(v.key.clone().unwrap_or_else(|| format!("row {}", v.row)));
                    match &v.action {
                        Some(Action::Update { id }) => NewImage {
                            object: self.validator.object.clone(),
                            sf_id: Some(id.clone()),
                            row_key,
                            op: RemoteOp::Update,
                            before: v
                                .key
                                .as_ref()
                                .and_then(|k| existing.get(&k.to_lowercase()))
                                .map(|e| e.values.clone()),
                            after: Some(v.values.clone()),
                        },
                        _ => NewImage {
                            object: self.validator.object.clone(),
                            sf_id: None,
                            row_key,
                            op: RemoteOp::Create,
                            before: None,
                            after: Some(v.values.clone()),
                        },
                    }
                })
                .collect();
            let image_ids = images::record_intents(load.ws.conn(), load.run, &new_images)?;
            tracing::debug!(rows = to_send.len(), bulk = load.bulk, "sending");
            let written =
                write_rows(self.client, self.validator, decided, &to_send, load.bulk).await;
            match written {
                Ok(results) => {
                    let by_unit: HashMap<usize, Outcome> = results.into_iter().collect();
                    for (n, &i) in to_send.iter().enumerate() {
                        let predicted_create =
                            matches!(decided[i].verdict.action, Some(Action::Create));
                        let outcome = &mut outcomes[i];
                        match by_unit.get(&n) {
                            Some(Outcome::Written { id, created }) => {
                                outcome.status = if *created {
                                    RowStatus::Created
                                } else {
                                    RowStatus::Updated
                                };
                                outcome.sf_id = Some(id.clone());
                                if *created == predicted_create {
                                    images::confirm(load.ws.conn(), image_ids[n], Some(id))?;
                                } else {
                                    outcome.message = Some(if *created {
                                        "the record was gone when the row was sent, so it was created again; undo will not remove it".into()
                                    } else {
                                        "the record appeared after the check and was updated; undo will not put its old values back".into()
                                    });
                                }
                            }
                            Some(Outcome::Failed(error)) => {
                                outcome.status = RowStatus::Failed;
                                outcome.message =
                                    Some(format!("{}: {}", error.status_code, error.message));
                                journal::record_error(
                                    load.ws.conn(),
                                    load.run,
                                    &RecordFailure {
                                        side: Side::Salesforce,
                                        sf_id: None,
                                        row_key: Some(format!("row {}", decided[i].verdict.row)),
                                        code: error.status_code.clone(),
                                        message: error.message.clone(),
                                        fields: error.fields.clone(),
                                        payload: Some(Value::Object(
                                            decided[i].verdict.values.clone().into_iter().collect(),
                                        )),
                                        hint: hints::hint_on(
                                            match decided[i].verdict.action {
                                                Some(Action::Update { .. }) => {
                                                    hints::Operation::Update
                                                }
                                                _ => hints::Operation::Create,
                                            },
                                            &error.status_code,
                                            &error.fields,
                                            &error.message,
                                        ),
                                    },
                                )?;
                            }
                            None => {
                                outcome.status = RowStatus::Failed;
                                outcome.message =
                                    Some("Salesforce did not report on this row; retry it".into());
                            }
                        }
                    }
                }
                Err(e) => {
                    let reason = format!(
                        "Salesforce failed while the rows were sent ({e}). Retry the rows not imported with `tether import --retry {}`.",
                        load.run
                    );
                    // Some of the rows may have been written before the failure: the keys
                    // say which, so that undo and retry know them.
                    let landed = match self.validator.key_field() {
                        Some(key_field) => {
                            let unheard: Vec<Unheard> = to_send
                                .iter()
                                .enumerate()
                                .filter_map(|(n, &i)| {
                                    let verdict = &decided[i].verdict;
                                    Some(Unheard {
                                        image: image_ids[n],
                                        key: verdict.key.clone()?,
                                        update: matches!(
                                            verdict.action,
                                            Some(Action::Update { .. })
                                        )
                                        .then(|| verdict.values.clone()),
                                    })
                                })
                                .collect();
                            unheard::find_by_key(
                                self.client,
                                &self.validator.object,
                                key_field,
                                &unheard,
                            )
                            .await
                            .unwrap_or_default()
                        }
                        None => HashMap::new(),
                    };
                    for (n, &i) in to_send.iter().enumerate() {
                        match landed.get(&image_ids[n]) {
                            Some(id) => {
                                outcomes[i].status = match decided[i].verdict.action {
                                    Some(Action::Create) => RowStatus::Created,
                                    _ => RowStatus::Updated,
                                };
                                outcomes[i].sf_id = Some(id.clone());
                                images::confirm(load.ws.conn(), image_ids[n], Some(id))?;
                            }
                            None => {
                                outcomes[i].status = RowStatus::Failed;
                                outcomes[i].message = Some(reason.clone());
                            }
                        }
                    }
                    load.stopped = Some(reason);
                }
            }
        }
        for (d, outcome) in decided.iter().zip(&outcomes) {
            if outcome.status == RowStatus::Invalid {
                journal::record_error(
                    load.ws.conn(),
                    load.run,
                    &RecordFailure {
                        side: Side::Local,
                        sf_id: None,
                        row_key: Some(format!("row {}", outcome.row)),
                        code: "INVALID_ROW".into(),
                        message: d.verdict.reasons(),
                        fields: Vec::new(),
                        payload: d.cells.as_ref().map(|cells| {
                            Value::Object(
                                self.survey
                                    .headers
                                    .iter()
                                    .zip(cells)
                                    .map(|(h, c)| (h.clone(), Value::String(c.clone())))
                                    .collect(),
                            )
                        }),
                        hint: format!(
                            "Fix row {} in {} and import the file again: rows already imported are updated, not created twice.",
                            outcome.row,
                            self.job.file_name()
                        ),
                    },
                )?;
            }
        }
        imports::record_rows(load.ws.conn(), load.run, &outcomes)?;
        for o in &outcomes {
            match o.status {
                RowStatus::Created => load.counts.created += 1,
                RowStatus::Updated => load.counts.updated += 1,
                RowStatus::Failed | RowStatus::Invalid => load.counts.failed += 1,
                _ => {}
            }
        }
        load.counts.processed += outcomes.len() as u64;
        journal::update_counts(load.ws.conn(), load.run, &load.counts)?;
        Ok(outcomes)
    }
}

/// Writes the rows at `indexes` of `decided`: upserts on the key through Collections or Bulk,
/// or creates when the mapping has no key. Outcomes are by position in `indexes`, joined to
/// the rows by key whenever there is one: Bulk results carry it, and after Collections the
/// keys are read back (a query per 200 rows, and Collections carries fewer than 2,000).
async fn write_rows(
    client: &Client,
    validator: &Validator,
    decided: &[Decided],
    indexes: &[usize],
    bulk: bool,
) -> Result<Vec<(usize, Outcome)>, ImportRunError> {
    let object = &validator.object;
    match validator.key_field() {
        Some(field) => {
            let items: Vec<PushItem> = indexes
                .iter()
                .enumerate()
                .map(|(n, &i)| {
                    let v = &decided[i].verdict;
                    PushItem {
                        unit: n,
                        op: PushOp::Upsert {
                            field: field.to_string(),
                            value: v.key.clone().unwrap_or_default(),
                        },
                        fields: v.values.clone(),
                    }
                })
                .collect();
            if bulk {
                return Ok(push::through_bulk(client, object, &items).await?);
            }
            let answers = push::through_collections(client, object, &items).await?;
            let keys: Vec<String> = items
                .iter()
                .map(|item| match &item.op {
                    PushOp::Upsert { value, .. } => value.clone(),
                    _ => String::new(),
                })
                .collect();
            let after = records_by_key(client, object, field, &[], &keys).await?;
            let ids_by_key = after.into_iter().map(|(key, e)| (key, e.id)).collect();
            Ok(join::join_by_key(&keys, answers, &ids_by_key))
        }
        None => {
            let bodies: Vec<Map<String, Value>> = indexes
                .iter()
                .map(|&i| push::record_body(&decided[i].verdict.values))
                .collect();
            let results = client
                .create_many(
                    object,
                    &bodies,
                    CollectionOptions {
                        all_or_none: false,
                        concurrency: 5,
                    },
                )
                .await?;
            // A create's answer has no `created` flag (only upserts say): every success here is
            // a new record, which undo must delete.
            Ok(results
                .into_iter()
                .enumerate()
                .map(|(n, r)| match push::outcome(r, None) {
                    Outcome::Written { id, .. } => (n, Outcome::Written { id, created: true }),
                    failed => (n, failed),
                })
                .collect())
        }
    }
}
