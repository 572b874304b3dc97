//! What keeps pages usable from the smallest window up: column headers that assistive tools
//! (and the layout tests) know as headers, and a side panel that lies over the page when the
//! page has no room to give it.

use egui::{CornerRadius, Frame, Margin, Response, RichText, Ui, WidgetInfo};

use super::theme;

/// A table's column title.
pub fn column_header(ui: &mut Ui, title: &str) -> Response {
    let response = ui.label(RichText::new(title).strong());
    response.widget_info(|| WidgetInfo::labeled(egui::Role::ColumnHeader, true, title));
    response
}

/// Below this width beside it, a side panel overlays the page instead of squeezing it.
const MAIN_AT_LEAST: f32 = 560.0;

/// Whether a side panel of `width` lies over the page rather than beside it.
pub fn side_panel_overlays(available: f32, width: f32) -> bool {
    available - width < MAIN_AT_LEAST
}

/// Draws `main` over the whole width and `side` in a card over its right part, the height of
/// the page.
pub fn overlay_side_panel<T>(
    ui: &mut Ui,
    width: f32,
    shared: &mut T,
    main: impl FnOnce(&mut Ui, &mut T),
    side: impl FnOnce(&mut Ui, &mut T),
) {
    let page = ui.available_rect_before_wrap();
    let width = width.min(page.width());
    main(ui, shared);
    let visuals = ui.visuals().clone();
    egui::Area::new(egui::Id::unique("side_panel_overlay"))
        .order(egui::Order::Middle)
        .fixed_pos(egui::pos2(page.right() - width, page.top()))
        .show(ui.ctx(), |ui| {
            Frame::new()
                .fill(theme::card_fill(&visuals))
                .stroke(theme::hairline(&visuals))
                .shadow(visuals.popup_shadow)
                .corner_radius(CornerRadius::same(theme::CARD_RADIUS))
                .inner_margin(Margin::same(16))
                .show(ui, |ui| {
                    let inner = egui::vec2(width - 32.0, page.height() - 32.0);
                    ui.set_min_size(inner);
                    ui.set_max_size(inner);
                    side(ui, shared);
                });
        });
}
