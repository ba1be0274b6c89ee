//! Bad input: a clear error, exit 2, and no browser started.

use crate::harness::{recording_chrome, User};

fn user_with_recording_chrome() -> (User, std::path::PathBuf) {
    let mut u = User::new();
    let (script, marker) = recording_chrome(&u);
    u.set("DISTROFLOW_CHROME", script.to_str().unwrap());
    u.set("DISTROFLOW_HACKERNEWS_URL", "http://127.0.0.1:9");
    (u, marker)
}

#[tokio::test(flavor = "multi_thread")]
async fn over_long_title_is_refused_before_any_browser() {
    let (u, marker) = user_with_recording_chrome();
    let f = u.file(
        "c.json",
        r#"[{"name":"user","value":"a&b","domain":"127.0.0.1"}]"#,
    );
    assert_eq!(
        u.run(&[
            "login",
            "hn",
            "--cookies",
            f.to_str().unwrap(),
            "--no-check"
        ])
        .await
        .code,
        0
    );
    let title = "x".repeat(81);
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            &title,
            "--url",
            "https://e.com",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("81 characters") && out.stderr.contains("80"),
        "{out:?}"
    );
    assert!(!marker.exists(), "a browser was started");
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_platform_lists_the_valid_ids() {
    let (u, marker) = user_with_recording_chrome();
    let out = u
        .run(&["post", "--to", "hn,myspace", "--title", "t", "x"])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("unknown platform `myspace`"), "{out:?}");
    for id in ["x", "reddit", "hackernews", "instagram"] {
        assert!(out.stderr.contains(id), "{out:?}");
    }
    let out = u
        .run(&["login", "friendster", "--cookies", "/dev/null"])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(!marker.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_title_or_content_says_which() {
    let (u, marker) = user_with_recording_chrome();
    let out = u
        .run(&["post", "--to", "hn", "--url", "https://e.com"])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("needs a title") && out.stderr.contains("--title"),
        "{out:?}"
    );
    let out = u
        .run(&["post", "--to", "hn", "--title", "Just a title"])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("needs a url or a text"), "{out:?}");
    let out = u
        .run(&["post", "--to", "hn", "--title", "t", "--url", "not a url"])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("not an http(s) URL"), "{out:?}");
    let out = u.run(&["post", "--title", "t", "x"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("--to"), "{out:?}");
    assert!(!marker.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_cookie_files_leave_the_saved_session_untouched() {
    let (u, _) = user_with_recording_chrome();
    let good = u.file(
        "good.json",
        r#"[{"name":"user","value":"a&b","domain":"127.0.0.1"}]"#,
    );
    assert_eq!(
        u.run(&[
            "login",
            "hn",
            "--cookies",
            good.to_str().unwrap(),
            "--no-check"
        ])
        .await
        .code,
        0
    );
    let saved = u.home().join("auth/hackernews.json");
    let before = std::fs::read(&saved).unwrap();
    for (name, body, problem) in [
        ("empty.json", "", "is empty"),
        ("broken.json", "[{\"name\":", "not valid JSON"),
        ("nameless.json", "[{\"value\":\"v\"}]", "has no name"),
        ("none.json", "[]", "holds no cookies"),
        ("garbage.txt", "hello world", "Netscape"),
    ] {
        let f = u.file(name, body);
        let out = u
            .run(&["login", "hn", "--cookies", f.to_str().unwrap()])
            .await;
        assert_eq!(out.code, 2, "{name}: {out:?}");
        assert!(
            out.stderr.contains(name) && out.stderr.contains(problem),
            "{name}: {out:?}"
        );
        assert_eq!(
            std::fs::read(&saved).unwrap(),
            before,
            "{name} changed the saved session"
        );
    }
    let out = u
        .run(&["login", "hn", "--cookies", "/nonexistent/cookies.json"])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("/nonexistent/cookies.json"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_chromium_is_a_clear_failure() {
    let mut u = User::new();
    u.set("DISTROFLOW_CHROME", "/nonexistent/chromium");
    u.set("DISTROFLOW_HACKERNEWS_URL", "http://127.0.0.1:9");
    let f = u.file(
        "c.json",
        r#"[{"name":"user","value":"a&b","domain":"127.0.0.1"}]"#,
    );
    assert_eq!(
        u.run(&[
            "login",
            "hn",
            "--cookies",
            f.to_str().unwrap(),
            "--no-check"
        ])
        .await
        .code,
        0
    );
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "t",
            "--url",
            "https://e.com",
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains("/nonexistent/chromium") && out.stdout.contains("DISTROFLOW_CHROME"),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn login_without_display_or_flags_explains_the_options() {
    let u = User::new();
    let out = u.run(&["login", "hackernews"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("--cookies FILE") && out.stderr.contains("--password-stdin"),
        "{out:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_removes_the_session() {
    let u = User::new();
    let f = u.file(
        "c.json",
        r#"[{"name":"user","value":"a&b","domain":"news.ycombinator.com"}]"#,
    );
    assert_eq!(
        u.run(&[
            "login",
            "hn",
            "--cookies",
            f.to_str().unwrap(),
            "--no-check"
        ])
        .await
        .code,
        0
    );
    let out = u.run(&["accounts", "--offline"]).await;
    assert!(out.stdout.contains("hackernews  saved"), "{out:?}");
    let out = u.run(&["logout", "hn"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = u.run(&["accounts", "--offline", "--json"]).await;
    let row = out
        .json()
        .into_iter()
        .find(|r| r["platform"] == "hackernews")
        .unwrap();
    assert_eq!(row["status"], "none");
}
