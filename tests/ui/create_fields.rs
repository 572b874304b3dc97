//! Create missing fields in the window, on the real service and a built-in org whose objects
//! have no custom field: the demo's customer-health link fails Verify, the mapping studio's
//! Create missing fields lists Health_Score__c and Health_Trend__c, creates them, verifies
//! again without errors, and a sync from the palette writes them.

use egui_kittest::kittest::Queryable;
use sandbox_org::{OrgConfig, SandboxOrg};
use tether::desktop::{SandboxStart, SandboxStarter, StartedSandbox};
use tether::workspace::Workspace;

use crate::e2e::type_into;
use crate::support::live::{
    click, nav, org_client, wait_for, wait_for_containing, wait_until, window_on,
};

/// The built-in org started with a schema of no custom objects or fields.
fn bare_starter() -> SandboxStarter {
    SandboxStarter::new(|what: SandboxStart| async move {
        let org = SandboxOrg::start(OrgConfig {
            data_file: what.data_file,
            seed_records: what.seed_records,
            schema_json: Some(schema_without_custom_fields()),
            ..OrgConfig::default()
        })
        .await?;
        Ok(StartedSandbox::new(
            org.base_url(),
            tether_bench::embedded::demo_login(),
            move || org.shutdown(),
        ))
    })
}

/// The sandbox org's own schema without a custom field or custom object: the standard objects
/// it declares (Organization, User) stay, so that the org starts as usual.
fn schema_without_custom_fields() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sandbox-schema.json");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    schema["objects"]
        .as_array_mut()
        .unwrap()
        .retain(|o| !o["name"].as_str().unwrap().ends_with("__c"));
    schema.as_object_mut().unwrap().remove("fields");
    schema.to_string()
}

fn succeeded_runs(dir: &std::path::Path, link: &str) -> i64 {
    let ws = Workspace::open(&dir.join("workspace.sqlite")).expect("workspace");
    ws.conn()
        .query_row(
            "SELECT COUNT(*) FROM tether_runs WHERE link_name = ?1 AND status = 'succeeded'",
            [link],
            |r| r.get(0),
        )
        .expect("runs")
}

#[test]
fn missing_fields_are_created_from_the_mapping_studio_and_then_synced() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut h = window_on(dir, bare_starter(), 0, true, 900.0);
    click(&mut h, "Explore the sandbox org");
    wait_for(&mut h, "Status of Accounts: Not synced yet");

    nav(&mut h, "Mappings");
    click(&mut h, "Link");
    click(&mut h, "customer-health");
    click(&mut h, "Verify");
    wait_for(
        &mut h,
        "2 custom fields this link names are missing from the org or hidden from you",
    );
    click(&mut h, "Create missing fields");
    wait_for(&mut h, "Create 2 fields");
    assert!(
        h.query_by_label_contains("Create Account.Health_Score__c")
            .is_some()
            && h.query_by_label_contains("Create Account.Health_Trend__c")
                .is_some(),
        "the dialog lists both fields"
    );
    click(&mut h, "Create 2 fields");
    wait_for_containing(&mut h, "Done: verified again, no errors");
    assert!(
        h.query_by_label_contains("created Account.Health_Score__c")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("assigned Tether_Sync to you")
            .is_some()
    );
    click(&mut h, "Close");
    wait_for(&mut h, "✔ Verified: no problems found");

    // The demo data does not fit an org without its fields, so the org starts empty: one
    // customer of the org's is scored locally, as the scoring job would.
    let instance = h
        .state()
        .model()
        .connections
        .iter()
        .find(|c| c.embedded)
        .map(|c| c.instance_url.clone())
        .expect("the sandbox org is connected");
    let (runtime, client) = org_client(&instance);
    let id = runtime
        .block_on(client.create("Account", &serde_json::json!({"Name": "Acme Pools"})))
        .unwrap();
    let ws = Workspace::open(&dir.join("workspace.sqlite")).expect("workspace");
    ws.conn()
        .execute_batch(&format!(
            "INSERT INTO customers (customer_id, name, health_score) VALUES ('{id}', 'Acme Pools', 81.5);
             INSERT INTO health_scores VALUES ('{id}', 70, '2024-01-01'), ('{id}', 81.5, '2024-02-01');"
        ))
        .expect("a scored customer");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    wait_for(&mut h, "Command palette input");
    type_into(&mut h, "Command palette input", "sync customer health");
    h.key_press(egui::Key::Enter);
    wait_until(&mut h, "a succeeded run of customer-health", |_| {
        succeeded_runs(dir, "customer-health") > 0
    });
    let account: serde_json::Map<String, serde_json::Value> = runtime
        .block_on(client.get(
            "Account",
            &id,
            Some(&["Health_Score__c", "Health_Trend__c"]),
        ))
        .unwrap();
    assert_eq!(account["Health_Score__c"], serde_json::json!(81.5));
    assert_eq!(account["Health_Trend__c"], serde_json::json!("Growing"));
}

/// Opens `link` in the mapping studio, sets up Salesforce for its template, and waits for the
/// template's links to verify without errors.
fn set_up_template(
    h: &mut egui_kittest::Harness<'static, tether::ui::TetherApp>,
    link: &str,
    template: &str,
) {
    nav(h, "Mappings");
    click(h, "Link");
    click(h, link);
    click(h, "Set up Salesforce for this template");
    let fields = tether::setup::template_plan(template).fields.len();
    assert!(fields > 1, "{template} needs several fields");
    let create = format!("Create {fields} fields");
    wait_for(h, &create);
    click(h, &create);
    wait_for_containing(h, "Done: verified again, no errors");
    click(h, "Close");
}

fn sync_from_the_palette(
    h: &mut egui_kittest::Harness<'static, tether::ui::TetherApp>,
    dir: &std::path::Path,
    phrase: &str,
    link: &str,
) {
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    wait_for(h, "Command palette input");
    type_into(h, "Command palette input", phrase);
    h.key_press(egui::Key::Enter);
    wait_until(h, &format!("a succeeded run of {link}"), |_| {
        succeeded_runs(dir, link) > 0
    });
}

#[test]
fn every_template_is_set_up_from_the_window_and_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    {
        let mut ws = Workspace::open(&dir.join("workspace.sqlite")).expect("workspace");
        for template in ["lead-scores", "service-customers"] {
            let template = tether::sync::templates::find(template).expect("shipped");
            tether::sync::templates::install(
                &mut ws,
                &template,
                tether::desktop::SANDBOX_CONNECTION,
            )
            .expect("installed");
        }
    }
    let mut h = window_on(dir, bare_starter(), 0, false, 900.0);
    nav(&mut h, "Connections");
    click(&mut h, "Explore the sandbox org");
    wait_until(&mut h, "the sandbox org connected", |h| {
        h.state().model().connections.iter().any(|c| c.embedded)
    });
    set_up_template(&mut h, "lead-scores", "lead-scores");
    set_up_template(&mut h, "service-accounts", "service-customers");

    let instance = h
        .state()
        .model()
        .connections
        .iter()
        .find(|c| c.embedded)
        .map(|c| c.instance_url.clone())
        .expect("the sandbox org is connected");
    let (runtime, client) = org_client(&instance);
    let lead = runtime
        .block_on(client.create(
            "Lead",
            &serde_json::json!({"LastName": "Rivera", "Company": "Blue Lagoon"}),
        ))
        .unwrap();
    let ws = Workspace::open(&dir.join("workspace.sqlite")).expect("workspace");
    ws.conn()
        .execute_batch(&format!(
            "INSERT INTO lead_scores (lead_id, score_tier, v4_percentile, scored_at)
             VALUES ('{lead}', 'TIER_1A_PRIME_MOVER_CFP', 12, datetime('now'));
             INSERT INTO service_customers (st_id, name, last_name, lifetime_value, last_job_date)
             VALUES ('st_1001', 'Rivera Household', 'Rivera', 12500, date('now', '-3 days'));"
        ))
        .expect("local rows");
    sync_from_the_palette(&mut h, dir, "sync lead scores", "lead-scores");
    sync_from_the_palette(&mut h, dir, "sync service accounts", "service-accounts");
    sync_from_the_palette(&mut h, dir, "sync service contacts", "service-contacts");

    let scored: serde_json::Map<String, serde_json::Value> = runtime
        .block_on(client.get(
            "Lead",
            &lead,
            Some(&["Lead_Score_Tier__c", "V4_Deprioritize__c"]),
        ))
        .unwrap();
    assert_eq!(
        scored["Lead_Score_Tier__c"],
        serde_json::json!("TIER_1A_PRIME_MOVER_CFP")
    );
    assert_eq!(scored["V4_Deprioritize__c"], serde_json::json!(true));
    let accounts: Vec<serde_json::Map<String, serde_json::Value>> = runtime.block_on(async {
        use futures_util::TryStreamExt;
        let pages: Vec<tether::salesforce::QueryPage> = client
            .query(
                "SELECT Customer_Segment__c FROM Account WHERE ServiceTitan_Account_Id__c = 'st_1001'",
                None,
            )
            .try_collect()
            .await
            .unwrap();
        pages.into_iter().flat_map(|p| p.records).collect()
    });
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0]["Customer_Segment__c"], serde_json::json!("VIP"));
}
