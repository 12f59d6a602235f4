//! Group commit: one writer thread per store runs every change of the process, several
//! concurrent changes in one `IMMEDIATE` transaction, so they share one fsync.
//!
//! Each change runs inside its own savepoint: a change that fails (a version conflict, a
//! replayed idempotency key) is rolled back alone and the others in the batch still commit.
//! A caller is answered only after the transaction holding its change has committed — with
//! `synchronous = FULL`, after it is on disk — so durability is what it was with one
//! transaction per change; only the fsyncs are shared. Other processes on the same file still
//! wait for the write lock as before (`busy_timeout`).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::mpsc;

use escalations_store::StoreError;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::{backend, is_busy, open_connection};

/// The most changes committed together: enough to absorb a burst, few enough that one
/// transaction stays short.
const MAX_BATCH: usize = 64;

/// How a store writes: every change in its own transaction, or changes grouped by the writer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Writes {
    /// Concurrent changes share a transaction and its fsync (the default).
    #[default]
    Grouped,
    /// One transaction, and one fsync, per change (what the store did before group commit;
    /// kept for the side-by-side benchmark).
    OneByOne,
}

/// A change waiting for the writer, and where its answer goes.
trait Job: Send {
    /// Runs the change inside the open transaction; answers whether it succeeded and how
    /// to reply once the transaction's fate is known.
    fn run(self: Box<Self>, tx: &Transaction<'_>) -> Box<dyn Ran>;
    /// Answers without running (the transaction could not begin).
    fn fail(self: Box<Self>, error: StoreError);
}

trait Ran: Send {
    fn succeeded(&self) -> bool;
    /// Replies: the change's own result if the transaction committed, else the commit's error.
    fn reply(self: Box<Self>, committed: Result<(), Failure>);
}

struct Pending<T, F> {
    work: F,
    reply: tokio::sync::oneshot::Sender<Result<T, StoreError>>,
}

struct Done<T> {
    result: Result<T, StoreError>,
    reply: tokio::sync::oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
{
    fn run(self: Box<Self>, tx: &Transaction<'_>) -> Box<dyn Ran> {
        let result = (self.work)(tx);
        Box::new(Done {
            result,
            reply: self.reply,
        })
    }

    fn fail(self: Box<Self>, error: StoreError) {
        let _ = self.reply.send(Err(error));
    }
}

impl<T: Send + 'static> Ran for Done<T> {
    fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    fn reply(self: Box<Self>, committed: Result<(), Failure>) {
        let answer = match (self.result, committed) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(failure)) => Err(failure.error()),
            (Err(e), _) => Err(e),
        };
        let _ = self.reply.send(answer);
    }
}

/// Why a group was not written, for each change in it: whether it is worth trying again.
#[derive(Clone, Debug)]
struct Failure {
    why: String,
    busy: bool,
}

impl Failure {
    fn of(e: &rusqlite::Error) -> Failure {
        Failure {
            why: e.to_string(),
            busy: is_busy(e),
        }
    }

    fn error(self) -> StoreError {
        if self.busy {
            StoreError::busy(WriteFailed(self.why))
        } else {
            StoreError::backend(WriteFailed(self.why))
        }
    }
}

#[derive(Debug)]
struct WriteFailed(String);

impl std::fmt::Display for WriteFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the change was not written: {}", self.0)
    }
}

impl std::error::Error for WriteFailed {}

/// The handle to a store's writer thread.
pub(crate) struct Writer {
    jobs: mpsc::Sender<Box<dyn Job>>,
}

impl Writer {
    /// Starts the writer thread for the file at `path`; it ends when the last handle drops.
    pub(crate) fn start(path: PathBuf) -> Result<Writer, StoreError> {
        let (jobs, queue) = mpsc::channel::<Box<dyn Job>>();
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || run(path, queue))
            .map_err(StoreError::backend)?;
        Ok(Writer { jobs })
    }

    /// Runs `work` in the next group's transaction; answers once that transaction committed.
    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(Pending { work, reply }))
            .map_err(|_| StoreError::backend(WriteFailed("the writer has stopped".into())))?;
        answer.await.map_err(|_| {
            StoreError::backend(WriteFailed("the writer stopped during the change".into()))
        })?
    }
}

fn run(path: PathBuf, queue: mpsc::Receiver<Box<dyn Job>>) {
    let mut conn: Option<Connection> = None;
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let connection = match conn.take() {
            Some(c) => Ok(c),
            None => open_connection(&path),
        };
        let mut connection = match connection {
            Ok(c) => c,
            Err(e) => {
                let failure = Failure::of(&e);
                for job in batch {
                    job.fail(failure.clone().error());
                }
                continue;
            }
        };
        commit_batch(&mut connection, batch);
        conn = Some(connection);
    }
}

fn commit_batch(conn: &mut Connection, batch: Vec<Box<dyn Job>>) {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let failure = Failure::of(&e);
            for job in batch {
                job.fail(failure.clone().error());
            }
            return;
        }
    };
    let mut ran: Vec<Box<dyn Ran>> = Vec::with_capacity(batch.len());
    let mut broken: Option<Failure> = None;
    for job in batch {
        if let Some(failure) = &broken {
            job.fail(failure.clone().error());
            continue;
        }
        if let Err(e) = tx.execute_batch("SAVEPOINT change") {
            broken = Some(Failure::of(&e));
            job.fail(backend(e));
            continue;
        }
        // A change that panics is a bug: its reply is dropped (the caller is told the writer
        // stopped during it) and nothing of the batch is committed.
        let Ok(done) = catch_unwind(AssertUnwindSafe(|| job.run(&tx))) else {
            broken = Some(Failure {
                why: "a change failed unexpectedly".to_owned(),
                busy: false,
            });
            continue;
        };
        let undo = if done.succeeded() {
            tx.execute_batch("RELEASE change")
        } else {
            tx.execute_batch("ROLLBACK TO change; RELEASE change")
        };
        if let Err(e) = undo {
            broken = Some(Failure::of(&e));
        }
        ran.push(done);
    }
    let committed = match broken {
        Some(failure) => {
            drop(tx); // rolls back
            Err(failure)
        }
        None => tx.commit().map_err(|e| Failure::of(&e)),
    };
    for done in ran {
        done.reply(committed.clone());
    }
}

/// Runs `work` in a transaction of its own on `conn` (the one-by-one mode).
pub(crate) fn write_alone<T>(
    conn: &mut Connection,
    work: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend)?;
    let value = work(&tx)?;
    tx.commit().map_err(backend)?;
    Ok(value)
}
