//! Texts that name fields, columns and commands in backticks, as the CLI prints them: the
//! window never shows the backticks. Where a text is read whole, the quoted words are set as
//! code; where it is cut to fit a row, the backticks are dropped.

use egui::text::LayoutJob;
use egui::{Align, Color32, FontSelection, RichText, Style};

/// The text without its backticks.
pub fn plain(text: &str) -> String {
    text.replace('`', "")
}

/// How the words around the code look.
#[derive(Debug, Clone, Copy, Default)]
pub struct Look {
    pub color: Option<Color32>,
    pub small: bool,
    pub weak: bool,
}

/// The text with each backticked word set as code and no backticks left.
pub fn job(style: &Style, text: &str, look: Look) -> LayoutJob {
    let mut job = LayoutJob::default();
    for (i, part) in text.split('`').enumerate() {
        if part.is_empty() {
            continue;
        }
        let mut rich = RichText::new(part);
        // Odd parts lie between a pair of backticks.
        if i % 2 == 1 {
            rich = rich.code();
        }
        if look.small {
            rich = rich.small();
        }
        if look.weak {
            rich = rich.weak();
        }
        if let Some(color) = look.color {
            rich = rich.color(color);
        }
        rich.append_to(&mut job, style, FontSelection::Default, Align::Center);
    }
    job
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_become_code_and_never_show() {
        let style = Style::default();
        let job = job(
            &style,
            "`Name` is read-only: set the direction to `pull`",
            Look::default(),
        );
        assert_eq!(job.text, "Name is read-only: set the direction to pull");
        let code: Vec<&str> = job
            .sections
            .iter()
            .filter(|s| s.format.font_id.family == egui::FontFamily::Monospace)
            .map(|s| &job.text[s.byte_range.start.0..s.byte_range.end.0])
            .collect();
        assert_eq!(code, ["Name", "pull"]);
        assert_eq!(plain("run `tether sync --due`"), "run tether sync --due");
    }
}
