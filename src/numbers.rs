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
