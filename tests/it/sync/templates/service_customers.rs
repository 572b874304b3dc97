//! Service customers: Accounts and Contacts upserted on external ids, the Contact linked to its
//! Account through the Account's external id.

use super::*;

struct ServiceCustomer {
    st_id: String,
    tenant: i64,
    name: String,
    kind: &'static str,
    first: Option<String>,
    last: Option<String>,
    email: String,
    phone: String,
    line1: String,
    line2: Option<String>,
    city: &'static str,
    state: &'static str,
    zip: String,
    balance: f64,
    lifetime_value: f64,
    total_jobs: i64,
    completed_jobs: i64,
    first_job_days_ago: i64,
    last_job_days_ago: i64,
    active: bool,
    do_not_service: bool,
    modified: DateTime<Utc>,
}

impl ServiceCustomer {
    fn street(&self) -> String {
        match &self.line2 {
            Some(line2) => format!("{} {line2}", self.line1),
            None => self.line1.clone(),
        }
    }

    /// The segment rule of the template, from its description: first match wins.
    fn segment(&self) -> &'static str {
        let idle = self.last_job_days_ago;
        if self.lifetime_value >= 10_000.0 && idle < 180 {
            "VIP"
        } else if self.lifetime_value >= 5_000.0 {
            "High Value"
        } else if idle > 365 {
            "Churning"
        } else if idle > 180 {
            "At Risk"
        } else {
            "Standard"
        }
    }
}

fn service_customer(rng: &mut StdRng, i: usize) -> ServiceCustomer {
    let commercial = i.is_multiple_of(5);
    let company_only = commercial && i.is_multiple_of(10);
    // Days since the last job, kept away from the 180 and 365 day edges.
    let last_job_days_ago = *[5, 40, 120, 200, 300, 420, 700].choose(rng).unwrap();
    let total_jobs = rng.random_range(1..40);
    ServiceCustomer {
        st_id: format!("st_{}", 10_000 + i),
        tenant: 4_201,
        name: if commercial {
            format!("Harbor Foods {i}")
        } else {
            format!("Rivera Household {i}")
        },
        kind: if commercial {
            "Commercial"
        } else {
            "Residential"
        },
        first: (!company_only).then(|| format!("Dana{i}")),
        last: (!company_only).then(|| format!("Rivera{i}")),
        email: format!("customer{i}@example.com"),
        phone: format!("(512) 555-{:04}", 1_000 + i),
        line1: format!("{} Oak Street", 100 + i),
        line2: rng
            .random_bool(0.4)
            .then(|| format!("Suite {}", rng.random_range(1..400))),
        city: ["Austin", "Round Rock", "Cedar Park"].choose(rng).unwrap(),
        state: "TX",
        zip: format!("787{:02}", rng.random_range(0..99)),
        balance: f64::from(rng.random_range(0..50_000u32)) / 100.0,
        lifetime_value: f64::from(
            *[50_000u32, 300_000, 700_000, 1_500_000]
                .choose(rng)
                .unwrap()
                + rng.random_range(0..5_000u32),
        ) / 100.0,
        total_jobs,
        completed_jobs: total_jobs - i64::from(total_jobs > 3),
        first_job_days_ago: last_job_days_ago + rng.random_range(30..900),
        last_job_days_ago,
        active: rng.random_bool(0.9),
        do_not_service: rng.random_bool(0.05),
        modified: DateTime::from_timestamp(
            (Utc::now() - Days::days(rng.random_range(0..30))).timestamp(),
            0,
        )
        .unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_customers_upsert_accounts_and_linked_contacts_on_external_ids() {
    let mut user = new_user("service-customers").await;
    let links = user.install("service-customers");
    assert_eq!(links.len(), 2, "{links:?}");

    let today = Utc::now().date_naive();
    let customers: Vec<ServiceCustomer> = (0..45)
        .map(|i| service_customer(&mut user.rng, i))
        .collect();
    // Some customers were entered in Salesforce by hand before the integration: the upsert
    // must update those Accounts, not create second ones.
    let existing: Vec<Value> = customers
        .iter()
        .step_by(7)
        .map(
            |c| json!({"Name": format!("{} (old)", c.name), "ServiceTitan_Account_Id__c": c.st_id}),
        )
        .collect();
    let existing_ids = user
        .org
        .write_records("Account", Method::POST, existing.clone())
        .await;

    {
        let mut db = user.setup.db();
        let tx = db.transaction().unwrap();
        for c in &customers {
            tx.execute(
                "INSERT INTO service_customers (st_id, tenant_id, name, type, first_name, last_name,
                     email, phone, address_line1, address_line2, city, state, zip, country,
                     active, do_not_service, balance, lifetime_value, total_jobs, completed_jobs,
                     first_job_date, last_job_date, st_modified_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'US', ?14, ?15,
                     ?16, ?17, ?18, ?19, date('now', ?20), date('now', ?21), ?22)",
                params![
                    c.st_id, c.tenant, c.name, c.kind, c.first, c.last, c.email, c.phone,
                    c.line1, c.line2, c.city, c.state, c.zip, c.active, c.do_not_service,
                    c.balance, c.lifetime_value, c.total_jobs, c.completed_jobs,
                    format!("-{} days", c.first_job_days_ago),
                    format!("-{} days", c.last_job_days_ago),
                    c.modified.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                ],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }

    user.sync_through_faults(true).await;
    check_service_customers(&user, &customers, &existing_ids, today).await;
    // Another sync creates nothing twice.
    user.sync_is_idle();
    check_service_customers(&user, &customers, &existing_ids, today).await;

    // The operations system moves some customers and books new jobs for others: the changed
    // rows are upserted again, onto the same records, with their segment recomputed.
    let mut customers = customers;
    {
        let mut db = user.setup.db();
        let tx = db.transaction().unwrap();
        for c in customers.iter_mut() {
            if user.rng.random_bool(0.3) {
                c.line1 = format!("{} Elm Avenue", user.rng.random_range(1..999));
                c.line2 = None;
                c.city = "Georgetown";
                tx.execute(
                    "UPDATE service_customers SET address_line1 = ?1, address_line2 = NULL, city = ?2
                     WHERE st_id = ?3",
                    params![c.line1, c.city, c.st_id],
                )
                .unwrap();
            }
            if user.rng.random_bool(0.3) {
                c.last_job_days_ago = 2;
                c.lifetime_value += 2_500.0;
                c.total_jobs += 1;
                c.completed_jobs += 1;
                tx.execute(
                    "UPDATE service_customers SET last_job_date = date('now', '-2 days'),
                         lifetime_value = ?1, total_jobs = ?2, completed_jobs = ?3
                     WHERE st_id = ?4",
                    params![c.lifetime_value, c.total_jobs, c.completed_jobs, c.st_id],
                )
                .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    user.sync_through_faults(true).await;
    user.sync_is_idle();
    check_service_customers(&user, &customers, &existing_ids, today).await;
}

async fn check_service_customers(
    user: &User,
    customers: &[ServiceCustomer],
    existing_ids: &[String],
    today: NaiveDate,
) {
    let accounts = user
        .org
        .query_all(
            "SELECT Id, ServiceTitan_Account_Id__c, Name, Type, Phone, BillingStreet, BillingCity,
                    BillingState, BillingPostalCode, BillingCountry, Account_Balance__c,
                    Lifetime_Value__c, Customer_Segment__c FROM Account",
        )
        .await;
    assert_eq!(accounts.len(), customers.len(), "one Account per customer");
    let accounts: HashMap<String, &Value> = accounts
        .iter()
        .map(|a| {
            (
                opt_text(&a["ServiceTitan_Account_Id__c"]).expect("external id"),
                a,
            )
        })
        .collect();
    let contacts = user
        .org
        .query_all(
            "SELECT Id, AccountId, ServiceTitan_Customer_Id__c, ServiceTitan_Tenant_Id__c,
                    FirstName, LastName, Email, Phone, MailingStreet, MailingCity, MailingState,
                    MailingPostalCode, MailingCountry, Active__c, Do_Not_Service__c,
                    Total_Jobs__c, Completed_Jobs__c, First_Service_Date__c,
                    Last_Service_Date__c, ServiceTitan_Last_Modified__c FROM Contact",
        )
        .await;
    let people = customers.iter().filter(|c| c.last.is_some()).count();
    assert_eq!(
        contacts.len(),
        people,
        "one Contact per customer with a person"
    );
    let contacts: HashMap<String, &Value> = contacts
        .iter()
        .map(|c| {
            (
                opt_text(&c["ServiceTitan_Customer_Id__c"]).expect("external id"),
                c,
            )
        })
        .collect();
    for (c, id) in customers.iter().step_by(7).zip(existing_ids) {
        assert_eq!(
            accounts[&c.st_id]["Id"].as_str().map(id15),
            Some(id15(id)),
            "the Account made by hand for {} was updated in place",
            c.st_id
        );
    }
    let db = user.setup.db();
    let local: HashMap<String, (Option<String>, Option<String>)> = db
        .prepare("SELECT st_id, account_sf_id, contact_sf_id FROM service_customers")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for c in customers {
        let account = accounts
            .get(&c.st_id)
            .unwrap_or_else(|| panic!("no Account for {}", c.st_id));
        let account_id = account["Id"].as_str().unwrap();
        let expected = [
            ("Name", json!(c.name)),
            ("Type", json!(c.kind)),
            ("Phone", json!(c.phone)),
            ("BillingStreet", json!(c.street())),
            ("BillingCity", json!(c.city)),
            ("BillingState", json!(c.state)),
            ("BillingPostalCode", json!(c.zip)),
            ("BillingCountry", json!("US")),
            ("Account_Balance__c", json!(c.balance)),
            // A currency field keeps two places, whatever the sum a program wrote locally.
            (
                "Lifetime_Value__c",
                json!((c.lifetime_value * 100.0).round() / 100.0),
            ),
            ("Customer_Segment__c", json!(c.segment())),
        ];
        for (field, want) in expected {
            let got = &account[field];
            let same = match (got.as_f64(), want.as_f64()) {
                (Some(a), Some(b)) => a == b,
                _ => got == &want,
            };
            assert!(
                same,
                "{field} of Account {}: got {got}, want {want}",
                c.st_id
            );
        }
        let (local_account, local_contact) = &local[&c.st_id];
        assert_eq!(
            local_account.as_deref().map(id15),
            Some(id15(account_id)),
            "account id written back for {}",
            c.st_id
        );
        let Some(last) = &c.last else {
            assert!(
                !contacts.contains_key(&c.st_id),
                "{}: a Contact without a person",
                c.st_id
            );
            assert_eq!(local_contact, &None, "{}", c.st_id);
            continue;
        };
        let contact = contacts
            .get(&c.st_id)
            .unwrap_or_else(|| panic!("no Contact for {}", c.st_id));
        assert_eq!(
            contact["AccountId"].as_str().map(id15),
            Some(id15(account_id)),
            "Contact {} linked to its Account",
            c.st_id
        );
        assert_eq!(
            local_contact.as_deref().map(id15),
            contact["Id"].as_str().map(id15),
            "contact id written back for {}",
            c.st_id
        );
        let date = |days: i64| (today - Days::days(days)).to_string();
        let expected = [
            ("ServiceTitan_Tenant_Id__c", json!(c.tenant as f64)),
            ("FirstName", json!(c.first)),
            ("LastName", json!(last)),
            ("Email", json!(c.email)),
            ("Phone", json!(c.phone)),
            ("MailingStreet", json!(c.street())),
            ("MailingCity", json!(c.city)),
            ("MailingState", json!(c.state)),
            ("MailingPostalCode", json!(c.zip)),
            ("MailingCountry", json!("US")),
            ("Active__c", json!(c.active)),
            ("Do_Not_Service__c", json!(c.do_not_service)),
            ("Total_Jobs__c", json!(c.total_jobs as f64)),
            ("Completed_Jobs__c", json!(c.completed_jobs as f64)),
            ("First_Service_Date__c", json!(date(c.first_job_days_ago))),
            ("Last_Service_Date__c", json!(date(c.last_job_days_ago))),
        ];
        for (field, want) in expected {
            let got = &contact[field];
            let same = match (got.as_f64(), want.as_f64()) {
                (Some(a), Some(b)) => a == b,
                _ => got == &want,
            };
            assert!(
                same,
                "{field} of Contact {}: got {got}, want {want}",
                c.st_id
            );
        }
        let modified = contact["ServiceTitan_Last_Modified__c"]
            .as_str()
            .unwrap_or_else(|| panic!("ServiceTitan_Last_Modified__c of {}", c.st_id));
        assert_eq!(instant(modified), c.modified, "{}", c.st_id);
    }
}
