//! API usage per org as `Sforce-Limit-Info: api-usage=18/15000` reports it on each answer.

use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    pub used: u64,
    pub max: u64,
}

impl ApiUsage {
    /// Reads `api-usage=USED/MAX` out of the header's comma-separated entries.
    pub fn parse(header: &str) -> Option<Self> {
        header.split(',').find_map(|entry| {
            let (key, value) = entry.trim().split_once('=')?;
            if key.trim() != "api-usage" {
                return None;
            }
            let (used, max) = value.trim().split_once('/')?;
            Some(Self {
                used: used.trim().parse().ok()?,
                max: max.trim().parse().ok()?,
            })
        })
    }

    pub fn remaining(&self) -> u64 {
        self.max.saturating_sub(self.used)
    }
}

#[derive(Debug, Default)]
pub struct UsageTracker(Mutex<Option<ApiUsage>>);

impl UsageTracker {
    pub fn observe(&self, header: Option<&str>) {
        if let Some(usage) = header.and_then(ApiUsage::parse) {
            *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(usage);
        }
    }

    pub fn observe_usage(&self, usage: Option<ApiUsage>) {
        if let Some(usage) = usage {
            *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(usage);
        }
    }

    pub fn latest(&self) -> Option<ApiUsage> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_header() {
        let cases = [
            ("api-usage=18/15000", Some((18, 15000))),
            (
                "per-app-api-usage=1/2(appName=x), api-usage=7/100",
                Some((7, 100)),
            ),
            ("api-usage=x/100", None),
            ("", None),
        ];
        for (header, expected) in cases {
            let got = ApiUsage::parse(header).map(|u| (u.used, u.max));
            assert_eq!(got, expected, "{header}");
        }
    }
}
