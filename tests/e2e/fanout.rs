//! One command, every platform: all four replicas at once; a hung one times
//! out alone while the others post.

use distroflow_replica::{
    Bluesky, BlueskyOptions, HackerNews, HnOptions, Instagram, InstagramOptions, LinkedIn,
    LinkedInOptions, Mastodon, MastodonOptions, Reddit, RedditOptions, XOptions, X,
};

use crate::harness::User;

pub(crate) struct Sites {
    pub(crate) hn: HackerNews,
    pub(crate) x: X,
    pub(crate) reddit: Reddit,
    pub(crate) ig: Instagram,
    pub(crate) bsky: Bluesky,
    pub(crate) masto: Mastodon,
    pub(crate) li: LinkedIn,
}

/// Every replica, and a user logged in to each (with cookies; Bluesky with
/// a Playwright storage state, its session being in localStorage).
pub(crate) async fn four_sites() -> (Sites, User) {
    let (sites, u, _) = four_sites_with(|_| {}).await;
    (sites, u)
}

/// All four replicas, set up by `prepare` before the user logs in to each
/// (`login --cookies`, checked on the site); with each login's output.
pub(crate) async fn four_sites_with(
    prepare: impl FnOnce(&Sites),
) -> (Sites, User, Vec<crate::harness::Output>) {
    let hn = HackerNews::start(HnOptions::default()).await.unwrap();
    let x = X::start(XOptions::default()).await.unwrap();
    let reddit = Reddit::start(RedditOptions::default()).await.unwrap();
    let ig = Instagram::start(InstagramOptions::default()).await.unwrap();
    let bsky = Bluesky::start(BlueskyOptions::default()).await.unwrap();
    let masto = Mastodon::start(MastodonOptions::default()).await.unwrap();
    let li = LinkedIn::start(LinkedInOptions::default()).await.unwrap();
    let sites = Sites {
        hn,
        x,
        reddit,
        ig,
        bsky,
        masto,
        li,
    };
    prepare(&sites);
    let Sites {
        hn,
        x,
        reddit,
        ig,
        bsky,
        masto,
        li,
    } = sites;
    let mut u = User::new();
    let mut logins = Vec::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &hn.url());
    u.set("DISTROFLOW_X_URL", &x.url());
    u.set("DISTROFLOW_REDDIT_URL", &reddit.url());
    u.set("DISTROFLOW_INSTAGRAM_URL", &ig.url());
    u.set("DISTROFLOW_BLUESKY_URL", &bsky.url());
    u.set("DISTROFLOW_MASTODON_URL", &masto.url());
    u.set("DISTROFLOW_LINKEDIN_URL", &li.url());
    let state = u.file("bsky-state.json", &bsky.storage_state("sandbox").unwrap());
    let out = u
        .run(&["login", "bluesky", "--cookies", state.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 0, "bluesky: {out:?}");
    logins.push(out);
    for (p, cookie, value) in [
        ("hn", "user", hn.session_cookie("sandbox").unwrap()),
        ("x", "auth_token", x.session_cookie("sandbox").unwrap()),
        (
            "reddit",
            "reddit_session",
            reddit.session_cookie("sandbox").unwrap(),
        ),
        (
            "instagram",
            "sessionid",
            ig.session_cookie("sandbox").unwrap(),
        ),
        (
            "mastodon",
            "_mastodon_session",
            masto.session_cookie("sandbox").unwrap(),
        ),
        ("linkedin", "li_at", li.session_cookie("sandbox").unwrap()),
    ] {
        let f = u.cookie_file(&format!("{p}.json"), cookie, &value);
        let out = u.run(&["login", p, "--cookies", f.to_str().unwrap()]).await;
        assert_eq!(out.code, 0, "{p}: {out:?}");
        logins.push(out);
    }
    (
        Sites {
            hn,
            x,
            reddit,
            ig,
            bsky,
            masto,
            li,
        },
        u,
        logins,
    )
}

/// Headless runs use Chromium's headless shell when it is installed; the
/// full browser (what runs when it is not) posts to all four as well.
#[tokio::test(flavor = "multi_thread")]
async fn the_full_chromium_posts_to_all_four_too() {
    let (
        Sites {
            hn,
            x,
            reddit,
            ig,
            bsky,
            masto,
            li,
        },
        mut u,
    ) = four_sites().await;
    let full = distroflow_browser::chrome_path(None);
    assert!(full.exists(), "no full Chromium at {}", full.display());
    u.set("DISTROFLOW_CHROME", full.to_str().unwrap());
    let text = "Full browser 🚀\n\n二段目";
    let out = u
        .run(&[
            "post",
            "--to",
            "all",
            "--subreddit",
            "rustlang",
            "--title",
            "Full",
            "--media",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
            "--json",
            text,
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(x.posts()[0].text, text);
    assert_eq!(reddit.posts()[0].title, "Full");
    assert_eq!(hn.stories()[0].text.as_deref(), Some(text));
    assert_eq!(ig.posts()[0].caption, text);
    assert_eq!(bsky.posts()[0].text, text);
    assert_eq!(masto.statuses()[0].text, text);
    assert_eq!(li.posts()[0].text, text);
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn all_four_at_once_and_a_hung_one_times_out_alone() {
    let (
        Sites {
            hn,
            x,
            reddit,
            ig,
            bsky,
            masto,
            li,
        },
        u,
    ) = four_sites().await;
    let png = u.dir.path().join("p.png");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
        &png,
    )
    .unwrap();
    let text = "All at once 🚀 — 一次发四处\n\nSecond paragraph.";
    let out = u
        .run(&[
            "post",
            "--to",
            "all",
            "--subreddit",
            "rustlang",
            "--title",
            "Fan-out",
            "--media",
            png.to_str().unwrap(),
            "--json",
            text,
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    assert_eq!(rows.len(), 7, "{out:?}");
    for r in &rows {
        assert_eq!(r["ok"], true, "{r}");
        assert!(
            r["url"].as_str().unwrap().starts_with("http://127.0.0.1:"),
            "{r}"
        );
    }
    assert_eq!(x.posts()[0].text, text);
    assert_eq!(x.posts()[0].media.len(), 1);
    assert_eq!(reddit.posts()[0].title, "Fan-out");
    assert_eq!(reddit.posts()[0].subreddit, "rustlang");
    assert_eq!(hn.stories()[0].text.as_deref(), Some(text));
    assert_eq!(ig.posts()[0].caption, text);
    assert_eq!(bsky.posts()[0].text, text);
    assert_eq!(bsky.posts()[0].media.len(), 1);
    assert_eq!(masto.statuses()[0].text, text);
    assert_eq!(masto.statuses()[0].media.len(), 1);
    assert_eq!(li.posts()[0].text, text);
    assert_eq!(li.posts()[0].media, 1);

    // Reddit stops answering: the others post, Reddit times out alone.
    reddit.set_hang(true);
    std::fs::write(
        u.home().join("config.toml"),
        "[browser]\njob_timeout_secs = 8\nmax_concurrency = 3\n",
    )
    .unwrap();
    let text2 = "Second round";
    let out = u
        .run(&[
            "post",
            "--to",
            "x,reddit,hn",
            "--subreddit",
            "rustlang",
            "--title",
            "Round two",
            "--json",
            text2,
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    let rows = out.json();
    let by = |p: &str| rows.iter().find(|r| r["platform"] == p).unwrap().clone();
    assert_eq!(by("x")["ok"], true, "{out:?}");
    assert_eq!(by("hackernews")["ok"], true, "{out:?}");
    assert_eq!(by("reddit")["error"]["kind"], "timeout", "{out:?}");
    assert!(by("reddit")["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Reddit"));
    assert_eq!(x.posts().last().unwrap().text, text2);
    assert_eq!(hn.stories()[0].title, "Round two");
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );
    reddit.set_hang(false);
}
