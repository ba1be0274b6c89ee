//! `schedule`, `queue` and `daemon`: posts for later, kept in the store so
//! that they survive restarts, run through the same fan-out and ledger as
//! `post` (so a job is never posted twice, even after a crash). The
//! scheduler itself (one coordinator over the engine pool) is
//! `distroflow_app`'s, which `serve` runs too.

use distroflow_app::wire::WireJob;
use distroflow_app::{JobOutcome, Schedule, SchedulerEvent};
use distroflow_core::{Error, Home, Result};
use distroflow_store::{AfterFailure, Job, JobId, JobState, Store, TargetResult};
use jiff::Timestamp;
use serde::Serialize;

use crate::args::{DaemonArgs, QueueAction, QueueArgs, ScheduleArgs};
use crate::commands::post::{prepare, warn};
use crate::commands::validate::refuse;
use crate::exit::ExitStatus;
use crate::output;

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
    let w = WireJob::from(job);
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
    if let Some(e) = &w.every {
        s.push_str(&format!("  (every {e})"));
    }
    if job.state == JobState::NeedsLogin {
        s.push_str(&format!("\n      waits: runs {}", next_run(job)));
    } else if let Some(e) = &w.last_error {
        s.push_str(&format!("\n      last error: {e}"));
    }
    for (p, r) in &job.results {
        s.push_str(&format!("\n      {:<11} {}", p.as_str(), result_words(r)));
    }
    output::line(&s);
}

#[derive(Serialize)]
struct WireJobAttempt<'a> {
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
    let wire_attempts: Vec<WireJobAttempt<'_>> = attempts
        .iter()
        .map(|a| WireJobAttempt {
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
        let mut v = serde_json::to_value(WireJob::from(job)).map_err(|e| Error::Unexpected {
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
    let now = Timestamp::now();
    let when = Schedule {
        at: args.at.clone(),
        every: args.every.clone(),
        tz: args.tz.clone(),
    }
    .when(now)?;
    let prepared = prepare(&args.to, &args.content, &config)?;
    if !prepared.problems.is_empty() {
        refuse(&prepared.problems, args.json);
        return Ok(ExitStatus::Usage);
    }
    warn(&prepared);
    // A target with no saved session would wait as `needs_login` when it
    // falls due: say so now, or refuse with --strict.
    let missing = distroflow_app::missing_sessions(&home, &prepared.targets)?;
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
    let tz = when.tz.clone();
    let job = distroflow_app::enqueue(&store, when, &prepared, args.force, now)?;
    if args.json {
        output::json_line(&WireJob::from(&job));
    } else {
        output::line(&format!(
            "queued job {} for {} to {}",
            job.id.0,
            job.due_at.to_zoned(tz).strftime("%Y-%m-%d %H:%M %Z"),
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
            let jobs = store.jobs(distroflow_app::listed_states(all))?;
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

/// `distroflow daemon`: runs due jobs through the fan-out. With browser
/// engines configured it is one coordinator over all of them: one pool for
/// the daemon's life, and as many jobs at once as the engines have free
/// sessions for (never two jobs to the same platform at once: one account
/// posts one thing at a time). Without, one job at a time on a Chromium
/// launched for it. SIGTERM or Ctrl-C lets the running jobs finish (their
/// targets are recorded either way), then exits.
pub(crate) async fn daemon(args: DaemonArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    watch_signals(stop.clone());
    let ran = distroflow_app::run_scheduler(
        &home,
        &config,
        stop,
        args.exit_when_idle,
        &|| crate::commands::browser_source(&config),
        &print_event,
    )
    .await?;
    eprintln!("daemon stopped after {ran} job(s)");
    Ok(ExitStatus::Success)
}

/// The scheduler's progress: results on stdout, the rest on stderr.
pub(crate) fn print_event(event: SchedulerEvent<'_>) {
    match event {
        SchedulerEvent::Requeued(n) => {
            eprintln!("requeued {n} job(s) left running by a stopped daemon")
        }
        SchedulerEvent::Resumed(id) => eprintln!("job {}: logged in; queued again", id.0),
        SchedulerEvent::Started(_) => {}
        SchedulerEvent::Result(id, r) => output::line(&format!(
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
        )),
        SchedulerEvent::Finished(id, outcome) => print_outcome(id, outcome),
    }
}

fn print_outcome(id: JobId, outcome: &JobOutcome) {
    match outcome {
        JobOutcome::Refused(reason) => output::line(&format!("job {}: {reason}", id.0)),
        JobOutcome::Done | JobOutcome::Interrupted => {}
        JobOutcome::NeedsLogin { platforms, .. } => {
            let names: Vec<&str> = platforms.iter().map(|p| p.as_str()).collect();
            eprintln!(
                "job {}: needs_login: waiting for `distroflow login {}`; it resumes after that",
                id.0,
                names.join("` and `distroflow login ")
            );
        }
        JobOutcome::Failed { reason, after } => match after {
            AfterFailure::RetryAt(t) => eprintln!("job {}: will retry at {t}", id.0),
            AfterFailure::Failed => eprintln!("job {}: failed: {reason}", id.0),
            AfterFailure::NextOccurrence(t) => eprintln!("job {}: next run at {t}", id.0),
        },
    }
}

/// Sets `stop` on SIGTERM, SIGHUP or Ctrl-C; the running jobs go on.
pub(crate) fn watch_signals(stop: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    crate::signals::let_the_running_job_finish();
    tokio::spawn(async move {
        crate::signals::requested().await;
        eprintln!("{}: stopping after the running job", crate::signals::name());
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    });
}
