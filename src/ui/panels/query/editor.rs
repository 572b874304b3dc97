//! The SOQL editor: a code editor whose completion list opens as the person types (arrows
//! choose, Tab or Enter accept, Esc closes), and which underlines the span a refused
//! statement's error points at, with the org's message under it.

use std::ops::Range;

use egui::text::{CCursor, CCursorRange, LayoutJob, TextFormat};
use egui::{Key, Modifiers, Stroke, TextBuffer, Ui};

use super::QueryState;
use crate::explore::complete::{Completion, Suggestion, complete};
use crate::ui::command::Commands;
use crate::ui::theme;

/// The label the editor is known by (screen readers, tests).
pub const EDITOR_LABEL: &str = "SOQL statement";

#[derive(Default)]
pub(crate) struct Editor {
    popup: Option<Popup>,
    /// The text and cursor where Esc closed the list: it stays closed until either changes.
    dismissed: Option<(String, usize)>,
    /// Whether the editor had the focus at the end of the last frame.
    had_focus: bool,
}

struct Popup {
    replace: Range<usize>,
    items: Vec<Suggestion>,
    selected: usize,
}

/// Draws the editor; true when the person asked to run the statement (Ctrl+Enter).
pub fn show(ui: &mut Ui, state: &mut QueryState, commands: &mut Commands) -> bool {
    let id = ui.make_persistent_id("soql-editor");
    // egui drops the focus on Esc before any widget sees the key; Esc with the list open
    // closes the list only, so the editor takes the focus back.
    if state.editor.had_focus
        && state.editor.popup.is_some()
        && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape))
    {
        if let Some(popup) = state.editor.popup.take() {
            state.editor.dismissed = Some((state.soql.clone(), popup.replace.end));
        }
        ui.memory_mut(|m| m.request_focus(id));
    }
    let focused = ui.memory(|m| m.has_focus(id));
    let mut accept = None;
    if focused && let Some(popup) = state.editor.popup.as_mut() {
        let count = popup.items.len();
        ui.input_mut(|input| {
            if input.consume_key(Modifiers::NONE, Key::ArrowDown) {
                popup.selected = (popup.selected + 1) % count;
            }
            if input.consume_key(Modifiers::NONE, Key::ArrowUp) {
                popup.selected = (popup.selected + count - 1) % count;
            }
            if input.consume_key(Modifiers::NONE, Key::Tab)
                || input.consume_key(Modifiers::NONE, Key::Enter)
            {
                accept = Some(popup.selected);
            }
        });
    }
    let run = focused && ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter));
    if let Some(index) = accept {
        accept_suggestion(ui, id, state, index);
    }

    let label = ui.label(EDITOR_LABEL);
    let marked = marked_span(state);
    let mut layouter = |ui: &Ui, text: &dyn TextBuffer, wrap_width: f32| {
        let mut job = highlighted(ui, text.as_str(), marked.clone());
        job.wrap.max_width = wrap_width;
        ui.fonts_mut(|f| f.layout_job(job))
    };
    let output = egui::TextEdit::multiline(&mut state.soql)
        .id(id)
        .code_editor()
        .desired_rows(6)
        .desired_width(f32::INFINITY)
        .hint_text("SELECT Id, Name FROM Account")
        .layouter(&mut layouter)
        .show(ui);
    let response = output.response.response.clone().labelled_by(label.id);

    let cursor = output
        .cursor_range
        .map(|r| byte_of(&state.soql, r.primary.index.0));
    state.editor.had_focus = response.has_focus();
    state.editor.popup = match cursor.filter(|_| response.has_focus()) {
        Some(cursor) => suggestions(state, cursor, commands),
        None => None,
    };
    if let (Some(popup), Some(cursor)) = (&state.editor.popup, output.cursor_range) {
        let at = output.galley.pos_from_cursor(cursor.primary);
        let pos = output.galley_pos + at.left_bottom().to_vec2() + egui::vec2(0.0, 4.0);
        if let Some(index) = show_popup(ui, id, popup, pos) {
            accept_suggestion(ui, id, state, index);
            ui.memory_mut(|m| m.request_focus(id));
        }
    }
    if let Some(refusal) = &state.refusal {
        ui.add_space(4.0);
        let mut text = format!("{}: {}", refusal.code, refusal.message.trim());
        if let Some(marked) = &refusal.marked {
            text = format!(
                "{}: {} (row {}, column {})",
                refusal.code, marked.message, marked.row, marked.column
            );
        }
        ui.colored_label(theme::DANGER, text);
    }
    run
}

/// The completion list at `cursor`, asking for the describes it needs.
fn suggestions(state: &mut QueryState, cursor: usize, commands: &mut Commands) -> Option<Popup> {
    if state
        .editor
        .dismissed
        .as_ref()
        .is_some_and(|(text, at)| *text == state.soql && *at == cursor)
    {
        return None;
    }
    state.editor.dismissed = None;
    match complete(&state.soql, cursor, &state.schema) {
        Completion::Items { replace, items } => {
            let previous = state.editor.popup.take();
            // Typing on keeps the chosen item when it is still offered.
            let selected = previous
                .and_then(|p| {
                    let chosen = p.items.get(p.selected)?.text.clone();
                    items.iter().position(|i| i.text == chosen)
                })
                .unwrap_or(0);
            // A word typed out in full needs no list.
            let prefix = &state.soql[replace.clone()];
            if items.len() == 1 && items[0].text == prefix {
                return None;
            }
            Some(Popup {
                replace,
                items,
                selected,
            })
        }
        Completion::Describe(object) => {
            state.ask_describe(&object, commands);
            None
        }
        Completion::Nothing => None,
    }
}

fn accept_suggestion(ui: &Ui, id: egui::Id, state: &mut QueryState, index: usize) {
    let Some(popup) = state.editor.popup.take() else {
        return;
    };
    let Some(item) = popup.items.get(index) else {
        return;
    };
    if state.soql.get(popup.replace.clone()).is_none() {
        return;
    }
    state.soql.replace_range(popup.replace.clone(), &item.text);
    let end = popup.replace.start + item.text.len();
    let chars = state.soql[..end].chars().count();
    let mut edit = egui::text_edit::TextEditState::load(ui.ctx(), id).unwrap_or_default();
    edit.cursor
        .set_char_range(Some(CCursorRange::one(CCursor::new(chars))));
    edit.store(ui.ctx(), id);
}

fn show_popup(ui: &Ui, id: egui::Id, popup: &Popup, pos: egui::Pos2) -> Option<usize> {
    let mut chosen = None;
    egui::Area::new(id.with("completion"))
        .order(egui::Order::Foreground)
        .fixed_pos(pos)
        .show(ui.ctx(), |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_min_width(240.0);
                egui::ScrollArea::vertical()
                    .max_height(240.0)
                    .show(ui, |ui| {
                        for (i, item) in popup.items.iter().enumerate() {
                            ui.horizontal(|ui| {
                                let selected = i == popup.selected;
                                let response = ui.selectable_label(selected, &item.text);
                                if selected {
                                    response.scroll_to_me(None);
                                }
                                if response.clicked() {
                                    chosen = Some(i);
                                }
                                ui.weak(&item.detail);
                            });
                        }
                    });
            });
        });
    chosen
}

/// The refusal's span in the editor's text, while the text is the refused statement.
fn marked_span(state: &QueryState) -> Option<Range<usize>> {
    let refusal = state.refusal.as_ref()?;
    let marked = refusal.marked.as_ref()?;
    let leading = state.soql.len() - state.soql.trim_start().len();
    (state.soql.trim() == refusal.soql).then(|| {
        let span = marked.span.start + leading..marked.span.end + leading;
        if span.is_empty() {
            span.start.saturating_sub(1)..span.end
        } else {
            span
        }
    })
}

fn highlighted(ui: &Ui, text: &str, marked: Option<Range<usize>>) -> LayoutJob {
    let font = egui::TextStyle::Monospace.resolve(ui.style());
    let normal = TextFormat::simple(font.clone(), ui.visuals().text_color());
    let mut job = LayoutJob::default();
    match marked.filter(|s| text.get(s.clone()).is_some()) {
        Some(span) => {
            let error = TextFormat {
                color: theme::DANGER,
                underline: Stroke::new(2.0, theme::DANGER),
                ..normal.clone()
            };
            job.append(&text[..span.start], 0.0, normal.clone());
            job.append(&text[span.clone()], 0.0, error);
            job.append(&text[span.end..], 0.0, normal);
        }
        None => job.append(text, 0.0, normal),
    }
    job
}

fn byte_of(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}
