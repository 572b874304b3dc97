//! Why a cell could not be read, said so that a person knows what to fix.

/// A cell that does not fit the rules the user picked. Every message names the value, says what
/// was expected and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The value has the right shape but names a day that does not exist.
    #[error("`{value}` is not a date: {reason}")]
    ImpossibleDate { value: String, reason: String },
    /// The value is not written the way the chosen date format writes dates.
    #[error("`{value}` does not fit the {format} date format (like {example}): {reason}; {advice}")]
    DateFormat {
        value: String,
        format: String,
        example: String,
        reason: String,
        advice: String,
    },
    /// Two of the chosen formats read the value as different days.
    #[error("`{value}` is ambiguous: it reads as {readings}; keep one of these date formats")]
    AmbiguousDate { value: String, readings: String },
    /// The value is not written the way the chosen number format writes numbers.
    #[error(
        "`{value}` does not fit the {locale} number format (like {example}): {reason}; {advice}"
    )]
    NumberFormat {
        value: String,
        locale: String,
        example: String,
        reason: String,
        advice: String,
    },
    /// Rounding to the field's decimal places would change the value.
    #[error(
        "`{value}` has more decimal places than the field keeps ({scale}); it would be stored as {rounded}. Round it in the file, or allow rounding"
    )]
    PrecisionLost {
        value: String,
        scale: u32,
        rounded: String,
    },
    /// The value has more digits before the decimal point than the field allows.
    #[error(
        "`{value}` is too large for the field: it keeps {digits} digits before the decimal point. Check the column is mapped to the right field"
    )]
    TooLarge { value: String, digits: u32 },
    /// Not one of the words a checkbox understands.
    #[error(
        "`{value}` is not a yes/no value: expected one of {accepted}; fix the cell or map its values"
    )]
    NotABoolean { value: String, accepted: String },
    /// A blank cell where the user said blanks are not allowed.
    #[error(
        "the cell is blank, and blanks are refused for this column; fill it in or choose what blank means"
    )]
    Blank,
}
