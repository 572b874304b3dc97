//! The custom fields the shipped templates push, as their source documents define them: what
//! "Set up Salesforce for this template" creates, and what a link from a template is given
//! in place of specs guessed from its table.

use super::spec::{FieldSpec, FieldType};

/// `(object, spec)` of every custom field the template's links need; empty for a template
/// that needs none, or an unknown name.
pub fn fields(template: &str) -> Vec<(&'static str, FieldSpec)> {
    match template {
        "customer-health" => customer_health(),
        "lead-scores" => lead_scores(),
        "service-customers" => service_customers(),
        _ => Vec::new(),
    }
}

/// The spec a template gives `object.field`, from whichever template pushes it.
pub fn known(object: &str, field: &str) -> Option<FieldSpec> {
    crate::sync::templates::all()
        .iter()
        .flat_map(|t| fields(t.name))
        .find(|(o, spec)| {
            o.eq_ignore_ascii_case(object) && spec.api_name.eq_ignore_ascii_case(field)
        })
        .map(|(_, spec)| spec)
}

fn labelled(spec: FieldSpec, label: &str) -> FieldSpec {
    FieldSpec {
        label: label.to_string(),
        ..spec
    }
}

fn customer_health() -> Vec<(&'static str, FieldSpec)> {
    vec![
        (
            "Account",
            FieldSpec::number("Health_Score__c", FieldType::Number, 5, 2)
                .described("The customer's latest health score, 0-100, pushed by Tether."),
        ),
        (
            "Account",
            FieldSpec::picklist("Health_Trend__c", &["Growing", "Stable", "Declining"])
                .described("Growing or Declining when the two latest health scores differ by five points or more, pushed by Tether."),
        ),
    ]
}

fn lead_scores() -> Vec<(&'static str, FieldSpec)> {
    let lead = |spec: FieldSpec| ("Lead", spec.described("Lead score, pushed by Tether."));
    vec![
        lead(FieldSpec::text("Lead_Score_Tier__c", 50)),
        lead(FieldSpec::text("Lead_Tier_Display__c", 100)),
        lead(FieldSpec::text("Expected_Conversion__c", 20)),
        lead(FieldSpec::text("Expected_Lift__c", 20)),
        lead(FieldSpec::number(
            "Lead_Priority_Rank__c",
            FieldType::Number,
            10,
            0,
        )),
        lead(FieldSpec::text("Lead_Action__c", 255)),
        lead(FieldSpec {
            length: Some(32_768),
            ..FieldSpec::new("Lead_Score_Explanation__c", FieldType::LongTextArea)
        }),
        lead(FieldSpec::text("Lead_Model_Version__c", 20)),
        lead(FieldSpec::new("Lead_Scored_At__c", FieldType::DateTime)),
        lead(labelled(
            FieldSpec::number("V4_Score__c", FieldType::Number, 10, 6),
            "V4 Score",
        )),
        lead(labelled(
            FieldSpec::number("V4_Score_Percentile__c", FieldType::Number, 3, 0),
            "V4 Score Percentile",
        )),
        lead(labelled(
            FieldSpec::new("V4_Deprioritize__c", FieldType::Checkbox),
            "V4 Deprioritize",
        )),
        lead(labelled(
            FieldSpec::text("V4_Model_Version__c", 20),
            "V4 Model Version",
        )),
        lead(labelled(
            FieldSpec::new("V4_Scored_At__c", FieldType::DateTime),
            "V4 Scored At",
        )),
    ]
}

fn service_customers() -> Vec<(&'static str, FieldSpec)> {
    let from_st = "From ServiceTitan, pushed by Tether.";
    let account = |spec: FieldSpec| ("Account", spec.described(from_st));
    let contact = |spec: FieldSpec| ("Contact", spec.described(from_st));
    vec![
        account(labelled(
            FieldSpec::text("ServiceTitan_Account_Id__c", 50).key(),
            "ServiceTitan Account ID",
        )),
        account(FieldSpec::number(
            "Account_Balance__c",
            FieldType::Currency,
            16,
            2,
        )),
        account(FieldSpec::number(
            "Lifetime_Value__c",
            FieldType::Currency,
            16,
            2,
        )),
        account(FieldSpec::picklist(
            "Customer_Segment__c",
            &["VIP", "High Value", "Standard", "At Risk", "Churning"],
        )),
        contact(labelled(
            FieldSpec::text("ServiceTitan_Customer_Id__c", 50).key(),
            "ServiceTitan Customer ID",
        )),
        contact(labelled(
            FieldSpec::number("ServiceTitan_Tenant_Id__c", FieldType::Number, 18, 0),
            "ServiceTitan Tenant ID",
        )),
        contact(FieldSpec::new("Active__c", FieldType::Checkbox)),
        contact(FieldSpec::new("Do_Not_Service__c", FieldType::Checkbox)),
        contact(FieldSpec::number("Total_Jobs__c", FieldType::Number, 8, 0)),
        contact(FieldSpec::number(
            "Completed_Jobs__c",
            FieldType::Number,
            8,
            0,
        )),
        contact(FieldSpec::new("First_Service_Date__c", FieldType::Date)),
        contact(FieldSpec::new("Last_Service_Date__c", FieldType::Date)),
        contact(labelled(
            FieldSpec::new("ServiceTitan_Last_Modified__c", FieldType::DateTime),
            "ServiceTitan Last Modified",
        )),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::link::MatchKey;

    /// Every custom field a template's links push or match on has a spec, and each passes the
    /// checks Salesforce applies.
    #[test]
    fn every_custom_field_of_every_template_has_a_valid_spec() {
        for template in crate::sync::templates::all() {
            let specs = fields(template.name);
            for link in (template.links)("c") {
                let mut needed: Vec<(String, String)> = link
                    .fields
                    .iter()
                    .map(|f| match f.parent_reference() {
                        Some((relationship, field)) => {
                            (relationship.to_string(), field.to_string())
                        }
                        None => (link.object.clone(), f.remote.clone()),
                    })
                    .collect();
                if let MatchKey::ExternalId { field, .. } = &link.match_on {
                    needed.push((link.object.clone(), field.clone()));
                }
                for (object, field) in needed.into_iter().filter(|(_, f)| f.ends_with("__c")) {
                    let spec = specs
                        .iter()
                        .find(|(o, s)| *o == object && s.api_name == field)
                        .map(|(_, s)| s)
                        .unwrap_or_else(|| {
                            panic!("{}: no spec for {object}.{field}", template.name)
                        });
                    spec.check()
                        .unwrap_or_else(|e| panic!("{}: {e}", template.name));
                }
            }
            for (_, spec) in &specs {
                spec.check()
                    .unwrap_or_else(|e| panic!("{}: {e}", template.name));
            }
        }
    }

    #[test]
    fn the_documents_shapes_are_kept() {
        let cases = [
            (
                "Account",
                "Health_Score__c",
                "Health Score (Health_Score__c): Number(5, 2)",
            ),
            (
                "Account",
                "Health_Trend__c",
                "Health Trend (Health_Trend__c): Picklist [Growing, Stable, Declining]",
            ),
            (
                "Account",
                "ServiceTitan_Account_Id__c",
                "ServiceTitan Account ID (ServiceTitan_Account_Id__c): Text(50), external id, unique",
            ),
            (
                "Contact",
                "ServiceTitan_Customer_Id__c",
                "ServiceTitan Customer ID (ServiceTitan_Customer_Id__c): Text(50), external id, unique",
            ),
            (
                "Lead",
                "V4_Deprioritize__c",
                "V4 Deprioritize (V4_Deprioritize__c): Checkbox",
            ),
        ];
        for (object, field, expected) in cases {
            let spec = known(object, field).unwrap_or_else(|| panic!("{object}.{field}"));
            assert_eq!(spec.summary(), expected);
        }
    }
}
