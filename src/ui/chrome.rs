//! The window's frame around the pages: top bar, navigation rail and toasts.

use egui::{Align2, Layout, Margin, RichText, Ui, Vec2};

use super::command::{Command, Commands};
use super::format::group_thousands;
use super::model::Model;
use super::theme::{self, GRID};
use super::{Page, widgets};
use crate::desktop::ConnectionStatus;

pub fn top_bar(ui: &mut Ui, model: &Model, commands: &mut Commands) {
    ui.horizontal_centered(|ui| {
        widgets::logo(ui, 24.0);
        ui.label(RichText::new("Tether").size(17.0).strong());
        ui.add_space(GRID);
        ui.separator();
        ui.add_space(GRID / 2.0);
        match model.current_connection() {
            Some(connection) => {
                ui.label(RichText::new(&connection.name).strong())
                    .on_hover_text(format!(
                        "{} · {}",
                        connection.username, connection.instance_url
                    ));
                if super::environment::is_sandbox(connection) {
                    widgets::badge(ui, "Sandbox", theme::WARNING);
                } else {
                    widgets::badge(ui, "Production", theme::DANGER);
                }
                match &connection.status {
                    ConnectionStatus::SignInAgain(_) => {
                        widgets::status(ui, theme::DANGER, "Sign in again");
                    }
                    ConnectionStatus::Unreachable(_) => {
                        widgets::status(ui, theme::DANGER, "Unreachable");
                    }
                    _ => {}
                }
            }
            None if model.connecting.is_some() => {
                ui.spinner();
                ui.label(RichText::new("Connecting…").weak());
            }
            None => {
                ui.label(RichText::new("No org connected").weak());
            }
        }
        widgets::right_aligned(ui, |ui| {
            let palette = ui
                .button(RichText::new("🔍 Search or run a command  Ctrl+K").weak())
                .on_hover_text("Open the command palette (Ctrl+K)");
            palette.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Button, true, "Command palette")
            });
            if palette.clicked() {
                commands.push(Command::TogglePalette);
            }
            ui.add_space(GRID);
            if let Some((used, max)) = model.current_connection().and_then(|c| c.api_usage) {
                api_gauge(ui, used, max);
            }
        });
    });
}

/// Daily API requests used, as a slim bar with the numbers beside it, named for the top bar.
pub fn api_gauge(ui: &mut Ui, used: u64, max: u64) {
    usage_bar(ui, used, max);
    ui.label(RichText::new("API usage").small().weak());
}

/// The numbers and the bar, on a track that shows in either theme.
pub fn usage_bar(ui: &mut Ui, used: u64, max: u64) {
    let share = if max == 0 {
        1.0
    } else {
        (used as f64 / max as f64).clamp(0.0, 1.0) as f32
    };
    let color = match share {
        s if s >= 0.9 => theme::DANGER,
        s if s >= 0.7 => theme::WARNING,
        _ => theme::ACCENT,
    };
    ui.label(
        RichText::new(format!(
            "{} / {}",
            group_thousands(used),
            group_thousands(max)
        ))
        .small(),
    );
    let (rect, response) = ui.allocate_exact_size(egui::vec2(120.0, 6.0), egui::Sense::hover());
    let track = ui.visuals().widgets.noninteractive.bg_stroke.color;
    ui.painter().rect_filled(rect, 3.0, track);
    let mut filled = rect;
    filled.set_width((rect.width() * share).max(rect.height()));
    ui.painter().rect_filled(filled, 3.0, color);
    response.on_hover_text(format!(
        "{} of {} daily API requests used in the last 24 hours",
        group_thousands(used),
        group_thousands(max)
    ));
}

pub fn nav_rail(ui: &mut Ui, current: Page, model: &Model, commands: &mut Commands) {
    ui.add_space(GRID);
    for page in Page::MAIN {
        nav_item(ui, page, current, model, commands);
    }
    ui.with_layout(Layout::bottom_up(egui::Align::Min), |ui| {
        ui.add_space(GRID);
        nav_item(ui, Page::Settings, current, model, commands);
        ui.separator();
    });
}

fn nav_item(ui: &mut Ui, page: Page, current: Page, model: &Model, commands: &mut Commands) {
    let selected = page == current;
    let text = format!("{}   {}", page.icon(), page.title());
    let text = if selected {
        RichText::new(text).strong()
    } else {
        RichText::new(text)
    };
    let count = match page {
        Page::Conflicts => model.links.iter().map(|l| l.open_conflicts).sum::<u64>(),
        _ => 0,
    };
    let right = if count > 0 {
        group_thousands(count)
    } else {
        String::new()
    };
    let button = egui::Button::selectable(selected, text)
        .right_text(right)
        .min_size(Vec2::new(ui.available_width(), 4.5 * GRID));
    let response = ui.add(button);
    // The icon is decoration: screen readers (and tests) know the item by its title.
    response.widget_info(|| {
        egui::WidgetInfo::selected(egui::Role::Button, true, selected, page.title())
    });
    if response.clicked() && !selected {
        commands.push(Command::Navigate(page));
    }
}

/// Finished work and failures, stacked at the bottom of the navigation rail: over the rail they
/// never cover a page's content (the dashboard's chart, a table's last rows).
/// The rail's width less its margins.
const TOAST_WIDTH: f32 = 170.0;

pub fn toasts(ctx: &egui::Context, model: &Model, commands: &mut Commands) {
    if model.toasts.is_empty() {
        return;
    }
    egui::Area::new(egui::Id::unique("toasts"))
        .anchor(Align2::LEFT_BOTTOM, Vec2::new(8.0, -8.0))
        .order(egui::Order::Foreground)
        .show(ctx, |ui| {
            ui.set_max_width(TOAST_WIDTH);
            for toast in model.toasts.iter().rev().take(4) {
                let color = if toast.error {
                    theme::DANGER
                } else {
                    theme::SUCCESS
                };
                egui::Frame::popup(ui.style())
                    .inner_margin(Margin::same(12))
                    .show(ui, |ui| {
                        ui.set_width(TOAST_WIDTH - 24.0);
                        ui.horizontal_top(|ui| {
                            ui.label(
                                RichText::new(if toast.error { "⚠" } else { "✔" }).color(color),
                            );
                            // The text wraps in what the dismiss button leaves, inside the rail.
                            let text_width = (ui.available_width() - 34.0).max(40.0);
                            ui.allocate_ui(Vec2::new(text_width, 0.0), |ui| {
                                ui.add(
                                    egui::Label::new(crate::ui::code_words::job(
                                        ui.style(),
                                        &toast.text,
                                        crate::ui::code_words::Look::default(),
                                    ))
                                    .wrap(),
                                );
                            });
                            if ui.small_button("✖").on_hover_text("Dismiss").clicked() {
                                commands.push(Command::DismissToast(toast.id));
                            }
                        });
                    });
            }
        });
}

/// Colour of the chrome behind the rail and the top bar.
pub fn chrome_frame(ui: &Ui, margin: Margin) -> egui::Frame {
    egui::Frame::new()
        .fill(theme::chrome_fill(ui.visuals()))
        .inner_margin(margin)
}
