//! The fan-out: every target runs at once in one browser, each in its own
//! context, bounded by the pool, each with a deadline; results are reported
//! as they finish and one target's failure never touches the others.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::{
    Cookie, Error, Existing, JobContext, Platform, PlatformId, Post, PostResult, Posted, Result,
};
use distroflow_store::AttemptId;

use crate::ledger::{Before, Ledger};
use distroflow_healer::Healer;
use tokio::task::JoinSet;

/// One platform's job.
pub struct Job {
    pub platform: PlatformId,
    pub adapter: Arc<dyn Platform>,
    pub ctx: JobContext,
    /// The saved session; `None` fails the job with an auth error, no browser needed.
    pub cookies: Option<Vec<Cookie>>,
    /// Resolves the adapter's targets and repairs broken steps.
    pub healer: Arc<Healer>,
    /// The account posting (for idempotency and rate limits).
    pub account: String,
    /// The records: `None` posts without them (tests, benchmarks).
    pub ledger: Option<Arc<Ledger>>,
    /// Where a failed job leaves its debug bundle (screenshot, page, step
    /// log): `$DISTROFLOW_HOME/runs`. `None`: no bundle.
    pub bundles: Option<std::path::PathBuf>,
}

/// How a job ended well.
enum Done {
    Posted(Posted),
    /// Posted before; nothing new.
    Already {
        url: Option<String>,
        id: Option<String>,
    },
}

pub enum RunEnd {
    Done(Vec<PostResult>),
    Interrupted,
}

/// Where the run's browser comes from.
pub enum BrowserSource {
    /// Start one for this run (only if some job needs it) and close it after.
    Launch(BrowserOptions),
    /// Use a running one and leave it running.
    Shared(Browser),
}

/// Runs every job, calling `report` as each finishes. When `interrupt`
/// completes (Ctrl-C), running jobs are stopped and the browser closed.
pub async fn run(
    jobs: Vec<Job>,
    post: Post,
    source: BrowserSource,
    job_timeout: Duration,
    mut report: impl FnMut(&PostResult),
    interrupt: impl Future<Output = ()>,
) -> RunEnd {
    tokio::pin!(interrupt);
    let post = Arc::new(post);
    let mut results = Vec::new();
    let mut set = JoinSet::new();
    let mut pending = Vec::new();
    for job in jobs {
        match &job.cookies {
            None => {
                let r = PostResult::from_outcome(
                    job.platform,
                    Err(Error::Auth {
                        platform: job.platform,
                        message: "no saved session".into(),
                    }),
                    Duration::ZERO,
                );
                report(&r);
                results.push(r);
            }
            Some(_) => pending.push(job),
        }
    }
    if pending.is_empty() {
        return RunEnd::Done(results);
    }

    let (launched, owned) = match source {
        BrowserSource::Shared(b) => (Ok(b), false),
        BrowserSource::Launch(options) => {
            let b = tokio::select! {
                b = Browser::launch(options) => b,
                _ = &mut interrupt => return RunEnd::Interrupted,
            };
            (b, true)
        }
    };
    let browser = match launched {
        Ok(b) => b,
        Err(e) => {
            let report_err = distroflow_core::ErrorReport::from(&e);
            for job in pending {
                let r = PostResult::from_outcome(
                    job.platform,
                    Err(Error::Browser {
                        message: report_err.message.clone(),
                    }),
                    Duration::ZERO,
                );
                report(&r);
                results.push(r);
            }
            return RunEnd::Done(results);
        }
    };

    let mut platforms = std::collections::HashMap::new();
    for job in pending {
        let browser = browser.clone();
        let post = post.clone();
        let platform = job.platform;
        let handle = set.spawn(async move {
            let start = Instant::now();
            let platform = job.platform;
            let attempt = std::sync::Mutex::new(None);
            let outcome =
                match tokio::time::timeout(job_timeout, run_one(&browser, &job, &post, &attempt))
                    .await
                {
                    Ok(o) => o,
                    Err(_) => {
                        let e = Error::Timeout {
                            what: format!("{} to finish", platform.display_name()),
                            after: job_timeout,
                        };
                        // The job may have submitted before the deadline.
                        let id = attempt.lock().ok().and_then(|mut a| a.take());
                        if let (Some(ledger), Some(id)) = (&job.ledger, id) {
                            if let Err(le) = ledger.after(
                                id,
                                &Err(Error::Uncertain {
                                    platform,
                                    message: e.to_string(),
                                }),
                            ) {
                                tracing::warn!("cannot record the attempt: {le}");
                            }
                        }
                        Err(e)
                    }
                };
            match outcome {
                Ok(Done::Posted(p)) => PostResult::from_outcome(platform, Ok(p), start.elapsed()),
                Ok(Done::Already { url, id }) => {
                    PostResult::skipped(platform, url, id, start.elapsed())
                }
                Err(e) => PostResult::from_outcome(platform, Err(e), start.elapsed()),
            }
        });
        platforms.insert(handle.id(), platform);
    }

    let interrupted = loop {
        tokio::select! {
            next = set.join_next() => match next {
                Some(Ok(r)) => { report(&r); results.push(r); }
                Some(Err(e)) => {
                    let Some(platform) = platforms.get(&e.id()).copied() else { continue };
                    let r = PostResult::from_outcome(
                        platform,
                        Err(Error::Unexpected { message: format!("the {} job crashed: {e}", platform.display_name()) }),
                        Duration::ZERO,
                    );
                    report(&r);
                    results.push(r);
                }
                None => break false,
            },
            _ = &mut interrupt => break true,
        }
    };
    if interrupted {
        set.abort_all();
    }
    if owned || interrupted {
        browser.close().await;
    }
    if interrupted {
        RunEnd::Interrupted
    } else {
        RunEnd::Done(results)
    }
}

async fn run_one(
    browser: &Browser,
    job: &Job,
    post: &Post,
    attempt: &std::sync::Mutex<Option<AttemptId>>,
) -> Result<Done> {
    let before = match &job.ledger {
        Some(l) => Some(l.before(job.platform, &job.account, post)?),
        None => None,
    };
    if let Some(Before::Done(row)) = &before {
        return Ok(Done::Already {
            url: row.url.clone(),
            id: row.post_id.clone(),
        });
    }
    let cookies = job.cookies.as_deref().unwrap_or_default();
    let scope = distroflow_core::CookieScope::new(job.platform, &job.ctx.base_url);
    // Opening a context is safe to repeat; the post itself is not retried.
    let opened = distroflow_healer::retry(
        distroflow_healer::RetryPolicy::default(),
        "open a browser context",
        || browser.session_in(&scope, cookies),
    )
    .await;
    let session = match opened {
        Ok(s) => s,
        Err(e) => {
            if let (Some(Before::Post(id)), Some(l)) = (&before, &job.ledger) {
                let _ = l.after(
                    *id,
                    &Err(Error::Browser {
                        message: e.to_string(),
                    }),
                );
            }
            return Err(e);
        }
    };
    let page = job.healer.page(session.page(), job.platform);
    let mut outcome = post_or_resolve(job, &page, post, before, attempt).await;
    if let (Err(e), Some(dir)) = (&outcome, &job.bundles) {
        if leaves_bundle(e) {
            if let Some(path) = bundle(dir, job.platform, &page, e).await {
                if let Err(e) = outcome {
                    outcome = Err(with_bundle(e, &path));
                }
            }
        }
    }
    page.finish();
    session.close().await;
    outcome
}

async fn post_or_resolve(
    job: &Job,
    page: &dyn distroflow_core::Page,
    post: &Post,
    before: Option<Before>,
    attempt: &std::sync::Mutex<Option<AttemptId>>,
) -> Result<Done> {
    let id = match (before, &job.ledger) {
        (Some(Before::Post(id)), _) => Some(id),
        (Some(Before::Resolve(row)), Some(ledger)) => {
            // An earlier attempt may have posted this: look before posting.
            let when = row.last_at();
            match job.adapter.find_existing(page, &job.ctx, post).await {
                Ok(Existing::Found(p)) => {
                    ledger.resolved_posted(&row, &p.url, &p.id)?;
                    return Ok(Done::Already {
                        url: Some(p.url),
                        id: Some(p.id),
                    });
                }
                Ok(Existing::NotFound) => Some(ledger.begin_after_resolve(job.platform, &job.account, post, &row)?),
                Ok(Existing::CannotTell) | Err(_) => {
                    return Err(Error::Uncertain {
                        platform: job.platform,
                        message: format!(
                            "an earlier attempt (at {when}) may have posted this, and DistroFlow cannot check {} for it; look, and re-run with --force if it is not there",
                            job.platform.display_name()
                        ),
                    })
                }
            }
        }
        _ => None,
    };
    if let Ok(mut a) = attempt.lock() {
        *a = id;
    }
    let outcome = job.adapter.post(page, &job.ctx, post).await;
    if let (Some(ledger), Some(id)) = (&job.ledger, id) {
        if let Ok(mut a) = attempt.lock() {
            *a = None;
        }
        if let Err(e) = ledger.after(id, &outcome) {
            tracing::warn!("cannot record the attempt: {e}");
        }
    }
    outcome.map(Done::Posted)
}

/// Failures worth a look at the page (not a missing login or a refusal the
/// platform explained).
fn leaves_bundle(e: &Error) -> bool {
    matches!(
        e.kind(),
        distroflow_core::ErrorKind::NotFound
            | distroflow_core::ErrorKind::TextMismatch
            | distroflow_core::ErrorKind::Timeout
            | distroflow_core::ErrorKind::Unexpected
            | distroflow_core::ErrorKind::Uncertain
            | distroflow_core::ErrorKind::Browser
    )
}

/// The same error, naming the bundle (the message keeps its kind).
fn with_bundle(e: Error, path: &std::path::Path) -> Error {
    let note = format!(" [debug bundle: {}]", path.display());
    match e {
        Error::NotFound {
            target,
            selectors,
            url,
        } => Error::NotFound {
            target,
            selectors,
            url: format!("{url}{note}"),
        },
        Error::TextMismatch { target, read_back } => Error::TextMismatch {
            target: format!("{target}{note}"),
            read_back,
        },
        Error::Timeout { what, after } => Error::Timeout {
            what: format!("{what}{note}"),
            after,
        },
        Error::Unexpected { message } => Error::Unexpected {
            message: format!("{message}{note}"),
        },
        Error::Uncertain { platform, message } => Error::Uncertain {
            platform,
            message: format!("{message}{note}"),
        },
        Error::Browser { message } => Error::Browser {
            message: format!("{message}{note}"),
        },
        other => other,
    }
}

/// Writes `runs/<time>-<platform>/`: screenshot.png, page.html, steps.txt,
/// error.txt. Best effort: a failure to write never hides the job's error.
async fn bundle(
    dir: &std::path::Path,
    platform: PlatformId,
    page: &distroflow_healer::HealingPage<'_>,
    e: &Error,
) -> Option<std::path::PathBuf> {
    use distroflow_core::Page;
    let stamp = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%S%.3fZ")
        .to_string();
    let path = dir.join(format!("{stamp}-{platform}"));
    std::fs::create_dir_all(&path).ok()?;
    let url = page.current_url().await.unwrap_or_default();
    if let Ok(png) = page.screenshot_png().await {
        let _ = std::fs::write(path.join("screenshot.png"), png);
    }
    if let Ok(html) = page
        .eval("document.documentElement ? document.documentElement.outerHTML : ''")
        .await
    {
        let _ = std::fs::write(path.join("page.html"), html.as_str().unwrap_or_default());
    }
    let _ = std::fs::write(path.join("steps.txt"), page.steps().join("\n") + "\n");
    let _ = std::fs::write(path.join("error.txt"), format!("{e}\nurl: {url}\n"));
    Some(path)
}
