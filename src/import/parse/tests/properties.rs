use chrono::{Duration, FixedOffset, NaiveDate, NaiveTime};
use proptest::prelude::*;

use crate::import::parse::*;
use tether_decimal::Decimal;

fn decimal() -> impl Strategy<Value = Decimal> {
    (any::<i64>(), 0u32..8).prop_filter_map("fits", |(units, scale)| {
        Decimal::new(i128::from(units), scale)
    })
}

fn locale() -> impl Strategy<Value = NumberLocale> {
    prop::sample::select(NumberLocale::ALL.to_vec())
}

/// Dates Excel can count, from 1 March 1900 on, through 9999.
fn date() -> impl Strategy<Value = NaiveDate> {
    (0i64..2_958_404).prop_filter_map("in range", |days| {
        NaiveDate::from_ymd_opt(1900, 3, 1)?.checked_add_signed(Duration::days(days))
    })
}

proptest! {
    #[test]
    fn numbers_round_trip_in_every_locale(
        value in decimal(), locale in locale(), grouped in any::<bool>(), min_scale in 0u32..4
    ) {
        let text = locale.format(value, min_scale, grouped);
        let read = locale.parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(read.map(|a| a.value), Some(value), "{}", text);
    }

    #[test]
    fn accounting_negatives_and_currency_round_trip(
        value in decimal(), locale in locale(), symbol in prop::sample::select(vec!["$", "€", "EUR", "CHF"])
    ) {
        let magnitude = if value.is_negative() { value.negate() } else { value };
        let text = format!("({} {symbol})", locale.format(magnitude, 2, true));
        let read = locale.parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let read = read.ok_or_else(|| TestCaseError::fail("blank"))?;
        prop_assert_eq!(read.value, magnitude.negate());
        prop_assert_eq!(read.currency.as_deref(), Some(symbol));
    }

    #[test]
    fn dates_round_trip_in_every_format(date in date(), index in 0usize..ALL_DATE_FORMATS.len()) {
        let format = ALL_DATE_FORMATS[index];
        let text = format.format(date);
        prop_assert_eq!(format.parse_date(&text), Ok(Some(date)), "{} as {}", text, format.label());
        prop_assert_eq!(date_as_stored(date).api_value, date.format("%Y-%m-%d").to_string());
    }

    #[test]
    fn two_digit_years_round_trip_within_the_pivot_century(
        date in date().prop_filter("1930 to 2029", |d| (1930..2030).contains(&chrono::Datelike::year(d)))
    ) {
        let text = date.format("%d/%m/%y").to_string();
        let format = ALL_DATE_FORMATS[0];
        prop_assert_eq!(format.parse_date(&text), Ok(Some(date)), "{}", text);
    }

    #[test]
    fn datetimes_round_trip_through_iso_and_storage(
        date in date(), seconds in 0u32..86_400, offset_minutes in -14 * 60i32..=14 * 60
    ) {
        let zone = FixedOffset::east_opt(offset_minutes * 60).ok_or_else(|| TestCaseError::fail("offset"))?;
        let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0).ok_or_else(|| TestCaseError::fail("time"))?;
        let Some(moment) = date.and_time(time).and_local_timezone(zone).single() else {
            return Ok(());
        };
        let text = moment.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
        let read = DateFormat::Iso8601.parse_datetime(&text, FixedOffset::east_opt(0).unwrap_or(zone));
        prop_assert_eq!(read, Ok(Some(moment)));
        let stored = datetime_as_stored(moment, zone);
        let back = chrono::DateTime::parse_from_rfc3339(&stored.api_value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, moment);
    }

    #[test]
    fn no_text_makes_a_parser_panic(text in "\\PC{0,24}", index in 0usize..ALL_DATE_FORMATS.len()) {
        let zone = FixedOffset::east_opt(3600).ok_or_else(|| TestCaseError::fail("offset"))?;
        let _ = ALL_DATE_FORMATS[index].parse_date(&text);
        let _ = ALL_DATE_FORMATS[index].parse_datetime(&text, zone);
        for locale in NumberLocale::ALL {
            let _ = locale.parse(&text);
        }
        let _ = parse_boolean(&text, BlankMeans::Refuse);
        let _ = detect_date_format(&[text.as_str()]);
        let _ = detect_number_locale(&[text.as_str()]);
    }

    #[test]
    fn digit_and_separator_soup_never_panics(text in "[0-9.,'/: \\-+()%$€TZ]{0,20}") {
        let zone = FixedOffset::east_opt(0).ok_or_else(|| TestCaseError::fail("offset"))?;
        for format in ALL_DATE_FORMATS {
            let _ = format.parse_datetime(&text, zone);
        }
        for locale in NumberLocale::ALL {
            let _ = locale.parse(&text);
        }
    }
}
