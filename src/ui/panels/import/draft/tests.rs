//! Editing an import mapping by hand.

use super::*;
use std::path::PathBuf;

fn field(name: &str, field_type: &str) -> FieldInfo {
    FieldInfo {
        name: name.into(),
        label: name.into(),
        field_type: field_type.into(),
        length: None,
        required: false,
        external_id: name.ends_with("__c"),
        read_only: false,
        picklist_values: if field_type == "picklist" {
            vec!["Prospecting".into(), "Closed Won".into()]
        } else {
            vec![]
        },
        restricted_picklist: false,
        reference_to: Vec::new(),
    }
}

fn draft() -> Draft {
    let proposal = ImportProposal {
        path: PathBuf::from("deals.csv"),
        connection: "sandbox".into(),
        headers: vec!["Ref".into(), "Stage".into(), "Account".into()],
        fields: vec![
            field("Legacy__c", "string"),
            field("StageName", "picklist"),
            field("AccountId", "reference"),
            field("OwnerId", "reference"),
        ],
        mapping: ImportMapping::new("Opportunity"),
        notes: vec![],
        template: None,
    };
    let preview = FilePreview {
        path: proposal.path.clone(),
        format: String::new(),
        sheets: vec![],
        sheet: None,
        headers: proposal.headers.clone(),
        rows: vec![
            crate::import::Row {
                number: 2,
                cells: vec!["1".into(), "Won".into(), "Acme".into()],
            },
            crate::import::Row {
                number: 3,
                cells: vec!["2".into(), "prospecting".into(), "Acme".into()],
            },
        ],
        more: false,
    };
    Draft::new(&proposal, Some(&preview))
}

#[test]
fn a_reference_field_becomes_a_lookup_of_its_parent() {
    let mut d = draft();
    d.apply(Edit::Map {
        column: "Account".into(),
        field: "AccountId".into(),
    });
    let lookup = &d.mapping().lookups[0];
    assert_eq!(
        (lookup.object.as_str(), lookup.match_on.clone()),
        ("Account", vec!["Name".to_string()])
    );
    assert_eq!(parent_object("OwnerId"), "User");
    assert_eq!(default_match_on("User"), vec!["Name", "Email"]);
}

#[test]
fn a_filled_field_or_used_column_is_refused_with_its_reason() {
    let mut d = draft();
    d.apply(Edit::Map {
        column: "Stage".into(),
        field: "StageName".into(),
    });
    let stage = d.field("StageName").cloned().unwrap();
    let why = d.refusal("Ref", &stage).unwrap();
    assert!(why.contains("already filled from Stage"), "{why}");
    let legacy = d.field("Legacy__c").cloned().unwrap();
    let why = d.refusal("Stage", &legacy).unwrap();
    assert!(why.contains("Stage already fills StageName"), "{why}");
}

#[test]
fn the_value_map_offers_the_samples_the_picklist_refuses_and_sends_the_filled_rows() {
    let mut d = draft();
    d.apply(Edit::Map {
        column: "Stage".into(),
        field: "StageName".into(),
    });
    d.apply(Edit::ToggleValues {
        field: "StageName".into(),
    });
    assert_eq!(
        d.values["StageName"],
        vec![("Won".to_string(), String::new())]
    );
    assert!(
        d.mapping().columns[0].values.is_empty(),
        "blank rows stay out"
    );
    d.apply(Edit::SetValue {
        field: "StageName".into(),
        index: 0,
        from: "Won".into(),
        to: "Closed Won".into(),
    });
    assert_eq!(
        d.mapping().columns[0].values.get("Won").map(String::as_str),
        Some("Closed Won")
    );
}

#[test]
fn the_key_takes_its_field_and_column_from_other_pairs() {
    let mut d = draft();
    d.apply(Edit::Map {
        column: "Ref".into(),
        field: "Legacy__c".into(),
    });
    d.apply(Edit::SetKey {
        column: Some("Ref".into()),
        field: None,
    });
    let mapping = d.mapping();
    assert!(mapping.columns.is_empty());
    assert_eq!(
        mapping.key,
        Some(KeyMapping {
            column: "Ref".into(),
            field: "Legacy__c".into()
        })
    );
    d.apply(Edit::SetKey {
        column: None,
        field: None,
    });
    assert_eq!(d.mapping().key, None);
}

#[test]
fn a_blank_default_is_dropped_and_settings_of_unpaired_fields_change_nothing() {
    let mut d = draft();
    d.apply(Edit::Map {
        column: "Stage".into(),
        field: "StageName".into(),
    });
    d.apply(Edit::SetDefault {
        field: "StageName".into(),
        default: "Prospecting".into(),
    });
    d.apply(Edit::SetKeepUnlisted {
        field: "StageName".into(),
        keep: true,
    });
    let stage = &d.mapping().columns[0];
    assert_eq!(stage.default.as_deref(), Some("Prospecting"));
    assert!(stage.keep_unlisted);
    d.apply(Edit::SetDefault {
        field: "StageName".into(),
        default: "  ".into(),
    });
    assert_eq!(d.mapping().columns[0].default, None);
    let before = d.mapping();
    d.apply(Edit::SetDefault {
        field: "Legacy__c".into(),
        default: "X".into(),
    });
    d.apply(Edit::SetColumnDateFormat {
        field: "Legacy__c".into(),
        format: Some(crate::import::parse::DateFormat::Iso8601),
    });
    assert_eq!(d.mapping(), before);
}

#[test]
fn a_lookups_spellings_from_a_template_are_kept_and_edited() {
    let mut proposal_mapping = ImportMapping::new("Opportunity");
    let mut lookup =
        crate::import::mapping::LookupMapping::new("Account", "AccountId", "Account", &["Name"]);
    lookup.values = [("ACME Crop".to_string(), "Acme Corporation".to_string())].into();
    proposal_mapping.lookups.push(lookup);
    let proposal = ImportProposal {
        path: PathBuf::from("deals.csv"),
        connection: "sandbox".into(),
        headers: vec!["Account".into()],
        fields: vec![field("AccountId", "reference")],
        mapping: proposal_mapping,
        notes: vec![],
        template: None,
    };
    let mut d = Draft::new(&proposal, None);
    assert_eq!(d.mapped_values("AccountId"), 1);
    assert_eq!(
        d.mapping(),
        proposal.mapping,
        "kept as the template had them"
    );

    d.apply(Edit::ToggleValues {
        field: "AccountId".into(),
    });
    assert_eq!(
        d.values["AccountId"].len(),
        1,
        "nothing guessed for a lookup"
    );
    d.apply(Edit::AddValue {
        field: "AccountId".into(),
    });
    d.apply(Edit::SetValue {
        field: "AccountId".into(),
        index: 1,
        from: " Zeta ".into(),
        to: "Zeta Logistics Ltd".into(),
    });
    d.apply(Edit::AddValue {
        field: "AccountId".into(),
    });
    assert_eq!(
        d.mapping().lookups[0].values,
        [
            ("ACME Crop".to_string(), "Acme Corporation".to_string()),
            ("Zeta".to_string(), "Zeta Logistics Ltd".to_string()),
        ]
        .into(),
        "trimmed, and the half-filled row left out"
    );
}

#[test]
fn a_lookups_spellings_offer_what_the_check_could_not_find_once() {
    let mut d = draft();
    d.apply(Edit::Map {
        column: "Account".into(),
        field: "AccountId".into(),
    });
    d.unfound = [(
        "AccountId".to_string(),
        [
            (
                "Acme Crop".to_string(),
                vec!["Acme Corporation".to_string()],
            ),
            ("Globx".to_string(), vec![]),
        ]
        .into(),
    )]
    .into();
    d.apply(Edit::AddValue {
        field: "AccountId".into(),
    });
    d.apply(Edit::SetValue {
        field: "AccountId".into(),
        index: 0,
        from: "globx".into(),
        to: "Globex Inc".into(),
    });
    d.apply(Edit::ToggleValues {
        field: "AccountId".into(),
    });
    let offered: Vec<&str> = d.values["AccountId"]
        .iter()
        .map(|(f, _)| f.as_str())
        .collect();
    assert_eq!(
        offered,
        ["globx", "Acme Crop"],
        "a spelling already mapped is not offered again, whatever its case"
    );
    assert!(
        !d.values.contains_key("StageName"),
        "other maps are left alone"
    );
    assert_eq!(d.near("AccountId", "Acme Crop"), ["Acme Corporation"]);
    assert!(d.near("AccountId", "Globx").is_empty());
}
