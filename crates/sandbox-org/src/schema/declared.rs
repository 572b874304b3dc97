//! The schema file's declarations: extra objects, and extra fields on any object, each made
//! into describe JSON by cloning a recorded object or field and overriding its keys, so that
//! declared objects and fields carry every key a real describe has.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{FieldType, ObjectSchema, RECORDED_VERSION_PREFIX};

/// The custom-schema file: extra objects, and extra fields on any object.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SchemaFile {
    #[serde(default)]
    pub objects: Vec<CustomObjectSpec>,
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, Vec<CustomFieldSpec>>,
    /// Read and checked by `apps`; named here so that other unknown keys stay refused.
    #[serde(default, rename = "apps")]
    _apps: Vec<serde::de::IgnoredAny>,
    #[serde(default, rename = "users")]
    _users: Vec<serde::de::IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CustomObjectSpec {
    pub name: String,
    pub label: String,
    pub label_plural: String,
    pub key_prefix: String,
    /// Standard objects that have no recorded describe (User) are declared here too.
    #[serde(default = "yes")]
    pub custom: bool,
    /// Standard objects such as User have no Name field of their own to add.
    #[serde(default = "yes")]
    pub name_field: bool,
    /// Objects only the org writes (Organization): clients may read but not create, update or
    /// delete them.
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub fields: Vec<CustomFieldSpec>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CustomFieldSpec {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub length: Option<u32>,
    #[serde(default)]
    pub precision: Option<u32>,
    #[serde(default)]
    pub scale: Option<u32>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default)]
    pub case_sensitive: bool,
    #[serde(default)]
    pub picklist: Vec<String>,
    #[serde(default)]
    pub restricted: bool,
    #[serde(default)]
    pub reference_to: Option<String>,
    #[serde(default)]
    pub relationship_name: Option<String>,
    #[serde(default)]
    pub default_value: Option<Value>,
    /// Read-only fields (formula-like or system-set).
    #[serde(default)]
    pub read_only: bool,
    #[serde(default)]
    pub inline_help_text: Option<String>,
    /// Labels and the default of `picklist`'s values, when they are not the values themselves.
    #[serde(skip)]
    pub picklist_values: Vec<super::PicklistValue>,
}

pub(super) fn clone_global_entry(template: &Value, spec: &CustomObjectSpec) -> Value {
    let mut entry = template.clone();
    let url = |tail: &str| format!("{RECORDED_VERSION_PREFIX}sobjects/{}{}", spec.name, tail);
    if let Value::Object(m) = &mut entry {
        m.insert("name".into(), json!(spec.name));
        m.insert("label".into(), json!(spec.label));
        m.insert("labelPlural".into(), json!(spec.label_plural));
        m.insert("keyPrefix".into(), json!(spec.key_prefix));
        m.insert("custom".into(), json!(spec.custom));
        m.insert("feedEnabled".into(), json!(false));
        m.insert("mergeable".into(), json!(false));
        m.insert(
            "urls".into(),
            json!({
                "rowTemplate": url("/{ID}"),
                "describe": url("/describe"),
                "sobject": url(""),
            }),
        );
    }
    entry
}

/// A describe for a declared object: the recorded Account describe's object keys, with the
/// system fields every object has (cloned from Account's) and no Account-specific metadata.
pub(super) fn clone_object_describe(account: &ObjectSchema, spec: &CustomObjectSpec) -> Value {
    let mut describe = account.describe.clone();
    let url = |tail: &str| format!("{RECORDED_VERSION_PREFIX}sobjects/{}{}", spec.name, tail);
    let mut system = vec![
        "Id",
        "IsDeleted",
        "CreatedDate",
        "CreatedById",
        "LastModifiedDate",
        "LastModifiedById",
        "SystemModstamp",
    ];
    if spec.custom {
        system.insert(1, "OwnerId");
    }
    if spec.name_field {
        system.insert(2, "Name");
    }
    let fields: Vec<Value> = system
        .iter()
        .filter_map(|name| {
            let mut f = account.describe["fields"]
                .as_array()?
                .iter()
                .find(|f| f["name"] == *name)?
                .clone();
            if *name == "Id" {
                f["label"] = json!(format!("{} ID", spec.label));
            }
            if *name == "Name" {
                f["label"] = json!(format!("{} Name", spec.label));
                f["length"] = json!(80);
                f["byteLength"] = json!(240);
                // A person's name (User) is compound: the org writes it from FirstName and
                // LastName, and a client cannot.
                let has = |field: &str| spec.fields.iter().any(|x| x.name == field);
                if has("FirstName") && has("LastName") {
                    f["label"] = json!("Full Name");
                    f["length"] = json!(121);
                    f["byteLength"] = json!(363);
                    f["createable"] = json!(false);
                    f["updateable"] = json!(false);
                }
            }
            Some(f)
        })
        .collect();
    if let Value::Object(m) = &mut describe {
        m.insert("name".into(), json!(spec.name));
        m.insert("label".into(), json!(spec.label));
        m.insert("labelPlural".into(), json!(spec.label_plural));
        m.insert("keyPrefix".into(), json!(spec.key_prefix));
        m.insert("custom".into(), json!(spec.custom));
        for flag in ["createable", "updateable", "deletable", "undeletable"] {
            m.insert(flag.into(), json!(!spec.read_only));
        }
        m.insert("fields".into(), Value::Array(fields));
        m.insert("childRelationships".into(), json!([]));
        m.insert("recordTypeInfos".into(), json!([]));
        m.insert("namedLayoutInfos".into(), json!([]));
        m.insert("actionOverrides".into(), json!([]));
        m.insert("supportedScopes".into(), json!([]));
        m.insert("mergeable".into(), json!(false));
        m.insert("feedEnabled".into(), json!(false));
        m.insert(
            "urls".into(),
            json!({
                "uiEditTemplate": format!("https://sandbox.tether.local/{{ID}}/e"),
                "sobject": url(""),
                "uiDetailTemplate": "https://sandbox.tether.local/{ID}",
                "describe": url("/describe"),
                "rowTemplate": url("/{ID}"),
                "uiNewRecord": format!("https://sandbox.tether.local/{}/e", spec.key_prefix),
            }),
        );
    }
    describe
}

pub(super) fn custom_field_json(
    template: &Value,
    spec: &CustomFieldSpec,
    kind: FieldType,
) -> Value {
    let mut f: Map<String, Value> = template.as_object().cloned().unwrap_or_default();
    let text = kind.is_text() && !matches!(kind, FieldType::Reference | FieldType::Id);
    let length = match kind {
        FieldType::Reference | FieldType::Id => 18,
        FieldType::Textarea => spec.length.unwrap_or(32768),
        FieldType::Picklist | FieldType::Multipicklist => spec.length.unwrap_or(255),
        FieldType::Email | FieldType::Phone => {
            spec.length
                .unwrap_or(if kind == FieldType::Email { 80 } else { 40 })
        }
        FieldType::Url => spec.length.unwrap_or(255),
        _ if text => spec.length.unwrap_or(255),
        _ => 0,
    };
    let (precision, scale) = match kind {
        FieldType::Currency | FieldType::Double | FieldType::Percent => (
            spec.precision.unwrap_or(18),
            spec.scale
                .unwrap_or(if kind == FieldType::Double { 0 } else { 2 }),
        ),
        _ => (0, 0),
    };
    let writable = !spec.read_only;
    let described = |value: &String| {
        spec.picklist_values
            .iter()
            .find(|p| &p.value == value)
            .map_or((value.clone(), false), |p| (p.label.clone(), p.default))
    };
    let picklist: Vec<Value> = spec
        .picklist
        .iter()
        .map(|v| {
            let (label, default) = described(v);
            json!({"active": true, "defaultValue": default, "label": label, "validFor": null, "value": v})
        })
        .collect();
    let defaulted = spec.default_value.is_some() || kind == FieldType::Boolean;
    let mut set = |k: &str, v: Value| {
        f.insert(k.to_string(), v);
    };
    set("name", json!(spec.name));
    set("label", json!(spec.label));
    set("type", json!(kind.as_str()));
    set("soapType", json!(kind.soap_type()));
    set("length", json!(length));
    set("byteLength", json!(length * 3));
    set("precision", json!(precision));
    set("scale", json!(scale));
    set(
        "digits",
        json!(if kind == FieldType::Int {
            spec.precision.unwrap_or(9)
        } else {
            0
        }),
    );
    set("custom", json!(true));
    set(
        "nillable",
        json!(!spec.required && kind != FieldType::Boolean),
    );
    set("createable", json!(writable));
    set("updateable", json!(writable));
    set("calculated", json!(false));
    set("autoNumber", json!(false));
    set("defaultedOnCreate", json!(defaulted));
    set(
        "defaultValue",
        spec.default_value
            .clone()
            .or_else(|| (kind == FieldType::Boolean).then(|| json!(false)))
            .unwrap_or(Value::Null),
    );
    set("unique", json!(spec.unique));
    set("externalId", json!(spec.external_id));
    set("idLookup", json!(spec.external_id || spec.unique));
    set("caseSensitive", json!(spec.case_sensitive));
    set("nameField", json!(false));
    set(
        "filterable",
        json!(kind != FieldType::Textarea || length <= 255),
    );
    set(
        "sortable",
        json!(kind != FieldType::Textarea && kind != FieldType::Multipicklist),
    );
    set(
        "groupable",
        json!(kind.is_text() || kind == FieldType::Boolean || kind == FieldType::Date),
    );
    set("picklistValues", Value::Array(picklist));
    set("restrictedPicklist", json!(spec.restricted));
    set(
        "referenceTo",
        json!(spec.reference_to.iter().collect::<Vec<_>>()),
    );
    set("relationshipName", json!(spec.relationship_name));
    set("inlineHelpText", json!(spec.inline_help_text));
    set("compoundFieldName", Value::Null);
    set("controllerName", Value::Null);
    set("dependentPicklist", json!(false));
    set("htmlFormatted", json!(false));
    set("cascadeDelete", json!(false));
    set("restrictedDelete", json!(false));
    Value::Object(f)
}
