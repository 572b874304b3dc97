//! One chart drawn with egui_plot: its bars (stacked or side by side) on categories, a rate
//! under them in a plot of its own, and every value of a category on hover.

use egui::{Color32, RichText, Ui, Vec2};
use egui_plot::{Bar, BarChart, GridInput, GridMark, Plot};

use crate::analytics::Chart;
use crate::ui::format::group_thousands;
use crate::ui::theme::{self, GRID};

const COLORS: [Color32; 6] = [
    theme::ACCENT,
    theme::SUCCESS,
    theme::DANGER,
    theme::WARNING,
    Color32::from_rgb(0x7C, 0x3A, 0xED),
    Color32::from_rgb(0x0D, 0x94, 0x88),
];
/// The narrowest slot a category label gets before every other one is left out. egui_plot
/// draws no x label whose marks are 60 points apart or less.
const MIN_LABEL_WIDTH: f32 = 66.0;
/// About the width of one character of an axis label.
const CHAR_WIDTH: f32 = 8.0;
const RATE_HEIGHT: f32 = 110.0;

fn is_money(series: &str) -> bool {
    series.to_lowercase().ends_with("amount")
        || matches!(series, "Annual revenue" | "Average won deal")
}

/// A value as people read it: money with a dollar sign, rates with a percent sign.
pub fn value_text(series: &str, value: Option<f64>) -> String {
    let Some(v) = value else {
        return "–".into();
    };
    if series.ends_with('%') {
        format!("{v:.1}%")
    } else if is_money(series) {
        let sign = if v < 0.0 { "-" } else { "" };
        format!("{sign}${}", group_thousands(v.abs().round() as u64))
    } else {
        group_thousands(v.max(0.0).round() as u64)
    }
}

fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.0}k", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

pub fn show(ui: &mut Ui, chart: &Chart, refreshing: bool) {
    let calls = if chart.calls == 1 { "call" } else { "calls" };
    ui.horizontal(|ui| {
        ui.label(RichText::new(&chart.title).size(16.0).strong());
        ui.add_space(GRID);
        // The plot is a picture: its totals are also said in words, for screen readers.
        ui.label(RichText::new(summary(chart)).weak());
        ui.label(RichText::new(format!("{} API {calls}", chart.calls)).weak())
            .on_hover_text(chart.queries.join("\n\n"));
        if refreshing {
            ui.spinner();
        }
    });
    if chart.rows.is_empty() {
        ui.add_space(GRID);
        ui.label(RichText::new("No records match these filters.").weak());
        return;
    }
    legend(ui, chart);
    let rate_height = if chart.plot.line.is_some() {
        RATE_HEIGHT + 3.0 * GRID
    } else {
        0.0
    };
    let height = (ui.available_height() - rate_height - GRID).max(140.0);
    let bars = chart.plot.bars.clone();
    draw(
        ui,
        chart,
        "analytics_bars",
        &bars,
        chart.plot.stacked,
        height,
    );
    if let Some(line) = chart.plot.line {
        ui.add_space(GRID / 2.0);
        let name = chart.series.get(line).cloned().unwrap_or_default();
        ui.label(RichText::new(name).small().color(theme::WARNING));
        draw(ui, chart, "analytics_rate", &[line], false, RATE_HEIGHT);
    }
}

/// "1,234 deals · $5,678,900": the first series' total, and the second's when it counts.
fn summary(chart: &Chart) -> String {
    let total = |i: usize| -> Option<f64> {
        let series = chart.series.get(i)?;
        if series.ends_with('%') || series.starts_with("Average") {
            return None;
        }
        Some(
            chart
                .rows
                .iter()
                .filter_map(|r| r.values.get(i).copied().flatten())
                .sum(),
        )
    };
    let mut parts = vec![format!(
        "{} {}",
        chart.rows.len(),
        if chart.rows.len() == 1 {
            "category"
        } else {
            "categories"
        }
    )];
    for i in 0..chart.series.len().min(2) {
        if let (Some(t), Some(series)) = (total(i), chart.series.get(i)) {
            parts.push(format!(
                "{} {}",
                series.to_lowercase(),
                value_text(series, Some(t))
            ));
        }
    }
    parts.join(" · ")
}

fn legend(ui: &mut Ui, chart: &Chart) {
    ui.horizontal_wrapped(|ui| {
        for (n, i) in chart.plot.bars.iter().enumerate() {
            let (rect, _) = ui.allocate_exact_size(Vec2::splat(10.0), egui::Sense::hover());
            ui.painter()
                .rect_filled(rect, 2.0, COLORS[n % COLORS.len()]);
            ui.label(RichText::new(chart.series.get(*i).cloned().unwrap_or_default()).small());
            ui.add_space(GRID / 2.0);
        }
    });
}

/// Every value of a category, for its hover.
fn hover_text(chart: &Chart, index: usize) -> String {
    let Some(row) = chart.rows.get(index) else {
        return String::new();
    };
    let mut lines = vec![row.label.clone()];
    for (series, value) in chart.series.iter().zip(&row.values) {
        lines.push(format!("{series}: {}", value_text(series, *value)));
    }
    lines.join("\n")
}

fn draw(ui: &mut Ui, chart: &Chart, id: &str, series: &[usize], stacked: bool, height: f32) {
    let n = chart.rows.len();
    let side_by_side = !stacked && series.len() > 1;
    let width = if side_by_side {
        0.8 / series.len() as f64
    } else {
        0.7
    };
    let mut base = vec![0.0; n];
    let mut top = 0.0_f64;
    let mut charts = Vec::new();
    for (k, s) in series.iter().enumerate() {
        let color = if series.len() == 1 && chart.plot.line == Some(*s) {
            theme::WARNING
        } else {
            COLORS[k % COLORS.len()]
        };
        let offset = if side_by_side {
            (k as f64 - (series.len() as f64 - 1.0) / 2.0) * width
        } else {
            0.0
        };
        let bars: Vec<Bar> = chart
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let v = row.values.get(*s).copied().flatten().unwrap_or(0.0);
                let bar = Bar::new(i as f64 + offset, v)
                    .base_offset(if stacked { base[i] } else { 0.0 })
                    .width(width)
                    .fill(color)
                    .stroke(egui::Stroke::NONE);
                if stacked {
                    base[i] += v;
                }
                top = top.max(if stacked { base[i] } else { v });
                bar
            })
            .collect();
        let hover_chart = chart.clone();
        let name = chart.series.get(*s).cloned().unwrap_or_default();
        charts.push(
            BarChart::new(name, bars)
                .color(color)
                .element_formatter(Box::new(move |bar, _| {
                    hover_text(&hover_chart, bar.argument.round().max(0.0) as usize)
                })),
        );
    }
    let plot_width = (ui.available_width() - 60.0).max(1.0);
    let step = ((n as f32 * MIN_LABEL_WIDTH) / plot_width).ceil().max(1.0) as usize;
    // Every labelled category gets the width of `step` slots: wide charts show names whole,
    // narrow ones cut them short (the hover has the whole name) rather than skip categories.
    let chars =
        ((plot_width / n.max(1) as f32 * step as f32 - 12.0) / CHAR_WIDTH).max(4.0) as usize;
    let labels: Vec<String> = chart
        .rows
        .iter()
        .map(|r| shortened(&r.label, chars))
        .collect();
    let rate = series.len() == 1
        && chart.plot.line == Some(series[0])
        && chart
            .series
            .get(series[0])
            .is_some_and(|s| s.ends_with('%'));
    Plot::new(id)
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_x(false)
        .show_y(false)
        .default_x_bounds(-0.6, n as f64 - 0.4)
        .default_y_bounds(0.0, if rate { 100.0 } else { (top * 1.1).max(1.0) })
        .reset()
        .show_grid([false, true])
        .y_grid_spacer(readable_steps)
        .x_grid_spacer(move |_| {
            (0..n)
                .filter(|i| i % step == 0)
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
        .y_axis_formatter(move |mark, _| {
            if rate {
                format!("{:.0}%", mark.value)
            } else {
                compact(mark.value)
            }
        })
        .y_axis_min_width(44.0)
        .show(ui, |plot| {
            for bars in charts {
                plot.bar_chart(bars);
            }
        });
}

/// Grid lines a round step apart (1, 2 or 5 times a power of ten) and far enough apart for
/// each to carry its label, however short the chart: the default steps of powers of ten
/// leave a short chart of millions with a label at 0 only.
fn readable_steps(input: GridInput) -> Vec<GridMark> {
    // The base step is the value of the grid's smallest spacing, 8 points: five of them make
    // room for a label.
    let wanted = input.base_step_size * 5.0;
    if !wanted.is_finite() || wanted <= 0.0 {
        return Vec::new();
    }
    let power = 10f64.powf(wanted.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= wanted)
        .unwrap_or(10.0 * power);
    let (low, high) = input.bounds;
    let first = (low / step).ceil() as i64;
    let last = (high / step).floor() as i64;
    (first..=last)
        .map(|k| GridMark {
            value: k as f64 * step,
            step_size: step,
        })
        .collect()
}

/// `text` in at most `chars` characters. A name of several words keeps its last word and the
/// initials of the others first ("C. Won", "C. Lost"), so that names alike stay apart; what
/// still does not fit is cut, its last character an ellipsis.
fn shortened(text: &str, chars: usize) -> String {
    let fits = |t: &str| t.chars().count() <= chars;
    if fits(text) {
        return text.to_string();
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let text = match words.split_last() {
        Some((last, firsts)) if !firsts.is_empty() => {
            let initials: String = firsts
                .iter()
                .filter_map(|w| w.chars().next())
                .map(|c| format!("{c}."))
                .collect();
            format!("{initials} {last}")
        }
        _ => text.to_string(),
    };
    if fits(&text) {
        return text;
    }
    let mut cut: String = text.chars().take(chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::{readable_steps, shortened};
    use egui_plot::GridInput;

    #[test]
    fn grid_steps_are_round_and_leave_room_for_labels() {
        for (bounds, base, expected) in [
            ((0.0, 8_800_000.0), 300_000.0, vec![0.0, 2e6, 4e6, 6e6, 8e6]),
            ((0.0, 100.0), 3.0, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]),
            ((0.0, 230.0), 10.0, vec![0.0, 50.0, 100.0, 150.0, 200.0]),
        ] {
            let marks = readable_steps(GridInput {
                bounds,
                base_step_size: base,
            });
            let values: Vec<f64> = marks.iter().map(|m| m.value).collect();
            assert_eq!(values, expected, "{bounds:?} at {base}");
        }
        assert!(
            readable_steps(GridInput {
                bounds: (0.0, 1.0),
                base_step_size: 0.0
            })
            .is_empty()
        );
    }

    #[test]
    fn a_label_too_long_keeps_its_last_word_and_is_cut_only_when_it_must() {
        for (text, chars, expected) in [
            ("Closed Lost", 11, "Closed Lost"),
            ("Closed Lost", 20, "Closed Lost"),
            ("Closed Won", 7, "C. Won"),
            ("Closed Lost", 7, "C. Lost"),
            ("Id. Decision Makers", 11, "I.D. Makers"),
            ("Value Proposition", 8, "V. Prop…"),
            ("Prospecting", 7, "Prospe…"),
            ("Negotiation/Review", 4, "Neg…"),
        ] {
            assert_eq!(shortened(text, chars), expected, "{text} in {chars}");
        }
    }
}
