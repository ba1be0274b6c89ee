//! Waits that wake when the page changes (`Page::changed_within`).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use distroflow_core::{wait_until_on, Page, Waits};

use super::{browser, serve};

/// Long enough that only a change (never the timer) can end a watch in
/// these tests.
const LONG: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread")]
async fn a_wait_sees_an_element_a_script_adds_later() {
    let url = serve(
        r#"<!doctype html><body><p>loading</p><script>
        setTimeout(() => { const b = document.createElement('button'); b.id = 'late'; b.textContent = 'Post'; document.body.append(b); }, 300);
        </script></body>"#,
    )
    .await;
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let p = s.page();
    p.goto(&url).await.unwrap();
    p.wait_for("#late", "the late button").await.unwrap();
    assert_eq!(p.text("#late").await.unwrap().as_deref(), Some("Post"));
    s.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_ends_the_watch_and_a_quiet_page_lets_it_run_out() {
    let url = serve(
        r#"<!doctype html><body><p id="t">quiet</p>
        <x-host></x-host>
        <script>
        customElements.define('x-host', class extends HTMLElement {
          constructor() { super(); this.attachShadow({mode:'open'}).innerHTML = '<p>inside</p>'; }
        });
        window.later = (f) => setTimeout(f, 300);
        </script></body>"#,
    )
    .await;
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let p = s.page();
    p.goto(&url).await.unwrap();

    // Nothing changes: the watch runs out and says so.
    assert!(!p
        .changed_within(Duration::ZERO, Duration::from_millis(200))
        .await
        .unwrap());

    // A text change, an attribute, a new element, a change inside a shadow
    // root: each ends a watch that would otherwise last 20 s.
    for change in [
        "document.getElementById('t').firstChild.data = 'changed'",
        "document.body.setAttribute('data-state', 'ready')",
        "document.body.append(document.createElement('div'))",
        "document.querySelector('x-host').shadowRoot.append(document.createElement('b'))",
    ] {
        p.eval(&format!("later(() => {{ {change}; }}); true"))
            .await
            .unwrap();
        let woke = tokio::time::timeout(LONG, p.changed_within(Duration::ZERO, LONG))
            .await
            .expect("the watch ends")
            .unwrap();
        assert!(woke, "not woken by {change}");
    }

    // A change made before the watch, while a poll ran, counts when it
    // is within `since`, and only then.
    p.eval("document.body.append(document.createElement('i')); true")
        .await
        .unwrap();
    assert_eq!(p.eval("1").await.unwrap(), 1);
    let woke = tokio::time::timeout(LONG, p.changed_within(LONG, LONG))
        .await
        .expect("the watch ends at once")
        .unwrap();
    assert!(woke, "a change within `since` was missed");
    assert!(!p
        .changed_within(Duration::ZERO, Duration::from_millis(200))
        .await
        .unwrap());
    s.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_navigation_during_a_watch_is_a_change_not_an_error() {
    let url = serve(
        r#"<!doctype html><body><p id="where"></p><script>
        document.getElementById('where').textContent = location.search ? 'next' : 'first';
        </script></body>"#,
    )
    .await;
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let p = s.page();
    p.goto(&url).await.unwrap();
    assert_eq!(p.text("#where").await.unwrap().as_deref(), Some("first"));
    p.eval("setTimeout(() => { location.href = '?next'; }, 300); true")
        .await
        .unwrap();
    let woke = tokio::time::timeout(LONG, p.changed_within(Duration::ZERO, LONG))
        .await
        .expect("the watch ends")
        .unwrap();
    assert!(woke);
    // And the wait that follows finds the new page.
    p.wait_for("#where:text-is(\"next\")", "the next page")
        .await
        .unwrap();
    s.close().await;
    b.close().await;
}

/// How many times a wait that never succeeds polls `page` in one second.
async fn polls_in_a_second(p: &dyn Page) -> u32 {
    let waits = Waits {
        timeout: Duration::from_secs(1),
        every: Duration::from_millis(100),
    };
    let polls = AtomicU32::new(0);
    let e = wait_until_on(p, waits, "nothing", || async {
        polls.fetch_add(1, Ordering::Relaxed);
        p.count("#never").await?;
        Ok(None::<()>)
    })
    .await
    .unwrap_err();
    assert!(e.is_timeout(), "{e}");
    polls.into_inner()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_that_never_stops_changing_does_not_make_a_wait_spin() {
    let url = serve(
        r#"<!doctype html><body><p id="n">0</p><script>
        let n = 0;
        if (location.search) setInterval(() => { document.getElementById('n').textContent = ++n; }, 2);
        </script></body>"#,
    )
    .await;
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let p = s.page();
    p.goto(&url).await.unwrap();
    // A blind wait polls 15 times in a second (at once, after 10, 30, 70,
    // 150 ms, then every 100 ms); a quiet page is polled no more.
    let quiet = polls_in_a_second(p).await;
    assert!(quiet <= 16, "{quiet} polls of a quiet page");
    // A page that changes every 2 ms would wake the wait hundreds of times
    // a second; the floor keeps it near the blind pace.
    p.goto(&format!("{url}?busy")).await.unwrap();
    let busy = polls_in_a_second(p).await;
    assert!(busy <= 25, "{busy} polls of a busy page");
    s.close().await;
    b.close().await;
}
