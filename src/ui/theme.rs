//! One accent colour, an 8-px spacing grid, and egui's light and dark visuals.

use egui::{Color32, CornerRadius, FontFamily, FontId, Margin, Stroke, TextStyle, Theme, Vec2};

/// The base unit of the spacing grid.
pub const GRID: f32 = 8.0;

pub const ACCENT: Color32 = Color32::from_rgb(0x25, 0x63, 0xEB);
pub const SUCCESS: Color32 = Color32::from_rgb(0x16, 0xA3, 0x4A);
pub const WARNING: Color32 = Color32::from_rgb(0xD9, 0x77, 0x06);
pub const DANGER: Color32 = Color32::from_rgb(0xDC, 0x26, 0x26);

pub const CARD_RADIUS: u8 = 10;

/// Installs the style for both themes; the system's preference picks one.
pub fn install(ctx: &egui::Context) {
    // Ubuntu Light has no arrows (← ⇄ →); Hack, already bundled for monospace, has them.
    let mut fonts = egui::FontDefinitions::default();
    if let Some(proportional) = fonts.families.get_mut(&FontFamily::Proportional) {
        proportional.insert(1.min(proportional.len()), "Hack".to_owned());
    }
    ctx.set_fonts(fonts);
    for theme in [Theme::Light, Theme::Dark] {
        ctx.style_mut_of(theme, |style| {
            style.text_styles = [
                (
                    TextStyle::Small,
                    FontId::new(11.5, FontFamily::Proportional),
                ),
                (TextStyle::Body, FontId::new(14.0, FontFamily::Proportional)),
                (
                    TextStyle::Button,
                    FontId::new(14.0, FontFamily::Proportional),
                ),
                (
                    TextStyle::Heading,
                    FontId::new(22.0, FontFamily::Proportional),
                ),
                (
                    TextStyle::Monospace,
                    FontId::new(13.0, FontFamily::Monospace),
                ),
            ]
            .into();
            let spacing = &mut style.spacing;
            spacing.item_spacing = Vec2::new(GRID, GRID);
            spacing.button_padding = Vec2::new(1.5 * GRID, 0.75 * GRID);
            spacing.interact_size.y = 4.0 * GRID;
            spacing.window_margin = Margin::same(16);

            let visuals = &mut style.visuals;
            visuals.selection.bg_fill =
                ACCENT.gamma_multiply(if visuals.dark_mode { 0.55 } else { 0.18 });
            visuals.selection.stroke = Stroke::new(
                1.0,
                if visuals.dark_mode {
                    Color32::WHITE
                } else {
                    ACCENT
                },
            );
            visuals.hyperlink_color = ACCENT;
            visuals.panel_fill = if visuals.dark_mode {
                Color32::from_rgb(0x18, 0x1B, 0x21)
            } else {
                Color32::from_rgb(0xF6, 0xF7, 0xF9)
            };
            for widget in [
                &mut visuals.widgets.noninteractive,
                &mut visuals.widgets.inactive,
                &mut visuals.widgets.hovered,
                &mut visuals.widgets.active,
                &mut visuals.widgets.open,
            ] {
                widget.corner_radius = CornerRadius::same(6);
            }
        });
    }
}

/// Background of cards: one step off the panel.
pub fn card_fill(visuals: &egui::Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(0x22, 0x26, 0x2E)
    } else {
        Color32::WHITE
    }
}

/// Background of the navigation rail and the top bar.
pub fn chrome_fill(visuals: &egui::Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(0x12, 0x14, 0x19)
    } else {
        Color32::from_rgb(0xEC, 0xEF, 0xF3)
    }
}

pub fn hairline(visuals: &egui::Visuals) -> Stroke {
    let color = if visuals.dark_mode {
        Color32::from_rgb(0x30, 0x35, 0x3F)
    } else {
        Color32::from_rgb(0xDD, 0xE1, 0xE7)
    };
    Stroke::new(1.0, color)
}
