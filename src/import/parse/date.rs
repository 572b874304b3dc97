//! Dates and date-times in the format the user picked. Nothing here guesses: a value either fits
//! the chosen format or is refused with a message saying which format it does fit.

use chrono::{DateTime, Datelike, FixedOffset, Month, NaiveDate, NaiveDateTime, NaiveTime};

use super::error::ParseError;
use super::time::{TimeOfDay, read_time};

/// Two-digit years below this are in the 2000s, the rest in the 1900s: `29` → 2029, `30` → 1930.
/// It is the rule Excel and Windows apply by default, so files read as they looked to their author.
pub const TWO_DIGIT_YEAR_PIVOT: u32 = 30;

/// The largest Excel serial number, 31 December 9999.
pub const MAX_EXCEL_SERIAL: u32 = 2_958_465;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateOrder {
    DayMonthYear,
    MonthDayYear,
    YearMonthDay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateSeparator {
    Slash,
    Dash,
    Dot,
}

impl DateSeparator {
    pub fn char(self) -> char {
        match self {
            Self::Slash => '/',
            Self::Dash => '-',
            Self::Dot => '.',
        }
    }
}

/// How a column writes its dates. Ordered formats take 4-digit years, or 2-digit years by
/// [`TWO_DIGIT_YEAR_PIVOT`] (except year first, where 2 digits would read as a day), and an
/// optional time after a space (`14:30`, `2:30 PM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateFormat {
    Ordered {
        order: DateOrder,
        separator: DateSeparator,
    },
    /// `2024-04-03`, `2024-04-03T14:30:00`, `2024-04-03T14:30:00+02:00` or `…Z`.
    Iso8601,
    /// Days since 1899-12-30 as Excel counts them (`45385` is 3 April 2024); a fraction is the
    /// time of day. Excel's fictitious 29 February 1900 (serial 60) is refused.
    ExcelSerial,
}

/// Every format a column is checked against, in the order the UI lists them.
pub const ALL_DATE_FORMATS: [DateFormat; 11] = {
    use DateOrder::*;
    use DateSeparator::*;
    const fn o(order: DateOrder, separator: DateSeparator) -> DateFormat {
        DateFormat::Ordered { order, separator }
    }
    [
        o(DayMonthYear, Slash),
        o(MonthDayYear, Slash),
        o(YearMonthDay, Slash),
        o(DayMonthYear, Dot),
        o(DayMonthYear, Dash),
        o(MonthDayYear, Dash),
        o(MonthDayYear, Dot),
        o(YearMonthDay, Dot),
        DateFormat::Iso8601,
        o(YearMonthDay, Dash),
        DateFormat::ExcelSerial,
    ]
};

/// A cell read under a format: the date, its time of day if it had one, and the offset it named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reading {
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
    pub offset: Option<FixedOffset>,
}

/// Why a value does not fit one format, before it becomes a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Misfit {
    Shape(String),
    NoMonth(u32),
    NoDay { day: u32, month: u32, year: i32 },
}

impl DateFormat {
    /// How the format is shown to the user: `DD/MM/YYYY`, `ISO 8601`, `Excel serial number`.
    pub fn label(self) -> String {
        match self {
            Self::Ordered { order, separator } => {
                let parts = match order {
                    DateOrder::DayMonthYear => ["DD", "MM", "YYYY"],
                    DateOrder::MonthDayYear => ["MM", "DD", "YYYY"],
                    DateOrder::YearMonthDay => ["YYYY", "MM", "DD"],
                };
                parts.join(&separator.char().to_string())
            }
            Self::Iso8601 => "ISO 8601".to_string(),
            Self::ExcelSerial => "Excel serial number".to_string(),
        }
    }

    /// 3 April 2024 written in this format.
    pub fn example(self) -> String {
        NaiveDate::from_ymd_opt(2024, 4, 3).map_or_else(String::new, |d| self.format(d))
    }

    /// Writes `date` the way this format does, with 4-digit years.
    pub fn format(self, date: NaiveDate) -> String {
        match self {
            Self::Ordered { order, separator } => {
                let s = separator.char();
                let (y, m, d) = (date.year(), date.month(), date.day());
                match order {
                    DateOrder::DayMonthYear => format!("{d:02}{s}{m:02}{s}{y:04}"),
                    DateOrder::MonthDayYear => format!("{m:02}{s}{d:02}{s}{y:04}"),
                    DateOrder::YearMonthDay => format!("{y:04}{s}{m:02}{s}{d:02}"),
                }
            }
            Self::Iso8601 => date.format("%Y-%m-%d").to_string(),
            Self::ExcelSerial => excel_serial(date).map_or_else(String::new, |n| n.to_string()),
        }
    }

    /// A date field's value: a blank cell is `None`; a time of day or an offset is refused,
    /// because a date field stores a day, and shifting it into a zone is how days get lost.
    pub fn parse_date(self, text: &str) -> Result<Option<NaiveDate>, ParseError> {
        parse_date_any(&[self], text)
    }

    /// A date/time field's value: a blank cell is `None`; a value without an offset is a wall
    /// clock time in `zone` (the user's), and a date without a time is midnight there.
    pub fn parse_datetime(
        self,
        text: &str,
        zone: FixedOffset,
    ) -> Result<Option<DateTime<FixedOffset>>, ParseError> {
        parse_datetime_any(&[self], text, zone)
    }

    /// Reads a trimmed, non-blank value, or says why it does not fit.
    pub(super) fn read(self, value: &str) -> Result<Reading, Misfit> {
        match self {
            Self::ExcelSerial => read_serial(value),
            Self::Iso8601 => {
                let (date, time) = split_time(value, true);
                let date = read_ordered(date, DateOrder::YearMonthDay, '-', false)?;
                with_time(date, time, true)
            }
            Self::Ordered { order, separator } => {
                let (date, time) = split_time(value, false);
                let date = read_ordered(date, order, separator.char(), true)?;
                with_time(date, time, false)
            }
        }
    }

    fn error(self, value: &str, misfit: Misfit) -> ParseError {
        let reason = match misfit {
            Misfit::NoDay { day, month, year } => {
                let reason = no_day_reason(day, month, year);
                let fits_elsewhere = ALL_DATE_FORMATS.iter().any(|f| f.read(value).is_ok());
                if !fits_elsewhere {
                    return ParseError::ImpossibleDate {
                        value: value.to_string(),
                        reason,
                    };
                }
                reason
            }
            Misfit::NoMonth(month) => format!("there is no month {month}"),
            Misfit::Shape(reason) => reason,
        };
        let fitting: Vec<String> = ALL_DATE_FORMATS
            .iter()
            .filter(|f| **f != self && f.read(value).is_ok())
            .map(|f| f.label())
            .collect();
        let advice = if fitting.is_empty() {
            "fix the cell, or pick the date format the file uses".to_string()
        } else {
            format!("pick {} in Date format", fitting.join(" or "))
        };
        ParseError::DateFormat {
            value: value.to_string(),
            format: self.label(),
            example: self.example(),
            reason,
            advice,
        }
    }
}

/// [`DateFormat::parse_date`] for a column written in several formats (a detection's
/// suggestion, say). A value is read by whichever format fits it; one that two formats read as
/// different days is refused rather than guessed. No formats at all means ISO 8601, and ISO 8601
/// is read whatever the formats.
pub fn parse_date_any(formats: &[DateFormat], text: &str) -> Result<Option<NaiveDate>, ParseError> {
    let value = text.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let (format, reading) = read_any(formats, value)?;
    if reading.time.is_some_and(|t| t != NaiveTime::MIN) || reading.offset.is_some() {
        return Err(ParseError::DateFormat {
            value: value.to_string(),
            format: format.label(),
            example: format.example(),
            reason: "it has a time of day, and a date field keeps only the day".to_string(),
            advice: "map the column to a date/time field, or remove the time".to_string(),
        });
    }
    Ok(Some(reading.date))
}

/// [`DateFormat::parse_datetime`] for a column written in several formats; see
/// [`parse_date_any`].
pub fn parse_datetime_any(
    formats: &[DateFormat],
    text: &str,
    zone: FixedOffset,
) -> Result<Option<DateTime<FixedOffset>>, ParseError> {
    let value = text.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let (format, reading) = read_any(formats, value)?;
    let wall = NaiveDateTime::new(reading.date, reading.time.unwrap_or(NaiveTime::MIN));
    let offset = reading.offset.unwrap_or(zone);
    // A fixed offset has no gaps or folds; only the ends of the calendar have no instant.
    match wall.and_local_timezone(offset).single() {
        Some(moment) => Ok(Some(moment)),
        None => Err(ParseError::DateFormat {
            value: value.to_string(),
            format: format.label(),
            example: format.example(),
            reason: "it is outside the calendar Salesforce keeps".to_string(),
            advice: "fix the cell".to_string(),
        }),
    }
}

fn read_any(formats: &[DateFormat], value: &str) -> Result<(DateFormat, Reading), ParseError> {
    let formats = if formats.is_empty() {
        &[DateFormat::Iso8601][..]
    } else {
        formats
    };
    let first = formats[0];
    let fitting: Vec<(DateFormat, Reading)> = formats
        .iter()
        .filter_map(|f| f.read(value).ok().map(|r| (*f, r)))
        .collect();
    match fitting.as_slice() {
        // A workbook's date cells arrive as ISO 8601 whatever the column's text dates look
        // like, and a four-digit year first has no other reading in any format offered.
        [] if let Ok(reading) = DateFormat::Iso8601.read(value) => {
            Ok((DateFormat::Iso8601, reading))
        }
        [] => Err(first.read(value).err().map_or_else(
            || first.error(value, Misfit::Shape(String::new())),
            |m| first.error(value, m),
        )),
        [(format, reading), rest @ ..] => {
            if rest.iter().any(|(_, r)| r != reading) {
                use super::detect::Candidate;
                let readings: Vec<String> = fitting
                    .iter()
                    .map(|(f, r)| format!("{} in {}", DateFormat::show(r), f.label()))
                    .collect();
                return Err(ParseError::AmbiguousDate {
                    value: value.to_string(),
                    readings: readings.join(" but "),
                });
            }
            Ok((*format, *reading))
        }
    }
}

/// Splits `2024-04-03 14:30` (and, for ISO 8601, `2024-04-03T14:30`) at the time.
fn split_time(value: &str, iso: bool) -> (&str, Option<&str>) {
    let at = value.find(|c: char| c == ' ' || (iso && c == 'T'));
    match at {
        Some(i) => (&value[..i], Some(value[i + 1..].trim())),
        None => (value, None),
    }
}

fn with_time(date: NaiveDate, time: Option<&str>, iso: bool) -> Result<Reading, Misfit> {
    let Some(text) = time else {
        return Ok(Reading {
            date,
            time: None,
            offset: None,
        });
    };
    let TimeOfDay { time, offset } = read_time(text, iso).map_err(Misfit::Shape)?;
    Ok(Reading {
        date,
        time: Some(time),
        offset,
    })
}

fn read_ordered(
    text: &str,
    order: DateOrder,
    separator: char,
    short_years: bool,
) -> Result<NaiveDate, Misfit> {
    let parts: Vec<&str> = text.split(separator).collect();
    let digits_only = parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if parts.len() != 3 || !digits_only {
        return Err(Misfit::Shape(format!(
            "expected three numbers separated by `{separator}`"
        )));
    }
    let (y, m, d) = match order {
        DateOrder::DayMonthYear => (parts[2], parts[1], parts[0]),
        DateOrder::MonthDayYear => (parts[2], parts[0], parts[1]),
        DateOrder::YearMonthDay => (parts[0], parts[1], parts[2]),
    };
    let year_first = order == DateOrder::YearMonthDay;
    let year = match y.len() {
        4 => y.parse::<i32>().ok(),
        2 if short_years && !year_first => y.parse::<u32>().ok().map(|yy| {
            let century = if yy < TWO_DIGIT_YEAR_PIVOT {
                2000
            } else {
                1900
            };
            (century + yy) as i32
        }),
        _ => None,
    };
    let Some(year) = year else {
        let lengths = if short_years && !year_first {
            "2 or 4"
        } else {
            "4"
        };
        return Err(Misfit::Shape(format!(
            "the year must have {lengths} digits"
        )));
    };
    if m.len() > 2 || d.len() > 2 {
        return Err(Misfit::Shape(
            "day and month have 1 or 2 digits".to_string(),
        ));
    }
    let (month, day) = (m.parse::<u32>().unwrap_or(0), d.parse::<u32>().unwrap_or(0));
    if !(1..=12).contains(&month) {
        return Err(Misfit::NoMonth(month));
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or(Misfit::NoDay { day, month, year })
}

fn no_day_reason(day: u32, month: u32, year: i32) -> String {
    let name = Month::try_from(month as u8).map_or("that month", |m| m.name());
    if day == 0 {
        return "there is no day 0".to_string();
    }
    if month == 2 && day == 29 {
        return format!("{year} is not a leap year, so February has 28 days");
    }
    if month == 2 {
        return "February has 28 or 29 days".to_string();
    }
    let days = NaiveDate::from_ymd_opt(year, month, 1)
        .and_then(|first| first.checked_add_months(chrono::Months::new(1)))
        .and_then(|next| next.pred_opt())
        .map_or(30, |last| last.day());
    format!("{name} has {days} days")
}

fn excel_epoch(serial: u32) -> Option<NaiveDate> {
    // Excel counts 1900 as a leap year: serials after its fictitious 29 February are one ahead.
    let epoch = if serial < 60 {
        (1899, 12, 31)
    } else {
        (1899, 12, 30)
    };
    NaiveDate::from_ymd_opt(epoch.0, epoch.1, epoch.2)
}

fn read_serial(value: &str) -> Result<Reading, Misfit> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(Misfit::Shape(
            "expected a whole number of days, like 45385".to_string(),
        ));
    }
    let serial = whole.parse::<u32>().unwrap_or(u32::MAX);
    if serial == 60 {
        return Err(Misfit::Shape(
            "serial 60 is 29 February 1900, a day Excel invents but which never existed"
                .to_string(),
        ));
    }
    if !(1..=MAX_EXCEL_SERIAL).contains(&serial) {
        return Err(Misfit::Shape(format!(
            "Excel dates run from 1 to {MAX_EXCEL_SERIAL}"
        )));
    }
    let date = excel_epoch(serial)
        .and_then(|e| e.checked_add_days(chrono::Days::new(u64::from(serial))))
        .ok_or_else(|| Misfit::Shape("the serial number is out of range".to_string()))?;
    if fraction.trim_end_matches('0').is_empty() {
        return Ok(Reading {
            date,
            time: None,
            offset: None,
        });
    }
    let day_fraction: f64 = format!("0.{fraction}").parse().unwrap_or(0.0);
    let seconds = (day_fraction * 86_400.0).round() as u32;
    let (date, seconds) = if seconds >= 86_400 {
        (date.succ_opt().unwrap_or(date), 0)
    } else {
        (date, seconds)
    };
    Ok(Reading {
        date,
        time: NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0),
        offset: None,
    })
}

/// The Excel serial number of `date`, for dates Excel can hold.
pub fn excel_serial(date: NaiveDate) -> Option<u32> {
    let late_epoch = excel_epoch(61)?;
    let days = date.signed_duration_since(late_epoch).num_days();
    let serial = if days >= 61 {
        days
    } else {
        date.signed_duration_since(excel_epoch(1)?).num_days()
    };
    u32::try_from(serial)
        .ok()
        .filter(|s| (1..=MAX_EXCEL_SERIAL).contains(s) && *s != 60)
}
