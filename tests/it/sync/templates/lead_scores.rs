//! Lead scores: formatted fields pushed onto existing Leads, recent scores only.

use super::*;

struct Score {
    tier: String,
    display: String,
    conversion: f64,
    lift: f64,
    rank: i64,
    action: String,
    explanation: String,
    model: String,
    scored_at: DateTime<Utc>,
    v4_score: f64,
    percentile: i64,
}

fn random_score(rng: &mut StdRng, i: usize, now: DateTime<Utc>, days_ago: i64) -> Score {
    let tiers = [
        ("TIER_1A_PRIME_MOVER_CFP", "Tier 1A · Prime mover"),
        ("TIER_2_PROVEN_MOVER", "Tier 2 · Proven mover"),
        ("TIER_3_MODERATE", "Tier 3 · Moderate"),
        ("TIER_4_LOW", "Tier 4 · Low"),
    ];
    let (tier, display) = tiers.choose(rng).unwrap();
    Score {
        tier: (*tier).into(),
        display: (*display).into(),
        conversion: f64::from(rng.random_range(1..3_000u32)) / 10_000.0,
        lift: f64::from(rng.random_range(50..900u32)) / 100.0,
        rank: i64::try_from(i).unwrap() + 1,
        action: ["Call this week", "Nurture", "Hand to SDR"]
            .choose(rng)
            .unwrap()
            .to_string(),
        explanation: format!("Lead {i}: recent funding, hiring, and a pricing page visit."),
        model: "v3.2".into(),
        scored_at: now - Days::days(days_ago) - Days::minutes(rng.random_range(0..600)),
        v4_score: f64::from(rng.random_range(0..1_000_000u32)) / 1_000_000.0,
        percentile: rng.random_range(1..=100),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lead_scores_push_formatted_fields_for_recent_scores_only() {
    let mut user = new_user("lead-scores").await;
    user.install("lead-scores");

    let leads: Vec<Value> = (0..60)
        .map(|i| json!({"LastName": format!("Lead {i:03}"), "Company": format!("Company {i}")}))
        .collect();
    let lead_ids = user.org.write_records("Lead", Method::POST, leads).await;

    // The scoring job writes a score for most leads; some were scored too long ago to push.
    let now = Utc::now();
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    {
        let mut db = user.setup.db();
        let tx = db.transaction().unwrap();
        for (i, id) in lead_ids.iter().enumerate().filter(|(i, _)| i % 6 != 5) {
            let recent = user.rng.random_bool(0.75);
            let days_ago = if recent {
                user.rng.random_range(0..i64::from(LEAD_SCORE_DAYS) - 1)
            } else {
                user.rng.random_range(i64::from(LEAD_SCORE_DAYS) + 1..90)
            };
            let s = random_score(&mut user.rng, i, now, days_ago);
            let at = s.scored_at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            tx.execute(
                "INSERT INTO lead_scores (lead_id, score_tier, tier_display, expected_conversion_rate,
                     expected_lift, priority_rank, action_recommended, tier_explanation, model_version,
                     scored_at, v4_score, v4_percentile, v4_model_version, v4_scored_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?10)",
                params![
                    id, s.tier, s.display, s.conversion, s.lift, s.rank, s.action,
                    s.explanation, s.model, at, s.v4_score, s.percentile, "v4.0"
                ],
            )
            .unwrap();
            scores.insert(id15(id).to_string(), s);
        }
        tx.commit().unwrap();
    }
    let local_before = dump(&user.setup, "lead_scores");

    user.sync_through_faults(true).await;
    user.sync_is_idle();

    let remote = by_id(
        user.org
            .query_all(
                "SELECT Id, Lead_Score_Tier__c, Lead_Tier_Display__c, Expected_Conversion__c,
                        Expected_Lift__c, Lead_Priority_Rank__c, Lead_Action__c,
                        Lead_Score_Explanation__c, Lead_Model_Version__c, Lead_Scored_At__c,
                        V4_Score__c, V4_Score_Percentile__c, V4_Deprioritize__c,
                        V4_Model_Version__c, V4_Scored_At__c FROM Lead",
            )
            .await,
    );
    assert_eq!(remote.len(), lead_ids.len(), "no Lead created or lost");
    let cutoff = now - Days::days(i64::from(LEAD_SCORE_DAYS));
    let mut pushed = 0;
    for (id, lead) in &remote {
        let due = scores.get(id).filter(|s| s.scored_at >= cutoff);
        let Some(s) = due else {
            for (field, value) in lead.as_object().unwrap() {
                if field != "Id" && field != "attributes" && field != "V4_Deprioritize__c" {
                    assert_eq!(
                        value,
                        &Value::Null,
                        "{field} of {id} pushed without a due score"
                    );
                }
            }
            assert_ne!(lead["V4_Deprioritize__c"], json!(true), "{id}");
            continue;
        };
        pushed += 1;
        let expected = [
            ("Lead_Score_Tier__c", json!(s.tier)),
            ("Lead_Tier_Display__c", json!(s.display)),
            (
                "Expected_Conversion__c",
                json!(format!("{:.2}%", s.conversion * 100.0)),
            ),
            ("Expected_Lift__c", json!(format!("{:.2}x", s.lift))),
            ("Lead_Priority_Rank__c", json!(s.rank as f64)),
            ("Lead_Action__c", json!(s.action)),
            ("Lead_Score_Explanation__c", json!(s.explanation)),
            ("Lead_Model_Version__c", json!(s.model)),
            ("V4_Score__c", json!(s.v4_score)),
            ("V4_Score_Percentile__c", json!(s.percentile as f64)),
            ("V4_Deprioritize__c", json!(s.percentile <= 20)),
            ("V4_Model_Version__c", json!("v4.0")),
        ];
        for (field, want) in expected {
            let got = &lead[field];
            let same = match (got.as_f64(), want.as_f64()) {
                (Some(a), Some(b)) => a == b,
                _ => got == &want,
            };
            assert!(same, "{field} of {id}: got {got}, want {want}");
        }
        for field in ["Lead_Scored_At__c", "V4_Scored_At__c"] {
            let got = lead[field]
                .as_str()
                .unwrap_or_else(|| panic!("{field} of {id}"));
            assert_eq!(
                instant(got).timestamp(),
                s.scored_at.timestamp(),
                "{field} of {id}"
            );
        }
    }
    assert!(pushed > 0, "no score was due");
    assert_eq!(
        dump(&user.setup, "lead_scores"),
        local_before,
        "a push-only link changed the local scores"
    );
}

/// Every row of a table as text, in key order, to compare whole tables.
fn dump(setup: &Setup, table: &str) -> Vec<String> {
    let db = setup.db();
    let mut stmt = db
        .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
        .unwrap();
    let width = stmt.column_count();
    stmt.query_map([], |r| {
        (0..width)
            .map(|i| {
                r.get::<_, rusqlite::types::Value>(i)
                    .map(|v| format!("{v:?}"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|v| v.join("|"))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}
