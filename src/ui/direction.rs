//! The one way the window draws a direction: the arrow pointing the way data moves on screen
//! (Salesforce on the left, local on the right) with its word beside it, and a tooltip that
//! says the same. The studio's toggle, the cards, History, Settings and the palette all draw
//! through here; the words come from [`crate::sync::arrows`], which the service's toasts share.

use egui::{Response, RichText, Role, Ui, WidgetInfo};

use crate::sync::arrows;
use crate::sync::link::Direction;

/// The studio's toggle: a button showing "→ Pull", named "Direction of {field}: → Pull" for
/// assistive technology (what is shown, with whose direction), its tooltip the direction's
/// meaning.
pub fn toggle(ui: &mut Ui, field: &str, direction: Direction, enabled: bool) -> Response {
    let name = format!("Direction of {field}: {}", arrows::labelled(direction));
    let button = ui
        .add_enabled(
            enabled,
            egui::Button::new(RichText::new(arrows::labelled(direction)).strong()),
        )
        .on_hover_text(tooltip(direction))
        .on_disabled_hover_text(format!(
            "{}. Read-only in Salesforce: it can only be pulled",
            arrows::meaning(direction)
        ));
    let enabled = button.enabled();
    button.widget_info(|| WidgetInfo::labeled(Role::Button, enabled, &name));
    button
}

/// The toggle's tooltip: what the direction does now, and that a click changes it.
pub fn tooltip(direction: Direction) -> String {
    format!("{}. Click to change", arrows::meaning(direction))
}

/// A direction shown, not changed: "→ Pull" with the direction's meaning on hover, named the
/// same for assistive technology.
pub fn label(ui: &mut Ui, direction: Direction) -> Response {
    let text = arrows::labelled(direction);
    let response = ui
        .label(RichText::new(&text))
        .on_hover_text(arrows::meaning(direction));
    response.widget_info(|| WidgetInfo::labeled(Role::Label, true, &text));
    response
}
