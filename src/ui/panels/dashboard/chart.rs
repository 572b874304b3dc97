//! Records synced per day (bars) with failed records over them (a red line), 30 days.

use egui::{RichText, Ui};
use egui_plot::{Bar, BarChart, Legend, Line, Plot};

use crate::desktop::DayStats;
use crate::ui::format::group_thousands;
use crate::ui::theme::{self, GRID};

pub fn show(ui: &mut Ui, days: &[DayStats]) {
    let synced: u64 = days.iter().map(|d| d.synced).sum();
    let errors: u64 = days.iter().map(|d| d.errors).sum();
    ui.label(RichText::new("Last 30 days").size(16.0).strong());
    // The plot is a picture: its numbers are also said in words, for screen readers.
    ui.label(
        RichText::new(format!(
            "{} records synced · {} failed",
            group_thousands(synced),
            group_thousands(errors)
        ))
        .weak(),
    );
    ui.add_space(GRID / 2.0);
    if days.is_empty() {
        ui.label(RichText::new("The chart fills in as links sync.").weak());
        return;
    }
    let labels: Vec<String> = days
        .iter()
        .map(|d| d.day.format("%b %-d").to_string())
        .collect();
    let bars: Vec<Bar> = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            Bar::new(i as f64, d.synced as f64).width(0.7).name(format!(
                "{}: {} synced",
                labels[i],
                group_thousands(d.synced)
            ))
        })
        .collect();
    let error_points: Vec<[f64; 2]> = days
        .iter()
        .enumerate()
        .map(|(i, d)| [i as f64, d.errors as f64])
        .collect();
    let label_of = labels.clone();
    Plot::new("daily_chart")
        .height(180.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .include_y(0.0)
        .show_grid([false, true])
        .legend(Legend::default())
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            label_of.get(i as usize).cloned().unwrap_or_default()
        })
        .y_axis_min_width(40.0)
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new("Records synced", bars).color(theme::ACCENT));
            plot.line(
                Line::new("Failed records", error_points)
                    .color(theme::DANGER)
                    .width(2.0),
            );
        });
}
