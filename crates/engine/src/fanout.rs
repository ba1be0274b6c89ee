//! The fan-out: every target runs at once in one browser, each in its own
//! context, bounded by the pool, each with a deadline; results are reported
//! as they finish and one target's failure never touches the others.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::{Cookie, Error, JobContext, Platform, PlatformId, Post, PostResult};
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
            let outcome =
                match tokio::time::timeout(job_timeout, run_one(&browser, &job, &post)).await {
                    Ok(o) => o,
                    Err(_) => Err(Error::Timeout {
                        what: format!("{} to finish", platform.display_name()),
                        after: job_timeout,
                    }),
                };
            PostResult::from_outcome(platform, outcome, start.elapsed())
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
) -> distroflow_core::Result<distroflow_core::Posted> {
    let cookies = job.cookies.as_deref().unwrap_or_default();
    // Opening a context is safe to repeat; the post itself is not retried.
    let session = distroflow_healer::retry(
        distroflow_healer::RetryPolicy::default(),
        "open a browser context",
        || browser.session(&job.ctx.base_url, cookies),
    )
    .await?;
    let page = job.healer.page(session.page(), job.platform);
    let outcome = job.adapter.post(&page, &job.ctx, post).await;
    page.finish();
    session.close().await;
    outcome
}
