//! `distroflow replies`: the replies to your own posts, listed and triaged
//! through the local fake model (`FakeTriageModel`), and `replies eval`.

use distroflow_core::{PlatformId, Post, Reply};
use distroflow_replica::FakeTriageModel;
use distroflow_store::{NewAttempt, Outcome, Store};

use crate::harness::User;

/// Records a posted Hacker News story in the user's history, and `texts`
/// as its stored replies (the second one nested under the first).
fn seed(u: &User, post_url: &str, texts: &[&str]) {
    let store = Store::open(u.home().join(Store::FILE_NAME)).unwrap();
    let now = jiff::Timestamp::now();
    let post = Post::new("Show HN: DistroFlow").with_title("Show HN: DistroFlow");
    let new = NewAttempt::for_post(PlatformId::HackerNews, "me", &post).unwrap();
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
