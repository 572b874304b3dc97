//! The mapped pairs (direction toggle, conflict policy, verify's problems inline with their
//! fixes) and the computed push fields with a live preview.

use std::time::{Duration, Instant};

use egui::{RichText, Role, Ui, WidgetInfo};

use super::create_fields::{self, CreateFieldsCommand};
use super::draft::{self, fix_for, policy_word};
use super::{ExpressionEdit, MappingCommand, MappingState};
use crate::desktop::{FieldInfo, Request};
use crate::sync::link::{Direction, FieldMapping, Link, LocalSource, MatchKey};
use crate::sync::verify::{Problem, Severity};
use crate::ui::command::{Command, Commands};
use crate::ui::{code_words, format, theme, widgets};

/// How long typing must pause before an expression is previewed.
const SETTLE: Duration = Duration::from_millis(400);

fn problem_line(ui: &mut Ui, problem: &Problem, link: &Link, commands: &mut Commands) {
    let color = match problem.severity {
        Severity::Error => theme::DANGER,
        Severity::Warning => theme::WARNING,
    };
    ui.horizontal_wrapped(|ui| {
        let icon = if problem.severity == Severity::Error {
            "⛔"
        } else {
            "⚠"
        };
        let style = ui.style().clone();
        let look = code_words::Look {
            color: Some(color),
            ..Default::default()
        };
        ui.label(code_words::job(
            &style,
            &format!("{icon} {}", problem.message),
            look,
        ));
        let look = code_words::Look {
            small: true,
            weak: true,
            ..Default::default()
        };
        ui.label(code_words::job(
            &style,
            &format!("Fix: {}", problem.fix),
            look,
        ));
        if let Some(fix) = fix_for(problem, link)
            && ui.small_button(fix.label()).clicked()
        {
            commands.push(Command::Mapping(MappingCommand::ApplyFix(fix)));
        }
    });
}

/// Problems of the link as a whole, or of fields it does not map.
pub(super) fn problems_summary(
    ui: &mut Ui,
    state: &MappingState,
    link: &Link,
    commands: &mut Commands,
) {
    let Some(problems) = &state.problems else {
        return;
    };
    if problems.is_empty() {
        ui.label(RichText::new("✔ Verified: no problems found").color(theme::SUCCESS));
        return;
    }
    let missing = problems.iter().filter(|p| create_fields::fixes(p)).count();
    if missing > 0 {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(format!(
                    "{} this link names {} missing from the org or hidden from you",
                    format::count(missing, "custom field"),
                    if missing == 1 { "is" } else { "are" }
                ))
                .color(theme::DANGER),
            );
            if widgets::primary_button(ui, "Create missing fields", state.create_fields.is_none())
                .on_hover_text("Shows what will be created, to edit, then creates the fields, grants them to you and verifies again")
                .clicked()
            {
                commands.push(Command::Mapping(MappingCommand::CreateFields(
                    CreateFieldsCommand::ForLink,
                )));
            }
        });
    }
    let mut discard = Commands::default();
    for problem in problems.iter().filter(|p| {
        p.field
            .as_ref()
            .is_none_or(|f| !link.fields.iter().any(|m| &m.remote == f))
    }) {
        problem_line(ui, problem, link, &mut discard);
    }
}

/// Whether the link creates records for rows without a Salesforce Id.
fn creates(ui: &mut Ui, link: &Link, commands: &mut Commands) {
    match &link.match_on {
        MatchKey::SalesforceId => {
            let mut on = link.create_unmatched;
            let text = "Create records for rows without a Salesforce Id";
            let toggled = ui
                .checkbox(&mut on, text)
                .on_hover_text(format!(
                    "On: each row with an empty {} becomes a new {} record, and its Id is written back. Off: such rows are left out of every sync.",
                    link.id_column, link.object
                ))
                .changed();
            if toggled {
                commands.push(Command::Mapping(MappingCommand::SetCreateUnmatched(on)));
            }
        }
        MatchKey::ExternalId { field, .. } => {
            ui.label(
                RichText::new(format!(
                    "Rows without a Salesforce Id are upserted on {field}: created once, found again by it"
                ))
                .weak(),
            );
        }
    }
}

/// How many pairs the page keeps room for before the studio gives up space.
pub(super) const IN_SIGHT: usize = 12;
/// One pair's line: controls a little lower than elsewhere so a dozen fit under the studio.
const ROW: f32 = 24.0;
const CONTROL: f32 = 22.0;
/// The line above the pairs (their count and whether rows without an Id are created).
const HEADER: f32 = 4.0 * theme::GRID;

/// The height `pairs` pair lines take with their header.
pub(super) fn height(pairs: f32) -> f32 {
    // The rest: the spacing around the list and the page's bottom margin.
    HEADER + pairs * ROW + 5.0 * theme::GRID
}

pub(super) fn show(
    ui: &mut Ui,
    state: &mut MappingState,
    link: &Link,
    status: Option<(String, egui::Color32)>,
    commands: &mut Commands,
) {
    let fields = state.catalog.fields_of(link).cloned().unwrap_or_default();
    let by_column: Vec<&FieldMapping> = link
        .fields
        .iter()
        .filter(|m| m.local_column().is_some())
        .collect();
    ui.horizontal(|ui| {
        ui.set_min_height(HEADER - theme::GRID);
        ui.label(RichText::new(format!("Mapped fields ({})", by_column.len())).strong());
        ui.add_space(2.0 * theme::GRID);
        creates(ui, link, commands);
        if let Some((text, color)) = status {
            ui.add_space(2.0 * theme::GRID);
            ui.add(egui::Label::new(RichText::new(&text).color(color)).truncate())
                .on_hover_text(text);
        }
    });
    egui::ScrollArea::vertical()
        .id_salt("mapped_pairs")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if by_column.is_empty() {
                ui.label(
                    RichText::new("Nothing mapped yet. Drag a Salesforce field onto a local column, or press Auto-match")
                        .weak(),
                );
            }
            ui.spacing_mut().item_spacing.y = 0.0;
            let label_width = (ui.available_width() * 0.26).clamp(120.0, 260.0);
            for (i, mapping) in by_column.into_iter().enumerate() {
                let field = fields.iter().find(|f| f.name == mapping.remote);
                let stripe = if i % 2 == 0 {
                    ui.visuals().faint_bg_color
                } else {
                    egui::Color32::TRANSPARENT
                };
                // Rows share their texts ("On conflict: …"), so each needs its own id scope.
                ui.push_id(&mapping.remote, |ui| {
                    egui::Frame::new()
                        .fill(stripe)
                        .corner_radius(4)
                        .inner_margin(egui::Margin::symmetric(8, 1))
                        .show(ui, |ui| {
                            ui.spacing_mut().item_spacing.y = 2.0;
                            pair_row(ui, link, mapping, field, label_width, commands);
                            for problem in state
                                .problems
                                .iter()
                                .flatten()
                                .filter(|p| p.field.as_deref() == Some(&mapping.remote))
                            {
                                problem_line(ui, problem, link, commands);
                            }
                        });
                });
            }
            ui.spacing_mut().item_spacing.y = theme::GRID;
            ui.add_space(2.0 * theme::GRID);
            computed(ui, state, link, &fields, commands);
        });
}

fn pair_row(
    ui: &mut Ui,
    link: &Link,
    mapping: &FieldMapping,
    field: Option<&FieldInfo>,
    label_width: f32,
    commands: &mut Commands,
) {
    let label = field
        .map_or(mapping.remote.as_str(), |f| f.label.as_str())
        .to_string();
    // A row is as high as the parent's controls: lower them before the row is laid out.
    ui.spacing_mut().interact_size.y = CONTROL;
    ui.spacing_mut().button_padding = egui::vec2(theme::GRID, 1.0);
    ui.horizontal(|ui| {
        ui.allocate_ui_with_layout(
            egui::vec2(label_width, CONTROL),
            egui::Layout::left_to_right(egui::Align::Center),
            |ui| {
                ui.set_width(label_width);
                ui.add(egui::Label::new(RichText::new(&label).strong()).truncate())
                    .on_hover_text(format!("{label} ({})", mapping.remote));
            },
        );
        let allowed = draft::directions(mapping, field);
        let toggle = crate::ui::direction::toggle(ui, &label, mapping.direction, allowed.len() > 1);
        if toggle.clicked() {
            commands.push(Command::Mapping(MappingCommand::SetDirection {
                field: mapping.remote.clone(),
                direction: draft::next_direction(mapping.direction, &allowed),
            }));
        }
        let local = draft::local_text(mapping);
        ui.allocate_ui_with_layout(
            egui::vec2(label_width * 0.8, CONTROL),
            egui::Layout::left_to_right(egui::Align::Center),
            |ui| {
                ui.set_width(label_width * 0.8);
                ui.add(egui::Label::new(local.clone()).truncate())
                    .on_hover_text(local);
            },
        );
        if mapping.direction == Direction::Both {
            let chip = policy_word(mapping.policy);
            let shown = if mapping.policy.is_none() {
                format!("On conflict: {}", policy_word(Some(link.policy)))
            } else {
                format!("On conflict: {chip}")
            };
            let menu = ui.menu_button(shown, |ui| {
                for policy in draft::POLICIES {
                    let text = match policy {
                        None => format!("Link default ({})", policy_word(Some(link.policy))),
                        Some(_) => policy_word(policy).to_string(),
                    };
                    if ui
                        .selectable_label(mapping.policy == policy, text)
                        .clicked()
                    {
                        commands.push(Command::Mapping(MappingCommand::SetPolicy {
                            field: mapping.remote.clone(),
                            policy,
                        }));
                        ui.close();
                    }
                }
            });
            let chip_name = format!("Conflict policy of {label}: {chip}");
            let enabled = menu.response.enabled();
            menu.response
                .widget_info(|| WidgetInfo::labeled(Role::Button, enabled, &chip_name));
        }
        widgets::right_aligned(ui, |ui| {
            let remove = ui.small_button("✖").on_hover_text("Remove this mapping");
            let remove_name = format!("Remove mapping of {label}");
            let enabled = remove.enabled();
            remove.widget_info(|| WidgetInfo::labeled(Role::Button, enabled, &remove_name));
            if remove.clicked() {
                commands.push(Command::Mapping(MappingCommand::Unmap {
                    field: mapping.remote.clone(),
                }));
            }
        });
    });
}

fn computed(
    ui: &mut Ui,
    state: &mut MappingState,
    link: &Link,
    fields: &[FieldInfo],
    commands: &mut Commands,
) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Computed push fields").strong());
        let free: Vec<&FieldInfo> = fields
            .iter()
            .filter(|f| {
                !f.read_only && f.name != "Id" && !link.fields.iter().any(|m| m.remote == f.name)
            })
            .collect();
        ui.add_enabled_ui(!free.is_empty(), |ui| {
            ui.menu_button("Add computed field…", |ui| {
                egui::ScrollArea::vertical()
                    .max_height(280.0)
                    .show(ui, |ui| {
                        for f in free {
                            if ui.button(format!("{} ({})", f.label, f.name)).clicked() {
                                commands.push(Command::Mapping(MappingCommand::AddExpression {
                                    field: f.name.clone(),
                                }));
                                ui.close();
                            }
                        }
                    });
            });
        });
    });
    let expressions: Vec<(String, String)> = link
        .fields
        .iter()
        .filter_map(|m| match &m.local {
            LocalSource::Expression(sql) => Some((m.remote.clone(), sql.clone())),
            LocalSource::Column(_) => None,
        })
        .collect();
    if expressions.is_empty() {
        ui.label(RichText::new("Push a value SQLite computes from the row, e.g. printf('%.1f', score * 100) into a text field. Add one to see it on sample rows").weak());
    }
    for (field, sql) in expressions {
        let label = fields
            .iter()
            .find(|f| f.name == field)
            .map_or(field.clone(), |f| f.label.clone());
        widgets::card(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(RichText::new(format!("{label} →")).strong());
                widgets::right_aligned(ui, |ui| {
                    let remove = ui.small_button("✖");
                    let name = format!("Remove mapping of {label}");
                    let enabled = remove.enabled();
                    remove.widget_info(|| WidgetInfo::labeled(Role::Button, enabled, &name));
                    if remove.clicked() {
                        commands.push(Command::Mapping(MappingCommand::Unmap {
                            field: field.clone(),
                        }));
                    }
                });
            });
            let edit = state
                .expressions
                .entry(field.clone())
                .or_insert_with(|| ExpressionEdit {
                    text: sql.clone(),
                    changed: Instant::now(),
                    previewed: false,
                });
            let caption = ui.label(
                RichText::new(format!("SQL expression for {label}"))
                    .small()
                    .weak(),
            );
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut edit.text)
                        .code_editor()
                        .desired_width(f32::INFINITY)
                        .hint_text("e.g. upper(name)"),
                )
                .labelled_by(caption.id);
            if response.changed() {
                edit.changed = Instant::now();
                edit.previewed = false;
                commands.push(Command::Mapping(MappingCommand::SetExpression {
                    field: field.clone(),
                    sql: edit.text.clone(),
                }));
            }
            if !edit.previewed {
                let waited = edit.changed.elapsed();
                if waited >= SETTLE {
                    edit.previewed = true;
                    commands.send(Request::PreviewExpression {
                        table: link.table.clone(),
                        key: link.key.clone(),
                        expression: edit.text.clone(),
                    });
                } else {
                    ui.ctx().request_repaint_after(SETTLE - waited);
                }
            }
            match state.previews.get(&edit.text) {
                Some(Ok(rows)) if rows.is_empty() => {
                    ui.label(
                        RichText::new(format!("{} has no rows to preview yet", link.table)).weak(),
                    );
                }
                Some(Ok(rows)) => {
                    egui::Grid::new(("preview", &field))
                        .striped(true)
                        .show(ui, |ui| {
                            ui.label(RichText::new(&link.key).small().strong());
                            ui.label(RichText::new("Value sent").small().strong());
                            ui.end_row();
                            for (key, value) in rows {
                                ui.label(RichText::new(key).small());
                                ui.label(RichText::new(value).small().monospace());
                                ui.end_row();
                            }
                        });
                }
                Some(Err(why)) => {
                    ui.label(RichText::new(format!("⚠ {why}")).color(theme::DANGER));
                }
                None if edit.previewed => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(RichText::new("Previewing on sample rows…").weak());
                    });
                }
                None => {}
            }
            for problem in state
                .problems
                .iter()
                .flatten()
                .filter(|p| p.field.as_deref() == Some(&field))
            {
                problem_line(ui, problem, link, commands);
            }
        });
    }
}
