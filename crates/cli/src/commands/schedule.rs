//! `schedule`, `queue` and `daemon`: posts for later, kept in the store so
//! that they survive restarts, run through the same fan-out and ledger as
//! `post` (so a job is never posted twice, even after a crash). The
//! scheduler itself is `distroflow_app`'s, which `serve` runs too.

use distroflow_app::wire::WireJob;
use distroflow_app::{JobOutcome, Schedule, SchedulerEvent};
use distroflow_core::{Error, Home, Result};
use distroflow_store::{AfterFailure, Job, JobId, Store};
use jiff::Timestamp;

use crate::args::{DaemonArgs, QueueAction, QueueArgs, ScheduleArgs};
use crate::commands::post::{prepare, warn};
use crate::commands::validate::refuse;
use crate::exit::ExitStatus;
use crate::output;

fn print_job(job: &Job, json: bool) {
    let w = WireJob::from(job);
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
    if let Some(e) = &w.every {
        s.push_str(&format!("  (every {e})"));
    }
    if let Some(e) = &w.last_error {
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
        SchedulerEvent::Started(_) => {}
        SchedulerEvent::Result(id, r) => output::line(&format!(
            "job {}: {} {}",
            id.0,
            r.platform,
            r.url
                .as_deref()
                .or(r.error.as_ref().map(|e| e.message.as_str()))
                .unwrap_or_default()
        )),
        SchedulerEvent::Finished(id, outcome) => print_outcome(id, outcome),
    }
}

fn print_outcome(id: JobId, outcome: &JobOutcome) {
    match outcome {
        JobOutcome::Refused(reason) => output::line(&format!("job {}: {reason}", id.0)),
        JobOutcome::Done | JobOutcome::Interrupted => {}
        JobOutcome::Failed { reason, after } => match after {
            AfterFailure::RetryAt(t) => eprintln!("job {}: will retry at {t}", id.0),
            AfterFailure::Failed => eprintln!("job {}: failed: {reason}", id.0),
            AfterFailure::NextOccurrence(t) => eprintln!("job {}: next run at {t}", id.0),
        },
    }
}

/// Sets `stop` on SIGTERM, SIGHUP or Ctrl-C; the running job goes on.
pub(crate) fn watch_signals(stop: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    crate::signals::let_the_running_job_finish();
    tokio::spawn(async move {
        crate::signals::requested().await;
        eprintln!("{}: stopping after the running job", crate::signals::name());
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    });
}
