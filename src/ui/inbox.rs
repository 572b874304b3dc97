//! The window's one inbox for commands that arrive from other threads, such as a file
//! dialog's answer. The app drains it once per frame, beside the service's events, and
//! applies what it holds as it applies the frame's own commands.

use std::sync::mpsc;

use super::command::Command;

pub struct Inbox {
    tx: mpsc::Sender<Command>,
    rx: mpsc::Receiver<Command>,
}

impl Default for Inbox {
    fn default() -> Self {
        let (tx, rx) = mpsc::channel();
        Inbox { tx, rx }
    }
}

impl Inbox {
    /// A handle another thread posts to; posting wakes the window.
    pub fn postbox(&self, ctx: &egui::Context) -> Postbox {
        Postbox {
            tx: self.tx.clone(),
            ctx: ctx.clone(),
        }
    }

    /// Every command waiting, without blocking.
    pub fn drain(&self) -> Vec<Command> {
        self.rx.try_iter().collect()
    }
}

/// Posts commands to the window's inbox from any thread.
#[derive(Clone)]
pub struct Postbox {
    tx: mpsc::Sender<Command>,
    ctx: egui::Context,
}

impl Postbox {
    pub fn post(&self, command: Command) {
        // The inbox lives as long as the window; once it is gone nobody waits for the answer.
        if self.tx.send(command).is_ok() {
            self.ctx.request_repaint();
        }
    }
}
