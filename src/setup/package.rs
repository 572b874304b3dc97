//! What a user who may not customise the org hands to one who may: a Metadata API package
//! (deployable as it is with the Salesforce CLI or Workbench) and the same changes as Setup
//! steps to follow by hand.

use std::fmt::Write as _;
use std::io::Write as _;

use serde_json::Value;

use super::plan::{PERMISSION_SET, PERMISSION_SET_DESCRIPTION, PERMISSION_SET_LABEL, SetupPlan};
use super::spec::FieldType;

const NAMESPACE: &str = "http://soap.sforce.com/2006/04/metadata";
/// The Metadata API version the package declares.
pub const PACKAGE_API_VERSION: &str = "62.0";

/// The package's files by path inside the zip: `package.xml`, `objects/<Object>.object` and
/// `permissionsets/Tether_Sync.permissionset`.
pub fn package_files(plan: &SetupPlan) -> Vec<(String, String)> {
    let mut files = vec![("package.xml".to_string(), package_xml(plan))];
    for object in plan.objects() {
        let mut body = String::new();
        for field in plan.fields.iter().filter(|f| f.object == object) {
            let mut fields = serde_json::Map::new();
            fields.insert("fullName".into(), Value::from(field.spec.api_name.clone()));
            if let Value::Object(metadata) = field.spec.metadata() {
                fields.extend(metadata);
            }
            element(&mut body, "fields", &Value::Object(fields), 1);
        }
        files.push((
            format!("objects/{object}.object"),
            document("CustomObject", &body),
        ));
    }
    let mut body = String::new();
    element(
        &mut body,
        "description",
        &Value::from(PERMISSION_SET_DESCRIPTION),
        1,
    );
    for field in &plan.fields {
        let grant = serde_json::json!({
            "editable": true,
            "field": field.full_name(),
            "readable": true,
        });
        element(&mut body, "fieldPermissions", &grant, 1);
    }
    element(&mut body, "hasActivationRequired", &Value::from(false), 1);
    element(&mut body, "label", &Value::from(PERMISSION_SET_LABEL), 1);
    files.push((
        format!("permissionsets/{PERMISSION_SET}.permissionset"),
        document("PermissionSet", &body),
    ));
    files
}

/// The package as a zip, ready to deploy.
pub fn package_zip(plan: &SetupPlan) -> std::io::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (path, text) in package_files(plan) {
        zip.start_file(path, options)
            .map_err(std::io::Error::other)?;
        zip.write_all(text.as_bytes())?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

fn package_xml(plan: &SetupPlan) -> String {
    let mut body = String::new();
    let members: Vec<Value> = plan
        .fields
        .iter()
        .map(|f| Value::from(f.full_name()))
        .collect();
    element(
        &mut body,
        "types",
        &serde_json::json!({ "members": members, "name": "CustomField" }),
        1,
    );
    element(
        &mut body,
        "types",
        &serde_json::json!({ "members": PERMISSION_SET, "name": "PermissionSet" }),
        1,
    );
    element(&mut body, "version", &Value::from(PACKAGE_API_VERSION), 1);
    document("Package", &body)
}

fn document(root: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"{NAMESPACE}\">\n{body}</{root}>\n"
    )
}

/// Writes `value` as the element `name`: objects as nested elements (in key order, as the
/// Metadata API writes them), lists as the element repeated.
fn element(out: &mut String, name: &str, value: &Value, depth: usize) {
    let indent = "    ".repeat(depth);
    match value {
        Value::Array(items) => {
            for item in items {
                element(out, name, item, depth);
            }
        }
        Value::Object(map) => {
            let _ = writeln!(out, "{indent}<{name}>");
            for (key, inner) in map {
                element(out, key, inner, depth + 1);
            }
            let _ = writeln!(out, "{indent}</{name}>");
        }
        Value::Null => {}
        Value::String(s) => {
            let _ = writeln!(out, "{indent}<{name}>{}</{name}>", escape(s));
        }
        other => {
            let _ = writeln!(out, "{indent}<{name}>{other}</{name}>");
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Setup's own words for a type, as its New Field wizard lists them.
fn setup_type_name(field_type: FieldType) -> &'static str {
    match field_type {
        FieldType::Text => "Text",
        FieldType::TextArea => "Text Area",
        FieldType::LongTextArea => "Text Area (Long)",
        FieldType::Number => "Number",
        FieldType::Currency => "Currency",
        FieldType::Percent => "Percent",
        FieldType::Checkbox => "Checkbox",
        FieldType::Date => "Date",
        FieldType::DateTime => "Date/Time",
        FieldType::Email => "Email",
        FieldType::Phone => "Phone",
        FieldType::Url => "URL",
        FieldType::Picklist => "Picklist",
        FieldType::MultiselectPicklist => "Picklist (Multi-Select)",
    }
}

/// The same changes as steps in Setup, for an admin without the Salesforce CLI.
pub fn setup_steps(plan: &SetupPlan) -> String {
    let mut out = String::new();
    let mut n = 0;
    let mut step = |out: &mut String, text: String| {
        n += 1;
        let _ = writeln!(out, "{n}. {text}");
    };
    for object in plan.objects() {
        for field in plan.fields.iter().filter(|f| f.object == object) {
            let spec = &field.spec;
            let mut shape = Vec::new();
            if let Some(length) = spec.length {
                shape.push(format!("Length {length}"));
            }
            if let (Some(precision), scale) = (spec.precision, spec.scale.unwrap_or(0)) {
                shape.push(format!(
                    "Length {} and Decimal Places {scale}",
                    precision - scale.min(precision)
                ));
            }
            if !spec.picklist_values.is_empty() {
                shape.push(format!(
                    "values (one per line, restricted) {}",
                    spec.values().collect::<Vec<_>>().join(" / ")
                ));
            }
            if spec.external_id {
                shape.push("tick External ID".into());
            }
            if spec.unique {
                shape.push("tick Unique".into());
            }
            if !spec.description.is_empty() {
                shape.push(format!("Description \"{}\"", spec.description));
            }
            let shape = if shape.is_empty() {
                String::new()
            } else {
                format!("; {}", shape.join("; "))
            };
            step(
                &mut out,
                format!(
                    "Setup → Object Manager → {object} → Fields & Relationships → New: Data Type {}, Field Label \"{}\", Field Name {}{shape}. On the security step, leave every profile unticked; Save.",
                    setup_type_name(spec.field_type),
                    spec.label,
                    spec.api_name.trim_end_matches("__c"),
                ),
            );
        }
    }
    step(
        &mut out,
        format!(
            "Setup → Permission Sets → New (or open \"{PERMISSION_SET_LABEL}\" if it exists): Label \"{PERMISSION_SET_LABEL}\", API Name {PERMISSION_SET}; Save."
        ),
    );
    for object in plan.objects() {
        let names: Vec<&str> = plan
            .fields
            .iter()
            .filter(|f| f.object == object)
            .map(|f| f.spec.api_name.as_str())
            .collect();
        step(
            &mut out,
            format!(
                "In {PERMISSION_SET_LABEL}: Object Settings → {object} → Edit: tick Read Access and Edit Access for {}; Save.",
                names.join(", ")
            ),
        );
    }
    step(
        &mut out,
        format!(
            "In {PERMISSION_SET_LABEL}: Manage Assignments → Add Assignment: the user Tether signs in as; Assign."
        ),
    );
    let _ = writeln!(
        out,
        "Or deploy the package in one step: `sf project deploy start --metadata-dir <the unzipped package>` (or Workbench → Migration → Deploy, the zip as it is)."
    );
    out
}
