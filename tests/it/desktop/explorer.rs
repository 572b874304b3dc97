//! The SOQL explorer's requests against the embedded sandbox org, as the window sends them:
//! results flattened (parents as columns, one row per child record), aggregates, paging,
//! refused statements placed in their text, the org's plans, and exports read back.

use std::path::PathBuf;

use calamine::{Data, Reader, Xlsx, open_workbook};
use serde_json::{Map, Value, json};
use tether::desktop::{Event, QueryEvent, QueryRequest, Request};
use tether::explore::complete::{Completion, Schema, complete};
use tether::explore::syntax::locate;
use tether::explore::table::Cell;
use tether::salesforce::{Client, CollectionOptions, QueryPlans};

use crate::support::desktop::{Window, empty_sandbox_config, org_client};

const CONNECTION: &str = "Sandbox org";

struct Answer {
    headers: Vec<String>,
    rows: Vec<Vec<Cell>>,
    pages: usize,
    total: u64,
}

async fn run(window: &mut Window, run: u64, soql: &str) -> Result<Answer, (String, String)> {
    window.send(Request::Query(QueryRequest::Run {
        connection: CONNECTION.into(),
        soql: soql.into(),
        run,
    }));
    let mut answer = Answer {
        headers: Vec::new(),
        rows: Vec::new(),
        pages: 0,
        total: 0,
    };
    loop {
        let event = window
            .wait(&format!("the answer to {soql}"), |e| match e {
                Event::Query(
                    q @ (QueryEvent::Columns { run: r, .. }
                    | QueryEvent::Rows { run: r, .. }
                    | QueryEvent::Done { run: r, .. }
                    | QueryEvent::Refused { run: Some(r), .. }),
                ) if *r == run => Some(q.clone()),
                _ => None,
            })
            .await;
        match event {
            QueryEvent::Columns { headers, .. } => answer.headers = headers,
            QueryEvent::Rows { rows, .. } => {
                answer.pages += 1;
                answer.rows.extend(rows);
            }
            QueryEvent::Done { total, .. } => {
                answer.total = total;
                return Ok(answer);
            }
            QueryEvent::Refused { code, message, .. } => return Err((code, message)),
            _ => {}
        }
    }
}

fn texts(rows: &[Vec<Cell>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(Cell::text).collect())
        .collect()
}

async fn create(client: &Client, object: &str, records: Vec<Value>) -> Vec<String> {
    let records: Vec<Map<String, Value>> = records
        .into_iter()
        .map(|r| r.as_object().unwrap().clone())
        .collect();
    client
        .create_many(object, &records, CollectionOptions::default())
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id.unwrap_or_else(|| panic!("{:?}", r.errors)))
        .collect()
}

async fn connected(window: &mut Window) -> Client {
    let view = window
        .wait("the sandbox connection", |e| match e {
            Event::Connected(v) => Some(v.clone()),
            _ => None,
        })
        .await;
    assert_eq!(view.name, CONNECTION);
    org_client(&view.instance_url).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn answers_are_flattened_typed_paged_and_refusals_placed() {
    let dir = tempfile::tempdir().unwrap();
    let mut window = Window::start(empty_sandbox_config(
        dir.path(),
        dir.path().join("workspace.sqlite"),
    ));
    let org = connected(&mut window).await;
    let accounts = create(
        &org,
        "Account",
        vec![
            json!({"Name": "Acme", "Industry": "Energy"}),
            json!({"Name": "Globex", "Industry": "Banking"}),
        ],
    )
    .await;
    create(
        &org,
        "Contact",
        vec![
            json!({"LastName": "Ortiz", "AccountId": accounts[0]}),
            json!({"LastName": "Ng", "AccountId": accounts[0]}),
        ],
    )
    .await;
    let deal = |account: &str, amount: f64, close: &str| json!({"Name": "Deal", "StageName": "Prospecting", "CloseDate": close, "Amount": amount, "AccountId": account});
    create(
        &org,
        "Opportunity",
        vec![
            deal(&accounts[0], 100.5, "2024-02-29"),
            deal(&accounts[0], 200.0, "2024-03-01"),
            deal(&accounts[1], 50.0, "2023-12-31"),
        ],
    )
    .await;

    // Completion reads lookups' relationship names and child relationships from describe.
    window.send(Request::Query(QueryRequest::Describe {
        connection: CONNECTION.into(),
        object: "Contact".into(),
    }));
    window.send(Request::Query(QueryRequest::Describe {
        connection: CONNECTION.into(),
        object: "Account".into(),
    }));
    let mut schema = Schema::default();
    for _ in 0..2 {
        let info = window
            .wait("a describe", |e| match e {
                Event::Query(QueryEvent::Described { info, .. }) => Some(info.clone()),
                _ => None,
            })
            .await;
        schema.insert(info);
    }
    let soql = "SELECT Account.Na FROM Contact";
    let offered = |cursor: usize| match complete(soql, cursor, &schema) {
        Completion::Items { items, .. } => items.into_iter().map(|i| i.text).collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert!(
        offered(17).contains(&"Name".to_string()),
        "{:?}",
        offered(17)
    );
    let account = schema.object("Account").expect("described");
    assert!(
        account
            .children
            .iter()
            .any(|c| c.relationship == "Contacts" && c.object == "Contact"),
        "{:?}",
        account.children
    );

    // Each child record is a row, its parent's cells repeated; a parent without children
    // is one row with the child columns empty.
    let nested = run(
        &mut window,
        1,
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account ORDER BY Name",
    )
    .await
    .unwrap();
    assert_eq!(nested.headers, ["Name", "Contacts.LastName"]);
    assert_eq!(
        texts(&nested.rows),
        [["Acme", "Ng"], ["Acme", "Ortiz"], ["Globex", ""]]
    );

    // Parents as dotted columns, typed cells.
    let parents = run(
        &mut window,
        2,
        "SELECT Account.Name, Amount, CloseDate FROM Opportunity WHERE Account.Name = 'Acme' ORDER BY CloseDate",
    )
    .await
    .unwrap();
    assert_eq!(parents.headers, ["Account.Name", "Amount", "CloseDate"]);
    assert_eq!(
        texts(&parents.rows),
        [
            ["Acme", "100.5", "2024-02-29"],
            ["Acme", "200.0", "2024-03-01"]
        ]
    );
    assert!(matches!(parents.rows[0][1], Cell::Number(_)));
    assert!(matches!(parents.rows[0][2], Cell::Date(_)));

    // Aggregates by alias and exprN, grouped parent fields under their dotted name.
    let grouped = run(
        &mut window,
        3,
        "SELECT Account.Name, COUNT(Id), SUM(Amount) total FROM Opportunity GROUP BY Account.Name ORDER BY Account.Name",
    )
    .await
    .unwrap();
    assert_eq!(grouped.headers, ["Account.Name", "expr0", "total"]);
    assert_eq!(
        texts(&grouped.rows),
        [["Acme", "2", "300.5"], ["Globex", "1", "50.0"]]
    );
    let count = run(&mut window, 4, "SELECT COUNT() FROM Contact")
        .await
        .unwrap();
    assert_eq!(
        (count.headers, texts(&count.rows)),
        (vec!["count".to_string()], vec![vec!["2".to_string()]])
    );

    // A refused statement comes back with the org's words, placed on the offending token.
    let bad = "SELECT Id FROM Account WHERE Name = 'Acme' ORDER BY";
    let (code, message) = run(&mut window, 5, bad).await.err().expect("refused");
    assert_eq!(code, "MALFORMED_QUERY", "{message}");
    let marked = locate(bad, &message).unwrap_or_else(|| panic!("no position in {message}"));
    assert_eq!(&bad[marked.span.clone()], "BY", "{message}");
    let typo = "SELECT Id, Nmae FROM Account";
    let (code, message) = run(&mut window, 6, typo).await.err().expect("refused");
    assert_eq!(code, "INVALID_FIELD");
    let marked = locate(typo, &message).expect("placed");
    assert_eq!(&typo[marked.span], "Nmae", "{message}");

    // More than a page of records arrives in pages, each shown as it comes.
    let many: Vec<Value> = (0..2100)
        .map(|i| json!({"LastName": format!("Many {i:04}")}))
        .collect();
    create(&org, "Contact", many).await;
    let paged = run(
        &mut window,
        7,
        "SELECT LastName FROM Contact ORDER BY LastName",
    )
    .await
    .unwrap();
    assert_eq!((paged.rows.len(), paged.total), (2102, 2102));
    assert!(paged.pages >= 2, "{} pages", paged.pages);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn plans_and_exports_come_from_the_org() {
    let dir = tempfile::tempdir().unwrap();
    let mut window = Window::start(empty_sandbox_config(
        dir.path(),
        dir.path().join("workspace.sqlite"),
    ));
    let org = connected(&mut window).await;
    let accounts: Vec<Value> = (0..30)
        .map(|i| json!({"Name": format!("Account {i:02}"), "NumberOfEmployees": i * 10, "Description": "=1+1"}))
        .collect();
    create(&org, "Account", accounts).await;

    let explain = |soql: &str| {
        Request::Query(QueryRequest::Explain {
            connection: CONNECTION.into(),
            soql: soql.into(),
        })
    };
    let plans = |e: &Event| match e {
        Event::Query(QueryEvent::Plans { plans, .. }) => Some(plans.clone()),
        _ => None,
    };
    window.send(explain("SELECT Id FROM Account WHERE Name = 'Account 07'"));
    let selective: QueryPlans = window.wait("plans", plans).await;
    let best = &selective.plans[0];
    assert_eq!(
        (
            best.leading_operation_type.as_str(),
            best.fields.clone(),
            best.cardinality,
            best.sobject_cardinality,
            best.sobject_type.as_str()
        ),
        ("Index", vec!["Name".to_string()], 1.0, 30.0, "Account")
    );
    assert!(best.relative_cost < 1.0, "{best:?}");
    window.send(explain(
        "SELECT Id FROM Account WHERE NumberOfEmployees > 100",
    ));
    let scan = window.wait("plans", plans).await;
    assert_eq!(scan.plans.len(), 1);
    assert_eq!(scan.plans[0].leading_operation_type, "TableScan");
    assert!(scan.plans[0].relative_cost >= 1.0);
    assert_eq!(scan.plans[0].cardinality, 19.0);
    assert_eq!(scan.plans[0].notes[0].fields, ["NumberOfEmployees"]);

    let export = |path: PathBuf| {
        Request::Query(QueryRequest::Export {
            connection: CONNECTION.into(),
            soql: "SELECT Name, NumberOfEmployees, Description, CreatedDate FROM Account ORDER BY Name".into(),
            path,
        })
    };
    let exported = |e: &Event| match e {
        Event::Query(QueryEvent::Exported { path, rows }) => Some((path.clone(), *rows)),
        _ => None,
    };
    let xlsx = dir.path().join("accounts.xlsx");
    window.send(export(xlsx.clone()));
    assert_eq!(
        window.wait("the workbook", exported).await,
        (xlsx.clone(), 30)
    );
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let sheet = book.worksheet_range("Query").unwrap();
    assert_eq!(sheet.height(), 31);
    assert_eq!(sheet.get((0, 3)), Some(&Data::String("CreatedDate".into())));
    assert_eq!(sheet.get((8, 0)), Some(&Data::String("Account 07".into())));
    assert_eq!(sheet.get((8, 1)), Some(&Data::Float(70.0)));
    assert_eq!(
        sheet.get((8, 2)),
        Some(&Data::String("=1+1".into())),
        "text, never a formula"
    );
    assert!(
        matches!(sheet.get((8, 3)), Some(Data::DateTime(_))),
        "{:?}",
        sheet.get((8, 3))
    );

    let csv = dir.path().join("accounts.csv");
    window.send(export(csv.clone()));
    assert_eq!(window.wait("the CSV", exported).await, (csv.clone(), 30));
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("Name,NumberOfEmployees,Description,CreatedDate")
    );
    assert!(
        lines.next().unwrap().starts_with("Account 00,0,'=1+1,"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 31);
}
