//! Records per day for 30 days, synced and failed stacked in one bar, every day on the axis.

use chrono::Utc;
use egui::{RichText, Ui, Vec2};
use egui_plot::{Bar, BarChart, GridMark, Plot};

use super::chart_days::{self, Slot};
use crate::desktop::DayStats;
use crate::ui::format::group_thousands;
use crate::ui::theme::{self, GRID};

/// Label width the x axis leaves room for ("Sep 30" and a gap). egui_plot draws no x label
/// whose marks are 60 points apart or less, so less than that left the axis bare.
const DAY_LABEL_WIDTH: f32 = 66.0;

pub fn show(ui: &mut Ui, days: &[DayStats]) {
    let synced: u64 = days.iter().map(|d| d.synced).sum();
    let errors: u64 = days.iter().map(|d| d.errors).sum();
    ui.horizontal(|ui| {
        ui.label(RichText::new("Last 30 days").size(16.0).strong());
        ui.add_space(GRID);
        // The plot is a picture: its numbers are also said in words, for screen readers.
        ui.label(
            RichText::new(format!(
                "{} records synced · {} failed",
                group_thousands(synced),
                group_thousands(errors)
            ))
            .weak(),
        );
        // The legend stays above the plot, where no bar can reach it.
        crate::ui::widgets::right_aligned(ui, |ui| {
            legend_item(ui, "Failed", theme::DANGER);
            legend_item(ui, "Synced", theme::ACCENT);
        });
    });
    ui.add_space(GRID / 2.0);
    if days.is_empty() {
        ui.label(RichText::new("The chart fills in as links sync.").weak());
        return;
    }
    let slots = chart_days::slots(days, Utc::now().date_naive());
    plot(ui, &slots);
}

fn legend_item(ui: &mut Ui, name: &str, color: egui::Color32) {
    // Right to left: the name first, then its swatch to its left.
    ui.label(RichText::new(name).small());
    let (rect, _) = ui.allocate_exact_size(Vec2::splat(10.0), egui::Sense::hover());
    ui.painter().rect_filled(rect, 2.0, color);
}

fn plot(ui: &mut Ui, slots: &[Slot]) {
    let labels: Vec<String> = slots.iter().map(|s| chart_days::day_label(s.day)).collect();
    let hovers: Vec<String> = slots.iter().map(chart_days::hover_text).collect();
    let step = chart_days::label_step(ui.available_width() - 60.0, DAY_LABEL_WIDTH);
    let (x_min, x_max) = chart_days::x_range();
    let (y_min, y_max) = chart_days::y_range(slots);
    let stacks = chart_days::stacks(slots);
    // Solid bars: the plot's default fill is faint enough to read as an outline.
    let bar = |b: &chart_days::Bar, color: egui::Color32| {
        Bar::new(b.x, b.top - b.bottom)
            .base_offset(b.bottom)
            .width(chart_days::BAR_WIDTH)
            .fill(color)
            .stroke(egui::Stroke::NONE)
    };
    let synced_bars = stacks.iter().map(|(s, _)| bar(s, theme::ACCENT)).collect();
    let failed_bars = stacks.iter().map(|(_, f)| bar(f, theme::DANGER)).collect();
    let hover_of = move |hovers: &Vec<String>, b: &Bar| {
        hovers
            .get(b.argument.round().max(0.0) as usize)
            .cloned()
            .unwrap_or_default()
    };
    let (synced_hovers, failed_hovers) = (hovers.clone(), hovers);
    let response = Plot::new("daily_chart")
        .height(160.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_x(false)
        .show_y(false)
        .default_x_bounds(x_min, x_max)
        .default_y_bounds(y_min, y_max)
        // The bounds follow the data on every frame: a plot keeps its first bounds otherwise,
        // and a sync that raises today's bar past them draws it cut off at the top.
        .reset()
        .show_grid([false, true])
        .x_grid_spacer(move |_| {
            (0..chart_days::DAYS)
                .filter(|i| chart_days::labelled(*i, step))
                .map(|i| GridMark {
                    value: i as f64,
                    step_size: step as f64,
                })
                .collect()
        })
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            labels.get(i as usize).cloned().unwrap_or_default()
        })
        // Records come whole: no "0.5" on the axis.
        .y_axis_formatter(|mark, _| {
            if mark.value < 0.0 || mark.value.fract().abs() > 1e-6 {
                String::new()
            } else {
                group_thousands(mark.value as u64)
            }
        })
        .y_axis_min_width(40.0)
        .show(ui, |plot| {
            let synced = BarChart::new("Synced", synced_bars)
                .color(theme::ACCENT)
                .element_formatter(Box::new(move |b, _| hover_of(&synced_hovers, b)));
            let failed = BarChart::new("Failed", failed_bars)
                .color(theme::DANGER)
                .element_formatter(Box::new(move |b, _| hover_of(&failed_hovers, b)));
            plot.bar_chart(synced);
            plot.bar_chart(failed);
        });
    let bounds = response.transform.bounds();
    let description = chart_days::description(slots, bounds.min()[1], bounds.max()[1]);
    response
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, description.clone()));
}
