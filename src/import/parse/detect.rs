//! Which formats a column sample fits, and which values would read differently under them, so
//! the user is asked instead of a format being guessed.

use chrono::FixedOffset;

use super::date::{DateFormat, Misfit, Reading};
use super::number::{Amount, NumberLocale};
use super::stored;

/// How many example values a report keeps; the counts stay exact.
const EXAMPLES: usize = 10;

/// One value checked against one format.
#[derive(Debug, Clone, PartialEq)]
pub enum Check<R> {
    Fits(R),
    /// Does not fit. `contradicts` says the value has the format's shape but impossible
    /// content (`13/04/2024` as month first), which counts against the format when another
    /// format does read it.
    Misfit {
        contradicts: bool,
    },
}

/// Something a column can be written in: a date format or a number locale.
pub trait Candidate: Copy + PartialEq {
    type Reading: PartialEq + Clone;
    fn check(self, value: &str) -> Check<Self::Reading>;
    /// The reading as the user will see it once stored, to put competing readings side by side.
    fn show(reading: &Self::Reading) -> String;
}

/// How one format fared over the sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit<F> {
    pub format: F,
    /// Non-blank values it reads.
    pub fitting: usize,
    /// Values it cannot read but another format can, some of them in `contradicted_by`.
    pub contradictions: usize,
    pub contradicted_by: Vec<String>,
}

/// A value that formats still in the running read differently.
#[derive(Debug, Clone, PartialEq)]
pub struct Ambiguity<F> {
    pub value: String,
    pub readings: Vec<(F, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Detection<F> {
    pub values: usize,
    pub blanks: usize,
    /// Every candidate, in the order given.
    pub fits: Vec<Fit<F>>,
    /// Values that the formats nothing contradicts read differently: the user must choose.
    pub ambiguous: Vec<Ambiguity<F>>,
    /// Values no format nothing contradicts can read (they will be reported row by row).
    pub unreadable: usize,
    pub unreadable_examples: Vec<String>,
    /// The formats that together read the column, when the sample leaves no doubt; `None` when
    /// the user has to choose.
    pub suggestion: Option<Vec<F>>,
}

impl<F: Candidate> Detection<F> {
    /// Formats that read every non-blank value in the sample.
    pub fn fitting_all(&self) -> Vec<F> {
        self.fits
            .iter()
            .filter(|f| f.fitting == self.values - self.blanks && self.values > self.blanks)
            .map(|f| f.format)
            .collect()
    }
}

/// Checks every non-blank value of `sample` against every candidate.
pub fn detect<F: Candidate, S: AsRef<str>>(candidates: &[F], sample: &[S]) -> Detection<F> {
    let values: Vec<&str> = sample.iter().map(|s| s.as_ref().trim()).collect();
    let blanks = values.iter().filter(|v| v.is_empty()).count();
    let filled: Vec<&str> = values.iter().copied().filter(|v| !v.is_empty()).collect();
    let checks: Vec<Vec<Check<F::Reading>>> = filled
        .iter()
        .map(|v| candidates.iter().map(|c| c.check(v)).collect())
        .collect();
    let fits: Vec<Fit<F>> = candidates
        .iter()
        .enumerate()
        .map(|(i, format)| {
            let mut fit = Fit {
                format: *format,
                fitting: 0,
                contradictions: 0,
                contradicted_by: Vec::new(),
            };
            for (value, row) in filled.iter().zip(&checks) {
                match &row[i] {
                    Check::Fits(_) => fit.fitting += 1,
                    Check::Misfit { contradicts: true }
                        if row.iter().any(|c| matches!(c, Check::Fits(_))) =>
                    {
                        fit.contradictions += 1;
                        push_example(&mut fit.contradicted_by, value);
                    }
                    Check::Misfit { .. } => {}
                }
            }
            fit
        })
        .collect();
    let viable: Vec<usize> = (0..candidates.len())
        .filter(|&i| fits[i].fitting > 0 && fits[i].contradictions == 0)
        .collect();
    let mut ambiguous: Vec<Ambiguity<F>> = Vec::new();
    let mut unreadable = 0;
    let mut unreadable_examples = Vec::new();
    for (value, row) in filled.iter().zip(&checks) {
        let readings: Vec<(F, &F::Reading)> = viable
            .iter()
            .filter_map(|&i| match &row[i] {
                Check::Fits(r) => Some((candidates[i], r)),
                Check::Misfit { .. } => None,
            })
            .collect();
        if readings.is_empty() {
            unreadable += 1;
            push_example(&mut unreadable_examples, value);
        } else if readings.iter().any(|(_, r)| *r != readings[0].1)
            && ambiguous.len() < EXAMPLES
            && !ambiguous.iter().any(|a| a.value == *value)
        {
            ambiguous.push(Ambiguity {
                value: value.to_string(),
                readings: readings.iter().map(|(f, r)| (*f, F::show(r))).collect(),
            });
        }
    }
    let suggestion =
        (ambiguous.is_empty() && !viable.is_empty()).then(|| cover(&viable, &checks, candidates));
    Detection {
        values: values.len(),
        blanks,
        fits,
        ambiguous,
        unreadable,
        unreadable_examples,
        suggestion,
    }
}

/// The fewest viable formats, in candidate order, that read every value some viable format reads.
fn cover<F: Candidate, R>(viable: &[usize], checks: &[Vec<Check<R>>], candidates: &[F]) -> Vec<F> {
    let mut chosen: Vec<usize> = Vec::new();
    for &i in viable {
        let adds = checks.iter().any(|row| {
            matches!(row[i], Check::Fits(_))
                && !chosen.iter().any(|&c| matches!(row[c], Check::Fits(_)))
        });
        if adds {
            chosen.push(i);
        }
    }
    chosen.into_iter().map(|i| candidates[i]).collect()
}

fn push_example(examples: &mut Vec<String>, value: &str) {
    if examples.len() < EXAMPLES && !examples.iter().any(|e| e == value) {
        examples.push(value.to_string());
    }
}

impl Candidate for DateFormat {
    type Reading = Reading;

    fn check(self, value: &str) -> Check<Reading> {
        match self.read(value) {
            Ok(reading) => Check::Fits(reading),
            Err(Misfit::Shape(_)) => Check::Misfit { contradicts: false },
            Err(Misfit::NoMonth(_) | Misfit::NoDay { .. }) => Check::Misfit { contradicts: true },
        }
    }

    fn show(reading: &Reading) -> String {
        match (reading.time, reading.offset) {
            (None, _) => stored::date_as_stored(reading.date).shown,
            (Some(time), offset) => {
                let zone = offset.or_else(|| FixedOffset::east_opt(0));
                let moment =
                    zone.and_then(|z| reading.date.and_time(time).and_local_timezone(z).single());
                match moment {
                    Some(m) if offset.is_some() => {
                        stored::datetime_as_stored(m, m.offset().to_owned()).shown
                    }
                    _ => format!(
                        "{} {}",
                        stored::date_as_stored(reading.date).shown,
                        time.format("%H:%M")
                    ),
                }
            }
        }
    }
}

impl Candidate for NumberLocale {
    type Reading = Amount;

    fn check(self, value: &str) -> Check<Amount> {
        match self.parse(value) {
            Ok(Some(amount)) => Check::Fits(amount),
            _ => Check::Misfit { contradicts: true },
        }
    }

    fn show(amount: &Amount) -> String {
        let mut shown = NumberLocale::English.format(amount.value, 0, true);
        if amount.percent {
            shown.push('%');
        }
        shown
    }
}

/// [`detect`] over every date format.
pub fn detect_date_format<S: AsRef<str>>(sample: &[S]) -> Detection<DateFormat> {
    detect(&super::date::ALL_DATE_FORMATS, sample)
}

/// [`detect`] over every number locale.
pub fn detect_number_locale<S: AsRef<str>>(sample: &[S]) -> Detection<NumberLocale> {
    detect(&NumberLocale::ALL, sample)
}
