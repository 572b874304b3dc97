//! `/sobjects/X/listviews`, `/listviews/ID`, `/listviews/ID/describe` and
//! `/listviews/ID/results`: the standard list views a new org has, answered over the store.
//!
//! Each view is SOQL underneath (its columns, filter and order), so its results are exactly
//! what the same query answers. Columns a custom schema lacks are left out, as an admin's
//! removed field leaves a real view.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Session;
use super::rest::object_of;
use super::{AppState, api_version};
use crate::error::{ApiError, ApiResult, SfError};
use crate::ids;
use crate::schema::{FieldType, ObjectSchema, Schema};
use crate::soql::{self, Column, Lookups, Output, Plan};
use crate::values::parse_datetime;

mod standard;

use standard::{Scope, ViewDef, standard_views};

/// Rows a results page holds when the client does not ask, and the most it may ask for.
const DEFAULT_ROWS: usize = 25;
const MAX_ROWS: usize = 2000;
/// Every view shows these, hidden, after its own columns.
const HIDDEN: [&str; 4] = ["Id", "CreatedDate", "LastModifiedDate", "SystemModstamp"];

/// A view made concrete for one object of this schema and one user.
struct ListView {
    id: String,
    def: ViewDef,
    object: String,
    columns: Vec<String>,
}

impl ListView {
    fn where_clause(&self, user_id: &str) -> String {
        let mut conditions = Vec::new();
        if self.def.scope == Scope::Mine {
            conditions.push(format!("OwnerId = '{user_id}'"));
        }
        if let Some((field, op, value)) = self.def.filter {
            conditions.push(format!("{field} {op} {value}"));
        }
        if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        }
    }

    fn order_field(&self) -> &str {
        self.columns.first().map(String::as_str).unwrap_or("Id")
    }

    fn select_items(&self, object: &ObjectSchema) -> Vec<String> {
        self.all_columns()
            .map(|c| match object.field(c) {
                Some(f) if f.kind == FieldType::Picklist => format!("toLabel({c})"),
                _ => c.to_string(),
            })
            .collect()
    }

    fn all_columns(&self) -> impl Iterator<Item = &str> {
        let shown = self.columns.iter().map(String::as_str);
        let hidden = HIDDEN
            .iter()
            .copied()
            .filter(|h| !self.columns.iter().any(|c| c == h));
        shown.chain(hidden)
    }

    /// The SOQL a client can run for this view (what `describe` answers as `query`).
    fn query(&self, object: &ObjectSchema, user_id: &str) -> String {
        format!(
            "SELECT {} FROM {}{} ORDER BY {} ASC NULLS FIRST, Id ASC NULLS FIRST",
            self.select_items(object).join(", "),
            self.object,
            self.where_clause(user_id),
            self.order_field()
        )
    }

    /// The same query with plain fields, which the org evaluates.
    fn plan(&self, schema: &Schema, user_id: &str, now: DateTime<Utc>) -> Result<Plan, SfError> {
        let fields: Vec<&str> = self.all_columns().collect();
        let text = format!(
            "SELECT {} FROM {}{} ORDER BY {} ASC NULLS FIRST, Id ASC NULLS FIRST",
            fields.join(", "),
            self.object,
            self.where_clause(user_id),
            self.order_field()
        );
        soql::compile(&text, schema, now)
    }

    fn info(&self, v: &str) -> Value {
        let url = format!(
            "/services/data/{v}/sobjects/{}/listviews/{}",
            self.object, self.id
        );
        json!({
            "describeUrl": format!("{url}/describe"),
            "developerName": self.def.developer_name,
            "id": self.id,
            "label": self.def.label,
            "resultsUrl": format!("{url}/results"),
            "soqlCompatible": true,
            "url": url,
        })
    }
}

/// The views of `object`, each with the columns this schema can answer.
fn views_of(schema: &Schema, object: &ObjectSchema) -> Vec<ListView> {
    let index = schema
        .objects()
        .position(|o| o.name == object.name)
        .unwrap_or(0) as u64;
    let now = Utc::now();
    let compiles = |text: &str| soql::compile(text, schema, now).is_ok();
    standard_views(&object.name)
        .into_iter()
        .enumerate()
        .filter_map(|(i, def)| {
            let mut columns: Vec<String> = def
                .columns
                .iter()
                .filter(|c| compiles(&format!("SELECT {c} FROM {}", object.name)))
                .map(|c| c.to_string())
                .collect();
            if columns.is_empty() {
                let name = object.fields.iter().find(|f| f.name_field);
                columns.extend(name.map(|f| f.name.clone()));
            }
            let view = ListView {
                id: ids::mint("00B", index * 16 + i as u64 + 1),
                def,
                object: object.name.clone(),
                columns,
            };
            // A filter on a field this schema lacks drops the view.
            view.plan(schema, "005000000000000AAA", now).ok()?;
            Some(view)
        })
        .collect()
}

pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for (path, route) in [
        ("/services/data/{v}/sobjects/{object}/listviews", get(list)),
        (
            "/services/data/{v}/sobjects/{object}/listviews/{id}",
            get(one),
        ),
        (
            "/services/data/{v}/sobjects/{object}/listviews/{id}/describe",
            get(describe),
        ),
        (
            "/services/data/{v}/sobjects/{object}/listviews/{id}/results",
            get(results),
        ),
    ] {
        r = r
            .route(path, route.clone())
            .route(&format!("{path}/"), route);
    }
    r
}

fn view_of(state: &AppState, object: &ObjectSchema, id: &str) -> ApiResult<ListView> {
    let wanted = ids::to_18(id);
    views_of(&state.org.schema(), object)
        .into_iter()
        .find(|view| Some(&view.id) == wanted.as_ref() || view.def.developer_name == id)
        .ok_or_else(|| {
            ApiError::not_found(
                "NOT_FOUND",
                format!("The list view {id} does not exist for {}", object.name),
            )
        })
}

async fn list(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let views: Vec<Value> = views_of(&state.org.schema(), &object)
        .iter()
        .map(|view| view.info(&v))
        .collect();
    Ok(axum::Json(json!({
        "done": true,
        "listviews": views,
        "nextRecordsUrl": null,
        "size": views.len(),
        "sobjectType": object.name,
    }))
    .into_response())
}

async fn one(
    State(state): State<AppState>,
    Path((v, object, id)): Path<(String, String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    Ok(axum::Json(view_of(&state, &object, &id)?.info(&v)).into_response())
}

async fn describe(
    State(state): State<AppState>,
    Path((v, object, id)): Path<(String, String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let view = view_of(&state, &object, &id)?;
    let where_condition = match view.def.filter {
        Some((field, _, value)) => json!({
            "field": field,
            "operator": "equals",
            "values": [value],
        }),
        None => json!({ "conditions": [], "conjunction": "and" }),
    };
    Ok(axum::Json(json!({
        "columns": column_describes(&state.org.schema_for(&session.user_id), &object, &view),
        "id": view.id,
        "orderBy": [
            { "fieldNameOrPath": view.order_field(), "nullsPosition": "first", "sortDirection": "ascending" },
            { "fieldNameOrPath": "Id", "nullsPosition": "first", "sortDirection": "ascending" },
        ],
        "query": view.query(&object, &session.user_id),
        "relatedEntityId": null,
        "scope": if view.def.scope == Scope::Mine { "mine" } else { "everything" },
        "scopeEntityId": null,
        "sobjectType": object.name,
        "whereCondition": where_condition,
    }))
    .into_response())
}

#[derive(Deserialize)]
struct Page {
    limit: Option<usize>,
    offset: Option<usize>,
}

async fn results(
    State(state): State<AppState>,
    Path((v, object, id)): Path<(String, String, String)>,
    Query(page): Query<Page>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let view = view_of(&state, &object, &id)?;
    let limit = page.limit.unwrap_or(DEFAULT_ROWS).clamp(1, MAX_ROWS);
    let offset = page.offset.unwrap_or(0);
    let columns = column_describes(&state.org.schema_for(&session.user_id), &object, &view);
    let (view_id, developer_name, label) =
        (view.id.clone(), view.def.developer_name, view.def.label);
    let org = state.org.clone();
    let (records, total) = tokio::task::spawn_blocking(move || -> Result<_, SfError> {
        let plan = view.plan(
            &org.schema_for(&session.user_id),
            &session.user_id,
            Utc::now(),
        )?;
        let ids = soql::matching_ids(&plan, &org.store, false)?;
        let Output::Records(plan_columns) = &plan.output else {
            return Ok((Vec::new(), 0));
        };
        let page_ids: Vec<String> = ids.iter().skip(offset).take(limit).cloned().collect();
        let mut lookups = Lookups::new(&org.store);
        let rows: Vec<Value> = org
            .store
            .get_many(&page_ids)
            .iter()
            .map(|record| row(plan_columns, record, &mut lookups))
            .collect();
        Ok((rows, ids.len()))
    })
    .await
    .map_err(|e| {
        tracing::error!("list view task failed: {e}");
        ApiError::from(SfError::unknown_exception())
    })??;
    Ok(axum::Json(json!({
        "columns": columns,
        "developerName": developer_name,
        "done": offset + records.len() >= total,
        "id": view_id,
        "label": label,
        "records": records,
        "size": total,
    }))
    .into_response())
}

/// One result row: `{"columns": [{"fieldNameOrPath", "value"}]}`, values as the list shows them.
fn row(columns: &[Column], record: &crate::store::Record, lookups: &mut Lookups<'_>) -> Value {
    let values = soql::column_values(columns, record, lookups);
    let cells: Vec<Value> = columns
        .iter()
        .zip(values)
        .map(|(column, value)| {
            json!({
                "fieldNameOrPath": column.path.dotted(),
                "value": shown(column.path.kind, value),
            })
        })
        .collect();
    json!({ "columns": cells })
}

/// List views answer every value as text; date-times as `Fri Aug 01 21:15:46 GMT 2014`.
fn shown(kind: FieldType, value: Value) -> Value {
    match value {
        Value::Null => Value::Null,
        Value::String(s) if kind == FieldType::DateTime => parse_datetime(&s)
            .map(|t| Value::String(t.format("%a %b %d %H:%M:%S GMT %Y").to_string()))
            .unwrap_or(Value::String(s)),
        Value::String(s) => Value::String(s),
        other => Value::String(other.to_string()),
    }
}

fn column_describes(schema: &Schema, object: &ObjectSchema, view: &ListView) -> Vec<Value> {
    let visible = view.columns.len();
    view.all_columns()
        .enumerate()
        .map(|(i, path)| {
            let hidden = i >= visible;
            let (label, kind) = label_and_type(schema, object, path);
            let (ascending, descending) = match kind {
                _ if hidden => (None, None),
                FieldType::Picklist => (Some("Low to High"), Some("High to Low")),
                k if k.is_number() || k == FieldType::Phone => (Some("9-0"), Some("0-9")),
                FieldType::Date | FieldType::DateTime => (Some("New to Old"), Some("Old to New")),
                _ => (Some("Z-A"), Some("A-Z")),
            };
            let first = i == 0;
            json!({
                "ascendingLabel": ascending,
                "descendingLabel": descending,
                "fieldNameOrPath": path,
                "hidden": hidden,
                "label": label,
                "selectListItem": if kind == FieldType::Picklist { format!("toLabel({path})") } else { path.to_string() },
                "sortDirection": if first { Some("ascending") } else { None },
                "sortIndex": if first { Some(0) } else { None },
                "sortable": !hidden,
                "type": kind.as_str(),
            })
        })
        .collect()
}

/// `Owner.Alias` on Account is labelled "Account Owner Alias", as the org labels it.
fn label_and_type(schema: &Schema, object: &ObjectSchema, path: &str) -> (String, FieldType) {
    let mut current = object;
    let mut prefix = Vec::new();
    let parts: Vec<&str> = path.split('.').collect();
    for hop in &parts[..parts.len() - 1] {
        let Some(lookup) = current.relationship(hop) else {
            break;
        };
        prefix.push(if *hop == "Owner" {
            format!("{} Owner", current.label)
        } else {
            lookup.label.trim_end_matches(" ID").to_string()
        });
        match lookup.reference_to.first().and_then(|r| schema.object(r)) {
            Some(next) => current = next,
            None => break,
        }
    }
    let last = parts.last().copied().unwrap_or(path);
    match current.field(last) {
        Some(field) => {
            prefix.push(field.label.clone());
            (prefix.join(" "), field.kind)
        }
        None => (path.to_string(), FieldType::String),
    }
}
