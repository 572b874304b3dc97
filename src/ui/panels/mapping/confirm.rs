//! The studio's two questions: delete the link being edited, and drop unsaved changes before
//! another link opens.

use egui::{Color32, RichText, Ui};

use super::{MappingCommand, MappingState};
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
    } else if let (Some((next, _)), Some(draft)) = (&state.waiting, &state.draft) {
        ask(
            ui,
            "mapping_discard",
            "Discard unsaved changes?",
            &format!(
                "The changes to {} are not saved. Opening {} drops them; Keep editing, then Save, to keep them.",
                draft.name, next.name
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
