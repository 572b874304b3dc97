use chrono::Utc;
use serde_json::json;

use super::*;
use crate::workspace::journal::tests::workspace_with_link;
use crate::workspace::journal::{
    RecordFailure, RunCounts, Side, audit_log, finish_run, record_error, start_run,
};

fn failure(code: &str, message: &str, key: &str) -> RecordFailure {
    RecordFailure {
        side: Side::Salesforce,
        sf_id: Some(format!("001{key:0>15}")),
        row_key: Some(key.to_string()),
        code: code.into(),
        message: message.into(),
        fields: vec!["Name".into()],
        payload: Some(json!({"Name": format!("Company {key}")})),
        hint: String::new(),
    }
}

fn finished(conn: &Connection, link: i64, status: RunStatus, failed: u64) -> i64 {
    let run = start_run(conn, link, "customers", Trigger::Cli, None).unwrap();
    let counts = RunCounts {
        created: 2,
        updated: 1,
        failed,
        ..Default::default()
    };
    finish_run(conn, run, status, &counts, None).unwrap();
    run
}

#[test]
fn runs_are_paged_filtered_sorted_and_counted() {
    let (_dir, ws, link) = workspace_with_link();
    let conn = ws.conn();
    let mut ids = Vec::new();
    for i in 0..7 {
        let status = if i % 3 == 0 {
            RunStatus::Partial
        } else {
            RunStatus::Succeeded
        };
        ids.push(finished(conn, link, status, if i % 3 == 0 { i } else { 0 }));
    }
    let all = runs_page(conn, &RunQuery::default(), 0, 3).unwrap();
    assert_eq!(all.total, 7);
    assert_eq!(
        all.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ids[6], ids[5], ids[4]]
    );
    let tail = runs_page(conn, &RunQuery::default(), 6, 3).unwrap();
    assert_eq!(tail.rows.len(), 1);
    assert_eq!(tail.rows[0].id, ids[0]);

    let partial = RunQuery {
        status: Some(RunStatus::Partial),
        ..Default::default()
    };
    assert_eq!(runs_page(conn, &partial, 0, 10).unwrap().total, 3);
    let with_errors = RunQuery {
        with_errors: true,
        sort: RunSort::MostFailed,
        ..Default::default()
    };
    let page = runs_page(conn, &with_errors, 0, 10).unwrap();
    assert_eq!(page.total, 2, "run 0 partial but with no failed records");
    assert_eq!(page.rows[0].id, ids[6], "most failed first");
    let other_link = RunQuery {
        link: Some("leads".into()),
        ..Default::default()
    };
    assert_eq!(runs_page(conn, &other_link, 0, 10).unwrap().total, 0);
    let tomorrow = RunQuery {
        since: Some(Utc::now().date_naive() + Duration::days(1)),
        ..Default::default()
    };
    let page = runs_page(conn, &tomorrow, 0, 10).unwrap();
    assert_eq!((page.total, page.rows.len()), (0, 0));
    let oldest = RunQuery {
        sort: RunSort::Oldest,
        trigger: Some(Trigger::Cli),
        ..Default::default()
    };
    assert_eq!(runs_page(conn, &oldest, 0, 1).unwrap().rows[0].id, ids[0]);
}

#[test]
fn errors_are_searched_filtered_grouped_and_counted() {
    let (_dir, ws, link) = workspace_with_link();
    let conn = ws.conn();
    let first = finished(conn, link, RunStatus::Partial, 2);
    let second = finished(conn, link, RunStatus::Partial, 1);
    let a = record_error(
        conn,
        first,
        &failure(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [Name]",
            "7",
        ),
    )
    .unwrap();
    let b = record_error(
        conn,
        first,
        &failure("STRING_TOO_LONG", "Name: data value too large", "8"),
    )
    .unwrap();
    let c = record_error(
        conn,
        second,
        &failure(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [Name]",
            "9",
        ),
    )
    .unwrap();

    let all = errors_page(conn, &ErrorQuery::default(), 0, 10).unwrap();
    assert_eq!(all.total, 3);
    assert_eq!(
        all.rows.iter().map(|e| e.error.id).collect::<Vec<_>>(),
        vec![c, b, a]
    );
    assert_eq!(all.rows[0].link_name, "customers");

    let search = |text: &str| ErrorQuery {
        text: text.into(),
        ..Default::default()
    };
    let by_word = errors_page(conn, &search("too lar"), 0, 10).unwrap();
    assert_eq!(
        by_word.rows.iter().map(|e| e.error.id).collect::<Vec<_>>(),
        vec![b]
    );
    assert_eq!(by_word.total, 1);
    let by_code = errors_page(conn, &search("REQUIRED_FIELD_MISSING"), 0, 10).unwrap();
    assert_eq!(by_code.total, 2);
    let by_payload = errors_page(conn, &search("company 9"), 0, 10).unwrap();
    assert_eq!(
        by_payload
            .rows
            .iter()
            .map(|e| e.error.id)
            .collect::<Vec<_>>(),
        vec![c]
    );
    let by_id = errors_page(conn, &search("001000000000000008"), 0, 10).unwrap();
    assert_eq!(by_id.rows.len(), 1);
    assert_eq!(errors_page(conn, &search("\"odd"), 0, 10).unwrap().total, 0);

    let of_run = ErrorQuery {
        run: Some(first),
        sort: ErrorSort::Oldest,
        ..Default::default()
    };
    let page = errors_page(conn, &of_run, 0, 10).unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.rows[0].error.id, a);
    let of_code = ErrorQuery {
        code: Some("STRING_TOO_LONG".into()),
        object: Some("Account".into()),
        ..Default::default()
    };
    assert_eq!(errors_page(conn, &of_code, 0, 10).unwrap().total, 1);
    let other_object = ErrorQuery {
        object: Some("Lead".into()),
        ..Default::default()
    };
    assert_eq!(errors_page(conn, &other_object, 0, 10).unwrap().total, 0);

    let groups = error_groups(conn, &ErrorQuery::default()).unwrap();
    assert_eq!(
        groups
            .iter()
            .map(|g| (g.code.as_str(), g.count))
            .collect::<Vec<_>>(),
        vec![("REQUIRED_FIELD_MISSING", 2), ("STRING_TOO_LONG", 1)]
    );
    assert!(
        groups[0].hint.contains("Salesforce needs"),
        "{}",
        groups[0].hint
    );
    let searched = error_groups(conn, &search("name")).unwrap();
    assert_eq!(searched.iter().map(|g| g.count).sum::<u64>(), 3);
    let of_second = error_groups(
        conn,
        &ErrorQuery {
            run: Some(second),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(of_second.len(), 1);

    let picked = errors_by_ids(conn, &[c, 9999, a]).unwrap();
    assert_eq!(
        picked.iter().map(|e| e.error.id).collect::<Vec<_>>(),
        vec![c, a]
    );

    // Deleting a run takes its errors out of the totals and the text index.
    conn.execute("DELETE FROM tether_runs WHERE id = ?1", [second])
        .unwrap();
    assert_eq!(
        errors_page(conn, &ErrorQuery::default(), 0, 10)
            .unwrap()
            .total,
        2
    );
    assert_eq!(
        errors_page(conn, &search("company 9"), 0, 10)
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        runs_page(conn, &RunQuery::default(), 0, 10).unwrap().total,
        1
    );
}

#[test]
fn daily_totals_cover_every_day_with_gaps_as_zero() {
    let (_dir, ws, link) = workspace_with_link();
    let conn = ws.conn();
    let today = Utc::now().date_naive();
    let old = finished(conn, link, RunStatus::Partial, 4);
    let two_days_ago = (today - Duration::days(2)).format("%Y-%m-%dT10:00:00.000Z");
    conn.execute(
        "UPDATE tether_runs SET started_at = ?2 WHERE id = ?1",
        params![old, two_days_ago.to_string()],
    )
    .unwrap();
    finished(conn, link, RunStatus::Succeeded, 0);
    finished(conn, link, RunStatus::Succeeded, 0);

    let days = daily_totals(conn, 4, today).unwrap();
    assert_eq!(days.len(), 4);
    assert_eq!(days[0].day, today - Duration::days(3));
    let shape: Vec<(u64, u64)> = days.iter().map(|d| (d.synced, d.failed)).collect();
    assert_eq!(shape, vec![(0, 0), (3, 4), (0, 0), (6, 0)]);
    assert!(daily_totals(conn, 0, today).unwrap().is_empty());
}

#[test]
fn a_timeline_reads_the_run_and_its_audit_entries() {
    let (_dir, ws, link) = workspace_with_link();
    let conn = ws.conn();
    let run = finished(conn, link, RunStatus::Partial, 1);
    record_error(conn, run, &failure("STRING_TOO_LONG", "too long", "1")).unwrap();
    let undo = start_run(conn, link, "customers", Trigger::Undo, Some(run)).unwrap();
    super::super::set_undone_by(conn, run, undo).unwrap();
    let record = super::super::run(conn, run).unwrap().unwrap();
    let timeline = run_timeline(conn, &record).unwrap();
    let words: Vec<&str> = timeline.iter().map(|(_, w)| w.as_str()).collect();
    assert!(words[0].starts_with("Started"), "{words:?}");
    assert!(words.contains(&"1 record failed"), "{words:?}");
    assert!(
        words.contains(&"Finished: some records failed"),
        "{words:?}"
    );
    assert_eq!(*words.last().unwrap(), format!("Undone by run #{undo}"));
    assert!(
        timeline.windows(2).all(|w| w[0].0 <= w[1].0),
        "oldest first"
    );
    assert_eq!(audit_log(conn, 1).unwrap()[0].action, "run.finish");
}

/// Every page query walks an index: none scans a whole table of runs or errors.
#[test]
fn page_queries_use_indexes() {
    let (_dir, ws, _link) = workspace_with_link();
    let conn = ws.conn();
    let plan = |sql: &str| -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        stmt.query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .map(|r| r.unwrap())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let cases = [
        "SELECT id FROM tether_runs ORDER BY id DESC LIMIT 200 OFFSET 900000",
        "SELECT id FROM tether_runs WHERE status = 'failed' ORDER BY id DESC LIMIT 200",
        "SELECT id FROM tether_runs WHERE link_name = 'a' ORDER BY id DESC LIMIT 200",
        "SELECT id FROM tether_runs ORDER BY failed DESC, id DESC LIMIT 200",
        "SELECT e.id FROM tether_run_errors e WHERE e.code = 'X' ORDER BY e.id DESC LIMIT 200",
        "SELECT e.id FROM tether_run_errors e WHERE e.link_name = 'a' ORDER BY e.id DESC LIMIT 200",
        "SELECT e.id FROM tether_run_errors_text JOIN tether_run_errors e \
         ON e.id = tether_run_errors_text.rowid WHERE tether_run_errors_text MATCH 'x' \
         ORDER BY tether_run_errors_text.rowid DESC LIMIT 200",
        "SELECT coalesce(sum(runs), 0) FROM tether_run_totals WHERE status = 'failed'",
    ];
    for sql in cases {
        let plan = plan(sql);
        assert!(!plan.contains("USE TEMP B-TREE"), "{sql}: sorts: {plan}");
        // Reading runs newest first without a filter walks the table itself, in id order.
        for table in ["tether_runs", "tether_run_errors"]
            .iter()
            .filter(|_| sql.contains("WHERE"))
        {
            assert!(
                !plan.contains(&format!("SCAN {table} "))
                    && !plan.ends_with(&format!("SCAN {table}")),
                "{sql}: full scan: {plan}"
            );
        }
    }
    let timeline = plan(
        "SELECT at FROM tether_audit WHERE action IN ('run.finish', 'run.interrupted') \
         AND (CASE WHEN json_valid(detail) THEN json_extract(detail, '$.run') END) = 5",
    );
    assert!(timeline.contains("tether_audit_by_run"), "{timeline}");
}
