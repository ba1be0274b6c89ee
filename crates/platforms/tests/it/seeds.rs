//! The seeds (`expect`) of the built-in selector data: every target has
//! one, and on each replica's original UI the seed alone finds the element
//! the known selectors find. "Alone": a book whose every candidate matches
//! nothing, so `describe` can only answer through the role and similarity
//! tiers. A seed that cannot find its element (listed in [`MISSES`], with
//! the reason) must find nothing rather than another element, and on a
//! logged-out page the logged-in markers' seeds must find nothing at all.
//!
//! Left out (not on a page reached here):
//! - `x.compose.editor_2..9`, `x.home.editor_2..9`: the same seeds as
//!   `editor_1` with another index (each "+" adds one);
//! - `x.compose.thumbnail`, `x.home.thumbnail`, `reddit.new.submit.error`,
//!   `x.interstitial.dismiss`, `x.login.*`, `instagram.login.username`,
//!   `instagram.notice.dismiss`: probes, never repaired by likeness;
//! - `reddit.new.submit.flair_apply` is checked, the rest of the flair
//!   flow (the chosen flair's label) is the adapter tests'.

use std::sync::Arc;

use distroflow_core::{Cookie, Page, PlatformId};
use distroflow_healer::{score, Healer, SelectorBook};

use crate::{browser, cookie};

/// Matches nothing on any page.
const NOWHERE: &str = "#distroflow-seeds-nowhere";

/// Targets whose seed alone cannot find the element on the page checked,
/// and why. The check still runs: a miss must find nothing.
const MISSES: &[(&str, &str)] = &[
    (
        "mastodon.nav.profile",
        "its text is the user's `@name`, which every status's author link also shows: never repaired by likeness (the compose form is the other signed-in marker)",
    ),
    (
        "hackernews.me",
        "its name is the user's and its place the logged-out page's `login` link's: only its `href` prefix is left, too little to tell it from the top bar's other links",
    ),
    (
        "hackernews.login.acct",
        "twin: the create-account form's `acct` field has the same name, type and label",
    ),
    (
        "hackernews.login.pw",
        "twin: the create-account form's `pw` field has the same name, type and label",
    ),
    (
        "reddit.new.app.logged_in",
        "not in the page scan: `shreddit-app` has no role, label or test id",
    ),
    (
        "reddit.new.submit.composer",
        "not in the page scan: `r-post-composer-form` has no role, label or test id",
    ),
    (
        "reddit.new.submit.media_input",
        "hidden (`display: none`): the tiers rank visible elements only",
    ),
    (
        "reddit.old.header.user",
        "its name is the user's and its neighbours the community's: only its `href` prefix `/user/` is stable, too little to tell it from the header's other links",
    ),
    (
        "reddit.old.submit.form",
        "not in the page scan: a `<form>` without a role, label or test id",
    ),
    (
        "instagram.create.file_input",
        "hidden (`display: none`): the tiers rank visible elements only",
    ),
];

fn builtin() -> SelectorBook {
    SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES).expect("the built-in book parses")
}

#[test]
fn every_target_has_a_seed_with_a_tag_or_a_role() {
    let book = builtin();
    let mut missing = Vec::new();
    let mut n = 0;
    for (name, target) in book.targets() {
        n += 1;
        let ok = target.expect.as_ref().is_some_and(|e| {
            e.tag.as_deref().is_some_and(|t| !t.is_empty())
                || e.role.as_deref().is_some_and(|r| !r.is_empty())
        });
        if !ok {
            missing.push(name.clone());
        }
    }
    assert!(n >= 70, "only {n} targets");
    assert!(missing.is_empty(), "targets without a seed: {missing:?}");
}

fn toml_str(s: &str) -> String {
    // A JSON string is a TOML basic string.
    serde_json::Value::String(s.to_string()).to_string()
}

/// The built-in book with every target's candidates replaced by one that
/// matches nothing: what is left to find an element by is its seed.
fn seeds_only() -> SelectorBook {
    let mut out = String::from("format = 1\n");
    for (name, t) in builtin().targets() {
        out.push_str(&format!(
            "\n[targets.{}]\ncandidates = [{}]\n",
            toml_str(name),
            toml_str(NOWHERE)
        ));
        if t.destructive {
            out.push_str("destructive = true\n");
        }
        if t.probe {
            out.push_str("probe = true\n");
        }
        let Some(e) = &t.expect else { continue };
        let mut fields = Vec::new();
        for (k, v) in [
            ("tag", &e.tag),
            ("role", &e.role),
            ("name", &e.name),
            ("text", &e.text),
            ("neighbor_text", &e.neighbor_text),
        ] {
            if let Some(v) = v {
                fields.push(format!("{k} = {}", toml_str(v)));
            }
        }
        if !e.attrs.is_empty() {
            let attrs: Vec<String> = e
                .attrs
                .iter()
                .map(|(k, v)| format!("{} = {}", toml_str(k), toml_str(v)))
                .collect();
            fields.push(format!("attrs = {{ {} }}", attrs.join(", ")));
        }
        out.push_str(&format!("expect = {{ {} }}\n", fields.join(", ")));
    }
    SelectorBook::builtin(&[("seeds", &out)]).expect("the seeds-only book parses")
}

/// Checks targets on whatever page `tab` shows, with both books.
struct Checker {
    known: Arc<Healer>,
    seeds: Arc<Healer>,
    platform: PlatformId,
    found: Vec<String>,
    missed: Vec<String>,
    problems: Vec<String>,
}

impl Checker {
    fn new(platform: PlatformId) -> Checker {
        Checker {
            known: Healer::new(builtin(), None).unwrap(),
            seeds: Healer::new(seeds_only(), None).unwrap(),
            platform,
            found: Vec::new(),
            missed: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// The known selectors' element E, then what the seed alone finds:
    /// E, or (for a listed miss) nothing. Fresh healing pages each time, so
    /// no earlier repair is reused.
    async fn check(&mut self, tab: &dyn Page, target: &str) {
        let sel = format!("@{target}");
        let known = self.known.page(tab, self.platform);
        let e = known.describe(&sel).await.unwrap();
        let present = known.count(&sel).await.unwrap() > 0;
        assert!(
            known.steps().is_empty(),
            "{target}: the built-in book needed a repair: {:?}",
            known.steps()
        );
        let seeded = self.seeds.page(tab, self.platform);
        let got = seeded.describe(&sel).await.unwrap();
        let miss = MISSES.iter().find(|(t, _)| *t == target).map(|m| m.1);
        let here = tab.current_url().await.unwrap_or_default();
        match (&e, miss) {
            (None, _) if !present => self.problems.push(format!(
                "{target}: its known selectors find nothing on {here}"
            )),
            (None, None) => self.problems.push(format!(
                "{target}: present but not visible on {here}, and not listed as a miss"
            )),
            (Some(e), None) => match &got {
                Some(g) if g.selector == e.selector => self.found.push(target.into()),
                Some(g) => self.problems.push(format!(
                    "{target}: the seed found `{}` ({} {:?}), not `{}`",
                    g.selector, g.tag, g.name, e.selector
                )),
                None => {
                    let ranked = self.ranked(tab, target).await;
                    self.problems.push(format!(
                        "{target}: the seed alone found nothing (want `{}` role {:?} name {:?} neighbor {:?}); best by likeness: {ranked}",
                        e.selector, e.role, e.name, e.neighbor_text
                    ))
                }
            },
            (_, Some(why)) => match (&got, &e) {
                (None, _) => self.missed.push(format!("{target} ({why})")),
                (Some(g), Some(e)) if g.selector == e.selector => self.problems.push(format!(
                    "{target}: listed as a miss ({why}) but the seed finds it: update MISSES"
                )),
                (Some(g), _) => self.problems.push(format!(
                    "{target}: the seed found another element `{}` ({} {:?})",
                    g.selector, g.tag, g.name
                )),
            },
        }
        known.finish();
        seeded.finish();
    }

    /// The page's best matches for the target's seed, for a failure message.
    async fn ranked(&self, tab: &dyn Page, target: &str) -> String {
        let Some(fp) = builtin()
            .target(target)
            .and_then(|t| t.expect.as_ref().map(|e| e.as_fingerprint()))
        else {
            return String::new();
        };
        let mut all: Vec<(f64, String)> = tab
            .scan()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|c| c.visible)
            .map(|c| (score(&fp, c), format!("`{}` {:?}", c.selector, c.name)))
            .collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0));
        all.iter()
            .take(3)
            .map(|(s, e)| format!("{s:.3} {e}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Prints what the seeds found (`--no-capture` shows it) and fails on
    /// any problem.
    #[allow(clippy::print_stderr)]
    fn finish(mut self) -> usize {
        let mut seen = std::collections::HashSet::new();
        self.found.retain(|t| seen.insert(t.clone()));
        eprintln!(
            "seeds {}: found {} targets by seed alone: {}\n  missed (listed): {}",
            self.platform.as_str(),
            self.found.len(),
            self.found.join(", "),
            self.missed.join("; ")
        );
        assert!(
            self.problems.is_empty(),
            "{}:\n  {}",
            self.platform.as_str(),
            self.problems.join("\n  ")
        );
        self.found.len()
    }
}

/// On a logged-out page, the seeds of the logged-in markers find nothing
/// (a repair there would make the page look logged in).
async fn logged_out(c: &mut Checker, tab: &dyn Page, markers: &[&str]) {
    let here = tab.current_url().await.unwrap_or_default();
    for m in markers {
        let seeded = c.seeds.page(tab, c.platform);
        if let Some(g) = seeded.describe(&format!("@{m}")).await.unwrap() {
            c.problems.push(format!(
                "{m}: logged out ({here}), the seed found `{}` ({} {:?})",
                g.selector, g.tag, g.name
            ));
        }
        seeded.finish();
    }
}

async fn ready(tab: &dyn Page, checker: &Checker, target: &str) {
    let page = checker.known.page(tab, checker.platform);
    page.wait_for(&format!("@{target}"), target)
        .await
        .unwrap_or_else(|e| panic!("{target}: {e}"));
}

async fn open(
    b: &distroflow_browser::Browser,
    base: &str,
    cookies: &[Cookie],
) -> distroflow_browser::Session {
    b.session(&base.parse().unwrap(), cookies).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn hackernews_seeds_find_what_the_selectors_find() {
    use distroflow_replica::{HackerNews, HnOptions};
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie("user", &hn.session_cookie("sandbox").unwrap())];
    let s = open(&b, &hn.url(), &me).await;
    let tab = s.page();
    let mut c = Checker::new(PlatformId::HackerNews);

    tab.goto(&format!("{}/submit", hn.url())).await.unwrap();
    ready(tab, &c, "hackernews.submit.title").await;
    for t in [
        "hackernews.me",
        "hackernews.submit.title",
        "hackernews.submit.url",
        "hackernews.submit.text",
        "hackernews.submit.button",
    ] {
        c.check(tab, t).await;
    }
    tab.goto(&format!("{}/login", hn.url())).await.unwrap();
    ready(tab, &c, "hackernews.login.button").await;
    for t in [
        "hackernews.login.acct",
        "hackernews.login.pw",
        "hackernews.login.button",
    ] {
        c.check(tab, t).await;
    }
    let out = open(&b, &hn.url(), &[]).await;
    out.page()
        .goto(&format!("{}/news", hn.url()))
        .await
        .unwrap();
    out.page()
        .wait_for("a[href^=\"login\"]", "the login link")
        .await
        .unwrap();
    logged_out(&mut c, out.page(), &["hackernews.me"]).await;
    out.close().await;
    s.close().await;
    b.close().await;
    hn.shutdown().await;
    c.finish();
}

#[tokio::test(flavor = "multi_thread")]
async fn x_seeds_find_what_the_selectors_find() {
    use distroflow_replica::{XOptions, X};
    let x = X::start(XOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie("auth_token", &x.session_cookie("sandbox").unwrap())];
    let s = open(&b, &x.url(), &me).await;
    let tab = s.page();
    let mut c = Checker::new(PlatformId::X);
    let known = c.known.clone();

    // The modal, over a home timeline with its own composer.
    tab.goto(&format!("{}/compose/post", x.url()))
        .await
        .unwrap();
    ready(tab, &c, "x.compose.editor_0").await;
    for t in [
        "x.nav.profile",
        "x.nav.account_switcher",
        "x.compose.editor_0",
        "x.compose.file_input",
    ] {
        c.check(tab, t).await;
    }
    // "+" and "Post" are disabled until the editor has text.
    let page = known.page(tab, PlatformId::X);
    page.type_text("@x.compose.editor_0", "first")
        .await
        .unwrap();
    c.check(tab, "x.compose.add_button").await;
    c.check(tab, "x.compose.post_button").await;
    page.click("@x.compose.add_button").await.unwrap();
    page.wait_for("@x.compose.editor_1", "editor 2")
        .await
        .unwrap();
    c.check(tab, "x.compose.editor_1").await;
    // "Post all", enabled once every post has text; the twin's "Post"
    // under the modal stays disabled.
    page.type_text("@x.compose.editor_1", "second")
        .await
        .unwrap();
    c.check(tab, "x.compose.post_button").await;

    // The inline composer of /home.
    tab.goto(&format!("{}/home", x.url())).await.unwrap();
    ready(tab, &c, "x.home.editor_0").await;
    for t in ["x.home.editor_0", "x.home.file_input"] {
        c.check(tab, t).await;
    }
    let page = known.page(tab, PlatformId::X);
    page.type_text("@x.home.editor_0", "first").await.unwrap();
    c.check(tab, "x.home.add_button").await;
    c.check(tab, "x.home.post_button").await;
    page.click("@x.home.add_button").await.unwrap();
    page.wait_for("@x.home.editor_1", "editor 2").await.unwrap();
    // Two editors now; the button says "Post all" once both have text.
    page.type_text("@x.home.editor_1", "second").await.unwrap();
    for t in ["x.home.editor_0", "x.home.editor_1", "x.home.post_button"] {
        c.check(tab, t).await;
    }
    let out = open(&b, &x.url(), &[]).await;
    out.page().goto(&format!("{}/home", x.url())).await.unwrap();
    out.page()
        .wait_for("[data-testid=\"loginButton\"]", "the Sign in link")
        .await
        .unwrap();
    logged_out(
        &mut c,
        out.page(),
        &["x.nav.profile", "x.nav.account_switcher"],
    )
    .await;
    out.close().await;
    s.close().await;
    b.close().await;
    x.shutdown().await;
    c.finish();
}

#[tokio::test(flavor = "multi_thread")]
async fn reddit_seeds_find_what_the_selectors_find() {
    use distroflow_replica::{Reddit, RedditOptions};
    let reddit = Reddit::start(RedditOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie(
        "reddit_session",
        &reddit.session_cookie("sandbox").unwrap(),
    )];
    let s = open(&b, &reddit.url(), &me).await;
    let tab = s.page();
    let mut c = Checker::new(PlatformId::Reddit);
    let known = c.known.clone();
    let base = reddit.url();

    // New Reddit: the text composer of a community with required flair.
    tab.goto(&format!("{base}/r/flairtest/submit/?type=TEXT"))
        .await
        .unwrap();
    ready(tab, &c, "reddit.new.submit.title").await;
    for t in [
        "reddit.new.app.logged_in",
        "reddit.new.submit.composer",
        "reddit.new.submit.title",
        "reddit.new.submit.body",
        "reddit.new.submit.flair_button",
    ] {
        c.check(tab, t).await;
    }
    // The flair modal: "Add" is enabled once a flair is chosen.
    let page = known.page(tab, PlatformId::Reddit);
    page.click("@reddit.new.submit.flair_button").await.unwrap();
    page.click("r-post-flairs-modal >>> input[name=\"flairId\"]")
        .await
        .unwrap();
    c.check(tab, "reddit.new.submit.flair_apply").await;
    page.click("@reddit.new.submit.flair_apply").await.unwrap();
    // "Post" is enabled once there is a title.
    page.type_text("@reddit.new.submit.title", "A title")
        .await
        .unwrap();
    c.check(tab, "reddit.new.submit.button").await;

    tab.goto(&format!("{base}/r/rust/submit/?type=LINK"))
        .await
        .unwrap();
    ready(tab, &c, "reddit.new.submit.link").await;
    c.check(tab, "reddit.new.submit.link").await;
    tab.goto(&format!("{base}/r/rust/submit/?type=IMAGE"))
        .await
        .unwrap();
    ready(tab, &c, "reddit.new.submit.media_input").await;
    c.check(tab, "reddit.new.submit.media_input").await;

    // Old Reddit: the link tab, the text tab, a community with flair.
    tab.goto(&format!("{base}/r/rust/submit")).await.unwrap();
    ready(tab, &c, "reddit.old.submit.form").await;
    for t in [
        "reddit.old.header.user",
        "reddit.old.submit.form",
        "reddit.old.submit.link_tab",
        "reddit.old.submit.text_tab",
        "reddit.old.submit.title",
        "reddit.old.submit.url",
        "reddit.old.submit.subreddit",
        "reddit.old.submit.button",
    ] {
        c.check(tab, t).await;
    }
    tab.goto(&format!("{base}/r/rust/submit?selftext=true"))
        .await
        .unwrap();
    ready(tab, &c, "reddit.old.submit.form").await;
    c.check(tab, "reddit.old.submit.text").await;
    tab.goto(&format!("{base}/r/flairtest/submit"))
        .await
        .unwrap();
    ready(tab, &c, "reddit.old.submit.form").await;
    c.check(tab, "reddit.old.submit.flair_open").await;
    let out = open(&b, &base, &[]).await;
    out.page()
        .goto(&format!("{base}/r/rust/submit/?type=TEXT"))
        .await
        .unwrap();
    logged_out(&mut c, out.page(), &["reddit.new.app.logged_in"]).await;
    out.page()
        .goto(&format!("{base}/r/rust/submit"))
        .await
        .unwrap();
    logged_out(&mut c, out.page(), &["reddit.old.header.user"]).await;
    out.close().await;
    s.close().await;
    b.close().await;
    reddit.shutdown().await;
    c.finish();
}

#[tokio::test(flavor = "multi_thread")]
async fn instagram_seeds_find_what_the_selectors_find() {
    use distroflow_replica::{Instagram, InstagramOptions};
    let ig = Instagram::start(InstagramOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie("sessionid", &ig.session_cookie("sandbox").unwrap())];
    let s = open(&b, &ig.url(), &me).await;
    let tab = s.page();
    let mut c = Checker::new(PlatformId::Instagram);
    let known = c.known.clone();

    tab.goto(&format!("{}/", ig.url())).await.unwrap();
    ready(tab, &c, "instagram.nav.new_post").await;
    for t in [
        "instagram.nav.new_post",
        "instagram.nav.home",
        "instagram.nav.create",
        "instagram.nav.profile",
    ] {
        c.check(tab, t).await;
    }
    // Create > Post > the dialog's steps.
    let page = known.page(tab, PlatformId::Instagram);
    page.click("@instagram.nav.create").await.unwrap();
    page.wait_for("@instagram.nav.create_post", "the Post item")
        .await
        .unwrap();
    c.check(tab, "instagram.nav.create_post").await;
    page.click("@instagram.nav.create_post").await.unwrap();
    page.wait_for("@instagram.create.file_input", "the file input")
        .await
        .unwrap();
    c.check(tab, "instagram.create.file_input").await;
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("seed.png");
    std::fs::write(&png, crate::reddit::TINY_PNG).unwrap();
    page.set_files("@instagram.create.file_input", &[png])
        .await
        .unwrap();
    page.wait_for("@instagram.create.next", "Next (crop)")
        .await
        .unwrap();
    c.check(tab, "instagram.create.next").await;
    page.click("@instagram.create.next").await.unwrap();
    page.wait_for("div[role=\"dialog\"] [role=\"tab\"]", "the edit step")
        .await
        .unwrap();
    c.check(tab, "instagram.create.next").await;
    page.click("@instagram.create.next").await.unwrap();
    page.wait_for("@instagram.create.caption", "the caption step")
        .await
        .unwrap();
    c.check(tab, "instagram.create.caption").await;
    c.check(tab, "instagram.create.share").await;
    let out = open(&b, &ig.url(), &[]).await;
    out.page().goto(&format!("{}/", ig.url())).await.unwrap();
    out.page()
        .wait_for("input[name=\"username\"]", "the login form")
        .await
        .unwrap();
    logged_out(
        &mut c,
        out.page(),
        &[
            "instagram.nav.new_post",
            "instagram.nav.home",
            "instagram.nav.profile",
        ],
    )
    .await;
    out.close().await;
    s.close().await;
    b.close().await;
    ig.shutdown().await;
    c.finish();
}

#[tokio::test(flavor = "multi_thread")]
async fn bluesky_seeds_find_what_the_selectors_find() {
    use distroflow_replica::{Bluesky, BlueskyOptions};
    let r = Bluesky::start(BlueskyOptions::default()).await.unwrap();
    let b = browser().await;
    let s = open(&b, &r.url(), &[]).await;
    let tab = s.page();
    let base: url::Url = r.url().parse().unwrap();
    let items = vec![distroflow_core::StorageItem {
        name: "BSKY_STORAGE".into(),
        value: distroflow_core::Secret::new(r.storage_value("sandbox").unwrap()),
    }];
    tab.seed_local_storage(&distroflow_core::CookieScope::site(&base).origin(), &items)
        .await
        .unwrap();
    let mut c = Checker::new(PlatformId::Bluesky);
    tab.goto(&format!("{}/intent/compose", r.url()))
        .await
        .unwrap();
    ready(tab, &c, "bluesky.compose.editor_0").await;
    // With text, Publish and "add another post" are enabled and shown.
    tab.type_text("[data-testid=\"composePostView\"] .ProseMirror", "seeds")
        .await
        .unwrap();
    for t in [
        "bluesky.nav.profile",
        "bluesky.compose.editor_0",
        "bluesky.compose.publish",
        "bluesky.compose.media",
        "bluesky.compose.add_post",
    ] {
        c.check(tab, t).await;
    }
    let out = open(&b, &r.url(), &[]).await;
    out.page().goto(&r.url()).await.unwrap();
    out.page()
        .wait_for("[data-testid=\"signInButton\"]", "the splash")
        .await
        .unwrap();
    c.check(out.page(), "bluesky.splash.sign_in").await;
    logged_out(&mut c, out.page(), &["bluesky.nav.profile"]).await;
    out.page()
        .click("[data-testid=\"signInButton\"]")
        .await
        .unwrap();
    ready(out.page(), &c, "bluesky.login.username").await;
    for t in [
        "bluesky.login.username",
        "bluesky.login.password",
        "bluesky.login.next",
    ] {
        c.check(out.page(), t).await;
    }
    out.close().await;
    s.close().await;
    b.close().await;
    r.shutdown().await;
    c.finish();
}

#[tokio::test(flavor = "multi_thread")]
async fn mastodon_seeds_find_what_the_selectors_find() {
    use distroflow_replica::{Mastodon, MastodonOptions};
    let r = Mastodon::start(MastodonOptions::default()).await.unwrap();
    let id = r.add_status("sandbox", "seeded").unwrap();
    let b = browser().await;
    let me = [cookie(
        "_mastodon_session",
        &r.session_cookie("sandbox").unwrap(),
    )];
    let s = open(&b, &r.url(), &me).await;
    let tab = s.page();
    let mut c = Checker::new(PlatformId::Mastodon);
    tab.goto(&format!("{}/@sandbox/{id}", r.url()))
        .await
        .unwrap();
    ready(tab, &c, "mastodon.status.reply").await;
    // With text, Post is enabled.
    tab.type_text("form.compose-form textarea", "seeds")
        .await
        .unwrap();
    for t in [
        "mastodon.nav.profile",
        "mastodon.compose.textarea",
        "mastodon.compose.submit",
        "mastodon.status.reply",
    ] {
        c.check(tab, t).await;
    }
    let out = open(&b, &r.url(), &[]).await;
    out.page()
        .goto(&format!("{}/auth/sign_in", r.url()))
        .await
        .unwrap();
    ready(out.page(), &c, "mastodon.login.button").await;
    for t in [
        "mastodon.login.email",
        "mastodon.login.password",
        "mastodon.login.button",
    ] {
        c.check(out.page(), t).await;
    }
    logged_out(
        &mut c,
        out.page(),
        &["mastodon.nav.profile", "mastodon.compose.textarea"],
    )
    .await;
    out.close().await;
    s.close().await;
    b.close().await;
    r.shutdown().await;
    c.finish();
}
