//! The two-column drag-and-drop editor both mapping pages are built on: rows that can be
//! dragged onto the other column, picked from the keyboard (Enter, then Enter on the other
//! side), outlined while they would accept a drop and dimmed with the reason when they would
//! not, and curves joining the pairs across the gap.

use egui::epaint::CubicBezierShape;
use egui::{Color32, Frame, Margin, Rect, Response, Sense, Stroke, Ui, Vec2};

use crate::ui::theme;

/// How a row looks while something is dragged (or picked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Idle,
    Valid,
    Invalid(String),
}

impl Target {
    /// Valid unless `refusal` says why not.
    pub fn from_refusal(refusal: Option<String>) -> Target {
        match refusal {
            Some(why) => Target::Invalid(why),
            None => Target::Valid,
        }
    }
}

/// One draggable, droppable, focusable row; `name` is its accessible name, and `key` tells
/// rows apart when their texts repeat.
pub fn row(
    ui: &mut Ui,
    key: &str,
    name: &str,
    target: &Target,
    picked: bool,
    add_contents: impl FnOnce(&mut Ui),
) -> Response {
    let visuals = ui.visuals().clone();
    let (fill, stroke) = match target {
        Target::Valid => (
            theme::ACCENT.gamma_multiply(0.12),
            Stroke::new(1.5, theme::ACCENT),
        ),
        _ if picked => (visuals.selection.bg_fill, Stroke::new(1.5, theme::ACCENT)),
        _ => (theme::card_fill(&visuals), theme::hairline(&visuals)),
    };
    let inner = ui.scope(|ui| {
        if matches!(target, Target::Invalid(_)) {
            ui.multiply_opacity(0.4);
        }
        Frame::new()
            .fill(fill)
            .stroke(stroke)
            .corner_radius(6)
            .inner_margin(Margin::symmetric(10, 6))
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.spacing_mut().item_spacing.y = 2.0;
                add_contents(ui);
            })
    });
    let rect = inner.inner.response.rect;
    // Both columns share a scope, and a column may be named like a field: the accessible name
    // (which says the side) keeps their ids apart, the key keeps repeated labels apart.
    let id = ui.scope_id().with(("two_columns_row", name, key));
    let response = ui.interact(rect, id, Sense::click_and_drag());
    let label = name.to_string();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
    if response.has_focus() {
        ui.painter().rect_stroke(
            rect,
            6,
            ui.visuals().selection.stroke,
            egui::StrokeKind::Outside,
        );
    }
    response
}

/// What happened on one row this frame.
pub struct Handled<P> {
    /// Something was dropped on the row, or the row was clicked after another was picked:
    /// the two make a pair.
    pub paired: Option<(P, P)>,
    /// The reason the row refuses what is dragged over it.
    pub refusing: Option<String>,
}

/// Drag, drop and pick on one row: `me` is the row's payload, `picked` the row picked from
/// the keyboard (or by a click), `pairs` whether two payloads make a pair (a row of the other
/// column), and `hover_text` the row's tooltip when idle.
pub fn handle<P>(
    ui: &Ui,
    response: &Response,
    me: P,
    target: &Target,
    picked: &mut Option<P>,
    pairs: impl Fn(&P, &P) -> bool,
    hover_text: &str,
) -> Handled<P>
where
    P: Clone + PartialEq + Send + Sync + 'static,
{
    response.dnd_set_drag_payload(me.clone());
    let mut handled = Handled {
        paired: None,
        refusing: None,
    };
    if response.dnd_hover_payload::<P>().is_some()
        && let Target::Invalid(why) = target
    {
        handled.refusing = Some(why.clone());
    }
    if let Some(dropped) = response.dnd_release_payload::<P>() {
        if pairs(&dropped, &me) {
            handled.paired = Some(((*dropped).clone(), me));
        }
        return handled;
    }
    match target {
        Target::Invalid(why) => {
            response.clone().on_hover_text(why);
        }
        _ if !hover_text.is_empty() => {
            response.clone().on_hover_text(hover_text);
        }
        _ => {}
    }
    if response.clicked() {
        match picked.take() {
            Some(first) if pairs(&first, &me) => handled.paired = Some((first, me)),
            Some(first) if first == me => {}
            _ => *picked = Some(me),
        }
        ui.ctx().request_repaint();
    }
    handled
}

/// The payload being dragged right now, if it is a `P`.
pub fn dragging<P: Clone + Send + Sync + 'static>(ui: &Ui) -> Option<P> {
    egui::DragAndDrop::payload::<P>(ui.ctx()).map(|d| (*d).clone())
}

/// A curve from the right edge of `from` to the left edge of `to`, across the gap.
pub fn curve(ui: &Ui, from: Rect, to: Rect) {
    let stroke = Stroke::new(1.5, theme::ACCENT.gamma_multiply(0.7));
    let start = from.right_center();
    let end = to.left_center();
    let bend = Vec2::new((end.x - start.x) * 0.5, 0.0);
    ui.painter().add(CubicBezierShape::from_points_stroke(
        [start, start + bend, end - bend, end],
        false,
        Color32::TRANSPARENT,
        stroke,
    ));
    ui.painter().circle_filled(start, 3.0, theme::ACCENT);
    ui.painter().circle_filled(end, 3.0, theme::ACCENT);
}

/// The widths of the two columns and the gap between them, for the space left in `ui`.
pub fn widths(ui: &Ui) -> (f32, f32) {
    let gap = (ui.available_width() * 0.12).clamp(48.0, 120.0);
    let side = ((ui.available_width() - gap) / 2.0 - ui.spacing().item_spacing.x).max(160.0);
    (side, gap)
}
