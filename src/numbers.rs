//! Numbers as people read them, in the window and on the command line alike.

/// `1234567` as `1,234,567`.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 run", "2 runs", "1,204 records": a count with its noun in the right number. `noun` is
/// the singular; the plural adds an "s" (every noun the window counts takes one).
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", group_thousands(n))
    }
}

/// A number field's value as a list shows it: thousands grouped, a currency with its two
/// decimals, a percent with its sign; whole numbers without a trailing ".0". Text that is not a
/// number, and other types, come back as they are.
pub fn field_value(describe_type: &str, raw: &str) -> String {
    let numeric = matches!(
        describe_type,
        "currency" | "double" | "int" | "long" | "percent"
    );
    let Some(n) = numeric.then(|| raw.trim().parse::<f64>().ok()).flatten() else {
        return raw.to_string();
    };
    if !n.is_finite() {
        return raw.to_string();
    }
    let decimals = match describe_type {
        "currency" => 2,
        _ if n.fract() == 0.0 => 0,
        _ => raw
            .split_once('.')
            .map_or(0, |(_, fraction)| fraction.trim_end_matches('0').len()),
    };
    let fixed = format!("{:.*}", decimals, n.abs());
    let (whole, fraction) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let grouped = match whole.parse::<u64>() {
        Ok(whole) => group_thousands(whole),
        Err(_) => whole.to_string(),
    };
    let sign = if n < 0.0 { "-" } else { "" };
    let fraction = if fraction.is_empty() {
        String::new()
    } else {
        format!(".{fraction}")
    };
    let percent = if describe_type == "percent" { "%" } else { "" };
    format!("{sign}{grouped}{fraction}{percent}")
}

#[cfg(test)]
mod field_value_tests {
    use super::field_value;

    #[test]
    fn numbers_read_as_a_list_shows_them() {
        for (describe_type, raw, shown) in [
            ("currency", "16350.0", "16,350.00"),
            ("currency", "0.5", "0.50"),
            ("currency", "-1234.567", "-1,234.57"),
            ("double", "1500.0", "1,500"),
            ("double", "3.25", "3.25"),
            ("int", "1200000", "1,200,000"),
            ("percent", "12.5", "12.5%"),
            ("percent", "40.0", "40%"),
            ("currency", "", ""),
            ("currency", "n/a", "n/a"),
            ("string", "16350.0", "16350.0"),
            ("date", "2025-01-31", "2025-01-31"),
        ] {
            assert_eq!(
                field_value(describe_type, raw),
                shown,
                "{describe_type} {raw}"
            );
        }
    }
}

#[cfg(test)]
mod count_tests {
    use super::count;

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1, "run"), "1 run");
        assert_eq!(count(0, "conflict"), "0 conflicts");
        assert_eq!(count(1_204, "record"), "1,204 records");
    }
}
