//! The demo data's history: two years of deals closing won or lost with open ones ahead,
//! spread over a sales team, and leads that came in over those years from their sources,
//! some converted. What analytics charts read, so its shape follows how sales teams look:
//! deal sizes skewed (many small, a few large), win rates that differ by rep and source and
//! improve over time, and conversion rates that differ by lead source.

use chrono::{Duration, NaiveDateTime, NaiveTime};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Map, Value, json};

use super::records::{ANCHOR, STAGES};

/// The sales team besides the org's own user (owner 0): first name, last name, how much
/// better or worse than average each closes.
pub const SALES_REPS: [(&str, &str, f64); 4] = [
    ("Maria", "Santos", 0.10),
    ("Devon", "Clarke", 0.0),
    ("Priya", "Raman", 0.05),
    ("Tom", "Becker", -0.08),
];

/// Owners deals and leads are spread over: the org's own user and the reps.
pub const OWNERS: usize = SALES_REPS.len() + 1;

/// Opportunity record types (ids fixed as a real org's are once created).
pub const NEW_BUSINESS_RECORD_TYPE_ID: &str = "0125g000001NBzQAAW";
pub const RENEWAL_RECORD_TYPE_ID: &str = "0125g000001RnwLAAS";

/// How far back the history goes, and how far ahead open deals close, in days.
const HISTORY_DAYS: i64 = 730;
const PIPELINE_DAYS: i64 = 180;

/// The open stages, earlier ones more common (deals drop out as they advance).
const OPEN_STAGE_WEIGHTS: [u32; 8] = [18, 16, 14, 12, 10, 8, 12, 10];

/// A deal drawn from the model; the caller adds its account's name and product.
pub struct Deal {
    pub stage: &'static str,
    pub close_days: i64,
    pub amount: f64,
    pub owner: usize,
    pub renewal: bool,
    pub source: &'static str,
}

const DEAL_SOURCES: [(&str, f64); 4] = [
    ("Web", 0.0),
    ("Phone Inquiry", 0.03),
    ("Partner Referral", 0.12),
    ("Purchased List", -0.12),
];

pub fn deal(rng: &mut StdRng) -> Deal {
    let owner = rng.random_range(0..OWNERS);
    let renewal = rng.random_bool(0.3);
    let (source, source_lift) = DEAL_SOURCES[rng.random_range(0..DEAL_SOURCES.len())];
    let close_days = rng.random_range(-HISTORY_DAYS..=PIPELINE_DAYS);
    let amount = deal_amount(rng, renewal);
    let stage = if close_days < 0 {
        let rep_lift = owner
            .checked_sub(1)
            .and_then(|r| SALES_REPS.get(r))
            .map_or(0.0, |r| r.2);
        // Win rates rise by about ten points over the two years.
        let recency = 0.1 * (1.0 + close_days as f64 / HISTORY_DAYS as f64);
        let renewal_lift = if renewal { 0.2 } else { 0.0 };
        let chance = (0.3 + rep_lift + source_lift + recency + renewal_lift).clamp(0.05, 0.95);
        if rng.random_bool(chance) {
            "Closed Won"
        } else {
            "Closed Lost"
        }
    } else {
        STAGES[weighted(rng, &OPEN_STAGE_WEIGHTS)]
    };
    Deal {
        stage,
        close_days: if close_days == 0 { 1 } else { close_days },
        amount,
        owner,
        renewal,
        source,
    }
}

/// Log-normal around $30,000 (renewals around $12,000), rounded to $50: most deals are
/// small, a few are ten times the median.
fn deal_amount(rng: &mut StdRng, renewal: bool) -> f64 {
    let median: f64 = if renewal { 12_000.0 } else { 30_000.0 };
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random();
    let normal = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    let amount = (median.ln() + 0.9 * normal).exp().clamp(1_500.0, 950_000.0);
    (amount / 50.0).round() * 50.0
}

fn weighted(rng: &mut StdRng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut draw = rng.random_range(0..total.max(1));
    for (index, weight) in weights.iter().enumerate() {
        if draw < *weight {
            return index;
        }
        draw -= weight;
    }
    0
}

/// What happened to a lead after it came in; fields the org sets itself (its creation date,
/// as an import with "Set Audit Fields" keeps it, and a conversion's fields).
pub struct LeadHistory {
    pub owner: usize,
    pub created: String,
    /// Set when the lead was closed without converting.
    pub closed_status: Option<&'static str>,
    /// The day of the conversion and the account (by position) it converted into.
    pub converted: Option<(String, usize)>,
}

const LEAD_CONVERSION: [(&str, f64); 5] = [
    ("Web", 0.18),
    ("Phone Inquiry", 0.25),
    ("Partner Referral", 0.4),
    ("Purchased List", 0.05),
    ("Other", 0.12),
];

pub fn lead_history(rng: &mut StdRng, source: &str, accounts: usize) -> LeadHistory {
    let owner = rng.random_range(0..OWNERS);
    let created_days = rng.random_range(-HISTORY_DAYS..=0);
    let created_minute = rng.random_range(8 * 60..18 * 60);
    let conversion = LEAD_CONVERSION
        .iter()
        .find(|(s, _)| *s == source)
        .map_or(0.1, |(_, p)| *p);
    let age = -created_days;
    let converts = age > 14 && rng.random_bool(conversion);
    let converted = converts.then(|| {
        let after = rng.random_range(3..=60).min(age);
        let account = rng.random_range(0..accounts.max(1));
        (day(created_days + after), account)
    });
    let closed_status =
        (!converts && age > 120 && rng.random_bool(0.55)).then_some("Closed - Not Converted");
    let start = NaiveDateTime::new(ANCHOR, NaiveTime::MIN);
    let created = (start + Duration::days(created_days) + Duration::minutes(created_minute))
        .format("%Y-%m-%dT%H:%M:%S.000+0000")
        .to_string();
    LeadHistory {
        owner,
        created,
        closed_status,
        converted,
    }
}

fn day(days_from_anchor: i64) -> String {
    (ANCHOR + Duration::days(days_from_anchor))
        .format("%Y-%m-%d")
        .to_string()
}

/// The User records of the reps, as a client would create them.
pub fn rep_users() -> impl Iterator<Item = Map<String, Value>> {
    SALES_REPS.iter().map(|(first, last, _)| {
        let alias: String = first.chars().take(1).chain(last.chars().take(4)).collect();
        let username = format!(
            "{}.{}@sales.tether-demo.example.com",
            first.to_lowercase(),
            last.to_lowercase()
        );
        match json!({
            "Username": username,
            "Email": username,
            "FirstName": first,
            "LastName": last,
            "Alias": alias.to_lowercase(),
            "IsActive": true,
        }) {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    })
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn deals_close_won_or_lost_before_today_and_stay_open_after_it() {
        let mut rng = StdRng::seed_from_u64(7);
        let deals: Vec<Deal> = (0..2_000).map(|_| deal(&mut rng)).collect();
        for d in &deals {
            assert_eq!(
                d.close_days < 0,
                d.stage.starts_with("Closed"),
                "{}",
                d.stage
            );
            assert!((-HISTORY_DAYS..=PIPELINE_DAYS).contains(&d.close_days));
            assert!((1_500.0..=950_000.0).contains(&d.amount));
            assert!(d.owner < OWNERS);
        }
        let mut amounts: Vec<f64> = deals.iter().map(|d| d.amount).collect();
        amounts.sort_by(f64::total_cmp);
        let median = amounts[amounts.len() / 2];
        let top = amounts[amounts.len() * 95 / 100];
        assert!(
            top > 4.0 * median,
            "a few deals are much larger: {median} vs {top}"
        );
        let rate = |old: bool| {
            let closed: Vec<&Deal> = deals
                .iter()
                .filter(|d| d.close_days < 0 && (d.close_days < -HISTORY_DAYS / 2) == old)
                .collect();
            closed.iter().filter(|d| d.stage == "Closed Won").count() as f64 / closed.len() as f64
        };
        assert!(rate(false) > rate(true), "win rates improve over time");
    }

    #[test]
    fn leads_convert_after_they_came_in_at_rates_that_differ_by_source() {
        let mut rng = StdRng::seed_from_u64(11);
        let rate = |rng: &mut StdRng, source: &str| {
            let converted = (0..2_000)
                .map(|_| lead_history(rng, source, 50))
                .filter(|h| {
                    h.converted.as_ref().is_some_and(|(day, account)| {
                        assert!(*account < 50);
                        assert!(day.as_str() >= &h.created[..10] && day.as_str() <= "2025-06-02");
                        true
                    })
                })
                .count();
            converted as f64 / 2_000.0
        };
        assert!(rate(&mut rng, "Partner Referral") > 2.0 * rate(&mut rng, "Purchased List"));
    }
}
