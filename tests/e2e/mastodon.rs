//! Mastodon end to end: one instance (DISTROFLOW_MASTODON_URL), signed in
//! through Devise's form, its own character limit read from
//! /api/v2/instance before anything is posted, threads as reply chains.

use distroflow_replica::{Mastodon, MastodonOptions};

use crate::harness::User;

async fn instance(max: usize) -> (Mastodon, User) {
    let m = Mastodon::start(MastodonOptions {
        max_characters: max,
        ..MastodonOptions::default()
    })
    .await
    .unwrap();
    let mut u = User::new();
    u.set("DISTROFLOW_MASTODON_URL", &m.url());
    let out = u
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
    assert_eq!(out.code, 0, "{out:?}");
    (m, u)
}

#[tokio::test(flavor = "multi_thread")]
async fn posts_text_a_reply_chain_and_media() {
    let (m, u) = instance(500).await;
    let text = "Hello fediverse 🐘 #rustlang @friend@example.social\n\nhttps://example.com/path";
    let out = u.run(&["post", "--to", "mastodon", "--json", text]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let s = m.statuses();
    assert_eq!(s[0].text, text, "hashtags and mentions kept");
    assert_eq!(
        out.json()[0]["url"],
        format!("{}/@sandbox/{}", m.url(), s[0].id)
    );

    let long = "Mastodon threads are reply chains. ".repeat(20);
    let out = u
        .run(&["post", "--to", "mastodon", "--split", "--json", long.trim()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let s = m.statuses();
    let thread = &s[1..];
    assert!(thread.len() >= 2, "{thread:?}");
    for pair in thread.windows(2) {
        assert_eq!(pair[1].in_reply_to.as_deref(), Some(pair[0].id.as_str()));
    }

    let out = u
        .run(&[
            "post",
            "--to",
            "mastodon",
            "--media",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
            "With a picture",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let last = m.statuses().pop().unwrap();
    assert_eq!(
        (last.text.as_str(), last.media.len()),
        ("With a picture", 1)
    );
    assert!(u.leftover_browsers().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_limit_is_the_instances() {
    // An instance that takes 1000: 700 characters go as one post.
    let (m, u) = instance(1000).await;
    let text = "x".repeat(700);
    let out = u.run(&["check", "--to", "mastodon", "--json", &text]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.json()[0]["limit"], 1000, "{out:?}");
    let out = u.run(&["post", "--to", "mastodon", &text]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(m.statuses()[0].text, text);
    // One that takes 100: refused before a browser starts. URLs count 23.
    m.set_max_characters(100);
    let over = format!("{} https://example.com/{}", "y".repeat(80), "p".repeat(60));
    let out = u.run(&["post", "--to", "mastodon", &over]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("104") && out.stderr.contains("100"),
        "{out:?}"
    );
    let fits = format!("{} https://example.com/{}", "y".repeat(70), "p".repeat(60));
    let out = u.run(&["post", "--to", "mastodon", &fits]).await;
    assert_eq!(out.code, 0, "{out:?}");
    // A wrong password says so.
    let out = u
        .run_with_stdin(
            &[
                "login",
                "mastodon",
                "--username",
                "sandbox@example.com",
                "--password-stdin",
            ],
            Some("wrong"),
        )
        .await;
    assert_ne!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("Invalid E-mail address or password"),
        "{out:?}"
    );
}
