//! Adapters against their replicas, through a real headless Chromium.
//! One module per platform; the helpers below are shared.

mod hackernews;

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::{Cookie, JobContext, Platform, Post, Posted, Result, Secret};

pub(crate) async fn browser() -> Browser {
    Browser::launch(BrowserOptions::from_env(None))
        .await
        .expect("Chromium starts (apt-get install chromium)")
}

/// A host-only cookie for a replica on 127.0.0.1.
pub(crate) fn cookie(name: &str, value: &str) -> Cookie {
    Cookie {
        name: name.into(),
        value: Secret::new(value),
        domain: "127.0.0.1".into(),
        path: "/".into(),
        expires: None,
        http_only: true,
        secure: false,
        same_site: None,
    }
}

/// Runs one post in a fresh context of `browser` and closes the context.
pub(crate) async fn post_with(
    browser: &Browser,
    adapter: &dyn Platform,
    base_url: &str,
    cookies: &[Cookie],
    post: &Post,
) -> Result<Posted> {
    adapter.validate(post)?;
    let ctx = JobContext::new(base_url.parse().expect("replica URL"));
    let session = browser.session(&ctx.base_url, cookies).await?;
    let out = adapter.post(session.page(), &ctx, post).await;
    session.close().await;
    out
}
