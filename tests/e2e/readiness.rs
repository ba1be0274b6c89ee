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
