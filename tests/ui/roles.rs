//! Roles in the window, on a scripted service: once the service tells a connection's role, a
//! viewer finds no enabled Sync Now, schedule Save, link Delete or record Edit, New, Clone and
//! Delete, and each says why on hover; an admin finds them enabled. The field explorer
//! searches an object's fields and says which are hidden from the user.

use chrono::Utc;
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT, Queryable};
use tether::access::Access;
use tether::desktop::{
    ConnectionStatus, ConnectionView, Event, ExploredField, FieldAccess, LinkCard, RecordEvent,
    RecordsEvent, Request,
};
use tether::records_write::read::RecordPage;
use tether::salesforce::UserPermissions;
use tether::sync::link::{Direction, FieldMapping};
use tether::ui::Command;
use tether::ui::panels::mapping::MappingCommand;
use tether::ui::panels::records::RecordsCommand;

use crate::support::Scripted;

const VIEWER: &str = "viewer on “Acme”";

fn connection() -> ConnectionView {
    ConnectionView {
        name: "Acme".into(),
        username: "viewer@acme.example".into(),
        org_id: "00D000000000001AAA".into(),
        instance_url: "http://127.0.0.1:9".into(),
        login_url: "http://127.0.0.1:9".into(),
        embedded: false,
        status: ConnectionStatus::Ok,
        api_usage: None,
        connected_at: Utc::now(),
    }
}

fn card() -> LinkCard {
    let mut link = tether::sync::templates::lead_scores_link("Acme", 7);
    link.name = "customers".into();
    link.object = "Account".into();
    link.table = "accounts".into();
    link.fields = vec![FieldMapping::column(
        "industry",
        "Industry",
        Direction::Both,
    )];
    LinkCard {
        link,
        last_run: None,
        last_success: None,
        next_run: None,
        open_conflicts: 0,
        open_errors: 0,
    }
}

fn access(customize: bool, edits_account: bool) -> Event {
    let mut access = Access::new(
        "Acme",
        UserPermissions {
            customize_application: customize,
            modify_all_data: false,
            api_enabled: true,
            permission_sets: vec![("0PS1".into(), "X00e_Read_Only".into())],
        },
    );
    access
        .editable
        .insert("Account".into(), edits_account || customize);
    Event::Access(Box::new(access))
}

fn window(role: Event) -> Scripted {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![connection()]));
    app.send(Event::Links(vec![card()]));
    app.send(role);
    app.frames(3);
    app
}

fn enabled(app: &Scripted, role: Role, label: &str) -> bool {
    let node = app.harness.get_by_role_and_label(role, label);
    !node.accesskit_node().is_disabled()
}

/// Hovers the control and returns whether the viewer's reason appeared.
fn says_why(app: &mut Scripted, role: Role, label: &str) -> bool {
    // The reason is a tooltip: shown at once here rather than after the pointer rests.
    app.harness.ctx.all_styles_mut(|style| {
        style.interaction.tooltip_delay = 0.0;
        style.interaction.show_tooltips_only_when_still = false;
    });
    let shown = |app: &Scripted| app.harness.query_all_by_label_contains(VIEWER).count();
    // Away from every control first, so that no earlier tooltip is counted as this one's.
    app.harness.event(egui::Event::PointerGone);
    app.frames(4);
    let before = shown(app);
    app.harness.get_by_role_and_label(role, label).hover();
    app.frames(4);
    shown(app) > before
}

/// Whether each direction toggle and remove button of the studio's mapped pairs is enabled.
fn pair_controls_enabled(app: &Scripted) -> Vec<bool> {
    ["Direction of ", "Remove mapping of "]
        .iter()
        .flat_map(|name| app.harness.query_all_by_label_contains(name))
        .filter(|node| node.accesskit_node().role() == Role::Button)
        .map(|node| !node.accesskit_node().is_disabled())
        .collect()
}

fn nav(app: &mut Scripted, page: &str) {
    app.harness
        .get_by_role_and_label(Role::Button, page)
        .click();
    app.frames(3);
}

fn open_record(app: &mut Scripted) {
    let open = Command::Records(RecordsCommand::Open {
        connection: "Acme".into(),
        object: "Account".into(),
        id: "001000000000001AAA".into(),
    });
    app.harness.state().post(&app.harness.ctx, open);
    app.frames(2);
    app.send(Event::Records(RecordsEvent::Record(RecordEvent::Read(
        Box::new(RecordPage {
            object: "Account".into(),
            id: "001000000000001AAA".into(),
            name: "Kittest Solar".into(),
            sections: vec![],
            related: vec![],
        }),
    ))));
    app.frames(3);
}

#[test]
fn a_viewer_finds_no_enabled_edit_and_hears_why() {
    let mut app = window(access(false, false));

    assert!(!enabled(&app, Role::Button, "Sync Now"));
    assert!(says_why(&mut app, Role::Button, "Sync Now"));

    nav(&mut app, "Settings");
    app.harness
        .get_by_role_and_label(Role::ComboBox, "Runs")
        .click();
    app.frames(2);
    assert!(
        app.harness.query_by_label("Every day").is_none(),
        "the schedule cannot be changed"
    );
    assert!(!enabled(&app, Role::Button, "Save schedule of customers"));

    nav(&mut app, "Mappings");
    let link = Command::Mapping(MappingCommand::Open(Box::new(card().link)));
    app.harness.state().post(&app.harness.ctx, link);
    app.frames(3);
    assert!(!enabled(&app, Role::Button, "Delete…"));
    assert!(says_why(&mut app, Role::Button, "Delete…"));
    assert!(says_why(&mut app, Role::Button, "Auto-match"));
    assert!(
        pair_controls_enabled(&app).iter().all(|on| !on),
        "a viewer cannot change a mapped pair's direction or remove it"
    );
    assert!(
        app.harness
            .query_all_by_label_contains("You may look at this link but not change it")
            .next()
            .is_some()
    );
    let needed = "viewer on “Acme”: editing links needs Customize Application or Modify All Data";
    assert!(
        app.harness
            .query_all_by_label_contains(needed)
            .next()
            .is_some(),
        "the reason names the role, the connection and the permission"
    );

    nav(&mut app, "Records");
    open_record(&mut app);
    app.harness.get_by_label("Account · Kittest Solar");
    for action in ["Edit", "Clone", "Delete…"] {
        assert!(!enabled(&app, Role::Button, action), "{action}");
    }
    assert!(says_why(&mut app, Role::Button, "Edit"));

    // The service is never asked for what the role refuses.
    app.harness
        .get_by_role_and_label(Role::Button, "Edit")
        .click();
    app.frames(2);
    assert!(
        app.harness
            .query_by_role_and_label(Role::Button, "Cancel")
            .is_none()
    );
}

#[test]
fn an_admin_and_an_operator_find_what_their_role_allows() {
    let mut admin = window(access(true, true));
    assert!(enabled(&admin, Role::Button, "Sync Now"));
    nav(&mut admin, "Settings");
    admin
        .harness
        .get_by_role_and_label(Role::ComboBox, "Runs")
        .click();
    admin.frames(2);
    assert!(
        admin.harness.query_by_label("Every day").is_some(),
        "an admin changes schedules"
    );
    nav(&mut admin, "Mappings");
    let link = Command::Mapping(MappingCommand::Open(Box::new(card().link)));
    admin.harness.state().post(&admin.harness.ctx, link);
    admin.frames(3);
    assert!(enabled(&admin, Role::Button, "Delete…"));
    let pair = pair_controls_enabled(&admin);
    assert!(!pair.is_empty() && pair.iter().all(|on| *on), "{pair:?}");

    let mut operator = window(access(false, true));
    assert!(enabled(&operator, Role::Button, "Sync Now"));
    nav(&mut operator, "Records");
    open_record(&mut operator);
    assert!(enabled(&operator, Role::Button, "Edit"));
    nav(&mut operator, "Mappings");
    let link = Command::Mapping(MappingCommand::Open(Box::new(card().link)));
    operator.harness.state().post(&operator.harness.ctx, link);
    operator.frames(3);
    assert!(
        !enabled(&operator, Role::Button, "Delete…"),
        "an operator does not edit links"
    );
}

#[test]
fn until_the_role_is_known_the_controls_wait_for_the_services_check() {
    let mut app = Scripted::start();
    app.send(Event::Connections(vec![connection()]));
    app.send(Event::Links(vec![card()]));
    app.frames(3);
    assert!(enabled(&app, Role::Button, "Sync Now"));
}

fn explored(name: &str, label: &str, access: FieldAccess) -> ExploredField {
    ExploredField {
        name: name.into(),
        label: label.into(),
        field_type: "string".into(),
        length: Some(80),
        precision: None,
        scale: None,
        picklist_values: vec![],
        required: false,
        external_id: false,
        unique: false,
        formula: None,
        help_text: None,
        access,
    }
}

#[test]
fn the_field_explorer_searches_and_names_hidden_fields() {
    let mut app = window(access(false, false));
    nav(&mut app, "Mappings");
    let link = Command::Mapping(MappingCommand::Open(Box::new(card().link)));
    app.harness.state().post(&app.harness.ctx, link);
    app.frames(3);
    app.harness
        .get_by_role_and_label(Role::Button, "Fields…")
        .click();
    app.frames(2);
    let asked = app.requests().into_iter().any(|r| {
        r == Request::ExploreFields {
            connection: "Acme".into(),
            object: "Account".into(),
        }
    });
    assert!(asked, "the explorer asks the service for the fields");
    app.send(Event::FieldCatalog {
        connection: "Acme".into(),
        object: "Account".into(),
        fields: vec![
            explored("Name", "Account Name", FieldAccess::Edit),
            explored("Health_Score__c", "Health Score", FieldAccess::Read),
            explored("Secret_Margin__c", "Secret Margin", FieldAccess::Hidden),
        ],
    });
    app.frames(3);
    app.harness.get_by_label("Fields of Account");
    app.harness.get_by_label("3 of 3 fields");
    app.harness.get_by_label("hidden from you");

    app.type_into("Search", "margin");
    app.frames(2);
    app.harness.get_by_label("1 of 3 fields");
    assert!(app.harness.query_by_label("Secret_Margin__c").is_some());
    assert!(app.harness.query_by_label("Health_Score__c").is_none());
}
