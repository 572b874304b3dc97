//! Sync Now while another program holds the workspace lock, in the real window on the real
//! service and the built-in sandbox org: the card waits in the queue saying who holds the
//! lock, records nothing, and syncs once the lock frees; Cancel leaves the queue.

use std::path::Path;

use crate::support::live::{wait_for, wait_for_containing, window};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tether::run::SyncLock;
use tether::ui::TetherApp;
use tether::workspace::Workspace;

fn count(dir: &Path, query: &str) -> i64 {
    let ws = Workspace::open(&dir.join("workspace.sqlite")).expect("workspace");
    ws.conn().query_row(query, [], |r| r.get(0)).expect(query)
}

fn connected(dir: &Path) -> Harness<'static, TetherApp> {
    let mut h = window(dir, 20, true, 900.0);
    wait_for(&mut h, "Explore the sandbox org");
    h.get_by_label("Explore the sandbox org").click();
    wait_for(&mut h, "Status of Accounts: Not synced yet");
    h
}

fn sync_now(h: &mut Harness<'static, TetherApp>) {
    let button = h
        .get_all_by_label("Sync Now")
        .next()
        .unwrap()
        .rect()
        .center();
    h.hover_at(button);
    h.step();
    h.get_all_by_label("Sync Now").next().unwrap().click();
    h.step();
}

/// The text of the first node whose label contains `text`.
fn label_containing(h: &Harness<'static, TetherApp>, text: &str) -> String {
    h.query_all_by_label_contains(text)
        .next()
        .and_then(|n| {
            let node = n.accesskit_node();
            node.label().or_else(|| node.value())
        })
        .unwrap_or_default()
}

#[test]
fn sync_now_waits_for_the_lock_another_program_holds_then_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut h = connected(dir);

    // Another program (here another handle, as `tether sync` would hold it) has the lock.
    let held = SyncLock::acquire(&dir.join("workspace.sqlite")).expect("the lock is free");
    sync_now(&mut h);
    wait_for_containing(&mut h, "Waiting for another sync to finish");
    let waiting = label_containing(&h, "Waiting for another sync to finish");
    assert!(
        waiting.contains(&format!("pid {}", std::process::id())),
        "the card says who holds the lock: {waiting}"
    );
    assert_eq!(
        count(dir, "SELECT count(*) FROM tether_runs"),
        0,
        "waiting is not a failed run"
    );
    assert!(
        h.query_all_by_label_contains("sync failed")
            .next()
            .is_none(),
        "no failure toast while waiting"
    );

    drop(held);
    wait_for_containing(&mut h, "Account ⇄ accounts (Both):");
    assert_eq!(
        count(
            dir,
            "SELECT count(*) FROM tether_runs WHERE trigger = 'button' AND status = 'succeeded'"
        ),
        1
    );
    assert_eq!(
        count(dir, "SELECT count(*) FROM tether_runs"),
        1,
        "one run, and no failed one"
    );
    assert!(count(dir, "SELECT count(*) FROM accounts") > 0);
}

#[test]
fn cancel_while_waiting_for_the_lock_leaves_the_queue_and_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let mut h = connected(dir);
    let held = SyncLock::acquire(&dir.join("workspace.sqlite")).expect("the lock is free");
    sync_now(&mut h);
    wait_for_containing(&mut h, "Waiting for another sync to finish");
    h.get_by_label("Cancel sync of Accounts").click();
    h.step();
    wait_for(&mut h, "Status of Accounts: Not synced yet");
    crate::support::live::wait_until(&mut h, "the card back to Sync Now", |h| {
        h.query_all_by_label("Sync Now").next().is_some()
            && h.query_all_by_label("Cancel sync of Accounts")
                .next()
                .is_none()
    });
    assert_eq!(count(dir, "SELECT count(*) FROM tether_runs"), 0);
    // The lock frees later: the cancelled sync does not run after all, and the lock is free.
    drop(held);
    // Blocks until whoever holds the lock lets go: the cancelled waiter must not keep it.
    let again = SyncLock::wait(&dir.join("workspace.sqlite")).expect("the lock frees");
    drop(again);
    assert_eq!(count(dir, "SELECT count(*) FROM tether_runs"), 0);
}
