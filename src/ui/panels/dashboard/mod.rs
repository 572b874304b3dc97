//! The dashboard: one card per link in a responsive grid, and the 30-day chart.

mod chart;
mod chart_days;
pub mod health;
mod syncing;

use chrono::Utc;
use egui::{Margin, RichText, Ui, Vec2};

use crate::access::Action;
use crate::desktop::{LinkCard, Request};
use crate::run::RunSummary;
use crate::ui::command::{Command, Commands};
use crate::ui::model::{Model, SyncState};
use crate::ui::theme::{self, GRID};
use crate::ui::{Page, widgets};
use health::Light;

/// Three cards side by side at 1024 px, so that the chart under them is in sight.
const CARD_MIN_WIDTH: f32 = 240.0;

pub fn show(ui: &mut Ui, model: &Model, commands: &mut Commands) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            // Room for the scroll bar, which floats over the right edge of the content.
            ui.set_max_width(ui.available_width() - ui.spacing().scroll.bar_width - 6.0);
            header(ui, model, commands);
            widgets::failure_banner(ui, model.failures.get(&crate::desktop::Topic::Sync));
            if model.links.is_empty() {
                empty(ui, model, commands);
                return;
            }
            cards(ui, model, commands);
            ui.add_space(3.0 * GRID);
            chart::show(ui, &model.daily);
        });
}

fn header(ui: &mut Ui, model: &Model, commands: &mut Commands) {
    ui.horizontal(|ui| {
        ui.vertical(|ui| {
            ui.label(RichText::new("Dashboard").heading().strong());
            let subtitle = match model.links.len() {
                0 => "Your links and their last runs".to_string(),
                1 => "1 link".to_string(),
                n => format!("{n} links"),
            };
            ui.label(RichText::new(subtitle).weak());
        });
        widgets::right_aligned(ui, |ui| {
            let any_idle = model.links.iter().any(|l| !model.is_syncing(&l.link.name));
            let refusals: Vec<String> = model
                .links
                .iter()
                .filter_map(|l| model.link_refusal(&l.link.name, Action::RunSyncs))
                .collect();
            let refused = (refusals.len() == model.links.len())
                .then(|| refusals.first().cloned())
                .flatten();
            if model.links.len() > 1
                && widgets::permitted(
                    ui,
                    any_idle,
                    refused.as_deref(),
                    egui::Button::new("Sync all"),
                )
                .on_hover_text("Sync every link, one after the other")
                .clicked()
            {
                commands.send(Request::SyncAll);
            }
        });
    });
    ui.add_space(GRID);
}

fn empty(ui: &mut Ui, model: &Model, commands: &mut Commands) {
    if !model.links_loaded {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("Loading your links…").weak());
        });
        return;
    }
    if model.connections.is_empty() {
        widgets::empty_state(
            ui,
            "No connections yet",
            "Connect an org, or explore the sandbox org with demo data.",
            |ui| {
                ui.horizontal(|ui| {
                    let width = 360.0;
                    ui.add_space(((ui.available_width() - width) / 2.0).max(0.0));
                    if widgets::primary_button(
                        ui,
                        "Explore the sandbox org",
                        model.connecting.is_none(),
                    )
                    .clicked()
                    {
                        commands.send(Request::ConnectSandbox);
                    }
                    if ui.button("Connect org…").clicked() {
                        commands.push(Command::OpenConnectWizard);
                    }
                });
                if let Some(step) = &model.connecting {
                    ui.add_space(GRID);
                    ui.horizontal(|ui| {
                        ui.add_space(((ui.available_width() - 240.0) / 2.0).max(0.0));
                        ui.spinner();
                        ui.label(RichText::new(step).weak());
                    });
                }
            },
        );
    } else {
        widgets::empty_state(
            ui,
            "No links yet",
            "A link keeps one local table in sync with one Salesforce object. Map your first one in the mapping studio.",
            |ui| {
                if widgets::primary_button(ui, "Open the mapping studio", true).clicked() {
                    commands.push(Command::Navigate(Page::Mappings));
                }
            },
        );
    }
}

fn cards(ui: &mut Ui, model: &Model, commands: &mut Commands) {
    let gap = 2.0 * GRID;
    let width = ui.available_width();
    let per_row = (((width + gap) / (CARD_MIN_WIDTH + gap)).floor() as usize)
        .clamp(1, model.links.len().max(1));
    let card_width = (width - gap * (per_row - 1) as f32) / per_row as f32;
    for row in model.links.chunks(per_row) {
        ui.horizontal_top(|ui| {
            ui.spacing_mut().item_spacing.x = gap;
            for card in row {
                link_card(ui, card, model, card_width, commands);
            }
        });
        ui.add_space(gap - GRID);
    }
}

fn link_card(ui: &mut Ui, card: &LinkCard, model: &Model, width: f32, commands: &mut Commands) {
    let name = &card.link.name;
    let selected = model.selected_link.as_deref() == Some(name.as_str());
    let now = Utc::now();
    let connection = model.connection(&card.link.connection);
    let (light, mut reason) = health::light(card, connection, now);
    if model.syncs.contains_key(name) && card.last_run.is_none() {
        reason = "Syncing for the first time".to_string();
    }
    let stroke = if selected {
        egui::Stroke::new(1.5, theme::ACCENT.gamma_multiply(0.7))
    } else {
        theme::hairline(ui.visuals())
    };
    egui::Frame::new()
        .fill(theme::card_fill(ui.visuals()))
        .stroke(stroke)
        .corner_radius(theme::CARD_RADIUS)
        .inner_margin(Margin::same(16))
        .show(ui, |ui| {
            // Inner margin and the stroke on both sides.
            ui.set_width(width - 35.0);
            ui.vertical(|ui| card_body(ui, card, model, commands, selected, &reason, light, now));
        });
}

#[allow(clippy::too_many_arguments)]
fn card_body(
    ui: &mut Ui,
    card: &LinkCard,
    model: &Model,
    commands: &mut Commands,
    selected: bool,
    reason: &str,
    light: Light,
    now: chrono::DateTime<Utc>,
) {
    let name = &card.link.name;
    ui.horizontal(|ui| {
        let color = match light {
            Light::Green => theme::SUCCESS,
            Light::Yellow => theme::WARNING,
            Light::Red => theme::DANGER,
            Light::Grey => ui.visuals().weak_text_color(),
        };
        let (rect, dot) = ui.allocate_exact_size(Vec2::splat(12.0), egui::Sense::hover());
        ui.painter().circle_filled(rect.center(), 6.0, color);
        dot.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::Image,
                true,
                format!("Status of {name}: {reason}"),
            )
        });
        dot.on_hover_text(reason);
        // A narrow card shortens the object and table, never the direction's word after them.
        let full = health::title(&card.link);
        let word = format!(
            "({})",
            crate::sync::arrows::word(crate::sync::arrows::of_link(&card.link))
        );
        let word_width = ui
            .painter()
            .layout_no_wrap(
                word.clone(),
                egui::FontId::proportional(16.0),
                ui.visuals().strong_text_color(),
            )
            .size()
            .x;
        let room = ui.available_width() - word_width - ui.spacing().item_spacing.x;
        let title = ui
            .scope(|ui| {
                ui.set_max_width(room.max(0.0));
                ui.add(
                    egui::Label::new(
                        RichText::new(crate::sync::arrows::title(&card.link))
                            .size(16.0)
                            .strong(),
                    )
                    .truncate()
                    .show_tooltip_when_elided(false)
                    .sense(egui::Sense::click()),
                )
            })
            .inner;
        title.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &full));
        let word = ui.add(
            egui::Label::new(RichText::new(word).size(16.0).strong()).sense(egui::Sense::click()),
        );
        let hover = format!("{full}. Select (Ctrl+Enter syncs the selected link)");
        if (title.on_hover_text(&hover).clicked() || word.on_hover_text(&hover).clicked())
            && !selected
        {
            commands.push(Command::SelectLink(name.clone()));
        }
    });
    ui.label(
        RichText::new(format!(
            "{} · {} · {name}",
            card.link.connection, card.link.object
        ))
        .small()
        .weak(),
    );
    ui.add_space(GRID);
    let last = match model.syncs.get(name) {
        Some(_) => syncing::line(card, now),
        None => health::last_sync_line(card, now),
    };
    ui.label(last).on_hover_text(exact_time(card));
    ui.label(
        RichText::new(format!("{} · {}", reason, health::next_line(card, now)))
            .small()
            .weak(),
    );
    ui.add_space(GRID);
    match model.syncs.get(name) {
        Some(state) => running(ui, name, state, commands),
        None => match model.delete_questions.get(name) {
            Some(stopped) => delete_question(ui, name, stopped, commands),
            None => idle(ui, card, model, commands),
        },
    }
}

/// A run a person started stopped before deleting more than the guard allows: it asks.
fn delete_question(ui: &mut Ui, name: &str, stopped: &RunSummary, commands: &mut Commands) {
    let waiting = stopped.counts.deletes_waiting;
    ui.label(
        RichText::new(format!("Delete {waiting} records?"))
            .strong()
            .color(theme::WARNING),
    );
    if let Some(message) = &stopped.message {
        ui.label(RichText::new(message).small());
    }
    ui.horizontal(|ui| {
        let delete = ui.button("Delete them");
        delete.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::Button,
                true,
                format!("Delete them: sync {name} allowing {waiting} deletes"),
            )
        });
        if delete.clicked() {
            commands.send(Request::SyncAllowingDeletes {
                link: name.to_string(),
            });
        }
        if ui.button("Don't delete").clicked() {
            commands.push(Command::KeepRecords(name.to_string()));
        }
    });
}

fn exact_time(card: &LinkCard) -> String {
    match &card.last_run {
        Some(run) => format!(
            "Run {} started {}",
            run.id,
            run.started_at
                .with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M:%S")
        ),
        None => "No run yet".to_string(),
    }
}

fn idle(ui: &mut Ui, card: &LinkCard, model: &Model, commands: &mut Commands) {
    let refusal = model.link_refusal(&card.link.name, Action::RunSyncs);
    // A narrow card puts its second and third buttons on a line of their own.
    ui.horizontal_wrapped(|ui| {
        let sync = widgets::primary_permitted(ui, "Sync Now", true, refusal.as_deref());
        let sync = sync.on_hover_text(format!(
            "Sync {} now (Ctrl+Enter when selected)",
            card.link.name
        ));
        if sync.clicked() {
            commands.push(Command::SelectLink(card.link.name.clone()));
            commands.send(Request::SyncNow {
                link: card.link.name.clone(),
            });
        }
        if card.open_conflicts > 0 && ui.button("Review conflicts").clicked() {
            commands.push(Command::Navigate(Page::Conflicts));
        }
        if card.open_errors > 0 && ui.button("See errors").clicked() {
            commands.push(Command::Navigate(Page::Errors));
        }
    });
}

fn running(ui: &mut Ui, name: &str, state: &SyncState, commands: &mut Commands) {
    let (fraction, line) = match state {
        SyncState::Starting => (None, "Starting…".to_string()),
        SyncState::Running(p) => (
            p.total
                .filter(|t| *t > 0)
                .map(|t| (p.done as f32 / t as f32).clamp(0.0, 1.0)),
            health::progress_line(p),
        ),
    };
    let bar = match fraction {
        Some(f) => egui::ProgressBar::new(f),
        None => egui::ProgressBar::new(0.0).animate(true),
    };
    ui.add(bar.desired_height(8.0).desired_width(ui.available_width()));
    ui.horizontal(|ui| {
        let cancel = ui.button("Cancel");
        cancel.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Cancel sync of {name}"))
        });
        if cancel.clicked() {
            commands.send(Request::CancelSync {
                link: name.to_string(),
            });
        }
        ui.label(RichText::new(line).small());
    });
}
