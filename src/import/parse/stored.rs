//! What Salesforce will store for a parsed value and what the person will see in it, side by
//! side, so a shifted day shows up in the preview instead of in production.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// A value as it goes over the API and as it reads on a record page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsStored {
    /// The exact text sent to Salesforce.
    pub api_value: String,
    /// What the person sees, with the month spelled out so no day/month order can mislead.
    pub shown: String,
}

/// A date field holds a calendar day with no time zone: it is sent as the day itself and reads
/// the same everywhere. (Sending midnight in some zone instead is how a day gets lost.)
pub fn date_as_stored(date: NaiveDate) -> AsStored {
    AsStored {
        api_value: date.format("%Y-%m-%d").to_string(),
        shown: date.format("%a %-d %b %Y").to_string(),
    }
}

/// A date/time field holds an instant, sent in UTC and shown in the viewer's zone (`viewer` is
/// the offset of the Salesforce user's time zone at that moment).
pub fn datetime_as_stored(moment: DateTime<FixedOffset>, viewer: FixedOffset) -> AsStored {
    let local = moment.with_timezone(&viewer);
    AsStored {
        api_value: moment
            .with_timezone(&Utc)
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string(),
        shown: format!(
            "{} {}",
            local.format("%a %-d %b %Y %H:%M"),
            zone_label(viewer)
        ),
    }
}

/// `UTC`, `UTC+02:00`, `UTC−05:30`.
pub fn zone_label(offset: FixedOffset) -> String {
    let seconds = offset.local_minus_utc();
    if seconds == 0 {
        return "UTC".to_string();
    }
    let sign = if seconds < 0 { '\u{2212}' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}
