//! Create missing fields: the dialog that lists what will be created for a link (or a
//! template), lets the person edit each field, and follows the service's steps to the end.

use std::path::PathBuf;

use egui::{RichText, Ui};

use super::{MappingCommand, MappingState};
use crate::desktop::{Request, SetupEvent, SetupRequest, SetupTarget};
use crate::setup::{FieldAction, FieldSpec, FieldType, SetupPlan};
use crate::sync::link::Link;
use crate::sync::verify::Problem;
use crate::ui::command::{Command, Commands};
use crate::ui::theme::{self, GRID};
use crate::ui::{format, widgets};

/// Intents of the dialog.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateFieldsCommand {
    /// Plans the fields the link being edited lacks.
    ForLink,
    /// Plans every field the template's links need.
    ForTemplate {
        name: String,
        connection: String,
    },
    /// Replaces the spec of the plan's field `index`.
    Edit {
        index: usize,
        spec: Box<FieldSpec>,
    },
    /// Leaves field `index` out of the plan.
    Drop {
        index: usize,
    },
    /// Carries out the plan.
    Create,
    /// Writes the package for an admin (the user may not customise the org).
    WritePackage,
    Close,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Planning,
    Editing {
        plan: SetupPlan,
        may_customize: bool,
    },
    Running {
        plan: SetupPlan,
    },
    Done {
        problems_left: usize,
    },
    NeedsAdmin {
        package: PathBuf,
        steps: String,
    },
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dialog {
    pub target: SetupTarget,
    pub phase: Phase,
    /// The steps done, as the service reported them.
    pub steps: Vec<String>,
}

/// True when a problem is one that creating (or granting) fields fixes.
pub fn fixes(problem: &Problem) -> bool {
    crate::setup::fixes(problem)
}

/// The template a link came from, when its name is one of a template's links.
pub fn template_of(link: &Link) -> Option<&'static str> {
    crate::sync::templates::all()
        .into_iter()
        .find(|t| {
            (t.links)(&link.connection)
                .iter()
                .any(|l| l.name == link.name && l.object == link.object)
        })
        .map(|t| t.name)
}

impl MappingState {
    pub(super) fn apply_create_fields(
        &mut self,
        command: CreateFieldsCommand,
        out: &mut Vec<Request>,
    ) {
        use CreateFieldsCommand::*;
        let plan_of = |dialog: &Option<Dialog>| match dialog.as_ref().map(|d| &d.phase) {
            Some(Phase::Editing { plan, .. }) => Some(plan.clone()),
            _ => None,
        };
        match command {
            ForLink => {
                if let Some(link) = &self.draft {
                    let target = SetupTarget::Link(Box::new(link.clone()));
                    self.start_setup(target, out);
                }
            }
            ForTemplate { name, connection } => {
                self.start_setup(SetupTarget::Template { name, connection }, out);
            }
            Edit { index, spec } => {
                if let Some(Dialog {
                    phase: Phase::Editing { plan, .. },
                    ..
                }) = &mut self.create_fields
                    && let Some(field) = plan.fields.get_mut(index)
                {
                    field.spec = *spec;
                }
            }
            Drop { index } => {
                if let Some(Dialog {
                    phase: Phase::Editing { plan, .. },
                    ..
                }) = &mut self.create_fields
                    && index < plan.fields.len()
                {
                    plan.fields.remove(index);
                }
            }
            Create | WritePackage => {
                let Some(plan) = plan_of(&self.create_fields) else {
                    return;
                };
                let Some(dialog) = &mut self.create_fields else {
                    return;
                };
                let target = dialog.target.clone();
                dialog.steps.clear();
                dialog.phase = Phase::Running { plan: plan.clone() };
                out.push(Request::Setup(match command {
                    Create => SetupRequest::Run { target, plan },
                    _ => SetupRequest::Package { target, plan },
                }));
            }
            Close => {
                let running = matches!(
                    self.create_fields.as_ref().map(|d| &d.phase),
                    Some(Phase::Running { .. })
                );
                // The work goes on in the service; closing would hide how it ends.
                if !running {
                    self.create_fields = None;
                }
            }
        }
    }

    fn start_setup(&mut self, target: SetupTarget, out: &mut Vec<Request>) {
        self.create_fields = Some(Dialog {
            target: target.clone(),
            phase: Phase::Planning,
            steps: Vec::new(),
        });
        out.push(Request::Setup(SetupRequest::Plan(target)));
    }

    pub(super) fn on_setup_event(&mut self, event: &SetupEvent) {
        let Some(dialog) = &mut self.create_fields else {
            return;
        };
        match event {
            SetupEvent::Planned {
                target,
                plan,
                may_customize,
            } if *target == dialog.target => {
                dialog.phase = Phase::Editing {
                    plan: plan.clone(),
                    may_customize: *may_customize,
                };
            }
            SetupEvent::Step(line) => dialog.steps.push(line.clone()),
            SetupEvent::Done { target, problems } if *target == dialog.target => {
                let errors = problems
                    .iter()
                    .filter(|p| p.severity == crate::sync::verify::Severity::Error)
                    .count();
                dialog.phase = Phase::Done {
                    problems_left: errors,
                };
                let objects: Vec<(String, String)> = match &dialog.target {
                    SetupTarget::Link(link) => {
                        vec![(link.connection.clone(), link.object.clone())]
                    }
                    SetupTarget::Template { .. } => Vec::new(),
                };
                if let SetupTarget::Link(link) = &dialog.target
                    && self.draft.as_ref().is_some_and(|d| d.name == link.name)
                {
                    self.problems = Some(problems.clone());
                }
                for (connection, object) in objects {
                    self.catalog.forget_fields(&connection, &object);
                }
            }
            SetupEvent::NeedsAdmin { package, steps } => {
                dialog.phase = Phase::NeedsAdmin {
                    package: package.clone(),
                    steps: steps.clone(),
                };
            }
            _ => {}
        }
    }

    /// A failure of the mapping area while the dialog waits ends its wait with the message.
    pub(super) fn on_setup_failure(&mut self, message: &str) {
        if let Some(dialog) = &mut self.create_fields
            && matches!(dialog.phase, Phase::Planning | Phase::Running { .. })
        {
            dialog.phase = Phase::Failed(message.to_string());
        }
    }
}

fn push(commands: &mut Commands, command: CreateFieldsCommand) {
    commands.push(Command::Mapping(MappingCommand::CreateFields(command)));
}

pub(super) fn show(ui: &mut Ui, state: &MappingState, commands: &mut Commands) {
    let Some(dialog) = &state.create_fields else {
        return;
    };
    let title = match &dialog.target {
        SetupTarget::Link(link) => format!("Create missing fields for {}", link.name),
        SetupTarget::Template { name, .. } => format!("Set up Salesforce for the template {name}"),
    };
    let modal = egui::Modal::new(egui::Id::unique("create_fields")).show(ui.ctx(), |ui| {
        ui.set_width(720.0);
        ui.label(RichText::new(title).size(18.0).strong());
        ui.add_space(GRID);
        match &dialog.phase {
            Phase::Planning => {
                ui.label("Reading which fields the org has…");
            }
            Phase::Editing {
                plan,
                may_customize,
            } => editing(ui, plan, *may_customize, commands),
            Phase::Running { plan } => {
                ui.label(format!(
                    "Setting up {}…",
                    format::count(plan.fields.len(), "field")
                ));
                steps(ui, &dialog.steps);
            }
            Phase::Done { problems_left } => {
                steps(ui, &dialog.steps);
                let text = match problems_left {
                    0 => "✔ Done: verified again, no errors.".to_string(),
                    n => format!(
                        "Done; verified again: {} left, listed on the page.",
                        format::count(*n, "error")
                    ),
                };
                ui.label(RichText::new(text).color(theme::SUCCESS));
            }
            Phase::NeedsAdmin { package, steps } => {
                ui.label(
                    RichText::new("You may not customise this org, so nothing was created.")
                        .color(theme::WARNING),
                );
                ui.label(format!(
                    "The package for an admin is in {}. Or the same changes by hand in Setup:",
                    package.display()
                ));
                egui::ScrollArea::vertical()
                    .max_height(240.0)
                    .show(ui, |ui| {
                        ui.label(RichText::new(steps).monospace().small());
                    });
            }
            Phase::Failed(message) => {
                steps(ui, &dialog.steps);
                ui.label(RichText::new(message).color(theme::DANGER));
            }
        }
        ui.add_space(GRID);
        if ui.button("Close").clicked() {
            push(commands, CreateFieldsCommand::Close);
        }
    });
    if modal.should_close() {
        push(commands, CreateFieldsCommand::Close);
    }
}

fn steps(ui: &mut Ui, steps: &[String]) {
    for step in steps {
        ui.label(format!("✔ {step}"));
    }
}

fn editing(ui: &mut Ui, plan: &SetupPlan, may_customize: bool, commands: &mut Commands) {
    if plan.is_empty() {
        ui.label("Nothing to create: the org has every field and shows it to you.");
        return;
    }
    if !may_customize {
        ui.label(
            RichText::new("You may not customise this org (neither Customize Application nor Modify All Data): Tether can write a package and the Setup steps for an admin instead.")
                .color(theme::WARNING),
        );
    }
    egui::ScrollArea::vertical()
        .max_height(360.0)
        .show(ui, |ui| {
            for (index, field) in plan.fields.iter().enumerate() {
                ui.push_id(index, |ui| {
                    field_row(
                        ui,
                        index,
                        &field.object,
                        field.action,
                        &field.spec,
                        commands,
                    )
                });
                ui.separator();
            }
        });
    let problem = plan.check().err().map(|e| e.to_string());
    if let Some(problem) = &problem {
        ui.label(RichText::new(problem).color(theme::DANGER));
    }
    ui.label(
        RichText::new("Then the permission set Tether_Sync is created or reused, granted read and edit on these fields, and assigned to you.")
            .weak(),
    );
    ui.horizontal(|ui| {
        if may_customize {
            if widgets::primary_button(ui, &carry_out_label(plan), problem.is_none()).clicked() {
                push(commands, CreateFieldsCommand::Create);
            }
        } else if widgets::primary_button(ui, "Write the package for an admin", problem.is_none())
            .clicked()
        {
            push(commands, CreateFieldsCommand::WritePackage);
        }
    });
}

/// "Create 2 fields", "Grant 1 field", "Create 2 fields and grant 1": what the button does.
fn carry_out_label(plan: &SetupPlan) -> String {
    let granted = plan
        .fields
        .iter()
        .filter(|f| f.action == FieldAction::Grant)
        .count();
    let created = plan.fields.len() - granted;
    match (created, granted) {
        (0, g) => format!("Grant {}", format::count(g, "field")),
        (c, 0) => format!("Create {}", format::count(c, "field")),
        (c, g) => format!("Create {} and grant {g}", format::count(c, "field")),
    }
}

fn number(
    ui: &mut Ui,
    label: &str,
    value: Option<u32>,
    range: std::ops::RangeInclusive<u32>,
) -> Option<Option<u32>> {
    let mut n = value.unwrap_or(0);
    ui.label(label);
    ui.add(egui::DragValue::new(&mut n).range(range))
        .changed()
        .then_some(Some(n))
}

fn field_row(
    ui: &mut Ui,
    index: usize,
    object: &str,
    action: FieldAction,
    spec: &FieldSpec,
    commands: &mut Commands,
) {
    let mut edited = spec.clone();
    ui.horizontal_wrapped(|ui| {
        let what = match action {
            FieldAction::Create => "Create",
            FieldAction::Grant => "Grant (exists, hidden from you)",
        };
        ui.label(RichText::new(format!("{what} {object}.{}", spec.api_name)).strong());
        if ui.small_button("Leave out").clicked() {
            push(commands, CreateFieldsCommand::Drop { index });
        }
    });
    if action == FieldAction::Grant {
        ui.label(
            RichText::new(
                "The org has this field; it is granted to you as it is (its label and type stay the org's).",
            )
            .weak(),
        );
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Label");
        ui.add(egui::TextEdit::singleline(&mut edited.label).desired_width(160.0));
        ui.label("API name");
        ui.add_enabled(
            action == FieldAction::Create,
            egui::TextEdit::singleline(&mut edited.api_name).desired_width(180.0),
        );
        ui.label("Type");
        egui::ComboBox::from_id_salt("type")
            .selected_text(spec.field_type.name())
            .show_ui(ui, |ui| {
                for t in FieldType::ALL {
                    ui.selectable_value(&mut edited.field_type, t, t.name());
                }
            });
    });
    if edited.field_type != spec.field_type {
        edited = retyped(edited);
    }
    ui.horizontal_wrapped(|ui| {
        if edited.field_type.has_length()
            && let Some(length) = number(ui, "Length", edited.length, 1..=131_072)
        {
            edited.length = length;
        }
        if edited.field_type.has_digits() {
            if let Some(p) = number(ui, "Precision", edited.precision, 1..=18) {
                edited.precision = p;
            }
            if let Some(s) = number(ui, "Scale", edited.scale, 0..=18) {
                edited.scale = s;
            }
        }
        if edited.field_type.may_be_key() {
            ui.checkbox(&mut edited.external_id, "External ID");
            ui.checkbox(&mut edited.unique, "Unique");
        }
    });
    if edited.field_type.has_values() {
        ui.horizontal(|ui| {
            ui.label("Values (comma-separated)");
            let mut text = edited.picklist_values.join(",");
            if ui
                .add(egui::TextEdit::singleline(&mut text).desired_width(420.0))
                .changed()
            {
                edited.picklist_values = text.split(',').map(str::to_string).collect();
            }
        });
    }
    ui.horizontal(|ui| {
        ui.label("Description");
        ui.add(egui::TextEdit::singleline(&mut edited.description).desired_width(520.0));
    });
    if edited != *spec {
        push(
            commands,
            CreateFieldsCommand::Edit {
                index,
                spec: Box::new(edited),
            },
        );
    }
}

/// A field given another type keeps its name, label, description and what fits the new type.
fn retyped(spec: FieldSpec) -> FieldSpec {
    let t = spec.field_type;
    FieldSpec {
        length: match t {
            FieldType::Text => Some(spec.length.unwrap_or(255).min(255)),
            FieldType::LongTextArea => Some(spec.length.unwrap_or(32_768).max(256)),
            _ => None,
        },
        precision: t.has_digits().then(|| spec.precision.unwrap_or(18)),
        scale: t.has_digits().then(|| spec.scale.unwrap_or(0)),
        external_id: spec.external_id && t.may_be_key(),
        unique: spec.unique && t.may_be_key(),
        required: spec.required && t != FieldType::Checkbox,
        picklist_values: if t.has_values() {
            spec.picklist_values.clone()
        } else {
            Vec::new()
        },
        ..spec
    }
}

#[cfg(test)]
mod tests;
