//! The job queue behind `distroflow schedule`, `queue` and `daemon`.
//!
//! A job is `queued` until its due time (or its retry time) has come; a
//! worker claims it ([`Store::claim_due`]: `running`, never claimed twice,
//! even by two processes); then it is `done`, retried later with backoff
//! ([`Store::fail_or_backoff`]), or `failed` with the reason. `cancelled`
//! jobs never run. A repeating job (`every`) goes back to `queued` at its
//! next due time instead of `done`, keeping its id.
//!
//! Jobs live in the store, so they survive restarts. A job that was
//! `running` when its process died goes back to the queue
//! ([`Store::requeue_stale_running`]); the attempts it had begun are then
//! `uncertain`, so running it again first looks for its posts on the
//! platforms (the caller's idempotency check) instead of posting twice.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use distroflow_core::{Error, PlatformId, Result};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use rusqlite::{params, OptionalExtension, Row};

use crate::db::{bad_column, ms, opt_ts_at, plus, ts_at};
use crate::payload::{results_from_json, results_to_json, targets_from_json, targets_to_json};
use crate::{
    parse_every, zone_named, AttemptState, JobPayload, JobResults, Owner, Recurrence, Store,
};

/// A row in the jobs table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub i64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where a job stands. The `as_str` names are stored and shown in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
    /// Queued, but a platform has no valid session: it runs again once the
    /// person logs in (`distroflow login`), never retried by itself.
    NeedsLogin,
}

impl JobState {
    pub const ALL: [JobState; 6] = [
        JobState::Queued,
        JobState::NeedsLogin,
        JobState::Running,
        JobState::Done,
        JobState::Failed,
        JobState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
            JobState::NeedsLogin => "needs_login",
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobState {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        JobState::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                Error::usage(
                    format!("unknown job state `{s}`"),
                    Some("states are queued, needs_login, running, done, failed, cancelled".into()),
                )
            })
    }
}

/// A job to queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    /// The first due time (see [`crate::parse_at`]).
    pub due_at: Timestamp,
    pub every: Option<Recurrence>,
    /// The time zone the recurrence is read in: an IANA name, `UTC` or an
    /// offset (see [`crate::zone_name`]).
    pub tz: String,
    pub targets: Vec<PlatformId>,
    pub payload: JobPayload,
}

/// A job as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the current occurrence is due (UTC).
    pub due_at: Timestamp,
    /// The recurrence as written (`30m`, `0 9 * * 1-5`), if it repeats.
    pub every: Option<String>,
    pub tz: String,
    pub targets: Vec<PlatformId>,
    pub payload: JobPayload,
    pub state: JobState,
    /// Failures of the current occurrence so far.
    pub attempts: u32,
    /// Platform-requested waits of the current occurrence so far.
    pub deferrals: u32,
    pub last_error: Option<String>,
    /// When a backed-off job may run again (it runs at the later of this
    /// and `due_at`; set, it is the later).
    pub next_retry_at: Option<Timestamp>,
    /// Per-target results of the current occurrence.
    pub results: JobResults,
    /// How many occurrences have finished (done or finally failed).
    pub runs: u32,
    pub last_run_at: Option<Timestamp>,
    /// Who claimed it while `running`.
    pub worker: Option<String>,
    pub owner: Option<Owner>,
    pub claimed_at: Option<Timestamp>,
    /// The platforms whose login the job waits for (state `needs_login`).
    pub needs_login: Vec<PlatformId>,
}

impl Job {
    /// When the job runs next: its retry time if backing off, else its due time.
    pub fn runs_at(&self) -> Timestamp {
        self.next_retry_at.unwrap_or(self.due_at)
    }

    /// The targets without a `posted` result in this occurrence: what a
    /// retry still has to post.
    pub fn pending_targets(&self) -> Vec<PlatformId> {
        self.targets
            .iter()
            .copied()
            .filter(|p| {
                self.results
                    .get(p)
                    .is_none_or(|r| r.state != AttemptState::Posted)
            })
            .collect()
    }

    pub fn recurrence(&self) -> Result<Option<Recurrence>> {
        self.every.as_deref().map(parse_every).transpose()
    }

    pub fn zone(&self) -> Result<TimeZone> {
        zone_named(&self.tz)
    }
}

/// What [`Store::fail_or_backoff`] did with a failed job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    /// Back in the queue; runs again at this time.
    RetryAt(Timestamp),
    /// Out of attempts: `failed`, with the reason as its last error.
    Failed,
    /// A repeating job out of attempts for this occurrence: queued for its
    /// next one.
    NextOccurrence(Timestamp),
}

const COLUMNS: &str = "id, created_at, updated_at, due_at, every, tz, targets, payload, state, \
     attempts, deferrals, last_error, next_retry_at, results, runs, last_run_at, worker, pid, \
     process_start, claimed_at, needs_login";

/// Queued jobs in the order they run.
const RUN_ORDER: &str = "COALESCE(next_retry_at, due_at), id";

fn read_row(row: &Row<'_>) -> rusqlite::Result<Job> {
    let text = |i: usize| row.get::<_, String>(i);
    let pid: Option<i64> = row.get(17)?;
    let start: Option<String> = row.get(18)?;
    Ok(Job {
        id: JobId(row.get(0)?),
        created_at: ts_at(row, 1)?,
        updated_at: ts_at(row, 2)?,
        due_at: ts_at(row, 3)?,
        every: row.get(4)?,
        tz: text(5)?,
        targets: targets_from_json(&text(6)?).map_err(|e| bad_column(6, Damaged(e)))?,
        payload: JobPayload::from_json(&text(7)?).map_err(|e| bad_column(7, Damaged(e)))?,
        state: text(8)?.parse().map_err(|e| bad_column(8, e))?,
        attempts: row.get(9)?,
        deferrals: row.get(10)?,
        last_error: row.get(11)?,
        next_retry_at: opt_ts_at(row, 12)?,
        results: results_from_json(&text(13)?).map_err(|e| bad_column(13, Damaged(e)))?,
        runs: row.get(14)?,
        last_run_at: opt_ts_at(row, 15)?,
        worker: row.get(16)?,
        owner: pid.map(|p| Owner::new(p as u32, start)),
        claimed_at: opt_ts_at(row, 19)?,
        needs_login: Vec::new(),
    }
    .with_login_wait(row.get::<_, Option<String>>(20)?))
}

impl Job {
    /// A queued job with platforms to log in to is `needs_login`.
    fn with_login_wait(mut self, waits: Option<String>) -> Job {
        self.needs_login = waits
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter_map(|p| p.trim().parse().ok())
            .collect();
        if self.state == JobState::Queued && !self.needs_login.is_empty() {
            self.state = JobState::NeedsLogin;
        }
        self
    }
}

fn login_list(platforms: &[PlatformId]) -> Option<String> {
    (!platforms.is_empty()).then(|| {
        platforms
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(",")
    })
}

#[derive(Debug)]
struct Damaged(String);

impl fmt::Display for Damaged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Damaged {}

impl Store {
    /// Queues a job; returns its id. Targets are de-duplicated in order.
    pub fn enqueue(&self, job: &NewJob, now: Timestamp) -> Result<JobId> {
        let mut targets = Vec::new();
        for t in &job.targets {
            if !targets.contains(t) {
                targets.push(*t);
            }
        }
        if targets.is_empty() {
            return Err(Error::usage(
                "a job needs at least one target",
                Some(format!(
                    "name platforms with --to ({})",
                    PlatformId::valid_names()
                )),
            ));
        }
        zone_named(&job.tz)?;
        self.conn
            .execute(
                "INSERT INTO jobs (created_at, updated_at, due_at, every, tz, targets, payload, state)
                 VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6, 'queued')",
                params![
                    ms(now),
                    ms(job.due_at),
                    job.every.as_ref().map(|r| r.as_str()),
                    job.tz,
                    targets_to_json(&targets),
                    job.payload.to_json(),
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(JobId(self.conn.last_insert_rowid()))
    }

    /// One job by id.
    pub fn job(&self, id: JobId) -> Result<Option<Job>> {
        self.conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
                [id.0],
                read_row,
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Jobs in any of `states` (every job when empty), in the order they
    /// run (finished ones by the time they were due).
    pub fn jobs(&self, states: &[JobState]) -> Result<Vec<Job>> {
        let filter = if states.is_empty() {
            "1 = 1".to_string()
        } else {
            let names: Vec<String> = states
                .iter()
                .map(|s| match s {
                    JobState::Queued => "(state = 'queued' AND needs_login IS NULL)".to_string(),
                    JobState::NeedsLogin => {
                        "(state = 'queued' AND needs_login IS NOT NULL)".to_string()
                    }
                    other => format!("state = '{}'", other.as_str()),
                })
                .collect();
            format!("({})", names.join(" OR "))
        };
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM jobs WHERE {filter} ORDER BY {RUN_ORDER}"
            ))
            .map_err(|e| self.err(e))?;
        let jobs = stmt
            .query_map([], read_row)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e));
        jobs
    }

    /// The earliest time a queued job runs, if any job is queued (how long
    /// a daemon may sleep; `None` means idle).
    pub fn next_wake(&self) -> Result<Option<Timestamp>> {
        let v: Option<i64> = self
            .conn
            .query_row(
                "SELECT MIN(COALESCE(next_retry_at, due_at)) FROM jobs
                 WHERE state = 'queued' AND needs_login IS NULL",
                [],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        v.map(|v| {
            Timestamp::from_millisecond(v).map_err(|e| self.damaged(format!("bad time {v}: {e}")))
        })
        .transpose()
    }

    fn existing_job(&self, id: JobId) -> Result<Job> {
        self.job(id)?.ok_or_else(|| {
            Error::usage(
                format!("no job {id}"),
                Some("see `distroflow queue list` for job ids".into()),
            )
        })
    }

    /// Cancels a queued job (a repeating one stops repeating). A running
    /// or finished job cannot be cancelled: a usage error says why.
    pub fn cancel_job(&self, id: JobId, now: Timestamp) -> Result<Job> {
        let tx = self.write_tx()?;
        let job = self.existing_job(id)?;
        match job.state {
            JobState::Queued | JobState::NeedsLogin => {}
            JobState::Running => {
                return Err(Error::usage(
                    format!("job {id} is running now and cannot be cancelled"),
                    Some("wait for it to finish; a repeating job can be cancelled then".into()),
                ))
            }
            done => return Err(Error::usage(format!("job {id} is already {done}"), None)),
        }
        tx.execute(
            "UPDATE jobs SET state = 'cancelled', updated_at = ?2 WHERE id = ?1",
            params![id.0, ms(now)],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        self.existing_job(id)
    }

    /// Runs a failed job again (from a fresh set of attempts), a cancelled
    /// one only with `revive_cancelled`, or a queued one that waits on a
    /// backoff, at `now`. Posted targets
    /// of a failed job stay posted and are not run again.
    pub fn retry_job(&self, id: JobId, now: Timestamp, revive_cancelled: bool) -> Result<Job> {
        let tx = self.write_tx()?;
        let job = self.existing_job(id)?;
        match job.state {
            JobState::Failed => {}
            JobState::Cancelled if revive_cancelled => {}
            // Someone cancelled it on purpose: a retry meant for a failed
            // job must not bring it back by mistake.
            JobState::Cancelled => {
                return Err(Error::usage(
                    format!("job {id} was cancelled; retry runs failed jobs"),
                    Some(format!(
                        "to post it anyway, `distroflow queue retry {id} --force`"
                    )),
                ))
            }
            JobState::Queued if job.next_retry_at.is_some() => {}
            // Logged in some other way (a copied session file): run it now.
            JobState::NeedsLogin => {}
            JobState::Queued => {
                return Err(Error::usage(
                    format!("job {id} is queued and has not failed; nothing to retry"),
                    Some(
                        "it runs at its due time; cancel it and schedule again to change that"
                            .into(),
                    ),
                ))
            }
            JobState::Running => {
                return Err(Error::usage(format!("job {id} is running now"), None))
            }
            JobState::Done => {
                return Err(Error::usage(
                    format!("job {id} is already done"),
                    Some("schedule the post again to send it again".into()),
                ))
            }
        }
        tx.execute(
            "UPDATE jobs SET state = 'queued', attempts = 0, deferrals = 0, next_retry_at = ?2,
                 needs_login = NULL, updated_at = ?2 WHERE id = ?1",
            params![id.0, ms(now)],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        self.existing_job(id)
    }

    /// Takes the queued job that is due first (due or retry time at or
    /// before `now`) and marks it `running` for `worker` and this process,
    /// in one IMMEDIATE transaction: two workers, in one process or two,
    /// never get the same job.
    pub fn claim_due(&self, now: Timestamp, worker: &str) -> Result<Option<Job>> {
        let tx = self.write_tx()?;
        let id: Option<i64> = tx
            .query_row(
                &format!(
                    "SELECT id FROM jobs WHERE state = 'queued' AND needs_login IS NULL
                       AND COALESCE(next_retry_at, due_at) <= ?1
                     ORDER BY {RUN_ORDER} LIMIT 1"
                ),
                [ms(now)],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some(id) = id else {
            return Ok(None);
        };
        let changed = tx
            .execute(
                "UPDATE jobs SET state = 'running', worker = ?2, pid = ?3, process_start = ?4,
                     claimed_at = ?5, updated_at = ?5
                 WHERE id = ?1 AND state = 'queued'",
                params![
                    id,
                    worker,
                    self.owner.pid(),
                    self.owner.start_marker(),
                    ms(now)
                ],
            )
            .map_err(|e| self.err(e))?;
        if changed != 1 {
            return Err(self.damaged(format!("job {id} changed while it was being claimed")));
        }
        let job = tx
            .query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
                [id],
                read_row,
            )
            .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(Some(job))
    }

    /// Saves the per-target results of a running job as they come in, so
    /// that a crash or a retry never posts a target that already succeeded.
    pub fn set_job_results(&self, id: JobId, results: &JobResults, now: Timestamp) -> Result<()> {
        let changed = self
            .conn
            .execute(
                "UPDATE jobs SET results = ?2, updated_at = ?3 WHERE id = ?1 AND state = 'running'",
                params![id.0, results_to_json(results), ms(now)],
            )
            .map_err(|e| self.err(e))?;
        if changed == 0 {
            return Err(self.not_running(id));
        }
        Ok(())
    }

    /// Finishes a running job's occurrence with its results. A one-off job
    /// becomes `done` (returns `None`); a repeating one is queued again at
    /// its next due time (returned), with fresh results.
    pub fn complete_job(
        &self,
        id: JobId,
        results: &JobResults,
        now: Timestamp,
    ) -> Result<Option<Timestamp>> {
        let tx = self.write_tx()?;
        let job = self.running_job(id)?;
        let next = self.next_occurrence(&job, now)?;
        match next {
            None => tx.execute(
                "UPDATE jobs SET state = 'done', results = ?2, last_error = NULL,
                     next_retry_at = NULL, runs = runs + 1, last_run_at = ?3, updated_at = ?3,
                     worker = NULL, pid = NULL, process_start = NULL
                 WHERE id = ?1",
                params![id.0, results_to_json(results), ms(now)],
            ),
            Some(next) => tx.execute(
                "UPDATE jobs SET state = 'queued', due_at = ?2, results = '{}', last_error = NULL,
                     attempts = 0, deferrals = 0, next_retry_at = NULL, runs = runs + 1,
                     last_run_at = ?3, updated_at = ?3, worker = NULL, pid = NULL,
                     process_start = NULL
                 WHERE id = ?1",
                params![id.0, ms(next), ms(now)],
            ),
        }
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(next)
    }

    /// A running job's occurrence failed with `reason`.
    ///
    /// With `retry_after` (the platform said "try again in N minutes") the
    /// job waits exactly that long and the wait does not count as a failed
    /// attempt (up to [`crate::Backoff::max_deferrals`] such waits).
    /// Otherwise it counts: the job is queued again after the backoff delay,
    /// and the failure that reaches [`crate::Backoff::max_attempts`] is
    /// final: a one-off job becomes `failed` with `reason` as its last
    /// error; a repeating one moves on to its next occurrence.
    pub fn fail_or_backoff(
        &self,
        id: JobId,
        reason: &str,
        retry_after: Option<Duration>,
        now: Timestamp,
    ) -> Result<AfterFailure> {
        let tx = self.write_tx()?;
        let job = self.running_job(id)?;
        let b = self.backoff;
        let (attempts, deferrals, retry_at) = match retry_after {
            Some(wait) => (job.attempts, job.deferrals + 1, plus(now, wait)),
            None => {
                let n = job.attempts + 1;
                (n, job.deferrals, plus(now, b.delay(n)))
            }
        };
        let out_of_tries = attempts >= b.max_attempts || deferrals > b.max_deferrals;
        let outcome = if !out_of_tries {
            tx.execute(
                "UPDATE jobs SET state = 'queued', attempts = ?2, deferrals = ?3, last_error = ?4,
                     next_retry_at = ?5, updated_at = ?6, worker = NULL, pid = NULL,
                     process_start = NULL
                 WHERE id = ?1",
                params![id.0, attempts, deferrals, reason, ms(retry_at), ms(now)],
            )
            .map(|_| AfterFailure::RetryAt(retry_at))
        } else {
            match self.next_occurrence(&job, now)? {
                None => tx
                    .execute(
                        "UPDATE jobs SET state = 'failed', attempts = ?2, deferrals = ?3,
                             last_error = ?4, next_retry_at = NULL, runs = runs + 1,
                             last_run_at = ?5, updated_at = ?5, worker = NULL, pid = NULL,
                             process_start = NULL
                         WHERE id = ?1",
                        params![id.0, attempts, deferrals, reason, ms(now)],
                    )
                    .map(|_| AfterFailure::Failed),
                Some(next) => tx
                    .execute(
                        "UPDATE jobs SET state = 'queued', due_at = ?2, attempts = 0, deferrals = 0,
                             last_error = ?3, next_retry_at = NULL, results = '{}',
                             runs = runs + 1, last_run_at = ?4, updated_at = ?4, worker = NULL,
                             pid = NULL, process_start = NULL
                         WHERE id = ?1",
                        params![
                            id.0,
                            ms(next),
                            format!(
                                "the run due {} failed after {attempts} attempts: {reason}",
                                job.due_at
                            ),
                            ms(now)
                        ],
                    )
                    .map(|_| AfterFailure::NextOccurrence(next)),
            }
        }
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(outcome)
    }

    /// A running job found no valid session for `platforms`: it waits as
    /// `needs_login` until the person logs in ([`Store::resume_after_login`]).
    /// Not a failed attempt, and never retried by itself: a login cannot
    /// come back by waiting.
    pub fn wait_for_login(
        &self,
        id: JobId,
        platforms: &[PlatformId],
        reason: &str,
        now: Timestamp,
    ) -> Result<()> {
        let tx = self.write_tx()?;
        self.running_job(id)?;
        tx.execute(
            "UPDATE jobs SET state = 'queued', needs_login = ?2, last_error = ?3,
                 next_retry_at = NULL, updated_at = ?4, worker = NULL, pid = NULL,
                 process_start = NULL
             WHERE id = ?1",
            params![id.0, login_list(platforms), reason, ms(now)],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// The person logged in to `platform`: jobs waiting for it wait for one
    /// platform less, and those waiting for nothing more are queued to run
    /// at once. Returns the jobs queued again.
    pub fn resume_after_login(&self, platform: PlatformId, now: Timestamp) -> Result<Vec<JobId>> {
        let tx = self.write_tx()?;
        let waiting = self.jobs(&[JobState::NeedsLogin])?;
        let mut resumed = Vec::new();
        for job in waiting.iter().filter(|j| j.needs_login.contains(&platform)) {
            let rest: Vec<PlatformId> = job
                .needs_login
                .iter()
                .copied()
                .filter(|p| *p != platform)
                .collect();
            tx.execute(
                "UPDATE jobs SET needs_login = ?2, next_retry_at = ?3, updated_at = ?4
                 WHERE id = ?1 AND state = 'queued'",
                params![
                    job.id.0,
                    login_list(&rest),
                    rest.is_empty().then_some(ms(now)),
                    ms(now)
                ],
            )
            .map_err(|e| self.err(e))?;
            if rest.is_empty() {
                resumed.push(job.id);
            }
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(resumed)
    }

    /// A job claimed but never started (a daemon stopping while the job
    /// waited for room on the engines) goes back to the queue as it was.
    pub fn release_job(&self, id: JobId, now: Timestamp) -> Result<()> {
        self.conn
            .execute(
                "UPDATE jobs SET state = 'queued', updated_at = ?2, worker = NULL, pid = NULL,
                     process_start = NULL
                 WHERE id = ?1 AND state = 'running'",
                params![id.0, ms(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Daemon start-up: every `running` job whose process is gone goes back
    /// to the queue, due at once, its per-target results kept. Returns
    /// their ids. Jobs of live processes are left alone.
    pub fn requeue_stale_running(&self, now: Timestamp) -> Result<Vec<JobId>> {
        let tx = self.write_tx()?;
        let mut requeued = Vec::new();
        for job in self.jobs(&[JobState::Running])? {
            let Some(owner) = job.owner.as_ref().filter(|o| !o.is_alive()) else {
                continue;
            };
            tx.execute(
                "UPDATE jobs SET state = 'queued', next_retry_at = ?2, last_error = ?3,
                     updated_at = ?2, worker = NULL, pid = NULL, process_start = NULL
                 WHERE id = ?1 AND state = 'running'",
                params![
                    job.id.0,
                    ms(now),
                    format!(
                        "interrupted: the process running it (pid {}) ended; posts it may have \
                         made are looked for before anything is posted again",
                        owner.pid()
                    )
                ],
            )
            .map_err(|e| self.err(e))?;
            requeued.push(job.id);
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(requeued)
    }

    fn running_job(&self, id: JobId) -> Result<Job> {
        let job = self.existing_job(id)?;
        if job.state != JobState::Running {
            return Err(self.not_running(id));
        }
        Ok(job)
    }

    fn not_running(&self, id: JobId) -> Error {
        match self.job(id) {
            Ok(Some(job)) => Error::Unexpected {
                message: format!("job {id} is {}, not running", job.state),
            },
            Ok(None) => Error::Unexpected {
                message: format!("no job {id} in {}", self.label),
            },
            Err(e) => e,
        }
    }

    /// The next due time of a repeating job after `now`; `None` for a one-off.
    fn next_occurrence(&self, job: &Job, now: Timestamp) -> Result<Option<Timestamp>> {
        let Some(rec) = job.recurrence()? else {
            return Ok(None);
        };
        rec.next_due(job.due_at, now, &job.zone()?).map(Some)
    }
}
