//! The workspace lock: one sync (or undo, or import) at a time per workspace, whichever
//! program runs it, released by the OS even when the process is killed.
//!
//! The holder writes who it is into the lock file (pid, program, host), so that a sync that
//! finds the lock taken can say who it waits for.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::RunError;

/// Held while a run works.
pub struct SyncLock {
    file: File,
}

/// Who holds the lock, as the holder wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    pub pid: u32,
    /// `tether sync`, `tether`, … : the program and its command.
    pub program: String,
    pub host: String,
    /// When it took the lock (RFC 3339).
    pub since: String,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}, pid {} on {}", self.program, self.pid, self.host)
    }
}

impl SyncLock {
    /// Takes the lock, or fails with [`RunError::Busy`] at once when another holds it.
    pub fn acquire(workspace: &Path) -> Result<SyncLock, RunError> {
        let (path, file) = open(workspace)?;
        match file.try_lock() {
            Ok(()) => Ok(SyncLock::held(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(RunError::Busy(path)),
            Err(std::fs::TryLockError::Error(e)) => Err(RunError::Lock(e)),
        }
    }

    /// Takes the lock, blocking the calling thread until whoever holds it lets go.
    pub fn wait(workspace: &Path) -> Result<SyncLock, RunError> {
        let (_, file) = open(workspace)?;
        file.lock().map_err(RunError::Lock)?;
        Ok(SyncLock::held(file))
    }

    /// Who holds the lock of `workspace`, as far as the lock file says; `None` when it is free,
    /// or its holder has not written its name yet (or wrote it in a form this version cannot
    /// read).
    pub fn holder(workspace: &Path) -> Option<LockHolder> {
        let mut text = String::new();
        File::open(lock_path(workspace))
            .ok()?
            .read_to_string(&mut text)
            .ok()?;
        serde_json::from_str(text.trim()).ok()
    }

    fn held(mut file: File) -> SyncLock {
        let holder = LockHolder {
            pid: std::process::id(),
            program: program(),
            host: host(),
            since: chrono::Utc::now().to_rfc3339(),
        };
        // The name is a courtesy to whoever waits: the lock holds without it.
        let written = serde_json::to_string(&holder)
            .map_err(std::io::Error::other)
            .and_then(|text| {
                file.set_len(0)?;
                file.seek(SeekFrom::Start(0))?;
                file.write_all(text.as_bytes())?;
                file.flush()
            });
        if let Err(e) = written {
            tracing::debug!("the lock holder's name was not written: {e}");
        }
        SyncLock { file }
    }
}

impl Drop for SyncLock {
    fn drop(&mut self) {
        // Before the lock goes (when the file closes): a free lock names nobody.
        let _ = self.file.set_len(0);
    }
}

fn lock_path(workspace: &Path) -> PathBuf {
    let mut name = workspace.as_os_str().to_owned();
    name.push(".sync-lock");
    PathBuf::from(name)
}

fn open(workspace: &Path) -> Result<(PathBuf, File), RunError> {
    let path = lock_path(workspace);
    let file = File::options()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(RunError::Lock)?;
    Ok((path, file))
}

/// The program's name and its first word of command, e.g. `tether sync`.
fn program() -> String {
    let mut args = std::env::args_os();
    let name = args
        .next()
        .as_deref()
        .map(Path::new)
        .and_then(Path::file_stem)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tether".to_string());
    match args.next().map(|a| a.to_string_lossy().into_owned()) {
        Some(command) if !command.starts_with('-') && !command.contains(['/', '\\']) => {
            format!("{name} {command}")
        }
        _ => name,
    }
}

#[cfg(unix)]
fn host() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer is valid for its length, and gethostname writes at most that many bytes.
    let answered = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) };
    if answered != 0 {
        return "this computer".to_string();
    }
    let end = buffer.iter().position(|b| *b == 0).unwrap_or(buffer.len());
    String::from_utf8_lossy(&buffer[..end]).into_owned()
}

#[cfg(not(unix))]
fn host() -> String {
    std::env::var("COMPUTERNAME").unwrap_or_else(|_| "this computer".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_is_named_while_it_holds_and_a_free_lock_names_nobody() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = dir.path().join("workspace.sqlite");
        assert_eq!(SyncLock::holder(&workspace), None);
        let held = SyncLock::acquire(&workspace).unwrap();
        let holder = SyncLock::holder(&workspace).expect("the holder is named");
        assert_eq!(holder.pid, std::process::id());
        assert!(!holder.host.is_empty());
        assert!(
            holder.to_string().contains(&format!("pid {}", holder.pid)),
            "{holder}"
        );
        assert!(matches!(
            SyncLock::acquire(&workspace),
            Err(RunError::Busy(_))
        ));
        drop(held);
        assert_eq!(SyncLock::holder(&workspace), None);
        let again = SyncLock::acquire(&workspace).expect("free once dropped");
        drop(again);
    }

    #[test]
    fn wait_blocks_until_the_holder_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let workspace = dir.path().join("workspace.sqlite");
        let held = SyncLock::acquire(&workspace).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = {
            let workspace = workspace.clone();
            std::thread::spawn(move || {
                let lock = SyncLock::wait(&workspace);
                tx.send(lock.is_ok()).unwrap();
                lock
            })
        };
        assert!(
            matches!(rx.try_recv(), Err(std::sync::mpsc::TryRecvError::Empty)),
            "the waiter does not get a held lock"
        );
        drop(held);
        assert!(rx.recv().unwrap(), "the waiter gets the lock once it frees");
        let lock = waiter.join().unwrap();
        assert!(matches!(
            SyncLock::acquire(&workspace),
            Err(RunError::Busy(_))
        ));
        drop(lock);
    }
}
