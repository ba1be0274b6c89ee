//! Sessions never leak (docs/security.md): cookies go only to their own
//! site, no other local user can reach the browser, Chromium never
//! outlives DistroFlow, and no secret reaches a log.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use distroflow_replica::{HackerNews, HnOptions};

use crate::harness::{black_hole, signal, User};

#[path = "../support/devtools.rs"]
mod devtools;

const PASSWORD: &str = "Pw-7f3c9e1d-correct-horse";

async fn hn_with_alice() -> HackerNews {
    HackerNews::start(HnOptions {
        users: vec![("alice".into(), PASSWORD.into())],
        ..HnOptions::default()
    })
    .await
    .unwrap()
}

/// A whole-browser export: the platform's cookie among other sites' sessions.
fn export(domain: &str, value: &str) -> String {
    serde_json::json!([
        {"name": "SID", "value": "GOOGLE-SECRET-1", "domain": ".google.com", "path": "/", "secure": true},
        {"name": "user", "value": value, "domain": domain, "path": "/", "httpOnly": true},
        {"name": "bank_session", "value": "BANK-SECRET-2", "domain": "bank.example", "path": "/"},
        {"name": "__Host-sess", "value": "GITHUB-SECRET-3", "domain": "github.com", "path": "/"},
    ])
    .to_string()
}

fn saved_names(u: &User, platform: &str) -> Vec<String> {
    let text =
        std::fs::read_to_string(u.home().join("auth").join(format!("{platform}.json"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["cookies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}@{}",
                c["name"].as_str().unwrap(),
                c["domain"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_browser_export_saves_only_the_platforms_cookies() {
    let hn = hn_with_alice().await;
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &hn.url());
    let value = hn.session_cookie("alice").unwrap();
    let f = u.file("all.json", &export("127.0.0.1", &value));
    let out = u
        .run(&["login", "hn", "--cookies", f.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("kept 1 of 4 cookies for Hacker News; dropped 3 cookies: 3 for other sites (bank.example 1, github.com 1, google.com 1)"),
        "{out:?}"
    );
    assert!(out.stderr.contains("logged in as alice"), "{out:?}");
    assert_eq!(saved_names(&u, "hackernews"), vec!["user@127.0.0.1"]);
    let saved = std::fs::read_to_string(u.home().join("auth/hackernews.json")).unwrap();
    for secret in ["GOOGLE-SECRET-1", "BANK-SECRET-2", "GITHUB-SECRET-3"] {
        assert!(!saved.contains(secret), "{secret} saved");
    }
    for secret in ["GOOGLE-SECRET-1", "BANK-SECRET-2", value.as_str()] {
        assert!(!out.stderr.contains(secret) && !out.stdout.contains(secret));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_with_no_cookie_for_the_platform_saves_nothing_even_unchecked() {
    let mut u = User::new();
    u.set("DISTROFLOW_X_URL", "http://127.0.0.1:9");
    // X is not logged in yet: nothing is saved.
    let other = u.file("other.json", &export("news.ycombinator.com", "v"));
    let out = u
        .run(&[
            "login",
            "x",
            "--cookies",
            other.to_str().unwrap(),
            "--no-check",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("none of the 4 cookies in")
            && out
                .stderr
                .contains("are for X (127.0.0.1, x.com, twitter.com)"),
        "{out:?}"
    );
    assert!(!u.home().join("auth/x.json").exists());

    // Logged in: the old session is kept as it was.
    let good = u.file(
        "x.json",
        r#"[{"name":"auth_token","value":"X-TOKEN","domain":".x.com"}]"#,
    );
    let out = u
        .run(&[
            "login",
            "x",
            "--cookies",
            good.to_str().unwrap(),
            "--no-check",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let before = std::fs::read(u.home().join("auth/x.json")).unwrap();
    let out = u
        .run(&[
            "login",
            "x",
            "--cookies",
            other.to_str().unwrap(),
            "--no-check",
        ])
        .await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("the saved session is unchanged"),
        "{out:?}"
    );
    assert_eq!(std::fs::read(u.home().join("auth/x.json")).unwrap(), before);
}

/// A site that records the Cookie header of every request it gets.
async fn cookie_recorder() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = axum::Router::new().fallback({
        let seen = seen.clone();
        move |headers: axum::http::HeaderMap| {
            let seen = seen.clone();
            async move {
                for v in headers.get_all("cookie") {
                    seen.lock()
                        .unwrap()
                        .push(v.to_str().unwrap_or_default().to_string());
                }
                axum::response::Html("<html><body><p>hello</p></body></html>")
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://127.0.0.1:{port}"), seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hand_edited_session_file_is_filtered_again_before_the_browser() {
    let (url, seen) = cookie_recorder().await;
    let u = User::with_saved_hn_session(&url).await;
    // Someone pastes other sites' cookies into the saved session.
    let path = u.home().join("auth/hackernews.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let extra: serde_json::Value = serde_json::from_str(&export("bank.example", "x")).unwrap();
    v["cookies"]
        .as_array_mut()
        .unwrap()
        .extend(extra.as_array().unwrap().iter().cloned());
    std::fs::write(&path, v.to_string()).unwrap();

    // Visiting the site with the session (the logged-in check).
    let out = u.run(&["accounts", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let headers = seen.lock().unwrap().clone();
    assert!(!headers.is_empty(), "the site was visited: {out:?}");
    for h in &headers {
        assert!(h.contains("user=alice&abc"), "{h}");
        for other in ["SID", "bank_session", "__Host-sess", "SECRET"] {
            assert!(!h.contains(other), "{other} sent: {h}");
        }
    }
}

/// Waits until a Chromium of `u` runs; returns its processes' pids.
async fn chromium_of(u: &User) -> Vec<u32> {
    let tmp = u.dir.path().join("tmp");
    for _ in 0..150 {
        let procs = distroflow_browser::browser_processes(&tmp);
        if procs.iter().any(|(_, c)| c.contains("--type=renderer")) {
            return procs.into_iter().map(|(p, _)| p).collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no Chromium started");
}

fn profile_folders(u: &User) -> Vec<String> {
    std::fs::read_dir(u.dir.path().join("tmp"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("distroflow-chrome-"))
        .collect()
}

/// A user with a saved session for a Hacker News that never answers.
async fn stuck_user() -> User {
    User::with_saved_hn_session(&black_hole().await).await
}

const POST: &[&str] = &[
    "post",
    "--to",
    "hn",
    "--title",
    "T",
    "--url",
    "https://e.com",
];

#[tokio::test(flavor = "multi_thread")]
async fn during_a_post_no_port_answers_for_devtools_and_sigterm_closes_everything() {
    let u = stuck_user().await;
    let mut child = u.spawn(POST);
    let pid = child.id().unwrap();
    let chromium = chromium_of(&u).await;
    assert_eq!(
        devtools::listening_ports(&chromium),
        Vec::<u16>::new(),
        "Chromium listens on no TCP port"
    );
    let mut all = chromium.clone();
    all.push(pid);
    assert_eq!(
        devtools::devtools_endpoints(&all).await,
        Vec::<String>::new()
    );

    signal(pid, "TERM");
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exits after SIGTERM")
        .unwrap();
    let out = child.wait_with_output().await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(143), "{err}");
    assert!(err.contains("terminated (SIGTERM)"), "{err}");
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );
    assert_eq!(profile_folders(&u), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_terminal_sighup_exits_129_and_closes_the_browser() {
    let u = stuck_user().await;
    let mut child = u.spawn(POST);
    chromium_of(&u).await;
    signal(child.id().unwrap(), "HUP");
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("exits after SIGHUP")
        .unwrap();
    assert_eq!(status.code(), Some(129));
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );
    assert_eq!(profile_folders(&u), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn after_kill_9_chromium_quits_by_itself_and_the_next_run_removes_the_leftovers() {
    let u = stuck_user().await;
    let mut child = u.spawn(POST);
    chromium_of(&u).await;
    signal(child.id().unwrap(), "KILL");
    let _ = child.wait().await;
    // No later run needed: the pipe closed, Chromium quits.
    let tmp = u.dir.path().join("tmp");
    let mut left = Vec::new();
    for _ in 0..30 {
        left = distroflow_browser::browser_processes(&tmp);
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(left.is_empty(), "Chromium outlived a kill -9: {left:?}");
    assert_eq!(profile_folders(&u).len(), 1, "the killed run's profile");

    // And one left by an older version (no owner file), a while ago.
    let old = tmp.join("distroflow-chrome-old123");
    std::fs::create_dir_all(old.join("Default")).unwrap();
    let status = std::process::Command::new("touch")
        .args(["-d", "5 minutes ago"])
        .arg(&old)
        .status()
        .unwrap();
    assert!(status.success());

    // The next run that starts a browser removes both.
    let hn = hn_with_alice().await;
    let mut u = u;
    u.set("DISTROFLOW_HACKERNEWS_URL", &hn.url());
    let out = u
        .run_with_stdin(
            &["login", "hn", "--username", "alice", "--password-stdin"],
            Some(PASSWORD),
        )
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(profile_folders(&u), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn no_cookie_or_password_in_the_logs_at_trace_level() {
    let hn = hn_with_alice().await;
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &hn.url());
    u.set("RUST_LOG", "trace");
    let login = u
        .run_with_stdin(
            &[
                "-vvv",
                "login",
                "hn",
                "--username",
                "alice",
                "--password-stdin",
            ],
            Some(PASSWORD),
        )
        .await;
    assert_eq!(login.code, 0, "{login:?}");
    let post = u
        .run(&[
            "-vvv",
            "post",
            "--to",
            "hn",
            "--title",
            "Logs",
            "--url",
            "https://e.com/logs",
        ])
        .await;
    assert_eq!(post.code, 0, "{post:?}");
    let cookie = hn.session_cookie("alice").unwrap();
    let all = format!(
        "{}{}{}{}",
        login.stdout, login.stderr, post.stdout, post.stderr
    );
    // Trace level was on: the CDP traffic is logged (method names only).
    assert!(all.contains("Input.insertText"), "trace was on");
    assert!(all.contains("Network.setCookies"), "trace was on");
    assert!(!all.contains(PASSWORD), "the password is in the log");
    let secret_part = cookie.split('&').nth(1).unwrap_or(&cookie);
    assert!(secret_part.len() >= 8, "{cookie}");
    assert!(
        !all.contains(secret_part),
        "the session cookie is in the log"
    );
}
