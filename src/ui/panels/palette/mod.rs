//! The command palette (Ctrl+K): every action by name, and plain phrases.

pub mod intent;

use egui::{Key, RichText};

use crate::desktop::Request;
use crate::ui::Page;
use crate::ui::command::{Command, Commands};
use crate::ui::model::Model;
use crate::ui::prefs::ThemeChoice;
use crate::ui::theme::GRID;

/// Accessible name of the palette's text field.
pub const INPUT_LABEL: &str = "Command palette input";

pub struct PaletteState {
    pub query: String,
    pub history: Vec<String>,
    selected: usize,
    focused: bool,
}

impl PaletteState {
    pub fn new(history: &[String]) -> PaletteState {
        PaletteState {
            query: String::new(),
            history: history.to_vec(),
            selected: 0,
            focused: false,
        }
    }
}

/// One line of the palette.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub title: String,
    /// An answer shown under the title, for questions.
    pub detail: Option<String>,
    pub commands: Vec<Command>,
}

/// Every action the palette offers by name.
pub fn actions(model: &Model) -> Vec<Action> {
    let mut all = Vec::new();
    let mut add = |title: String, commands: Vec<Command>| {
        all.push(Action {
            title,
            detail: None,
            commands,
        })
    };
    if !model.links.is_empty() {
        add(
            "Sync all links".into(),
            vec![Command::Send(Request::SyncAll)],
        );
    }
    for card in &model.links {
        let name = &card.link.name;
        if model.is_syncing(name) {
            add(
                format!("Cancel sync of {name}"),
                vec![Command::Send(Request::CancelSync { link: name.clone() })],
            );
        } else {
            add(
                format!("Sync {name}"),
                vec![Command::Send(Request::SyncNow { link: name.clone() })],
            );
        }
    }
    for page in Page::MAIN.into_iter().chain([Page::Settings]) {
        add(
            format!("Go to {}", page.title()),
            vec![Command::Navigate(page)],
        );
    }
    add("Connect org…".into(), vec![Command::OpenConnectWizard]);
    if model.connections.iter().all(|c| !c.embedded) {
        add(
            "Explore the sandbox org".into(),
            vec![Command::Send(Request::ConnectSandbox)],
        );
    }
    for connection in &model.connections {
        add(
            format!("Check connection {}", connection.name),
            vec![Command::Send(Request::CheckConnection {
                name: connection.name.clone(),
            })],
        );
    }
    for choice in ThemeChoice::ALL {
        add(
            format!("Theme: {}", choice.label()),
            vec![Command::SetTheme(choice)],
        );
    }
    // A link's lines say which way it moves data, drawn as everywhere else.
    for action in &mut all {
        if let [Command::Send(Request::SyncNow { link } | Request::CancelSync { link })] =
            action.commands.as_slice()
        {
            action.detail = model
                .link(link)
                .map(|card| crate::sync::arrows::title_with_word(&card.link));
        }
    }
    all
}

/// The lines for a query: an understood phrase first, then every action whose title holds
/// all the typed words.
pub fn suggestions(query: &str, model: &Model) -> Vec<Action> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut lines = Vec::new();
    if let Some(intent) = intent::interpret(query, model) {
        lines.push(Action {
            title: intent.title,
            detail: intent.answer,
            commands: intent.commands,
        });
    }
    for action in actions(model) {
        let title = action.title.to_lowercase();
        if words.iter().all(|w| title.contains(w.as_str()))
            && !lines.iter().any(|l| l.commands == action.commands)
        {
            lines.push(action);
        }
    }
    lines
}

pub fn show(ctx: &egui::Context, state: &mut PaletteState, model: &Model, commands: &mut Commands) {
    let lines = suggestions(&state.query, model);
    state.selected = state.selected.min(lines.len().saturating_sub(1));
    let (down, up, enter) = ctx.input_mut(|i| {
        (
            i.consume_key(egui::Modifiers::NONE, Key::ArrowDown),
            i.consume_key(egui::Modifiers::NONE, Key::ArrowUp),
            i.consume_key(egui::Modifiers::NONE, Key::Enter),
        )
    });
    if down && state.selected + 1 < lines.len() {
        state.selected += 1;
    }
    if up {
        state.selected = state.selected.saturating_sub(1);
    }
    let mut chosen = enter.then_some(state.selected);
    let modal = egui::Modal::new(egui::Id::unique("command_palette")).show(ctx, |ui| {
        ui.set_width(560.0);
        let label = ui.label(RichText::new("Search or type what you want to do").weak());
        let input = ui.add(
            egui::TextEdit::singleline(&mut state.query)
                .hint_text("e.g. sync salesforce data")
                .desired_width(f32::INFINITY),
        );
        input.clone().labelled_by(label.id);
        input.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, INPUT_LABEL));
        if !state.focused {
            input.request_focus();
            state.focused = true;
        }
        if input.changed() {
            state.selected = 0;
        }
        ui.add_space(GRID / 2.0);
        if lines.is_empty() {
            ui.label(
                RichText::new("Nothing matches. Try \"sync\", \"errors\" or a link's name.").weak(),
            );
        }
        egui::ScrollArea::vertical()
            .max_height(360.0)
            .show(ui, |ui| {
                for (i, line) in lines.iter().enumerate() {
                    let text = match &line.detail {
                        Some(detail) => format!("{}\n{}", line.title, detail),
                        None => line.title.clone(),
                    };
                    let r = ui.add(
                        egui::Button::selectable(i == state.selected, text)
                            .min_size(egui::vec2(ui.available_width(), 0.0)),
                    );
                    r.widget_info(|| {
                        egui::WidgetInfo::selected(
                            egui::Role::Button,
                            true,
                            i == state.selected,
                            &line.title,
                        )
                    });
                    if r.clicked() {
                        chosen = Some(i);
                    }
                }
            });
        ui.add_space(GRID / 2.0);
        ui.label(
            RichText::new("↑↓ to choose · Enter to run · Esc to close")
                .small()
                .weak(),
        );
    });
    if modal.should_close() && chosen.is_none() {
        commands.push(Command::ClosePalette);
    }
    if let Some(line) = chosen.and_then(|i| lines.get(i)) {
        let phrase = state.query.trim().to_string();
        if !phrase.is_empty() {
            state.history.retain(|h| h != &phrase);
            state.history.insert(0, phrase);
            state.history.truncate(20);
        }
        commands.push(Command::ClosePalette);
        for command in &line.commands {
            commands.push(command.clone());
        }
    }
}
