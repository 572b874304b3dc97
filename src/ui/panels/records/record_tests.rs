//! The open record's state: what each command sends and how answers land.

use super::record::{Answer, Mode, RecordCommand, RecordView};
use crate::desktop::{Event, RecordEvent, RecordRequest, RecordsEvent, RecordsRequest, Request};
use crate::records_write::read::{FieldShown, RecordPage, Section};
use crate::records_write::write::Written;

fn field(name: &str, text: &str, createable: bool) -> FieldShown {
    FieldShown {
        name: name.into(),
        label: name.into(),
        field_type: "string".into(),
        text: text.into(),
        updateable: createable,
        createable,
        required: false,
        picklist: vec![],
        parent: None,
    }
}

fn opened() -> RecordView {
    let mut out = Vec::new();
    let mut view = RecordView::open(
        "Acme".into(),
        "Account".into(),
        "001000000000001AAA".into(),
        &mut out,
    );
    view.on_event(&Event::Records(RecordsEvent::Record(RecordEvent::Read(
        Box::new(RecordPage {
            object: "Account".into(),
            id: "001000000000001AAA".into(),
            name: "Acme".into(),
            sections: vec![Section {
                heading: "Account Information".into(),
                fields: vec![
                    field("Name", "Acme", true),
                    field("Phone", "", true),
                    field("CreatedDate", "2026-01-01T00:00:00.000Z", false),
                ],
            }],
            related: vec![],
        }),
    ))));
    view
}

fn sent(out: &[Request]) -> Vec<RecordRequest> {
    out.iter()
        .filter_map(|r| match r {
            Request::Records(RecordsRequest::Record(r)) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_clone_starts_a_new_record_from_the_createable_values_that_hold_something() {
    let mut view = opened();
    let mut out = Vec::new();
    view.apply(RecordCommand::Clone, &mut out);
    assert_eq!(
        sent(&out),
        [RecordRequest::NewForm {
            connection: "Acme".into(),
            object: "Account".into()
        }]
    );
    let Mode::Creating { drafts, .. } = &view.mode else {
        panic!("a clone is a new record: {:?}", view.mode);
    };
    assert_eq!(
        drafts.iter().collect::<Vec<_>>(),
        [(&"Name".to_string(), &"Acme".to_string())]
    );
    assert_eq!(view.id, None);
}

#[test]
fn an_edit_sends_only_the_fields_that_changed() {
    let mut view = opened();
    let mut out = Vec::new();
    view.apply(RecordCommand::Edit, &mut out);
    for (field, text) in [("Name", "Acme"), ("Phone", "555-0100")] {
        view.apply(
            RecordCommand::SetDraft {
                field: field.into(),
                text: text.into(),
            },
            &mut out,
        );
    }
    view.apply(RecordCommand::Save, &mut out);
    assert_eq!(
        sent(&out),
        [RecordRequest::Save {
            connection: "Acme".into(),
            object: "Account".into(),
            id: Some("001000000000001AAA".into()),
            edits: vec![("Phone".into(), "555-0100".into())],
        }]
    );
    assert!(view.sending);
}

#[test]
fn a_delete_is_sent_only_once_confirmed_and_its_answer_ends_the_view() {
    let mut view = opened();
    let mut out = Vec::new();
    view.apply(RecordCommand::Delete, &mut out);
    assert!(view.asking_delete);
    assert!(sent(&out).is_empty(), "asking sends nothing");
    view.apply(RecordCommand::KeepRecord, &mut out);
    assert!(!view.asking_delete && sent(&out).is_empty());
    view.apply(RecordCommand::Delete, &mut out);
    view.apply(RecordCommand::ConfirmDelete, &mut out);
    assert!(
        matches!(&sent(&out)[..], [RecordRequest::Delete { id, .. }] if id == "001000000000001AAA")
    );
    view.on_event(&Event::Records(RecordsEvent::Record(
        RecordEvent::Written {
            written: Written {
                run_id: 3,
                object: "Account".into(),
                sf_id: "001000000000001AAA".into(),
                answer: "Salesforce deleted Account 001000000000001AAA; undo it with run 3".into(),
            },
            deleted: true,
        },
    )));
    assert_eq!(view.mode, Mode::Deleted);
    assert!(matches!(&view.answer, Some(Answer::Saved(a)) if a.contains("run 3")));
}

#[test]
fn a_refusal_keeps_the_edits_and_shows_salesforces_answer() {
    let mut view = opened();
    let mut out = Vec::new();
    view.apply(RecordCommand::Edit, &mut out);
    view.apply(
        RecordCommand::SetDraft {
            field: "Name".into(),
            text: "Acme Solar".into(),
        },
        &mut out,
    );
    view.apply(RecordCommand::Save, &mut out);
    view.on_event(&Event::Records(RecordsEvent::Record(RecordEvent::Refused(
        "Salesforce refused the write (run 4, FIELD_CUSTOM_VALIDATION_EXCEPTION): No. A validation rule…".into(),
    ))));
    assert!(!view.sending);
    assert!(matches!(&view.mode, Mode::Editing(d) if d["Name"] == "Acme Solar"));
    assert!(matches!(&view.answer, Some(Answer::Refused(a)) if a.contains("run 4")));
}
