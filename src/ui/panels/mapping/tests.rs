use super::*;
use crate::desktop::LocalColumn;

fn new_link() -> Link {
    serde_json::from_value(serde_json::json!({
        "name": "people", "connection": "sandbox", "table": "people", "key": "id",
        "object": "Contact", "id_column": "sf_id", "fields": [],
    }))
    .expect("link parses")
}

fn field(name: &str, required: bool) -> FieldInfo {
    FieldInfo {
        name: name.into(),
        label: name.into(),
        field_type: "string".into(),
        length: None,
        required,
        external_id: false,
        read_only: false,
        picklist_values: vec![],
        restricted_picklist: false,
        reference_to: Vec::new(),
    }
}

fn column(name: &str) -> LocalColumn {
    LocalColumn {
        name: name.into(),
        declared_type: "TEXT".into(),
        primary_key: false,
        not_null: false,
    }
}

/// A studio that knows Contact's fields (LastName required) and the `people` table.
fn studio() -> MappingState {
    let mut state = MappingState::default();
    state.on_event(&Event::ObjectFields {
        connection: "sandbox".into(),
        object: "Contact".into(),
        fields: vec![field("LastName", true), field("Email", false)],
    });
    state.on_event(&Event::LocalTables(vec![LocalTable {
        name: "people".into(),
        columns: vec![
            column("id"),
            column("sf_id"),
            column("last"),
            column("email"),
        ],
        rows: 0,
    }]));
    state
}

fn map(state: &mut MappingState, field: &str, column: &str) {
    let command = MappingCommand::Map {
        field: field.into(),
        column: column.into(),
    };
    state.apply(command, &mut Vec::new());
}

fn push(state: &mut MappingState, field: &str) {
    let command = MappingCommand::SetDirection {
        field: field.into(),
        direction: Direction::Both,
    };
    state.apply(command, &mut Vec::new());
}

fn creates(state: &MappingState) -> bool {
    state.draft.as_ref().expect("a draft").create_unmatched
}

#[test]
fn a_new_link_creates_records_once_its_pushes_fill_the_required_fields() {
    let mut state = studio();
    state.apply(
        MappingCommand::Create(Box::new(new_link())),
        &mut Vec::new(),
    );
    assert!(!creates(&state), "nothing pushed yet");
    map(&mut state, "Email", "email");
    push(&mut state, "Email");
    assert!(!creates(&state), "LastName is required and not pushed");
    map(&mut state, "LastName", "last");
    assert!(
        !creates(&state),
        "a new pair starts as Pull, which fills nothing on create"
    );
    push(&mut state, "LastName");
    assert!(creates(&state), "every required field is pushed");

    state.apply(MappingCommand::SetCreateUnmatched(false), &mut Vec::new());
    let unmap = MappingCommand::Unmap {
        field: "Email".into(),
    };
    state.apply(unmap, &mut Vec::new());
    assert!(
        !creates(&state),
        "once the person decides, the choice stays"
    );
}

#[test]
fn a_saved_link_keeps_its_setting_whatever_it_pushes() {
    let mut state = studio();
    state.apply(MappingCommand::Open(Box::new(new_link())), &mut Vec::new());
    map(&mut state, "LastName", "last");
    assert!(!creates(&state), "a stored link keeps what it did");
    state.apply(MappingCommand::SetCreateUnmatched(true), &mut Vec::new());
    assert!(creates(&state));
}
