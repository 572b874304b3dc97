//! A messy opportunity sheet, column by column, through detection and then parsing under the
//! rules detection suggests (or the user picks where it cannot).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{FixedOffset, NaiveDate};
use tether::import::parse::*;

/// Amount, close date, stage, won: the way a sales manager's sheet really looks.
const ROWS: [[&str; 4]; 10] = [
    ["$1,200.50", "03/04/2024", "Prospecting", "yes"],
    ["1.200,50 €", "2024-04-03", "Closed Won", "X"],
    ["(500)", "45385", "Negotiation/Review", "no"],
    ["", "", "Closed Lost", ""],
    ["EUR 1200", "13/04/2024", "Qualification", "1"],
    ["2,500", " 01/12/2023 ", "closed won ", "n"],
    ["750-", "31/02/2024", "Prospecting", "y"],
    ["$ 99.99", "2024-04-03T10:00:00", "Prospecting", "maybe"],
    ["12.345", "30/06/24", "Id. Decision Makers", "TRUE"],
    ["  3,000,000.00 ", "45292", "Closed Won", "0"],
];

fn column(index: usize) -> Vec<&'static str> {
    ROWS.iter().map(|row| row[index]).collect()
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

#[test]
fn amounts_in_mixed_locales_are_reported_per_locale_and_per_row() {
    let amounts = column(0);
    let detection = detect_number_locale(&amounts);
    assert_eq!((detection.values, detection.blanks), (10, 1));
    assert_eq!(detection.suggestion, None, "a mixed column needs the user");
    let english = detection
        .fits
        .iter()
        .find(|f| f.format == NumberLocale::English)
        .expect("English is a candidate");
    assert_eq!(english.fitting, 8);
    assert_eq!(english.contradicted_by, vec!["1.200,50 €".to_string()]);
    let best = detection
        .fits
        .iter()
        .max_by_key(|f| f.fitting)
        .map(|f| f.format);
    assert_eq!(
        best,
        Some(NumberLocale::English),
        "the UI offers the locale reading most rows"
    );

    let parsed: Vec<Result<Option<String>, String>> = amounts
        .iter()
        .map(|cell| {
            NumberLocale::English
                .parse(cell)
                .map(|a| a.map(|a| a.value.to_string()))
                .map_err(|e| e.to_string())
        })
        .collect();
    let expected: Vec<Result<Option<String>, String>> = vec![
        Ok(Some("1200.5".into())),
        Err("`1.200,50 €` does not fit the English number format (like 1,200.50): thousands are grouped with `,`, which cannot come after the decimal separator `.`; pick German in Number format".into()),
        Ok(Some("-500".into())),
        Ok(None),
        Ok(Some("1200".into())),
        Ok(Some("2500".into())),
        Ok(Some("-750".into())),
        Ok(Some("99.99".into())),
        Ok(Some("12.345".into())),
        Ok(Some("3000000".into())),
    ];
    assert_eq!(parsed, expected);

    let with_scale: Vec<bool> = amounts
        .iter()
        .filter_map(|cell| NumberLocale::English.parse(cell).ok().flatten())
        .map(|amount| fit_to_field(amount.value, 18, 2, Rounding::Refuse).is_ok())
        .collect();
    assert_eq!(
        with_scale,
        vec![true, true, true, true, true, true, false, true],
        "12.345 would lose a digit in a currency field"
    );
}

#[test]
fn close_dates_in_three_notations_are_read_without_guessing() {
    let dates = column(1);
    let detection = detect_date_format(&dates);
    let day_first = DateFormat::Ordered {
        order: DateOrder::DayMonthYear,
        separator: DateSeparator::Slash,
    };
    let formats = detection
        .suggestion
        .clone()
        .expect("13/04/2024 settles day before month");
    assert_eq!(
        formats,
        vec![day_first, DateFormat::Iso8601, DateFormat::ExcelSerial]
    );
    assert_eq!(
        detection.unreadable_examples,
        vec!["31/02/2024".to_string()]
    );

    let parsed: Vec<Result<Option<NaiveDate>, String>> = dates
        .iter()
        .map(|cell| parse_date_any(&formats, cell).map_err(|e| e.to_string()))
        .collect();
    assert_eq!(
        parsed,
        vec![
            Ok(Some(ymd(2024, 4, 3))),
            Ok(Some(ymd(2024, 4, 3))),
            Ok(Some(ymd(2024, 4, 3))),
            Ok(None),
            Ok(Some(ymd(2024, 4, 13))),
            Ok(Some(ymd(2023, 12, 1))),
            Err("`31/02/2024` is not a date: February has 28 or 29 days".into()),
            Err("`2024-04-03T10:00:00` does not fit the ISO 8601 date format (like 2024-04-03): it has a time of day, and a date field keeps only the day; map the column to a date/time field, or remove the time".into()),
            Ok(Some(ymd(2024, 6, 30))),
            Ok(Some(ymd(2024, 1, 1))),
        ]
    );

    let shown: Vec<String> = parsed
        .iter()
        .filter_map(|p| p.clone().ok().flatten())
        .map(|date| {
            let stored = date_as_stored(date);
            format!("{} → {}", stored.shown, stored.api_value)
        })
        .collect();
    assert_eq!(shown[0], "Wed 3 Apr 2024 → 2024-04-03");
    assert_eq!(shown[3], "Sat 13 Apr 2024 → 2024-04-13");
}

#[test]
fn a_sheet_with_only_ambiguous_dates_makes_the_user_choose() {
    let detection = detect_date_format(&["03/04/2024", "05/06/2024", ""]);
    assert_eq!(detection.suggestion, None);
    let both: Vec<DateFormat> = detection.fitting_all();
    assert_eq!(both.len(), 2);
    let refused = parse_date_any(&both, "03/04/2024").expect_err("ambiguous");
    assert_eq!(
        refused.to_string(),
        "`03/04/2024` is ambiguous: it reads as Wed 3 Apr 2024 in DD/MM/YYYY but Mon 4 Mar 2024 in MM/DD/YYYY; keep one of these date formats"
    );
    let chosen = parse_date_any(&both[1..], "03/04/2024");
    assert_eq!(chosen, Ok(Some(ymd(2024, 3, 4))));
}

#[test]
fn a_close_datetime_column_is_shown_in_the_users_zone() {
    let zone = FixedOffset::west_opt(5 * 3600).expect("offset");
    let moment = parse_datetime_any(&[DateFormat::Iso8601], "2024-04-03T22:30:00", zone)
        .expect("parses")
        .expect("not blank");
    let stored = datetime_as_stored(moment, zone);
    assert_eq!(stored.api_value, "2024-04-04T03:30:00.000Z");
    assert_eq!(stored.shown, "Wed 3 Apr 2024 22:30 UTC\u{2212}05:00");
}

#[test]
fn stages_are_text_that_no_date_or_number_format_claims() {
    let stages = column(2);
    let dates = detect_date_format(&stages);
    let numbers = detect_number_locale(&stages);
    assert_eq!(dates.unreadable, 10);
    assert_eq!(numbers.unreadable, 10);
    assert_eq!((dates.suggestion, numbers.suggestion), (None, None));
}

#[test]
fn won_flags_read_with_blank_as_false() {
    let flags: Vec<Result<Option<bool>, String>> = column(3)
        .iter()
        .map(|cell| parse_boolean(cell, BlankMeans::False).map_err(|e| e.to_string()))
        .collect();
    assert_eq!(
        flags,
        vec![
            Ok(Some(true)),
            Ok(Some(true)),
            Ok(Some(false)),
            Ok(Some(false)),
            Ok(Some(true)),
            Ok(Some(false)),
            Ok(Some(true)),
            Err("`maybe` is not a yes/no value: expected one of yes/no, y/n, true/false, x/blank, 1/0 or on/off; fix the cell or map its values".into()),
            Ok(Some(true)),
            Ok(Some(false)),
        ]
    );
}
