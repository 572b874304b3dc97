//! File dialogs, asked on threads of their own so the window keeps drawing, and the typed
//! path that stands in where no dialog can open.
//!
//! On Linux a dialog needs a desktop portal with a file chooser, or zenity. `rfd` answers
//! "no file" both when the person cancels and when neither exists, so the picker asks first
//! and says [`Picked::Unavailable`]; the page then offers a [`PathPrompt`].

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;

use egui::{Id, RichText, Ui};

use super::Page;
use super::theme::GRID;

/// What a file dialog is for.
#[derive(Debug, Clone, PartialEq)]
pub struct FileQuestion {
    pub title: &'static str,
    /// The filter's name and its extensions, without dots.
    pub filter: (&'static str, &'static [&'static str]),
    /// `Some` asks where to save, suggesting this file name; `None` asks for a file to open.
    pub save_as: Option<String>,
}

/// A file dialog's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Picked {
    Path(PathBuf),
    Cancelled,
    /// No dialog can open on this desktop.
    Unavailable,
}

/// Shows a file dialog and waits for its answer. It runs on a thread of its own.
pub type Picker = Arc<dyn Fn(&FileQuestion) -> Picked + Send + Sync>;

/// What a file dialog is for, and so which page its answer goes back to. A page asks with
/// [`Command::AskFile`](super::Command::AskFile); the answer comes back through the window's
/// inbox as [`Command::FileChosen`](super::Command::FileChosen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileFor {
    /// A spreadsheet for the import wizard to open.
    Spreadsheet,
    /// Where to save the checked errors as CSV.
    ErrorsExport,
    /// Where to export the named link.
    LinkExport(String),
    /// A links file for the mapping studio to read.
    LinksImport,
    /// Where to write the SOQL explorer's result (CSV or XLSX).
    QueryExport,
    /// Where to save the named chart's data as CSV.
    ChartExport(String),
}

impl FileFor {
    /// The page that asked; it has at most one dialog open at a time.
    pub fn page(&self) -> Page {
        match self {
            FileFor::Spreadsheet => Page::Import,
            FileFor::ErrorsExport => Page::Errors,
            FileFor::LinkExport(_) | FileFor::LinksImport => Page::Mappings,
            FileFor::QueryExport => Page::Query,
            FileFor::ChartExport(_) => Page::Analytics,
        }
    }

    pub fn question(&self) -> FileQuestion {
        match self {
            FileFor::Spreadsheet => FileQuestion {
                title: "Choose a spreadsheet to import",
                filter: ("Spreadsheets", &["csv", "tsv", "txt", "xlsx"]),
                save_as: None,
            },
            FileFor::ErrorsExport => FileQuestion {
                title: "Export errors",
                filter: ("CSV", &["csv"]),
                save_as: Some(ERRORS_FILE_NAME.into()),
            },
            FileFor::LinkExport(name) => FileQuestion {
                title: "Export link",
                filter: ("Tether links", &["json"]),
                save_as: Some(format!("{name}.json")),
            },
            FileFor::LinksImport => FileQuestion {
                title: "Import links",
                filter: ("Tether links", &["json"]),
                save_as: None,
            },
            FileFor::QueryExport => FileQuestion {
                title: "Export query result",
                filter: ("Spreadsheets", &["xlsx", "csv"]),
                save_as: Some("query.xlsx".into()),
            },
            FileFor::ChartExport(title) => FileQuestion {
                title: "Export chart data",
                filter: ("CSV", &["csv"]),
                save_as: Some(chart_file_name(title)),
            },
        }
    }
}

/// The file name the errors export suggests.
pub const ERRORS_FILE_NAME: &str = "tether-errors.csv";

/// The system's dialogs, through `rfd`, when this desktop can show one.
pub fn system_picker() -> Picker {
    Arc::new(|question: &FileQuestion| {
        if !dialogs_can_open() {
            return Picked::Unavailable;
        }
        let dialog = rfd::FileDialog::new()
            .set_title(question.title)
            .add_filter(question.filter.0, question.filter.1);
        let path = match &question.save_as {
            Some(name) => dialog.set_file_name(name).save_file(),
            None => dialog.pick_file(),
        };
        path.map_or(Picked::Cancelled, Picked::Path)
    })
}

/// Asks `question` with `picker` on a thread of its own; `reply` gets the answer there (the
/// caller posts it to the window's inbox, which wakes the window). A picker that panics
/// answers [`Picked::Unavailable`], and so does a thread that cannot start, so the page is
/// never left waiting.
pub fn ask(picker: Picker, question: FileQuestion, reply: impl FnOnce(Picked) + Send + 'static) {
    // The reply is handed back if the thread cannot start.
    let (tx, rx) = std::sync::mpsc::channel::<Box<dyn FnOnce(Picked) + Send>>();
    let spawned = std::thread::Builder::new()
        .name("tether-file-dialog".into())
        .spawn(move || {
            if let Ok(reply) = rx.recv() {
                let asked = std::panic::catch_unwind(AssertUnwindSafe(|| picker(&question)));
                reply(asked.unwrap_or(Picked::Unavailable));
            }
        });
    match spawned {
        Ok(_) => {
            let _ = tx.send(Box::new(reply));
        }
        Err(_) => reply(Picked::Unavailable),
    }
}

#[cfg(target_os = "linux")]
fn dialogs_can_open() -> bool {
    file_chooser_portal_answers() || on_path("zenity")
}

#[cfg(not(target_os = "linux"))]
fn dialogs_can_open() -> bool {
    true
}

/// Whether the session bus has a desktop portal with a file chooser (asking starts it).
#[cfg(target_os = "linux")]
fn file_chooser_portal_answers() -> bool {
    let answer = (|| -> zbus::Result<u32> {
        let bus = zbus::blocking::Connection::session()?;
        let portal = zbus::blocking::Proxy::new(
            &bus,
            "org.freedesktop.portal.Desktop",
            "/org/freedesktop/portal/desktop",
            "org.freedesktop.portal.FileChooser",
        )?;
        portal.get_property::<u32>("version")
    })();
    if let Err(e) = &answer {
        tracing::info!("no file-chooser portal on the session bus: {e}");
    }
    answer.is_ok()
}

#[cfg(target_os = "linux")]
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// The file a typed path names: quotes a file manager adds and a `file://` prefix are
/// dropped, and `~` is the home folder.
pub fn path_of(typed: &str) -> Option<PathBuf> {
    let text = typed.trim();
    let text = ['"', '\'']
        .iter()
        .find_map(|q| text.strip_prefix(*q)?.strip_suffix(*q))
        .unwrap_or(text);
    let text = match text.strip_prefix("file://") {
        Some(url_path) => percent_decoded(url_path)?,
        None => text.to_string(),
    };
    if text.is_empty() {
        return None;
    }
    match text.strip_prefix("~/") {
        Some(rest) => std::env::home_dir().map(|home| home.join(rest)),
        None => Some(PathBuf::from(text)),
    }
}

/// `%20` and the like in a file URL, as file managers copy them.
fn percent_decoded(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' && tail.len() >= 2 {
            let hex = std::str::from_utf8(&tail[..2]).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

/// A path's text field and the button that uses it, laid out by the caller's `ui`.
pub struct PathField<'a> {
    /// The label that names the field for screen readers.
    pub label: Id,
    pub hint: &'a str,
    pub action: &'a str,
}

impl PathField<'_> {
    /// The path typed, once the button is clicked or Enter pressed. `focus` gives the field the
    /// keyboard once.
    pub fn show(&self, ui: &mut Ui, text: &mut String, focus: &mut bool) -> Option<PathBuf> {
        let field = ui
            .add(
                egui::TextEdit::singleline(text)
                    .desired_width(420.0)
                    .hint_text(self.hint),
            )
            .labelled_by(self.label);
        if std::mem::take(focus) {
            field.request_focus();
        }
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let path = path_of(text);
        let clicked = ui
            .add_enabled(path.is_some(), egui::Button::new(self.action))
            .clicked();
        if clicked || entered { path } else { None }
    }
}

/// `Pipeline by stage` → `pipeline-by-stage.csv`.
fn chart_file_name(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!("{}.csv", words.join("-"))
}

/// What the person did with a [`PathPrompt`].
#[derive(Debug, Clone, PartialEq)]
pub enum PromptAnswer {
    Path(PathBuf),
    Cancel,
}

/// A path typed where no file dialog opens, with the action it is for ("Export", "Import").
#[derive(Debug, Clone, PartialEq)]
pub struct PathPrompt {
    pub text: String,
    action: &'static str,
    /// The field takes the keyboard when it first shows.
    focus: bool,
}

impl PathPrompt {
    /// To save: the text starts as `file_name` in the home folder, ready to edit.
    pub fn save(action: &'static str, file_name: &str) -> PathPrompt {
        let suggested = std::env::home_dir()
            .map(|home| home.join(file_name).display().to_string())
            .unwrap_or_else(|| file_name.to_string());
        PathPrompt {
            text: suggested,
            action,
            focus: true,
        }
    }

    /// To open: the text starts empty.
    pub fn open(action: &'static str) -> PathPrompt {
        PathPrompt {
            text: String::new(),
            action,
            focus: true,
        }
    }

    pub fn show(&mut self, ui: &mut Ui) -> Option<PromptAnswer> {
        let mut answer = None;
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(
                RichText::new(
                    "No file dialog can open on this desktop (it needs a desktop portal or zenity). Type or paste the path instead.",
                )
                .weak(),
            );
            ui.add_space(GRID / 2.0);
            ui.horizontal(|ui| {
                let label = ui.label("Path");
                let field = PathField {
                    label: label.id,
                    hint: "/home/me/file",
                    action: self.action,
                };
                if let Some(path) = field.show(ui, &mut self.text, &mut self.focus) {
                    answer = Some(PromptAnswer::Path(path));
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(PromptAnswer::Cancel);
                }
            });
        });
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_paths_lose_quotes_and_file_prefixes() {
        for (typed, path) in [
            ("/tmp/deals.csv", Some("/tmp/deals.csv")),
            ("  '/tmp/my deals.csv' ", Some("/tmp/my deals.csv")),
            ("\"/tmp/deals.xlsx\"", Some("/tmp/deals.xlsx")),
            ("file:///tmp/deals.csv", Some("/tmp/deals.csv")),
            (
                "file:///tmp/my%20deals%C3%A9.csv",
                Some("/tmp/my dealsé.csv"),
            ),
            ("deals.csv", Some("deals.csv")),
            ("   ", None),
            ("''", None),
        ] {
            assert_eq!(path_of(typed), path.map(PathBuf::from), "{typed}");
        }
        let home = std::env::home_dir().expect("a home folder");
        assert_eq!(path_of("~/deals.csv"), Some(home.join("deals.csv")));
    }

    #[test]
    fn a_save_prompt_suggests_the_file_in_the_home_folder() {
        let prompt = PathPrompt::save("Save here", "tether-errors.csv");
        let home = std::env::home_dir().expect("a home folder");
        assert_eq!(path_of(&prompt.text), Some(home.join("tether-errors.csv")));
        assert!(PathPrompt::open("Open this file").text.is_empty());
    }

    #[test]
    fn the_picker_answers_on_its_thread_and_the_reply_arrives() {
        let asked = Arc::new(std::sync::Mutex::new(None));
        let seen = asked.clone();
        let picker: Picker = Arc::new(move |q: &FileQuestion| {
            *seen.lock().unwrap() = Some(q.clone());
            Picked::Path(PathBuf::from("/tmp/chosen.json"))
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let what = FileFor::LinkExport("accounts".into());
        ask(picker, what.question(), move |picked| {
            let _ = tx.send(picked);
        });
        let answer = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the reply arrives");
        assert_eq!(answer, Picked::Path(PathBuf::from("/tmp/chosen.json")));
        let question = asked.lock().unwrap().clone().expect("the picker was asked");
        assert_eq!(question.title, "Export link");
        assert_eq!(question.save_as.as_deref(), Some("accounts.json"));
    }

    #[test]
    fn a_picker_that_panics_answers_unavailable() {
        let picker: Picker = Arc::new(|_: &FileQuestion| panic!("no dialog today"));
        let (tx, rx) = std::sync::mpsc::channel();
        ask(picker, FileFor::Spreadsheet.question(), move |picked| {
            let _ = tx.send(picked);
        });
        let answer = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the reply arrives");
        assert_eq!(answer, Picked::Unavailable);
    }
}
