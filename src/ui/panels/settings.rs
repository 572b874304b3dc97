//! Settings: schedules, the data folder, the theme, and about.

use std::collections::HashMap;

use egui::{RichText, Ui};

use crate::access::Action;
use crate::desktop::{Request, Topic};
use crate::sync::link::Schedule;
use crate::ui::About;
use crate::ui::command::{Command, Commands};
use crate::ui::model::Model;
use crate::ui::prefs::{Prefs, ThemeChoice};
use crate::ui::theme::GRID;
use crate::ui::widgets;

/// Schedules being edited, by link, until saved.
#[derive(Default)]
pub struct SettingsState {
    drafts: HashMap<String, Schedule>,
}

impl SettingsState {
    pub fn on_event(&mut self, event: &crate::desktop::Event) {
        if let crate::desktop::Event::Links(cards) = event {
            // A saved schedule comes back in the links: its draft is done.
            self.drafts.retain(|name, draft| {
                cards
                    .iter()
                    .any(|c| &c.link.name == name && &c.link.schedule != draft)
            });
        }
    }
}

pub fn show(
    ui: &mut Ui,
    state: &mut SettingsState,
    prefs: &Prefs,
    about: &About,
    model: &Model,
    commands: &mut Commands,
) {
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        widgets::page_header(ui, "Settings", None);
        widgets::failure_banner(ui, model.failures.get(&Topic::Settings));
        section(ui, "Schedules");
        let text = "While Tether is open, links sync on their schedule. For syncs while it is closed, run `tether sync --due` from cron or a systemd timer.";
        let look = crate::ui::code_words::Look { weak: true, ..Default::default() };
        ui.label(crate::ui::code_words::job(ui.style(), text, look));
        ui.add_space(GRID / 2.0);
        if model.links.is_empty() {
            ui.label(RichText::new("No links yet: schedules appear here once you map one.").weak());
        }
        egui::Grid::new("schedules").num_columns(3).spacing([2.0 * GRID, GRID]).show(ui, |ui| {
            for card in &model.links {
                let refusal = model.link_refusal(&card.link.name, Action::EditSchedules);
                schedule_row(ui, state, &card.link, refusal.as_deref(), commands);
                ui.end_row();
            }
        });

        ui.add_space(2.0 * GRID);
        section(ui, "Appearance");
        ui.horizontal(|ui| {
            for choice in ThemeChoice::ALL {
                let r = ui.selectable_label(prefs.theme == choice, choice.label());
                r.widget_info(|| egui::WidgetInfo::selected(egui::Role::RadioButton, true, prefs.theme == choice, format!("Theme: {}", choice.label())));
                if r.clicked() && prefs.theme != choice {
                    commands.push(Command::SetTheme(choice));
                }
            }
        });

        ui.add_space(2.0 * GRID);
        section(ui, "Data");
        folder_row(ui, "Data folder", &about.data_dir, commands);
        folder_row(ui, "Workspace", &about.workspace, commands);
        ui.label(RichText::new("The workspace is one SQLite file: your tables, links, runs and errors. Tokens are never stored there: they stay in the system keychain. To use another data folder, start Tether with --data-dir or TETHER_DATA_DIR.").small().weak());

        ui.add_space(2.0 * GRID);
        section(ui, "About");
        ui.label(format!("Tether {}", env!("CARGO_PKG_VERSION")));
        // The application's own line: this library's package describes the library.
        ui.label(RichText::new("Keeps a team's own data and Salesforce in sync").weak());
        match &about.log_file {
            Some(log) => folder_row(ui, "Log file", log, commands),
            None => {
                ui.label(RichText::new("Logs go to standard error; set RUST_LOG=debug for more detail.").weak());
            }
        }
    });
}

fn section(ui: &mut Ui, title: &str) {
    ui.label(RichText::new(title).size(16.0).strong());
    ui.add_space(GRID / 2.0);
}

fn folder_row(ui: &mut Ui, label: &str, path: &std::path::Path, commands: &mut Commands) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(label).weak());
        ui.monospace(path.display().to_string());
        let folder = if path.is_dir() {
            path
        } else {
            path.parent().unwrap_or(path)
        };
        let open = ui.small_button("Open folder");
        open.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Open folder of {label}"))
        });
        if open.clicked() {
            commands.send(Request::OpenUrl {
                url: format!("file://{}", folder.display()),
            });
        }
    });
}

#[derive(PartialEq, Clone, Copy)]
enum Kind {
    Manual,
    Minutes,
    Day,
}

fn schedule_row(
    ui: &mut Ui,
    state: &mut SettingsState,
    whole: &crate::sync::link::Link,
    refusal: Option<&str>,
    commands: &mut Commands,
) {
    let (link, saved) = (whole.name.as_str(), &whole.schedule);
    // Listed as people know the link, "Account ⇄ customers (Both)"; its name on hover.
    ui.label(RichText::new(crate::sync::arrows::title_with_word(whole)).strong())
        .on_hover_text(format!("Link {link}"));
    let draft = state
        .drafts
        .entry(link.to_string())
        .or_insert_with(|| saved.clone());
    let kind = match draft {
        Schedule::Manual => Kind::Manual,
        Schedule::Minutes { .. } => Kind::Minutes,
        Schedule::Day { .. } => Kind::Day,
    };
    let row = ui.horizontal(|ui| {
        if refusal.is_some() {
            ui.disable();
        }
        let mut chosen = kind;
        let label = ui.label("Runs");
        egui::ComboBox::from_id_salt(("schedule", link))
            .selected_text(match kind {
                Kind::Manual => "Only with Sync Now",
                Kind::Minutes => "Every few minutes",
                Kind::Day => "Every day",
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut chosen, Kind::Manual, "Only with Sync Now");
                ui.selectable_value(&mut chosen, Kind::Minutes, "Every few minutes");
                ui.selectable_value(&mut chosen, Kind::Day, "Every day");
            })
            .response
            .labelled_by(label.id);
        if chosen != kind {
            *draft = match chosen {
                Kind::Manual => Schedule::Manual,
                Kind::Minutes => Schedule::Minutes { minutes: 15 },
                Kind::Day => Schedule::Day {
                    at: "06:00".to_string(),
                },
            };
        }
        match draft {
            Schedule::Manual => {}
            Schedule::Minutes { minutes } => {
                let every = ui.label("every");
                ui.add(egui::DragValue::new(minutes).range(1..=1440).suffix(" min"))
                    .labelled_by(every.id);
            }
            Schedule::Day { at } => {
                let label = ui.label("at");
                ui.add(
                    egui::TextEdit::singleline(at)
                        .desired_width(60.0)
                        .hint_text("HH:MM"),
                )
                .labelled_by(label.id);
            }
        }
    });
    if let Some(reason) = refusal {
        row.response.on_hover_text(reason);
    }
    let changed = draft != saved;
    let valid = match &*draft {
        Schedule::Day { at } => crate::sync::schedule::daily_time(at).is_ok(),
        _ => true,
    };
    let allowed = changed && valid && refusal.is_none();
    let save = widgets::permitted(ui, changed && valid, refusal, egui::Button::new("Save"));
    save.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Button,
            allowed,
            format!("Save schedule of {link}"),
        )
    });
    if !valid {
        save.clone()
            .on_disabled_hover_text("Type the time as HH:MM, e.g. 06:30");
    }
    if save.clicked() {
        commands.send(Request::SetSchedule {
            link: link.to_string(),
            schedule: draft.clone(),
        });
    }
}
