//! Reading cell text into typed values under rules the user picked: dates in an explicit format,
//! numbers in an explicit locale, checkboxes with an explicit meaning for blank. Detection over a
//! column sample says which rules fit and which values they would read differently; nothing is
//! guessed silently. Pure functions: no I/O.

pub mod boolean;
pub mod date;
pub mod detect;
pub mod error;
pub mod number;
pub mod stored;
mod time;

#[cfg(test)]
mod tests;

pub use boolean::{BlankMeans, parse_boolean};
pub use date::{
    ALL_DATE_FORMATS, DateFormat, DateOrder, DateSeparator, MAX_EXCEL_SERIAL, Reading,
    TWO_DIGIT_YEAR_PIVOT, excel_serial, parse_date_any, parse_datetime_any,
};

pub use detect::{
    Ambiguity, Candidate, Check, Detection, Fit, detect, detect_date_format, detect_number_locale,
};
pub use error::ParseError;
pub use number::{Amount, NumberLocale, PercentTarget, Rounding, fit_to_field};
pub use stored::{AsStored, date_as_stored, datetime_as_stored, zone_label};
