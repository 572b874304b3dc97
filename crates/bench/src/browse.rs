//! The Records page's list on a large object: open it, page to its end, search it. Each page
//! is one call and must answer within the target at the benchmark's latency, however deep
//! the page (keyset paging, never OFFSET).

use std::time::{Duration, Instant};

use tether::browse::{self, ListPlan, ListSpec, Pager};
use tether::salesforce::Client;

use crate::targets::{CallTarget, TargetRow};

/// Longest a page may take at the benchmark's latency.
pub const PAGE_SECONDS: f64 = 0.3;
/// Rows per page while paging to the end.
pub const PAGE_ROWS: usize = 500;

/// Pages of one list: the slowest, the most calls any page made, and the total.
struct Paged {
    pages: usize,
    rows: usize,
    slowest: Duration,
    most_calls: u64,
    total: Duration,
}

impl Paged {
    fn row(&self, work: String, note: &str) -> TargetRow {
        TargetRow {
            work,
            elapsed: self.slowest,
            calls: self.most_calls,
            bound: Some(1),
            path: format!("keyset {} pages", self.pages),
            rss_growth_mb: None,
            target_seconds: Some(PAGE_SECONDS),
            target_mb: None,
            target_calls: Some(CallTarget::AtMost(1)),
            note: format!(
                "slowest page; {} rows in {:.1} s, {:.0} ms a page{note}",
                self.rows,
                self.total.as_secs_f64(),
                self.total.as_secs_f64() * 1000.0 / self.pages.max(1) as f64
            ),
        }
    }
}

/// Reads pages of `plan` from the first, at most `limit` of them.
async fn pages(client: &Client, plan: &ListPlan, limit: usize) -> anyhow::Result<Paged> {
    let mut pager = Pager::default();
    let mut paged = Paged {
        pages: 0,
        rows: 0,
        slowest: Duration::ZERO,
        most_calls: 0,
        total: Duration::ZERO,
    };
    while paged.pages < limit {
        let before = client.requests_answered();
        let started = Instant::now();
        let page = browse::fetch_page(client, plan, pager.start()).await?;
        let elapsed = started.elapsed();
        paged.pages += 1;
        paged.rows += page.rows.len();
        paged.slowest = paged.slowest.max(elapsed);
        paged.total += elapsed;
        paged.most_calls = paged.most_calls.max(client.requests_answered() - before);
        match page.next {
            Some(key) => pager.next(key),
            None => break,
        }
    }
    Ok(paged)
}

/// The list rows, on an org holding `records` Accounts named `Bench Account NNNNNN`.
pub async fn rows(client: &Client, records: usize) -> anyhow::Result<Vec<TargetRow>> {
    let mut rows = Vec::new();

    let started = Instant::now();
    let before = client.requests_answered();
    let catalog = browse::catalog(client, "Account").await?;
    let described = client.requests_answered() - before;
    let spec = ListSpec::new("Account");
    let plan = ListPlan::new(&spec, &catalog)?;
    let first = pages(client, &plan, 1).await?;
    let opened = started.elapsed();
    rows.push(first.row(
        format!("records list: open Account ({records})"),
        &format!(
            "; with its {described} describes first, {:.0} ms",
            opened.as_secs_f64() * 1000.0
        ),
    ));

    let deep = ListSpec {
        page_size: PAGE_ROWS,
        ..ListSpec::new("Account")
    };
    let plan = ListPlan::new(&deep, &catalog)?;
    let all = pages(client, &plan, usize::MAX).await?;
    let mut row = all.row(
        format!("records list: page to the end, {PAGE_ROWS} a page"),
        "",
    );
    if all.rows != records {
        row.note.push_str(&format!("; expected {records} rows"));
        row.target_calls = Some(CallTarget::AtMost(0));
    }
    rows.push(row);

    let wanted = records / 2;
    let search = ListSpec {
        search: format!("{wanted:06}"),
        ..ListSpec::new("Account")
    };
    let plan = ListPlan::new(&search, &catalog)?;
    let found = pages(client, &plan, usize::MAX).await?;
    let mut row = found.row(format!("records search: one name in {records}"), "");
    if found.rows != 1 {
        row.note.push_str("; expected 1 row");
        row.target_calls = Some(CallTarget::AtMost(0));
    }
    rows.push(row);

    let broad = ListSpec {
        search: "bench".to_string(),
        ..ListSpec::new("Account")
    };
    let plan = ListPlan::new(&broad, &catalog)?;
    let many = pages(client, &plan, 5).await?;
    rows.push(many.row(
        "records search: every name matches, 5 pages".to_string(),
        "",
    ));
    Ok(rows)
}
