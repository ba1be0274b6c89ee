//! Post attempts: one row per try of one post to one platform and account,
//! recorded *before* the browser submits anything, so that no outcome is
//! ever lost and nothing is posted twice by accident.
//!
//! The life of a row: `pending` (planned) → `running` (this process is
//! posting) → `posted`, `failed`, `needs_human` or `uncertain`. An
//! `uncertain` row (a timeout or dropped connection after the submit click,
//! a 5xx after submit, a crash) may or may not have made a post: before the
//! same content goes to that target again, the caller looks for the post on
//! the platform and settles the row with [`Store::finish_attempt`].
//!
//! A `running` row whose process is gone (see [`Owner`]) is a crash: it is
//! turned into `uncertain` by [`Store::uncertain_or_running`] and
//! [`Store::find_recent`].

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use distroflow_core::{Error, ErrorReport, PlatformId, Post, Result};
use jiff::Timestamp;
use rusqlite::{params, OptionalExtension, Row};

use crate::db::{bad_column, minus, ms, opt_ts_at, plus, ts_at};
use crate::{content_hash, ContentHash, JobId, Owner, Store};

/// A row in the attempts table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttemptId(pub i64);

impl fmt::Display for AttemptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where an attempt stands. The `as_str` names are stored and shown in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttemptState {
    Pending,
    Running,
    Posted,
    Failed,
    NeedsHuman,
    Uncertain,
}

impl AttemptState {
    pub const ALL: [AttemptState; 6] = [
        AttemptState::Pending,
        AttemptState::Running,
        AttemptState::Posted,
        AttemptState::Failed,
        AttemptState::NeedsHuman,
        AttemptState::Uncertain,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttemptState::Pending => "pending",
            AttemptState::Running => "running",
            AttemptState::Posted => "posted",
            AttemptState::Failed => "failed",
            AttemptState::NeedsHuman => "needs_human",
            AttemptState::Uncertain => "uncertain",
        }
    }

    /// Settled for good: posted, failed or needs_human.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            AttemptState::Posted | AttemptState::Failed | AttemptState::NeedsHuman
        )
    }
}

impl fmt::Display for AttemptState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AttemptState {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        AttemptState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| Error::Unexpected {
                message: format!("unknown attempt state `{s}`"),
            })
    }
}

/// Which attempts `history` shows: every condition given must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub platform: Option<PlatformId>,
    pub state: Option<AttemptState>,
    /// Attempts created at or after this time.
    pub since: Option<Timestamp>,
    /// At most this many, the newest.
    pub limit: usize,
}

/// What a new attempt is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAttempt {
    pub platform: PlatformId,
    /// The account posted as (a user name); empty when not known.
    pub account: String,
    pub content_hash: ContentHash,
    /// A short line for `distroflow history` (see [`summary`]).
    pub summary: String,
    /// The queued job this attempt runs for, if any.
    pub job: Option<JobId>,
}

impl NewAttempt {
    /// The attempt to post `post` to `platform` as `account`: its content
    /// hash (reads the media files) and summary.
    pub fn for_post(platform: PlatformId, account: &str, post: &Post) -> Result<NewAttempt> {
        Ok(NewAttempt {
            platform,
            account: account.to_string(),
            content_hash: content_hash(platform, account, post)?,
            summary: summary(post, platform),
            job: None,
        })
    }

    pub fn with_job(mut self, job: JobId) -> NewAttempt {
        self.job = Some(job);
        self
    }
}

/// A one-line summary of `post` on `platform`: the title, else the first
/// line of the text, else the link; at most 80 characters.
pub fn summary(post: &Post, platform: PlatformId) -> String {
    let text = post.text_for(platform);
    let line = post
        .title
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| text.lines().map(str::trim).find(|l| !l.is_empty()))
        .or(post.url.as_deref())
        .unwrap_or(if post.media.is_empty() { "" } else { "(media)" });
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= 80 {
        line
    } else {
        let cut: String = line.chars().take(79).collect();
        format!("{}…", cut.trim_end())
    }
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The post exists at `url`.
    Posted { url: String, id: Option<String> },
    /// Nothing was posted. `kind` is an `ErrorKind` name (`auth`,
    /// `rate_limited`, ...); `retry_at` is when the platform said to try
    /// again, which [`crate::RateLimits::check`] then honours.
    Failed {
        kind: String,
        message: String,
        retry_at: Option<Timestamp>,
    },
    /// The site asked for a person (CAPTCHA, 2FA); nothing was submitted.
    NeedsHuman { reason: String },
    /// The post may or may not exist: look on the platform before posting
    /// this content again.
    Uncertain { reason: String },
}

impl Outcome {
    /// The outcome of an error raised *before* the submit click, or of one
    /// that says by itself what happened: `Duplicate` is `Posted` at the
    /// existing URL (the content is there, which is what idempotency asks),
    /// `NeedsHuman` is `NeedsHuman`, `RateLimited` is `Failed` with its
    /// `retry_at`, anything else `Failed`. An error *after* the submit click
    /// that leaves the result unknown (timeout, dropped connection, 5xx)
    /// must be recorded as [`Outcome::Uncertain`] by the caller, which alone
    /// knows whether the click happened.
    pub fn from_error(e: &Error, now: Timestamp) -> Outcome {
        match e {
            Error::Duplicate { existing_url, .. } => Outcome::Posted {
                url: existing_url.clone(),
                id: None,
            },
            Error::NeedsHuman { reason, url, .. } => Outcome::NeedsHuman {
                reason: if url.is_empty() {
                    reason.clone()
                } else {
                    format!("{reason} ({url})")
                },
            },
            other => Outcome::Failed {
                kind: other.kind().as_str().to_string(),
                message: ErrorReport::from(other).message,
                retry_at: match other {
                    Error::RateLimited {
                        retry_after: Some(d),
                        ..
                    } => Some(plus(now, *d)),
                    _ => None,
                },
            },
        }
    }

    pub fn state(&self) -> AttemptState {
        match self {
            Outcome::Posted { .. } => AttemptState::Posted,
            Outcome::Failed { .. } => AttemptState::Failed,
            Outcome::NeedsHuman { .. } => AttemptState::NeedsHuman,
            Outcome::Uncertain { .. } => AttemptState::Uncertain,
        }
    }
}

/// One attempt as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptRow {
    pub id: AttemptId,
    pub platform: PlatformId,
    pub account: String,
    pub content_hash: ContentHash,
    pub summary: String,
    pub state: AttemptState,
    /// The post's URL once posted.
    pub url: Option<String>,
    /// The platform's id of the post, when known.
    pub post_id: Option<String>,
    /// `ErrorKind` name for failed rows; `needs_human` / `uncertain` for those.
    pub error_kind: Option<String>,
    /// What went wrong, or why the row is uncertain or needs a person.
    pub error: Option<String>,
    /// When the platform said to try again (rate limits).
    pub retry_at: Option<Timestamp>,
    /// The process that ran (or runs) it.
    pub owner: Option<Owner>,
    pub job: Option<JobId>,
    pub created_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}

impl AttemptRow {
    /// When the attempt last changed: finished, else started, else created.
    pub fn last_at(&self) -> Timestamp {
        self.finished_at
            .or(self.started_at)
            .unwrap_or(self.created_at)
    }
}

const COLUMNS: &str = "id, platform, account, content_hash, summary, state, url, post_id, \
     error_kind, error, retry_at, pid, process_start, job_id, created_at, started_at, finished_at";

fn read_row(row: &Row<'_>) -> rusqlite::Result<AttemptRow> {
    let platform: String = row.get(1)?;
    let state: String = row.get(5)?;
    let pid: Option<i64> = row.get(11)?;
    let start: Option<String> = row.get(12)?;
    Ok(AttemptRow {
        id: AttemptId(row.get(0)?),
        platform: platform.parse().map_err(|e| bad_column(1, e))?,
        account: row.get(2)?,
        content_hash: ContentHash::from_stored(row.get::<_, String>(3)?),
        summary: row.get(4)?,
        state: state.parse().map_err(|e| bad_column(5, e))?,
        url: row.get(6)?,
        post_id: row.get(7)?,
        error_kind: row.get(8)?,
        error: row.get(9)?,
        retry_at: opt_ts_at(row, 10)?,
        owner: pid.map(|p| Owner::new(p as u32, start)),
        job: row.get::<_, Option<i64>>(13)?.map(JobId),
        created_at: ts_at(row, 14)?,
        started_at: opt_ts_at(row, 15)?,
        finished_at: opt_ts_at(row, 16)?,
    })
}

impl Store {
    /// Records a planned attempt (`pending`): nothing is being posted yet.
    pub fn record_pending(&self, new: &NewAttempt, now: Timestamp) -> Result<AttemptId> {
        self.insert_attempt(new, AttemptState::Pending, now)
    }

    /// Moves a `pending` attempt to `running`, owned by this process.
    pub fn start_attempt(&self, id: AttemptId, now: Timestamp) -> Result<()> {
        let changed = self
            .conn
            .execute(
                "UPDATE attempts SET state = 'running', started_at = ?2, pid = ?3, process_start = ?4
                 WHERE id = ?1 AND state = 'pending'",
                params![
                    id.0,
                    ms(now),
                    self.owner.pid(),
                    self.owner.start_marker()
                ],
            )
            .map_err(|e| self.err(e))?;
        if changed == 0 {
            return Err(self.not_in_state(id, "pending"));
        }
        Ok(())
    }

    /// Records that this process starts posting (`running`, `started_at = now`).
    /// Call it before the submit click; call [`Store::finish_attempt`] after.
    pub fn begin_attempt(&self, new: &NewAttempt, now: Timestamp) -> Result<AttemptId> {
        self.insert_attempt(new, AttemptState::Running, now)
    }

    fn insert_attempt(
        &self,
        new: &NewAttempt,
        state: AttemptState,
        now: Timestamp,
    ) -> Result<AttemptId> {
        let started = (state == AttemptState::Running).then_some(ms(now));
        self.conn
            .execute(
                "INSERT INTO attempts (platform, account, content_hash, summary, state, pid,
                     process_start, job_id, created_at, started_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    new.platform.as_str(),
                    new.account,
                    new.content_hash.as_str(),
                    new.summary,
                    state.as_str(),
                    self.owner.pid(),
                    self.owner.start_marker(),
                    new.job.map(|j| j.0),
                    ms(now),
                    started,
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(AttemptId(self.conn.last_insert_rowid()))
    }

    /// Settles an attempt that is pending, running or uncertain. A settled
    /// row (posted, failed, needs_human) cannot change: that is an error.
    pub fn finish_attempt(&self, id: AttemptId, outcome: &Outcome, now: Timestamp) -> Result<()> {
        let (url, post_id, kind, error, retry_at) = match outcome {
            Outcome::Posted { url, id } => (Some(url.as_str()), id.as_deref(), None, None, None),
            Outcome::Failed {
                kind,
                message,
                retry_at,
            } => (
                None,
                None,
                Some(kind.as_str()),
                Some(message.as_str()),
                *retry_at,
            ),
            Outcome::NeedsHuman { reason } => {
                (None, None, Some("needs_human"), Some(reason.as_str()), None)
            }
            Outcome::Uncertain { reason } => {
                (None, None, Some("uncertain"), Some(reason.as_str()), None)
            }
        };
        let changed = self
            .conn
            .execute(
                "UPDATE attempts SET state = ?2, url = ?3, post_id = ?4, error_kind = ?5,
                     error = ?6, retry_at = ?7, finished_at = ?8
                 WHERE id = ?1 AND state IN ('pending', 'running', 'uncertain')",
                params![
                    id.0,
                    outcome.state().as_str(),
                    url,
                    post_id,
                    kind,
                    error,
                    retry_at.map(ms),
                    ms(now)
                ],
            )
            .map_err(|e| self.err(e))?;
        if changed == 0 {
            return Err(self.not_in_state(id, "pending, running or uncertain"));
        }
        Ok(())
    }

    fn not_in_state(&self, id: AttemptId, wanted: &str) -> Error {
        match self.attempt(id) {
            Ok(Some(row)) => Error::Unexpected {
                message: format!("attempt {id} is {}, not {wanted}", row.state),
            },
            Ok(None) => Error::Unexpected {
                message: format!("no attempt {id} in {}", self.label),
            },
            Err(e) => e,
        }
    }

    /// One attempt by id.
    pub fn attempt(&self, id: AttemptId) -> Result<Option<AttemptRow>> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM attempts WHERE id = ?1"),
                [id.0],
                read_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The latest `limit` attempts, newest first (`distroflow history`).
    pub fn history(&self, limit: usize) -> Result<Vec<AttemptRow>> {
        self.history_where(&HistoryFilter {
            limit,
            ..HistoryFilter::default()
        })
    }

    /// The newest attempts that match every condition of `filter`, newest
    /// first.
    pub fn history_where(&self, filter: &HistoryFilter) -> Result<Vec<AttemptRow>> {
        use rusqlite::types::Value;
        let mut clause = vec!["1 = 1".to_string()];
        let mut values: Vec<Value> = Vec::new();
        if let Some(p) = filter.platform {
            values.push(Value::Text(p.as_str().to_string()));
            clause.push(format!("platform = ?{}", values.len()));
        }
        if let Some(st) = filter.state {
            values.push(Value::Text(st.as_str().to_string()));
            clause.push(format!("state = ?{}", values.len()));
        }
        if let Some(since) = filter.since {
            values.push(Value::Integer(ms(since)));
            clause.push(format!("created_at >= ?{}", values.len()));
        }
        values.push(Value::Integer(filter.limit.min(i64::MAX as usize) as i64));
        let sql = format!(
            "{} ORDER BY id DESC LIMIT ?{}",
            clause.join(" AND "),
            values.len()
        );
        self.attempts_where(&sql, rusqlite::params_from_iter(values))
    }

    /// Every attempt made for a job, oldest first.
    pub fn attempts_for_job(&self, job: JobId) -> Result<Vec<AttemptRow>> {
        self.attempts_where("job_id = ?1 ORDER BY id", [job.0])
    }

    fn attempts_where(&self, clause: &str, p: impl rusqlite::Params) -> Result<Vec<AttemptRow>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM attempts WHERE {clause}"))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(p, read_row)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e));
        rows
    }

    /// The attempt that makes posting this content to this target again a
    /// duplicate, if any changed within `window` before `now`: a `posted`
    /// one first (its URL is the answer), else a `running` one (another
    /// process is posting it now), else an `uncertain` one (look on the
    /// platform first). Crashed `running` rows count as `uncertain`.
    /// Failed and needs_human attempts never block a new one.
    pub fn find_recent(
        &self,
        platform: PlatformId,
        account: &str,
        hash: &ContentHash,
        window: Duration,
        now: Timestamp,
    ) -> Result<Option<AttemptRow>> {
        self.mark_crashed(now)?;
        let rows = self.attempts_where(
            "platform = ?1 AND account = ?2 AND content_hash = ?3
               AND state IN ('posted', 'running', 'uncertain')
               AND COALESCE(finished_at, started_at, created_at) >= ?4
             ORDER BY CASE state WHEN 'posted' THEN 0 WHEN 'running' THEN 1 ELSE 2 END, id DESC
             LIMIT 1",
            params![
                platform.as_str(),
                account,
                hash.as_str(),
                ms(minus(now, window))
            ],
        )?;
        Ok(rows.into_iter().next())
    }

    /// Crash recovery: every `running` row whose process is gone becomes
    /// `uncertain` (and a `pending` one whose process is gone becomes
    /// `failed`, as nothing was sent); then returns the rows still open,
    /// oldest first: `uncertain` ones (to be resolved by looking on the
    /// platform) and `running` ones (owned by a live process: leave them).
    pub fn uncertain_or_running(&self, now: Timestamp) -> Result<Vec<AttemptRow>> {
        self.mark_crashed(now)?;
        self.attempts_where("state IN ('uncertain', 'running') ORDER BY id", [])
    }

    /// Marks the rows of dead processes; returns how many changed.
    pub(crate) fn mark_crashed(&self, now: Timestamp) -> Result<usize> {
        let open = self.attempts_where("state IN ('pending', 'running')", [])?;
        let mut changed = 0;
        for row in open {
            let Some(owner) = row.owner.as_ref().filter(|o| !o.is_alive()) else {
                continue;
            };
            let outcome = match row.state {
                AttemptState::Running => Outcome::Uncertain {
                    reason: format!(
                        "the process that was posting it (pid {}) ended before it finished: \
                         crashed or killed",
                        owner.pid()
                    ),
                },
                _ => Outcome::Failed {
                    kind: "interrupted".into(),
                    message: format!(
                        "the process that planned it (pid {}) ended before it started",
                        owner.pid()
                    ),
                    retry_at: None,
                },
            };
            // Another process may settle the row first; then nothing changes.
            let n = self
                .conn
                .execute(
                    "UPDATE attempts SET state = ?2, error_kind = ?3, error = ?4, finished_at = ?5
                     WHERE id = ?1 AND state = ?6",
                    params![
                        row.id.0,
                        outcome.state().as_str(),
                        match &outcome {
                            Outcome::Failed { kind, .. } => kind.as_str(),
                            _ => "uncertain",
                        },
                        match &outcome {
                            Outcome::Failed { message, .. } => message.as_str(),
                            Outcome::Uncertain { reason } => reason.as_str(),
                            _ => "",
                        },
                        ms(now),
                        row.state.as_str()
                    ],
                )
                .map_err(|e| self.err(e))?;
            changed += n;
        }
        Ok(changed)
    }
}
