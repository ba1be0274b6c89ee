use distroflow_core::PlatformId;
use distroflow_store::{AttemptId, AttemptState, JobPayload, NewJob, Store, SCHEMA_VERSION};
use rusqlite::Connection;

use crate::at;

/// The schema as version 1 shipped it (attempts only), copied here on
/// purpose: the test must keep describing the old file even if the
/// migration code changes.
const V1: &str = "
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
PRAGMA user_version = 1;
";

#[test]
fn a_new_file_is_private_in_wal_mode_at_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new-home").join(Store::FILE_NAME);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(SCHEMA_VERSION, 6);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
    }
    let conn = Connection::open(&path).unwrap();
    let journal: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn opening_a_version_1_file_migrates_it_and_keeps_its_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Store::FILE_NAME);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(V1).unwrap();
        conn.execute(
            "INSERT INTO attempts (platform, account, content_hash, summary, state, url,
                 created_at, started_at, finished_at)
             VALUES ('hackernews', 'me', 'abc', 'Show HN: old', 'posted',
                 'https://news.ycombinator.com/item?id=7', 1000, 1000, 2000)",
            [],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);

    let old = store.attempt(AttemptId(1)).unwrap().unwrap();
    assert_eq!(old.state, AttemptState::Posted);
    assert_eq!(old.platform, PlatformId::HackerNews);
    assert_eq!(old.summary, "Show HN: old");
    assert_eq!(
        old.url.as_deref(),
        Some("https://news.ycombinator.com/item?id=7")
    );
    assert_eq!(old.job, None);

    // The tables of version 2 work on the migrated file.
    let id = store
        .enqueue(
            &NewJob {
                due_at: at("2030-01-01T09:00:00Z"),
                every: None,
                tz: "UTC".into(),
                targets: vec![PlatformId::HackerNews],
                payload: JobPayload::default(),
            },
            at("2029-12-31T09:00:00Z"),
        )
        .unwrap();
    assert_eq!(
        store.job(id).unwrap().unwrap().targets,
        vec![PlatformId::HackerNews]
    );

    // Opening again changes nothing.
    drop(store);
    let again = Store::open(&path).unwrap();
    assert_eq!(again.schema_version().unwrap(), SCHEMA_VERSION);
    // The healer's tables of version 3 work on the migrated file.
    again
        .learn_selector("hackernews.submit.title", "#t", at("2030-01-01T09:00:00Z"))
        .unwrap();
    assert_eq!(
        again.learned_selectors("hackernews.submit.title").unwrap(),
        ["#t"]
    );
    assert_eq!(again.history(10).unwrap().len(), 1);
}

#[test]
fn a_file_from_a_newer_distroflow_is_refused_not_misread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Store::FILE_NAME);
    Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    let e = Store::open(&path).unwrap_err();
    assert!(e.is_usage(), "a configuration error: {e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("schema version 99") && msg.contains("newer DistroFlow"),
        "{msg}"
    );
}

#[test]
fn many_processes_opening_an_old_file_at_once_migrate_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(Store::FILE_NAME);
    Connection::open(&path).unwrap().execute_batch(V1).unwrap();
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let path = path.clone();
            std::thread::spawn(move || Store::open(&path).map(|s| s.schema_version().unwrap()))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().unwrap(), SCHEMA_VERSION);
    }
}
