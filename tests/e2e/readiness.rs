//! A page that never renders its app: the post fails with the deadline
//! error (not "log in again"), and leaves a debug bundle of what it showed.

use crate::harness::User;

#[tokio::test(flavor = "multi_thread")]
async fn a_page_that_never_renders_is_a_deadline_error_with_a_bundle() {
    let splash = r#"<!doctype html><html><body><div id="splash">Instagram</div></body></html>"#;
    let app = axum::Router::new().fallback(move || async move { axum::response::Html(splash) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut u = User::new();
    u.set(
        "DISTROFLOW_INSTAGRAM_URL",
        &format!("http://127.0.0.1:{port}"),
    );
    let cookies = u.cookie_file("c.json", "sessionid", "s3ss10n");
    let out = u
        .run(&[
            "login",
            "instagram",
            "--cookies",
            cookies.to_str().unwrap(),
            "--no-check",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let image = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/example.png");
    let out = u
        .run(&[
            "post",
            "--to",
            "instagram",
            "--media",
            image.to_str().unwrap(),
            "--json",
            "A caption",
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    let r = &out.json()[0];
    let e = &r["error"];
    assert_eq!(e["kind"], "timeout", "{out:?}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("never showed a logged-in marker or the login page"),
        "{out:?}"
    );
    let hint = e["hint"].as_str().unwrap();
    assert!(hint.contains("debug bundle"), "{hint}");
    let runs: Vec<_> = std::fs::read_dir(u.home().join("runs"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(runs.len(), 1);
    let page = std::fs::read_to_string(runs[0].path().join("page.html")).unwrap();
    assert!(
        page.contains("splash"),
        "the bundle shows what the page showed"
    );
}

/// Every replica renders late on purpose (a splash for 200–1500 ms per page
/// load, as client-rendered apps do): each platform's logged-in check
/// (`login --cookies` checks the session on the site) and a post to all
/// four still go through.
#[tokio::test(flavor = "multi_thread")]
async fn late_hydration_on_every_replica_still_logs_in_and_posts() {
    use distroflow_replica::Mutations;
    let (
        crate::fanout::Sites {
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
    ) = crate::fanout::four_sites_with(|s| {
        s.hn.set_hydration(Some((200, 1500)));
        s.x.set_hydration(Some((200, 1500)));
        s.reddit.set_hydration(Some((200, 1500)));
        s.ig.set_hydration(Some((200, 1500)));
        s.bsky.set_hydration(Some((200, 1500)));
        s.masto.set_hydration(Some((200, 1500)));
        s.li.set_hydration(Some((200, 1500)));
    })
    .await;
    // Each session was checked on its site: the check waited for the late UI.
    for out in &logins {
        assert!(out.stderr.contains("logged in as sandbox"), "{out:?}");
    }
    let text = "Rendered late 🐢";
    let out = u
        .run(&[
            "post",
            "--to",
            "all",
            "--subreddit",
            "rustlang",
            "--title",
            "Late",
            "--media",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
            "--json",
            text,
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(x.posts()[0].text, text);
    assert_eq!(reddit.posts()[0].title, "Late");
    assert_eq!(hn.stories()[0].text.as_deref(), Some(text));
    assert_eq!(ig.posts()[0].caption, text);
    assert_eq!(bsky.posts()[0].text, text);
    assert_eq!(masto.statuses()[0].text, text);
    assert_eq!(li.posts()[0].text, text);
}

/// A browser that cannot start is reported once per platform, its message
/// said once (not "browser: browser: ...").
#[tokio::test(flavor = "multi_thread")]
async fn a_browser_that_cannot_start_is_reported_plainly() {
    let mut u = User::with_saved_hn_session("http://127.0.0.1:9").await;
    u.set("DISTROFLOW_CHROME", "/nonexistent/chromium");
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "T",
            "--url",
            "https://e.com",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    let e = &out.json()[0]["error"];
    assert_eq!(e["kind"], "browser", "{out:?}");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.contains("Chromium not found at /nonexistent/chromium"),
        "{message}"
    );
    assert_eq!(message.matches("browser:").count(), 1, "{message}");
}
