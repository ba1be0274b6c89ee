//! Remote browser engines: two Chromiums started with a debugging port act
//! as two remote engines; a fan-out to all four replicas runs on them with
//! no local launch, and an engine that answers 429 is passed over.

use std::time::Duration;

use crate::fanout::{four_sites, Sites};
use crate::harness::User;

/// A Chromium listening for DevTools on a free port, as a remote engine.
struct Engine {
    /// Killed when the engine is dropped.
    _child: tokio::process::Child,
    _profile: tempfile::TempDir,
    ws: String,
}

impl Engine {
    async fn start() -> Engine {
        let profile = tempfile::tempdir().unwrap();
        let chrome = distroflow_browser::headless_chrome_path(None);
        let child = tokio::process::Command::new(chrome)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-port=0",
                &format!("--user-data-dir={}", profile.path().display()),
                "about:blank",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let active = profile.path().join("DevToolsActivePort");
        for _ in 0..100 {
            if let Ok(text) = std::fs::read_to_string(&active) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    let ws = format!("ws://127.0.0.1:{port}{path}");
                    return Engine {
                        _child: child,
                        _profile: profile,
                        ws,
                    };
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the engine never wrote DevToolsActivePort");
    }
}

/// An endpoint that answers every WebSocket upgrade with 429, as a full
/// browserless does.
async fn full_engine() -> String {
    let app = axum::Router::new()
        .fallback(|| async { (axum::http::StatusCode::TOO_MANY_REQUESTS, "queue full") });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("ws://127.0.0.1:{port}/chromium?token=t0ken-never-shown")
}

async fn post_all(u: &User, text: &str) -> crate::harness::Output {
    u.run(&[
        "post",
        "--to",
        "all",
        "--subreddit",
        "rustlang",
        "--title",
        "On engines",
        "--media",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
        "--json",
        text,
    ])
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fan_out_runs_on_two_remote_engines_with_no_local_chromium() {
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
    let (a, b) = (Engine::start().await, Engine::start().await);
    let full = full_engine().await;
    u.set(
        "DISTROFLOW_BROWSER_ENDPOINTS",
        &format!("{full},{},{}", a.ws, b.ws),
    );
    // No local Chromium can start.
    u.set("DISTROFLOW_CHROME", "/bin/false");

    let out = u.run(&["engines", "--json"]).await;
    let rows = out.json();
    assert_eq!(rows.len(), 3, "{out:?}");
    assert_eq!(rows[0]["reachable"], false, "{out:?}");
    assert!(
        rows[0]["error"].as_str().unwrap().contains("429"),
        "{out:?}"
    );
    assert!(rows[1]["reachable"].as_bool().unwrap(), "{out:?}");
    assert!(
        rows[1]["version"].as_str().unwrap().contains("Chrome"),
        "{out:?}"
    );
    assert!(!out.stdout.contains("t0ken-never-shown"), "{out:?}");

    let text = "Posted on a remote engine 🛰";
    let out = post_all(&u, text).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("t0ken-never-shown"), "{out:?}");
    let engines: Vec<String> = out
        .json()
        .iter()
        .map(|r| r["engine"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(engines.len(), 7);
    for e in &engines {
        assert!(
            e == "127.0.0.1:0" || e.starts_with("127.0.0.1:"),
            "{engines:?}"
        );
        assert!(!e.is_empty());
    }
    // Spread over both engines, never the full one.
    let full_name = url::Url::parse(&full).unwrap().port().unwrap().to_string();
    assert!(
        engines.iter().all(|e| !e.ends_with(&full_name)),
        "{engines:?}"
    );
    let distinct: std::collections::BTreeSet<&String> = engines.iter().collect();
    assert_eq!(distinct.len(), 2, "both engines took jobs: {engines:?}");
    assert_eq!(x.posts()[0].text, text);
    assert_eq!(reddit.posts()[0].title, "On engines");
    assert_eq!(hn.stories()[0].text.as_deref(), Some(text));
    assert_eq!(ig.posts()[0].caption, text);
    assert_eq!(bsky.posts()[0].text, text);
    assert_eq!(masto.statuses()[0].text, text);
    assert_eq!(li.posts()[0].text, text);
    assert_eq!(
        x.posts().len() + reddit.posts().len() + hn.stories().len() + ig.posts().len(),
        4
    );
    drop((a, b));
}
