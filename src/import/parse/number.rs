//! Numbers, currency amounts and percentages as people write them in each locale.

use super::error::ParseError;
use tether_decimal::{Decimal, MAX_DIGITS, Rescaled};

/// How a column writes its numbers: which character is the decimal separator and which group
/// thousands. Grouping is optional: `1200.50` fits English as well as `1,200.50`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberLocale {
    /// `1,200.50`
    English,
    /// `1.200,50`
    German,
    /// `1 200,50`, grouped by a narrow no-break space, a no-break space or a space.
    French,
    /// `1'200.50`, grouped by an apostrophe or a right single quote.
    Swiss,
}

/// Where a percentage goes. Salesforce percent fields store `12.5` for 12.5 %; other uses (a
/// probability in a number field, say) may want the fraction `0.125`. A value written without
/// `%` is taken as it is under either target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PercentTarget {
    /// `12.5%` → `12.5`, what a Salesforce percent field stores.
    Points,
    /// `12.5%` → `0.125`.
    Fraction,
}

/// What to do when a value has more decimal places than the field keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// Refuse the value: the user fixes the file.
    Refuse,
    /// Round half away from zero; [`Rescaled::exact`] tells the caller to report it.
    Round,
}

/// A number read from a cell, with what was written around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amount {
    /// The number as written, sign applied, before any percent conversion.
    pub value: Decimal,
    /// The currency symbol or ISO code written with it (`$`, `€`, `EUR`), if any.
    pub currency: Option<String>,
    /// True when written with `%`.
    pub percent: bool,
}

impl Amount {
    /// The value to store: a percentage converted for `target`, anything else as it is.
    pub fn value_for(&self, target: PercentTarget) -> Decimal {
        match (self.percent, target) {
            (true, PercentTarget::Fraction) => self.value.percent_to_fraction(),
            _ => self.value,
        }
    }
}

/// Currency symbols recognised before or after a number, longest first so `US$` wins over `$`.
const SYMBOLS: [&str; 11] = ["US$", "C$", "A$", "Fr.", "kr", "$", "€", "£", "¥", "₹", "₩"];

/// Minus signs people paste: ASCII hyphen, the Unicode minus and the en dash.
const MINUS: [char; 3] = ['-', '\u{2212}', '\u{2013}'];

impl NumberLocale {
    pub const ALL: [NumberLocale; 4] = [Self::English, Self::German, Self::French, Self::Swiss];

    pub fn name(self) -> &'static str {
        match self {
            Self::English => "English",
            Self::German => "German",
            Self::French => "French",
            Self::Swiss => "Swiss",
        }
    }

    pub fn decimal_separator(self) -> char {
        match self {
            Self::English | Self::Swiss => '.',
            Self::German | Self::French => ',',
        }
    }

    /// Every character accepted between groups of thousands; the first is the one written.
    pub fn grouping_separators(self) -> &'static [char] {
        match self {
            Self::English => &[','],
            Self::German => &['.'],
            Self::French => &['\u{202F}', '\u{00A0}', ' '],
            Self::Swiss => &['\'', '\u{2019}'],
        }
    }

    /// `1200.5` as this locale writes it, for examples and messages.
    pub fn example(self) -> String {
        Decimal::new(120050, 2).map_or_else(String::new, |d| self.format(d, 2, true))
    }

    /// Writes `value` the way this locale does, with at least `min_scale` decimal places and
    /// thousands grouped when `grouped`.
    pub fn format(self, value: Decimal, min_scale: u32, grouped: bool) -> String {
        let plain = value.to_string();
        let (sign, digits) = match plain.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", plain.as_str()),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let mut out = String::from(sign);
        for (i, c) in whole.chars().enumerate() {
            if grouped && i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(self.grouping_separators()[0]);
            }
            out.push(c);
        }
        let scale = (fraction.len() as u32).max(min_scale) as usize;
        if scale > 0 {
            out.push(self.decimal_separator());
            out.push_str(&format!("{fraction:0<scale$}"));
        }
        out
    }

    /// Reads a cell; a blank cell is `None`. Accepts a currency symbol or code before or after,
    /// `%` after, and a negative written `-500`, `500-` or `(500)`.
    pub fn parse(self, text: &str) -> Result<Option<Amount>, ParseError> {
        let value = text.trim();
        if value.is_empty() {
            return Ok(None);
        }
        self.read(value)
            .map(Some)
            .map_err(|reason| ParseError::NumberFormat {
                value: value.to_string(),
                locale: self.name().to_string(),
                example: self.example(),
                reason,
                advice: advice_for(self, value),
            })
    }

    fn read(self, value: &str) -> Result<Amount, String> {
        let mut core = value;
        let mut negative = false;
        let mut currency: Option<String> = None;
        let mut percent = false;
        if let Some(inner) = core.strip_prefix('(').and_then(|c| c.strip_suffix(')')) {
            negative = true;
            core = inner.trim();
        }
        // Affixes come in any order (`-$500`, `$-500`, `500 €-`): peel them until none is left.
        loop {
            let before = core;
            if let Some((symbol, rest)) = strip_currency(core) {
                if currency.replace(symbol).is_some() {
                    return Err("it names a currency twice".into());
                }
                core = rest.trim();
            }
            if let Some(rest) = core.strip_suffix('%') {
                if std::mem::replace(&mut percent, true) {
                    return Err("it has `%` twice".into());
                }
                core = rest.trim();
            }
            let sign = core
                .strip_prefix(MINUS)
                .or_else(|| core.strip_suffix(MINUS));
            if let Some(rest) = sign {
                if std::mem::replace(&mut negative, true) {
                    return Err("it has more than one minus sign".into());
                }
                core = rest.trim();
            } else if let Some(rest) = core.strip_prefix('+') {
                core = rest.trim();
            }
            if core == before {
                break;
            }
        }
        let number = self.read_digits(core)?;
        Ok(Amount {
            value: if negative { number.negate() } else { number },
            currency,
            percent,
        })
    }

    fn read_digits(self, core: &str) -> Result<Decimal, String> {
        let decimal = self.decimal_separator();
        let groups = self.grouping_separators();
        if let Some(c) = core
            .chars()
            .find(|c| !c.is_ascii_digit() && *c != decimal && !groups.contains(c))
        {
            return Err(format!("`{c}` is not part of a number here"));
        }
        let mut parts = core.split(decimal);
        let whole = parts.next().unwrap_or("");
        let fraction = parts.next().unwrap_or("");
        if parts.next().is_some() {
            return Err(format!(
                "it has more than one decimal separator `{decimal}`"
            ));
        }
        if fraction.contains(groups) {
            return Err(format!(
                "thousands are grouped with `{}`, which cannot come after the decimal separator `{decimal}`",
                groups[0]
            ));
        }
        if whole.is_empty() && fraction.is_empty() {
            return Err("it has no digits".into());
        }
        let mut digits = String::new();
        for (i, group) in whole.split(groups).enumerate() {
            let fits = if i == 0 {
                (1..=3).contains(&group.len()) || !whole.contains(groups)
            } else {
                group.len() == 3
            };
            if !fits {
                return Err(format!(
                    "thousands must come in groups of three digits between each `{}`",
                    groups[0]
                ));
            }
            digits.push_str(group);
        }
        if !fraction.is_empty() {
            digits.push('.');
            digits.push_str(fraction);
        }
        Decimal::from_plain(&digits).ok_or_else(|| format!("it has more than {MAX_DIGITS} digits"))
    }
}

/// Splits a currency symbol or a three-letter ISO code off either end.
fn strip_currency(text: &str) -> Option<(String, &str)> {
    for symbol in SYMBOLS {
        if let Some(rest) = text.strip_prefix(symbol) {
            return Some((symbol.to_string(), rest));
        }
        if let Some(rest) = text.strip_suffix(symbol) {
            return Some((symbol.to_string(), rest));
        }
    }
    let is_code = |code: &str| code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase());
    if let (Some(code), Some(rest)) = (text.get(..3), text.get(3..))
        && is_code(code)
    {
        return Some((code.to_string(), rest));
    }
    let split = text.len().checked_sub(3)?;
    if let (Some(rest), Some(code)) = (text.get(..split), text.get(split..))
        && is_code(code)
    {
        return Some((code.to_string(), rest));
    }
    None
}

/// Names the locales a misread value does fit, so the user knows which to pick.
fn advice_for(chosen: NumberLocale, value: &str) -> String {
    let fitting: Vec<&str> = NumberLocale::ALL
        .into_iter()
        .filter(|l| *l != chosen && l.read(value).is_ok())
        .map(NumberLocale::name)
        .collect();
    match fitting.as_slice() {
        [] => "fix the cell, or map the column to a text field".to_string(),
        [one] => format!("pick {one} in Number format"),
        many => format!("pick {} in Number format", many.join(" or ")),
    }
}

/// Fits `value` to a field with `precision` digits in all, `scale` of them after the point.
pub fn fit_to_field(
    value: Decimal,
    precision: u32,
    scale: u32,
    rounding: Rounding,
) -> Result<Rescaled, ParseError> {
    let rescaled = value.rescale(scale);
    if !rescaled.exact && rounding == Rounding::Refuse {
        return Err(ParseError::PrecisionLost {
            value: value.to_string(),
            scale,
            rounded: rescaled.value.to_string(),
        });
    }
    let digits = precision.saturating_sub(scale);
    if rescaled.value.whole_digits() > digits {
        return Err(ParseError::TooLarge {
            value: value.to_string(),
            digits,
        });
    }
    Ok(rescaled)
}
