//! The schema, as an ordered list of migrations. `PRAGMA user_version` is the
//! number of migrations applied. Never edit a migration that has shipped:
//! add a new one at the end.

use distroflow_core::{Error, Result};
use rusqlite::{Connection, TransactionBehavior};

use crate::db::sql_error;

/// Version 1: post attempts (never lose, never duplicate).
const V1_ATTEMPTS: &str = "
CREATE TABLE attempts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    platform      TEXT    NOT NULL,
    account       TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL,
    summary       TEXT    NOT NULL DEFAULT '',
    state         TEXT    NOT NULL CHECK (state IN
                  ('pending', 'running', 'posted', 'failed', 'needs_human', 'uncertain')),
    url           TEXT,
    post_id       TEXT,
    error_kind    TEXT,
    error         TEXT,
    retry_at      INTEGER,
    pid           INTEGER,
    process_start TEXT,
    created_at    INTEGER NOT NULL,
    started_at    INTEGER,
    finished_at   INTEGER
);
CREATE INDEX attempts_target ON attempts (platform, account, content_hash);
CREATE INDEX attempts_state ON attempts (state);
";

/// Version 2: the job queue (scheduling), and attempts linked to their job.
const V2_JOBS: &str = "
CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    due_at        INTEGER NOT NULL,
    every         TEXT,
    tz            TEXT    NOT NULL,
    targets       TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN
                  ('queued', 'running', 'done', 'failed', 'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    deferrals     INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    next_retry_at INTEGER,
    results       TEXT    NOT NULL DEFAULT '{}',
    runs          INTEGER NOT NULL DEFAULT 0,
    last_run_at   INTEGER,
    worker        TEXT,
    pid           INTEGER,
    process_start TEXT,
    claimed_at    INTEGER
);
CREATE INDEX jobs_due ON jobs (state, due_at);
ALTER TABLE attempts ADD COLUMN job_id INTEGER REFERENCES jobs (id);
CREATE INDEX attempts_job ON attempts (job_id);
";

/// Version 3: what the healer learned (was `healer-v1/state.json`): the
/// fingerprint of each target that worked, the selectors trusted repairs
/// found (newest first, a few per target), and model calls per UTC day.
/// One row per target (or selector, or day), upserted as it is learned, so
/// that concurrent runs never overwrite each other's repairs.
const V3_HEALER: &str = "
CREATE TABLE healer_fingerprints (
    target   TEXT    PRIMARY KEY,
    info     TEXT    NOT NULL,
    url      TEXT    NOT NULL DEFAULT '',
    seen_at  INTEGER NOT NULL
);
CREATE TABLE healer_learned (
    target      TEXT    NOT NULL,
    selector    TEXT    NOT NULL,
    learned_at  INTEGER NOT NULL,
    PRIMARY KEY (target, selector)
);
CREATE TABLE healer_model_calls (
    day    INTEGER PRIMARY KEY,
    calls  INTEGER NOT NULL
);
";

/// Version 4: a queued job that waits for the person to log in (its
/// platforms, comma-separated) is not run until they do.
const V4_NEEDS_LOGIN: &str = "
ALTER TABLE jobs ADD COLUMN needs_login TEXT;
";

/// Version 5: replies to the person's own posts (collected by `distroflow
/// replies`, one row per reply, so a second run fetches only what is new),
/// the triage cache (one verdict per MD5 of model, rubric version and
/// normalised text) and every triage model call with its tokens and cost
/// (which also counts the day's calls against the daily cap).
const V5_REPLIES: &str = "
CREATE TABLE replies (
    platform    TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    post_url    TEXT    NOT NULL,
    author      TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    at          TEXT,
    url         TEXT    NOT NULL,
    parent      TEXT,
    fetched_at  INTEGER NOT NULL,
    PRIMARY KEY (platform, id)
);
CREATE INDEX replies_post ON replies (post_url);
CREATE TABLE triage_cache (
    key          TEXT    PRIMARY KEY,
    model        TEXT    NOT NULL,
    rubric       TEXT    NOT NULL,
    needs_reply  INTEGER NOT NULL,
    priority     INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
    label        TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    scored_at    INTEGER NOT NULL
);
CREATE TABLE triage_calls (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    model          TEXT    NOT NULL,
    replies        INTEGER NOT NULL,
    input_tokens   INTEGER NOT NULL,
    cached_tokens  INTEGER NOT NULL,
    output_tokens  INTEGER NOT NULL,
    cost_usd       REAL
);
CREATE INDEX triage_calls_at ON triage_calls (at);
";

/// Each triage call names the run that made it (one `replies --triage`),
/// so cost can be shown per run; calls made before have none.
const V6_TRIAGE_RUNS: &str = "
ALTER TABLE triage_calls ADD COLUMN run TEXT;
CREATE INDEX triage_calls_run ON triage_calls (run);
";

/// Every migration, in order: index `i` takes the schema from version `i`
/// to version `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    V1_ATTEMPTS,
    V2_JOBS,
    V3_HEALER,
    V4_NEEDS_LOGIN,
    V5_REPLIES,
    V6_TRIAGE_RUNS,
];

/// The schema version this DistroFlow writes.
pub(crate) const LATEST: u32 = MIGRATIONS.len() as u32;

/// Brings the file up to [`LATEST`], one migration per transaction. Each
/// step re-reads the version under the write lock, so two processes opening
/// an old file at once apply each migration exactly once.
pub(crate) fn migrate(conn: &mut Connection, label: &str) -> Result<()> {
    let err = |e| sql_error(label, e);
    let current: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(err)?;
    check_not_newer(current, label)?;
    if current == LATEST {
        return Ok(());
    }
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let version: u32 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(err)?;
        check_not_newer(version, label)?;
        if version == LATEST {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[version as usize])
            .map_err(|e| Error::Unexpected {
                message: format!(
                    "{label}: migrating the store from schema {version} to {} failed: {e}",
                    version + 1
                ),
            })?;
        tx.pragma_update(None, "user_version", version + 1)
            .map_err(err)?;
        tx.commit().map_err(err)?;
    }
}

fn check_not_newer(version: u32, label: &str) -> Result<()> {
    if version > LATEST {
        return Err(Error::Config {
            message: format!(
                "{label} has schema version {version}, written by a newer DistroFlow; \
                 this one reads up to version {LATEST}. Upgrade DistroFlow to use it"
            ),
        });
    }
    Ok(())
}
