use crate::import::parse::*;
use tether_decimal::Decimal;

fn d(text: &str) -> Decimal {
    Decimal::from_plain(text).expect("a plain decimal")
}

fn value(locale: NumberLocale, text: &str) -> Amount {
    locale
        .parse(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .unwrap_or_else(|| panic!("{text} read as blank"))
}

use NumberLocale::{English, French, German, Swiss};

#[test]
fn each_locale_reads_its_own_numbers() {
    for (locale, text, expected) in [
        (English, "1,200.50", "1200.5"),
        (English, "1200.50", "1200.5"),
        (English, "1,234,567", "1234567"),
        (English, "0.125", "0.125"),
        (English, ".5", "0.5"),
        (English, "+42", "42"),
        (German, "1.200,50", "1200.5"),
        (German, "1200,50", "1200.5"),
        (German, "1.234.567", "1234567"),
        (French, "1\u{202F}200,50", "1200.5"),
        (French, "1\u{00A0}200,50", "1200.5"),
        (French, "1 200,50", "1200.5"),
        (Swiss, "1'200.50", "1200.5"),
        (Swiss, "1\u{2019}200.50", "1200.5"),
    ] {
        assert_eq!(
            value(locale, text).value,
            d(expected),
            "{text} in {}",
            locale.name()
        );
    }
}

#[test]
fn negatives_are_written_four_ways() {
    for (locale, text) in [
        (English, "-500"),
        (English, "(500)"),
        (English, "500-"),
        (English, "\u{2212}500"),
        (English, "($500)"),
        (English, "-$500"),
        (English, "$-500"),
        (German, "500 €-"),
        (German, "(500,00 €)"),
    ] {
        assert_eq!(value(locale, text).value, d("-500"), "{text}");
    }
}

#[test]
fn currency_symbols_and_codes_go_before_or_after() {
    for (locale, text, amount, currency) in [
        (English, "$1,200.50", "1200.5", "$"),
        (English, "US$ 1,200.50", "1200.5", "US$"),
        (English, "£99", "99", "£"),
        (German, "1.200,50 €", "1200.5", "€"),
        (German, "€1.200,50", "1200.5", "€"),
        (English, "EUR 1200", "1200", "EUR"),
        (English, "1200 USD", "1200", "USD"),
        (Swiss, "CHF 1'200.50", "1200.5", "CHF"),
        (English, "(USD 500)", "-500", "USD"),
    ] {
        let read = value(locale, text);
        assert_eq!(read.value, d(amount), "{text}");
        assert_eq!(read.currency.as_deref(), Some(currency), "{text}");
        assert!(!read.percent);
    }
}

#[test]
fn percentages_follow_the_documented_target() {
    for (locale, text, points, fraction) in [
        (English, "12.5%", "12.5", "0.125"),
        (English, "12.5 %", "12.5", "0.125"),
        (German, "12,5 %", "12.5", "0.125"),
        (English, "100%", "100", "1"),
        (English, "-3%", "-3", "-0.03"),
        (English, "12.5", "12.5", "12.5"),
    ] {
        let read = value(locale, text);
        assert_eq!(read.value_for(PercentTarget::Points), d(points), "{text}");
        assert_eq!(
            read.value_for(PercentTarget::Fraction),
            d(fraction),
            "{text}"
        );
    }
}

#[test]
fn blanks_are_no_value() {
    assert_eq!(English.parse(""), Ok(None));
    assert_eq!(German.parse(" \t "), Ok(None));
}

#[test]
fn misfits_say_which_locale_to_pick() {
    for (locale, text, expected) in [
        (
            English,
            "1.200,50",
            "`1.200,50` does not fit the English number format (like 1,200.50): thousands are grouped with `,`, which cannot come after the decimal separator `.`; pick German in Number format",
        ),
        (
            German,
            "$1,200.50",
            "`$1,200.50` does not fit the German number format (like 1.200,50): thousands are grouped with `.`, which cannot come after the decimal separator `,`; pick English in Number format",
        ),
        (
            English,
            "1 200,50",
            "`1 200,50` does not fit the English number format (like 1,200.50): ` ` is not part of a number here; pick French in Number format",
        ),
        (
            English,
            "12,34.5",
            "`12,34.5` does not fit the English number format (like 1,200.50): thousands must come in groups of three digits between each `,`; fix the cell, or map the column to a text field",
        ),
        (
            English,
            "abc",
            "`abc` does not fit the English number format (like 1,200.50): `a` is not part of a number here; fix the cell, or map the column to a text field",
        ),
        (
            English,
            "--5",
            "`--5` does not fit the English number format (like 1,200.50): it has more than one minus sign; fix the cell, or map the column to a text field",
        ),
        (
            English,
            "$5 €",
            "`$5 €` does not fit the English number format (like 1,200.50): it names a currency twice; fix the cell, or map the column to a text field",
        ),
        (
            English,
            "$",
            "`$` does not fit the English number format (like 1,200.50): it has no digits; fix the cell, or map the column to a text field",
        ),
    ] {
        let message = locale.parse(text).expect_err(text).to_string();
        assert_eq!(message, expected);
    }
}

#[test]
fn the_brief_example_message_names_german() {
    let message = English.parse("1.200,50").expect_err("misfit").to_string();
    assert!(message.starts_with("`1.200,50` does not fit the English number format"));
    assert!(
        message.ends_with("pick German in Number format"),
        "{message}"
    );
}

#[test]
fn too_many_digits_are_refused() {
    let long = "1".repeat(31);
    assert!(matches!(
        English.parse(&long),
        Err(ParseError::NumberFormat { .. })
    ));
}

#[test]
fn fitting_to_a_field_refuses_or_reports_lost_precision() {
    let fitted = fit_to_field(d("1200.5"), 18, 2, Rounding::Refuse).expect("fits");
    assert_eq!((fitted.value, fitted.exact), (d("1200.5"), true));
    let error = fit_to_field(d("1.005"), 18, 2, Rounding::Refuse).expect_err("loses a digit");
    assert_eq!(
        error.to_string(),
        "`1.005` has more decimal places than the field keeps (2); it would be stored as 1.01. Round it in the file, or allow rounding"
    );
    let rounded = fit_to_field(d("1.005"), 18, 2, Rounding::Round).expect("rounds");
    assert_eq!((rounded.value, rounded.exact), (d("1.01"), false));
    let error = fit_to_field(d("123456"), 7, 2, Rounding::Refuse).expect_err("too large");
    assert_eq!(
        error.to_string(),
        "`123456` is too large for the field: it keeps 5 digits before the decimal point. Check the column is mapped to the right field"
    );
    assert!(fit_to_field(d("99999.99"), 7, 2, Rounding::Refuse).is_ok());
    assert!(fit_to_field(d("99999.995"), 7, 2, Rounding::Round).is_err());
    assert!(fit_to_field(d("0.5"), 3, 3, Rounding::Refuse).is_ok());
}

#[test]
fn formatting_writes_each_locale() {
    for (locale, grouped, expected) in [
        (English, true, "-1,234,567.50"),
        (English, false, "-1234567.50"),
        (German, true, "-1.234.567,50"),
        (French, true, "-1\u{202F}234\u{202F}567,50"),
        (Swiss, true, "-1'234'567.50"),
    ] {
        assert_eq!(locale.format(d("-1234567.5"), 2, grouped), expected);
    }
    assert_eq!(English.format(d("999"), 0, true), "999");
    assert_eq!(English.format(d("0.125"), 2, true), "0.125");
}
