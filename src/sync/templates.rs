//! Ready-made links for the integrations Tether most often replaces: each creates its local
//! tables (if missing) and saves its links, ready for `tether sync`.

use super::link::{ConflictPolicy, DeletePolicy, Direction, FieldMapping, Link, MatchKey};
use crate::workspace::{Result, Workspace, audit};

/// Scores older than this many days are not pushed by the lead-score template.
pub const LEAD_SCORE_DAYS: u32 = 30;

pub struct Template {
    /// Used on the command line: `tether link template NAME`.
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    /// `CREATE TABLE IF NOT EXISTS …` for the local tables and helpers the links use.
    pub tables_sql: &'static str,
    pub links: fn(connection: &str) -> Vec<Link>,
}

pub fn all() -> [Template; 3] {
    [customer_health(), lead_scores(), service_customers()]
}

pub fn find(name: &str) -> Option<Template> {
    all().into_iter().find(|t| t.name == name)
}

/// Creates the template's tables (keeping existing ones and their rows) and saves its links
/// for `connection`, replacing links of the same names. Returns the link names.
pub fn install(ws: &mut Workspace, template: &Template, connection: &str) -> Result<Vec<String>> {
    crate::workspace::managed::create_tables(ws.conn(), template.tables_sql, "template")?;
    let links = (template.links)(connection);
    let mut names = Vec::with_capacity(links.len());
    for link in &links {
        ws.save_link(link, "template")?;
        names.push(link.name.clone());
    }
    audit(
        ws.conn(),
        "template",
        "template.install",
        template.name,
        Some(&names.join(", ")),
    )?;
    Ok(names)
}

fn link(name: &str, connection: &str, table: &str, key: &str, object: &str) -> Link {
    Link {
        name: name.into(),
        connection: connection.into(),
        table: table.into(),
        key: key.into(),
        object: object.into(),
        id_column: key.into(),
        match_on: MatchKey::SalesforceId,
        // No template's pushes fill what its object requires to create a record (an Account's
        // Name, a Lead's LastName and Company): their rows are Salesforce's records.
        create_unmatched: false,
        fields: Vec::new(),
        pull_filter: None,
        push_filter: None,
        policy: ConflictPolicy::default(),
        deletes: DeletePolicy::default(),
        archive_column: None,
        schedule: Default::default(),
        strategy: Default::default(),
        time_zone: None,
    }
}

fn pull(column: &str, field: &str) -> FieldMapping {
    FieldMapping::column(column, field, Direction::Pull)
}

fn push(column: &str, field: &str) -> FieldMapping {
    FieldMapping::column(column, field, Direction::Push)
}

const CUSTOMER_HEALTH_SQL: &str = "
CREATE TABLE IF NOT EXISTS customers (
    customer_id     TEXT PRIMARY KEY,   -- the Salesforce Account Id
    name            TEXT,
    industry        TEXT,
    annual_revenue  NUMERIC,
    health_score    REAL,               -- the latest score, 0-100
    archived        INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS health_scores (
    customer_id  TEXT NOT NULL,
    score        REAL NOT NULL,
    measured_on  TEXT NOT NULL,         -- YYYY-MM-DD
    PRIMARY KEY (customer_id, measured_on)
);
-- The trend of each customer's two latest scores: five points or more up or down.
CREATE VIEW IF NOT EXISTS customer_health_trend AS
SELECT customer_id,
       CASE WHEN previous IS NULL THEN 'Stable'
            WHEN score - previous >= 5 THEN 'Growing'
            WHEN previous - score >= 5 THEN 'Declining'
            ELSE 'Stable' END AS trend
FROM (SELECT customer_id, score,
             LAG(score) OVER (PARTITION BY customer_id ORDER BY measured_on) AS previous,
             ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY measured_on DESC) AS recency
      FROM health_scores)
WHERE recency = 1;
CREATE TABLE IF NOT EXISTS stakeholders (
    stakeholder_id  TEXT PRIMARY KEY,   -- the Salesforce Contact Id
    customer_id     TEXT,               -- the Account Id
    first_name      TEXT,
    last_name       TEXT,
    email           TEXT,
    title           TEXT,
    phone           TEXT
);
";

fn customer_health() -> Template {
    Template {
        name: "customer-health",
        title: "Customer health",
        description: "Accounts pulled into `customers` (name, industry, annual revenue); the health score and its trend (from the `health_scores` history) pushed to Health_Score__c and Health_Trend__c. Contacts pulled into `stakeholders`.",
        tables_sql: CUSTOMER_HEALTH_SQL,
        links: |connection| {
            let mut accounts = link(
                "customer-health",
                connection,
                "customers",
                "customer_id",
                "Account",
            );
            accounts.fields = vec![
                pull("name", "Name"),
                pull("industry", "Industry"),
                pull("annual_revenue", "AnnualRevenue"),
                push("health_score", "Health_Score__c"),
                FieldMapping::expression(
                    "(SELECT trend FROM customer_health_trend t WHERE t.customer_id = customers.customer_id)",
                    "Health_Trend__c",
                ),
            ];
            accounts.deletes = DeletePolicy::MarkArchived;
            accounts.archive_column = Some("archived".into());
            let mut contacts = link(
                "customer-health-stakeholders",
                connection,
                "stakeholders",
                "stakeholder_id",
                "Contact",
            );
            contacts.fields = vec![
                pull("customer_id", "AccountId"),
                pull("first_name", "FirstName"),
                pull("last_name", "LastName"),
                pull("email", "Email"),
                pull("title", "Title"),
                pull("phone", "Phone"),
            ];
            contacts.deletes = DeletePolicy::Propagate;
            vec![accounts, contacts]
        },
    }
}

const LEAD_SCORES_SQL: &str = "
CREATE TABLE IF NOT EXISTS lead_scores (
    lead_id                   TEXT PRIMARY KEY,   -- the Salesforce Lead Id
    score_tier                TEXT,               -- e.g. TIER_1A_PRIME_MOVER_CFP
    tier_display              TEXT,
    expected_conversion_rate  REAL,               -- 0.1644 is pushed as 16.44%
    expected_lift             REAL,               -- 4.3 is pushed as 4.30x
    priority_rank             INTEGER,            -- 1 is the highest
    action_recommended        TEXT,
    tier_explanation          TEXT,
    model_version             TEXT,
    scored_at                 TEXT,               -- ISO 8601
    v4_score                  REAL,               -- 0-1
    v4_percentile             INTEGER,            -- 1-100
    v4_model_version          TEXT,
    v4_scored_at              TEXT
);
";

fn lead_scores() -> Template {
    Template {
        name: "lead-scores",
        title: "Lead scores",
        description: "Tiers, expected conversion and lift, priority, action, explanation and model scores from `lead_scores` pushed to Lead fields; only rows scored in the last 30 days.",
        tables_sql: LEAD_SCORES_SQL,
        links: |connection| vec![lead_scores_link(connection, LEAD_SCORE_DAYS)],
    }
}

/// The lead-score link, pushing rows scored in the last `days` days.
pub fn lead_scores_link(connection: &str, days: u32) -> Link {
    let mut scores = link("lead-scores", connection, "lead_scores", "lead_id", "Lead");
    scores.fields = vec![
        push("score_tier", "Lead_Score_Tier__c"),
        push("tier_display", "Lead_Tier_Display__c"),
        FieldMapping::expression(
            "CASE WHEN expected_conversion_rate IS NOT NULL THEN printf('%.2f%%', expected_conversion_rate * 100) END",
            "Expected_Conversion__c",
        ),
        FieldMapping::expression(
            "CASE WHEN expected_lift IS NOT NULL THEN printf('%.2fx', expected_lift) END",
            "Expected_Lift__c",
        ),
        push("priority_rank", "Lead_Priority_Rank__c"),
        push("action_recommended", "Lead_Action__c"),
        push("tier_explanation", "Lead_Score_Explanation__c"),
        push("model_version", "Lead_Model_Version__c"),
        push("scored_at", "Lead_Scored_At__c"),
        push("v4_score", "V4_Score__c"),
        push("v4_percentile", "V4_Score_Percentile__c"),
        FieldMapping::expression("v4_percentile <= 20", "V4_Deprioritize__c"),
        push("v4_model_version", "V4_Model_Version__c"),
        push("v4_scored_at", "V4_Scored_At__c"),
    ];
    scores.push_filter = Some(format!(
        "julianday(scored_at) >= julianday('now', '-{days} days')"
    ));
    scores.policy = ConflictPolicy::LocalWins;
    scores
}

const SERVICE_CUSTOMERS_SQL: &str = "
CREATE TABLE IF NOT EXISTS service_customers (
    st_id             TEXT PRIMARY KEY,   -- e.g. st_12345
    tenant_id         INTEGER,
    name              TEXT NOT NULL,
    type              TEXT,               -- Residential or Commercial
    first_name        TEXT,
    last_name         TEXT,
    email             TEXT,
    phone             TEXT,
    address_line1     TEXT,
    address_line2     TEXT,
    city              TEXT,
    state             TEXT,
    zip               TEXT,
    country           TEXT,
    do_not_mail       INTEGER NOT NULL DEFAULT 0,
    active            INTEGER NOT NULL DEFAULT 1,
    do_not_service    INTEGER NOT NULL DEFAULT 0,
    balance           REAL,
    lifetime_value    REAL,
    total_jobs        INTEGER,
    completed_jobs    INTEGER,
    first_job_date    TEXT,               -- YYYY-MM-DD
    last_job_date     TEXT,               -- YYYY-MM-DD
    st_modified_on    TEXT,               -- ISO 8601
    account_sf_id     TEXT,               -- written by Tether
    contact_sf_id     TEXT                -- written by Tether
);
";

const STREET: &str =
    "NULLIF(trim(coalesce(address_line1, '') || ' ' || coalesce(address_line2, '')), '')";

/// The segment rules, first match wins: VIP spent $10,000 or more and had a job in the last
/// 180 days; High Value spent $5,000 or more; Churning had no job for over 365 days; At Risk
/// for over 180 days; everyone else is Standard.
const SEGMENT: &str = "CASE
    WHEN lifetime_value >= 10000 AND julianday('now') - julianday(last_job_date) < 180 THEN 'VIP'
    WHEN lifetime_value >= 5000 THEN 'High Value'
    WHEN julianday('now') - julianday(last_job_date) > 365 THEN 'Churning'
    WHEN julianday('now') - julianday(last_job_date) > 180 THEN 'At Risk'
    ELSE 'Standard' END";

fn service_customers() -> Template {
    Template {
        name: "service-customers",
        title: "Service customers",
        description: "Customers of the operations system in `service_customers` upserted as Accounts (on ServiceTitan_Account_Id__c, with a computed Customer_Segment__c) and Contacts (on ServiceTitan_Customer_Id__c, linked to their Account).",
        tables_sql: SERVICE_CUSTOMERS_SQL,
        links: |connection| {
            let external = |field: &str| MatchKey::ExternalId {
                field: field.into(),
                column: "st_id".into(),
            };
            let mut accounts = link(
                "service-accounts",
                connection,
                "service_customers",
                "st_id",
                "Account",
            );
            accounts.id_column = "account_sf_id".into();
            accounts.match_on = external("ServiceTitan_Account_Id__c");
            accounts.policy = ConflictPolicy::LocalWins;
            accounts.fields = vec![
                push("name", "Name"),
                push("type", "Type"),
                push("phone", "Phone"),
                FieldMapping::expression(STREET, "BillingStreet"),
                push("city", "BillingCity"),
                push("state", "BillingState"),
                push("zip", "BillingPostalCode"),
                push("country", "BillingCountry"),
                push("balance", "Account_Balance__c"),
                push("lifetime_value", "Lifetime_Value__c"),
                FieldMapping::expression(SEGMENT, "Customer_Segment__c"),
            ];
            let mut contacts = link(
                "service-contacts",
                connection,
                "service_customers",
                "st_id",
                "Contact",
            );
            contacts.id_column = "contact_sf_id".into();
            contacts.match_on = external("ServiceTitan_Customer_Id__c");
            contacts.policy = ConflictPolicy::LocalWins;
            // Salesforce requires a last name on every Contact; companies without a person
            // are synced as Accounts only.
            contacts.push_filter = Some("last_name IS NOT NULL AND last_name <> ''".into());
            // `do_not_mail` is kept locally but not mapped: HasOptedOutOfEmail is missing from
            // many orgs' Contact (as from the sandbox org's); map it where the org has it.
            contacts.fields = vec![
                push("st_id", "Account.ServiceTitan_Account_Id__c"),
                push("tenant_id", "ServiceTitan_Tenant_Id__c"),
                push("first_name", "FirstName"),
                push("last_name", "LastName"),
                push("email", "Email"),
                push("phone", "Phone"),
                FieldMapping::expression(STREET, "MailingStreet"),
                push("city", "MailingCity"),
                push("state", "MailingState"),
                push("zip", "MailingPostalCode"),
                push("country", "MailingCountry"),
                push("active", "Active__c"),
                push("do_not_service", "Do_Not_Service__c"),
                push("total_jobs", "Total_Jobs__c"),
                push("completed_jobs", "Completed_Jobs__c"),
                push("first_job_date", "First_Service_Date__c"),
                push("last_job_date", "Last_Service_Date__c"),
                push("st_modified_on", "ServiceTitan_Last_Modified__c"),
            ];
            vec![accounts, contacts]
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fresh() -> (tempfile::TempDir, Workspace) {
        let dir = tempfile::tempdir().expect("tempdir");
        let ws = Workspace::open(&dir.path().join("workspace.sqlite")).expect("workspace");
        (dir, ws)
    }

    #[test]
    fn installing_twice_keeps_the_rows_and_replaces_the_links() {
        let (_dir, mut ws) = fresh();
        let template = find("lead-scores").expect("shipped");
        install(&mut ws, &template, "one").expect("first");
        ws.conn()
            .execute(
                "INSERT INTO lead_scores (lead_id) VALUES ('00Q000000000001AAA')",
                [],
            )
            .expect("row");
        install(&mut ws, &template, "two").expect("second");
        let rows: i64 = ws
            .conn()
            .query_row("SELECT COUNT(*) FROM lead_scores", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 1);
        let links = ws.links().expect("links");
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].link.connection, "two");
    }

    fn evaluate(ws: &Workspace, table: &str, key: &str, row: &str, sql: &str) -> Option<String> {
        ws.conn()
            .query_row(
                &format!("SELECT ({sql}) FROM {table} WHERE {key} = ?1"),
                [row],
                |r| {
                    Ok(match r.get::<_, rusqlite::types::Value>(0)? {
                        rusqlite::types::Value::Null => None,
                        rusqlite::types::Value::Integer(i) => Some(i.to_string()),
                        rusqlite::types::Value::Real(f) => Some(f.to_string()),
                        rusqlite::types::Value::Text(t) => Some(t),
                        rusqlite::types::Value::Blob(_) => Some("<blob>".into()),
                    })
                },
            )
            .expect(sql)
    }

    fn expression_for(links: &[Link], remote: &str) -> String {
        links
            .iter()
            .flat_map(|l| &l.fields)
            .find(|f| f.remote == remote)
            .and_then(|f| match &f.local {
                crate::sync::link::LocalSource::Expression(sql) => Some(sql.clone()),
                crate::sync::link::LocalSource::Column(_) => None,
            })
            .unwrap_or_else(|| panic!("an expression for {remote}"))
    }

    #[test]
    fn lead_score_expressions_format_as_the_lead_fields_expect() {
        let (_dir, mut ws) = fresh();
        install(&mut ws, &find("lead-scores").expect("shipped"), "c").expect("install");
        ws.conn()
            .execute_batch(
                "INSERT INTO lead_scores (lead_id, expected_conversion_rate, expected_lift, v4_percentile, scored_at)
                 VALUES ('a', 0.1644, 4.3, 20, datetime('now', '-2 days')),
                        ('b', NULL, NULL, 21, datetime('now', '-31 days'));",
            )
            .expect("rows");
        let links = (find("lead-scores").expect("shipped").links)("c");
        // (row, field, expected)
        let cases = [
            ("a", "Expected_Conversion__c", Some("16.44%")),
            ("a", "Expected_Lift__c", Some("4.30x")),
            ("a", "V4_Deprioritize__c", Some("1")),
            ("b", "Expected_Conversion__c", None),
            ("b", "Expected_Lift__c", None),
            ("b", "V4_Deprioritize__c", Some("0")),
        ];
        for (row, field, expected) in cases {
            let sql = expression_for(&links, field);
            let value = evaluate(&ws, "lead_scores", "lead_id", row, &sql);
            assert_eq!(value.as_deref(), expected, "{row} {field}");
        }
        let filter = links[0].push_filter.clone().expect("a push filter");
        let pushed: Vec<String> = ws
            .conn()
            .prepare(&format!("SELECT lead_id FROM lead_scores WHERE {filter}"))
            .expect("filter compiles")
            .query_map([], |r| r.get(0))
            .expect("query")
            .map(|r| r.expect("row"))
            .collect();
        assert_eq!(pushed, ["a"]);
    }

    #[test]
    fn health_trend_follows_the_two_latest_scores() {
        let (_dir, mut ws) = fresh();
        let template = find("customer-health").expect("shipped");
        install(&mut ws, &template, "c").expect("install");
        ws.conn()
            .execute_batch(
                "INSERT INTO customers (customer_id) VALUES ('up'), ('down'), ('flat'), ('new'), ('none');
                 INSERT INTO health_scores VALUES
                   ('up', 90, '2024-01-01'), ('up', 60, '2024-02-01'), ('up', 70, '2024-03-01'),
                   ('down', 70, '2024-02-01'), ('down', 64, '2024-03-01'),
                   ('flat', 70, '2024-02-01'), ('flat', 74, '2024-03-01'),
                   ('new', 50, '2024-03-01');",
            )
            .expect("history");
        let sql = expression_for(&(template.links)("c"), "Health_Trend__c");
        let cases = [
            ("up", Some("Growing")),
            ("down", Some("Declining")),
            ("flat", Some("Stable")),
            ("new", Some("Stable")),
            ("none", None),
        ];
        for (customer, expected) in cases {
            let trend = evaluate(&ws, "customers", "customer_id", customer, &sql);
            assert_eq!(trend.as_deref(), expected, "{customer}");
        }
    }

    #[test]
    fn service_segments_and_streets_follow_the_rules() {
        let (_dir, mut ws) = fresh();
        let template = find("service-customers").expect("shipped");
        install(&mut ws, &template, "c").expect("install");
        ws.conn()
            .execute_batch(
                "INSERT INTO service_customers (st_id, name, lifetime_value, last_job_date, address_line1, address_line2) VALUES
                   ('vip', 'a', 12000, date('now', '-10 days'), '1 Pool Lane', 'Unit 4'),
                   ('old-vip', 'b', 12000, date('now', '-200 days'), '1 Pool Lane', NULL),
                   ('high', 'c', 5000, date('now', '-400 days'), NULL, NULL),
                   ('churn', 'd', 100, date('now', '-400 days'), NULL, NULL),
                   ('risk', 'e', 100, date('now', '-200 days'), NULL, NULL),
                   ('std', 'f', 100, date('now', '-20 days'), NULL, NULL);",
            )
            .expect("rows");
        let links = (template.links)("c");
        let segment = expression_for(&links, "Customer_Segment__c");
        let street = expression_for(&links, "BillingStreet");
        let cases = [
            ("vip", "VIP", Some("1 Pool Lane Unit 4")),
            ("old-vip", "High Value", Some("1 Pool Lane")),
            ("high", "High Value", None),
            ("churn", "Churning", None),
            ("risk", "At Risk", None),
            ("std", "Standard", None),
        ];
        for (row, expected_segment, expected_street) in cases {
            let got = evaluate(&ws, "service_customers", "st_id", row, &segment);
            assert_eq!(got.as_deref(), Some(expected_segment), "{row}");
            let got = evaluate(&ws, "service_customers", "st_id", row, &street);
            assert_eq!(got.as_deref(), expected_street, "{row}");
        }
        let contact = links
            .iter()
            .find(|l| l.object == "Contact")
            .expect("contact link");
        assert!(
            contact
                .fields
                .iter()
                .any(|f| f.remote == "Account.ServiceTitan_Account_Id__c"
                    && f.direction == Direction::Push)
        );
    }
}
