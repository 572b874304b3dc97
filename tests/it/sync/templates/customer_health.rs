//! Customer health: Accounts pulled into `customers`, scores and their trend pushed back,
//! Contacts pulled into `stakeholders`; Salesforce deletes archive or remove local rows.

use super::*;

const INDUSTRIES: [&str; 5] = ["Energy", "Banking", "Retail", "Technology", "Healthcare"];

/// The trend rule, written again here from its description: the two latest scores, five
/// points or more up or down.
fn trend(history: &[f64]) -> &'static str {
    match history {
        [.., previous, latest] if latest - previous >= 5.0 => "Growing",
        [.., previous, latest] if previous - latest >= 5.0 => "Declining",
        _ => "Stable",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_health_pulls_accounts_and_pushes_scores_with_their_trend() {
    let mut user = new_user("customer-health").await;
    let links = user.install("customer-health");
    assert_eq!(links.len(), 2, "{links:?}");

    // The customers already exist in Salesforce, with their people.
    let accounts: Vec<Value> = (0..40)
        .map(|i| {
            json!({
                "Name": format!("Customer {i:03}"),
                "Industry": INDUSTRIES.choose(&mut user.rng).unwrap(),
                "AnnualRevenue": f64::from(user.rng.random_range(1..500u32)) * 10_000.0,
            })
        })
        .collect();
    let account_ids = user
        .org
        .write_records("Account", Method::POST, accounts.clone())
        .await;
    let contacts: Vec<Value> = account_ids
        .iter()
        .enumerate()
        .flat_map(|(i, account)| {
            (0..(i % 3)).map(move |j| {
                json!({
                    "AccountId": account,
                    "FirstName": format!("Ada{j}"),
                    "LastName": format!("Person {i}-{j}"),
                    "Email": format!("p{i}.{j}@customer{i}.example.com"),
                    "Title": if j == 0 { "CFO" } else { "Operations Lead" },
                    "Phone": format!("+1 555 01{i:02}{j}"),
                })
            })
        })
        .collect();
    user.org
        .write_records("Contact", Method::POST, contacts.clone())
        .await;

    // The health tool writes its score history; the latest score is the customer's score.
    // A few customers have no score yet.
    let mut histories: HashMap<String, Vec<f64>> = HashMap::new();
    {
        let mut db = user.setup.db();
        let tx = db.transaction().unwrap();
        for id in &account_ids {
            if !user.rng.random_bool(0.85) {
                continue;
            }
            let months = user.rng.random_range(1..=4u32);
            let mut scores = Vec::new();
            let mut score = f64::from(user.rng.random_range(3_000..9_000u32)) / 100.0;
            for month in 0..months {
                score = (score + f64::from(user.rng.random_range(-1_000..1_000i32)) / 100.0)
                    .clamp(0.0, 100.0);
                score = (score * 100.0).round() / 100.0;
                let day = NaiveDate::from_ymd_opt(2026, 1 + month, 1).unwrap();
                tx.execute(
                    "INSERT INTO health_scores (customer_id, score, measured_on) VALUES (?1, ?2, ?3)",
                    params![id, score, day.to_string()],
                )
                .unwrap();
                scores.push(score);
            }
            tx.execute(
                "INSERT INTO customers (customer_id, health_score) VALUES (?1, ?2)",
                params![id, score],
            )
            .unwrap();
            histories.insert(id15(id).to_string(), scores);
        }
        tx.commit().unwrap();
    }

    user.sync_through_faults(true).await;
    user.sync_is_idle();
    check_customer_health(&user, &account_ids, &accounts, &histories, &contacts).await;

    // A month later: Salesforce users edit some Accounts, the health tool scores some
    // customers again; each side's change must reach the other.
    let mut accounts = accounts;
    let mut patches = Vec::new();
    for (id, account) in account_ids.iter().zip(accounts.iter_mut()) {
        if user.rng.random_bool(0.3) {
            let industry = INDUSTRIES.choose(&mut user.rng).unwrap();
            account["Industry"] = json!(industry);
            account["Name"] = json!(format!("{} Group", account["Name"].as_str().unwrap()));
            patches.push(json!({"Id": id, "Industry": industry, "Name": account["Name"]}));
        }
    }
    user.org
        .write_records("Account", Method::PATCH, patches)
        .await;
    {
        let mut db = user.setup.db();
        let tx = db.transaction().unwrap();
        for (id, scores) in histories.iter_mut() {
            if !user.rng.random_bool(0.5) {
                continue;
            }
            let last = *scores.last().unwrap();
            // Sometimes the same score again: the customer's score stays, its trend changes.
            let step = if user.rng.random_bool(0.3) {
                0.0
            } else {
                f64::from(user.rng.random_range(1..1_200u32)) / 100.0
            };
            let score = if last + step <= 100.0 {
                last + step
            } else {
                last - step
            };
            let score = (score * 100.0).round() / 100.0;
            let month = u32::try_from(scores.len()).unwrap() + 1;
            let day = NaiveDate::from_ymd_opt(2026, month, 1).unwrap();
            let full_id: String = tx
                .query_row(
                    "SELECT customer_id FROM customers WHERE substr(customer_id, 1, 15) = ?1",
                    [id],
                    |r| r.get(0),
                )
                .unwrap();
            tx.execute(
                "INSERT INTO health_scores (customer_id, score, measured_on) VALUES (?1, ?2, ?3)",
                params![full_id, score, day.to_string()],
            )
            .unwrap();
            tx.execute(
                "UPDATE customers SET health_score = ?1 WHERE customer_id = ?2",
                params![score, full_id],
            )
            .unwrap();
            scores.push(score);
        }
        tx.commit().unwrap();
    }
    user.sync_through_faults(true).await;
    user.sync_is_idle();
    check_customer_health(&user, &account_ids, &accounts, &histories, &contacts).await;

    // A customer leaves and a person moves on: the Account (one without Contacts) and a
    // Contact are deleted in Salesforce. The customer is kept locally, marked archived; the
    // stakeholder goes.
    let gone_account = account_ids[0].clone();
    let gone_contact = user
        .org
        .query_all("SELECT Id FROM Contact ORDER BY LastName LIMIT 1")
        .await[0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    user.org
        .delete_records(&[gone_account.clone(), gone_contact.clone()])
        .await;
    user.sync_through_faults(false).await;
    user.sync_is_idle();
    let db = user.setup.db();
    let archived: Vec<(String, i64)> = db
        .prepare("SELECT customer_id, archived FROM customers")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(archived.len(), account_ids.len(), "archived customers stay");
    for (id, flag) in archived {
        let want = i64::from(id15(&id) == id15(&gone_account));
        assert_eq!(flag, want, "archived flag of {id}");
    }
    let stakeholders: Vec<String> = db
        .prepare("SELECT stakeholder_id FROM stakeholders")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stakeholders.len(), contacts.len() - 1, "{stakeholders:?}");
    assert!(
        stakeholders
            .iter()
            .all(|id| id15(id) != id15(&gone_contact)),
        "the deleted Contact's stakeholder is still there"
    );
}

/// One local customer row.
#[derive(Debug)]
struct Customer {
    id: String,
    name: Option<String>,
    industry: Option<String>,
    revenue: Option<f64>,
    score: Option<f64>,
    archived: i64,
}

/// Both sides hold what was written: Accounts' names, industries and revenues pulled, the
/// latest score and its trend pushed, every Contact pulled as a stakeholder.
async fn check_customer_health(
    user: &User,
    account_ids: &[String],
    accounts: &[Value],
    histories: &HashMap<String, Vec<f64>>,
    contacts: &[Value],
) {
    let remote = by_id(
        user.org
            .query_all(
                "SELECT Id, Name, Industry, AnnualRevenue, Health_Score__c, Health_Trend__c FROM Account",
            )
            .await,
    );
    assert_eq!(remote.len(), accounts.len(), "no Account created or lost");
    let db = user.setup.db();
    let mut stmt = db
        .prepare("SELECT customer_id, name, industry, annual_revenue, health_score, archived FROM customers")
        .unwrap();
    let local: Vec<Customer> = stmt
        .query_map([], |r| {
            Ok(Customer {
                id: r.get(0)?,
                name: r.get(1)?,
                industry: r.get(2)?,
                revenue: r.get(3)?,
                score: r.get(4)?,
                archived: r.get(5)?,
            })
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        local.len(),
        accounts.len(),
        "one local customer per Account"
    );
    for (id, written) in account_ids.iter().zip(accounts) {
        let account = &remote[id15(id)];
        let row = local
            .iter()
            .find(|r| id15(&r.id) == id15(id))
            .unwrap_or_else(|| panic!("Account {id} not pulled"));
        assert_eq!(
            row.name.as_deref(),
            written["Name"].as_str(),
            "name of {id}"
        );
        assert_eq!(
            row.industry.as_deref(),
            written["Industry"].as_str(),
            "industry of {id}"
        );
        assert_eq!(
            row.revenue,
            written["AnnualRevenue"].as_f64(),
            "revenue of {id}"
        );
        assert_eq!(row.archived, 0, "{id} archived");
        match histories.get(id15(id)) {
            Some(scores) => {
                assert_eq!(
                    account["Health_Score__c"].as_f64(),
                    scores.last().copied(),
                    "{id}"
                );
                assert_eq!(row.score, scores.last().copied(), "local score of {id}");
                assert_eq!(
                    opt_text(&account["Health_Trend__c"]).as_deref(),
                    Some(trend(scores)),
                    "trend of {id} from {scores:?}"
                );
            }
            None => {
                assert_eq!(account["Health_Score__c"], Value::Null, "{id}");
                assert_eq!(account["Health_Trend__c"], Value::Null, "{id}");
            }
        }
    }

    let mut stmt = db
        .prepare("SELECT stakeholder_id, customer_id, first_name, last_name, email, title, phone FROM stakeholders")
        .unwrap();
    let stakeholders: BTreeMap<String, Vec<Option<String>>> = stmt
        .query_map([], |r| {
            Ok((
                id15(&r.get::<_, String>(0)?).to_string(),
                (1..7).map(|i| r.get(i)).collect::<Result<Vec<_>, _>>()?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let remote_contacts = user
        .org
        .query_all("SELECT Id, AccountId, FirstName, LastName, Email, Title, Phone FROM Contact")
        .await;
    assert_eq!(
        remote_contacts.len(),
        contacts.len(),
        "no Contact created or lost"
    );
    assert_eq!(
        stakeholders.len(),
        contacts.len(),
        "one stakeholder per Contact"
    );
    for contact in &remote_contacts {
        let id = contact["Id"].as_str().unwrap();
        let row = &stakeholders[id15(id)];
        let written = contacts
            .iter()
            .find(|c| c["LastName"] == contact["LastName"])
            .unwrap();
        assert_eq!(
            row[0].as_deref().map(id15),
            written["AccountId"].as_str().map(id15),
            "account of {id}"
        );
        for (i, field) in ["FirstName", "LastName", "Email", "Title", "Phone"]
            .iter()
            .enumerate()
        {
            assert_eq!(
                row[i + 1].as_deref(),
                written[field].as_str(),
                "{field} of {id}"
            );
        }
    }
}
