//! The studio's toolbar (link picker, Auto-match, Verify, Save, Export…, Import…, Delete…) and the
//! page's empty states.

use egui::{RichText, Ui};

use super::{MappingCommand, MappingState, picker};
use crate::access::Action;
use crate::ui::Page;
use crate::ui::command::{Command, Commands};
use crate::ui::file_dialog::{FileFor, PromptAnswer};
use crate::ui::model::Model;
use crate::ui::{theme, widgets};

pub(super) fn show(ui: &mut Ui, state: &mut MappingState, model: &Model, commands: &mut Commands) {
    ui.horizontal_wrapped(|ui| {
        picker::link_picker(ui, state, model, commands);
        let has_draft = state.draft.is_some();
        let has_fields = state
            .draft
            .as_ref()
            .is_some_and(|d| state.catalog.fields_of(d).is_some());
        let refusal = state.draft.as_ref().and_then(|link| {
            model.refusal(&link.connection, Action::EditLinks, Some(&link.object))
        });
        if widgets::permitted(
            ui,
            has_fields,
            refusal.as_deref(),
            egui::Button::new("Auto-match"),
        )
        .on_hover_text("Map columns whose names match a field's name, label or a synonym")
        .clicked()
        {
            commands.push(Command::Mapping(MappingCommand::AutoMatch));
        }
        let verify = if state.verifying {
            "Verifying…"
        } else {
            "Verify"
        };
        if ui
            .add_enabled(has_draft && !state.verifying, egui::Button::new(verify))
            .clicked()
        {
            commands.push(Command::Mapping(MappingCommand::Verify));
        }
        if let Some(draft) = &state.draft
            && let Some(template) = super::create_fields::template_of(draft)
            && ui
                .add_enabled(
                    state.create_fields.is_none(),
                    egui::Button::new("Set up Salesforce for this template"),
                )
                .on_hover_text(
                    "Creates every custom field the template's links need that the org lacks, and grants them to you",
                )
                .clicked()
        {
            commands.push(Command::Mapping(MappingCommand::CreateFields(
                super::CreateFieldsCommand::ForTemplate {
                    name: template.to_string(),
                    connection: draft.connection.clone(),
                },
            )));
        }
        let save = if state.saving { "Saving…" } else { "Save" };
        let can_save = has_draft && !state.saving && state.dirty();
        if widgets::primary_permitted(ui, save, can_save, refusal.as_deref()).clicked() {
            commands.push(Command::Mapping(MappingCommand::Save));
        }
        if let Some(link) = state.draft.as_ref().filter(|l| !l.object.is_empty())
            && ui
                .button("Fields…")
                .on_hover_text("Every field of the object, with your access to each")
                .clicked()
        {
            commands.push(crate::ui::panels::fields::open(
                &link.connection,
                &link.object,
            ));
        }
        let asking = model.dialog_open(Page::Mappings);
        let exportable = has_draft && !state.dirty() && !asking;
        let export = ui
            .add_enabled(exportable, egui::Button::new("Export…"))
            .on_disabled_hover_text("Save the link first, then export it");
        if export.clicked()
            && let Some(draft) = &state.draft
        {
            commands.push(Command::Mapping(MappingCommand::ClosePathPrompt));
            commands.push(Command::AskFile(FileFor::LinkExport(draft.name.clone())));
        }
        if ui
            .add_enabled(!asking, egui::Button::new("Import…"))
            .on_hover_text("Open a links file exported from Tether")
            .clicked()
        {
            commands.push(Command::Mapping(MappingCommand::ClosePathPrompt));
            commands.push(Command::AskFile(FileFor::LinksImport));
        }
        let delete = egui::Button::new("Delete…");
        if widgets::permitted(ui, state.saved.is_some(), refusal.as_deref(), delete)
            .on_hover_text("Delete this link; Tether asks first")
            .on_disabled_hover_text("Only a saved link can be deleted")
            .clicked()
        {
            commands.push(Command::Mapping(MappingCommand::AskDelete));
        }
        if state.saving || state.verifying {
            ui.spinner();
        } else if state.save_refused {
            ui.label(RichText::new("Not saved: fix the errors below").color(theme::DANGER));
        } else if let Some(at) = state.saved_at.filter(|_| !state.dirty()) {
            let ago = crate::ui::relative_time(at.elapsed());
            ui.label(RichText::new(format!("✔ Saved {ago}")).color(theme::SUCCESS));
        } else if state.dirty() && state.saved.is_some() {
            ui.label(RichText::new("Unsaved changes").weak());
        }
    });
    if let Some((prompt, export)) = &mut state.path_prompt
        && let Some(answer) = prompt.show(ui)
    {
        commands.push(Command::Mapping(match answer {
            PromptAnswer::Path(path) if *export => MappingCommand::ExportTo(path),
            PromptAnswer::Path(path) => MappingCommand::ImportFrom(path),
            PromptAnswer::Cancel => MappingCommand::ClosePathPrompt,
        }));
    }
}

pub(super) fn empty(ui: &mut Ui, model: &Model, commands: &mut Commands) {
    if model.connections.is_empty() {
        widgets::empty_state(
            ui,
            "Connect an org to start mapping",
            "A link maps a Salesforce object's fields to a local table's columns. Connect an org first, or try the sandbox org with demo data.",
            |ui| {
                if widgets::primary_button(ui, "Connect org…", true).clicked() {
                    commands.push(Command::OpenConnectWizard);
                }
            },
        );
    } else {
        widgets::empty_state(
            ui,
            "No links yet",
            "Create a link: choose a Salesforce object and the local table that mirrors it, then map their fields.",
            |ui| {
                if widgets::primary_button(ui, "New link…", true).clicked() {
                    commands.push(Command::Mapping(MappingCommand::NewLink));
                }
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::desktop::Request;
    use crate::sync::link::Link;
    use crate::ui::command;
    use crate::ui::file_dialog::Picked;

    fn link() -> Link {
        serde_json::from_value(serde_json::json!({
            "name": "accounts", "connection": "sandbox", "table": "customers", "key": "id",
            "object": "Account", "id_column": "sf_id", "fields": [],
        }))
        .expect("link parses")
    }

    #[test]
    fn a_chosen_file_comes_back_as_a_command_and_becomes_a_request() {
        let mut state = MappingState::default();
        let mut requests = Vec::new();
        state.apply(MappingCommand::Open(Box::new(link())), &mut requests);
        let path = PathBuf::from("/tmp/accounts.json");
        let what = FileFor::LinkExport("accounts".into());
        assert_eq!(what.page(), Page::Mappings);
        let answer = command::answered(what.clone(), Picked::Path(path.clone()));
        assert_eq!(
            answer,
            Some(Command::Mapping(MappingCommand::ExportTo(path.clone())))
        );
        if let Some(Command::Mapping(c)) = answer {
            state.apply(c, &mut requests);
        }
        assert_eq!(
            requests,
            vec![Request::ExportLink {
                name: "accounts".into(),
                path
            }]
        );
        assert_eq!(
            command::answered(what, Picked::Cancelled),
            None,
            "a cancelled dialog asks for nothing"
        );
        assert_eq!(
            command::answered(FileFor::LinksImport, Picked::Unavailable),
            Some(Command::Mapping(MappingCommand::DialogUnavailable {
                export_as: None
            }))
        );
    }

    #[test]
    fn without_a_dialog_a_typed_path_is_offered_until_it_is_used() {
        let mut state = MappingState::default();
        let mut requests = Vec::new();
        state.apply(MappingCommand::Open(Box::new(link())), &mut requests);
        state.apply(
            MappingCommand::DialogUnavailable {
                export_as: Some("accounts".into()),
            },
            &mut requests,
        );
        let (prompt, export) = state.path_prompt.clone().expect("a typed path is offered");
        assert!(export);
        assert!(prompt.text.ends_with("accounts.json"), "{}", prompt.text);
        state.apply(
            MappingCommand::ExportTo(PathBuf::from("/tmp/a.json")),
            &mut requests,
        );
        assert!(state.path_prompt.is_none(), "the export closes it");

        state.apply(
            MappingCommand::DialogUnavailable { export_as: None },
            &mut requests,
        );
        let (prompt, export) = state.path_prompt.clone().expect("a typed path is offered");
        assert!(!export && prompt.text.is_empty());
    }
}
