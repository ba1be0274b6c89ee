//! The ledger: what the store says before and after each job, so that a
//! post is never lost and never posted twice, and rate limits hold.
//!
//! Before a job posts: a recent identical post is reported, not repeated;
//! an attempt whose outcome was unknown (a timeout after the submit, a
//! crash) is resolved by looking on the platform first; the platform's rate
//! limit must allow it. The attempt is recorded as `running` before the
//! browser submits anything, and finished with its outcome after; a job
//! stopped before its submit started (a deadline, Ctrl-C) is `failed`,
//! after it `uncertain`, and never left `running`.

use std::sync::Mutex;
use std::time::Duration;

use distroflow_core::{Error, PlatformId, Post, Result};
use distroflow_store::{
    AttemptId, AttemptRow, AttemptState, JobId, NewAttempt, Outcome, RateCheck, RateLimits, Store,
};
use jiff::Timestamp;

/// How long an identical post counts as already done (unless forced).
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);

/// The store and the policy of a run. Shared by every job.
pub struct Ledger {
    store: Mutex<Store>,
    limits: RateLimits,
    force: bool,
    window: Duration,
    /// The scheduled job the run is for: its attempts are linked to it.
    job: Option<JobId>,
}

/// What the ledger says about a job before it runs.
#[derive(Clone)]
pub enum Before {
    /// Go ahead; the attempt is recorded as running.
    Post(AttemptId),
    /// Already posted (at this URL, if known): report, do not repeat.
    Done(AttemptRow),
    /// An earlier attempt's outcome is unknown: look on the platform first.
    Resolve(AttemptRow),
}

impl Ledger {
    pub fn new(store: Store, limits: RateLimits, force: bool) -> Ledger {
        Ledger {
            store: Mutex::new(store),
            limits,
            force,
            window: DEFAULT_WINDOW,
            job: None,
        }
    }

    /// Links every attempt of the run to a scheduled job (`queue show`).
    pub fn for_job(mut self, job: JobId) -> Ledger {
        self.job = Some(job);
        self
    }

    fn new_attempt(&self, platform: PlatformId, account: &str, post: &Post) -> Result<NewAttempt> {
        let new = NewAttempt::for_post(platform, account, post)?;
        Ok(match self.job {
            Some(j) => new.with_job(j),
            None => new,
        })
    }

    /// Records a job refused before any browser work (no session, a rate
    /// limit): `failed`, with the reason and, for a rate limit, when the
    /// next post is allowed, so `history` shows it.
    pub fn refused(
        &self,
        platform: PlatformId,
        account: &str,
        post: &Post,
        e: &Error,
    ) -> Result<()> {
        let now = Timestamp::now();
        let new = self.new_attempt(platform, account, post)?;
        let outcome = Outcome::from_error(e, now);
        self.with_store(|store| {
            let id = store.record_pending(&new, now)?;
            store.finish_attempt(id, &outcome, now)
        })
    }

    fn with_store<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let store = self.store.lock().map_err(|_| Error::Unexpected {
            message: "the store lock was poisoned".into(),
        })?;
        f(&store)
    }

    /// Checks the job against the records; records it as running when it
    /// may post.
    pub fn before(&self, platform: PlatformId, account: &str, post: &Post) -> Result<Before> {
        let now = Timestamp::now();
        let new = self.new_attempt(platform, account, post)?;
        self.with_store(|store| {
            if !self.force {
                if let Some(row) = store.find_recent(platform, account, &new.content_hash, self.window, now)? {
                    match row.state {
                        AttemptState::Posted => return Ok(Before::Done(row)),
                        AttemptState::Uncertain => return Ok(Before::Resolve(row)),
                        AttemptState::Running | AttemptState::Pending => {
                            return Err(Error::Unexpected {
                                message: format!(
                                    "another DistroFlow run is posting this to {} right now (attempt {})",
                                    platform.display_name(),
                                    row.id.0
                                ),
                            })
                        }
                        _ => {}
                    }
                }
            }
            if let RateCheck::Wait { wait, reason, .. } = self.limits.check(store, platform, account, now)? {
                return Err(Error::RateLimited {
                    platform,
                    message: format!(
                        "{reason}; next post allowed in {} (or --no-rate-limit)",
                        distroflow_store::format_duration(wait)
                    ),
                    retry_after: Some(wait),
                });
            }
            store.begin_attempt(&new, now).map(Before::Post)
        })
    }

    /// Starts a new attempt after an uncertain one was found not posted.
    pub fn begin_after_resolve(
        &self,
        platform: PlatformId,
        account: &str,
        post: &Post,
        old: &AttemptRow,
    ) -> Result<AttemptId> {
        let now = Timestamp::now();
        let new = self.new_attempt(platform, account, post)?;
        self.with_store(|store| {
            store.finish_attempt(
                old.id,
                &Outcome::Failed {
                    kind: "not_posted".into(),
                    message: "looked on the platform after an unknown outcome: not there".into(),
                    retry_at: None,
                },
                now,
            )?;
            store.begin_attempt(&new, now)
        })
    }

    /// Records a running attempt as `uncertain` (its browser was lost after
    /// the submit started) and returns it, to be resolved by looking on the
    /// platform before anything is posted again, as after a crash. (Not
    /// [`Ledger::before`]: with `--force` that would post again unseen.)
    pub fn uncertain(&self, id: AttemptId, why: &Error) -> Result<AttemptRow> {
        let now = Timestamp::now();
        self.with_store(|store| {
            store.finish_attempt(
                id,
                &Outcome::Uncertain {
                    reason: why.to_string(),
                },
                now,
            )?;
            store.attempt(id)?.ok_or_else(|| Error::Unexpected {
                message: format!("attempt {} vanished from the store", id.0),
            })
        })
    }

    /// Records an earlier uncertain attempt as posted (found on the platform).
    pub fn resolved_posted(&self, old: &AttemptRow, url: &str, id: &str) -> Result<()> {
        self.with_store(|store| {
            store.finish_attempt(
                old.id,
                &Outcome::Posted {
                    url: url.to_string(),
                    id: Some(id.to_string()),
                },
                Timestamp::now(),
            )
        })
    }

    /// Records an attempt that ended before its submit started (a deadline
    /// or Ctrl-C while waiting for the browser, opening a context, looking
    /// for an earlier post): `failed`, since nothing reached the platform
    /// and posting it again is safe. Never `uncertain`, even for a timeout.
    pub fn failed_before_submit(&self, id: AttemptId, e: &Error) -> Result<()> {
        let now = Timestamp::now();
        let outcome = Outcome::Failed {
            kind: e.kind().as_str().to_string(),
            message: format!("{e} (before anything was submitted)"),
            retry_at: None,
        };
        self.with_store(|store| store.finish_attempt(id, &outcome, now))
    }

    /// Records how an attempt ended.
    pub fn after(
        &self,
        id: AttemptId,
        outcome: &std::result::Result<distroflow_core::Posted, Error>,
    ) -> Result<()> {
        self.after_ref(id, outcome.as_ref())
    }

    /// [`Ledger::after`], for an outcome held elsewhere.
    pub fn after_ref(
        &self,
        id: AttemptId,
        outcome: std::result::Result<&distroflow_core::Posted, &Error>,
    ) -> Result<()> {
        let now = Timestamp::now();
        let outcome = match outcome {
            Ok(p) => Outcome::Posted {
                url: p.url.clone(),
                id: Some(p.id.clone()),
            },
            Err(e) if e.is_uncertain() || e.is_timeout() => Outcome::Uncertain {
                reason: e.to_string(),
            },
            Err(e) => Outcome::from_error(e, now),
        };
        self.with_store(|store| store.finish_attempt(id, &outcome, now))
    }
}
