//! The wizard's steps as the person moves through them and back.

use std::path::PathBuf;

use super::*;
use crate::desktop::{Event, FilePreview, ImportProposal, ImportReport, Topic};
use crate::import::mapping::ImportMapping;
use crate::import::run::ImportSummary;

fn path() -> PathBuf {
    PathBuf::from("/tmp/deals.csv")
}

fn report(run_id: Option<i64>, to_create: u64) -> Box<ImportReport> {
    Box::new(ImportReport {
        summary: ImportSummary {
            run_id,
            to_create,
            created: to_create,
            ..Default::default()
        },
        rows: Vec::new(),
    })
}

/// The wizard on the Check step with a report of two rows to create.
fn checked() -> (ImportState, Vec<Request>) {
    let mut state = ImportState::default();
    let mut out = Vec::new();
    state.apply(ImportCommand::SetConnection("Acme".into()), &mut out);
    state.apply(ImportCommand::Open(path()), &mut out);
    state.on_event(&Event::FilePreview(Box::new(FilePreview {
        path: path(),
        format: "CSV".into(),
        sheets: Vec::new(),
        sheet: None,
        headers: vec!["Deal Name".into()],
        rows: Vec::new(),
        more: false,
    })));
    state.apply(ImportCommand::Propose, &mut out);
    state.on_event(&Event::ImportProposal(Box::new(ImportProposal {
        path: path(),
        connection: "Acme".into(),
        headers: vec!["Deal Name".into()],
        fields: Vec::new(),
        mapping: ImportMapping::new(DEFAULT_OBJECT),
        notes: Vec::new(),
        template: None,
    })));
    assert_eq!(state.current_step(), Step::Map);
    state.apply(ImportCommand::Check, &mut out);
    state.on_event(&Event::ImportChecked(report(None, 2)));
    assert!(matches!(
        &state.wizard,
        Wizard::Check(step) if matches!(step.check, Check::Report { .. })
    ));
    (state, out)
}

fn asked(out: &[Request], what: fn(&Request) -> bool) -> usize {
    out.iter().filter(|r| what(r)).count()
}

#[test]
fn no_check_starts_and_no_step_is_left_while_rows_are_sent() {
    let (mut state, mut out) = checked();
    state.apply(ImportCommand::Load, &mut out);
    assert_eq!(state.current_step(), Step::Import);
    assert!(state.wizard.working());
    for step in [Step::File, Step::Map, Step::Check] {
        assert!(!state.reachable(step), "{step:?} while sending");
        state.apply(ImportCommand::GoTo(step), &mut out);
    }
    state.apply(ImportCommand::Check, &mut out);
    assert_eq!(state.current_step(), Step::Import);
    assert_eq!(
        asked(&out, |r| matches!(r, Request::CheckImport(_))),
        1,
        "only the check before the load: {out:?}"
    );
}

#[test]
fn a_finished_import_stays_one_step_away_from_every_earlier_step() {
    let (mut state, mut out) = checked();
    state.apply(ImportCommand::Load, &mut out);
    state.on_event(&Event::ImportFinished(report(Some(7), 2)));
    assert!(!state.wizard.working());

    state.apply(ImportCommand::GoTo(Step::File), &mut out);
    assert_eq!(state.current_step(), Step::File);
    for step in Step::ALL {
        assert!(state.reachable(step), "{step:?} from File");
    }
    // "Map columns" with nothing changed goes back to the edits without a new proposal.
    state.apply(ImportCommand::Propose, &mut out);
    assert_eq!(state.current_step(), Step::Map);
    assert_eq!(
        asked(&out, |r| matches!(r, Request::ProposeImport { .. })),
        1
    );
    state.apply(ImportCommand::GoTo(Step::Import), &mut out);
    state.apply(ImportCommand::AskUndo, &mut out);
    state.apply(ImportCommand::Undo, &mut out);
    assert!(
        out.contains(&Request::UndoImport {
            run_id: 7,
            overwrite_salesforce_edits: false
        }),
        "{out:?}"
    );
    assert!(state.wizard.working(), "the undo holds the Import step");
}

#[test]
fn a_load_that_fails_before_its_report_leads_back_to_the_check_only() {
    let (mut state, mut out) = checked();
    state.apply(ImportCommand::Load, &mut out);
    state.on_event(&Event::Failed {
        topic: Topic::Import,
        message: "The org answered 503".into(),
    });
    assert!(matches!(&state.wizard, Wizard::Import(step) if matches!(step.load, Load::Stopped)));
    assert_eq!(state.failure.as_deref(), Some("The org answered 503"));
    state.apply(ImportCommand::GoTo(Step::Check), &mut out);
    assert_eq!(state.current_step(), Step::Check);
    assert!(
        !state.reachable(Step::Import),
        "a load without a report is not a step to return to"
    );
    state.apply(ImportCommand::Load, &mut out);
    assert_eq!(asked(&out, |r| matches!(r, Request::LoadImport(_))), 2);
}
