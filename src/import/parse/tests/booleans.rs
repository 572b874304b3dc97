use crate::import::parse::*;

#[test]
fn checkbox_words_in_any_case() {
    for (text, expected) in [
        ("yes", true),
        ("YES", true),
        (" Y ", true),
        ("true", true),
        ("TRUE", true),
        ("x", true),
        ("X", true),
        ("1", true),
        ("on", true),
        ("✓", true),
        ("no", false),
        ("N", false),
        ("False", false),
        ("0", false),
        ("Off", false),
    ] {
        assert_eq!(
            parse_boolean(text, BlankMeans::Refuse),
            Ok(Some(expected)),
            "{text}"
        );
    }
}

#[test]
fn blank_means_what_the_user_says() {
    for (blank, expected) in [
        (BlankMeans::False, Ok(Some(false))),
        (BlankMeans::True, Ok(Some(true))),
        (BlankMeans::NoValue, Ok(None)),
        (BlankMeans::Refuse, Err(ParseError::Blank)),
    ] {
        assert_eq!(parse_boolean("  ", blank), expected, "{blank:?}");
    }
}

#[test]
fn other_words_are_refused_by_name() {
    for text in ["maybe", "2", "yes!", "-"] {
        let error = parse_boolean(text, BlankMeans::False).expect_err(text);
        assert_eq!(
            error.to_string(),
            format!(
                "`{text}` is not a yes/no value: expected one of yes/no, y/n, true/false, x/blank, 1/0 or on/off; fix the cell or map its values"
            )
        );
    }
}
