//! Small pieces the pages are made of.

use egui::{Color32, CornerRadius, Frame, Margin, Response, RichText, Sense, Stroke, Ui, Vec2};

use super::theme;

/// A rounded pill with a tinted background, e.g. the "Sandbox" badge.
pub fn badge(ui: &mut Ui, text: &str, color: Color32) -> Response {
    Frame::new()
        .fill(color.gamma_multiply(0.16))
        .stroke(Stroke::new(1.0, color.gamma_multiply(0.6)))
        .corner_radius(CornerRadius::same(255))
        .inner_margin(Margin::symmetric(8, 2))
        .show(ui, |ui| {
            ui.label(RichText::new(text).small().strong().color(color))
        })
        .response
}

/// A coloured dot followed by a word: status is never colour alone.
pub fn status(ui: &mut Ui, color: Color32, text: &str) -> Response {
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 6.0;
        let (rect, _) = ui.allocate_exact_size(Vec2::splat(10.0), Sense::hover());
        ui.painter().circle_filled(rect.center(), 5.0, color);
        ui.label(RichText::new(text).strong().color(color));
    })
    .response
}

/// A raised surface for one idea.
pub fn card<R>(ui: &mut Ui, add_contents: impl FnOnce(&mut Ui) -> R) -> R {
    let visuals = ui.visuals().clone();
    Frame::new()
        .fill(theme::card_fill(&visuals))
        .stroke(theme::hairline(&visuals))
        .corner_radius(CornerRadius::same(theme::CARD_RADIUS))
        .inner_margin(Margin::same(16))
        .show(ui, add_contents)
        .inner
}

/// The accent button of a view.
pub fn primary_button(ui: &mut Ui, text: &str, enabled: bool) -> Response {
    ui.add_enabled(enabled, primary(text))
}

/// The accent button, refused (disabled, with the reason on hover) when the role says so.
pub fn primary_permitted(
    ui: &mut Ui,
    text: &str,
    enabled: bool,
    refusal: Option<&str>,
) -> Response {
    permitted(ui, enabled, refusal, primary(text))
}

fn primary(text: &str) -> egui::Button<'_> {
    egui::Button::new(RichText::new(text).strong().color(Color32::WHITE))
        .fill(theme::ACCENT)
        .min_size(Vec2::new(0.0, 4.0 * theme::GRID))
}

/// Tether's mark: two linked rings on an accent square, drawn so it needs no image.
pub fn logo(ui: &mut Ui, size: f32) -> Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(size), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, CornerRadius::same((size * 0.22) as u8), theme::ACCENT);
    let ring = Stroke::new((size * 0.09).max(1.5), Color32::WHITE);
    let radius = size * 0.2;
    let offset = Vec2::new(size * 0.12, 0.0);
    painter.circle_stroke(rect.center() - offset, radius, ring);
    painter.circle_stroke(rect.center() + offset, radius, ring);
    response
}

/// Large centred message for a view with nothing to show yet.
pub fn empty_state(ui: &mut Ui, title: &str, body: &str, add_actions: impl FnOnce(&mut Ui)) {
    ui.vertical_centered(|ui| {
        ui.add_space((ui.available_height() * 0.22).max(2.0 * theme::GRID));
        logo(ui, 56.0);
        ui.add_space(2.0 * theme::GRID);
        ui.label(RichText::new(title).size(20.0).strong());
        ui.add_space(theme::GRID / 2.0);
        ui.label(RichText::new(body).weak());
        ui.add_space(2.0 * theme::GRID);
        add_actions(ui);
    });
}

/// Lays out the rest of the row from its right edge.
pub fn right_aligned<R>(ui: &mut Ui, add_contents: impl FnOnce(&mut Ui) -> R) -> R {
    ui.with_layout(
        egui::Layout::right_to_left(egui::Align::Center),
        add_contents,
    )
    .inner
}

/// The title of a page, with an optional line under it.
pub fn page_header(ui: &mut Ui, title: &str, subtitle: Option<&str>) {
    ui.label(RichText::new(title).heading().strong());
    if let Some(subtitle) = subtitle {
        ui.label(RichText::new(subtitle).weak());
    }
    ui.add_space(theme::GRID);
}

/// A failure of this page's area, with what to do; nothing when there is none.
pub fn failure_banner(ui: &mut Ui, message: Option<&String>) {
    let Some(message) = message else {
        return;
    };
    Frame::new()
        .fill(theme::DANGER.gamma_multiply(0.10))
        .stroke(Stroke::new(1.0, theme::DANGER.gamma_multiply(0.5)))
        .corner_radius(CornerRadius::same(6))
        .inner_margin(Margin::same(10))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new("⚠").color(theme::DANGER));
                let look = crate::ui::code_words::Look {
                    color: Some(theme::DANGER),
                    ..Default::default()
                };
                ui.label(crate::ui::code_words::job(ui.style(), message, look));
            });
        });
    ui.add_space(theme::GRID);
}

/// `main` on the left and a detail panel of `width` on the right, on its own surface.
pub fn with_side_panel<T>(
    ui: &mut Ui,
    width: f32,
    shared: &mut T,
    main: impl FnOnce(&mut Ui, &mut T),
    side: impl FnOnce(&mut Ui, &mut T),
) {
    if super::fit::side_panel_overlays(ui.available_width(), width) {
        return super::fit::overlay_side_panel(ui, width, shared, main, side);
    }
    let width = width.min(ui.available_width() * 0.5);
    egui_extras::StripBuilder::new(ui)
        .size(egui_extras::Size::remainder().at_least(200.0))
        .size(egui_extras::Size::exact(width))
        .horizontal(|mut strip| {
            strip.cell(|ui| main(ui, shared));
            strip.cell(|ui| {
                let visuals = ui.visuals().clone();
                Frame::new()
                    .fill(theme::card_fill(&visuals))
                    .stroke(theme::hairline(&visuals))
                    .corner_radius(CornerRadius::same(theme::CARD_RADIUS))
                    .inner_margin(Margin::same(16))
                    .show(ui, |ui| {
                        ui.set_min_size(ui.available_size());
                        side(ui, shared);
                    });
            });
        });
}

/// A drop-down with its label before it, the way forms read.
pub fn combo<R>(
    ui: &mut Ui,
    label: &str,
    selected: impl Into<egui::WidgetText>,
    add_contents: impl FnOnce(&mut Ui) -> R,
) -> Response {
    // A filter bar that wraps starts a new line before the label when the label and its box
    // do not both fit, so the label never ends one line with its box starting the next.
    let selected = selected.into();
    if ui.layout().main_wrap {
        let font = egui::TextStyle::Body.resolve(ui.style());
        let text_width = |text: &str| {
            ui.painter()
                .layout_no_wrap(text.to_string(), font.clone(), Color32::WHITE)
                .size()
                .x
        };
        let spacing = ui.spacing();
        let box_width = (text_width(selected.text())
            + 2.0 * spacing.button_padding.x
            + spacing.icon_width
            + spacing.item_spacing.x)
            .max(spacing.combo_width);
        let needed = text_width(label) + spacing.item_spacing.x + box_width;
        if ui.available_size_before_wrap().x < needed {
            ui.end_row();
        }
    }
    let label_response = ui.label(RichText::new(label).weak());
    egui::ComboBox::from_id_salt(("combo", label))
        .selected_text(selected)
        .show_ui(ui, add_contents)
        .response
        .labelled_by(label_response.id)
}

/// `button`, enabled when `enabled` and not refused by the user's role; a refused one says
/// why when hovered (the role, the connection and the permission to ask for).
pub fn permitted(
    ui: &mut Ui,
    enabled: bool,
    refusal: Option<&str>,
    button: impl egui::Widget,
) -> Response {
    let response = ui.add_enabled(enabled && refusal.is_none(), button);
    match refusal {
        Some(reason) => response.on_disabled_hover_text(reason),
        None => response,
    }
}
