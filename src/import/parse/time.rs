//! The time-of-day part of a date/time cell: `14:30`, `14:30:05.250`, `2:30 PM`, with an optional
//! offset (`Z`, `+02:00`, `-0530`).

use chrono::{FixedOffset, NaiveTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TimeOfDay {
    pub time: NaiveTime,
    pub offset: Option<FixedOffset>,
}

/// Reads a time; `iso` refuses the 12-hour clock, which ISO 8601 does not have.
pub(super) fn read_time(text: &str, iso: bool) -> Result<TimeOfDay, String> {
    let (clock, offset) = split_offset(text.trim())?;
    let (clock, meridiem) = split_meridiem(clock.trim());
    if iso && meridiem.is_some() {
        return Err("ISO 8601 times use the 24-hour clock".to_string());
    }
    let parts: Vec<&str> = clock.split(':').collect();
    let number = |s: &str, max_len: usize| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let shape = || "expected a time like 14:30 or 14:30:00".to_string();
    let (hour, minute) = match parts.as_slice() {
        [h, m] | [h, m, _] => (number(h, 2).ok_or_else(shape)?, m),
        _ => return Err(shape()),
    };
    let minute = if minute.len() == 2 {
        number(minute, 2)
    } else {
        None
    }
    .ok_or_else(shape)?;
    let (second, nanos) = match parts.get(2) {
        Some(s) => read_seconds(s).ok_or_else(shape)?,
        None => (0, 0),
    };
    let hour = match meridiem {
        Some(pm) if (1..=12).contains(&hour) => hour % 12 + if pm { 12 } else { 0 },
        Some(_) => return Err(format!("there is no hour {hour} on a 12-hour clock")),
        None => hour,
    };
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
        .filter(|_| second < 60)
        .ok_or_else(|| format!("{hour}:{minute:02}:{second:02} is not a time of day"))?;
    Ok(TimeOfDay { time, offset })
}

fn read_seconds(text: &str) -> Option<(u32, u32)> {
    let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() != 2 || !digits(whole) || !digits(fraction) || fraction.len() > 9 {
        return None;
    }
    let nanos = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse().ok()?
    };
    Some((whole.parse().ok()?, nanos))
}

/// `2:30 PM` → (`2:30`, Some(true)).
fn split_meridiem(text: &str) -> (&str, Option<bool>) {
    let upper = text.to_ascii_uppercase();
    for (suffix, pm) in [("PM", true), ("AM", false)] {
        if upper.ends_with(suffix) {
            let cut = text.len() - suffix.len();
            return (text[..cut].trim_end(), Some(pm));
        }
    }
    (text, None)
}

fn split_offset(text: &str) -> Result<(&str, Option<FixedOffset>), String> {
    if let Some(clock) = text.strip_suffix(['Z', 'z']) {
        return Ok((clock, FixedOffset::east_opt(0)));
    }
    let Some(at) = text.rfind(['+', '-']) else {
        return Ok((text, None));
    };
    let (clock, zone) = text.split_at(at);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
    let bad = || format!("`{zone}` is not a UTC offset like +02:00");
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return Err(bad());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i32 = digits
        .get(2..)
        .filter(|m| !m.is_empty())
        .map_or(Ok(0), str::parse)
        .map_err(|_| bad())?;
    if hours > 14 || minutes > 59 {
        return Err(bad());
    }
    let offset = FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(bad)?;
    Ok((clock.trim_end(), Some(offset)))
}
