//! Suggests which local column goes with which Salesforce field, from names alone.
//!
//! Pure and independent of links: the mapping studio feeds it a table's columns, the
//! spreadsheet import feeds it a sheet's headers. Names are compared without case,
//! underscores, spaces or a custom field's `__c` suffix, first by API name, then by label,
//! then through common synonyms (`zip` for a postal code, `telephone` for a phone).
//! Each field and each column is used at most once, best matches first.

use std::collections::BTreeSet;

/// What auto-match needs to know about a Salesforce field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldFacts {
    /// The API name, e.g. `AnnualRevenue` or `Health_Score__c`.
    pub name: String,
    pub label: String,
    /// Neither createable nor updateable: it can only be pulled.
    pub read_only: bool,
}

impl FieldFacts {
    pub fn new(name: &str, label: &str, read_only: bool) -> FieldFacts {
        FieldFacts {
            name: name.to_string(),
            label: label.to_string(),
            read_only,
        }
    }
}

/// Which way the matched values will flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Values are only sent to Salesforce (e.g. a spreadsheet import): read-only fields are
    /// never offered.
    Push,
    /// Values flow both ways; a read-only field is matched as pull only.
    Sync,
}

/// One suggested pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pub column: String,
    pub field: String,
    /// From 0 to 1: how sure the match is.
    pub confidence: f32,
    /// Why, in words a person reads, e.g. "same label (Annual Revenue)".
    pub reason: String,
    /// The field is read-only in Salesforce: map it as pull only.
    pub pull_only: bool,
}

const SAME_NAME: f32 = 1.0;
const SAME_LABEL: f32 = 0.95;
const SYNONYM: f32 = 0.8;
const WITHOUT_PREFIX: f32 = 0.7;

/// Words that mean the same thing in a column name or field name, normalised (lowercase,
/// letters and digits only). The first word of each group names it in reasons.
const SYNONYMS: &[&[&str]] = &[
    &[
        "phone",
        "telephone",
        "tel",
        "phonenumber",
        "phoneno",
        "telephonenumber",
    ],
    &["mobilephone", "mobile", "cell", "cellphone", "mobilenumber"],
    &["annualrevenue", "revenue", "yearlyrevenue", "turnover"],
    &[
        "name",
        "accountname",
        "company",
        "companyname",
        "organization",
        "organisation",
    ],
    &["email", "emailaddress", "mail", "email1"],
    &["postalcode", "zip", "zipcode", "postcode", "zippostalcode"],
    &["website", "web", "url", "homepage", "webaddress"],
    &[
        "numberofemployees",
        "employees",
        "headcount",
        "employeecount",
        "staff",
    ],
    &["industry", "sector", "vertical"],
    &["street", "address", "streetaddress", "address1"],
    &["state", "province", "stateprovince", "region"],
    &["country", "nation"],
    &["city", "town"],
    &["firstname", "givenname", "forename"],
    &["lastname", "surname", "familyname"],
    &["title", "jobtitle", "position"],
    &["description", "notes", "note", "comments", "comment"],
    &["fax", "faxnumber"],
    &["stagename", "stage", "dealstage", "salesstage"],
    &[
        "closedate",
        "closingdate",
        "expectedclose",
        "expectedclosedate",
        "closedon",
    ],
    &["amount", "dealvalue", "dealamount", "dealsize", "value"],
    &["opportunityname", "dealname", "deal", "opportunity", "name"],
];

/// Prefixes of compound-address parts, in the order a bare `city` prefers them.
const ADDRESS_PREFIXES: &[&str] = &["billing", "mailing", "shipping", "other"];

/// Lowercase letters and digits only, without a trailing `__c`.
pub fn normalise(name: &str) -> String {
    let trimmed = name.trim();
    let base = match trimmed.len().checked_sub(3) {
        Some(cut)
            if trimmed.is_char_boundary(cut) && trimmed[cut..].eq_ignore_ascii_case("__c") =>
        {
            &trimmed[..cut]
        }
        _ => trimmed,
    };
    base.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn synonym_group(word: &str) -> Option<&'static [&'static str]> {
    SYNONYMS.iter().copied().find(|group| group.contains(&word))
}

/// How well one column fits one field, with the reason; `None` when it does not.
fn score(column: &str, field: &FieldFacts) -> Option<(f32, String)> {
    let col = normalise(column);
    if col.is_empty() {
        return None;
    }
    let name = normalise(&field.name);
    let label = normalise(&field.label);
    if col == name {
        return Some((SAME_NAME, "same API name".to_string()));
    }
    if !label.is_empty() && col == label {
        return Some((SAME_LABEL, format!("same label ({})", field.label)));
    }
    if let Some(group) = synonym_group(&col)
        && (group.contains(&name.as_str()) || group.contains(&label.as_str()))
    {
        return Some((SYNONYM, format!("{column} is a synonym of {}", field.label)));
    }
    for (rank, prefix) in ADDRESS_PREFIXES.iter().enumerate() {
        let Some(part) = name.strip_prefix(prefix) else {
            continue;
        };
        let same = part == col || synonym_group(&col).is_some_and(|g| g.contains(&part));
        if same && !part.is_empty() {
            // Billing before mailing before shipping, when one column could be any of them.
            let confidence = WITHOUT_PREFIX - rank as f32 * 0.01;
            return Some((
                confidence,
                format!("{column} matches {} without its prefix", field.name),
            ));
        }
    }
    None
}

/// The best pairs of `columns` and `fields`, each used at most once, in column order.
/// Under [`Purpose::Push`], read-only fields are left out.
pub fn auto_match<S: AsRef<str>>(
    columns: &[S],
    fields: &[FieldFacts],
    purpose: Purpose,
) -> Vec<Match> {
    let mut candidates = Vec::new();
    for (ci, column) in columns.iter().enumerate() {
        for (fi, field) in fields.iter().enumerate() {
            if purpose == Purpose::Push && field.read_only {
                continue;
            }
            if let Some((confidence, reason)) = score(column.as_ref(), field) {
                candidates.push((confidence, ci, fi, reason));
            }
        }
    }
    // Best first; ties keep column then field order, so the result is stable.
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut used_columns = BTreeSet::new();
    let mut used_fields = BTreeSet::new();
    let mut chosen = Vec::new();
    for (confidence, ci, fi, reason) in candidates {
        let field_key = normalise(&fields[fi].name);
        if used_columns.contains(&ci) || used_fields.contains(&field_key) {
            continue;
        }
        used_columns.insert(ci);
        used_fields.insert(field_key);
        chosen.push((
            ci,
            Match {
                column: columns[ci].as_ref().to_string(),
                field: fields[fi].name.clone(),
                confidence,
                reason,
                pull_only: fields[fi].read_only,
            },
        ));
    }
    chosen.sort_by_key(|(ci, _)| *ci);
    chosen.into_iter().map(|(_, m)| m).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account_fields() -> Vec<FieldFacts> {
        vec![
            FieldFacts::new("Id", "Account ID", true),
            FieldFacts::new("Name", "Account Name", false),
            FieldFacts::new("Phone", "Account Phone", false),
            FieldFacts::new("AnnualRevenue", "Annual Revenue", false),
            FieldFacts::new("Industry", "Industry", false),
            FieldFacts::new("BillingCity", "Billing City", false),
            FieldFacts::new("ShippingCity", "Shipping City", false),
            FieldFacts::new("BillingPostalCode", "Billing Zip/Postal Code", false),
            FieldFacts::new("NumberOfEmployees", "Employees", false),
            FieldFacts::new("Health_Score__c", "Health Score", false),
            FieldFacts::new("Website", "Website", false),
            FieldFacts::new("LastModifiedDate", "Last Modified Date", true),
        ]
    }

    fn pairs(columns: &[&str], purpose: Purpose) -> Vec<(String, String)> {
        auto_match(columns, &account_fields(), purpose)
            .into_iter()
            .map(|m| (m.column, m.field))
            .collect()
    }

    #[test]
    fn single_columns_find_their_field() {
        let cases: &[(&str, Option<&str>)] = &[
            ("name", Some("Name")),
            ("NAME", Some("Name")),
            ("company", Some("Name")),
            ("account_name", Some("Name")),
            ("telephone", Some("Phone")),
            ("phone_number", Some("Phone")),
            ("revenue", Some("AnnualRevenue")),
            ("annual_revenue", Some("AnnualRevenue")),
            ("Annual Revenue", Some("AnnualRevenue")),
            ("industry", Some("Industry")),
            ("sector", Some("Industry")),
            ("health_score", Some("Health_Score__c")),
            ("health_score__c", Some("Health_Score__c")),
            ("zip", Some("BillingPostalCode")),
            ("postal_code", Some("BillingPostalCode")),
            ("city", Some("BillingCity")),
            ("shipping_city", Some("ShippingCity")),
            ("employees", Some("NumberOfEmployees")),
            ("headcount", Some("NumberOfEmployees")),
            ("url", Some("Website")),
            ("favourite_colour", None),
            ("", None),
            ("__c", None),
        ];
        for (column, expected) in cases {
            let got = pairs(&[column], Purpose::Sync);
            let got = got.first().map(|(_, f)| f.as_str());
            assert_eq!(got, *expected, "column {column:?}");
        }
    }

    #[test]
    fn confidence_and_reason_say_how_the_match_was_made() {
        let cases: &[(&str, f32, &str)] = &[
            ("annualrevenue", SAME_NAME, "same API name"),
            ("annual_revenue", SAME_NAME, "same API name"),
            ("account_phone", SAME_LABEL, "same label (Account Phone)"),
            (
                "telephone",
                SYNONYM,
                "telephone is a synonym of Account Phone",
            ),
            (
                "city",
                WITHOUT_PREFIX,
                "city matches BillingCity without its prefix",
            ),
        ];
        for (column, confidence, reason) in cases {
            let found = auto_match(&[column], &account_fields(), Purpose::Sync);
            assert_eq!(found.len(), 1, "{column}");
            assert_eq!(found[0].confidence, *confidence, "{column}");
            assert_eq!(found[0].reason, *reason, "{column}");
        }
    }

    #[test]
    fn a_field_is_never_mapped_twice_and_the_better_column_wins() {
        // `phone` is the API name; `telephone` only a synonym, listed first.
        let got = pairs(&["telephone", "phone", "company", "name"], Purpose::Sync);
        assert_eq!(
            got,
            vec![
                ("phone".to_string(), "Phone".to_string()),
                ("name".to_string(), "Name".to_string()),
            ]
        );
    }

    #[test]
    fn read_only_fields_are_skipped_for_push_and_pull_only_for_sync() {
        let columns = ["last_modified_date", "name"];
        let push = pairs(&columns, Purpose::Push);
        assert_eq!(push, vec![("name".to_string(), "Name".to_string())]);
        let sync = auto_match(&columns, &account_fields(), Purpose::Sync);
        assert_eq!(sync.len(), 2);
        assert_eq!(sync[0].field, "LastModifiedDate");
        assert!(sync[0].pull_only);
        assert!(!sync[1].pull_only);
    }

    #[test]
    fn results_follow_column_order() {
        let got = pairs(&["website", "id_local", "revenue", "name"], Purpose::Push);
        let columns: Vec<&str> = got.iter().map(|(c, _)| c.as_str()).collect();
        assert_eq!(columns, ["website", "revenue", "name"]);
    }

    #[test]
    fn normalising_ignores_case_separators_and_the_custom_suffix() {
        let cases = [
            ("Health_Score__c", "healthscore"),
            ("health score", "healthscore"),
            ("E-Mail", "email"),
            ("  Zip/Postal Code ", "zippostalcode"),
            ("Ünïcode__C", "ünïcode"),
            ("c", "c"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalise(input), expected, "{input}");
        }
    }
}
