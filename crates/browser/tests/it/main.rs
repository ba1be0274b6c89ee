//! The browser layer against real headless Chromium and small local pages.

use std::time::Duration;

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::{Cookie, Page, Secret};

/// Serves one HTML page for every request on 127.0.0.1; returns its URL.
async fn serve(html: &'static str) -> String {
    let app = axum::Router::new().fallback(move || async move { axum::response::Html(html) });
    serve_app(app).await
}

async fn serve_app(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://127.0.0.1:{}/", addr.port())
}

async fn browser() -> Browser {
    let mut o = BrowserOptions::from_env(None);
    o.max_concurrency = 2;
    Browser::launch(o).await.expect("Chromium starts")
}

fn cookie(name: &str, value: &str) -> Cookie {
    Cookie {
        name: name.into(),
        value: Secret::new(value),
        domain: "127.0.0.1".into(),
        path: "/".into(),
        expires: None,
        http_only: false,
        secure: false,
        same_site: None,
    }
}

const EDITORS: &str = r#"<!doctype html><html><body>
<div id="rich" contenteditable="true" role="textbox" style="min-height:40px;border:1px solid"></div>
<x-host></x-host>
<div role="button" class="a1" id="wrong">Back</div>
<div role="button" class="q9z" onclick="document.title='shared'">Share</div>
<script>
customElements.define('x-host', class extends HTMLElement {
  constructor() { super(); const r = this.attachShadow({mode:'open'});
    r.innerHTML = '<textarea id="inner"></textarea><button id="go" onclick="this.textContent=\'clicked\'">Post</button>'; }
});
</script></body></html>"#;

#[tokio::test(flavor = "multi_thread")]
async fn types_into_rich_editors_and_shadow_roots_and_clicks_by_text() {
    let url = serve(EDITORS).await;
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let p = s.page();
    p.goto(&url).await.unwrap();

    let text = "Hello 👋🏽 世界\n\nsecond paragraph";
    p.type_text("#rich", text).await.unwrap();
    let got = p.text("#rich").await.unwrap().unwrap();
    assert!(
        got.starts_with("Hello 👋🏽 世界\n") && got.ends_with("\nsecond paragraph"),
        "{got:?}"
    );
    // Typing again replaces, it does not append.
    p.type_text("#rich", "replaced").await.unwrap();
    assert_eq!(p.text("#rich").await.unwrap().unwrap().trim(), "replaced");

    p.type_text("x-host >>> #inner", "in the shadow")
        .await
        .unwrap();
    assert_eq!(
        p.text("x-host >>> #inner").await.unwrap().as_deref(),
        Some("in the shadow")
    );
    p.click("x-host >>> #go").await.unwrap();
    assert_eq!(
        p.text("x-host >>> #go").await.unwrap().as_deref(),
        Some("clicked")
    );

    p.click(r#"div[role=button]:text-is("Share")"#)
        .await
        .unwrap();
    assert_eq!(p.eval("document.title").await.unwrap(), "shared");
    assert_eq!(
        p.count(r#"div[role=button]:has-text("sha")"#)
            .await
            .unwrap(),
        1
    );

    let missing = p.click("#does-not-exist").await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    s.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_session_is_an_isolated_context() {
    let url = serve("<!doctype html><p>cookies</p>").await;
    let b = browser().await;
    let base = url.parse().unwrap();
    let one = b.session(&base, &[cookie("who", "one")]).await.unwrap();
    let two = b.session(&base, &[cookie("who", "two")]).await.unwrap();
    one.page().goto(&url).await.unwrap();
    two.page().goto(&url).await.unwrap();
    assert_eq!(one.page().eval("document.cookie").await.unwrap(), "who=one");
    assert_eq!(two.page().eval("document.cookie").await.unwrap(), "who=two");
    let saved = one.page().cookies(&url).await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].value.expose(), "one");
    one.close().await;
    two.close().await;
    b.close().await;
}

/// Polls `f` every 50 ms until it holds or 20 s pass.
async fn eventually(what: &str, f: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !f() {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn spare_tabs_are_used_once_and_carry_nothing_between_sessions() {
    let url = serve("<!doctype html><p>spares</p>").await;
    let b = browser().await;
    b.keep_spares(2);
    eventually("two spares ready", || b.spares_ready() == 2).await;
    let base: url::Url = url.parse().unwrap();

    // A session in a spare gets its own cookies, and leaves its cookies
    // and storage behind when it closes.
    let one = b.session(&base, &[cookie("who", "one")]).await.unwrap();
    one.page().goto(&url).await.unwrap();
    assert_eq!(one.page().eval("document.cookie").await.unwrap(), "who=one");
    one.page()
        .eval("localStorage.setItem('left', 'behind'); document.cookie = 'extra=1'; 'ok'")
        .await
        .unwrap();
    one.close().await;
    // The pool is topped up again in the background.
    eventually("spares refilled", || b.spares_ready() == 2).await;

    let two = b.session(&base, &[cookie("who", "two")]).await.unwrap();
    two.page().goto(&url).await.unwrap();
    assert_eq!(two.page().eval("document.cookie").await.unwrap(), "who=two");
    assert_eq!(
        two.page()
            .eval("String(localStorage.getItem('left'))")
            .await
            .unwrap(),
        "null"
    );
    // With no cookies given, a spare has none at all.
    let three = b.session(&base, &[]).await.unwrap();
    three.page().goto(&url).await.unwrap();
    assert_eq!(three.page().eval("document.cookie").await.unwrap(), "");
    two.close().await;
    three.close().await;
    b.close().await;
}

/// A page that counts its loads and shows the cookie it was loaded with.
async fn counting_page() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let loads = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = loads.clone();
    let app = axum::Router::new().route(
        "/compose",
        axum::routing::get(move |headers: axum::http::HeaderMap| {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            let cookie = headers
                .get("cookie")
                .and_then(|c| c.to_str().ok())
                .unwrap_or("")
                .to_string();
            async move {
                axum::response::Html(format!(
                    "<!doctype html><p id=load>{n}</p><p id=cookie>{cookie}</p><textarea></textarea>"
                ))
            }
        }),
    );
    (format!("{}compose", serve_app(app).await), loads)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_prepared_tab_goes_to_the_one_matching_session_and_saves_its_first_load() {
    use std::sync::atomic::Ordering;
    let (url, loads) = counting_page().await;
    let base: url::Url = url.parse().unwrap();
    let scope = distroflow_core::CookieScope::site(&base);
    let b = browser().await;
    let mine = [cookie("who", "mine")];
    b.prepare(&scope, &mine, &[], &base, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 1);
    assert_eq!(b.prepared_tabs(), 1);
    // Asked again at once (a dashboard asks as you type): nothing loads.
    b.prepare(&scope, &mine, &[], &base, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 1);

    // Another account's job never gets it: it loads its own page, with
    // its own cookie.
    let other = b
        .session_for(&scope, &[cookie("who", "other")], &[])
        .await
        .unwrap();
    assert_eq!(b.prepared_tabs(), 1);
    other.page().goto(&url).await.unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 2);
    assert_eq!(
        other.page().text("#cookie").await.unwrap().as_deref(),
        Some("who=other")
    );
    other.close().await;

    // The matching job starts on the loaded page: its first load of that
    // URL is the one made ahead (load 1, with its cookie); later loads
    // are real.
    let job = b.session_for(&scope, &mine, &[]).await.unwrap();
    assert_eq!(b.prepared_tabs(), 0);
    job.page().goto(&url).await.unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 2);
    assert_eq!(
        job.page().text("#load").await.unwrap().as_deref(),
        Some("1")
    );
    assert_eq!(
        job.page().text("#cookie").await.unwrap().as_deref(),
        Some("who=mine")
    );
    job.page().goto(&url).await.unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 3);
    assert_eq!(
        job.page().text("#load").await.unwrap().as_deref(),
        Some("3")
    );
    job.close().await;

    // Used once: the next job with the same cookies loads its own page.
    let again = b.session_for(&scope, &mine, &[]).await.unwrap();
    again.page().goto(&url).await.unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 4);
    again.close().await;

    // One nobody takes is disposed of when its time is up.
    b.prepare(&scope, &mine, &[], &base, Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 5);
    eventually("the unused prepared tab expired", || b.prepared_tabs() == 0).await;
    let late = b.session_for(&scope, &mine, &[]).await.unwrap();
    late.page().goto(&url).await.unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 6);
    late.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_prepared_tab_keeps_its_document_through_route_changes_not_through_a_new_one() {
    use std::sync::atomic::Ordering;
    let (url, loads) = counting_page().await;
    let base: url::Url = url.parse().unwrap();
    let scope = distroflow_core::CookieScope::site(&base);
    let b = browser().await;

    // The app changed its own route since the load (as Bluesky's compose
    // intent does): still the page that was loaded, so no load.
    b.prepare(&scope, &[], &[], &base, Duration::from_secs(60))
        .await
        .unwrap();
    let job = b.session_for(&scope, &[], &[]).await.unwrap();
    job.page()
        .eval("history.replaceState(null, '', '/composing'); 1")
        .await
        .unwrap();
    job.page().goto(&url).await.unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 1);
    job.close().await;

    // The site sent the tab to another document since (a sign-in page,
    // say): the job loads its page itself.
    b.prepare(&scope, &[], &[], &base, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 2);
    let job = b.session_for(&scope, &[], &[]).await.unwrap();
    job.page()
        .eval("location.assign('/sign-in'); 1")
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while job.page().current_url().await.unwrap_or_default()
        != format!("{base}").replace("/compose", "/sign-in")
    {
        assert!(std::time::Instant::now() < deadline, "the tab left");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    job.page().goto(&url).await.unwrap();
    assert_eq!(loads.load(Ordering::SeqCst), 3);
    assert_eq!(
        job.page().text("#load").await.unwrap().as_deref(),
        Some("3")
    );
    job.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pool_bounds_open_sessions() {
    let url = serve("<p>x</p>").await;
    let b = browser().await; // max_concurrency = 2
    let base: url::Url = url.parse().unwrap();
    let s1 = b.session(&base, &[]).await.unwrap();
    let s2 = b.session(&base, &[]).await.unwrap();
    let third = tokio::time::timeout(Duration::from_millis(500), b.session(&base, &[])).await;
    assert!(third.is_err(), "a third session must wait for a permit");
    s1.close().await;
    let s3 = tokio::time::timeout(Duration::from_secs(10), b.session(&base, &[]))
        .await
        .expect("a permit is freed by close")
        .unwrap();
    s2.close().await;
    s3.close().await;
    b.close().await;
}

mod changes;
mod security;

fn processes_with(profile: &str) -> usize {
    distroflow_browser::browser_processes(std::path::Path::new(profile)).len()
}

#[tokio::test(flavor = "multi_thread")]
async fn no_process_survives_close_or_drop() {
    let b = browser().await;
    let profile = b.profile_dir().display().to_string();
    // The whole tree is found, helpers included, not only the process
    // with the profile folder on its command line.
    let url = serve("<p>x</p>").await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    s.page().goto(&url).await.unwrap();
    let tree = distroflow_browser::browser_processes(b.profile_dir());
    assert!(
        tree.iter().any(|(_, cmd)| cmd.contains("--type=renderer")),
        "{tree:?}"
    );
    s.close().await;
    b.close().await;
    assert_eq!(processes_with(&profile), 0, "close leaves nothing");

    // A panic path: the browser is dropped without close.
    let b = browser().await;
    let profile = b.profile_dir().display().to_string();
    let url = serve("<p>x</p>").await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    s.page().goto(&url).await.unwrap();
    drop(s);
    drop(b);
    let mut left = usize::MAX;
    for _ in 0..40 {
        left = processes_with(&profile);
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(left, 0, "drop leaves nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_site_is_a_network_error() {
    let b = browser().await;
    let s = b
        .session(&"http://127.0.0.1:9".parse().unwrap(), &[])
        .await
        .unwrap();
    let e = s.page().goto("http://127.0.0.1:9/").await.unwrap_err();
    assert!(e.is_network(), "{e}");
    s.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn describe_and_scan_give_selectors_that_find_the_element_again() {
    let url = serve(EDITORS).await;
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let p = s.page();
    p.goto(&url).await.unwrap();

    let share = p
        .describe(r#"div[role=button]:text-is("Share")"#)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(share.tag, "div");
    assert_eq!(share.role, "button");
    assert_eq!(share.text, "Share");
    assert_eq!(share.classes, vec!["q9z".to_string()]);
    assert_eq!(
        p.count(&share.selector).await.unwrap(),
        1,
        "{}",
        share.selector
    );
    assert_eq!(
        p.text(&share.selector).await.unwrap().as_deref(),
        Some("Share")
    );

    let all = p.scan().await.unwrap();
    let inner = all
        .iter()
        .find(|e| e.id == "inner")
        .expect("shadow textarea scanned");
    assert!(inner.selector.contains(">>>"), "{}", inner.selector);
    assert_eq!(inner.role, "textbox");
    assert_eq!(inner.path.first().unwrap().tag, "html");
    assert!(inner.path.iter().any(|n| n.tag == "x-host"));
    p.type_text(&inner.selector, "found again").await.unwrap();
    assert_eq!(
        p.text("x-host >>> #inner").await.unwrap().as_deref(),
        Some("found again")
    );
    assert!(all
        .iter()
        .any(|e| e.attrs.contains_key("contenteditable") && e.id == "rich"));
    assert!(p.describe("#nothing").await.unwrap().is_none());
    s.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn comma_lists_work_with_shadow_roots_and_text_tests() {
    let url = serve(EDITORS).await;
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let p = s.page();
    p.goto(&url).await.unwrap();
    // The first alternative matches nothing; the second, in a shadow root, does.
    assert_eq!(
        p.count("x-host >>> #nope, x-host >>> #inner")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        p.count(r#"div[role=button]:text-is("Nope"), div[role=button]:text-is("Share")"#)
            .await
            .unwrap(),
        1
    );
    // Commas inside quotes or parentheses are not separators.
    assert_eq!(
        p.count(r#"div[role=button]:has-text("a, b")"#)
            .await
            .unwrap(),
        0
    );
    assert_eq!(p.count("#rich, #wrong").await.unwrap(), 2);
    p.click(r#"#missing, div[role=button]:text-is("Share")"#)
        .await
        .unwrap();
    assert_eq!(p.eval("document.title").await.unwrap(), "shared");
    s.close().await;
    b.close().await;
}

/// A title field that has the focus, and a body editor its script makes
/// editable only after a moment (as new Reddit's does).
const LATE_EDITOR: &str = r#"<!doctype html><html><body>
<textarea id="title"></textarea>
<div id="body" role="textbox" aria-label="Body" style="min-height:40px;border:1px solid"></div>
<input id="locked" disabled value="">
<script>
document.getElementById('title').focus();
setTimeout(() => document.getElementById('body').setAttribute('contenteditable', 'true'), 600);
</script>
</body></html>"#;

#[tokio::test(flavor = "multi_thread")]
async fn typing_waits_for_the_focus_and_never_lands_in_another_field() {
    let url = serve(LATE_EDITOR).await;
    let mut o = BrowserOptions::from_env(None);
    o.waits.timeout = Duration::from_secs(3);
    let b = Browser::launch(o).await.expect("Chromium starts");
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let p = s.page();
    p.goto(&url).await.unwrap();
    p.type_text("#title", "Title").await.unwrap();
    // Not editable yet: typing waits until it is, rather than typing into
    // the title, which still has the focus.
    p.type_text("#body", "Body text").await.unwrap();
    assert_eq!(p.text("#title").await.unwrap().as_deref(), Some("Title"));
    assert_eq!(
        p.text("#body").await.unwrap().as_deref().map(str::trim),
        Some("Body text")
    );
    // A field that never takes the focus is an error that says so.
    let e = p.type_text("#locked", "x").await.unwrap_err();
    assert!(e.to_string().contains("would not take the focus"), "{e}");
    assert_eq!(p.text("#title").await.unwrap().as_deref(), Some("Title"));
    s.close().await;
    b.close().await;
}

const REWRITING_PASSWORD: &str = r#"<!doctype html><html><body>
<input id="pw" type="password" oninput="this.value = this.value.toUpperCase()">
<input id="name" type="text" oninput="this.value = this.value.toUpperCase()">
</body></html>"#;

/// Text that does not stick is reported with what was read back, except
/// from a password field: its value never reaches an error (nor the step
/// log or a debug bundle, which repeat the error).
#[tokio::test(flavor = "multi_thread")]
async fn a_password_that_does_not_stick_is_not_repeated_in_the_error() {
    let url = serve(REWRITING_PASSWORD).await;
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let p = s.page();
    p.goto(&url).await.unwrap();
    let e = p.type_text("#pw", "hunter2").await.unwrap_err();
    let message = e.to_string();
    assert!(
        matches!(e, distroflow_core::Error::TextMismatch { .. }),
        "{message}"
    );
    assert!(!message.to_lowercase().contains("hunter2"), "{message}");
    assert!(message.contains("[redacted]"), "{message}");
    let e = p.type_text("#name", "alice").await.unwrap_err().to_string();
    assert!(
        e.contains("ALICE"),
        "other fields still show what was read: {e}"
    );
    s.close().await;
    b.close().await;
}

/// A disabled twin (a decoy, a stale copy) listed first is never the one
/// clicked or read while an enabled match is there.
#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_twin_is_passed_over() {
    let url = serve(
        r#"<!doctype html><body>
<button aria-disabled="true" onclick="document.title='decoy'">Post</button>
<button disabled onclick="document.title='decoy2'">Post</button>
<button data-real="1" onclick="document.title='real'">Post</button></body>"#,
    )
    .await;
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let p = s.page();
    p.goto(&url).await.unwrap();
    assert_eq!(
        p.attr(r#"button:text-is("Post")"#, "data-real")
            .await
            .unwrap()
            .as_deref(),
        Some("1")
    );
    p.click(r#"button:text-is("Post")"#).await.unwrap();
    assert_eq!(p.eval("document.title").await.unwrap(), "real");
    s.close().await;
    b.close().await;
}

/// A Chromium that crashes (SIGSEGV) on its first `crashes` starts, then
/// is the real one; each start is counted in `starts`.
fn crashing_chrome(dir: &std::path::Path, crashes: usize) -> BrowserOptions {
    use std::os::unix::fs::PermissionsExt;
    let real = BrowserOptions::from_env(None).chrome;
    let script = dir.join("chrome");
    let starts = dir.join("starts");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho start >> '{starts}'\nif [ \"$(wc -l < '{starts}')\" -le {crashes} ]; then kill -SEGV $$; fi\nexec '{real}' \"$@\"\n",
            starts = starts.display(),
            real = real.display(),
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut o = BrowserOptions::from_env(None);
    o.chrome = script;
    o
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chromium_that_crashes_while_starting_is_started_once_more() {
    let dir = tempfile::tempdir().unwrap();
    let starts = || {
        std::fs::read_to_string(dir.path().join("starts"))
            .unwrap_or_default()
            .lines()
            .count()
    };
    let b = Browser::launch(crashing_chrome(dir.path(), 1))
        .await
        .expect("the second start works");
    assert_eq!(starts(), 2);
    let url = serve("<p>up</p>").await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    s.page().goto(&url).await.unwrap();
    s.close().await;
    b.close().await;

    // Twice in a row: the crash is reported, with no third try.
    let dir2 = tempfile::tempdir().unwrap();
    let e = match Browser::launch(crashing_chrome(dir2.path(), 2)).await {
        Ok(_) => panic!("a browser that always crashes cannot start"),
        Err(e) => e.to_string(),
    };
    assert!(
        e.contains("exited at start") && e.contains("SIGSEGV"),
        "{e}"
    );
    let n = std::fs::read_to_string(dir2.path().join("starts"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(n, 2);
}

/// The button moves down (as when an image preview loads above a Post
/// button) right after the click was aimed at it: the first time anything
/// looks up what is at a point, the page's layout changes.
const SHIFTING: &str = r#"<!doctype html><html><body style="margin:0">
<div id="spacer" style="height:10px"></div>
<button id="post" style="width:120px;height:40px">Post</button>
<div style="height:2000px"></div>
<script>
window.clicks = 0;
document.getElementById('post').addEventListener('click', () => { window.clicks++; });
const at = document.elementFromPoint.bind(document);
let moved = false;
document.elementFromPoint = (x, y) => {
  const hit = at(x, y);
  if (!moved) { moved = true; document.getElementById('spacer').style.height = '300px'; }
  return hit;
};
</script></body></html>"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_click_the_page_moved_away_from_is_aimed_again_and_lands_once() {
    let url = serve(SHIFTING).await;
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let p = s.page();
    p.goto(&url).await.unwrap();
    p.click("#post").await.unwrap();
    assert_eq!(p.eval("window.clicks").await.unwrap(), 1);
    // A click that lands is never repeated.
    p.click("#post").await.unwrap();
    assert_eq!(p.eval("window.clicks").await.unwrap(), 2);
    s.close().await;
    b.close().await;
}
