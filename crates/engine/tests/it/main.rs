//! The engine against a real headless Chromium and the replicas: what the
//! ledger records when a job ends early.

mod attempts;

use std::path::Path;
use std::sync::Arc;

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::{Cookie, JobContext, PlatformId, Post, Secret};
use distroflow_engine::{Job, Ledger};
use distroflow_replica::HackerNews;
use distroflow_store::{RateLimits, Store};

/// A browser whose pool has room for `slots` jobs at once.
pub(crate) async fn browser(slots: usize) -> Browser {
    let mut options = BrowserOptions::from_env(None);
    options.max_concurrency = slots;
    Browser::launch(options)
        .await
        .expect("Chromium starts (apt-get install chromium)")
}

/// A ledger over the store at `db`, without rate limits.
pub(crate) fn ledger(db: &Path) -> Arc<Ledger> {
    let limits = RateLimits::from_config_text("").unwrap().disable_all();
    Arc::new(Ledger::new(Store::open(db).unwrap(), limits, false))
}

/// A Hacker News job as `sandbox` on the replica, recorded in `ledger`.
pub(crate) fn hn_job(hn: &HackerNews, ledger: Arc<Ledger>) -> Job {
    let book = distroflow_healer::SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES)
        .expect("the built-in selector data parses");
    Job {
        platform: PlatformId::HackerNews,
        adapter: distroflow_platforms::adapter(PlatformId::HackerNews)
            .unwrap()
            .into(),
        ctx: JobContext::new(hn.url().parse().unwrap()),
        cookies: Some(vec![Cookie {
            name: "user".into(),
            value: Secret::new(hn.session_cookie("sandbox").unwrap()),
            domain: "127.0.0.1".into(),
            path: "/".into(),
            expires: None,
            http_only: true,
            secure: false,
            same_site: None,
        }]),
        healer: distroflow_healer::Healer::new(book, None).unwrap(),
        account: "sandbox".into(),
        ledger: Some(ledger),
        bundles: None,
        storage: Vec::new(),
        save_storage: None,
    }
}

pub(crate) fn link_post() -> Post {
    Post::new("")
        .with_title("Stopped before the submit")
        .with_url("https://example.com/stopped")
}
