use crate::import::parse::*;

const DMY: DateFormat = DateFormat::Ordered {
    order: DateOrder::DayMonthYear,
    separator: DateSeparator::Slash,
};
const MDY: DateFormat = DateFormat::Ordered {
    order: DateOrder::MonthDayYear,
    separator: DateSeparator::Slash,
};

fn fit<F: Candidate>(detection: &Detection<F>, format: F) -> &Fit<F> {
    detection
        .fits
        .iter()
        .find(|f| f.format == format)
        .expect("every candidate is reported")
}

#[test]
fn a_day_above_twelve_settles_day_and_month_order() {
    let detection = detect_date_format(&["03/04/2024", "13/04/2024"]);
    assert_eq!(detection.fitting_all(), vec![DMY]);
    assert_eq!(fit(&detection, MDY).fitting, 1);
    assert_eq!(
        fit(&detection, MDY).contradicted_by,
        vec!["13/04/2024".to_string()]
    );
    assert!(detection.ambiguous.is_empty());
    assert_eq!(detection.suggestion, Some(vec![DMY]));
}

#[test]
fn an_ambiguous_sample_asks_the_user_with_both_readings() {
    let detection = detect_date_format(&["03/04/2024", "05/06/2024", "03/04/2024"]);
    assert_eq!(detection.fitting_all(), vec![DMY, MDY]);
    assert_eq!(detection.suggestion, None);
    assert_eq!(detection.ambiguous.len(), 2, "each value once");
    assert_eq!(detection.ambiguous[0].value, "03/04/2024");
    assert_eq!(
        detection.ambiguous[0].readings,
        vec![
            (DMY, "Wed 3 Apr 2024".to_string()),
            (MDY, "Mon 4 Mar 2024".to_string())
        ]
    );
}

#[test]
fn days_that_read_the_same_either_way_are_not_ambiguous() {
    let detection = detect_date_format(&["01/01/2024", "12/12/2024"]);
    assert_eq!(detection.fitting_all(), vec![DMY, MDY]);
    assert!(detection.ambiguous.is_empty());
    assert_eq!(detection.suggestion, Some(vec![DMY]));
}

#[test]
fn a_mixed_column_is_covered_by_several_formats() {
    let detection = detect_date_format(&["03/04/2024", "13/04/2024", "2024-04-03", "45385", ""]);
    assert_eq!((detection.values, detection.blanks), (5, 1));
    assert!(detection.fitting_all().is_empty());
    assert_eq!(
        detection.suggestion,
        Some(vec![DMY, DateFormat::Iso8601, DateFormat::ExcelSerial])
    );
    assert_eq!(detection.unreadable, 0);
}

#[test]
fn values_no_format_reads_are_counted_not_fatal() {
    let detection = detect_date_format(&["03/04/2024", "31/02/2024", "soon"]);
    assert_eq!(detection.unreadable, 2);
    assert_eq!(detection.unreadable_examples, vec!["31/02/2024", "soon"]);
    assert_eq!(
        fit(&detection, DMY).contradictions,
        0,
        "nothing else reads them"
    );
}

#[test]
fn a_lone_thousands_group_is_ambiguous_between_locales() {
    let detection = detect_number_locale(&["1,200"]);
    use NumberLocale::*;
    assert_eq!(detection.fitting_all(), vec![English, German, French]);
    assert_eq!(detection.suggestion, None);
    assert_eq!(
        detection.ambiguous[0].readings,
        vec![
            (English, "1,200".to_string()),
            (German, "1.2".to_string()),
            (French, "1.2".to_string())
        ]
    );
}

#[test]
fn a_decimal_part_settles_the_locale() {
    let detection = detect_number_locale(&["1,200", "1,200.50", "", "(500)", "12.5%"]);
    assert_eq!(detection.suggestion, Some(vec![NumberLocale::English]));
    assert!(detection.ambiguous.is_empty());
    assert_eq!(fit(&detection, NumberLocale::German).contradictions, 2);
}

#[test]
fn a_column_mixing_locales_reports_what_each_locale_reads() {
    let detection = detect_number_locale(&["$1,200.50", "1.200,50 €", "(500)", ""]);
    assert_eq!(detection.suggestion, None);
    assert!(detection.fitting_all().is_empty());
    let english = fit(&detection, NumberLocale::English);
    assert_eq!(
        (english.fitting, english.contradicted_by.clone()),
        (2, vec!["1.200,50 €".to_string()])
    );
    let german = fit(&detection, NumberLocale::German);
    assert_eq!(
        (german.fitting, german.contradicted_by.clone()),
        (2, vec!["$1,200.50".to_string()])
    );
}

#[test]
fn an_empty_sample_suggests_nothing() {
    let empty: [&str; 0] = [];
    let detection = detect_date_format(&empty);
    assert_eq!(detection.suggestion, None);
    assert!(detection.fitting_all().is_empty());
    let blanks = detect_number_locale(&["", " "]);
    assert_eq!(
        (blanks.values, blanks.blanks, blanks.suggestion),
        (2, 2, None)
    );
}
