//! Adapters against their replicas, through a real headless Chromium.
//! One module per platform; the helpers below are shared.

mod bluesky;
mod hackernews;
mod healing;
mod instagram;
mod linkedin;
mod mastodon;
mod memory;
mod readiness;
mod reddit;
mod seeds;
mod x;

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

/// A healer over the built-in selector data that remembers nothing.
pub(crate) fn healer() -> std::sync::Arc<distroflow_healer::Healer> {
    let book = distroflow_healer::SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES)
        .expect("the built-in selector data parses");
    distroflow_healer::Healer::new(book, None).unwrap()
}

/// Runs one post in a fresh context of `browser` and closes the context.
pub(crate) async fn post_with(
    browser: &Browser,
    adapter: &dyn Platform,
    base_url: &str,
    cookies: &[Cookie],
    post: &Post,
) -> Result<Posted> {
    post_in(
        browser,
        adapter,
        JobContext::new(base_url.parse().expect("replica URL")),
        cookies,
        post,
    )
    .await
}

/// Like [`post_with`], with a full job context (platform settings).
pub(crate) async fn post_in(
    browser: &Browser,
    adapter: &dyn Platform,
    ctx: JobContext,
    cookies: &[Cookie],
    post: &Post,
) -> Result<Posted> {
    adapter.validate(post)?;
    let session = browser.session(&ctx.base_url, cookies).await?;
    let healer = healer();
    let page = healer.page(session.page(), adapter.id());
    let out = adapter.post(&page, &ctx, post).await;
    page.finish();
    session.close().await;
    out
}
