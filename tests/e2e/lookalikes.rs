//! The adapters against look-alike sites written apart from DistroFlow
//! (tests/lookalikes: from platforms.md only, by an author who had not seen
//! our adapters or replicas), reached through the DISTROFLOW_<PLATFORM>_URL
//! overrides as a user would.

use std::process::Stdio;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::harness::User;

const SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/lookalikes/lookalike.py"
);

/// One look-alike site in a python3 process (killed when dropped).
struct Site {
    _child: tokio::process::Child,
    url: String,
    cookie: (String, String),
}

/// Look-alikes of Bluesky and Mastodon (tests/lookalikes/newsites.py),
/// written from shared/docs/field-notes.md §1 alone.
const NEW_SITES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/lookalikes/newsites.py"
);

impl Site {
    async fn start(site: &str) -> Site {
        let script = if matches!(site, "bluesky" | "mastodon" | "linkedin") {
            NEW_SITES
        } else {
            SCRIPT
        };
        let mut child = tokio::process::Command::new("python3")
            .args([script, site, "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs the look-alike sites (scripts/test installs it)");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        tokio::time::timeout(
            std::time::Duration::from_secs(20),
            BufReader::new(stdout).read_line(&mut line),
        )
        .await
        .expect("the look-alike starts")
        .unwrap();
        let v: Value = serde_json::from_str(&line).expect("its startup line");
        // A session in a cookie, or (Bluesky) in localStorage.
        let session = if v["storage"].is_object() {
            &v["storage"]
        } else {
            &v["cookie"]
        };
        Site {
            _child: child,
            url: v["url"].as_str().unwrap().to_string(),
            cookie: (
                session["name"].as_str().unwrap().to_string(),
                session["value"].as_str().unwrap().to_string(),
            ),
        }
    }

    /// What was posted, from the site's own record.
    async fn posts(&self) -> Vec<Value> {
        let url = format!("{}/__lookalike/posts", self.url.trim_end_matches('/'));
        let body = crate::harness::http_get(&url).await;
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
    }

    /// Logs `u` in with the site's session cookie, as `login --cookies`.
    async fn log_in(&self, u: &User, platform: &str) {
        let file = u.cookie_file(
            &format!("{platform}-cookies.json"),
            &self.cookie.0,
            &self.cookie.1,
        );
        let out = u
            .run(&["login", platform, "--cookies", file.to_str().unwrap()])
            .await;
        assert_eq!(out.code, 0, "{out:?}");
        assert!(out.stderr.contains("logged in as alice"), "{out:?}");
    }
}

fn png(u: &User) -> String {
    let p = u.dir.path().join("pic.png");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
        &p,
    )
    .unwrap();
    p.display().to_string()
}

const TEXT: &str = "One command 🚀 一次发四处\n\nA second paragraph, #rustlang.";

#[tokio::test(flavor = "multi_thread")]
async fn all_four_look_alikes_at_once() {
    let (hn, x, reddit, ig) = tokio::join!(
        Site::start("hackernews"),
        Site::start("x"),
        Site::start("reddit"),
        Site::start("instagram")
    );
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &hn.url);
    u.set("DISTROFLOW_X_URL", &x.url);
    u.set("DISTROFLOW_REDDIT_URL", &reddit.url);
    u.set("DISTROFLOW_INSTAGRAM_URL", &ig.url);
    for (site, p) in [
        (&hn, "hackernews"),
        (&x, "x"),
        (&reddit, "reddit"),
        (&ig, "instagram"),
    ] {
        site.log_in(&u, p).await;
    }
    let pic = png(&u);
    let out = u
        .run(&[
            "post",
            "--to",
            "hackernews,x,reddit,instagram",
            "--subreddit",
            "rust",
            "--title",
            "Look-alikes 🚀",
            "--media",
            &pic,
            "--json",
            TEXT,
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    assert_eq!(rows.len(), 4, "{out:?}");
    for (site, platform) in [
        (&hn, "hackernews"),
        (&x, "x"),
        (&reddit, "reddit"),
        (&ig, "instagram"),
    ] {
        let posts = site.posts().await;
        assert_eq!(posts.len(), 1, "{platform}: {posts:?}");
        let row = rows.iter().find(|r| r["platform"] == platform).unwrap();
        assert_eq!(row["url"], posts[0]["public_url"], "{platform}: {row}");
        let hashtag_free = TEXT.replace("#rustlang", "rustlang");
        let want = if matches!(platform, "hackernews" | "reddit") {
            hashtag_free.as_str()
        } else {
            TEXT
        };
        assert_eq!(posts[0]["text"], want, "{platform}");
    }
    assert_eq!(hn.posts().await[0]["title"], "Look-alikes 🚀");
    assert_eq!(reddit.posts().await[0]["title"], "Look-alikes 🚀");
    assert_eq!(reddit.posts().await[0]["subreddit"], "rust");
    assert_eq!(reddit.posts().await[0]["media"][0]["name"], "pic.png");
    assert_eq!(x.posts().await[0]["media"].as_array().unwrap().len(), 1);
    assert_eq!(ig.posts().await[0]["media"][0]["name"], "pic.png");
    assert!(u.leftover_browsers().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_x_thread_with_two_images_and_every_post_url() {
    let x = Site::start("x").await;
    let mut u = User::new();
    u.set("DISTROFLOW_X_URL", &x.url);
    x.log_in(&u, "x").await;
    let pic = png(&u);
    let long: Vec<String> = (0..90).map(|i| format!("word{i}")).collect();
    let text = long.join(" ");
    let out = u
        .run(&[
            "post", "--to", "x", "--split", "--media", &pic, "--media", &pic, "--json", &text,
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let row = &out.json()[0];
    let posts = x.posts().await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    let parts = posts[0]["thread"].as_array().unwrap();
    assert_eq!(parts.len(), 3);
    let joined: Vec<&str> = parts.iter().map(|p| p.as_str().unwrap()).collect();
    assert_eq!(joined.join(" "), text);
    assert_eq!(posts[0]["media"].as_array().unwrap().len(), 2);
    let ids = posts[0]["thread_ids"].as_array().unwrap();
    let urls = row["thread_urls"].as_array().unwrap();
    assert_eq!(urls.len(), 3, "{row}");
    for (url, id) in urls.iter().zip(ids) {
        assert!(
            url.as_str().unwrap().ends_with(id.as_str().unwrap()),
            "{row}"
        );
    }
    // The same text again: X's own refusal, reported as such.
    let again = u.run(&["post", "--to", "x", "--force", "Short one"]).await;
    assert_eq!(again.code, 0, "{again:?}");
    let dup = u.run(&["post", "--to", "x", "--force", "Short one"]).await;
    assert_eq!(dup.code, 1, "{dup:?}");
    assert!(dup.stdout.contains("You already said that"), "{dup:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn reddit_flair_image_and_old_reddit() {
    let reddit = Site::start("reddit").await;
    let mut u = User::new();
    u.set("DISTROFLOW_REDDIT_URL", &reddit.url);
    reddit.log_in(&u, "reddit").await;
    let no_flair = u
        .run(&[
            "post",
            "--to",
            "reddit",
            "--subreddit",
            "flairtest",
            "--title",
            "T",
            "Body",
        ])
        .await;
    assert_eq!(no_flair.code, 1, "{no_flair:?}");
    assert!(
        no_flair
            .stdout
            .contains("available: Discussion, News, Show; use --flair NAME"),
        "{no_flair:?}"
    );
    assert!(reddit.posts().await.is_empty());
    let pic = png(&u);
    let out = u
        .run(&[
            "post",
            "--to",
            "reddit",
            "--subreddit",
            "flairtest",
            "--flair",
            "news",
            "--title",
            "With flair",
            "--media",
            &pic,
            "Caption\n\nsecond",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let posts = reddit.posts().await;
    assert_eq!(posts[0]["flair"], "News");
    assert_eq!(posts[0]["title"], "With flair");
    assert_eq!(posts[0]["kind"], "image");
    assert_eq!(posts[0]["text"], "Caption\n\nsecond");

    let old = Site::start("reddit-old").await;
    let mut u = User::new();
    u.set("DISTROFLOW_REDDIT_URL", &old.url);
    std::fs::create_dir_all(u.home()).unwrap();
    std::fs::write(
        u.home().join("config.toml"),
        "[platforms.reddit]\nui = \"old\"\n",
    )
    .unwrap();
    old.log_in(&u, "reddit").await;
    let refused = u
        .run(&[
            "post",
            "--to",
            "reddit",
            "--subreddit",
            "flairtest",
            "--title",
            "T",
            "b",
        ])
        .await;
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.stdout.contains("requires a flair"), "{refused:?}");
    let out = u
        .run(&[
            "post",
            "--to",
            "reddit",
            "--subreddit",
            "flairtest",
            "--flair",
            "Show",
            "--title",
            "Old 🚀",
            "Body 中文\n\npara",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let posts = old.posts().await;
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0]["flair"], "Show");
    assert_eq!(posts[0]["text"], "Body 中文\n\npara");
}

#[tokio::test(flavor = "multi_thread")]
async fn hacker_news_password_login_and_a_duplicate_link() {
    let hn = Site::start("hackernews").await;
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &hn.url);
    let bad = u
        .run_with_stdin(
            &["login", "hn", "--username", "alice", "--password-stdin"],
            Some("wrong\n"),
        )
        .await;
    assert_eq!(bad.code, 1, "{bad:?}");
    assert!(bad.stderr.contains("Bad login"), "{bad:?}");
    let good = u
        .run_with_stdin(
            &["login", "hn", "--username", "alice", "--password-stdin"],
            Some("wonderland\n"),
        )
        .await;
    assert_eq!(good.code, 0, "{good:?}");
    let args = [
        "post",
        "--to",
        "hn",
        "--title",
        "A link",
        "--url",
        "https://example.com/la",
        "--json",
    ];
    let first = u.run(&args).await;
    assert_eq!(first.code, 0, "{first:?}");
    let again = u.run(&[&args[..], &["--force"]].concat()).await;
    assert_eq!(again.code, 1, "{again:?}");
    assert_eq!(again.json()[0]["status"], "duplicate", "{again:?}");
    assert_eq!(again.json()[0]["url"], first.json()[0]["url"], "{again:?}");
    assert_eq!(hn.posts().await.len(), 1);
}

/// Bluesky's look-alike keeps its session in localStorage: imported as a
/// Playwright storage state. Text, a native thread and an image.
#[tokio::test(flavor = "multi_thread")]
async fn bluesky_look_alike_text_thread_and_image() {
    let site = Site::start("bluesky").await;
    let mut u = User::new();
    u.set("DISTROFLOW_BLUESKY_URL", &site.url);
    let origin = site.url.trim_end_matches('/').to_string();
    let state = serde_json::json!({
        "cookies": [],
        "origins": [{"origin": origin, "localStorage": [{"name": site.cookie.0, "value": site.cookie.1}]}],
    });
    let f = u.file("bsky-state.json", &state.to_string());
    let out = u
        .run(&["login", "bluesky", "--cookies", f.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("logged in as alice.test"), "{out:?}");

    let pic = png(&u);
    let out = u
        .run(&["post", "--to", "bluesky", "--media", &pic, "--json", TEXT])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let posts = site.posts().await;
    assert_eq!(posts[0]["text"], TEXT);
    assert_eq!(posts[0]["media"].as_array().unwrap().len(), 1);
    assert_eq!(out.json()[0]["url"], posts[0]["public_url"], "{out:?}");

    let long = "A thread on a look-alike. ".repeat(16);
    let out = u
        .run(&["post", "--to", "bsky", "--split", "--json", long.trim()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let posts = site.posts().await;
    assert!(posts.len() >= 3, "{posts:?}");
    assert_eq!(posts[2]["reply_to"], posts[1]["id"]);
}

/// Mastodon's look-alike: Devise's form, the compose form's classes, a
/// reply button in a timeline-style action bar.
#[tokio::test(flavor = "multi_thread")]
async fn mastodon_look_alike_sign_in_text_and_reply_chain() {
    let site = Site::start("mastodon").await;
    let mut u = User::new();
    u.set("DISTROFLOW_MASTODON_URL", &site.url);
    let out = u
        .run_with_stdin(
            &[
                "login",
                "mastodon",
                "--username",
                "alice@example.com",
                "--password-stdin",
            ],
            Some("wonderland"),
        )
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let pic = png(&u);
    let out = u
        .run(&["post", "--to", "mastodon", "--media", &pic, "--json", TEXT])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let posts = site.posts().await;
    assert_eq!(posts[0]["text"], TEXT);
    assert_eq!(posts[0]["media"][0]["name"], "pic.png");
    assert_eq!(out.json()[0]["url"], posts[0]["public_url"], "{out:?}");

    let long = "Replies make the thread. ".repeat(30);
    let out = u
        .run(&["post", "--to", "mastodon", "--split", "--json", long.trim()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let posts = site.posts().await;
    assert!(posts.len() >= 3, "{posts:?}");
    assert_eq!(posts[2]["reply_to"], posts[1]["id"]);
}

/// LinkedIn's look-alike: the SDUI share box only, from the notes.
#[tokio::test(flavor = "multi_thread")]
async fn linkedin_look_alike_sdui_share_box() {
    let site = Site::start("linkedin").await;
    let mut u = User::new();
    u.set("DISTROFLOW_LINKEDIN_URL", &site.url);
    site.log_in(&u, "linkedin").await;
    let out = u.run(&["post", "--to", "linkedin", "--json", TEXT]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let posts = site.posts().await;
    assert_eq!(posts[0]["text"], TEXT);
    assert_eq!(out.json()[0]["url"], posts[0]["public_url"], "{out:?}");
}
