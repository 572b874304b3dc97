//! The studio's two questions: delete the link being edited, and drop unsaved changes before
//! another link opens.

use egui::{Color32, RichText, Ui};

use super::{MappingCommand, MappingState, Waiting};
use crate::ui::command::{Command, Commands};
use crate::ui::theme::{self, GRID};

fn push(commands: &mut Commands, command: MappingCommand) {
    commands.push(Command::Mapping(command));
}

pub(super) fn show(ui: &mut Ui, state: &MappingState, commands: &mut Commands) {
    if state.confirm_delete
        && let Some(link) = &state.saved
    {
        ask(
            ui,
            "mapping_delete",
            &format!("Delete the link {}?", link.name),
            &format!(
                "Tether stops syncing {} with {}, and forgets what it last synced and the link's open conflicts: made again, the link starts with a full sync. The local table, the records in Salesforce and the history of past runs stay.",
                link.object, link.table
            ),
            "Delete link",
            MappingCommand::Delete,
            commands,
        );
    } else if let (Some(waiting), Some(draft)) = (&state.waiting, &state.draft) {
        let doing = match waiting {
            Waiting::Open(next) => format!("Opening {}", next.0.name),
            Waiting::NewLink => "Starting a new link".to_string(),
        };
        ask(
            ui,
            "mapping_discard",
            "Discard unsaved changes?",
            &format!(
                "The changes to {} are not saved. {doing} drops them; Keep editing, then Save, to keep them.",
                draft.name
            ),
            "Discard changes",
            MappingCommand::DiscardChanges,
            commands,
        );
    }
}

/// A modal with a red button that does `act`, and "Keep editing", which does nothing.
fn ask(
    ui: &mut Ui,
    id: &str,
    title: &str,
    body: &str,
    act_label: &str,
    act: MappingCommand,
    commands: &mut Commands,
) {
    let modal = egui::Modal::new(egui::Id::unique(id)).show(ui.ctx(), |ui| {
        ui.set_width(440.0);
        ui.label(RichText::new(title).size(18.0).strong());
        ui.add_space(GRID);
        ui.label(body);
        ui.add_space(2.0 * GRID);
        ui.horizontal(|ui| {
            let button = egui::Button::new(RichText::new(act_label).color(Color32::WHITE))
                .fill(theme::DANGER);
            if ui.add(button).clicked() {
                push(commands, act);
            }
            if ui.button("Keep editing").clicked() {
                push(commands, MappingCommand::KeepEditing);
            }
        });
    });
    if modal.should_close() {
        push(commands, MappingCommand::KeepEditing);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::link::{Direction, FieldMapping, Link};

    fn link(name: &str) -> Link {
        serde_json::from_value(serde_json::json!({
            "name": name, "connection": "sandbox", "table": "customers", "key": "id",
            "object": "Account", "id_column": "sf_id", "fields": [],
        }))
        .expect("link parses")
    }

    fn edited(state: &mut MappingState) {
        if let Some(draft) = &mut state.draft {
            draft
                .fields
                .push(FieldMapping::column("name", "Name", Direction::Both));
        }
    }

    #[test]
    fn a_new_link_waits_for_unsaved_edits_to_be_kept_or_dropped() {
        let mut state = MappingState::default();
        let mut out = Vec::new();
        state.apply(MappingCommand::Open(Box::new(link("accounts"))), &mut out);
        edited(&mut state);
        assert!(state.dirty());

        state.apply(MappingCommand::NewLink, &mut out);
        assert_eq!(state.waiting, Some(Waiting::NewLink));
        assert!(state.new_link.is_none(), "the form waits for the answer");
        state.apply(MappingCommand::KeepEditing, &mut out);
        assert_eq!(state.waiting, None);
        assert!(state.dirty(), "the edits are kept");

        state.apply(MappingCommand::NewLink, &mut out);
        state.apply(MappingCommand::DiscardChanges, &mut out);
        assert!(state.new_link.is_some());
        assert_eq!(
            state.draft,
            Some(link("accounts")),
            "back to what was saved"
        );
        assert!(!state.dirty());
        assert!(
            out.iter()
                .all(|r| matches!(r, crate::desktop::Request::ListLocalTables)),
            "nothing is saved, only the tables read again for the form: {out:?}"
        );
    }

    #[test]
    fn a_link_never_saved_is_dropped_only_when_the_person_agrees() {
        let mut state = MappingState::default();
        let mut out = Vec::new();
        state.apply(MappingCommand::Create(Box::new(link("draft"))), &mut out);
        assert!(state.dirty(), "a link not saved yet is unsaved");
        state.apply(MappingCommand::Open(Box::new(link("accounts"))), &mut out);
        assert_eq!(state.draft.as_ref().map(|d| d.name.as_str()), Some("draft"));
        state.apply(MappingCommand::DiscardChanges, &mut out);
        assert_eq!(state.draft, Some(link("accounts")));

        state.apply(MappingCommand::Create(Box::new(link("draft"))), &mut out);
        state.apply(MappingCommand::NewLink, &mut out);
        state.apply(MappingCommand::DiscardChanges, &mut out);
        assert_eq!(state.draft, None);
        assert!(state.new_link.is_some());
    }

    #[test]
    fn only_a_saved_link_can_be_deleted_and_only_once_confirmed() {
        let mut state = MappingState::default();
        let mut out = Vec::new();
        state.apply(MappingCommand::Create(Box::new(link("draft"))), &mut out);
        state.apply(MappingCommand::AskDelete, &mut out);
        assert!(!state.confirm_delete, "nothing saved to delete");
        state.apply(MappingCommand::Delete, &mut out);
        assert!(out.is_empty());

        state.apply(MappingCommand::Open(Box::new(link("accounts"))), &mut out);
        state.apply(MappingCommand::DiscardChanges, &mut out);
        state.apply(MappingCommand::AskDelete, &mut out);
        assert!(state.confirm_delete);
        state.apply(MappingCommand::Delete, &mut out);
        assert!(!state.confirm_delete);
        assert_eq!(
            out,
            vec![crate::desktop::Request::DeleteLink {
                name: "accounts".into()
            }]
        );
    }
}
