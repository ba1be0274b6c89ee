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
use crate::commands::post::{ledger_for, make_jobs, prepare};
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

/// A per-target result in words: `posted URL`, `failed: why`.
fn result_words(r: &TargetResult) -> String {
    let mut s = r.state.as_str().to_string();
    if let Some(url) = r.url.as_deref().filter(|u| !u.is_empty()) {
        s.push_str(&format!("  {url}"));
    }
    if let Some(e) = &r.error {
        s.push_str(&format!(": {e}"));
    }
    s
}

/// When the job runs next, in words.
fn next_run(job: &Job) -> String {
    match job.state {
        JobState::Queued => job.runs_at().to_string(),
        JobState::NeedsLogin => format!(
            "after {}",
            job.needs_login
                .iter()
                .map(|p| format!("`distroflow login {p}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        JobState::Running => "running now".into(),
        _ => "never (finished)".into(),
    }
}

/// A table row per job (with --json, one object per line).
fn print_job(job: &Job, json: bool) {
    let w = wire(job);
    if json {
        output::json_line(&w);
        return;
    }
    let mut s = format!(
        "{:>4}  {:<11} {:<24}  {:<28} {}",
        w.id,
        w.state,
        match job.state {
            JobState::Queued => job.runs_at().to_string(),
            _ => w.due_at.clone(),
        },
        w.targets.join(","),
        w.summary
    );
    if let Some(e) = w.every {
        s.push_str(&format!("  (every {e})"));
    }
    if job.state == JobState::NeedsLogin {
        s.push_str(&format!("\n      waits: runs {}", next_run(job)));
    } else if let Some(e) = w.last_error {
        s.push_str(&format!("\n      last error: {e}"));
    }
    for (p, r) in &job.results {
        s.push_str(&format!("\n      {:<11} {}", p.as_str(), result_words(r)));
    }
    output::line(&s);
}

#[derive(Serialize)]
struct WireAttempt<'a> {
    id: i64,
    platform: &'a str,
    state: &'a str,
    url: Option<&'a str>,
    error_kind: Option<&'a str>,
    error: Option<&'a str>,
    retry_at: Option<String>,
    created_at: String,
    finished_at: Option<String>,
}

/// `queue show N`: everything about one job: its content, targets, every
/// attempt with its outcome, and when it runs next.
fn show_job(store: &Store, job: &Job, json: bool) -> Result<()> {
    let attempts = store.attempts_for_job(job.id)?;
    let wire_attempts: Vec<WireAttempt<'_>> = attempts
        .iter()
        .map(|a| WireAttempt {
            id: a.id.0,
            platform: a.platform.as_str(),
            state: a.state.as_str(),
            url: a.url.as_deref(),
            error_kind: a.error_kind.as_deref(),
            error: a.error.as_deref(),
            retry_at: a.retry_at.map(|t| t.to_string()),
            created_at: a.created_at.to_string(),
            finished_at: a.finished_at.map(|t| t.to_string()),
        })
        .collect();
    let p = &job.payload;
    if json {
        let mut v = serde_json::to_value(wire(job)).map_err(|e| Error::Unexpected {
            message: format!("cannot encode job {}: {e}", job.id),
        })?;
        v["next_run"] = serde_json::json!(next_run(job));
        v["needs_login"] = serde_json::json!(job
            .needs_login
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>());
        v["runs"] = serde_json::json!(job.runs);
        v["created_at"] = serde_json::json!(job.created_at.to_string());
        v["content"] = serde_json::json!({
            "text": p.text,
            "title": p.title,
            "url": p.url,
            "media": p.media,
            "text_for": p.text_overrides.iter().map(|(k, v)| (k.as_str(), v)).collect::<std::collections::BTreeMap<_, _>>(),
            "thread_for": p.thread_overrides.iter().map(|(k, v)| (k.as_str(), v)).collect::<std::collections::BTreeMap<_, _>>(),
            "options": p.options.iter().map(|(k, v)| (k.as_str(), v)).collect::<std::collections::BTreeMap<_, _>>(),
            "force": p.force,
        });
        v["attempt_log"] = serde_json::json!(wire_attempts);
        output::json_line(&v);
        return Ok(());
    }
    let mut s = format!("job {}  {}\n", job.id, job.state);
    let mut field = |k: &str, v: &str| s.push_str(&format!("  {k:<10} {v}\n"));
    field(
        "due",
        &format!(
            "{}{}",
            job.due_at,
            job.every
                .as_deref()
                .map(|e| format!("  (every {e}, {})", job.tz))
                .unwrap_or_default()
        ),
    );
    field("next run", &next_run(job));
    field(
        "targets",
        &job.targets
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    if let Some(t) = &p.title {
        field("title", t);
    }
    if let Some(u) = &p.url {
        field("url", u);
    }
    for m in &p.media {
        field("media", &m.display().to_string());
    }
    for (platform, opts) in &p.options {
        for (k, v) in opts {
            field(k, &format!("{v} ({platform})"));
        }
    }
    for (platform, t) in &p.text_overrides {
        field("text for", &format!("{platform}: {t}"));
    }
    if p.force {
        field("force", "yes (posts even if posted recently)");
    }
    field(
        "tries",
        &format!(
            "{} failed in this run, {} deferred, {} run(s) finished",
            job.attempts, job.deferrals, job.runs
        ),
    );
    if let Some(e) = &job.last_error {
        field("last error", e);
    }
    s.push_str(if p.text.is_empty() {
        "  text:      (none)\n"
    } else {
        "  text:\n"
    });
    for l in p.text.lines() {
        s.push_str(&format!("    {l}\n"));
    }
    if !job.results.is_empty() {
        s.push_str("  results:\n");
        for (platform, r) in &job.results {
            s.push_str(&format!(
                "    {:<11} {}\n",
                platform.as_str(),
                result_words(r)
            ));
        }
    }
    s.push_str(if attempts.is_empty() {
        "  attempts: none yet\n"
    } else {
        "  attempts:\n"
    });
    for a in &wire_attempts {
        s.push_str(&format!(
            "    #{:<5} {}  {:<11} {:<11} {}\n",
            a.id,
            a.created_at,
            a.platform,
            a.state,
            a.url
                .map(str::to_string)
                .or(a
                    .error
                    .map(|e| format!("{}: {e}", a.error_kind.unwrap_or("error"))))
                .unwrap_or_default()
        ));
    }
    output::line(s.trim_end());
    Ok(())
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
    // A target with no saved session would wait as `needs_login` when it
    // falls due: say so now, or refuse with --strict.
    let mut missing = Vec::new();
    for &t in &prepared.targets {
        let usable = home.load_auth(t)?.is_some_and(|a| !a.all_expired());
        if !usable {
            missing.push(t);
        }
    }
    if !missing.is_empty() {
        let logins: Vec<String> = missing
            .iter()
            .map(|p| format!("`distroflow login {p}`"))
            .collect();
        let names: Vec<&str> = missing.iter().map(|p| p.display_name()).collect();
        let message = format!("no saved session for {}", names.join(", "));
        if args.strict {
            return Err(Error::usage(
                format!("{message}; nothing was queued"),
                Some(format!("run {} first", logins.join(" and "))),
            ));
        }
        output::warn(&format!(
            "{message}: the job will wait as needs_login until you run {} (or use --strict to refuse)",
            logins.join(" and ")
        ));
    }
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
                &JobState::ALL
            } else {
                &[
                    JobState::Queued,
                    JobState::NeedsLogin,
                    JobState::Running,
                    JobState::Failed,
                ]
            };
            let jobs = store.jobs(states)?;
            if jobs.is_empty() && !args.json {
                output::line("the queue is empty");
            } else if !args.json {
                output::line(&format!(
                    "{:>4}  {:<11} {:<24}  {:<28} {}",
                    "id", "state", "runs at (UTC)", "targets", "summary"
                ));
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
            show_job(&store, &job, args.json)?;
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

/// How long a rate-limited job waits when the platform did not say.
const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(600);

/// Jobs waiting for a login whose platforms now all have a saved session
/// newer than the wait (a login from another shell, a copied session file)
/// are queued again.
fn resume_logged_in(home: &Home, store: &Store) -> Result<()> {
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
                    eprintln!("job {}: logged in; queued again", resumed.0);
                }
            }
        }
    }
    Ok(())
}

/// `distroflow daemon`: runs due jobs through the fan-out. With browser
/// engines configured it is one coordinator over all of them: one pool for
/// the daemon's life, and as many jobs at once as the engines have free
/// sessions for (never two jobs to the same platform at once: one account
/// posts one thing at a time). Without, one job at a time on a Chromium
/// launched for it. SIGTERM or Ctrl-C lets the running jobs finish (their
/// targets are recorded either way), then exits.
pub(crate) async fn daemon(args: DaemonArgs) -> Result<ExitStatus> {
    use futures::stream::{FuturesUnordered, StreamExt};

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
    let pool = match crate::commands::browser_source(&config)? {
        distroflow_engine::BrowserSource::Engines(e) => Some(e),
        _ => None,
    };
    let stopping = || stop.load(std::sync::atomic::Ordering::SeqCst);
    let mut ran = 0;
    let mut running = FuturesUnordered::new();
    // Targets of the running jobs.
    let mut busy: Vec<Vec<PlatformId>> = Vec::new();
    // A claimed job waiting for room or for its platforms to be free.
    let mut waiting: Option<Job> = None;
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
            let source = match &pool {
                Some(p) => distroflow_engine::BrowserSource::Pool(p.clone()),
                None => crate::commands::browser_source(&config)?,
            };
            let (home, config, store) = (&home, &config, &store);
            running.push(async move { (targets, run_job(home, config, store, job, source).await) });
            if pool.is_none() {
                break;
            }
        }
        if running.is_empty() && (stopping() || (waiting.is_none() && args.exit_when_idle)) {
            break;
        }
        resume_logged_in(&home, &store)?;
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
    if let Some(job) = waiting.take() {
        store.release_job(job.id, Timestamp::now())?;
    }
    if let Some(p) = pool {
        p.close().await;
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
    source: distroflow_engine::BrowserSource,
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
    let ledger =
        std::sync::Arc::new(ledger_for(home, config, false, job.payload.force)?.for_job(id));
    let jobs = make_jobs(adapters, home, config, None, &healer, Some(&ledger))?;
    let end = distroflow_engine::run(
        jobs,
        post,
        source,
        config.job_timeout(),
        |r| {
            output::line(&format!(
                "job {}: {} {}{}",
                id.0,
                r.platform,
                r.url
                    .as_deref()
                    .or(r.error.as_ref().map(|e| e.message.as_str()))
                    .unwrap_or_default(),
                r.engine
                    .as_deref()
                    .map(|e| format!(" (engine {e})"))
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
    if !logins.is_empty() {
        // A login does not come back by waiting: no retries; the job
        // resumes when the person logs in (its other targets with it).
        store.wait_for_login(id, &logins, &failures.join("; "), now)?;
        let names: Vec<&str> = logins.iter().map(|p| p.as_str()).collect();
        eprintln!(
            "job {}: needs_login: waiting for `distroflow login {}`; it resumes after that",
            id.0,
            names.join("` and `distroflow login ")
        );
    } else if failures.is_empty() {
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
