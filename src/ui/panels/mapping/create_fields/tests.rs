use super::*;
use crate::desktop::Event;
use crate::setup::PlannedField;
use crate::sync::verify::Severity;

fn link() -> Link {
    (crate::sync::templates::find("customer-health")
        .expect("shipped")
        .links)("sandbox")
    .remove(0)
}

fn missing(field: &str) -> Problem {
    Problem {
        severity: Severity::Error,
        field: Some(field.into()),
        message: format!("`Account` has no field `{field}`"),
        fix: "create it".into(),
    }
}

#[test]
fn the_dialog_plans_lets_the_person_edit_then_creates_what_was_edited() {
    let mut state = MappingState::default();
    let mut out = Vec::new();
    state.apply(MappingCommand::Open(Box::new(link())), &mut out);
    assert_eq!(template_of(&link()), Some("customer-health"));
    assert!(fixes(&missing("Health_Score__c")));
    assert!(
        !fixes(&missing("Name")),
        "a standard field cannot be created"
    );
    out.clear();
    state.apply(
        MappingCommand::CreateFields(CreateFieldsCommand::ForLink),
        &mut out,
    );
    let target = SetupTarget::Link(Box::new(link()));
    assert_eq!(
        out,
        vec![Request::Setup(SetupRequest::Plan(target.clone()))]
    );

    let plan = SetupPlan {
        fields: vec![PlannedField {
            object: "Account".into(),
            spec: FieldSpec::number("Health_Score__c", FieldType::Number, 5, 2),
            action: FieldAction::Create,
        }],
    };
    state.on_event(&Event::Setup(SetupEvent::Planned {
        target: target.clone(),
        plan: plan.clone(),
        may_customize: true,
    }));
    let mut edited = plan.fields[0].spec.clone();
    edited.label = "Customer Health".into();
    edited.precision = Some(6);
    state.apply(
        MappingCommand::CreateFields(CreateFieldsCommand::Edit {
            index: 0,
            spec: Box::new(edited.clone()),
        }),
        &mut out,
    );
    out.clear();
    state.apply(
        MappingCommand::CreateFields(CreateFieldsCommand::Create),
        &mut out,
    );
    let mut sent = plan.clone();
    sent.fields[0].spec = edited;
    assert_eq!(
        out,
        vec![Request::Setup(SetupRequest::Run {
            target: target.clone(),
            plan: sent
        })]
    );
    state.apply(
        MappingCommand::CreateFields(CreateFieldsCommand::Close),
        &mut out,
    );
    assert!(
        state.create_fields.is_some(),
        "a setup under way stays in sight"
    );

    state.on_event(&Event::Setup(SetupEvent::Step(
        "created Account.Health_Score__c".into(),
    )));
    state.problems = Some(vec![missing("Health_Score__c")]);
    state.on_event(&Event::Setup(SetupEvent::Done {
        target,
        problems: Vec::new(),
    }));
    let dialog = state.create_fields.as_ref().expect("open");
    assert_eq!(dialog.steps, ["created Account.Health_Score__c"]);
    assert_eq!(dialog.phase, Phase::Done { problems_left: 0 });
    assert_eq!(state.problems, Some(Vec::new()), "verified again");
    state.apply(
        MappingCommand::CreateFields(CreateFieldsCommand::Close),
        &mut out,
    );
    assert!(state.create_fields.is_none());
}

#[test]
fn a_failure_ends_the_wait_and_a_user_without_permission_gets_the_package() {
    let mut state = MappingState::default();
    let mut out = Vec::new();
    state.apply(
        MappingCommand::CreateFields(CreateFieldsCommand::ForTemplate {
            name: "lead-scores".into(),
            connection: "sandbox".into(),
        }),
        &mut out,
    );
    state.on_event(&Event::Failed {
        topic: crate::desktop::Topic::Mapping,
        message: "no connection".into(),
    });
    assert_eq!(
        state.create_fields.as_ref().map(|d| d.phase.clone()),
        Some(Phase::Failed("no connection".into()))
    );
    let target = SetupTarget::Template {
        name: "lead-scores".into(),
        connection: "sandbox".into(),
    };
    state.apply(
        MappingCommand::CreateFields(CreateFieldsCommand::ForTemplate {
            name: "lead-scores".into(),
            connection: "sandbox".into(),
        }),
        &mut out,
    );
    let plan = crate::setup::template_plan("lead-scores");
    state.on_event(&Event::Setup(SetupEvent::Planned {
        target: target.clone(),
        plan: plan.clone(),
        may_customize: false,
    }));
    out.clear();
    state.apply(
        MappingCommand::CreateFields(CreateFieldsCommand::WritePackage),
        &mut out,
    );
    assert_eq!(
        out,
        vec![Request::Setup(SetupRequest::Package { target, plan })]
    );
}

#[test]
fn the_button_says_what_it_creates_and_what_it_only_grants() {
    let planned = |action| PlannedField {
        object: "Account".into(),
        spec: crate::setup::template_plan("customer-health").fields[0]
            .spec
            .clone(),
        action,
    };
    let cases = [
        (vec![FieldAction::Create], "Create 1 field"),
        (vec![FieldAction::Grant], "Grant 1 field"),
        (vec![FieldAction::Create; 3], "Create 3 fields"),
        (
            vec![FieldAction::Create, FieldAction::Create, FieldAction::Grant],
            "Create 2 fields and grant 1",
        ),
    ];
    for (actions, expected) in cases {
        let plan = SetupPlan {
            fields: actions.into_iter().map(planned).collect(),
        };
        assert_eq!(carry_out_label(&plan), expected);
    }
}
