use chrono::{FixedOffset, NaiveDate, TimeZone};

use crate::import::parse::*;

const DMY: DateFormat = DateFormat::Ordered {
    order: DateOrder::DayMonthYear,
    separator: DateSeparator::Slash,
};
const MDY: DateFormat = DateFormat::Ordered {
    order: DateOrder::MonthDayYear,
    separator: DateSeparator::Slash,
};
const DMY_DOT: DateFormat = DateFormat::Ordered {
    order: DateOrder::DayMonthYear,
    separator: DateSeparator::Dot,
};
const YMD_SLASH: DateFormat = DateFormat::Ordered {
    order: DateOrder::YearMonthDay,
    separator: DateSeparator::Slash,
};
const MDY_DASH: DateFormat = DateFormat::Ordered {
    order: DateOrder::MonthDayYear,
    separator: DateSeparator::Dash,
};

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

fn offset(hours: i32) -> FixedOffset {
    FixedOffset::east_opt(hours * 3600).expect("a valid offset")
}

#[test]
fn each_format_reads_its_own_dates() {
    for (format, text, date) in [
        (DMY, "03/04/2024", ymd(2024, 4, 3)),
        (DMY, " 3/4/2024 ", ymd(2024, 4, 3)),
        (MDY, "03/04/2024", ymd(2024, 3, 4)),
        (MDY, "12/31/1999", ymd(1999, 12, 31)),
        (DMY_DOT, "03.04.2024", ymd(2024, 4, 3)),
        (YMD_SLASH, "2024/04/03", ymd(2024, 4, 3)),
        (MDY_DASH, "04-03-2024", ymd(2024, 4, 3)),
        (DateFormat::Iso8601, "2024-04-03", ymd(2024, 4, 3)),
        (DateFormat::Iso8601, "2024-02-29", ymd(2024, 2, 29)),
        (DateFormat::ExcelSerial, "45385", ymd(2024, 4, 3)),
        (DateFormat::ExcelSerial, "45292", ymd(2024, 1, 1)),
        (DateFormat::ExcelSerial, "1", ymd(1900, 1, 1)),
        (DateFormat::ExcelSerial, "59", ymd(1900, 2, 28)),
        (DateFormat::ExcelSerial, "61", ymd(1900, 3, 1)),
        (DateFormat::ExcelSerial, "45385.0", ymd(2024, 4, 3)),
        (DateFormat::ExcelSerial, "2958465", ymd(9999, 12, 31)),
        (DMY, "01/01/2024 00:00", ymd(2024, 1, 1)),
    ] {
        assert_eq!(
            format.parse_date(text),
            Ok(Some(date)),
            "{text} as {}",
            format.label()
        );
    }
}

#[test]
fn two_digit_years_follow_the_documented_pivot() {
    assert_eq!(TWO_DIGIT_YEAR_PIVOT, 30);
    for (text, year) in [
        ("03/04/00", 2000),
        ("03/04/24", 2024),
        ("03/04/29", 2029),
        ("03/04/30", 1930),
        ("03/04/99", 1999),
    ] {
        assert_eq!(DMY.parse_date(text), Ok(Some(ymd(year, 4, 3))), "{text}");
    }
    let three_digits = DMY.parse_date("03/04/202").map(|_| ());
    assert!(matches!(three_digits, Err(ParseError::DateFormat { .. })));
}

#[test]
fn blanks_are_no_value() {
    assert_eq!(DMY.parse_date("   "), Ok(None));
    assert_eq!(DateFormat::Iso8601.parse_datetime("", offset(2)), Ok(None));
}

#[test]
fn impossible_days_say_why() {
    for (format, text, message) in [
        (
            DMY,
            "31/02/2024",
            "`31/02/2024` is not a date: February has 28 or 29 days",
        ),
        (
            DMY,
            "29/02/2023",
            "`29/02/2023` is not a date: 2023 is not a leap year, so February has 28 days",
        ),
        (
            DMY,
            "31/04/2024",
            "`31/04/2024` is not a date: April has 30 days",
        ),
        (
            DateFormat::Iso8601,
            "2024-06-31",
            "`2024-06-31` is not a date: June has 30 days",
        ),
        (
            DMY,
            "00/04/2024",
            "`00/04/2024` is not a date: there is no day 0",
        ),
    ] {
        let error = format.parse_date(text).expect_err(text);
        assert_eq!(error.to_string(), message);
    }
}

#[test]
fn the_wrong_format_names_the_right_one() {
    for (format, text, expected) in [
        (
            MDY,
            "13/04/2024",
            "`13/04/2024` does not fit the MM/DD/YYYY date format (like 04/03/2024): there is no month 13; pick DD/MM/YYYY in Date format",
        ),
        (
            DMY,
            "2024.04.03",
            "`2024.04.03` does not fit the DD/MM/YYYY date format (like 03/04/2024): expected three numbers separated by `/`; pick YYYY.MM.DD in Date format",
        ),
        (
            DMY,
            "45385",
            "`45385` does not fit the DD/MM/YYYY date format (like 03/04/2024): expected three numbers separated by `/`; pick Excel serial number in Date format",
        ),
        (
            DateFormat::Iso8601,
            "April 3rd",
            "`April 3rd` does not fit the ISO 8601 date format (like 2024-04-03): expected three numbers separated by `-`; fix the cell, or pick the date format the file uses",
        ),
        (
            YMD_SLASH,
            "24/04/03",
            "`24/04/03` does not fit the YYYY/MM/DD date format (like 2024/04/03): the year must have 4 digits; pick DD/MM/YYYY in Date format",
        ),
    ] {
        let error = format.parse_date(text).expect_err(text);
        assert_eq!(error.to_string(), expected);
    }
}

#[test]
fn excel_serials_outside_the_calendar_are_refused() {
    for (text, reason) in [
        ("60", "29 February 1900"),
        ("0", "run from 1 to 2958465"),
        ("2958466", "run from 1 to 2958465"),
        ("-5", "whole number of days"),
        ("45385.5", "time of day"),
    ] {
        let error = DateFormat::ExcelSerial.parse_date(text).expect_err(text);
        assert!(error.to_string().contains(reason), "{text}: {error}");
    }
}

#[test]
fn a_date_field_refuses_times_and_offsets_instead_of_shifting_the_day() {
    for text in [
        "2024-04-03T14:30:00",
        "2024-04-03T00:00:00+02:00",
        "2024-04-03T00:00:00Z",
    ] {
        let error = DateFormat::Iso8601.parse_date(text).expect_err(text);
        assert!(error.to_string().contains("keeps only the day"), "{error}");
    }
}

#[test]
fn datetimes_use_the_written_offset_or_the_users_zone() {
    let paris = offset(2);
    for (format, text, expected) in [
        (
            DateFormat::Iso8601,
            "2024-04-03T14:30:00",
            paris.with_ymd_and_hms(2024, 4, 3, 14, 30, 0),
        ),
        (
            DateFormat::Iso8601,
            "2024-04-03 14:30",
            paris.with_ymd_and_hms(2024, 4, 3, 14, 30, 0),
        ),
        (
            DateFormat::Iso8601,
            "2024-04-03T12:30:00Z",
            offset(0).with_ymd_and_hms(2024, 4, 3, 12, 30, 0),
        ),
        (
            DateFormat::Iso8601,
            "2024-04-03T09:30:00-0500",
            offset(-5).with_ymd_and_hms(2024, 4, 3, 9, 30, 0),
        ),
        (
            DateFormat::Iso8601,
            "2024-04-03",
            paris.with_ymd_and_hms(2024, 4, 3, 0, 0, 0),
        ),
        (
            MDY,
            "4/3/2024 2:30 PM",
            paris.with_ymd_and_hms(2024, 4, 3, 14, 30, 0),
        ),
        (
            MDY,
            "4/3/2024 12:05 am",
            paris.with_ymd_and_hms(2024, 4, 3, 0, 5, 0),
        ),
        (
            DMY,
            "03/04/2024 14:30:15",
            paris.with_ymd_and_hms(2024, 4, 3, 14, 30, 15),
        ),
        (
            DateFormat::ExcelSerial,
            "45385.5",
            paris.with_ymd_and_hms(2024, 4, 3, 12, 0, 0),
        ),
        (
            DateFormat::ExcelSerial,
            "45385.75",
            paris.with_ymd_and_hms(2024, 4, 3, 18, 0, 0),
        ),
    ] {
        let expected = expected.single().expect("an unambiguous instant");
        assert_eq!(
            format.parse_datetime(text, paris),
            Ok(Some(expected)),
            "{text}"
        );
    }
}

#[test]
fn bad_times_are_refused() {
    for text in [
        "2024-04-03T25:00",
        "2024-04-03T14:60",
        "2024-04-03T14:30:61",
        "2024-04-03T2:30 PM",
        "2024-04-03T14:30+25:00",
        "2024-04-03Tnoon",
    ] {
        let result = DateFormat::Iso8601.parse_datetime(text, offset(0));
        assert!(
            matches!(result, Err(ParseError::DateFormat { .. })),
            "{text}: {result:?}"
        );
    }
    let thirteen_pm = MDY.parse_datetime("4/3/2024 13:00 PM", offset(0));
    assert!(thirteen_pm.is_err());
}

#[test]
fn excel_serial_numbers_are_computed_both_ways() {
    for (date, serial) in [
        (ymd(1900, 1, 1), Some(1)),
        (ymd(1900, 2, 28), Some(59)),
        (ymd(1900, 3, 1), Some(61)),
        (ymd(2024, 4, 3), Some(45385)),
        (ymd(1899, 12, 31), None),
        (ymd(10000, 1, 1), None),
    ] {
        assert_eq!(excel_serial(date), serial, "{date}");
    }
}

#[test]
fn dates_are_stored_as_the_day_itself_in_every_zone() {
    let stored = date_as_stored(ymd(2024, 4, 3));
    assert_eq!(stored.api_value, "2024-04-03");
    assert_eq!(stored.shown, "Wed 3 Apr 2024");
}

#[test]
fn datetimes_are_stored_in_utc_and_shown_in_the_viewers_zone() {
    let moment = DateFormat::Iso8601
        .parse_datetime("2024-04-03T00:30:00", offset(2))
        .expect("parses")
        .expect("not blank");
    let in_paris = datetime_as_stored(moment, offset(2));
    assert_eq!(in_paris.api_value, "2024-04-02T22:30:00.000Z");
    assert_eq!(in_paris.shown, "Wed 3 Apr 2024 00:30 UTC+02:00");
    let in_new_york = datetime_as_stored(moment, offset(-4));
    assert_eq!(in_new_york.api_value, in_paris.api_value);
    assert_eq!(in_new_york.shown, "Tue 2 Apr 2024 18:30 UTC\u{2212}04:00");
    let india = FixedOffset::east_opt(5 * 3600 + 1800).expect("offset");
    assert_eq!(zone_label(india), "UTC+05:30");
    assert_eq!(zone_label(offset(0)), "UTC");
}

#[test]
fn labels_and_examples_show_3_april_2024() {
    let labels: Vec<(String, String)> = ALL_DATE_FORMATS
        .iter()
        .map(|f| (f.label(), f.example()))
        .collect();
    assert!(labels.contains(&("DD/MM/YYYY".into(), "03/04/2024".into())));
    assert!(labels.contains(&("MM-DD-YYYY".into(), "04-03-2024".into())));
    assert!(labels.contains(&("YYYY.MM.DD".into(), "2024.04.03".into())));
    assert!(labels.contains(&("Excel serial number".into(), "45385".into())));
    assert_eq!(labels.len(), 11);
}

#[test]
fn several_formats_read_a_mixed_column_and_refuse_disagreement() {
    let formats = [DMY, DateFormat::Iso8601, DateFormat::ExcelSerial];
    for (text, date) in [
        ("03/04/2024", ymd(2024, 4, 3)),
        ("2024-04-03", ymd(2024, 4, 3)),
        ("45385", ymd(2024, 4, 3)),
    ] {
        assert_eq!(parse_date_any(&formats, text), Ok(Some(date)), "{text}");
    }
    assert_eq!(parse_date_any(&[], "2024-04-03"), Ok(Some(ymd(2024, 4, 3))));
    let refused = parse_date_any(&[DMY, MDY], "05/06/2024").expect_err("two readings");
    assert!(
        matches!(refused, ParseError::AmbiguousDate { .. }),
        "{refused}"
    );
    let same_day = parse_date_any(&[DMY, MDY], "07/07/2024");
    assert_eq!(same_day, Ok(Some(ymd(2024, 7, 7))));
    let misfit = parse_date_any(&formats, "April 3rd").expect_err("no format reads it");
    assert!(
        misfit.to_string().contains("DD/MM/YYYY date format"),
        "{misfit}"
    );
}

/// A workbook's real date cells arrive as ISO 8601 beside text dates in the column's own
/// format; both are read, and the ISO reading is the only one any format gives.
#[test]
fn iso_dates_are_read_whatever_the_column_format() {
    for format in [DMY, MDY, DateFormat::ExcelSerial] {
        assert_eq!(
            format.parse_date("2024-04-03"),
            Ok(Some(ymd(2024, 4, 3))),
            "{}",
            format.label()
        );
        let moment = format
            .parse_datetime("2024-04-03T18:00:00", offset(2))
            .unwrap()
            .unwrap();
        assert_eq!(moment.to_rfc3339(), "2024-04-03T18:00:00+02:00");
    }
    assert_eq!(MDY.parse_date("04/03/2024"), Ok(Some(ymd(2024, 4, 3))));
    // Two-digit years stay the column format's business.
    assert!(DMY.parse_date("24-04-03").is_err());
}
