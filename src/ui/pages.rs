//! The window's regions: top bar, navigation rail and the pages in the content area.

use std::time::SystemTime;

use egui::{Layout, Margin, RichText, Ui, Vec2};

use super::format::{group_thousands, relative_time};
use super::state::{Connection, ObjectCount, OrgView, Page};
use super::theme::{self, GRID};
use super::widgets;

/// What the user asked for during this frame.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Intents {
    pub navigate: Option<Page>,
    pub refresh: bool,
    pub explore_sandbox: bool,
}

pub fn top_bar(ui: &mut Ui, view: Option<&OrgView>) {
    ui.horizontal_centered(|ui| {
        widgets::logo(ui, 24.0);
        ui.label(RichText::new("Tether").size(17.0).strong());
        ui.add_space(GRID);
        ui.separator();
        ui.add_space(GRID / 2.0);
        match view.map(|v| (&v.summary, &v.connection)) {
            Some((Some(summary), _)) => {
                ui.label(RichText::new(&summary.org_name).strong());
                if summary.is_sandbox {
                    widgets::badge(ui, "Sandbox", theme::WARNING);
                } else {
                    widgets::badge(ui, "Production", theme::DANGER);
                }
            }
            Some((None, Connection::Failed(_))) => {
                ui.label(RichText::new("Org unavailable").weak());
            }
            Some((None, _)) => {
                ui.spinner();
                ui.label(RichText::new("Connecting…").weak());
            }
            None => {
                ui.label(RichText::new("No org connected").weak());
            }
        }
        widgets::right_aligned(ui, |ui| {
            if let Some((used, max)) = view.and_then(|v| v.api_usage) {
                api_gauge(ui, used, max);
            }
        });
    });
}

/// Daily API requests used, as a slim bar with the numbers beside it.
fn api_gauge(ui: &mut Ui, used: u64, max: u64) {
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
    ui.add(
        egui::ProgressBar::new(share)
            .desired_width(120.0)
            .desired_height(6.0)
            .fill(color),
    )
    .on_hover_text(format!(
        "{} of {} daily API requests used in the last 24 hours",
        group_thousands(used),
        group_thousands(max)
    ));
    ui.label(RichText::new("API usage").small().weak());
}

pub fn nav_rail(ui: &mut Ui, current: Page, intents: &mut Intents) {
    ui.add_space(GRID);
    for page in Page::MAIN {
        nav_item(ui, page, current, intents);
    }
    ui.with_layout(Layout::bottom_up(egui::Align::Min), |ui| {
        ui.add_space(GRID);
        nav_item(ui, Page::Settings, current, intents);
        ui.separator();
    });
}

fn nav_item(ui: &mut Ui, page: Page, current: Page, intents: &mut Intents) {
    let selected = page == current;
    let text = format!("{}   {}", page.icon(), page.title());
    let text = if selected {
        RichText::new(text).strong()
    } else {
        RichText::new(text)
    };
    let button = egui::Button::selectable(selected, text)
        .right_text("")
        .min_size(Vec2::new(ui.available_width(), 4.5 * GRID));
    let response = ui.add(button);
    // The icon is decoration: screen readers (and tests) know the item by its title.
    response.widget_info(|| {
        egui::WidgetInfo::selected(egui::Role::Button, true, selected, page.title())
    });
    if response.clicked() && !selected {
        intents.navigate = Some(page);
    }
}

/// The content area when no org is connected.
pub fn no_connections(ui: &mut Ui, can_explore: bool, intents: &mut Intents) {
    widgets::empty_state(
        ui,
        "No connections yet",
        "Connect an org, or explore the sandbox org with demo data.",
        |ui| {
            if can_explore && widgets::primary_button(ui, "Explore the sandbox org", true).clicked()
            {
                intents.explore_sandbox = true;
            }
            ui.add_space(GRID);
            ui.horizontal(|ui| {
                let hint_width = 260.0;
                ui.add_space(((ui.available_width() - hint_width) / 2.0).max(0.0));
                ui.label(RichText::new("or run").weak());
                ui.code("tether demo");
                ui.label(RichText::new("in a terminal").weak());
            });
        },
    );
}

/// A page that does not exist yet: says what it will hold.
pub fn placeholder(ui: &mut Ui, page: Page) {
    page_header(ui, page.title(), None);
    widgets::empty_state(
        ui,
        &format!("Nothing in {} yet", page.title()),
        page.placeholder(),
        |_| {},
    );
}

fn page_header(ui: &mut Ui, title: &str, subtitle: Option<&str>) {
    ui.label(RichText::new(title).heading().strong());
    if let Some(subtitle) = subtitle {
        ui.label(RichText::new(subtitle).weak());
    }
    ui.add_space(GRID);
}

/// The dashboard of a connected org: the connection card and the record counts.
pub fn org_dashboard(ui: &mut Ui, view: &OrgView, intents: &mut Intents) {
    page_header(
        ui,
        "Dashboard",
        Some("The sandbox org, filled with demo data"),
    );
    widgets::card(ui, |ui| {
        ui.set_width(ui.available_width());
        connection_card(ui, view, intents);
    });
    ui.add_space(2.0 * GRID);
    ui.horizontal(|ui| {
        ui.label(RichText::new("Records").size(16.0).strong());
        if let Some(at) = view.refreshed_at {
            let elapsed = SystemTime::now().duration_since(at).unwrap_or_default();
            let when = chrono::DateTime::<chrono::Local>::from(at)
                .format("%H:%M:%S")
                .to_string();
            ui.label(
                RichText::new(format!("Updated {}", relative_time(elapsed)))
                    .small()
                    .weak(),
            )
            .on_hover_text(format!("Counted at {when}"));
        }
    });
    ui.add_space(GRID / 2.0);
    counts_grid(ui, view);
}

fn connection_card(ui: &mut Ui, view: &OrgView, intents: &mut Intents) {
    ui.horizontal(|ui| {
        match &view.connection {
            Connection::Connecting(step) => {
                ui.spinner();
                ui.label(RichText::new(step).strong());
            }
            Connection::Connected(_) => {
                widgets::status(ui, theme::SUCCESS, "Connected");
            }
            Connection::Failed(_) => {
                widgets::status(ui, theme::DANGER, "Not connected");
            }
        }
        widgets::right_aligned(ui, |ui| {
            let label = if matches!(view.connection, Connection::Failed(_)) {
                "Retry"
            } else {
                "Refresh"
            };
            let enabled = !view.refreshing && view.backend_alive;
            let response = ui.add_enabled(enabled, egui::Button::new(label));
            if response.clicked() {
                intents.refresh = true;
            }
            if view.refreshing && matches!(view.connection, Connection::Connected(_)) {
                ui.spinner();
            }
        });
    });
    if let Connection::Failed(message) = &view.connection {
        ui.add_space(GRID / 2.0);
        ui.label(RichText::new(message).color(theme::DANGER));
    }
    let Some(summary) = &view.summary else {
        return;
    };
    ui.add_space(GRID);
    ui.label(RichText::new(&summary.org_name).size(20.0).strong());
    ui.add_space(GRID);
    egui::Grid::new("org_details")
        .num_columns(2)
        .spacing(Vec2::new(3.0 * GRID, GRID))
        .show(ui, |ui| {
            detail_row(
                ui,
                "User",
                &format!("{} · {}", summary.user_name, summary.username),
            );
            detail_row(ui, "Instance URL", &summary.instance_url);
            detail_row(ui, "API version", &summary.api_version);
        });
}

fn detail_row(ui: &mut Ui, label: &str, value: &str) {
    ui.label(RichText::new(label).weak());
    ui.label(value);
    ui.end_row();
}

fn counts_grid(ui: &mut Ui, view: &OrgView) {
    if view.counts.is_empty() {
        ui.horizontal(|ui| {
            if view.refreshing {
                ui.spinner();
                ui.label(RichText::new("Counting records…").weak());
            } else {
                ui.label(
                    RichText::new("No counts yet: press Refresh once the org is connected.").weak(),
                );
            }
        });
        return;
    }
    // As many equal cards per row as fit at 180 px or more, filling the width.
    let gap = 2.0 * GRID;
    let width = ui.available_width();
    let per_row = (((width + gap) / (180.0 + gap)).floor() as usize).clamp(1, view.counts.len());
    let card_width = (width - gap * (per_row - 1) as f32) / per_row as f32;
    for row in view.counts.chunks(per_row) {
        ui.horizontal_top(|ui| {
            ui.spacing_mut().item_spacing.x = gap;
            for count in row {
                count_card(ui, count, card_width);
            }
        });
        ui.add_space(gap - GRID);
    }
}

fn count_card(ui: &mut Ui, count: &ObjectCount, width: f32) {
    egui::Frame::new()
        .fill(theme::card_fill(ui.visuals()))
        .stroke(theme::hairline(ui.visuals()))
        .corner_radius(theme::CARD_RADIUS)
        .inner_margin(Margin::same(16))
        .show(ui, |ui| {
            // Inner margin and the 1-px stroke on both sides.
            ui.set_width(width - 34.0);
            ui.vertical(|ui| match &count.count {
                Ok(n) => widgets::stat(
                    ui,
                    Some(&group_thousands(*n)),
                    &count.label,
                    &count.api_name,
                ),
                Err(reason) => {
                    widgets::stat(ui, Some("–"), &count.label, &count.api_name);
                    ui.label(
                        RichText::new("Could not count")
                            .small()
                            .color(theme::DANGER),
                    )
                    .on_hover_text(reason);
                }
            });
        });
}

/// Colour of the chrome behind the rail and the top bar.
pub fn chrome_frame(ui: &Ui, margin: Margin) -> egui::Frame {
    egui::Frame::new()
        .fill(theme::chrome_fill(ui.visuals()))
        .inner_margin(margin)
}
