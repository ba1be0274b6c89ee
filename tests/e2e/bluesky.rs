//! Bluesky end to end: a session that lives in localStorage (imported
//! from a Playwright storage state, or made by the web form), restored
//! before the app boots and saved back after every run, as the replica
//! rotates its refresh token on use and refuses a spent one.

use distroflow_replica::{Bluesky, BlueskyOptions};

use crate::harness::{mode, User};

async fn bluesky_user() -> (Bluesky, User) {
    let bsky = Bluesky::start(BlueskyOptions::default()).await.unwrap();
    let mut u = User::new();
    u.set("DISTROFLOW_BLUESKY_URL", &bsky.url());
    (bsky, u)
}

/// The refresh token saved in the user's Bluesky auth file.
fn saved_refresh_token(u: &User) -> String {
    let path = u.home().join("auth/bluesky.json");
    assert_eq!(mode(&path), 0o600, "{}", path.display());
    let file: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let value = file["origins"][0]["localStorage"][0]["value"]
        .as_str()
        .expect("a saved BSKY_STORAGE");
    let storage: serde_json::Value = serde_json::from_str(value).unwrap();
    storage["session"]["accounts"][0]["refreshJwt"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn posts_text_a_thread_and_media_across_token_rotations() {
    let (bsky, u) = bluesky_user().await;
    let state = u.file("state.json", &bsky.storage_state("sandbox").unwrap());
    let out = u
        .run(&["login", "bsky", "--cookies", state.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("logged in as sandbox.bsky.social"),
        "{out:?}"
    );
    let mut token = saved_refresh_token(&u);

    // Every run starts with an expired access token: the app refreshes,
    // the refresh token rotates, and the new one must be the one saved.
    let text =
        "Hello Bluesky 🦋 #rustlang\n\nhttps://example.com/a/rather/long/path/that/is/shortened";
    bsky.expire_access_tokens();
    let out = u.run(&["post", "--to", "bluesky", "--json", text]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(bsky.posts()[0].text, text);
    let row = &out.json()[0];
    assert_eq!(
        row["url"],
        format!(
            "{}/profile/sandbox.bsky.social/post/{}",
            bsky.url(),
            bsky.posts()[0].rkey
        )
    );
    let rotated = saved_refresh_token(&u);
    assert_ne!(rotated, token, "the rotated session was saved back");
    token = rotated;
    assert!(!out.stderr.contains(&token) && !out.stdout.contains(&token));

    // A thread (--split): the second run works only with the saved token.
    bsky.expire_access_tokens();
    let long = "Bluesky threads are native. ".repeat(16);
    let out = u
        .run(&["post", "--to", "bluesky", "--split", "--json", long.trim()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let posts = bsky.posts();
    let thread: Vec<_> = posts[1..].to_vec();
    assert!(thread.len() >= 2, "{thread:?}");
    for pair in thread.windows(2) {
        assert_eq!(pair[1].reply_to.as_deref(), Some(pair[0].rkey.as_str()));
    }
    assert_eq!(
        out.json()[0]["thread_urls"].as_array().map(Vec::len),
        Some(thread.len()),
        "{out:?}"
    );
    assert_ne!(saved_refresh_token(&u), token);

    // Media, through the file chooser the media button opens.
    bsky.expire_access_tokens();
    let out = u
        .run(&[
            "post",
            "--to",
            "bsky",
            "--media",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
            "A picture",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let last = bsky.posts().pop().unwrap();
    assert_eq!(last.text, "A picture");
    assert_eq!(last.media.len(), 1);
    assert!(bsky.refreshes() >= 3, "{}", bsky.refreshes());
    assert!(u.leftover_browsers().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_spent_session_is_an_auth_error_that_says_to_log_in() {
    let (bsky, u) = bluesky_user().await;
    let state = u.file("state.json", &bsky.storage_state("sandbox").unwrap());
    let login = ["login", "bluesky", "--cookies", state.to_str().unwrap()];
    assert_eq!(u.run(&login).await.code, 0);
    bsky.expire_access_tokens();
    let out = u.run(&["post", "--to", "bluesky", "first"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    // The old export again: its refresh token was spent by the run above.
    let mut stale = login.to_vec();
    stale.push("--no-check");
    assert_eq!(u.run(&stale).await.code, 0);
    bsky.expire_access_tokens();
    let out = u
        .run(&["post", "--to", "bluesky", "--json", "second"])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    let e = &out.json()[0]["error"];
    assert_eq!(e["kind"], "auth", "{out:?}");
    assert!(
        e["hint"].as_str().unwrap().contains("login bluesky"),
        "{out:?}"
    );
    assert_eq!(bsky.posts().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn password_login_through_the_web_form_then_post() {
    let (bsky, u) = bluesky_user().await;
    let out = u
        .run_with_stdin(
            &[
                "login",
                "bluesky",
                "--username",
                "sandbox.bsky.social",
                "--password-stdin",
            ],
            Some("wrong"),
        )
        .await;
    assert_ne!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("Incorrect"), "{out:?}");
    let out = u
        .run_with_stdin(
            &[
                "login",
                "bluesky",
                "--username",
                "sandbox.bsky.social",
                "--password-stdin",
            ],
            Some("sandbox"),
        )
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    saved_refresh_token(&u);
    let out = u.run(&["post", "--to", "bluesky", "From the form"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(bsky.posts()[0].text, "From the form");
}

/// The session in localStorage is a secret like a cookie: not in the logs
/// at trace level, where the CDP traffic (method names) is.
#[tokio::test(flavor = "multi_thread")]
async fn no_storage_token_in_the_logs_at_trace_level() {
    let (bsky, mut u) = bluesky_user().await;
    u.set("RUST_LOG", "trace");
    let state = u.file("state.json", &bsky.storage_state("sandbox").unwrap());
    let login = u
        .run(&[
            "-vvv",
            "login",
            "bluesky",
            "--cookies",
            state.to_str().unwrap(),
        ])
        .await;
    assert_eq!(login.code, 0, "{login:?}");
    let before = saved_refresh_token(&u);
    bsky.expire_access_tokens();
    let post = u
        .run(&["-vvv", "post", "--to", "bluesky", "Quiet logs"])
        .await;
    assert_eq!(post.code, 0, "{post:?}");
    let after = saved_refresh_token(&u);
    let all = format!(
        "{}{}{}{}",
        login.stdout, login.stderr, post.stdout, post.stderr
    );
    assert!(all.contains("Input.insertText"), "trace was on");
    for token in [&before, &after] {
        let sig = token.rsplit('.').next().unwrap();
        assert!(!all.contains(sig), "a token is in the log");
    }
    assert!(
        !all.contains("BSKY_STORAGE\":"),
        "the storage value is in the log"
    );
}
