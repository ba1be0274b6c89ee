//! The scheduler (`distroflow daemon`, and `distroflow serve` unless
//! `--no-daemon`): due jobs run one at a time through the same fan-out and
//! ledger as `post`, so a job is never posted twice, even after a crash.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use distroflow_core::{Config, Home, PlatformId, PostResult, Result};
use distroflow_engine::{BrowserSource, RunEnd};
use distroflow_store::{AfterFailure, Job, JobId, JobResults, Store, TargetResult};
use jiff::Timestamp;

use crate::content::validate;
use crate::jobs::{healer, ledger, make_jobs};

/// How a queued job's run ended.
#[derive(Debug)]
pub enum JobOutcome {
    /// Refused before any browser (a media file gone, a limit lowered).
    Refused(String),
    /// Every target done.
    Done,
    /// Some target failed: retried, failed for good, or next occurrence.
    Failed { reason: String, after: AfterFailure },
    /// The run was stopped before it finished.
    Interrupted,
}

/// What the scheduler reports as it goes.
pub enum SchedulerEvent<'a> {
    /// Jobs left running by a scheduler that died went back to the queue.
    Requeued(usize),
    /// A job was claimed and starts.
    Started(&'a Job),
    /// One target of a job finished.
    Result(JobId, &'a PostResult),
    /// A job's run ended.
    Finished(JobId, &'a JobOutcome),
}

/// Runs due jobs until `stop` is set (checked between jobs: a running job
/// always finishes) or, with `exit_when_idle`, until nothing more is due.
/// `source` gives each job's browsers. Returns how many jobs ran.
pub async fn run_scheduler(
    home: &Home,
    config: &Config,
    stop: Arc<AtomicBool>,
    exit_when_idle: bool,
    source: &(dyn Fn() -> Result<BrowserSource> + Send + Sync),
    on: &(dyn Fn(SchedulerEvent<'_>) + Send + Sync),
) -> Result<usize> {
    let store = Store::open_home(home)?;
    let worker = format!("daemon-{}", std::process::id());
    // Jobs left running by a scheduler that died go back to the queue;
    // their targets are resolved through the ledger (never posted twice).
    let requeued = store.requeue_stale_running(Timestamp::now())?;
    if !requeued.is_empty() {
        on(SchedulerEvent::Requeued(requeued.len()));
    }
    let mut ran = 0;
    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let now = Timestamp::now();
        match store.claim_due(now, &worker)? {
            Some(job) => {
                ran += 1;
                on(SchedulerEvent::Started(&job));
                let id = job.id;
                let outcome = run_queued_job(home, config, &store, job, source()?, |r| {
                    on(SchedulerEvent::Result(id, r))
                })
                .await?;
                on(SchedulerEvent::Finished(id, &outcome));
            }
            None => {
                if exit_when_idle {
                    break;
                }
                let wait = store
                    .next_wake()?
                    .map(|t| Duration::from_millis(t.duration_since(now).as_millis().max(0) as u64))
                    .unwrap_or(Duration::from_secs(30))
                    .clamp(Duration::from_millis(200), Duration::from_secs(30));
                let until = std::time::Instant::now() + wait;
                while std::time::Instant::now() < until && !stop.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
    Ok(ran)
}

/// Runs one claimed job: checked again with today's config, posted
/// through the fan-out and ledger, its results and state recorded.
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
    let problems = validate(&networks, post.clone(), mode, &config.content_limits()?).problems();
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
    let ledger = ledger(home, config, false, job.payload.force)?;
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
    let mut retry_after: Option<Duration> = None;
    for r in &results {
        let entry = match (&r.url, &r.error) {
            (Some(url), None) => TargetResult::posted(url.clone(), None),
            (_, Some(e)) => {
                failures.push(format!("{}: {}", r.platform, e.message));
                if e.kind == "rate_limited" {
                    retry_after = Some(retry_after.unwrap_or(Duration::from_secs(600)));
                }
                TargetResult::failed(e.message.clone(), None)
            }
            (None, None) => TargetResult::posted(String::new(), None),
        };
        all.insert(r.platform, entry);
    }
    let now = Timestamp::now();
    store.set_job_results(id, &all, now)?;
    if failures.is_empty() {
        store.complete_job(id, &all as &JobResults, now)?;
        return Ok(JobOutcome::Done);
    }
    let reason = failures.join("; ");
    let after = store.fail_or_backoff(id, &reason, retry_after, now)?;
    Ok(JobOutcome::Failed { reason, after })
}
