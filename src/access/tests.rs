use super::*;

fn permissions(customize: bool, modify_all: bool, api: bool) -> UserPermissions {
    UserPermissions {
        customize_application: customize,
        modify_all_data: modify_all,
        api_enabled: api,
        permission_sets: vec![
            ("0PS1".into(), "X00e5g0000000006AAA".into()),
            ("0PS2".into(), "Sales_Ops".into()),
        ],
    }
}

#[test]
fn roles_follow_the_permission_flags_and_the_object_access() {
    // (customize, modify all, api enabled, edits the object) → role
    let table = [
        (true, false, false, false, Role::Admin),
        (false, true, false, false, Role::Admin),
        (true, true, true, true, Role::Admin),
        (false, false, true, true, Role::Operator),
        (false, false, true, false, Role::Viewer),
        (false, false, false, true, Role::Viewer),
        (false, false, false, false, Role::Viewer),
    ];
    for (customize, modify_all, api, edits, role) in table {
        assert_eq!(
            Role::derive(&permissions(customize, modify_all, api), edits),
            role,
            "customize {customize}, modify all {modify_all}, api {api}, edits {edits}"
        );
    }
}

#[test]
fn each_role_may_do_what_its_rung_allows() {
    let actions = [
        Action::EditLinks,
        Action::EditTemplates,
        Action::EditSchedules,
        Action::CreateFields,
        Action::RunSyncs,
        Action::Import,
        Action::ResolveConflicts,
        Action::WriteRecords,
    ];
    let admin = Access::new("Acme", permissions(true, false, true));
    let mut operator = Access::new("Acme", permissions(false, false, true));
    operator.editable.insert("Account".into(), true);
    let mut viewer = Access::new("Acme", permissions(false, false, true));
    viewer.editable.insert("Account".into(), false);
    for action in actions {
        let object = Some("Account");
        assert_eq!(
            admin.verdict(action, object),
            Verdict::Allowed,
            "{action:?}"
        );
        let operator_may = action.needs() == Role::Operator;
        assert_eq!(
            operator.check(action, object).is_ok(),
            operator_may,
            "operator, {action:?}"
        );
        assert!(viewer.check(action, object).is_err(), "viewer, {action:?}");
    }
}

#[test]
fn an_operator_on_one_object_is_a_viewer_on_another() {
    let mut access = Access::new("Acme", permissions(false, false, true));
    access.editable.insert("Account".into(), true);
    access.editable.insert("Case".into(), false);
    assert_eq!(access.role_on("Account"), Some(Role::Operator));
    assert_eq!(access.role_on("Case"), Some(Role::Viewer));
    assert_eq!(access.role_on("Lead"), None);
    assert_eq!(access.role(), Role::Operator);
    assert_eq!(
        access.verdict(Action::RunSyncs, Some("Lead")),
        Verdict::Unknown
    );
    let refusal = access.check(Action::RunSyncs, Some("Case")).unwrap_err();
    assert_eq!(refusal.role, Role::Viewer);
}

#[test]
fn a_refusal_names_the_role_the_connection_and_what_is_needed() {
    let mut access = Access::new("Acme", permissions(false, false, true));
    access.editable.insert("Account".into(), false);
    let links = access
        .check(Action::EditLinks, Some("Account"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        links,
        "viewer on “Acme”: editing links needs Customize Application or Modify All Data in \
         Salesforce; ask your Salesforce admin for a permission set that grants it \
         (yours: Sales_Ops)"
    );
    let sync = access
        .check(Action::RunSyncs, Some("Account"))
        .unwrap_err()
        .to_string();
    assert!(
        sync.starts_with("viewer on “Acme”: running syncs of Account needs Edit on Account"),
        "{sync}"
    );

    let no_api = Access::new("Acme", permissions(false, false, false));
    let import = no_api.check(Action::Import, None).unwrap_err().to_string();
    assert!(import.contains("needs API Enabled and Edit"), "{import}");
}

#[test]
fn an_operator_is_refused_configuration_with_its_own_role_named() {
    let mut access = Access::new("Acme", permissions(false, false, true));
    access.editable.insert("Account".into(), true);
    let refusal = access
        .check(Action::EditSchedules, Some("Account"))
        .unwrap_err();
    assert_eq!(refusal.role, Role::Operator);
    assert!(
        refusal
            .to_string()
            .starts_with("operator on “Acme”: changing schedules")
    );
}
