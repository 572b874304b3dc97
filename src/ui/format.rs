//! Numbers and times as people read them.

use std::time::Duration;

pub use crate::numbers::group_thousands;

/// How long ago, coarsely: "just now", "42 s ago", "3 min ago", "2 h ago", "5 days ago".
pub fn relative_time(elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    match secs {
        0..5 => "just now".to_string(),
        5..60 => format!("{secs} s ago"),
        60..3_600 => format!("{} min ago", secs / 60),
        3_600..86_400 => format!("{} h ago", secs / 3_600),
        86_400..172_800 => "1 day ago".to_string(),
        _ => format!("{} days ago", secs / 86_400),
    }
}

/// "1 field", "3 fields": a count with its noun, for nouns that take an "s".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_by_three() {
        let cases = [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1_000, "1,000"),
            (15_000, "15,000"),
            (123_456, "123,456"),
            (1_234_567, "1,234,567"),
            (u64::MAX, "18,446,744,073,709,551,615"),
        ];
        for (n, expected) in cases {
            assert_eq!(group_thousands(n), expected);
        }
    }

    #[test]
    fn elapsed_time_reads_naturally() {
        let cases = [
            (0, "just now"),
            (4, "just now"),
            (5, "5 s ago"),
            (59, "59 s ago"),
            (60, "1 min ago"),
            (3_599, "59 min ago"),
            (3_600, "1 h ago"),
            (86_399, "23 h ago"),
            (86_400, "1 day ago"),
            (3 * 86_400, "3 days ago"),
        ];
        for (secs, expected) in cases {
            assert_eq!(
                relative_time(Duration::from_secs(secs)),
                expected,
                "{secs} s"
            );
        }
    }
}
