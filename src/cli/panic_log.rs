//! Panics, which are bugs, go to the log file too: the window has no terminal, and the
//! person reporting one needs something to attach.

use std::io::Write;
use std::path::{Path, PathBuf};

/// A panic as the log keeps it. The message is the panic's own text, written by Tether's
/// code: nothing else of the program's state is added.
pub struct PanicEntry<'a> {
    pub thread: &'a str,
    pub message: &'a str,
    /// `file:line:column`, when the panic knows it.
    pub location: Option<String>,
    /// Only when one was captured (`RUST_BACKTRACE=1`).
    pub backtrace: Option<String>,
}

/// Appends `entry` to the log at `path`, creating its folder. One write, so that lines the
/// log subscriber writes at the same time are not interleaved with it.
pub fn append(path: &Path, entry: &PanicEntry<'_>) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(render(entry).as_bytes())
}

fn render(entry: &PanicEntry<'_>) -> String {
    let at = entry
        .location
        .as_deref()
        .map(|location| format!(" at {location}"))
        .unwrap_or_default();
    let mut text = format!(
        "{} PANIC Tether {} panicked in thread '{}'{at}: {}\n\
         This is a bug in Tether: please report it to Tether's maintainers with this entry\n",
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        env!("CARGO_PKG_VERSION"),
        entry.thread,
        entry.message,
    );
    if let Some(backtrace) = &entry.backtrace {
        text.push_str("backtrace:\n");
        text.push_str(backtrace);
        if !backtrace.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

/// Installs a hook that appends each panic to `log` and then does what the hook before it
/// did (by default, print it to stderr).
pub fn install(log: PathBuf) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        let backtrace = std::backtrace::Backtrace::capture();
        let entry = PanicEntry {
            thread: thread.name().unwrap_or("unnamed"),
            message: info.payload_as_str().unwrap_or("(no message)"),
            location: info.location().map(ToString::to_string),
            backtrace: (backtrace.status() == std::backtrace::BacktraceStatus::Captured)
                .then(|| backtrace.to_string()),
        };
        if let Err(e) = append(&log, &entry) {
            eprintln!(
                "Tether could not write this panic to {}: {e}",
                log.display()
            );
        }
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(message: &'a str, backtrace: Option<String>) -> PanicEntry<'a> {
        PanicEntry {
            thread: "tether-worker",
            message,
            location: Some("src/sync/plan/mod.rs:10:5".into()),
            backtrace,
        }
    }

    #[test]
    fn a_panic_is_appended_to_the_log_with_the_version_and_where_to_report_it() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("logs").join("tether.log");
        append(&log, &entry("first bug", None)).unwrap();
        append(&log, &entry("second bug", Some("0: tether::main".into()))).unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        let first = text.find("first bug").expect("the first panic is kept");
        let second = text
            .find("second bug")
            .expect("the second panic is appended");
        assert!(first < second, "{text}");
        assert!(
            text.contains(&format!("Tether {}", env!("CARGO_PKG_VERSION"))),
            "{text}"
        );
        assert!(text.contains("'tether-worker'"), "{text}");
        assert!(text.contains("src/sync/plan/mod.rs:10:5"), "{text}");
        assert!(text.contains("please report"), "{text}");
        assert!(text.contains("0: tether::main"), "{text}");
        assert_eq!(text.matches("backtrace:").count(), 1, "{text}");
    }
}
