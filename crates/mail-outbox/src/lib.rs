//! The outbox mail adapter, for the local stack and self-hosting: each message becomes one
//! RFC 5322 file, `<dir>/<UTC instant, yyyymmddThhmmss.nnnnnnnnnZ>-<key>.eml`, so a folder
//! listing sorts by time and any mail client opens it.
//!
//! A file is written whole under a hidden temporary name in the same folder, synced, then
//! renamed into place: a reader sees a complete `.eml` or none. Only the key, the file name and
//! the number of recipients are logged, never the subject or a body.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use escalations_mail::{MailError, Mailer, Message, Sent};

/// A folder of sent messages.
pub struct Outbox {
    dir: PathBuf,
    /// The last instant a file was named after: the next is later, so names sort in the order
    /// sent and never collide, even within one clock tick.
    last: Mutex<Option<DateTime<Utc>>>,
}

impl Outbox {
    /// An outbox writing into `dir`, which must exist when a message is sent.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Outbox {
            dir: dir.into(),
            last: Mutex::new(None),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The `.eml` files in the folder, oldest first: each file's name and contents.
    pub fn messages(&self) -> io::Result<Vec<(String, Vec<u8>)>> {
        let mut names: Vec<String> = fs::read_dir(&self.dir)?
            .map(|entry| entry.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<io::Result<_>>()?;
        names.retain(|name| name.ends_with(".eml") && !name.starts_with('.'));
        names.sort();
        names
            .into_iter()
            .map(|name| {
                let bytes = fs::read(self.dir.join(&name))?;
                Ok((name, bytes))
            })
            .collect()
    }

    /// Now, or just after the last instant used if the clock has not moved past it.
    fn next_instant(&self) -> DateTime<Utc> {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let now = Utc::now();
        let at = match *last {
            Some(previous) if now <= previous => previous + TimeDelta::nanoseconds(1),
            _ => now,
        };
        *last = Some(at);
        at
    }
}

/// Writes `bytes` to `dir/name` atomically: a hidden temporary file, synced, then renamed.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let temporary = dir.join(format!(".{name}.tmp"));
    let written = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&temporary, dir.join(name)));
    if written.is_err() {
        // Best effort: the write already failed, and that is the error to report.
        let _ = fs::remove_file(&temporary);
    }
    written
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, message: &Message) -> Result<Sent, MailError> {
        let at = self.next_instant();
        let name = format!(
            "{}-{}.eml",
            at.format("%Y%m%dT%H%M%S%.9fZ"),
            message.key().file_stem()
        );
        let bytes = message.to_mime(at);
        let dir = self.dir.clone();
        let file = name.clone();
        let written = tokio::task::spawn_blocking(move || write_atomically(&dir, &file, &bytes))
            .await
            .map_err(|e| MailError::Unavailable(format!("the outbox writer stopped: {e}")))?;
        match written {
            Ok(()) => {
                tracing::info!(
                    key = %message.key(),
                    file = %name,
                    recipients = message.recipients().count(),
                    "mail written to the outbox"
                );
                Ok(Sent { id: name })
            }
            Err(e) => {
                tracing::warn!(
                    key = %message.key(),
                    dir = %self.dir.display(),
                    error = %e,
                    "mail not written to the outbox"
                );
                Err(MailError::Unavailable(format!(
                    "cannot write to the outbox {}: {e}",
                    self.dir.display()
                )))
            }
        }
    }
}
