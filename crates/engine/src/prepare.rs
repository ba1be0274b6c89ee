//! Loading the jobs' compose pages ahead of a post (prepared tabs, see
//! `distroflow_browser`'s `prepared.rs`): what `POST /api/v1/prepare`
//! does while a person is still writing.

use std::time::Duration;

use distroflow_browser::Browser;
use distroflow_core::{CookieScope, PlatformId, Post};
use tokio::task::JoinSet;

use crate::Job;

/// One job's page loaded ahead, or why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prepared {
    /// Loaded (or loaded a moment ago): the post's job will start on it
    /// if it comes within the time given.
    Ready,
    /// Not loaded, and why (the post itself is not affected).
    Skipped(String),
}

/// Loads every job's compose page for `post` in `browser`, each in its
/// own context with the job's own cookies and storage, kept for `keep`.
/// Returns when all have loaded or failed, one answer per job in order.
pub async fn prepare(
    jobs: Vec<Job>,
    post: &Post,
    browser: &Browser,
    keep: Duration,
) -> Vec<(PlatformId, Prepared)> {
    let mut set = JoinSet::new();
    let mut out: Vec<(PlatformId, Prepared)> = Vec::new();
    for (i, job) in jobs.into_iter().enumerate() {
        let platform = job.platform;
        out.push((platform, Prepared::Skipped(String::new())));
        let Some(cookies) = job.cookies else {
            out[i].1 = Prepared::Skipped(format!(
                "no saved session: run `distroflow login {}`",
                platform.as_str()
            ));
            continue;
        };
        let Some(url) = job.adapter.compose_url(&job.ctx, post) else {
            out[i].1 = Prepared::Skipped(format!(
                "{} has no page to load before the post is complete",
                platform.display_name()
            ));
            continue;
        };
        let browser = browser.clone();
        let scope = CookieScope::new(platform, &job.ctx.base_url);
        let storage = job.storage;
        set.spawn(async move {
            let r = browser
                .prepare(&scope, &cookies, &storage, &url, keep)
                .await;
            (i, r)
        });
    }
    while let Some(done) = set.join_next().await {
        let Ok((i, r)) = done else { continue };
        out[i].1 = match r {
            Ok(()) => Prepared::Ready,
            Err(e) => {
                tracing::debug!("{}: could not load its page ahead: {e}", out[i].0);
                Prepared::Skipped(format!("its page could not be loaded ahead: {e}"))
            }
        };
    }
    for (platform, p) in &mut out {
        if *p == Prepared::Skipped(String::new()) {
            *p = Prepared::Skipped(format!("{} could not be prepared", platform.display_name()));
        }
    }
    out
}
