//! The SQLite file: opening it safely, its pragmas, and the helpers every
//! table module shares (timestamps as integers, errors as `distroflow_core::Error`).

use std::path::Path;
use std::time::Duration;

use distroflow_core::{Error, Home, Result};
use jiff::Timestamp;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::{migrations, Backoff, Owner};

/// How long a statement waits for another process's write lock before it
/// gives up with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// DistroFlow's local store: one SQLite file (`$DISTROFLOW_HOME/store.sqlite3`)
/// holding every post attempt and the job queue.
///
/// The file is created on first use, mode 0600, in WAL mode (readers never
/// block the writer, and several DistroFlow processes may share it), with
/// `synchronous = FULL` so a recorded attempt survives a power cut. Its
/// schema is versioned with `PRAGMA user_version`; opening an older file
/// migrates it in order, each step in its own transaction, and a file
/// written by a newer DistroFlow is refused rather than misread.
///
/// A `Store` is one connection: use one per thread (open the same path
/// again), never share one across threads. Every method that depends on the
/// time takes `now`, so callers and tests decide what time it is.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    pub(crate) label: String,
    pub(crate) owner: Owner,
    pub(crate) backoff: Backoff,
}

impl Store {
    /// The store's file name inside `$DISTROFLOW_HOME`.
    pub const FILE_NAME: &'static str = "store.sqlite3";

    /// Opens (creating if needed) the store at `path`. A missing folder is
    /// created 0700; the file is (re)set to 0600.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        prepare_file(path)?;
        let label = path.display().to_string();
        let conn = Connection::open(path).map_err(|e| sql_error(&label, e))?;
        let store = Store::from_connection(conn, label)?;
        store
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            .map_err(|e| store.err(e))?;
        store
            .conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| store.err(e))?;
        store.migrate()
    }

    /// Opens `$DISTROFLOW_HOME/store.sqlite3`, creating the home (0700) first.
    pub fn open_home(home: &Home) -> Result<Store> {
        let dir = home.private_dir("")?;
        Store::open(dir.join(Store::FILE_NAME))
    }

    /// A private store that lives only as long as this value (for tests).
    pub fn open_in_memory() -> Result<Store> {
        let label = ":memory:".to_string();
        let conn = Connection::open_in_memory().map_err(|e| sql_error(&label, e))?;
        Store::from_connection(conn, label)?.migrate()
    }

    fn from_connection(conn: Connection, label: String) -> Result<Store> {
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| sql_error(&label, e))?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(|e| sql_error(&label, e))?;
        Ok(Store {
            conn,
            label,
            owner: Owner::current(),
            backoff: Backoff::default(),
        })
    }

    fn migrate(mut self) -> Result<Store> {
        migrations::migrate(&mut self.conn, &self.label)?;
        Ok(self)
    }

    /// The same store, acting as another process: attempts it begins and
    /// jobs it claims are recorded as that owner's. DistroFlow itself never
    /// needs this; tests use it to stand in for a process that crashed.
    pub fn with_owner(mut self, owner: Owner) -> Store {
        self.owner = owner;
        self
    }

    /// The same store with another retry schedule for jobs.
    pub fn with_backoff(mut self, backoff: Backoff) -> Store {
        self.backoff = backoff;
        self
    }

    /// The process this handle records as the owner of what it starts.
    pub fn owner(&self) -> &Owner {
        &self.owner
    }

    /// The file's path (or `:memory:`), as used in messages.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The schema version of the open file (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// A SQLite error, named after this store's file.
    pub(crate) fn err(&self, e: rusqlite::Error) -> Error {
        sql_error(&self.label, e)
    }

    /// A write transaction that takes the write lock at once, so that what
    /// it reads cannot change before it writes (two processes claiming the
    /// same job, for one).
    pub(crate) fn write_tx(&self) -> Result<Transaction<'_>> {
        Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| self.err(e))
    }

    /// A stored row that DistroFlow cannot read back.
    pub(crate) fn damaged(&self, what: String) -> Error {
        Error::Unexpected {
            message: format!("{}: {what}", self.label),
        }
    }
}

/// SQLite's errors keep their message and become the cause of an I/O error
/// on the store's file.
pub(crate) fn sql_error(label: &str, e: rusqlite::Error) -> Error {
    Error::Io {
        path: label.to_string(),
        source: std::io::Error::other(e),
    }
}

/// Creates the folder (0700) when missing and the file 0600, before SQLite
/// opens it, so the file is never readable by others even for a moment.
fn prepare_file(path: &Path) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            set_mode(dir, 0o700)?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| Error::io(path, e))?;
    set_mode(path, 0o600)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| Error::io(path, e))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

/// Timestamps are stored as integer milliseconds since the Unix epoch (UTC),
/// so they sort and compare in SQL.
pub(crate) fn ms(ts: Timestamp) -> i64 {
    ts.as_millisecond()
}

/// Reads a stored millisecond timestamp inside a row mapper.
pub(crate) fn ts_at(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Timestamp> {
    let v: i64 = row.get(idx)?;
    from_ms(idx, v)
}

/// Reads an optional stored millisecond timestamp inside a row mapper.
pub(crate) fn opt_ts_at(
    row: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<Timestamp>> {
    let v: Option<i64> = row.get(idx)?;
    v.map(|v| from_ms(idx, v)).transpose()
}

fn from_ms(idx: usize, v: i64) -> rusqlite::Result<Timestamp> {
    Timestamp::from_millisecond(v).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Integer, Box::new(e))
    })
}

/// A value that failed to convert inside a row mapper.
pub(crate) fn bad_column(
    idx: usize,
    e: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
}

/// `now + d`, saturating at the end of time rather than failing.
pub(crate) fn plus(now: Timestamp, d: Duration) -> Timestamp {
    now.checked_add(d).unwrap_or(Timestamp::MAX)
}

/// `now - d`, saturating at the start of time.
pub(crate) fn minus(now: Timestamp, d: Duration) -> Timestamp {
    jiff::SignedDuration::try_from(d)
        .ok()
        .and_then(|d| now.checked_sub(d).ok())
        .unwrap_or(Timestamp::MIN)
}
