//! The fan-out: every target runs at once in one browser, each in its own
//! context, bounded by the pool, each with a deadline; results are reported
//! as they finish and one target's failure never touches the others.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use distroflow_browser::{Browser, BrowserOptions, Engines, PooledSession, Session};
use distroflow_core::{
    Cookie, CookieScope, Error, Existing, Home, JobContext, Page, Platform, PlatformId, Post,
    PostResult, Posted, Result, StorageItem,
};
use distroflow_store::AttemptId;

use crate::bundle::{leaves_bundle, with_bundle, Bundles};
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
    /// Saved `localStorage` items of the platform's session keys (Bluesky's
    /// `BSKY_STORAGE`), restored on the site's origin before it boots.
    pub storage: Vec<StorageItem>,
    /// Where the platform's storage is saved back after the job (its
    /// tokens rotate as they are used): the auth file in this home.
    /// `None`: not saved (tests, the sandbox).
    pub save_storage: Option<Home>,
    /// Resolves the adapter's targets and repairs broken steps.
    pub healer: Arc<Healer>,
    /// The account posting (for idempotency and rate limits).
    pub account: String,
    /// The records: `None` posts without them (tests, benchmarks).
    pub ledger: Option<Arc<Ledger>>,
    /// Where a failed job leaves its debug bundle (screenshot, page, step
    /// log): `$DISTROFLOW_HOME/runs`. `None`: no bundle.
    pub bundles: Option<Bundles>,
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

/// Where a job's attempt stands, for whoever ends the job before it
/// finishes (its deadline, Ctrl-C).
#[derive(Default)]
struct Progress {
    /// The attempt recorded as `running`, until its outcome is recorded.
    attempt: Option<AttemptId>,
    /// The adapter's posting flow, which holds the submit, has begun: from
    /// here on a job stopped early may have posted.
    submit_started: bool,
    /// An earlier try of this job, on an engine that was lost after its
    /// submit started, is recorded `uncertain` and not yet looked for.
    unresolved: bool,
    /// The debug bundle the failed job left.
    bundle: Option<std::path::PathBuf>,
    /// The remote engine the job ran on.
    engine: Option<String>,
}

type SharedProgress = Arc<Mutex<Progress>>;

fn lock(p: &Mutex<Progress>) -> std::sync::MutexGuard<'_, Progress> {
    p.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Records the attempt of a job stopped by `why` before it recorded its own
/// outcome: `failed` when its submit never started (nothing was sent,
/// posting it again is safe), else `uncertain` (look before posting again).
/// Returns whether something may have been submitted (this try's submit
/// had started, or an earlier try's, cut off by a lost engine, is unresolved).
fn record_stopped(
    ledger: Option<&Ledger>,
    progress: &Mutex<Progress>,
    platform: PlatformId,
    why: &Error,
) -> bool {
    let (id, submit_started, unresolved) = {
        let mut p = lock(progress);
        (p.attempt.take(), p.submit_started, p.unresolved)
    };
    if let (Some(ledger), Some(id)) = (ledger, id) {
        let recorded = if submit_started {
            ledger.after(
                id,
                &Err(Error::Uncertain {
                    platform,
                    message: why.to_string(),
                }),
            )
        } else {
            ledger.failed_before_submit(id, why)
        };
        if let Err(le) = recorded {
            tracing::warn!("cannot record the attempt: {le}");
        }
    }
    // An earlier try cut off after its submit may have posted.
    submit_started || unresolved
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
    /// Spread the jobs over these engines (remote ones, or local mixed in),
    /// each job on the engine with the most room; browsers launched for
    /// the run are closed after it.
    Engines(Arc<Engines>),
    /// The same, on a pool that outlives the run (the daemon's): left open.
    Pool(Arc<Engines>),
}

/// Opens the jobs' sessions: on the run's one browser, or on the engines.
#[derive(Clone)]
enum Opener {
    One(Browser),
    Engines(Arc<Engines>),
}

enum Opened {
    One(Session),
    Pooled(PooledSession),
}

impl Opener {
    async fn open(
        &self,
        scope: &CookieScope,
        cookies: &[Cookie],
        storage: &[StorageItem],
    ) -> Result<Opened> {
        match self {
            // A tab prepared for this very job is used when there is one.
            Opener::One(b) => b
                .session_for(scope, cookies, storage)
                .await
                .map(Opened::One),
            Opener::Engines(e) => e.session_in(scope, cookies).await.map(Opened::Pooled),
        }
    }

    async fn close(&self) {
        match self {
            Opener::One(b) => b.close().await,
            Opener::Engines(e) => e.close().await,
        }
    }

    /// Whether a job whose browser was lost can move to another one.
    fn can_fail_over(&self) -> bool {
        matches!(self, Opener::Engines(_))
    }
}

impl Opened {
    fn page(&self) -> &distroflow_browser::CdpPage {
        match self {
            Opened::One(s) => s.page(),
            Opened::Pooled(s) => s.page(),
        }
    }

    /// The engine, when the run spreads over engines.
    fn engine(&self) -> Option<String> {
        match self {
            Opened::One(_) => None,
            Opened::Pooled(s) => Some(s.engine().to_string()),
        }
    }

    fn is_lost(&self) -> bool {
        match self {
            Opened::One(s) => s.browser().is_lost(),
            Opened::Pooled(s) => s.is_lost(),
        }
    }

    /// Completes as soon as the session's browser connection drops.
    fn lost(&self) -> impl Future<Output = ()> + Send + 'static {
        let lost: std::pin::Pin<Box<dyn Future<Output = ()> + Send>> = match self {
            Opened::One(s) => Box::pin(s.lost()),
            Opened::Pooled(s) => Box::pin(s.lost()),
        };
        lost
    }

    async fn close(self) {
        match self {
            Opened::One(s) => s.close().await,
            Opened::Pooled(s) => s.close().await,
        }
    }
}

/// A step of a job, as it happens (for live progress: the server's
/// `job.step` events). Steps come in this order, some skipped: `started`,
/// `checked` (the records allow it), `resolving` (looking for an earlier
/// attempt's post), `browser` (its context is open), `posting` (the
/// adapter's flow, which ends in the submit, has begun).
pub type StepFn = Arc<dyn Fn(PlatformId, &'static str) + Send + Sync>;

/// How long a job cut off after its submit waits before looking for its
/// post from another engine.
const RESOLVE_SETTLE: Duration = Duration::from_secs(2);

/// How many times one job may move to another engine after losing its own.
const MAX_FAILOVERS: usize = 3;

/// Runs every job, calling `report` as each finishes. When `interrupt`
/// completes (Ctrl-C), running jobs are stopped and the browser closed.
pub async fn run(
    jobs: Vec<Job>,
    post: Post,
    source: BrowserSource,
    job_timeout: Duration,
    report: impl FnMut(&PostResult),
    interrupt: impl Future<Output = ()>,
) -> RunEnd {
    run_observed(jobs, post, source, job_timeout, report, None, interrupt).await
}

/// [`run`], telling `steps` each job's steps as they happen.
pub async fn run_observed(
    jobs: Vec<Job>,
    post: Post,
    source: BrowserSource,
    job_timeout: Duration,
    mut report: impl FnMut(&PostResult),
    steps: Option<StepFn>,
    interrupt: impl Future<Output = ()>,
) -> RunEnd {
    let step = move |p: PlatformId, what: &'static str| {
        if let Some(f) = &steps {
            f(p, what)
        }
    };
    let step = Arc::new(step);
    tokio::pin!(interrupt);
    let post = Arc::new(post);
    let mut results = Vec::new();
    let mut set = JoinSet::new();
    let mut pending = Vec::new();
    for job in jobs {
        match &job.cookies {
            None => {
                let e = Error::Auth {
                    platform: job.platform,
                    message: "no saved session".into(),
                };
                // In `history` too, with its reason, though no browser ran.
                if let Some(l) = &job.ledger {
                    if let Err(le) = l.refused(job.platform, &job.account, &post, &e) {
                        tracing::warn!("could not record the refused {} job: {le}", job.platform);
                    }
                }
                let r = PostResult::from_outcome(job.platform, Err(e), Duration::ZERO);
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
        BrowserSource::Shared(b) => (Ok(Opener::One(b)), false),
        BrowserSource::Engines(e) => (Ok(Opener::Engines(e)), true),
        BrowserSource::Pool(e) => (Ok(Opener::Engines(e)), false),
        BrowserSource::Launch(options) => {
            let b = tokio::select! {
                b = Browser::launch(options) => b,
                _ = &mut interrupt => return RunEnd::Interrupted,
            };
            (b.map(Opener::One), true)
        }
    };
    let browser = match launched {
        Ok(b) => b,
        Err(e) => {
            // The browser's own message, not its Display ("browser: ..."),
            // which the new error adds again.
            let message = match &e {
                Error::Browser { message } => message.clone(),
                other => distroflow_core::ErrorReport::from(other).message,
            };
            for job in pending {
                let r = PostResult::from_outcome(
                    job.platform,
                    Err(Error::Browser {
                        message: message.clone(),
                    }),
                    Duration::ZERO,
                );
                report(&r);
                results.push(r);
            }
            return RunEnd::Done(results);
        }
    };

    // Each job's platform, progress and ledger, for a job that crashes or
    // is stopped by Ctrl-C.
    let mut jobs_by_task = std::collections::HashMap::new();
    for job in pending {
        let browser = browser.clone();
        let post = post.clone();
        let platform = job.platform;
        let progress = SharedProgress::default();
        let ledger = job.ledger.clone();
        let task_progress = progress.clone();
        let step = step.clone();
        let handle = set.spawn(async move {
            let start = Instant::now();
            let platform = job.platform;
            let progress = task_progress;
            step(platform, "started");
            let step = |what: &'static str| step(platform, what);
            let outcome = match tokio::time::timeout(
                job_timeout,
                run_one(&browser, &job, &post, &progress, &step),
            )
            .await
            {
                Ok(o) => o,
                Err(_) => {
                    let mut e = Error::Timeout {
                        what: format!("{} to finish", platform.display_name()),
                        after: job_timeout,
                    };
                    if !record_stopped(job.ledger.as_deref(), &progress, platform, &e) {
                        e = Error::Timeout {
                            what: format!(
                                "{} to finish (nothing was submitted; safe to run again)",
                                platform.display_name()
                            ),
                            after: job_timeout,
                        };
                    }
                    Err(e)
                }
            };
            let engine = lock(&progress).engine.clone();
            let mut r = match outcome {
                Ok(Done::Posted(p)) => PostResult::from_outcome(platform, Ok(p), start.elapsed()),
                Ok(Done::Already { url, id }) => {
                    PostResult::skipped(platform, url, id, start.elapsed())
                }
                Err(e) => {
                    let hint = lock(&progress)
                        .bundle
                        .take()
                        .map(|b| e.hint_with_bundle(&b));
                    let mut r = PostResult::from_outcome(platform, Err(e), start.elapsed());
                    if let (Some(hint), Some(report)) = (hint, r.error.as_mut()) {
                        report.hint = Some(hint);
                    }
                    r
                }
            };
            r.engine = engine;
            r
        });
        jobs_by_task.insert(handle.id(), (platform, progress, ledger));
    }

    let interrupted = loop {
        tokio::select! {
            next = set.join_next() => match next {
                Some(Ok(r)) => { report(&r); results.push(r); }
                Some(Err(e)) => {
                    let Some((platform, progress, ledger)) = jobs_by_task.get(&e.id()) else { continue };
                    let platform = *platform;
                    let why = Error::Unexpected { message: format!("the {} job crashed: {e}", platform.display_name()) };
                    record_stopped(ledger.as_deref(), progress, platform, &why);
                    let r = PostResult::from_outcome(
                        platform,
                        Err(why),
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
        // Wait for the stopped jobs to let go (an aborted task ends at its
        // next await), so that none starts a submit after its attempt is
        // recorded below.
        while set.join_next().await.is_some() {}
        for (platform, progress, ledger) in jobs_by_task.values() {
            let why = Error::Unexpected {
                message: "interrupted (Ctrl-C)".into(),
            };
            record_stopped(ledger.as_deref(), progress, *platform, &why);
        }
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
    browser: &Opener,
    job: &Job,
    post: &Post,
    progress: &Mutex<Progress>,
    step: &(dyn Fn(&'static str) + Send + Sync),
) -> Result<Done> {
    let mut before = match &job.ledger {
        Some(l) => match l.before(job.platform, &job.account, post) {
            Ok(b) => Some(b),
            Err(e) => {
                // A rate limit refuses the job before any browser work:
                // recorded, so `history` says why nothing was posted.
                if matches!(e, Error::RateLimited { .. }) {
                    if let Err(le) = l.refused(job.platform, &job.account, post, &e) {
                        tracing::warn!("could not record the refused {} job: {le}", job.platform);
                    }
                }
                return Err(e);
            }
        },
        None => None,
    };
    if let Some(Before::Post(id)) = &before {
        lock(progress).attempt = Some(*id);
    }
    if let Some(Before::Done(row)) = &before {
        return Ok(Done::Already {
            url: row.url.clone(),
            id: row.post_id.clone(),
        });
    }
    step("checked");
    let cookies = job.cookies.as_deref().unwrap_or_default();
    let scope = CookieScope::new(job.platform, &job.ctx.base_url);
    // The engines this job lost, in order.
    let mut lost: Vec<String> = Vec::new();
    // Whether this run's own attempt, cut off after its submit started, is
    // being looked for.
    let mut resolving_own = false;
    loop {
        // Opening a context is safe to repeat; the post itself is not retried.
        let opened = distroflow_healer::retry(
            distroflow_healer::RetryPolicy::default(),
            "open a browser context",
            || browser.open(&scope, cookies, &job.storage),
        )
        .await;
        let session = match opened {
            Ok(s) => s,
            Err(e) => {
                // Nothing was submitted by this try: `failed`, even when
                // opening timed out.
                let id = lock(progress).attempt.take();
                if let (Some(id), Some(l)) = (id, &job.ledger) {
                    if let Err(le) = l.failed_before_submit(id, &e) {
                        tracing::warn!("cannot record the attempt: {le}");
                    }
                }
                if let (true, Some(gone)) = (resolving_own, lost.last()) {
                    // A lost engine's attempt is still to be looked for.
                    return Err(Error::Uncertain {
                        platform: job.platform,
                        message: format!(
                            "{gone} was lost after the submit started, and no other engine could look for the post ({e}); run again to look before posting"
                        ),
                    });
                }
                return Err(e);
            }
        };
        let engine = session.engine();
        lock(progress).engine = engine.clone();
        step("browser");
        // A session kept in the site's storage (Bluesky) is in place
        // before the app boots.
        if let Err(e) = session
            .page()
            .seed_local_storage(&scope.origin(), &job.storage)
            .await
        {
            let id = lock(progress).attempt.take();
            if let (Some(id), Some(l)) = (id, &job.ledger) {
                if let Err(le) = l.failed_before_submit(id, &e) {
                    tracing::warn!("cannot record the attempt: {le}");
                }
            }
            session.close().await;
            return Err(e);
        }
        let page = job.healer.page(session.page(), job.platform);
        let dropped = session.lost();
        // A dropped connection ends the job's step at once, instead of
        // after every CDP call and wait on it has timed out.
        let ended = tokio::select! {
            biased;
            o = post_or_resolve(job, &page, post, before.clone(), progress, step) => Some(o),
            _ = dropped => None,
        };
        let ended = match ended {
            Some(Err(e)) if lost_with(&session, &e).await => None,
            other => other,
        };
        if let Some(outcome) = &ended {
            record_after(job, progress, outcome);
        }
        if let (Some(_), Some(home)) = (&ended, &job.save_storage) {
            // A token the site rotated during the job is the next run's.
            save_storage(home, job.platform, &scope, &page).await;
        }
        let Some(mut outcome) = ended else {
            page.finish();
            session.close().await;
            let gone = engine
                .map(|e| format!("browser engine {e}"))
                .unwrap_or_else(|| "the browser (Chromium)".into());
            lost.push(gone.clone());
            let retry = browser.can_fail_over() && lost.len() <= MAX_FAILOVERS;
            let submit_started = lock(progress).submit_started;
            if !submit_started {
                // Nothing was sent: the same attempt goes on elsewhere.
                if retry {
                    tracing::warn!(
                        "{}: {gone} was lost before the submit; moving the job to another engine",
                        job.platform.display_name()
                    );
                    continue;
                }
                let e = Error::Browser {
                    message: format!(
                        "{gone} was lost before anything was submitted; safe to run again"
                    ),
                };
                record_stopped(job.ledger.as_deref(), progress, job.platform, &e);
                return Err(e);
            }
            // The submit may have reached the site: look before posting
            // again, on another engine, exactly as after a crash.
            let why = Error::Uncertain {
                platform: job.platform,
                message: format!(
                    "{gone} was lost after the submit started; the post may be there: a re-run looks for it before posting"
                ),
            };
            let Some(ledger) = job.ledger.as_deref().filter(|_| retry) else {
                record_stopped(job.ledger.as_deref(), progress, job.platform, &why);
                return Err(why);
            };
            let id = {
                let mut p = lock(progress);
                p.submit_started = false;
                p.unresolved = true;
                p.attempt.take()
            };
            let Some(id) = id else {
                return Err(why);
            };
            before = Some(Before::Resolve(ledger.uncertain(id, &why)?));
            resolving_own = true;
            // A request the dying browser had sent may still be on its way
            // through the site: give it a moment before looking.
            tokio::time::sleep(RESOLVE_SETTLE).await;
            tracing::warn!(
                "{}: {gone} was lost after the submit started; looking for the post from another engine before posting again",
                job.platform.display_name()
            );
            continue;
        };
        if let (Ok(Done::Already { url, id }), true) = (&outcome, resolving_own) {
            // Found after this run's own engine was lost: this run posted it.
            if let (Some(url), Some(id)) = (url, id) {
                outcome = Ok(Done::Posted(Posted::single(id.clone(), url.clone())));
            }
        }
        if let (Err(e), Some(bundles)) = (&outcome, &job.bundles) {
            if leaves_bundle(e) {
                if let Some(path) = bundles.write(job.platform, &page, e).await {
                    if let Err(e) = outcome {
                        outcome = Err(with_bundle(e, &path));
                    }
                    lock(progress).bundle = Some(path);
                }
            }
        }
        page.finish();
        session.close().await;
        return outcome;
    }
}

/// Reads the platform's session keys from the page's `localStorage` (on
/// the configured origin) and saves them into its auth file, atomically
/// (0600), when they changed: a token the site rotated during the job is
/// the one the next run needs. Failures are logged, never fatal (the post
/// stands); values never appear in a log.
pub async fn save_storage(home: &Home, platform: PlatformId, scope: &CookieScope, page: &dyn Page) {
    let items = match read_storage(platform, scope, page).await {
        Ok(Some(items)) if !items.is_empty() => items,
        Ok(Some(_)) => {
            tracing::warn!("the {platform} page holds no session now; the saved one is unchanged");
            return;
        }
        Ok(None) => return,
        Err(e) => {
            tracing::warn!("could not read the {platform} session from the page: {e}");
            return;
        }
    };
    let mut auth = match home.load_auth(platform) {
        Ok(Some(a)) => a,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!("cannot read the saved {platform} session: {e}");
            return;
        }
    };
    if auth.storage_for(scope) == items {
        return;
    }
    auth.set_storage(scope, items);
    match home.save_auth(&auth) {
        Ok(_) => tracing::debug!("saved the {platform} session back (it changed during the run)"),
        Err(e) => tracing::warn!("cannot save the {platform} session back: {e}"),
    }
}

/// The platform's session keys as the page's `localStorage` holds them on
/// the configured origin (`None` when the page is elsewhere, or the
/// platform keeps no storage). Absent keys are left out.
pub async fn read_storage(
    platform: PlatformId,
    scope: &CookieScope,
    page: &dyn Page,
) -> Result<Option<Vec<StorageItem>>> {
    let keys = platform.storage_keys();
    if keys.is_empty() {
        return Ok(None);
    }
    let origin = scope.origin();
    let expr = format!(
        "location.origin === {} ? {}.map((k) => [k, localStorage.getItem(k)]) : null",
        serde_json::Value::String(origin.clone()),
        serde_json::to_string(keys).unwrap_or_else(|_| "[]".into())
    );
    let read = page.eval(&expr).await?;
    let Some(pairs) = read.as_array() else {
        tracing::debug!("the page is not on {origin}; no {platform} storage read");
        return Ok(None);
    };
    Ok(Some(
        pairs
            .iter()
            .filter_map(|p| {
                let name = p.get(0)?.as_str()?;
                let value = p.get(1)?.as_str()?;
                Some(StorageItem {
                    name: name.to_string(),
                    value: distroflow_core::Secret::new(value),
                })
            })
            .collect(),
    ))
}

async fn post_or_resolve(
    job: &Job,
    page: &dyn distroflow_core::Page,
    post: &Post,
    before: Option<Before>,
    progress: &Mutex<Progress>,
    step: &(dyn Fn(&'static str) + Send + Sync),
) -> Result<Done> {
    // A `Before::Post` attempt is already in `progress` (run_one put it there).
    if let (Some(Before::Resolve(row)), Some(ledger)) = (before, &job.ledger) {
        // An earlier attempt may have posted this: look before posting.
        step("resolving");
        let when = row.last_at();
        match job.adapter.find_existing(page, &job.ctx, post).await {
            Ok(Existing::Found(p)) => {
                ledger.resolved_posted(&row, &p.url, &p.id)?;
                return Ok(Done::Already {
                    url: Some(p.url),
                    id: Some(p.id),
                });
            }
            Ok(Existing::NotFound) => {
                let id = ledger.begin_after_resolve(job.platform, &job.account, post, &row)?;
                lock(progress).attempt = Some(id);
            }
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
    // The adapter's flow ends in the submit; from here on an unfinished
    // job may have posted. (Its page loads come first, so a job stopped
    // there is counted as uncertain too: looking costs a visit, a double
    // post costs more.)
    // The caller records the outcome (see `record_after`): an error that
    // comes from a lost engine is a loss, not the post's failure.
    lock(progress).submit_started = true;
    step("posting");
    job.adapter
        .post(page, &job.ctx, post)
        .await
        .map(Done::Posted)
}

/// Records the outcome of a job whose posting flow ran to its end.
fn record_after(job: &Job, progress: &Mutex<Progress>, outcome: &Result<Done>) {
    let id = {
        let mut p = lock(progress);
        if !p.submit_started {
            return;
        }
        p.attempt.take()
    };
    let (Some(ledger), Some(id)) = (&job.ledger, id) else {
        return;
    };
    let recorded = match outcome {
        Ok(Done::Posted(p)) => ledger.after_ref(id, Ok(p)),
        Err(e) => ledger.after_ref(id, Err(e)),
        // Only a look-up ends so, and it records its own outcome.
        Ok(Done::Already { .. }) => Ok(()),
    };
    if let Err(e) = recorded {
        tracing::warn!("cannot record the attempt: {e}");
    }
}

/// How long a job that failed with a browser error waits to see whether
/// its engine is being lost (the error may come first: a tab dies before
/// its browser's socket closes).
const LOST_GRACE: Duration = Duration::from_millis(700);

/// Whether a job's error comes from losing its browser.
async fn lost_with(session: &Opened, e: &Error) -> bool {
    use distroflow_core::ErrorKind;
    if session.is_lost() {
        return true;
    }
    if !matches!(
        e.kind(),
        ErrorKind::Browser | ErrorKind::Timeout | ErrorKind::Uncertain
    ) {
        return false;
    }
    tokio::time::timeout(LOST_GRACE, session.lost())
        .await
        .is_ok()
}
