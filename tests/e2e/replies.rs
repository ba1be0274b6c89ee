//! `distroflow replies`: the replies to your own posts, listed and triaged
//! through the local fake model (`FakeTriageModel`), and `replies eval`.

use distroflow_core::{PlatformId, Post, Reply};
use distroflow_replica::{FakeTriageModel, Mutations};
use distroflow_store::{NewAttempt, Outcome, Store};

use crate::harness::User;

/// Records a posted Hacker News story at `post_url` in the user's history.
fn seed_post(u: &User, post_url: &str) -> Store {
    seed_post_on(u, PlatformId::HackerNews, post_url)
}

/// Records a post of the user's on `platform` at `post_url` in history.
fn seed_post_on(u: &User, platform: PlatformId, post_url: &str) -> Store {
    let store = Store::open(u.home().join(Store::FILE_NAME)).unwrap();
    let now = jiff::Timestamp::now();
    let post = Post::new("Show HN: DistroFlow").with_title("Show HN: DistroFlow");
    let new = NewAttempt::for_post(platform, "me", &post).unwrap();
    let id = store.begin_attempt(&new, now).unwrap();
    store
        .finish_attempt(
            id,
            &Outcome::Posted {
                url: post_url.into(),
                id: None,
            },
            now,
        )
        .unwrap();
    store
}

/// Records a posted Hacker News story in the user's history, and `texts`
/// as its stored replies (the second one nested under the first).
fn seed(u: &User, post_url: &str, texts: &[&str]) {
    let store = seed_post(u, post_url);
    let now = jiff::Timestamp::now();
    let replies: Vec<Reply> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| Reply {
            id: format!("{}", 100 + i),
            platform: PlatformId::HackerNews,
            post_url: post_url.into(),
            author: format!("user{i}"),
            text: t.to_string(),
            at: Some(format!("2026-12-01T10:{:02}:00Z", i)),
            url: format!("{post_url}#{}", 100 + i),
            parent: (i == 1).then(|| "100".to_string()),
        })
        .collect();
    store.save_replies(&replies, now).unwrap();
}

const TEXTS: [&str; 4] = [
    "How do I run it on a Raspberry Pi?",
    "The upload crashes with an error on two images",
    "Love it, thanks!",
    "Get 10k followers fast, DM me",
];

#[tokio::test(flavor = "multi_thread")]
async fn without_a_model_replies_are_listed_with_a_hint_and_nothing_fails() {
    let u = User::new();
    seed(&u, "http://127.0.0.1:9/item?id=1", &TEXTS);
    let out = u.run(&["replies", "--offline", "--triage"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("no model configured"), "{out:?}");
    assert!(out.stderr.contains("DISTROFLOW_AI_BASE_URL"), "{out:?}");
    for t in TEXTS {
        assert!(out.stdout.contains(t), "{t}: {out:?}");
    }
    // Grouped under the post, newest reply first, the nested one marked.
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("hackernews "), "{out:?}");
    assert!(lines[0].contains("item?id=1"), "{out:?}");
    assert!(lines[1].contains("followers"), "newest first: {out:?}");
    assert!(
        out.stdout.contains("↳ The upload crashes"),
        "nested: {out:?}"
    );
    assert!(
        out.stdout
            .trim_end()
            .ends_with("4 replies (0 new), 0 model calls, $0"),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn triage_scores_once_then_from_the_cache_and_filters_by_priority() {
    let fake = FakeTriageModel::start().await.unwrap();
    let mut u = User::new();
    u.set("DISTROFLOW_AI_BASE_URL", &fake.url());
    u.set("DISTROFLOW_AI_MODEL", "gpt-4o-mini");
    seed(&u, "http://127.0.0.1:9/item?id=1", &TEXTS);

    let out = u.run(&["replies", "--offline", "--triage"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    println!("{}", out.stdout);
    let last = out.stdout.trim_end().lines().last().unwrap();
    assert!(
        last.starts_with("4 replies (0 new), 1 model calls, $0.0000"),
        "{out:?}"
    );
    assert!(out.stdout.contains("! p3 bug"), "{out:?}");
    assert!(out.stdout.contains("  p0 spam"), "{out:?}");
    assert_eq!(fake.requests().len(), 1);

    let out = u
        .run(&["replies", "--offline", "--json", "--min-priority", "2"])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    let replies: Vec<_> = rows.iter().filter(|r| r["type"] == "reply").collect();
    assert_eq!(replies.len(), 2, "{out:?}");
    assert!(replies.iter().all(|r| r["priority"].as_u64().unwrap() >= 2));
    assert_eq!(replies[0]["label"], "bug");
    assert_eq!(replies[0]["parent"], "100");
    assert_eq!(replies[0]["platform"], "hackernews");
    let summary = rows.iter().find(|r| r["type"] == "summary").unwrap();
    assert_eq!(summary["model_calls"], 0, "all from the cache: {out:?}");
    assert_eq!(summary["from_cache"], 4);
    assert_eq!(summary["cost_usd"], 0.0);
    assert_eq!(fake.requests().len(), 1, "no second call");
}

#[tokio::test(flavor = "multi_thread")]
async fn eval_compares_models_and_recommends_the_cheapest_good_enough() {
    let fake = FakeTriageModel::start().await.unwrap();
    let mut u = User::new();
    u.set("DISTROFLOW_AI_BASE_URL", &fake.url());
    let out = u
        .run(&[
            "replies",
            "eval",
            "--models",
            "gpt-4o,gpt-4.1-nano,gpt-4o-mini",
            "--batching",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("recommended: gpt-4o-mini"), "{out:?}");
    assert!(
        out.stdout.contains("one call per reply 100 calls"),
        "{out:?}"
    );
    assert!(out.stdout.contains("50x fewer calls"), "{out:?}");
    assert!(
        out.stdout
            .contains("1 calls with the cache, 3 without: 67% saved"),
        "{out:?}"
    );
    println!("{}", out.stdout);

    let none = User::new().run(&["replies", "eval"]).await;
    assert_eq!(none.code, 2, "{none:?}");
    assert!(none.stderr.contains("DISTROFLOW_AI_BASE_URL"), "{none:?}");
}

/// Hacker News: every comment, nested ones and the second page's, is
/// collected once; a second run finds nothing new; a deleted comment is
/// left out (its reply kept, with it as parent); a later comment is new.
#[tokio::test(flavor = "multi_thread")]
async fn hacker_news_replies_are_collected_with_nesting_and_pages_exactly_once() {
    use std::time::Duration;
    let hn = distroflow_replica::HackerNews::start(Default::default())
        .await
        .unwrap();
    hn.set_comment_threads_per_page(2);
    // Every page renders late, as the real sites' apps mount late.
    hn.set_hydration(Some((200, 800)));
    let story = hn.add_story(
        "sandbox",
        "Show HN: DistroFlow",
        Some("https://example.com"),
        None,
    );
    let min = |m: u64| Duration::from_secs(60 * m);
    let a = hn
        .add_comment(story, None, "alice", "How does it handle 2FA?", min(50))
        .unwrap();
    let a1 = hn
        .add_comment(
            story,
            Some(a),
            "sandbox",
            "It uses your saved session.",
            min(40),
        )
        .unwrap();
    let a11 = hn
        .add_comment(story, Some(a1), "alice", "Thanks, makes sense", min(30))
        .unwrap();
    let gone = hn
        .add_comment(story, None, "troll", "spam spam", min(45))
        .unwrap();
    let under_gone = hn
        .add_comment(story, Some(gone), "bob", "Reported.", min(44))
        .unwrap();
    hn.delete_comment(gone);
    // The third thread is on the second page.
    let c = hn
        .add_comment(story, None, "carol", "The upload crashes for me", min(20))
        .unwrap();
    let c1 = hn
        .add_comment(
            story,
            Some(c),
            "dave",
            "Same here on Firefox cookies",
            min(10),
        )
        .unwrap();

    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &hn.url());
    let post_url = format!("{}/item?id={story}", hn.url());
    drop(seed_post(&u, &post_url));

    let out = u.run(&["replies", "--to", "hn", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    let replies: Vec<_> = rows.iter().filter(|r| r["type"] == "reply").collect();
    let mut got: Vec<(String, Option<String>)> = replies
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["parent"].as_str().map(String::from),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, Option<String>)> = vec![
        (a.to_string(), None),
        (a1.to_string(), Some(a.to_string())),
        (a11.to_string(), Some(a1.to_string())),
        (under_gone.to_string(), Some(gone.to_string())),
        (c.to_string(), None),
        (c1.to_string(), Some(c.to_string())),
    ];
    want.sort();
    assert_eq!(got, want, "{out:?}");
    let crash = replies
        .iter()
        .find(|r| r["id"] == c.to_string().as_str())
        .unwrap();
    assert_eq!(crash["author"], "carol");
    assert_eq!(crash["text"], "The upload crashes for me");
    assert_eq!(crash["post_url"], post_url.as_str());
    assert!(crash["at"].as_str().unwrap().ends_with('Z'), "{crash}");
    assert_eq!(crash["url"], format!("{}/item?id={c}", hn.url()).as_str());
    let summary = rows.iter().find(|r| r["type"] == "summary").unwrap();
    assert_eq!(
        (summary["replies"].as_u64(), summary["new"].as_u64()),
        (Some(6), Some(6))
    );

    // Again: nothing new, nothing twice.
    let out = u.run(&["replies", "--to", "hn"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .trim_end()
            .ends_with("6 replies (0 new), 0 model calls, $0"),
        "{out:?}"
    );
    // A later reply is the one new one.
    hn.add_comment(story, Some(c1), "erin", "Fixed in 0.2?", min(1))
        .unwrap();
    let out = u.run(&["replies", "--to", "hn"]).await;
    assert!(
        out.stdout
            .trim_end()
            .ends_with("7 replies (1 new), 0 model calls, $0"),
        "{out:?}"
    );
    assert!(out.stdout.contains("↳ Fixed in 0.2?"), "{out:?}");
    assert!(u.leftover_browsers().is_empty());
}

/// Reddit: nested comments and those behind "View more comments" are
/// collected once; a deleted comment is left out; a second run finds
/// nothing new; a post that cannot be read is a warning, not a failure.
#[tokio::test(flavor = "multi_thread")]
async fn reddit_replies_are_collected_with_nesting_and_load_more_exactly_once() {
    use std::time::Duration;
    let reddit = distroflow_replica::Reddit::start(Default::default())
        .await
        .unwrap();
    reddit.set_comment_threads_per_page(2);
    reddit.set_hydration(Some((200, 800)));
    let permalink = reddit.add_post(
        "rust",
        "sandbox",
        "DistroFlow 0.1",
        "Cross-posting, self-hosted.",
    );
    let post = permalink.split('/').nth(4).unwrap().to_string();
    let min = |m: u64| Duration::from_secs(60 * m);
    let a = reddit
        .add_comment(&post, None, "alice", "Does it do flair?", min(50))
        .unwrap();
    let a1 = reddit
        .add_comment(&post, Some(&a), "sandbox", "Yes, with --flair.", min(40))
        .unwrap();
    let gone = reddit
        .add_comment(&post, None, "spammer", "buy followers", min(45))
        .unwrap();
    let under = reddit
        .add_comment(&post, Some(&gone), "bob", "Reported", min(44))
        .unwrap();
    reddit.delete_comment(&gone);
    // Behind "View more comments" (twice).
    let c = reddit
        .add_comment(&post, None, "carol", "Crashes on image posts", min(20))
        .unwrap();
    let c1 = reddit
        .add_comment(&post, Some(&c), "dave", "Same", min(10))
        .unwrap();
    let d = reddit
        .add_comment(&post, None, "erin", "Nice work", min(9))
        .unwrap();
    let f = reddit
        .add_comment(&post, None, "frank", "Bookmarked", min(8))
        .unwrap();

    let mut u = User::new();
    u.set("DISTROFLOW_REDDIT_URL", &reddit.url());
    let post_url = format!("{}{permalink}", reddit.url());
    drop(seed_post_on(&u, PlatformId::Reddit, &post_url));
    // A post that is not on the configured site is never visited: a
    // warning, and the others are still read.
    drop(seed_post_on(
        &u,
        PlatformId::Instagram,
        "http://127.0.0.1:9/p/abc/",
    ));

    let out = u.run(&["replies", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr
            .contains("http://127.0.0.1:9/p/abc/ is not on Instagram as configured"),
        "{out:?}"
    );
    let rows = out.json();
    let mut got: Vec<(String, Option<String>)> = rows
        .iter()
        .filter(|r| r["type"] == "reply")
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["parent"].as_str().map(String::from),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        (a.clone(), None),
        (a1.clone(), Some(a.clone())),
        (under.clone(), Some(gone.clone())),
        (c.clone(), None),
        (c1.clone(), Some(c.clone())),
        (d.clone(), None),
        (f.clone(), None),
    ];
    want.sort();
    assert_eq!(got, want, "{out:?}");
    let crash = rows.iter().find(|r| r["id"] == c.as_str()).unwrap();
    assert_eq!(crash["text"], "Crashes on image posts");
    assert_eq!(crash["author"], "carol");
    assert_eq!(crash["platform"], "reddit");
    assert_eq!(
        crash["url"],
        format!("{}/r/rust/comments/{post}/comment/{c}/", reddit.url()).as_str()
    );

    let out = u.run(&["replies", "--to", "reddit"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .trim_end()
            .ends_with("7 replies (0 new), 0 model calls, $0"),
        "{out:?}"
    );
    assert!(u.leftover_browsers().is_empty());
}

/// X: the replies below the post (and behind "Show more replies"), and the
/// replies to those replies from their own pages, collected once.
#[tokio::test(flavor = "multi_thread")]
async fn x_replies_are_collected_with_their_replies_and_more_exactly_once() {
    let x = distroflow_replica::X::start(Default::default())
        .await
        .unwrap();
    x.set_replies_per_page(2);
    x.set_hydration(Some((200, 800)));
    let post = x.add_post("sandbox", "DistroFlow 0.1 is out");
    let a = x.add_reply("alice", "Does it do threads?", &post).unwrap();
    let a1 = x.add_reply("sandbox", "Yes, with --split", &a).unwrap();
    let a11 = x.add_reply("alice", "Nice, thanks", &a1).unwrap();
    let b = x.add_reply("bob", "The upload crashes", &post).unwrap();
    let c = x.add_reply("carol", "Love it", &post).unwrap();
    let d = x.add_reply("dave", "Bookmarked", &post).unwrap();
    // Someone else's conversation is not read.
    let other = x.add_post("erin", "unrelated");
    x.add_reply("frank", "not yours", &other).unwrap();

    let mut u = User::new();
    u.set("DISTROFLOW_X_URL", &x.url());
    let post_url = format!("{}/sandbox/status/{post}", x.url());
    drop(seed_post_on(&u, PlatformId::X, &post_url));

    let out = u.run(&["replies", "--to", "x", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    let mut got: Vec<(String, Option<String>)> = rows
        .iter()
        .filter(|r| r["type"] == "reply")
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["parent"].as_str().map(String::from),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        (a.clone(), None),
        (a1.clone(), Some(a.clone())),
        (a11.clone(), Some(a1.clone())),
        (b.clone(), None),
        (c.clone(), None),
        (d.clone(), None),
    ];
    want.sort();
    assert_eq!(got, want, "{out:?}");
    let crash = rows.iter().find(|r| r["id"] == b.as_str()).unwrap();
    assert_eq!(crash["author"], "bob");
    assert_eq!(crash["text"], "The upload crashes");
    assert_eq!(crash["url"], format!("{}/bob/status/{b}", x.url()).as_str());

    let out = u.run(&["replies", "--to", "x"]).await;
    assert!(
        out.stdout
            .trim_end()
            .ends_with("6 replies (0 new), 0 model calls, $0"),
        "{out:?}"
    );
    assert!(u.leftover_browsers().is_empty());
}

/// Instagram: the comments behind "Load more comments" and the replies
/// behind "View replies" are collected once; a deleted comment is not shown.
#[tokio::test(flavor = "multi_thread")]
async fn instagram_replies_are_collected_with_replies_and_more_exactly_once() {
    use std::time::Duration;
    let ig = distroflow_replica::Instagram::start(Default::default())
        .await
        .unwrap();
    ig.set_comments_per_page(2);
    ig.set_hydration(Some((200, 800)));
    let code = ig.add_post("sandbox", "DistroFlow 0.1");
    let min = |m: u64| Duration::from_secs(60 * m);
    let a = ig
        .add_comment(&code, None, "alice", "Which app is this?", min(50))
        .unwrap();
    let a1 = ig
        .add_comment(&code, Some(&a), "sandbox", "@alice DistroFlow", min(40))
        .unwrap();
    let a2 = ig
        .add_comment(&code, Some(&a1), "alice", "@sandbox thanks", min(30))
        .unwrap();
    let gone = ig
        .add_comment(&code, None, "spam", "free followers", min(45))
        .unwrap();
    ig.delete_comment(&gone);
    let b = ig
        .add_comment(&code, None, "bob", "Love the colours", min(20))
        .unwrap();
    let c = ig
        .add_comment(&code, None, "carol", "Upload failed for me", min(10))
        .unwrap();
    let c1 = ig
        .add_comment(&code, Some(&c), "dave", "same", min(5))
        .unwrap();

    let mut u = User::new();
    u.set("DISTROFLOW_INSTAGRAM_URL", &ig.url());
    let post_url = format!("{}/p/{code}/", ig.url());
    drop(seed_post_on(&u, PlatformId::Instagram, &post_url));

    let out = u.run(&["replies", "--to", "instagram", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    let mut got: Vec<(String, Option<String>)> = rows
        .iter()
        .filter(|r| r["type"] == "reply")
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["parent"].as_str().map(String::from),
            )
        })
        .collect();
    got.sort();
    // A reply to a reply hangs under the top-level comment, as on Instagram.
    let mut want = vec![
        (a.clone(), None),
        (a1.clone(), Some(a.clone())),
        (a2.clone(), Some(a.clone())),
        (b.clone(), None),
        (c.clone(), None),
        (c1.clone(), Some(c.clone())),
    ];
    want.sort();
    assert_eq!(got, want, "{out:?}");
    let fail = rows.iter().find(|r| r["id"] == c.as_str()).unwrap();
    assert_eq!(fail["author"], "carol");
    assert_eq!(fail["text"], "Upload failed for me");
    assert_eq!(
        fail["url"],
        format!("{}/p/{code}/c/{c}/", ig.url()).as_str()
    );

    let out = u.run(&["replies", "--to", "instagram"]).await;
    assert!(
        out.stdout
            .trim_end()
            .ends_with("6 replies (0 new), 0 model calls, $0"),
        "{out:?}"
    );
    assert!(u.leftover_browsers().is_empty());
}

/// The `(id, parent)` pairs of a `replies --json` run's replies, sorted.
fn reply_pairs(rows: &[serde_json::Value]) -> Vec<(String, Option<String>)> {
    let mut got: Vec<(String, Option<String>)> = rows
        .iter()
        .filter(|r| r["type"] == "reply")
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["parent"].as_str().map(String::from),
            )
        })
        .collect();
    got.sort();
    got
}

/// Bluesky: the replies on the thread screen, nested ones and those behind
/// "Show more replies", are collected once; a deleted reply is left out
/// (its reply kept); the session (kept in the app's storage, its refresh
/// token rotating) is saved back, so a second run after the access token
/// expired still reads them; a later reply is new.
#[tokio::test(flavor = "multi_thread")]
async fn bluesky_replies_are_collected_with_nesting_and_more_exactly_once() {
    let bsky = distroflow_replica::Bluesky::start(Default::default())
        .await
        .unwrap();
    bsky.set_replies_per_page(2);
    let post = bsky.add_post("sandbox", "DistroFlow 0.1 is out").unwrap();
    let a = bsky
        .add_reply(&post, "alice", "Does it work with custom domains?")
        .unwrap();
    let a1 = bsky.add_reply(&a, "sandbox", "@alice yes").unwrap();
    let a2 = bsky.add_reply(&a1, "alice", "great, thanks").unwrap();
    let gone = bsky.add_reply(&post, "spam", "free followers").unwrap();
    let under_gone = bsky.add_reply(&gone, "bob", "reported").unwrap();
    assert!(bsky.delete_post(&gone));
    let c = bsky
        .add_reply(&post, "carol", "The upload failed for me")
        .unwrap();
    let c1 = bsky.add_reply(&c, "dave", "same here").unwrap();

    let mut u = User::new();
    u.set("DISTROFLOW_BLUESKY_URL", &bsky.url());
    let state = u.file("state.json", &bsky.storage_state("sandbox").unwrap());
    let login = u
        .run(&["login", "bluesky", "--cookies", state.to_str().unwrap()])
        .await;
    assert_eq!(login.code, 0, "{login:?}");
    let post_url = format!("{}/profile/sandbox.bsky.social/post/{post}", bsky.url());
    drop(seed_post_on(&u, PlatformId::Bluesky, &post_url));

    let out = u.run(&["replies", "--to", "bluesky", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    let mut want = vec![
        (a.clone(), None),
        (a1.clone(), Some(a.clone())),
        (a2.clone(), Some(a1.clone())),
        (under_gone.clone(), None),
        (c.clone(), None),
        (c1.clone(), Some(c.clone())),
    ];
    want.sort();
    assert_eq!(reply_pairs(&rows), want, "{out:?}");
    let fail = rows.iter().find(|r| r["id"] == c.as_str()).unwrap();
    assert_eq!(fail["author"], "carol.bsky.social");
    assert_eq!(fail["text"], "The upload failed for me");
    assert_eq!(
        fail["url"],
        format!("{}/profile/carol.bsky.social/post/{c}", bsky.url()).as_str()
    );

    bsky.expire_access_tokens();
    let late = bsky
        .add_reply(&post, "erin", "Any plans for video?")
        .unwrap();
    let out = u.run(&["replies", "--to", "bluesky", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    assert_eq!(reply_pairs(&rows).len(), 7, "{out:?}");
    let summary = rows.iter().find(|r| r["type"] == "summary").unwrap();
    assert_eq!(summary["new"], 1, "only the later reply is new: {out:?}");
    assert!(rows.iter().any(|r| r["id"] == late.as_str()));
    assert!(u.leftover_browsers().is_empty());
}

/// Mastodon: the replies on the status page, nested ones (their parent
/// from the thread's context) and those behind "Load more", are collected
/// once; a deleted reply is left out, its reply kept with it as parent; a
/// later reply is new.
#[tokio::test(flavor = "multi_thread")]
async fn mastodon_replies_are_collected_with_nesting_and_more_exactly_once() {
    let m = distroflow_replica::Mastodon::start(Default::default())
        .await
        .unwrap();
    m.set_replies_per_page(2);
    let post = m.add_status("sandbox", "DistroFlow 0.1 is out").unwrap();
    let a = m
        .add_reply(&post, "alice", "Does it work with my instance?")
        .unwrap();
    let a1 = m.add_reply(&a, "sandbox", "@alice yes").unwrap();
    let a2 = m.add_reply(&a1, "alice", "great, thanks").unwrap();
    let gone = m.add_reply(&post, "spam", "free followers").unwrap();
    let under_gone = m.add_reply(&gone, "bob", "reported").unwrap();
    assert!(m.delete_status(&gone));
    let c = m
        .add_reply(&post, "carol", "The upload failed for me")
        .unwrap();
    let c1 = m.add_reply(&c, "dave", "same here").unwrap();

    let mut u = User::new();
    u.set("DISTROFLOW_MASTODON_URL", &m.url());
    let login = u
        .run_with_stdin(
            &[
                "login",
                "mastodon",
                "--username",
                "sandbox@example.com",
                "--password-stdin",
            ],
            Some("sandbox"),
        )
        .await;
    assert_eq!(login.code, 0, "{login:?}");
    let post_url = format!("{}/@sandbox/{post}", m.url());
    drop(seed_post_on(&u, PlatformId::Mastodon, &post_url));

    let out = u.run(&["replies", "--to", "mastodon", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    let mut want = vec![
        (a.clone(), None),
        (a1.clone(), Some(a.clone())),
        (a2.clone(), Some(a1.clone())),
        (under_gone.clone(), Some(gone.clone())),
        (c.clone(), None),
        (c1.clone(), Some(c.clone())),
    ];
    want.sort();
    assert_eq!(reply_pairs(&rows), want, "{out:?}");
    let fail = rows.iter().find(|r| r["id"] == c.as_str()).unwrap();
    assert_eq!(fail["author"], "carol");
    assert_eq!(fail["text"], "The upload failed for me");
    assert_eq!(fail["url"], format!("{}/@carol/{c}", m.url()).as_str());
    assert!(fail["at"].as_str().is_some_and(|t| t.ends_with('Z')));

    let late = m.add_reply(&c1, "erin", "and here").unwrap();
    let out = u.run(&["replies", "--to", "mastodon", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    assert_eq!(reply_pairs(&rows).len(), 7, "{out:?}");
    let summary = rows.iter().find(|r| r["type"] == "summary").unwrap();
    assert_eq!(summary["new"], 1, "only the later reply is new: {out:?}");
    let late_row = rows.iter().find(|r| r["id"] == late.as_str()).unwrap();
    assert_eq!(late_row["parent"], c1.as_str());
    assert!(u.leftover_browsers().is_empty());
}

/// LinkedIn: the comments behind "Load more comments" and their replies
/// are collected once (a reply to a reply hangs under the top-level
/// comment, as on LinkedIn); a deleted comment is left out, its reply kept
/// with it as parent; a later comment is new.
#[tokio::test(flavor = "multi_thread")]
async fn linkedin_replies_are_collected_with_nesting_and_more_exactly_once() {
    let li = distroflow_replica::LinkedIn::start(Default::default())
        .await
        .unwrap();
    li.set_comments_per_page(2);
    let post = li.add_post("sandbox", "DistroFlow 0.1 is out").unwrap();
    let a = li
        .add_comment(&post, None, "alice", "Does it post to company pages?")
        .unwrap();
    let a1 = li
        .add_comment(&post, Some(&a), "sandbox", "Not yet")
        .unwrap();
    let a2 = li
        .add_comment(&post, Some(&a1), "alice", "ok, thanks")
        .unwrap();
    let gone = li
        .add_comment(&post, None, "spam", "free followers")
        .unwrap();
    let under_gone = li
        .add_comment(&post, Some(&gone), "bob", "reported")
        .unwrap();
    assert!(li.delete_comment(&gone));
    let c = li
        .add_comment(&post, None, "carol", "The upload failed for me")
        .unwrap();
    let c1 = li.add_comment(&post, Some(&c), "dave", "same").unwrap();

    let mut u = User::new();
    u.set("DISTROFLOW_LINKEDIN_URL", &li.url());
    let f = u.cookie_file("li.json", "li_at", &li.session_cookie("sandbox").unwrap());
    let login = u
        .run(&["login", "linkedin", "--cookies", f.to_str().unwrap()])
        .await;
    assert_eq!(login.code, 0, "{login:?}");
    let post_url = format!("{}/feed/update/{post}/", li.url());
    drop(seed_post_on(&u, PlatformId::LinkedIn, &post_url));

    let out = u.run(&["replies", "--to", "linkedin", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    let mut want = vec![
        (a.clone(), None),
        (a1.clone(), Some(a.clone())),
        (a2.clone(), Some(a.clone())),
        (under_gone.clone(), Some(gone.clone())),
        (c.clone(), None),
        (c1.clone(), Some(c.clone())),
    ];
    want.sort();
    assert_eq!(reply_pairs(&rows), want, "{out:?}");
    let fail = rows.iter().find(|r| r["id"] == c.as_str()).unwrap();
    assert_eq!(fail["author"], "carol");
    assert_eq!(fail["text"], "The upload failed for me");
    assert!(
        fail["url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{post_url}?commentUrn=urn%3Ali%3Acomment%3A")),
        "{out:?}"
    );

    // A new comment through the site's own endpoint (the member's session
    // and its csrf-token), as the web app makes one.
    let li_at = li.session_cookie("sandbox").unwrap();
    let http = reqwest::Client::new();
    let made = http
        .post(format!("{}/voyager/api/feed/comments", li.url()))
        .header("cookie", format!("li_at={li_at}; JSESSIONID=\"ajax:1\""))
        .header("csrf-token", "ajax:1")
        .json(&serde_json::json!({"threadUrn": post, "parentComment": c1, "text": "Any plans for video?"}))
        .send()
        .await
        .unwrap();
    assert_eq!(made.status(), 201);
    let late = made.json::<serde_json::Value>().await.unwrap()["value"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = u.run(&["replies", "--to", "linkedin", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let rows = out.json();
    assert_eq!(reply_pairs(&rows).len(), 7, "{out:?}");
    let summary = rows.iter().find(|r| r["type"] == "summary").unwrap();
    assert_eq!(summary["new"], 1, "only the later comment is new: {out:?}");
    let late_row = rows.iter().find(|r| r["id"] == late.as_str()).unwrap();
    assert_eq!(
        late_row["parent"],
        c.as_str(),
        "under the top-level comment"
    );
    assert_eq!(late_row["author"], "sandbox");
    assert!(u.leftover_browsers().is_empty());
}

/// Without a saved session the site shows its sign-in page: the replies
/// of that platform are not read, with a warning that says to log in, and
/// the command still succeeds.
#[tokio::test(flavor = "multi_thread")]
async fn a_platform_without_a_session_is_a_warning_that_says_to_log_in() {
    let bsky = distroflow_replica::Bluesky::start(Default::default())
        .await
        .unwrap();
    let post = bsky.add_post("sandbox", "DistroFlow 0.1 is out").unwrap();
    bsky.add_reply(&post, "alice", "Does it work?").unwrap();
    let mut u = User::new();
    u.set("DISTROFLOW_BLUESKY_URL", &bsky.url());
    let post_url = format!("{}/profile/sandbox.bsky.social/post/{post}", bsky.url());
    drop(seed_post_on(&u, PlatformId::Bluesky, &post_url));
    let out = u.run(&["replies", "--to", "bluesky"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("not logged in to Bluesky")
            && out.stderr.contains("distroflow login bluesky"),
        "{out:?}"
    );
    assert!(out.stdout.contains("0 replies"), "{out:?}");
}
