//! `schedule`, `queue` and `daemon`: posts for later, kept in the store so
//! that they survive restarts, run through the same fan-out and ledger as
//! `post` (so a job is never posted twice, even after a crash).

use std::time::Duration;

use distroflow_core::{Error, Home, PlatformId, Result};
use distroflow_engine::RunEnd;
use distroflow_store::{
    local_zone, parse_at, parse_every, zone_name, zone_named, AfterFailure, Job, JobId, JobPayload,
    JobResults, JobState, NewJob, Store, TargetResult,
};
use jiff::Timestamp;
use serde::Serialize;

use crate::args::{DaemonArgs, QueueAction, QueueArgs, ScheduleArgs};
use crate::commands::healer;
use crate::commands::post::{ledger, make_jobs, prepare};
use crate::commands::validate::{refuse, validate};
use crate::exit::ExitStatus;
use crate::output;

#[derive(Serialize)]
struct WireJob<'a> {
    id: i64,
    state: &'a str,
    due_at: String,
    every: Option<&'a str>,
    tz: &'a str,
    targets: Vec<&'a str>,
    attempts: u32,
    last_error: Option<&'a str>,
    next_retry_at: Option<String>,
    summary: String,
    results: std::collections::BTreeMap<&'a str, serde_json::Value>,
}

fn wire(job: &Job) -> WireJob<'_> {
    WireJob {
        id: job.id.0,
        state: job.state.as_str(),
        due_at: job.due_at.to_string(),
        every: job.every.as_deref(),
        tz: &job.tz,
        targets: job.targets.iter().map(|t| t.as_str()).collect(),
        attempts: job.attempts,
        last_error: job.last_error.as_deref(),
        next_retry_at: job.next_retry_at.map(|t| t.to_string()),
        summary: job
            .payload
            .title
            .clone()
            .unwrap_or_else(|| job.payload.text.lines().next().unwrap_or_default().to_string())
            .chars()
            .take(60)
            .collect(),
        results: job
            .results
            .iter()
            .map(|(p, r)| {
                (
                    p.as_str(),
                    serde_json::json!({ "state": r.state.as_str(), "url": r.url, "error": r.error }),
                )
            })
            .collect(),
    }
}

fn print_job(job: &Job, json: bool) {
    let w = wire(job);
    if json {
        output::json_line(&w);
        return;
    }
    let mut s = format!(
        "{:>4}  {:<9} {}  {:<28} {}",
        w.id,
        w.state,
        w.due_at,
        w.targets.join(","),
        w.summary
    );
    if let Some(e) = w.every {
        s.push_str(&format!("  (every {e})"));
    }
    if let Some(e) = w.last_error {
        s.push_str(&format!("\n      last error: {e}"));
    }
    for (p, r) in &w.results {
        s.push_str(&format!("\n      {p}: {r}"));
    }
    output::line(&s);
}

pub(crate) fn schedule(args: ScheduleArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let tz = match &args.tz {
        Some(name) => zone_named(name)?,
        None => local_zone(),
    };
    let now = Timestamp::now();
    let due_at = parse_at(&args.at, now, &tz)?;
    let every = args.every.as_deref().map(parse_every).transpose()?;
    if let Some(every) = &every {
        every.first_after(due_at, &tz)?;
    }
    let prepared = prepare(&args.to, &args.content, &config)?;
    if !prepared.problems.is_empty() {
        refuse(&prepared.problems, args.json);
        return Ok(ExitStatus::Usage);
    }
    prepared.warn();
    let store = Store::open_home(&home)?;
    let id = store.enqueue(
        &NewJob {
            due_at,
            every,
            tz: zone_name(&tz).unwrap_or_else(|| "UTC".into()),
            targets: prepared.targets.clone(),
            payload: JobPayload::from_post(&prepared.post, args.force),
        },
        now,
    )?;
    let job = store.job(id)?.ok_or_else(|| Error::Unexpected {
        message: format!("job {} vanished", id.0),
    })?;
    if args.json {
        output::json_line(&wire(&job));
    } else {
        output::line(&format!(
            "queued job {} for {} to {}",
            id.0,
            due_at.to_zoned(tz).strftime("%Y-%m-%d %H:%M %Z"),
            prepared
                .targets
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(",")
        ));
        eprintln!("hint: `distroflow daemon` posts it when it is due");
    }
    Ok(ExitStatus::Success)
}

pub(crate) fn queue(args: QueueArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let store = Store::open_home(&home)?;
    let now = Timestamp::now();
    match args.action.unwrap_or(QueueAction::List { all: false }) {
        QueueAction::List { all } => {
            let states: &[JobState] = if all {
                &[
                    JobState::Queued,
                    JobState::Running,
                    JobState::Failed,
                    JobState::Done,
                    JobState::Cancelled,
                ]
            } else {
                &[JobState::Queued, JobState::Running, JobState::Failed]
            };
            let jobs = store.jobs(states)?;
            if jobs.is_empty() && !args.json {
                output::line("the queue is empty");
            }
            for j in &jobs {
                print_job(j, args.json);
            }
        }
        QueueAction::Show { id } => {
            let job = store.job(JobId(id))?.ok_or_else(|| {
                Error::usage(
                    format!("no job {id}"),
                    Some("see `distroflow queue list` for job ids".into()),
                )
            })?;
            print_job(&job, args.json);
        }
        QueueAction::Cancel { id } => {
            let job = store.cancel_job(JobId(id), now)?;
            print_job(&job, args.json);
        }
        QueueAction::Retry { id, force } => {
            let job = store.retry_job(JobId(id), now, force)?;
            print_job(&job, args.json);
        }
    }
    Ok(ExitStatus::Success)
}

/// `distroflow daemon`: runs due jobs one at a time through the fan-out.
/// SIGTERM or Ctrl-C lets the running job finish (its targets are recorded
/// either way), then exits.
pub(crate) async fn daemon(args: DaemonArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let store = Store::open_home(&home)?;
    let worker = format!("daemon-{}", std::process::id());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    watch_signals(stop.clone());
    // Jobs left running by a daemon that died go back to the queue; their
    // targets are resolved through the ledger (never posted twice).
    let requeued = store.requeue_stale_running(Timestamp::now())?;
    if !requeued.is_empty() {
        eprintln!(
            "requeued {} job(s) left running by a stopped daemon",
            requeued.len()
        );
    }
    let mut ran = 0;
    loop {
        if stop.load(std::sync::atomic::Ordering::SeqCst) {
            break;
        }
        let now = Timestamp::now();
        match store.claim_due(now, &worker)? {
            Some(job) => {
                ran += 1;
                run_job(&home, &config, &store, job).await?;
            }
            None => {
                if args.exit_when_idle {
                    break;
                }
                let wait = store
                    .next_wake()?
                    .map(|t| Duration::from_millis(t.duration_since(now).as_millis().max(0) as u64))
                    .unwrap_or(Duration::from_secs(30))
                    .clamp(Duration::from_millis(200), Duration::from_secs(30));
                let until = std::time::Instant::now() + wait;
                while std::time::Instant::now() < until
                    && !stop.load(std::sync::atomic::Ordering::SeqCst)
                {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
    eprintln!("daemon stopped after {ran} job(s)");
    Ok(ExitStatus::Success)
}

/// Sets `stop` on SIGTERM, SIGHUP or Ctrl-C; the running job goes on.
fn watch_signals(stop: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    crate::signals::let_the_running_job_finish();
    tokio::spawn(async move {
        crate::signals::requested().await;
        eprintln!("{}: stopping after the running job", crate::signals::name());
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    });
}

async fn run_job(
    home: &Home,
    config: &distroflow_core::Config,
    store: &Store,
    job: Job,
) -> Result<()> {
    let id = job.id;
    let now = Timestamp::now();
    let targets: Vec<PlatformId> = job.pending_targets();
    let post = match job.payload.to_post() {
        Ok(p) => p,
        Err(e) => {
            // A media file that is gone is final: retrying will not bring it back.
            let reason = e.to_string();
            output::line(&format!("job {}: {reason}", id.0));
            store.fail_or_backoff(id, &reason, None, now)?;
            return Ok(());
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
    crate::commands::instance::apply(&mut limits, config, &networks);
    let problems = validate(&networks, post.clone(), mode, &limits).problems();
    if !problems.is_empty() {
        let reason = problems
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        output::line(&format!("job {}: refused: {reason}", id.0));
        store.fail_or_backoff(id, &reason, None, now)?;
        return Ok(());
    }
    let mut adapters = Vec::new();
    for t in &targets {
        adapters.push(std::sync::Arc::<dyn distroflow_core::Platform>::from(
            distroflow_platforms::adapter(*t)?,
        ));
    }
    let healer = healer(Some(home))?;
    let ledger = ledger(home, config, false, job.payload.force)?;
    let jobs = make_jobs(adapters, home, config, None, &healer, Some(&ledger))?;
    let end = distroflow_engine::run(
        jobs,
        post,
        crate::commands::browser_source(config)?,
        config.job_timeout(),
        |r| {
            output::line(&format!(
                "job {}: {} {}",
                id.0,
                r.platform,
                r.url
                    .as_deref()
                    .or(r.error.as_ref().map(|e| e.message.as_str()))
                    .unwrap_or_default()
            ))
        },
        std::future::pending(),
    )
    .await;
    let RunEnd::Done(results) = end else {
        return Ok(());
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
    } else {
        match store.fail_or_backoff(id, &failures.join("; "), retry_after, now)? {
            AfterFailure::RetryAt(t) => eprintln!("job {}: will retry at {t}", id.0),
            AfterFailure::Failed => eprintln!("job {}: failed: {}", id.0, failures.join("; ")),
            AfterFailure::NextOccurrence(t) => eprintln!("job {}: next run at {t}", id.0),
        }
    }
    Ok(())
}
