//! Every logged-in check waits for the app to render and names what it
//! saw, against pages that render the way client-side apps do (a splash
//! first, the UI later), written from the field notes rather than from our
//! replicas: a late sidebar is waited for, a login page seen is an answer
//! at once, and a page that never renders is a deadline error that says so.

use std::time::Duration;

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::{JobContext, Platform, PlatformId};
use distroflow_platforms::{HackerNews, Instagram, Reddit, X};

/// Serves `html` for every path.
async fn serve(html: String) -> String {
    let app = axum::Router::new().fallback(move || {
        let html = html.clone();
        async move { axum::response::Html(html) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://127.0.0.1:{port}/")
}

/// A splash, then `ui` mounted `after_ms` after the load event.
fn late(ui: &str, after_ms: u64) -> String {
    format!(
        r#"<!doctype html><html><body><div id="splash"><img alt="" src="data:,"></div><div id="root"></div>
<script>
window.addEventListener('load', () => setTimeout(() => {{
  document.getElementById('splash').remove();
  document.getElementById('root').innerHTML = {ui:?};
}}, {after_ms}));
</script></body></html>"#
    )
}

const INSTAGRAM_SIDEBAR: &str = r##"<nav><a href="/" role="link"><svg aria-label="Home" role="img" width="24" height="24"><rect width="24" height="24"/></svg><span>Home</span></a>
<a href="#" role="link"><svg aria-label="New post" role="img" width="24" height="24"><rect width="24" height="24"/></svg><span>Create</span></a></nav><main></main>"##;

const INSTAGRAM_LOGIN: &str = r#"<main><form id="loginForm"><input name="username" aria-label="Phone number, username, or email" type="text"><input name="password" type="password" aria-label="Password"><button type="submit">Log in</button></form></main>"#;

async fn browser(timeout: Duration) -> Browser {
    let mut o = BrowserOptions::from_env(None);
    o.waits.timeout = timeout;
    Browser::launch(o).await.unwrap()
}

async fn logged_in(
    b: &Browser,
    adapter: &dyn Platform,
    platform: PlatformId,
    url: &str,
) -> distroflow_core::Result<bool> {
    let ctx = JobContext::new(url.parse().unwrap());
    let s = b.session(&ctx.base_url, &[]).await.unwrap();
    let healer = crate::healer();
    let page = healer.page(s.page(), platform);
    let r = adapter.is_logged_in(&page, &ctx).await;
    page.finish();
    s.close().await;
    r
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sidebar_drawn_late_is_waited_for() {
    let b = browser(Duration::from_secs(15)).await;
    let url = serve(late(INSTAGRAM_SIDEBAR, 900)).await;
    assert!(logged_in(&b, &Instagram, PlatformId::Instagram, &url)
        .await
        .unwrap());
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_login_page_seen_is_the_answer_without_waiting_for_the_deadline() {
    // A deadline far longer than the test allows: only a positive sighting
    // of the login form ends the wait in time.
    let b = browser(Duration::from_secs(120)).await;
    let url = serve(late(INSTAGRAM_LOGIN, 300)).await;
    let answer = tokio::time::timeout(
        Duration::from_secs(30),
        logged_in(&b, &Instagram, PlatformId::Instagram, &url),
    )
    .await
    .expect("answered on seeing the login form");
    assert!(!answer.unwrap());

    // Hacker News's logged-out front page: the "login" link says so.
    let hn = serve(
        r#"<html><body><table><tr><td><span class="pagetop"><a href="login?goto=news">login</a></span></td></tr></table></body></html>"#.into(),
    )
    .await;
    let answer = tokio::time::timeout(
        Duration::from_secs(30),
        logged_in(&b, &HackerNews, PlatformId::HackerNews, &hn),
    )
    .await
    .expect("answered on seeing the login link");
    assert!(!answer.unwrap());
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_that_never_renders_is_a_deadline_error_not_an_auth_error() {
    let b = browser(Duration::from_secs(3)).await;
    let splash = serve(late("", 3_600_000)).await;
    for (adapter, platform) in [
        (&Instagram as &dyn Platform, PlatformId::Instagram),
        (&Reddit, PlatformId::Reddit),
        (&HackerNews, PlatformId::HackerNews),
        (&X, PlatformId::X),
    ] {
        let e = logged_in(&b, adapter, platform, &splash).await.unwrap_err();
        assert!(e.is_timeout(), "{platform}: {e}");
        assert!(!e.is_auth(), "{platform}: {e}");
        assert!(
            e.to_string()
                .contains("never showed a logged-in marker or the login page"),
            "{platform}: {e}"
        );
    }
    b.close().await;
}
