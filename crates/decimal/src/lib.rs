//! An exact decimal number, so that `1200.50` stays `1200.50` on its way to Salesforce instead of
//! passing through binary floating point.

use std::fmt;

/// More significant digits than this are refused: far above Salesforce's 18, far below what
/// `i128` holds, so arithmetic here never overflows.
pub const MAX_DIGITS: u32 = 30;

/// `units × 10^-scale`, kept without trailing zeros so that equal values compare equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    units: i128,
    scale: u32,
}

/// What happened when a value was fitted to a field's decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rescaled {
    pub value: Decimal,
    /// False when rounding changed the value.
    pub exact: bool,
}

impl Decimal {
    pub const ZERO: Decimal = Decimal { units: 0, scale: 0 };

    /// `units × 10^-scale`; `None` past [`MAX_DIGITS`] digits.
    pub fn new(units: i128, scale: u32) -> Option<Self> {
        if scale > MAX_DIGITS || digit_count(units) > MAX_DIGITS {
            return None;
        }
        Some(Self { units, scale }.normalized())
    }

    /// Reads plain digits with an optional sign and one `.`, the form [`Decimal`] displays.
    pub fn from_plain(text: &str) -> Option<Self> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = rest.split_once('.').unwrap_or((rest, ""));
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        let digits = || whole.chars().chain(fraction.chars());
        if !digits().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let significant = digits().skip_while(|c| *c == '0').count();
        if significant > MAX_DIGITS as usize || fraction.len() > MAX_DIGITS as usize {
            return None;
        }
        let mut units: i128 = 0;
        for c in digits() {
            units = units * 10 + i128::from(c.to_digit(10)?);
        }
        Self::new(if negative { -units } else { units }, fraction.len() as u32)
    }

    pub fn units(self) -> i128 {
        self.units
    }

    /// Digits after the decimal point, trailing zeros excluded.
    pub fn scale(self) -> u32 {
        self.scale
    }

    pub fn is_negative(self) -> bool {
        self.units < 0
    }

    pub fn negate(self) -> Self {
        Self {
            units: -self.units,
            scale: self.scale,
        }
    }

    /// Digits before the decimal point, leading zeros excluded: 0 for `0.5`.
    pub fn whole_digits(self) -> u32 {
        let whole = self.units.unsigned_abs() / 10u128.pow(self.scale);
        if whole == 0 { 0 } else { whole.ilog10() + 1 }
    }

    /// The value divided by 100, exactly: `12.5` → `0.125`.
    pub fn percent_to_fraction(self) -> Self {
        Self {
            units: self.units,
            scale: self.scale + 2,
        }
        .normalized()
    }

    /// Rounds half away from zero to `scale` decimal places, the way Salesforce rounds.
    pub fn rescale(self, scale: u32) -> Rescaled {
        if self.scale <= scale {
            return Rescaled {
                value: self,
                exact: true,
            };
        }
        let divisor = 10i128.pow(self.scale - scale);
        let quotient = self.units / divisor;
        let remainder = self.units % divisor;
        let rounded = if remainder.abs() * 2 >= divisor {
            quotient + self.units.signum()
        } else {
            quotient
        };
        Rescaled {
            value: Self {
                units: rounded,
                scale,
            }
            .normalized(),
            exact: remainder == 0,
        }
    }

    /// The nearest binary float, for callers that must hand one on.
    pub fn to_f64(self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    fn normalized(mut self) -> Self {
        while self.scale > 0 && self.units % 10 == 0 {
            self.units /= 10;
            self.scale -= 1;
        }
        if self.units == 0 {
            self.scale = 0;
        }
        self
    }
}

/// A number as written (`1.50`, `-7`, `1e3`, ` 12 `) as an exact decimal.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let text = text.strip_prefix('+').unwrap_or(text);
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let plain = Decimal::from_plain(mantissa)?;
    if exponent >= 0 {
        let shift = u32::try_from(exponent).ok()?;
        if shift > plain.scale() {
            let factor = 10i128.checked_pow(shift - plain.scale())?;
            Decimal::new(plain.units().checked_mul(factor)?, 0)
        } else {
            Decimal::new(plain.units(), plain.scale() - shift)
        }
    } else {
        Decimal::new(
            plain.units(),
            plain.scale().checked_add(exponent.unsigned_abs())?,
        )
    }
}

impl fmt::Display for Decimal {
    /// Plain digits with `.` as the decimal point: the form the Salesforce API takes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.units.unsigned_abs().to_string();
        let sign = if self.units < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

fn digit_count(units: i128) -> u32 {
    units.unsigned_abs().checked_ilog10().map_or(1, |d| d + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::from_plain(text).expect("a plain decimal")
    }

    #[test]
    fn plain_text_round_trips_without_trailing_zeros() {
        for (text, shown) in [
            ("1200.50", "1200.5"),
            ("-500", "-500"),
            ("0.125", "0.125"),
            ("000.0100", "0.01"),
            ("-0.0", "0"),
            (".5", "0.5"),
            ("7.", "7"),
        ] {
            assert_eq!(d(text).to_string(), shown, "{text}");
        }
    }

    #[test]
    fn plain_text_refuses_what_is_not_a_number() {
        for text in ["", "-", ".", "1.2.3", "1e5", "12a", "+-1", &"9".repeat(31)] {
            assert_eq!(Decimal::from_plain(text), None, "{text}");
        }
    }

    #[test]
    fn rescaling_rounds_half_away_from_zero_and_says_if_exact() {
        for (value, scale, shown, exact) in [
            ("1.005", 2, "1.01", false),
            ("-1.005", 2, "-1.01", false),
            ("1.004", 2, "1", false),
            ("1.5", 0, "2", false),
            ("2.25", 2, "2.25", true),
            ("2.2500", 1, "2.3", false),
            ("12", 0, "12", true),
        ] {
            let rescaled = d(value).rescale(scale);
            assert_eq!(rescaled.value.to_string(), shown, "{value} to {scale}");
            assert_eq!(rescaled.exact, exact, "{value} to {scale}");
        }
    }

    #[test]
    fn percent_to_fraction_is_exact_and_digits_are_counted() {
        assert_eq!(d("12.5").percent_to_fraction(), d("0.125"));
        assert_eq!(d("100").percent_to_fraction(), d("1"));
        assert_eq!(d("1200.5").whole_digits(), 4);
        assert_eq!(d("0.5").whole_digits(), 0);
        assert_eq!(d("-99").whole_digits(), 2);
    }
}
