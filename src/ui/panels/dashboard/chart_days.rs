//! The 30-day chart's numbers apart from its drawing: one slot per day (empty days included),
//! the stacked bars, the y axis from 0 and how many day labels fit.

use chrono::{Days, NaiveDate};

use crate::desktop::DayStats;
use crate::ui::format::group_thousands;

/// Days the chart shows, today included.
pub const DAYS: usize = 30;

/// Width of a bar, in days.
pub const BAR_WIDTH: f64 = 0.7;

/// One day on the axis, with nothing synced or failed when nothing ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub day: NaiveDate,
    pub synced: u64,
    pub failed: u64,
}

/// A bar drawn at `x` from `bottom` to `top`, in plot units (days, records).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub bottom: f64,
    pub top: f64,
}

/// The 30 days ending `today`, oldest first; a day the journal did not report is empty.
pub fn slots(days: &[DayStats], today: NaiveDate) -> Vec<Slot> {
    (0..DAYS as u64)
        .rev()
        .filter_map(|back| today.checked_sub_days(Days::new(back)))
        .map(|day| {
            let (synced, failed) = days
                .iter()
                .filter(|d| d.day == day)
                .fold((0, 0), |(s, f), d| (s + d.synced, f + d.errors));
            Slot {
                day,
                synced,
                failed,
            }
        })
        .collect()
}

/// Per slot, the synced bar from 0 and the failed bar stacked on it.
pub fn stacks(slots: &[Slot]) -> Vec<(Bar, Bar)> {
    slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let x = i as f64;
            let synced = s.synced as f64;
            let total = synced + s.failed as f64;
            (
                Bar {
                    x,
                    bottom: 0.0,
                    top: synced,
                },
                Bar {
                    x,
                    bottom: synced,
                    top: total,
                },
            )
        })
        .collect()
}

/// The y axis: from 0 to a round count above the tallest stack, never below 5 so that a quiet
/// month does not draw single records as full-height bars.
pub fn y_range(slots: &[Slot]) -> (f64, f64) {
    let tallest = slots.iter().map(|s| s.synced + s.failed).max().unwrap_or(0);
    let wanted = (tallest as f64 * 1.1).ceil().max(5.0);
    let magnitude = 10f64.powf(wanted.log10().floor());
    let step = if magnitude >= 10.0 {
        magnitude / 2.0
    } else {
        1.0
    };
    (0.0, (wanted / step).ceil() * step)
}

/// The x axis: every slot with half a day of room on both sides.
pub fn x_range() -> (f64, f64) {
    (-0.5, DAYS as f64 - 0.5)
}

/// Every how many days a label goes, so that labels `label_width` wide never touch on a plot
/// `plot_width` wide; the last label is always today's.
pub fn label_step(plot_width: f32, label_width: f32) -> usize {
    let per_day = (plot_width / DAYS as f32).max(1.0);
    ((label_width / per_day).ceil() as usize).clamp(1, DAYS)
}

/// Whether slot `index` carries a day label with labels every `step` days, counted from today.
pub fn labelled(index: usize, step: usize) -> bool {
    index < DAYS && (DAYS - 1 - index).is_multiple_of(step.max(1))
}

/// The day's label on the axis.
pub fn day_label(day: NaiveDate) -> String {
    day.format("%b %-d").to_string()
}

/// What hovering a day says.
pub fn hover_text(slot: &Slot) -> String {
    format!(
        "{}\n{} synced · {} failed",
        slot.day.format("%a %b %-d"),
        group_thousands(slot.synced),
        group_thousands(slot.failed)
    )
}

/// The chart said in words, for screen readers (and tests).
/// What the chart shows, with the y axis the plot drew (`low` to `high`).
pub fn description(slots: &[Slot], low: f64, high: f64) -> String {
    let empty = slots.iter().filter(|s| s.synced + s.failed == 0).count();
    format!(
        "Records per day: {} days, {} without records; y axis from {} to {}",
        slots.len(),
        empty,
        low,
        group_thousands(high.round().max(0.0) as u64)
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn stats(d: &str, synced: u64, errors: u64) -> DayStats {
        DayStats {
            day: day(d),
            synced,
            errors,
        }
    }

    #[test]
    fn thirty_slots_end_today_with_missing_days_empty() {
        let today = day("2026-03-10");
        let s = slots(
            &[stats("2026-03-10", 5, 1), stats("2026-02-12", 7, 0)],
            today,
        );
        assert_eq!(s.len(), 30);
        assert_eq!(s[0].day, day("2026-02-09"));
        assert_eq!(s[29].day, today);
        assert_eq!((s[29].synced, s[29].failed), (5, 1));
        assert_eq!((s[3].synced, s[3].failed), (7, 0));
        let empty = s.iter().filter(|x| x.synced + x.failed == 0).count();
        assert_eq!(empty, 28);
    }

    #[test]
    fn days_older_than_thirty_are_left_out() {
        let today = day("2026-03-10");
        let s = slots(&[stats("2026-02-08", 9, 9)], today);
        assert!(s.iter().all(|x| x.synced + x.failed == 0));
    }

    #[test]
    fn failed_stacks_on_synced_from_zero() {
        let s = vec![
            Slot {
                day: day("2026-03-09"),
                synced: 0,
                failed: 0,
            },
            Slot {
                day: day("2026-03-10"),
                synced: 120,
                failed: 7,
            },
        ];
        let bars = stacks(&s);
        let (synced, failed) = bars[1];
        assert_eq!((synced.x, synced.bottom, synced.top), (1.0, 0.0, 120.0));
        assert_eq!((failed.x, failed.bottom, failed.top), (1.0, 120.0, 127.0));
        assert_eq!(bars[0].0.top - bars[0].0.bottom, 0.0);
        assert_eq!(bars[0].1.top - bars[0].1.bottom, 0.0);
    }

    #[test]
    fn the_y_axis_starts_at_zero_above_the_tallest_stack() {
        let s = slots(&[stats("2026-03-10", 1_234, 66)], day("2026-03-10"));
        let (low, high) = y_range(&s);
        assert_eq!(low, 0.0);
        assert!((1_300.0..=1_500.0).contains(&high), "{high}");
        assert_eq!(high.fract(), 0.0);
        assert_eq!(y_range(&slots(&[], day("2026-03-10"))), (0.0, 5.0));
    }

    #[test]
    fn day_labels_do_not_touch_at_the_smallest_window() {
        // 1024 px wide: less the rail, the page margins and the y axis.
        let plot = 1024.0 - 200.0 - 48.0 - 50.0;
        let step = label_step(plot, 48.0);
        let per_label = plot / 30.0 * step as f32;
        assert!(per_label >= 48.0, "{per_label}");
        assert!(labelled(29, step));
        assert_eq!((0..30).filter(|i| labelled(*i, 1)).count(), 30);
    }

    #[test]
    fn hover_names_the_day_and_both_counts() {
        let s = Slot {
            day: day("2026-03-10"),
            synced: 1_200,
            failed: 3,
        };
        assert_eq!(hover_text(&s), "Tue Mar 10\n1,200 synced · 3 failed");
    }
}
