//! The conflicts inbox: fields both sides changed, with base, local and Salesforce values side
//! by side; keep one side per field, or for many at once.

use std::collections::BTreeSet;

use egui::{RichText, Ui, WidgetInfo};

use crate::access::Action;
use crate::desktop::{ConflictRow, Event, Request, Topic};
use crate::ui::command::{Command, Commands};
use crate::ui::model::Model;
use crate::ui::{Page, group_thousands, theme, widgets};
use crate::workspace::conflicts::{self, Keep};

/// Intents of the Conflicts page.
#[derive(Debug, Clone, PartialEq)]
pub enum ConflictsCommand {
    Resolve { ids: Vec<i64>, keep: Keep },
    Toggle(i64),
    CheckAll,
    ClearChecks,
    Refresh,
}

#[derive(Default)]
pub struct ConflictsState {
    rows: Option<Vec<ConflictRow>>,
    asked: bool,
    checked: BTreeSet<i64>,
    /// Conflicts sent for resolving and not yet gone from the list.
    pending: BTreeSet<i64>,
}

impl ConflictsState {
    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::Conflicts(rows) => {
                let open: BTreeSet<i64> = rows.iter().map(|r| r.conflict.id).collect();
                self.checked.retain(|id| open.contains(id));
                self.pending.clear();
                self.rows = Some(rows.clone());
            }
            // A sync may find new conflicts or settle old ones.
            Event::SyncFinished(_) => self.asked = false,
            Event::Failed {
                topic: Topic::Conflicts,
                ..
            } => self.pending.clear(),
            _ => {}
        }
    }

    pub fn apply(&mut self, command: ConflictsCommand, out: &mut Vec<Request>) {
        match command {
            ConflictsCommand::Resolve { ids, keep } => {
                if !ids.is_empty() {
                    self.pending.extend(ids.iter().copied());
                    for id in &ids {
                        self.checked.remove(id);
                    }
                    out.push(Request::ResolveConflicts { ids, keep });
                }
            }
            ConflictsCommand::Toggle(id) => {
                if !self.checked.remove(&id) {
                    self.checked.insert(id);
                }
            }
            ConflictsCommand::CheckAll => {
                let ids = self.rows.iter().flatten().map(|r| r.conflict.id);
                self.checked.extend(ids);
            }
            ConflictsCommand::ClearChecks => self.checked.clear(),
            ConflictsCommand::Refresh => self.asked = false,
        }
    }
}

pub fn show(ui: &mut Ui, state: &mut ConflictsState, model: &Model, commands: &mut Commands) {
    if !state.asked {
        state.asked = true;
        commands.send(Request::ListConflicts);
    }
    let subtitle = match &state.rows {
        None => "Loading conflicts…".to_string(),
        Some(rows) => waiting_text(rows),
    };
    widgets::page_header(ui, "Conflicts", Some(&subtitle));
    if let Some(message) = model.failures.get(&Topic::Conflicts) {
        widgets::failure_banner(ui, Some(message));
        if ui.button("Try again").clicked() {
            commands.push(Command::Conflicts(ConflictsCommand::Refresh));
        }
    }
    let Some(rows) = &state.rows else {
        ui.spinner();
        return;
    };
    if rows.is_empty() {
        widgets::empty_state(
            ui,
            "No conflicts",
            "When a field changes on both sides between syncs and its policy asks for review, it waits here for you to choose.",
            |ui| {
                if ui.button("See the run history").clicked() {
                    commands.push(Command::Navigate(Page::History));
                }
            },
        );
        return;
    }
    toolbar(ui, state, model, commands);
    ui.add_space(theme::GRID);
    egui::ScrollArea::both()
        .id_salt("conflicts_scroll")
        .show(ui, |ui| {
            for record in records(rows) {
                record_card(ui, state, model, &record, commands);
                ui.add_space(theme::GRID);
            }
        });
}

/// "3 fields wait for a decision", "1 deleted record and 2 fields wait for a decision".
fn waiting_text(rows: &[ConflictRow]) -> String {
    let records = rows
        .iter()
        .filter(|r| r.conflict.deleted_side().is_some())
        .count() as u64;
    let fields = rows.len() as u64 - records;
    let count = |n: u64, one: &str, many: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{} {many}", group_thousands(n)),
    };
    let what = match (records, fields) {
        (0, f) => count(f, "field", "fields"),
        (r, 0) => count(r, "deleted record", "deleted records"),
        (r, f) => format!(
            "{} and {}",
            count(r, "deleted record", "deleted records"),
            count(f, "field", "fields")
        ),
    };
    if records + fields == 0 {
        return "Nothing waits for a decision".to_string();
    }
    let verb = if records + fields == 1 {
        "waits"
    } else {
        "wait"
    };
    format!("{what} {verb} for a decision")
}

fn toolbar(ui: &mut Ui, state: &ConflictsState, model: &Model, commands: &mut Commands) {
    ui.horizontal(|ui| {
        if ui.button("Select all").clicked() {
            commands.push(Command::Conflicts(ConflictsCommand::CheckAll));
        }
        let n = state.checked.len();
        if n == 0 {
            ui.label(RichText::new("Select fields to resolve many at once").weak());
            return;
        }
        if ui.button("Clear selection").clicked() {
            commands.push(Command::Conflicts(ConflictsCommand::ClearChecks));
        }
        let ids: Vec<i64> = state.checked.iter().copied().collect();
        let refusal = state
            .rows
            .iter()
            .flatten()
            .filter(|row| state.checked.contains(&row.conflict.id))
            .find_map(|row| model.link_refusal(&row.link, Action::ResolveConflicts));
        let count = group_thousands(n as u64);
        for (keep, word) in [(Keep::Local, "local"), (Keep::Salesforce, "Salesforce")] {
            let text = format!("Keep {word} for {count} selected");
            let button = egui::Button::new(text);
            if widgets::permitted(ui, true, refusal.as_deref(), button).clicked() {
                commands.push(Command::Conflicts(ConflictsCommand::Resolve {
                    ids: ids.clone(),
                    keep,
                }));
            }
        }
    });
}

/// The conflicts of one record, in the order they were found.
struct Record<'a> {
    title: String,
    rows: Vec<&'a ConflictRow>,
}

fn records(rows: &[ConflictRow]) -> Vec<Record<'_>> {
    let mut records: Vec<Record<'_>> = Vec::new();
    for row in rows {
        // Grouped by the record itself: two records may share a name.
        let same = |r: &Record<'_>| {
            r.rows[0].link == row.link && r.rows[0].conflict.sf_id == row.conflict.sf_id
        };
        match records.iter_mut().find(|r| same(r)) {
            Some(record) => record.rows.push(row),
            None => records.push(Record {
                title: format!("{} · {}", row.link, record_name(row)),
                rows: vec![row],
            }),
        }
    }
    records
}

/// The record by its name where the local table has one; its Id stays on the card beside it.
fn record_name(row: &ConflictRow) -> String {
    if let Some(name) = &row.name {
        return name.clone();
    }
    match &row.conflict.row_key {
        Some(key) => crate::workspace::journal::row_name(key),
        None => row.conflict.sf_id.clone(),
    }
}

fn record_card(
    ui: &mut Ui,
    state: &ConflictsState,
    model: &Model,
    record: &Record<'_>,
    commands: &mut Commands,
) {
    widgets::card(ui, |ui| {
        ui.set_width(ui.available_width());
        let first = record.rows[0];
        ui.horizontal(|ui| {
            ui.label(RichText::new(&record.title).strong());
            ui.label(RichText::new(format!("{} {}", first.object, first.conflict.sf_id)).weak());
            if let Some(url) = &first.record_url
                && ui.link("Open in Salesforce").clicked()
            {
                commands.send(Request::OpenUrl { url: url.clone() });
            }
            if let Some(open) = super::records::open_command(
                model,
                &first.link,
                &first.object,
                &first.conflict.sf_id,
            ) && ui.link("Open record").clicked()
            {
                commands.push(open);
            }
        });
        ui.add_space(theme::GRID / 2.0);
        // The three values share what the check box, the field and the choices leave, so that
        // "Keep Salesforce" stays in the window however long the values are.
        let fixed =
            3.0 * theme::GRID + 16.0 * theme::GRID + 28.0 * theme::GRID + 10.0 * theme::GRID;
        let value_width =
            ((ui.available_width() - fixed) / 3.0).clamp(8.0 * theme::GRID, 40.0 * theme::GRID);
        egui::Grid::new(("conflict_grid", first.conflict.id))
            .num_columns(6)
            .striped(true)
            .spacing([2.0 * theme::GRID, theme::GRID / 2.0])
            .show(ui, |ui| {
                ui.label("");
                for title in ["Field", "Base", "Local", "Salesforce", ""] {
                    crate::ui::fit::column_header(ui, title);
                }
                ui.end_row();
                for row in &record.rows {
                    let refusal = model.link_refusal(&row.link, Action::ResolveConflicts);
                    field_row(ui, state, row, value_width, refusal.as_deref(), commands);
                    ui.end_row();
                }
            });
    });
}

fn field_row(
    ui: &mut Ui,
    state: &ConflictsState,
    row: &ConflictRow,
    value_width: f32,
    refusal: Option<&str>,
    commands: &mut Commands,
) {
    let c = &row.conflict;
    let name = match c.deleted_side() {
        Some(_) => record_name(row),
        None => format!("{} of {}", c.field, record_name(row)),
    };
    let mut checked = state.checked.contains(&c.id);
    let check = ui.add(egui::Checkbox::without_text(&mut checked));
    check.widget_info(|| {
        WidgetInfo::selected(
            egui::Role::CheckBox,
            true,
            checked,
            format!("Select {name}"),
        )
    });
    if check.changed() {
        commands.push(Command::Conflicts(ConflictsCommand::Toggle(c.id)));
    }
    ui.vertical(|ui| {
        match c.deleted_side() {
            Some(side) => {
                // Wide enough that the explanation reads on two lines, not one word a line.
                ui.set_min_width(14.0 * theme::GRID);
                ui.label(RichText::new("The whole record").strong());
                let place = match side {
                    Keep::Local => "Deleted locally, edited in Salesforce",
                    Keep::Salesforce => "Deleted in Salesforce, edited locally",
                };
                ui.label(RichText::new(place).small().weak());
            }
            None => {
                ui.label(RichText::new(&c.field).strong());
            }
        }
        if let Some(column) = &row.column {
            ui.label(RichText::new(format!("column {column}")).small().weak());
        }
    });
    for text in [
        RichText::new(conflicts::value_text(c.base.as_ref())).weak(),
        RichText::new(c.side_text(Keep::Local)).color(theme::ACCENT),
        RichText::new(c.side_text(Keep::Salesforce)).color(theme::WARNING),
    ] {
        ui.scope(|ui| {
            ui.set_max_width(value_width);
            ui.add(egui::Label::new(text).wrap());
        });
    }
    let pending = state.pending.contains(&c.id);
    // A deleted record's row is tall already; its longer choices stack, so that they fit a
    // small window.
    let layout = match c.deleted_side() {
        Some(_) => egui::Layout::top_down(egui::Align::Min),
        None => egui::Layout::left_to_right(egui::Align::Center),
    };
    ui.with_layout(layout, |ui| {
        for (keep, word) in c.choices() {
            let keep_word = egui::Button::new(format!("Keep {word}"));
            let button = widgets::permitted(ui, !pending, refusal, keep_word);
            let allowed = !pending && refusal.is_none();
            let label = match c.deleted_side() {
                Some(_) => format!("Keep {word} of {name}"),
                None => format!("Keep {word} {name}"),
            };
            button.widget_info(|| WidgetInfo::labeled(egui::Role::Button, allowed, &label));
            if button.clicked() {
                commands.push(Command::Conflicts(ConflictsCommand::Resolve {
                    ids: vec![c.id],
                    keep,
                }));
            }
        }
        if pending {
            ui.spinner();
        }
    });
}
