//! Generates the demo records as client bodies (what a client would POST), from a fixed-seed
//! PRNG and dates relative to a fixed anchor, so the same size always gives the same data.

use std::collections::VecDeque;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use super::pipeline;
use super::words::*;

const SEED: u64 = 0x007e_74e5_5eed;
/// Leads draw from their own stream, so that the accounts of a larger set begin with the
/// accounts of a smaller one.
const LEAD_SALT: u64 = 0x1ead;
/// Deals and the leads' history draw from streams of their own, so that their model can
/// change without moving accounts, contacts and the leads' own fields.
const DEAL_SALT: u64 = 0xdea1;
const HISTORY_SALT: u64 = 0x4157;

/// "Today" of the demo data: close dates, service dates and scoring times are relative to it.
pub const ANCHOR: NaiveDate = match NaiveDate::from_ymd_opt(2025, 6, 2) {
    Some(d) => d,
    None => panic!("the anchor date is a valid date"),
};

/// Every stage of the default sales process; opportunities cycle through them all.
pub const STAGES: [&str; 10] = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
];

/// A record to create; `account` is the position, among the accounts already produced, of
/// its parent account; `owner` the position among [`pipeline::OWNERS`] (0: the org's own
/// user). `later` holds what the org sets itself after the create (a lead's creation date as
/// an import keeps it, its conversion), and `converted_into` the account a lead converted into.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub object: &'static str,
    pub fields: Map<String, Value>,
    pub account: Option<usize>,
    pub owner: usize,
    pub later: Map<String, Value>,
    pub converted_into: Option<usize>,
}

/// Produces the demo records one at a time (a 100k set is never held in memory): each
/// account followed by its 2-4 contacts and 1-3 opportunities, then the leads. An account
/// averages 6 records with its children, and leads make up a quarter of the set.
pub struct Generator {
    rng: StdRng,
    lead_rng: StdRng,
    deal_rng: StdRng,
    history_rng: StdRng,
    account_count: usize,
    accounts_done: usize,
    opportunity_serial: usize,
    pending: VecDeque<Planned>,
    lead_scores: Vec<f64>,
    lead_ranks: Vec<usize>,
    leads_done: usize,
}

impl Generator {
    pub fn new(records: usize) -> Generator {
        let mut lead_rng = StdRng::seed_from_u64(SEED ^ LEAD_SALT);
        let lead_count = records / 4;
        let lead_scores: Vec<f64> = (0..lead_count)
            .map(|_| (lead_rng.random::<f64>() * 1e6).round() / 1e6)
            .collect();
        let lead_ranks = ranks(&lead_scores);
        Generator {
            rng: StdRng::seed_from_u64(SEED),
            lead_rng,
            deal_rng: StdRng::seed_from_u64(SEED ^ DEAL_SALT),
            history_rng: StdRng::seed_from_u64(SEED ^ HISTORY_SALT),
            account_count: (records / 8).max(1),
            accounts_done: 0,
            opportunity_serial: 0,
            pending: VecDeque::new(),
            lead_scores,
            lead_ranks,
            leads_done: 0,
        }
    }

    fn next_account(&mut self) -> Planned {
        let index = self.accounts_done;
        self.accounts_done += 1;
        let rng = &mut self.rng;
        let company = Company::draw(rng, index);
        let account = company.account(rng);
        let owner = index % pipeline::OWNERS;
        for n in 1..=rng.random_range(2..=4) {
            let fields = company.contact(rng, n);
            self.pending
                .push_back(Planned::new("Contact", fields, Some(index), owner));
        }
        for _ in 0..rng.random_range(1..=3) {
            self.opportunity_serial += 1;
            let (fields, deal_owner) =
                company.opportunity(&mut self.deal_rng, self.opportunity_serial);
            self.pending
                .push_back(Planned::new("Opportunity", fields, Some(index), deal_owner));
        }
        Planned::new("Account", account, None, owner)
    }
}

impl Iterator for Generator {
    type Item = Planned;

    fn next(&mut self) -> Option<Planned> {
        if let Some(child) = self.pending.pop_front() {
            return Some(child);
        }
        if self.accounts_done < self.account_count {
            return Some(self.next_account());
        }
        let index = self.leads_done;
        let score = *self.lead_scores.get(index)?;
        let rank = self.lead_ranks.get(index).copied().unwrap_or(index + 1);
        self.leads_done += 1;
        let mut fields = lead(&mut self.lead_rng, index, score, rank);
        let source = fields
            .get("LeadSource")
            .and_then(Value::as_str)
            .unwrap_or("Other")
            .to_string();
        let history = pipeline::lead_history(&mut self.history_rng, &source, self.account_count);
        let mut planned = Planned::new("Lead", Map::new(), None, history.owner);
        planned
            .later
            .insert("CreatedDate".into(), json!(history.created));
        if let Some(status) = history.closed_status {
            fields.insert("Status".into(), json!(status));
        }
        if let Some((day, account)) = history.converted {
            planned.later.insert("IsConverted".into(), json!(true));
            planned.later.insert("ConvertedDate".into(), json!(day));
            planned
                .later
                .insert("Status".into(), json!("Closed - Converted"));
            planned.converted_into = Some(account);
        }
        planned.fields = fields;
        Some(planned)
    }
}

impl Planned {
    fn new(
        object: &'static str,
        fields: Map<String, Value>,
        account: Option<usize>,
        owner: usize,
    ) -> Planned {
        Planned {
            object,
            fields,
            account,
            owner,
            later: Map::new(),
            converted_into: None,
        }
    }
}

/// The whole demo data set at once (tests; seeding streams from [`Generator`]).
#[cfg(test)]
pub fn plan(records: usize) -> Vec<Planned> {
    Generator::new(records).collect()
}

/// 1 for the highest score; ties keep their order.
fn ranks(scores: &[f64]) -> Vec<usize> {
    let mut by_score: Vec<usize> = (0..scores.len()).collect();
    by_score.sort_by(|a, b| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b)));
    let mut rank = vec![0usize; scores.len()];
    for (position, index) in by_score.into_iter().enumerate() {
        rank[index] = position + 1;
    }
    rank
}

fn date(days_from_anchor: i64) -> String {
    (ANCHOR + Duration::days(days_from_anchor))
        .format("%Y-%m-%d")
        .to_string()
}

fn datetime(minutes_from_anchor: i64) -> String {
    let start = NaiveDateTime::new(ANCHOR, NaiveTime::MIN);
    (start + Duration::minutes(minutes_from_anchor))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    // Every list in `words` is non-empty.
    items.choose(rng).unwrap_or(&items[0])
}

fn money(rng: &mut StdRng, low: f64, high: f64) -> f64 {
    (rng.random_range(low..high) * 100.0).round() / 100.0
}

fn phone(rng: &mut StdRng, area: &str) -> String {
    format!("({area}) 555-{:04}", rng.random_range(100..2000))
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

struct Company {
    name: String,
    external_id: String,
    domain: String,
    place: (&'static str, &'static str, &'static str, &'static str),
    street: String,
    postal_code: String,
}

impl Company {
    fn draw(rng: &mut StdRng, index: usize) -> Company {
        let stem = pick(rng, COMPANY_STEMS);
        let kind = pick(rng, COMPANY_KINDS);
        let suffix = pick(rng, COMPANY_SUFFIXES);
        let name = format!("{stem} {kind} {suffix}");
        let place = *pick(rng, PLACES);
        let street = format!(
            "{} {} {}",
            rng.random_range(10..9900),
            pick(rng, STREET_NAMES),
            pick(rng, STREET_KINDS)
        );
        let postal_code = format!("{}{:02}", place.2, rng.random_range(1..99));
        Company {
            domain: format!("{}-{}.example.com", slug(stem), index + 1),
            external_id: format!("ACME-{:04}", index + 1),
            name,
            place,
            street,
            postal_code,
        }
    }

    fn account(&self, rng: &mut StdRng) -> Map<String, Value> {
        let (city, state, _, area) = self.place;
        let health: f64 = (rng.random_range(5.0..99.0_f64) * 100.0).round() / 100.0;
        let trend = if health > 70.0 {
            "Growing"
        } else if health > 40.0 {
            "Stable"
        } else {
            "Declining"
        };
        let lifetime_value = money(rng, 2_000.0, 900_000.0);
        let segment = match (health, lifetime_value) {
            (h, _) if h < 20.0 => "Churning",
            (h, _) if h < 40.0 => "At Risk",
            (_, v) if v > 500_000.0 => "VIP",
            (_, v) if v > 150_000.0 => "High Value",
            _ => "Standard",
        };
        let employees = rng.random_range(3..5_000);
        // Read from values already drawn, so the seed's other values stay as they were.
        let interests: Vec<&str> = [
            ("Solar", employees % 2 == 0),
            ("Heat Pumps", health > 50.0),
            ("Batteries", lifetime_value > 300_000.0),
            ("Insulation", employees % 3 == 0),
        ]
        .into_iter()
        .filter_map(|(value, chosen)| chosen.then_some(value))
        .collect();
        let interests = (!interests.is_empty()).then(|| interests.join(";"));
        let fields = json!({
            "Name": self.name,
            "External_Id__c": self.external_id,
            "Type": pick(rng, &["Customer - Direct", "Customer - Channel", "Prospect", "Channel Partner / Reseller"]),
            "Industry": pick(rng, &["Construction", "Healthcare", "Hospitality", "Manufacturing", "Education", "Energy", "Food & Beverage", "Government", "Engineering", "Consulting"]),
            "Rating": pick(rng, &["Hot", "Warm", "Cold"]),
            "AccountSource": pick(rng, &["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"]),
            "Ownership": pick(rng, &["Private", "Public", "Subsidiary"]),
            "Phone": phone(rng, area),
            "Website": format!("https://www.{}", self.domain),
            "NumberOfEmployees": employees,
            "AnnualRevenue": (employees as f64 * rng.random_range(60_000.0..250_000.0)).round(),
            "BillingStreet": self.street,
            "BillingCity": city,
            "BillingState": state,
            "BillingPostalCode": self.postal_code,
            "BillingCountry": "United States",
            "ShippingStreet": self.street,
            "ShippingCity": city,
            "ShippingState": state,
            "ShippingPostalCode": self.postal_code,
            "ShippingCountry": "United States",
            "Health_Score__c": health,
            "Health_Trend__c": trend,
            "Customer_Segment__c": segment,
            "Interests__c": interests,
            "Lifetime_Value__c": lifetime_value,
            "Account_Balance__c": money(rng, -2_500.0, 25_000.0),
            "Description": format!("{} serves the {city} area.", self.name),
        });
        into_map(fields)
    }

    fn contact(&self, rng: &mut StdRng, n: usize) -> Map<String, Value> {
        let (city, state, _, area) = self.place;
        let first = pick(rng, FIRST_NAMES);
        let last = pick(rng, LAST_NAMES);
        let (title, department) = *pick(rng, TITLES);
        let total_jobs = rng.random_range(0..60);
        let first_service = -rng.random_range(200..2_500);
        let mut fields = json!({
            "FirstName": first,
            "LastName": last,
            "Salutation": pick(rng, &["Mr.", "Ms.", "Mrs.", "Dr."]),
            "Title": title,
            "Department": department,
            "Email": format!("{}.{}@{}", first.to_lowercase(), last.to_lowercase(), self.domain),
            "Phone": phone(rng, area),
            "MobilePhone": phone(rng, area),
            "MailingStreet": self.street,
            "MailingCity": city,
            "MailingState": state,
            "MailingPostalCode": self.postal_code,
            "MailingCountry": "United States",
            "LeadSource": pick(rng, &["Web", "Phone Inquiry", "Partner Referral", "Other"]),
            "Birthdate": date(-rng.random_range(8_000..22_000)),
            "External_Id__c": format!("{}-C{n}", self.external_id),
            "Active__c": rng.random_bool(0.9),
            "Do_Not_Service__c": rng.random_bool(0.03),
            "Total_Jobs__c": total_jobs,
            "Completed_Jobs__c": rng.random_range(0..=total_jobs),
        });
        if total_jobs > 0 {
            fields["First_Service_Date__c"] = json!(date(first_service));
            fields["Last_Service_Date__c"] =
                json!(date(first_service + rng.random_range(0..-first_service)));
        }
        into_map(fields)
    }

    /// A deal of this company and its owner, drawn from the deals' own stream.
    fn opportunity(&self, rng: &mut StdRng, serial: usize) -> (Map<String, Value>, usize) {
        let deal = pipeline::deal(rng);
        let product = pick(rng, PRODUCTS);
        let (kind, record_type) = if deal.renewal {
            (
                *pick(
                    rng,
                    &[
                        "Existing Customer - Upgrade",
                        "Existing Customer - Replacement",
                    ],
                ),
                pipeline::RENEWAL_RECORD_TYPE_ID,
            )
        } else {
            ("New Customer", pipeline::NEW_BUSINESS_RECORD_TYPE_ID)
        };
        let mut fields = json!({
            "Name": format!("{} - {product}", self.name),
            "RecordTypeId": record_type,
            "StageName": deal.stage,
            "CloseDate": date(deal.close_days),
            "Amount": deal.amount,
            "Type": kind,
            "LeadSource": deal.source,
            "Legacy_Opportunity_Id__c": format!("OPP-{serial:06}"),
        });
        if !deal.stage.starts_with("Closed") {
            fields["NextStep"] = json!(pick(rng, NEXT_STEPS));
        }
        (into_map(fields), deal.owner)
    }
}

fn lead(rng: &mut StdRng, index: usize, score: f64, rank: usize) -> Map<String, Value> {
    let first = pick(rng, FIRST_NAMES);
    let last = pick(rng, LAST_NAMES);
    let (city, state, _, area) = *pick(rng, PLACES);
    let company = format!("{} {}", pick(rng, COMPANY_STEMS), pick(rng, COMPANY_KINDS));
    let tier = match score {
        s if s >= 0.8 => "A",
        s if s >= 0.6 => "B",
        s if s >= 0.3 => "C",
        _ => "D",
    };
    let (label, status) = match tier {
        "A" => ("Hot", "Working - Contacted"),
        "B" => ("Warm", "Working - Contacted"),
        "C" => ("Nurture", "Open - Not Contacted"),
        _ => ("Low", "Open - Not Contacted"),
    };
    let action = LEAD_ACTIONS
        .iter()
        .find(|(t, _)| *t == tier)
        .map(|(_, a)| *a)
        .unwrap_or("Review");
    let factors: Vec<&str> = SCORE_FACTORS.choose_multiple(rng, 3).copied().collect();
    let scored_at = -rng.random_range(60..20_000);
    let percentile = ((score * 100.0).floor()).min(99.0);
    let fields = json!({
        "FirstName": first,
        "LastName": last,
        "Company": company,
        "Title": pick(rng, TITLES).0,
        "Email": format!("{}.{}{}@{}.example.com", first.to_lowercase(), last.to_lowercase(), index + 1, slug(&company)),
        "Phone": phone(rng, area),
        "City": city,
        "State": state,
        "Country": "United States",
        "Status": status,
        "Industry": pick(rng, &["Construction", "Healthcare", "Hospitality", "Manufacturing", "Education", "Energy"]),
        "Rating": match tier { "A" => "Hot", "B" => "Warm", _ => "Cold" },
        "LeadSource": pick(rng, &["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"]),
        "NumberOfEmployees": rng.random_range(2..800),
        "External_Id__c": format!("LEAD-{:05}", index + 1),
        "Lead_Score_Tier__c": format!("{tier} - {label}"),
        "Lead_Tier_Display__c": format!("Tier {tier} ({label}), top {}%", 100 - percentile as u32),
        "Expected_Conversion__c": format!("{:.1}%", score * 42.0),
        "Expected_Lift__c": format!("{:.1}x", 0.5 + score * 2.5),
        "Lead_Priority_Rank__c": rank,
        "Lead_Action__c": action,
        "Lead_Score_Explanation__c": format!("Score {score:.3}: {}.", factors.join("; ")),
        "Lead_Model_Version__c": "lead-score-3.2",
        "Lead_Scored_At__c": datetime(scored_at),
        "V4_Score__c": score,
        "V4_Score_Percentile__c": percentile,
        "V4_Deprioritize__c": score < 0.15,
        "V4_Model_Version__c": "v4.1.0",
        "V4_Scored_At__c": datetime(scored_at + 30),
    });
    into_map(fields)
}

fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
