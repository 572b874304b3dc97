//! `/sobjects/X/describe/layouts` (and `/layouts/{recordTypeId}`), `/describe/compactLayouts`
//! and `/describe/approvalLayouts`: the page layouts a record view draws, built from the
//! object's describe so that every field they show exists and carries its own describe.

use std::collections::HashSet;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::auth::Session;
use super::rest::object_of;
use super::{AppState, api_version};
use crate::error::{ApiError, ApiResult};
use crate::ids;
use crate::schema::{FieldDef, ObjectSchema, Schema};

mod sections;

use sections::{SectionSpec, standard_related_lists, standard_sections, system_section};

/// The record type every object has when it has no others.
pub const MASTER_RECORD_TYPE_ID: &str = "012000000000000AAA";

pub fn routes() -> Router<AppState> {
    let mut r = Router::new();
    for (path, route) in [
        (
            "/services/data/{v}/sobjects/{object}/describe/layouts",
            get(layouts),
        ),
        (
            "/services/data/{v}/sobjects/{object}/describe/layouts/{record_type}",
            get(layout_for_record_type),
        ),
        (
            "/services/data/{v}/sobjects/{object}/describe/compactLayouts",
            get(compact_layouts),
        ),
        (
            "/services/data/{v}/sobjects/{object}/describe/compactLayouts/primary",
            get(primary_compact_layout),
        ),
        (
            "/services/data/{v}/sobjects/{object}/describe/approvalLayouts",
            get(approval_layouts),
        ),
    ] {
        r = r
            .route(path, route.clone())
            .route(&format!("{path}/"), route);
    }
    r
}

/// One object's describe, with its field describes by name.
struct Described<'a> {
    object: &'a ObjectSchema,
    schema: &'a Schema,
    fields: Map<String, Value>,
    describe: Value,
    serial: u64,
}

impl<'a> Described<'a> {
    fn new(schema: &'a Schema, object: &'a ObjectSchema, v: &str) -> Described<'a> {
        let describe = object.describe_json(v);
        let fields = describe["fields"]
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|f| Some((f["name"].as_str()?.to_string(), f.clone())))
                    .collect()
            })
            .unwrap_or_default();
        let serial = schema
            .objects()
            .position(|o| o.name == object.name)
            .unwrap_or(0) as u64
            + 1;
        Described {
            object,
            schema,
            fields,
            describe,
            serial,
        }
    }

    fn layout_id(&self) -> String {
        ids::mint("00h", self.serial)
    }

    /// Parts of a compound field (`BillingAddress` → `BillingStreet`…), in describe order.
    fn components(&self, compound: &str) -> Vec<&Value> {
        self.fields
            .values()
            .filter(|f| f["compoundFieldName"] == compound)
            .collect()
    }

    fn label(&self, field: &FieldDef) -> String {
        if field.name == "OwnerId" {
            format!("{} Owner", self.object.label)
        } else if field.kind == crate::schema::FieldType::Reference {
            field.label.trim_end_matches(" ID").to_string()
        } else {
            field.label.clone()
        }
    }

    fn item(&self, field: &FieldDef, tab_order: usize, edit: bool) -> Value {
        let details = self.fields.get(&field.name).cloned().unwrap_or(Value::Null);
        let parts = self.components(&field.name);
        let mut component = json!({
            "details": details,
            "displayLines": if parts.len() > 2 { parts.len() } else { 1 },
            "tabOrder": tab_order,
            "type": "Field",
            "value": field.name,
        });
        if !parts.is_empty() {
            component["components"] = Value::Array(
                parts
                    .iter()
                    .enumerate()
                    .map(|(i, part)| {
                        json!({
                            "details": part,
                            "displayLines": 1,
                            "tabOrder": tab_order + i,
                            "type": "Field",
                            "value": part["name"],
                        })
                    })
                    .collect(),
            );
            component["fieldType"] = json!(field.kind.as_str());
        }
        let required = if parts.is_empty() {
            field.required_on_create()
        } else {
            parts.iter().any(|p| {
                p["createable"] == true && p["nillable"] == false && p["defaultedOnCreate"] == false
            })
        };
        let updateable = field.updateable || parts.iter().any(|p| p["updateable"] == true);
        let createable = field.createable || parts.iter().any(|p| p["createable"] == true);
        json!({
            "editableForNew": edit && createable,
            "editableForUpdate": edit && updateable,
            "label": self.label(field),
            "layoutComponents": [component],
            "placeholder": false,
            "required": edit && required,
        })
    }

    fn placeholder(tab_order: usize) -> Value {
        json!({
            "editableForNew": false,
            "editableForUpdate": false,
            "label": "",
            "layoutComponents": [{ "displayLines": 1, "tabOrder": tab_order, "type": "EmptySpace" }],
            "placeholder": true,
            "required": false,
        })
    }

    /// The sections, as `(heading, fields)`, with only the fields this schema has.
    fn section_fields(&self, edit: bool) -> Vec<(String, Vec<&'a FieldDef>)> {
        let object = self.object;
        let mut placed: HashSet<&str> = HashSet::new();
        let mut out: Vec<(String, Vec<&FieldDef>)> = Vec::new();
        let mut take = |heading: &str, names: &[&str], placed: &mut HashSet<&'a str>| {
            let fields: Vec<&FieldDef> = names
                .iter()
                .filter_map(|n| object.field(n))
                .filter(|f| !placed.contains(f.name.as_str()))
                .collect();
            placed.extend(fields.iter().map(|f| f.name.as_str()));
            if !fields.is_empty() {
                out.push((heading.to_string(), fields));
            }
        };
        let own: Vec<SectionSpec>;
        let specs: &[SectionSpec] = match standard_sections(&object.name) {
            Some(specs) => {
                own = specs;
                &own
            }
            None => &[],
        };
        for (heading, names) in specs {
            take(heading, names, &mut placed);
        }
        let (system_heading, system_names) = system_section();
        let placed_parts: HashSet<String> = placed
            .iter()
            .flat_map(|name| self.components(name))
            .filter_map(|p| p["name"].as_str().map(str::to_string))
            .collect();
        let rest: Vec<&str> = object
            .fields
            .iter()
            .filter(|f| !placed.contains(f.name.as_str()) && !placed_parts.contains(&f.name))
            .filter(|f| specs.is_empty() || f.custom)
            .filter(|f| shown_by_default(self, f))
            .map(|f| f.name.as_str())
            .collect();
        let rest_heading = if specs.is_empty() {
            format!("{} Information", object.label)
        } else {
            "Additional Information".to_string()
        };
        take(&rest_heading, &rest, &mut placed);
        if !edit {
            take(system_heading, system_names, &mut placed);
        }
        out
    }

    fn sections(&self, edit: bool) -> Vec<Value> {
        let layout_id = self.layout_id();
        let mut tab = 1;
        self.section_fields(edit)
            .into_iter()
            .enumerate()
            .map(|(index, (heading, fields))| {
                let columns = if fields.len() == 1 { 1 } else { 2 };
                let rows: Vec<Value> = fields
                    .chunks(columns)
                    .map(|pair| {
                        let mut items: Vec<Value> = pair
                            .iter()
                            .map(|f| {
                                tab += 1;
                                self.item(f, tab, edit)
                            })
                            .collect();
                        while items.len() < columns {
                            tab += 1;
                            items.push(Self::placeholder(tab));
                        }
                        json!({ "layoutItems": items, "numItems": items.len() })
                    })
                    .collect();
                json!({
                    "collapsed": false,
                    "columns": columns,
                    "heading": heading,
                    "layoutRows": rows,
                    "layoutSectionId": ids::mint("01B", self.serial * 32 + index as u64),
                    "parentLayoutId": layout_id,
                    "rows": rows.len(),
                    "tabOrder": "LeftToRight",
                    "useCollapsibleSection": false,
                    "useHeading": true,
                })
            })
            .collect()
    }

    fn related_lists(&self) -> Vec<Value> {
        let children = self.describe["childRelationships"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        standard_related_lists(&self.object.name)
            .iter()
            .filter_map(|(name, columns)| {
                let relation = children.iter().find(|c| c["relationshipName"] == *name)?;
                let child = self.schema.object(relation["childSObject"].as_str()?)?;
                let columns: Vec<Value> = columns
                    .iter()
                    .filter_map(|c| child.field(c))
                    .map(|f| {
                        json!({
                            "field": format!("{}.{}", child.name, f.name),
                            "fieldApiName": f.name,
                            "format": null,
                            "label": f.label,
                            "lookupId": if f.name_field { Some("Id") } else { None },
                            "name": f.name,
                            "sortable": f.sortable,
                        })
                    })
                    .collect();
                let first = columns.first()?["name"].clone();
                Some(json!({
                    "accessLevelRequiredForCreate": null,
                    "buttons": [],
                    "columns": columns,
                    "custom": child.custom,
                    "field": relation["field"],
                    "label": child_label(child),
                    "limitRows": 5,
                    "name": name,
                    "sobject": child.name,
                    "sort": [{ "ascending": true, "column": first }],
                }))
            })
            .collect()
    }

    fn layout(&self) -> Value {
        json!({
            "buttonLayoutSection": { "detailButtons": [] },
            "detailLayoutSections": self.sections(false),
            "editLayoutSections": self.sections(true),
            "feedView": null,
            "highlightsPanelLayoutSection": null,
            "id": self.layout_id(),
            "multirowEditLayoutSections": [],
            "offlineLinks": [],
            "quickActionList": { "quickActionListItems": [] },
            "relatedContent": null,
            "relatedLists": self.related_lists(),
            "saveOptions": [],
        })
    }

    fn record_type_mappings(&self, v: &str) -> Value {
        let picklists: Vec<Value> = self
            .object
            .fields
            .iter()
            .filter(|f| !f.picklist.is_empty())
            .map(|f| {
                json!({
                    "picklistName": f.name,
                    "picklistValues": self.fields.get(&f.name).map(|d| d["picklistValues"].clone()).unwrap_or(json!([])),
                })
            })
            .collect();
        json!([{
            "active": true,
            "available": true,
            "defaultRecordTypeMapping": true,
            "developerName": "Master",
            "layoutId": self.layout_id(),
            "master": true,
            "name": "Master",
            "picklistsForRecordType": picklists,
            "recordTypeId": MASTER_RECORD_TYPE_ID,
            "urls": {
                "layout": format!(
                    "/services/data/{v}/sobjects/{}/describe/layouts/{MASTER_RECORD_TYPE_ID}",
                    self.object.name
                ),
            },
        }])
    }
}

/// Fields a generated section shows: what a user can set, plus the record's name.
fn shown_by_default(described: &Described<'_>, field: &FieldDef) -> bool {
    let details = described.fields.get(&field.name);
    let part_of_compound = details.is_some_and(|d| d["compoundFieldName"].is_string());
    (field.createable || field.updateable || field.name_field || field.kind.is_compound())
        && !part_of_compound
        && !matches!(field.name.as_str(), "CreatedById" | "LastModifiedById")
}

fn child_label(child: &ObjectSchema) -> String {
    child
        .global_json("v60.0")
        .get("labelPlural")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| child.label.clone())
}

async fn layouts(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let schema = state.org.schema_for(&session.user_id);
    let described = Described::new(&schema, &object, &v);
    Ok(axum::Json(json!({
        "layouts": [described.layout()],
        "recordTypeMappings": described.record_type_mappings(&v),
        "recordTypeSelectorRequired": [false],
    }))
    .into_response())
}

async fn layout_for_record_type(
    State(state): State<AppState>,
    Path((v, object, record_type)): Path<(String, String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    if ids::to_18(&record_type).as_deref() != Some(MASTER_RECORD_TYPE_ID) {
        return Err(ApiError::not_found(
            "NOT_FOUND",
            format!(
                "The record type {record_type} does not exist for {}",
                object.name
            ),
        ));
    }
    let schema = state.org.schema_for(&session.user_id);
    let described = Described::new(&schema, &object, &v);
    Ok(axum::Json(described.layout()).into_response())
}

fn compact_layout(described: &Described<'_>) -> Value {
    let object = described.object;
    let names: Vec<&FieldDef> = object
        .fields
        .iter()
        .filter(|f| f.name_field)
        .chain(
            [
                "Phone",
                "Email",
                "Title",
                "AccountId",
                "StageName",
                "Amount",
                "Status",
                "OwnerId",
            ]
            .iter()
            .filter_map(|n| object.field(n)),
        )
        .take(4)
        .collect();
    let items: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, f)| described.item(f, i + 1, false))
        .collect();
    json!({
        "actions": [],
        "fieldItems": items,
        "id": null,
        "imageItems": [],
        "label": "System Default",
        "name": "SYSTEM",
        "objectType": object.name,
    })
}

async fn compact_layouts(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let schema = state.org.schema_for(&session.user_id);
    let described = Described::new(&schema, &object, &v);
    Ok(axum::Json(json!({
        "compactLayouts": [compact_layout(&described)],
        "defaultCompactLayoutId": null,
        "recordTypeCompactLayoutMappings": [{
            "available": true,
            "compactLayoutId": null,
            "compactLayoutName": "SYSTEM",
            "recordTypeId": MASTER_RECORD_TYPE_ID,
            "recordTypeName": "Master",
        }],
    }))
    .into_response())
}

async fn primary_compact_layout(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    let object = object_of(&state, &session.user_id, &object)?;
    let schema = state.org.schema_for(&session.user_id);
    let described = Described::new(&schema, &object, &v);
    Ok(axum::Json(compact_layout(&described)).into_response())
}

async fn approval_layouts(
    State(state): State<AppState>,
    Path((v, object)): Path<(String, String)>,
    session: Session,
) -> ApiResult<Response> {
    api_version(&v)?;
    object_of(&state, &session.user_id, &object)?;
    // No approval processes exist in the sandbox org, so no approval layouts either.
    Ok(axum::Json(json!({ "approvalLayouts": [] })).into_response())
}
