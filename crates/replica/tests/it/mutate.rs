//! Seeded redesigns (issue #11) and late hydration (issue #12): the same
//! seed gives the same page, seeds differ, a mutated site still works when
//! driven correctly, decoys are recorded, and a hydrating page shows its
//! splash before its UI.

use std::collections::HashSet;
use std::time::Duration;

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::{wait_until, Cookie, Page, Secret, Waits};
use distroflow_replica::{mutation_plan, HackerNews, HnOptions, Mutations};
use regex_lite::Regex;

use crate::client::Client;

/// The first seed whose plan has every one of `ops`.
fn seed_with(ops: &[&str]) -> u64 {
    (0..10_000)
        .find(|&s| {
            let plan = mutation_plan(s, false);
            ops.iter().all(|op| plan.contains(op))
        })
        .expect("some seed picks these mutations")
}

async fn hn() -> (HackerNews, String) {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let cookie = hn.session_cookie("sandbox").unwrap();
    (hn, cookie)
}

#[tokio::test]
async fn the_same_seed_gives_the_same_page_and_seeds_differ() {
    let (hn, cookie) = hn().await;
    let client = Client::with_cookie(&hn.url(), &cookie);
    let plain = client.get("/login").await.body;
    let mut pages = HashSet::new();
    for seed in 0..12 {
        hn.set_mutation(Some(seed));
        let first = client.get("/login").await.body;
        let again = client.get("/login").await.body;
        assert_eq!(first, again, "seed {seed} gives one page");
        assert_ne!(first, plain, "seed {seed} changes the page");
        pages.insert(first);
    }
    assert!(pages.len() >= 10, "seeds give different pages");
    hn.set_mutation(None);
    assert_eq!(client.get("/login").await.body, plain);
    hn.shutdown().await;
}

#[tokio::test]
async fn a_form_with_renamed_fields_still_creates_the_story() {
    let (hn, cookie) = hn().await;
    let client = Client::with_cookie(&hn.url(), &cookie);
    hn.set_mutation(Some(seed_with(&["rename-names"])));
    let page = client.get("/submit").await.body;
    assert!(
        !page.contains("name=\"title\""),
        "the title field is renamed"
    );
    // Driven correctly: the fields as this page names them.
    let attr = |re: &str| {
        Regex::new(re)
            .unwrap()
            .captures(&page)
            .unwrap_or_else(|| panic!("{re} in {page}"))[1]
            .to_owned()
    };
    let title = attr(r#"name="([^"]+)" value="" size="50" maxlength="80""#);
    let url = attr(r#"type="url" name="([^"]+)""#);
    let (fnid_name, fnid) = {
        let c = Regex::new(r#"<input type="hidden" name="([^"]+)" value="([^"]{10,})""#)
            .unwrap()
            .captures(&page)
            .expect("the one-time token");
        (c[1].to_owned(), c[2].to_owned())
    };
    let answer = client
        .post(
            "/r",
            &[
                (fnid_name.as_str(), fnid.as_str()),
                (title.as_str(), "Mutated but working"),
                (url.as_str(), "https://example.com/mutated"),
            ],
        )
        .await;
    assert_eq!(answer.status, 302, "{}", answer.body);
    assert_eq!(answer.location(), Some("newest"));
    let story = &hn.stories()[0];
    assert_eq!(story.title, "Mutated but working");
    assert_eq!(story.url.as_deref(), Some("https://example.com/mutated"));
    hn.shutdown().await;
}

fn cookie(name: &str, value: &str) -> Cookie {
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

async fn browser() -> Browser {
    Browser::launch(BrowserOptions::from_env(None))
        .await
        .expect("Chromium starts")
}

fn waits() -> Waits {
    Waits {
        timeout: Duration::from_secs(10),
        every: Duration::from_millis(50),
    }
}

#[tokio::test]
async fn a_mutated_page_posts_when_driven_in_the_browser_and_decoys_are_recorded() {
    let (hn, value) = hn().await;
    let seed = seed_with(&["swap-buttons", "decoy-destructive", "rename-names"]);
    hn.set_mutation(Some(seed));
    let browser = browser().await;
    let url: url::Url = hn.url().parse().unwrap();
    let session = browser
        .session(&url, &[cookie("user", &value)])
        .await
        .unwrap();
    let page = session.page();
    page.goto(&format!("{}/submit", hn.url())).await.unwrap();
    // The destructive decoy next to the (now div) submit button.
    wait_until(waits(), "the decoy", || async {
        Ok((page.count("[data-df-decoy=destructive]").await? > 0).then_some(()))
    })
    .await
    .unwrap();
    page.click("[data-df-decoy=destructive]").await.unwrap();
    let hits = wait_until(waits(), "the decoy hit", || async {
        let hits = hn.decoy_hits();
        Ok((!hits.is_empty()).then_some(hits))
    })
    .await
    .unwrap();
    assert_eq!(hits[0].kind, "destructive");
    assert!(hits[0].page.starts_with("/submit"));
    assert!(hn.stories().is_empty(), "a decoy posts nothing");
    // Driven correctly (the fields found by what they are, through any
    // shadow root), the redesigned form still posts.
    let filled = page
        .eval(
            r#"(() => {
              const all = [];
              const walk = (root) => root.querySelectorAll('*').forEach((e) => { all.push(e); if (e.shadowRoot) walk(e.shadowRoot); });
              walk(document);
              const title = all.find((e) => e.tagName === 'INPUT' && e.maxLength === 80);
              const url = all.find((e) => e.tagName === 'INPUT' && e.type === 'url');
              title.value = 'Posted through a redesign';
              url.value = 'https://example.com/redesign';
              const submit = all.find((e) => e.matches('[role=button], input[type=submit], button') && !e.closest('[data-df-decoy]') && /^(submit|send|publish)$/i.test((e.value || e.textContent).trim()));
              submit.click();
              return true;
            })()"#,
        )
        .await
        .unwrap();
    assert_eq!(filled, serde_json::json!(true));
    let story = wait_until(waits(), "the story", || async {
        Ok(hn.stories().into_iter().next())
    })
    .await
    .unwrap();
    assert_eq!(story.title, "Posted through a redesign");
    assert_eq!(hn.decoy_hits().len(), 1, "the real button is no decoy");
    session.close().await;
    browser.close().await;
    hn.shutdown().await;
}

#[tokio::test]
async fn a_hydrating_page_shows_its_splash_then_its_ui() {
    let (hn, value) = hn().await;
    hn.set_hydration(Some((2000, 2000)));
    let browser = browser().await;
    let url: url::Url = hn.url().parse().unwrap();
    let session = browser
        .session(&url, &[cookie("user", &value)])
        .await
        .unwrap();
    let page = session.page();
    page.goto(&format!("{}/news", hn.url())).await.unwrap();
    let state = r#"(() => {
        const splash = document.getElementById('df-splash');
        const me = document.getElementById('me');
        return { splash: !!splash && splash.offsetParent !== null || !!splash && getComputedStyle(splash).display !== 'none',
                 ui: !!me && me.getClientRects().length > 0 };
    })()"#;
    let first = page.eval(state).await.unwrap();
    assert_eq!(first, serde_json::json!({ "splash": true, "ui": false }));
    wait_until(waits(), "the UI", || async {
        let now = page.eval(state).await?;
        Ok((now == serde_json::json!({ "splash": false, "ui": true })).then_some(()))
    })
    .await
    .unwrap();
    session.close().await;
    browser.close().await;
    hn.shutdown().await;
}
