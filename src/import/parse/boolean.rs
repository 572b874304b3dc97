//! Checkbox values as people type them: yes/no, y/n, true/false, x, 1/0, on/off.

use super::error::ParseError;

/// What an empty cell means in a checkbox column; the user says so, since an `x`-marked sheet
/// means "no" by blank while another sheet means "not known".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlankMeans {
    False,
    True,
    /// Leave the field out of the record.
    NoValue,
    /// Report the row.
    Refuse,
}

const TRUE_WORDS: [&str; 10] = ["yes", "y", "true", "t", "x", "1", "on", "checked", "✓", "✔"];
const FALSE_WORDS: [&str; 7] = ["no", "n", "false", "f", "0", "off", "unchecked"];

/// Reads a checkbox cell, ignoring case and surrounding spaces. `None` means no value.
pub fn parse_boolean(text: &str, blank: BlankMeans) -> Result<Option<bool>, ParseError> {
    let value = text.trim();
    if value.is_empty() {
        return match blank {
            BlankMeans::False => Ok(Some(false)),
            BlankMeans::True => Ok(Some(true)),
            BlankMeans::NoValue => Ok(None),
            BlankMeans::Refuse => Err(ParseError::Blank),
        };
    }
    let lower = value.to_lowercase();
    if TRUE_WORDS.contains(&lower.as_str()) {
        return Ok(Some(true));
    }
    if FALSE_WORDS.contains(&lower.as_str()) {
        return Ok(Some(false));
    }
    Err(ParseError::NotABoolean {
        value: value.to_string(),
        accepted: "yes/no, y/n, true/false, x/blank, 1/0 or on/off".to_string(),
    })
}
