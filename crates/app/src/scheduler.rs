//! The scheduler (`distroflow daemon`, and `distroflow serve` unless
//! `--no-daemon`): due jobs run through the same fan-out and ledger as
//! `post`, so a job is never posted twice, even after a crash. With browser
//! engines configured it is one coordinator over all of them: one pool for
//! the scheduler's life, and as many jobs at once as the engines have free
//! sessions for (never two jobs to the same platform at once: one account
//! posts one thing at a time). Without, one job at a time on a Chromium
//! launched for it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use distroflow_core::{Config, Home, PlatformId, PostResult, Result};
use distroflow_engine::{BrowserSource, RunEnd};
use distroflow_store::{AfterFailure, Job, JobId, JobResults, JobState, Store, TargetResult};
use jiff::Timestamp;

use crate::content::validate;
use crate::jobs::{healer, ledger_for, make_jobs};

/// How a queued job's run ended.
#[derive(Debug)]
pub enum JobOutcome {
    /// Refused before any browser (a media file gone, a limit lowered).
    Refused(String),
    /// Every target done.
    Done,
    /// Some target had no valid session: the job waits as `needs_login`
    /// (never retried) until these platforms are logged in again.
    NeedsLogin {
        platforms: Vec<PlatformId>,
        reason: String,
    },
    /// Some target failed: retried, failed for good, or next occurrence.
    Failed { reason: String, after: AfterFailure },
    /// The run was stopped before it finished.
    Interrupted,
}

/// What the scheduler reports as it goes.
pub enum SchedulerEvent<'a> {
    /// Jobs left running by a scheduler that died went back to the queue.
    Requeued(usize),
    /// A job waiting for a login was queued again (its platforms have a
    /// session saved since).
    Resumed(JobId),
    /// A job was claimed and starts.
    Started(&'a Job),
    /// One target of a job finished.
    Result(JobId, &'a PostResult),
    /// A job's run ended.
    Finished(JobId, &'a JobOutcome),
}

/// How long a rate-limited job waits when the platform did not say.
const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(600);

/// Jobs waiting for a login whose platforms now all have a saved session
/// newer than the wait (a login from another shell, a copied session file)
/// are queued again.
fn resume_logged_in(
    home: &Home,
    store: &Store,
    on: &(dyn Fn(SchedulerEvent<'_>) + Send + Sync),
) -> Result<()> {
    let now = Timestamp::now();
    for job in store.jobs(&[JobState::NeedsLogin])? {
        for p in &job.needs_login {
            let fresh = home
                .load_auth(*p)
                .ok()
                .flatten()
                .is_some_and(|a| a.saved_at as i64 * 1000 > job.updated_at.as_millisecond());
            if fresh {
                for resumed in store.resume_after_login(*p, now)? {
                    on(SchedulerEvent::Resumed(resumed));
                }
            }
        }
    }
    Ok(())
}

/// Runs due jobs until `stop` is set (the running jobs always finish; a
/// claimed job still waiting for room goes back to the queue) or, with
/// `exit_when_idle`, until nothing more is due. `source` says where the
/// browsers come from: remote engines become one pool for the scheduler's
/// life, over which jobs run at once; otherwise it is asked again for
/// each job, which runs alone. Returns how many jobs ran.
pub async fn run_scheduler(
    home: &Home,
    config: &Config,
    stop: Arc<AtomicBool>,
    exit_when_idle: bool,
    source: &(dyn Fn() -> Result<BrowserSource> + Send + Sync),
    on: &(dyn Fn(SchedulerEvent<'_>) + Send + Sync),
) -> Result<usize> {
    use futures::stream::{FuturesUnordered, StreamExt};

    let store = Store::open_home(home)?;
    let worker = format!("daemon-{}", std::process::id());
    // Jobs left running by a scheduler that died go back to the queue;
    // their targets are resolved through the ledger (never posted twice).
    let requeued = store.requeue_stale_running(Timestamp::now())?;
    if !requeued.is_empty() {
        on(SchedulerEvent::Requeued(requeued.len()));
    }
    let pool = match source()? {
        BrowserSource::Engines(e) | BrowserSource::Pool(e) => Some(e),
        _ => None,
    };
    let stopping = || stop.load(Ordering::SeqCst);
    let mut ran = 0;
    let mut running = FuturesUnordered::new();
    // Targets of the running jobs.
    let mut busy: Vec<Vec<PlatformId>> = Vec::new();
    // A claimed job waiting for room or for its platforms to be free.
    let mut waiting: Option<Job> = None;
    let outcome: Result<()> = async {
        loop {
            // Start what fits.
            while !stopping() {
                if waiting.is_none() {
                    waiting = store.claim_due(Timestamp::now(), &worker)?;
                }
                let Some(job) = waiting.take() else { break };
                let targets = job.pending_targets();
                let fits = running.is_empty()
                    || pool.as_ref().is_some_and(|p| {
                        let reserved: usize = busy.iter().map(|b| b.len().max(1)).sum();
                        p.live_capacity() >= reserved + targets.len().max(1)
                            && !busy.iter().flatten().any(|t| targets.contains(t))
                    });
                if !fits {
                    waiting = Some(job);
                    break;
                }
                ran += 1;
                busy.push(targets.clone());
                let browsers = match &pool {
                    Some(p) => BrowserSource::Pool(p.clone()),
                    None => source()?,
                };
                let store = &store;
                running.push(async move {
                    on(SchedulerEvent::Started(&job));
                    let id = job.id;
                    let done = run_queued_job(home, config, store, job, browsers, |r| {
                        on(SchedulerEvent::Result(id, r))
                    })
                    .await;
                    if let Ok(outcome) = &done {
                        on(SchedulerEvent::Finished(id, outcome));
                    }
                    (targets, done)
                });
                if pool.is_none() {
                    break;
                }
            }
            if running.is_empty() && (stopping() || (waiting.is_none() && exit_when_idle)) {
                break;
            }
            resume_logged_in(home, &store, on)?;
            let now = Timestamp::now();
            let wait = if waiting.is_some() {
                Duration::from_millis(200)
            } else {
                store
                    .next_wake()?
                    .map(|t| Duration::from_millis(t.duration_since(now).as_millis().max(0) as u64))
                    .unwrap_or(Duration::from_secs(30))
                    .clamp(Duration::from_millis(200), Duration::from_secs(30))
            };
            let until = std::time::Instant::now() + wait;
            // Wait for a job to end, the next due time, or a stop.
            while std::time::Instant::now() < until && !stopping() {
                tokio::select! {
                    Some((targets, done)) = running.next(), if !running.is_empty() => {
                        if let Some(i) = busy.iter().position(|b| *b == targets) {
                            busy.remove(i);
                        }
                        done?;
                        break;
                    }
                    _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                }
            }
            if stopping() {
                // Let the running jobs finish; a claimed one goes back.
                while let Some((_, done)) = running.next().await {
                    done?;
                }
                break;
            }
        }
        Ok(())
    }
    .await;
    if let Some(job) = waiting.take() {
        store.release_job(job.id, Timestamp::now())?;
    }
    if let Some(p) = pool {
        p.close().await;
    }
    outcome.map(|()| ran)
}

/// Runs one claimed job: checked again with today's config, posted
/// through the fan-out and ledger (its attempts linked to the job), its
/// results and state recorded: a target without a valid session makes the
/// job wait as `needs_login`; a rate limit defers it exactly as long as
/// the platform (or DistroFlow's own limiter) says.
pub async fn run_queued_job(
    home: &Home,
    config: &Config,
    store: &Store,
    job: Job,
    source: BrowserSource,
    report: impl FnMut(&PostResult),
) -> Result<JobOutcome> {
    let id = job.id;
    let now = Timestamp::now();
    let targets: Vec<PlatformId> = job.pending_targets();
    let post = match job.payload.to_post() {
        Ok(p) => p,
        Err(e) => {
            // A media file that is gone is final: retrying will not bring it back.
            let reason = e.to_string();
            store.fail_or_backoff(id, &reason, None, now)?;
            return Ok(JobOutcome::Refused(reason));
        }
    };
    // The one validation again, with today's config: a limit lowered
    // since, or a media file changed, refuses the job before any browser.
    let networks: Vec<distroflow_core::Network> = targets.iter().map(|&t| t.into()).collect();
    let mode = if post.thread_overrides.is_empty() {
        distroflow_core::Overflow::Refuse
    } else {
        // The thread was made at `schedule` time; its parts are checked
        // by splitting again.
        distroflow_core::Overflow::Split { numbering: false }
    };
    let mut limits = config.content_limits()?;
    crate::instance::apply_instance_limits(&mut limits, config, &networks);
    let problems = validate(&networks, post.clone(), mode, &limits).problems();
    if !problems.is_empty() {
        let reason = problems
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        store.fail_or_backoff(id, &reason, None, now)?;
        return Ok(JobOutcome::Refused(format!("refused: {reason}")));
    }
    let mut adapters = Vec::new();
    for t in &targets {
        adapters.push(Arc::<dyn distroflow_core::Platform>::from(
            distroflow_platforms::adapter(*t)?,
        ));
    }
    let healer = healer(Some(home))?;
    let ledger = Arc::new(ledger_for(home, config, false, job.payload.force)?.for_job(id));
    let jobs = make_jobs(adapters, home, config, None, &healer, Some(&ledger))?;
    let end = distroflow_engine::run(
        jobs,
        post,
        source,
        config.job_timeout(),
        report,
        std::future::pending(),
    )
    .await;
    let RunEnd::Done(results) = end else {
        return Ok(JobOutcome::Interrupted);
    };
    let mut all = job.results.clone();
    let mut failures = Vec::new();
    let mut logins = Vec::new();
    let mut retry_after: Option<Duration> = None;
    for r in &results {
        let entry = match (&r.url, &r.error) {
            (Some(url), None) => TargetResult::posted(url.clone(), None),
            (_, Some(e)) => {
                failures.push(format!("{}: {}", r.platform, e.message));
                if e.kind == "auth" {
                    logins.push(r.platform);
                }
                if e.kind == "rate_limited" {
                    // Exactly as long as the platform (or DistroFlow's own
                    // limiter) says, for the target that must wait longest;
                    // 10 minutes when it did not say.
                    let wait = e.retry_after.unwrap_or(DEFAULT_RATE_LIMIT_WAIT);
                    retry_after = Some(retry_after.map_or(wait, |w| w.max(wait)));
                }
                TargetResult::failed(e.message.clone(), None)
            }
            (None, None) => TargetResult::posted(String::new(), None),
        };
        all.insert(r.platform, entry);
    }
    let now = Timestamp::now();
    store.set_job_results(id, &all, now)?;
    let reason = failures.join("; ");
    if !logins.is_empty() {
        // A login does not come back by waiting: no retries; the job
        // resumes when the person logs in (its other targets with it).
        store.wait_for_login(id, &logins, &reason, now)?;
        return Ok(JobOutcome::NeedsLogin {
            platforms: logins,
            reason,
        });
    }
    if failures.is_empty() {
        store.complete_job(id, &all as &JobResults, now)?;
        return Ok(JobOutcome::Done);
    }
    let after = store.fail_or_backoff(id, &reason, retry_after, now)?;
    Ok(JobOutcome::Failed { reason, after })
}
