//! Undo in History, on the real service and the built-in sandbox org: the CLI's refusal of a
//! run with later runs after it, then the later run undone, its local rows put back.

use crate::e2e::{count, set_remote_phone};
use crate::support::live::{click, nav, wait_for, wait_for_containing, wait_until, window};
use egui_kittest::kittest::Queryable;
use tether::workspace::Workspace;

fn phone(dir: &std::path::Path, id: &str) -> Option<String> {
    let ws = Workspace::open(&dir.join("workspace.sqlite")).unwrap();
    ws.conn()
        .query_row("SELECT phone FROM accounts WHERE sf_id = ?1", [id], |r| {
            r.get(0)
        })
        .unwrap()
}

fn sync_now(
    h: &mut egui_kittest::Harness<'static, tether::ui::TetherApp>,
    dir: &std::path::Path,
    runs: i64,
) {
    nav(h, "Dashboard");
    wait_for(h, "Sync Now");
    h.get_all_by_label("Sync Now").next().unwrap().click();
    wait_until(h, "the run to finish", |_| {
        count(
            dir,
            "SELECT count(*) FROM tether_runs WHERE status NOT IN ('running')",
        ) >= runs
    });
}

#[test]
fn history_undoes_a_run_with_the_clis_refusals_and_puts_its_rows_back() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut h = window(dir, 50, true, 900.0);
    click(&mut h, "Explore the sandbox org");
    wait_for(&mut h, "Status of Accounts: Not synced yet");

    sync_now(&mut h, dir, 1);
    let first = count(dir, "SELECT max(id) FROM tether_runs");
    let id: String = {
        let ws = Workspace::open(&dir.join("workspace.sqlite")).unwrap();
        ws.conn()
            .query_row(
                "SELECT sf_id FROM accounts ORDER BY sf_id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let before = phone(dir, &id);
    let instance = h
        .state()
        .model()
        .connections
        .iter()
        .find(|c| c.embedded)
        .map(|c| c.instance_url.clone())
        .unwrap();
    set_remote_phone(&instance, &id, "555-0142");
    sync_now(&mut h, dir, 2);
    let second = count(dir, "SELECT max(id) FROM tether_runs");
    assert_eq!(
        phone(dir, &id).as_deref(),
        Some("555-0142"),
        "the second run pulled the phone"
    );

    // The first run has a later run after it: refused, as `tether undo` refuses, nothing written.
    nav(&mut h, "History");
    click(&mut h, &format!("Run #{first}"));
    click(&mut h, "Undo this run…");
    click(&mut h, &format!("Undo run #{first}"));
    wait_for_containing(
        &mut h,
        &format!("later runs of Accounts changed records since run {first}: undo them first"),
    );
    assert_eq!(
        count(
            dir,
            "SELECT count(*) FROM tether_runs WHERE trigger = 'undo'"
        ),
        0
    );

    // The later run says what it changed on which side, with the values before and after.
    click(&mut h, &format!("Run #{second}"));
    wait_for(
        &mut h,
        "Local: 0 created · 1 updated · 0 deleted · 0 archived",
    );
    wait_for(&mut h, "Salesforce: 0 created · 0 updated · 0 deleted");
    wait_for(&mut h, &format!("Local updated {id}"));
    // Each changed field, before and after: the phone the run pulled.
    let was = before
        .as_deref()
        .filter(|p| !p.is_empty())
        .unwrap_or("empty");
    wait_for(&mut h, &format!("phone: {was} → 555-0142"));

    // The later run undone: its pulled phone goes back.
    click(&mut h, "Undo this run…");
    click(&mut h, &format!("Undo run #{second}"));
    wait_for_containing(&mut h, "Undone by run #");
    assert_eq!(phone(dir, &id), before, "the undo put the row back");
    assert_eq!(
        count(
            dir,
            &format!("SELECT undone_by IS NOT NULL FROM tether_runs WHERE id = {second}")
        ),
        1
    );
    assert!(
        h.query_by_label("Undo this run…").is_none(),
        "an undone run is not offered again"
    );
}
