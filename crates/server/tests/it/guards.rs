//! Every guard, over real HTTP: the token, the Host check, the Origin
//! check and CORS, body limits, and the WebSocket's own token check.

use std::time::Duration;

use async_tungstenite::tungstenite::client::IntoClientRequest;
use async_tungstenite::tungstenite::Message;
use futures::StreamExt;

use crate::support::{bearer, client, error_of, Server, TOKEN};

/// Every documented path, with `{id}` filled in, and its methods.
fn documented() -> Vec<(String, String)> {
    let doc: serde_json::Value = serde_json::from_str(&distroflow_server::openapi_json()).unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.push((path.replace("{id}", "1"), method.to_uppercase()));
        }
    }
    out
}

#[tokio::test]
async fn only_the_health_check_answers_without_the_token() {
    let s = Server::start();
    let c = client();
    let r = c.get(s.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["ok"], true);
    assert!(v["version"].is_string());

    let routes = documented();
    assert!(routes.len() >= 12, "{routes:?}");
    for (path, method) in routes {
        // The pairing route takes a code instead (tests/it/pairing.rs).
        if path == "/api/v1/health" || path == "/api/v1/pair" {
            continue;
        }
        let m: reqwest::Method = method.parse().unwrap();
        for auth in [
            None,
            Some("Bearer wrong-token"),
            Some("Basic abc"),
            Some("Bearer "),
        ] {
            let mut req = c.request(m.clone(), s.url(&path));
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            let r = req
                .json(&serde_json::json!({"to": ["x"], "text": "hi"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401, "{method} {path} with {auth:?}");
            let e = error_of(r).await;
            assert_eq!(e["kind"], "unauthorized", "{method} {path}");
            assert!(e["hint"].as_str().unwrap().contains("api-token"));
        }
    }
    // With the token, the same route answers.
    let r = c
        .get(s.url("/api/v1/history"))
        .header("authorization", bearer())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!([])
    );
}

#[tokio::test]
async fn a_foreign_host_is_refused_against_dns_rebinding() {
    let s = Server::start();
    let c = client();
    for host in [
        "evil.example:PORT",
        "127.0.0.1.nip.io:PORT",
        "localhost",
        "127.0.0.1:1",
    ] {
        let host = host.replace("PORT", &s.port.to_string());
        let r = c
            .get(s.url("/api/v1/history"))
            .header("host", &host)
            .header("authorization", bearer())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 421, "{host}");
        let e = error_of(r).await;
        assert_eq!(e["kind"], "host");
    }
    for host in [
        "127.0.0.1:PORT",
        "localhost:PORT",
        "[::1]:PORT",
        "LOCALHOST:PORT",
    ] {
        let host = host.replace("PORT", &s.port.to_string());
        let r = c
            .get(s.url("/api/v1/health"))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{host}");
    }
}

#[tokio::test]
async fn a_state_changing_request_from_a_foreign_origin_is_refused_and_queues_nothing() {
    let s = Server::with(|c| {
        c.server.allowed_origins = vec!["chrome-extension://abcdefghijklmnop".into()]
    });
    let c = client();
    let body = serde_json::json!({"to": ["hn"], "title": "T", "text": "x", "at": "in 2h"});
    for origin in [
        "http://evil.example",
        "null",
        "http://127.0.0.1:1",
        "chrome-extension://other",
    ] {
        let r = c
            .post(s.url("/api/v1/posts"))
            .header("origin", origin)
            .header("authorization", bearer())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{origin}");
        assert!(r.headers().get("access-control-allow-origin").is_none());
        assert_eq!(error_of(r).await["kind"], "origin");
    }
    let queue: serde_json::Value = c
        .get(s.url("/api/v1/queue"))
        .header("authorization", bearer())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue, serde_json::json!([]), "nothing was queued");

    // A read from another origin is answered without CORS headers, so a
    // browser never lets the page see it.
    let r = c
        .get(s.url("/api/v1/queue"))
        .header("origin", "http://evil.example")
        .header("authorization", bearer())
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());

    // The configured extension and the server's own page may.
    for origin in [
        "chrome-extension://abcdefghijklmnop".to_string(),
        s.origin(),
    ] {
        let r = c
            .post(s.url("/api/v1/posts"))
            .header("origin", &origin)
            .header("authorization", bearer())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202, "{origin}");
        assert_eq!(r.headers()["access-control-allow-origin"], origin.as_str());
    }
}

#[tokio::test]
async fn preflights_name_only_allowed_origins_never_a_wildcard() {
    let s = Server::with(|c| {
        c.server.allowed_origins = vec!["chrome-extension://abcdefghijklmnop".into()]
    });
    let c = client();
    let preflight = |origin: String| {
        c.request(reqwest::Method::OPTIONS, s.url("/api/v1/posts"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    for origin in [
        "chrome-extension://abcdefghijklmnop".to_string(),
        s.origin(),
    ] {
        let r = preflight(origin.clone()).await.unwrap();
        assert!(r.status().is_success(), "{origin}: {}", r.status());
        let h = r.headers();
        assert_eq!(h["access-control-allow-origin"], origin.as_str());
        let allowed = h["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(allowed.contains("authorization"), "{allowed}");
        assert!(h.get("access-control-allow-credentials").is_none());
    }
    let r = preflight("http://evil.example".into()).await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert!(r.headers().values().all(|v| v != "*"));
}

#[tokio::test]
async fn an_oversize_body_is_refused_with_a_json_error() {
    let s = Server::start();
    let c = client();
    let big = "a".repeat(distroflow_server::MAX_JSON_BODY + 10);
    let r = c
        .post(s.url("/api/v1/posts"))
        .header("authorization", bearer())
        .json(&serde_json::json!({"to": ["x"], "text": big}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(error_of(r).await["kind"], "too_large");

    // Without a Content-Length (chunked), the limit holds while reading.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut sock = tokio::net::TcpStream::connect(("127.0.0.1", s.port))
        .await
        .unwrap();
    let head = format!(
        "POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        s.port,
        bearer()
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    for _ in 0..(distroflow_server::MAX_JSON_BODY / chunk.len() + 2) {
        let mut part = format!("{:x}\r\n", chunk.len()).into_bytes();
        part.extend_from_slice(&chunk);
        part.extend_from_slice(b"\r\n");
        if sock.write_all(&part).await.is_err() {
            break; // The server may answer and close early.
        }
    }
    let _ = sock.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), sock.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"too_large\""), "{answer}");
}

#[tokio::test]
async fn invalid_input_is_refused_with_the_clis_messages_and_nothing_is_queued() {
    let s = Server::start();
    let c = client();
    let cases = [
        (
            serde_json::json!({"to": ["reddit"], "text": "hi", "at": "in 2h"}),
            "Reddit needs a title",
        ),
        (
            serde_json::json!({"to": ["myspace"], "text": "hi"}),
            "myspace",
        ),
        (
            serde_json::json!({"to": ["x"], "text": "x".repeat(300)}),
            "280",
        ),
        (
            serde_json::json!({"to": ["x"], "text": "hi", "colour": "red"}),
            "colour",
        ),
        (
            serde_json::json!({"to": ["x"], "text": "hi", "split": true, "truncate": true}),
            "split and truncate",
        ),
        (
            serde_json::json!({"to": ["hn"], "title": "T", "text": "hi", "at": "yesterday-ish"}),
            "yesterday-ish",
        ),
        (
            serde_json::json!({"to": ["x"], "text": "hi", "every": "1d"}),
            "need `at`",
        ),
    ];
    for (body, says) in cases {
        let r = c
            .post(s.url("/api/v1/posts"))
            .header("authorization", bearer())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body}");
        let e = error_of(r).await;
        assert!(e["message"].as_str().unwrap().contains(says), "{body}: {e}");
    }
    let queue: serde_json::Value = c
        .get(s.url("/api/v1/queue?all=true"))
        .header("authorization", bearer())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue, serde_json::json!([]));
}

pub(crate) async fn ws(
    s: &Server,
    query: &str,
    headers: &[(&str, String)],
) -> Result<
    async_tungstenite::WebSocketStream<async_tungstenite::tokio::ConnectStream>,
    async_tungstenite::tungstenite::Error,
> {
    let mut req = format!("ws://127.0.0.1:{}/api/v1/events{query}", s.port)
        .into_client_request()
        .unwrap();
    for (k, v) in headers {
        req.headers_mut().insert(
            async_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    async_tungstenite::tokio::connect_async(req)
        .await
        .map(|(s, _)| s)
}

pub(crate) async fn next_text(
    socket: &mut async_tungstenite::WebSocketStream<async_tungstenite::tokio::ConnectStream>,
) -> Option<Message> {
    tokio::time::timeout(Duration::from_secs(15), socket.next())
        .await
        .expect("a frame within 15 s")
        .and_then(Result::ok)
}

#[tokio::test]
async fn the_websocket_takes_its_token_three_ways_and_refuses_the_rest() {
    let s = Server::start();
    // A wrong token is refused before the upgrade.
    for (q, h) in [
        ("?token=wrong", vec![]),
        ("", vec![("authorization", "Bearer wrong".to_string())]),
    ] {
        let e = ws(&s, q, &h).await.unwrap_err();
        assert!(e.to_string().contains("401"), "{e}");
    }
    // Another site's page cannot open one (WebSockets skip CORS).
    let e = ws(
        &s,
        &format!("?token={TOKEN}"),
        &[("origin", "http://evil.example".into())],
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("403"), "{e}");

    // Header, query, or first message: each gets `ready`.
    let mut a = ws(&s, "", &[("authorization", bearer())]).await.unwrap();
    let mut b = ws(&s, &format!("?token={TOKEN}"), &[("origin", s.origin())])
        .await
        .unwrap();
    let mut c = ws(&s, "", &[]).await.unwrap();
    c.send(Message::text(
        serde_json::json!({"token": TOKEN}).to_string(),
    ))
    .await
    .unwrap();
    for socket in [&mut a, &mut b, &mut c] {
        let m = next_text(socket).await.unwrap();
        assert_eq!(m.into_text().unwrap().as_str(), r#"{"type":"ready"}"#);
    }

    // A wrong first message closes it with 1008 (policy).
    let mut d = ws(&s, "", &[]).await.unwrap();
    d.send(Message::text("{\"token\":\"wrong\"}"))
        .await
        .unwrap();
    match next_text(&mut d).await {
        Some(Message::Close(Some(f))) => assert_eq!(u16::from(f.code), 1008),
        other => panic!("expected a close, got {other:?}"),
    }

    // Events reach every authenticated socket: a scheduled post is
    // accepted; an immediate one to a platform without a session ends
    // at once with its auth error.
    let r = client()
        .post(s.url("/api/v1/posts"))
        .header("authorization", bearer())
        .json(&serde_json::json!({"to": ["hn"], "title": "T", "text": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    for socket in [&mut a, &mut b, &mut c] {
        let mut types = Vec::new();
        while !types.contains(&"post.finished".to_string()) {
            let m = next_text(socket).await.unwrap().into_text().unwrap();
            let v: serde_json::Value = serde_json::from_str(m.as_str()).unwrap();
            assert_eq!(v["post_id"], id.as_str(), "{v}");
            if v["type"] == "job.finished" {
                assert_eq!(v["platform"], "hackernews");
                assert_eq!(v["ok"], false);
                assert_eq!(v["error"]["kind"], "auth", "{v}");
            }
            types.push(v["type"].as_str().unwrap().to_string());
        }
        assert_eq!(types, ["post.queued", "job.finished", "post.finished"]);
    }
    let post: serde_json::Value = client()
        .get(s.url(&format!("/api/v1/posts/{id}")))
        .header("authorization", bearer())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(post["state"], "done");
    assert_eq!(post["results"][0]["error"]["kind"], "auth");
}

#[tokio::test]
async fn the_dashboard_session_is_httponly_strict_and_needs_its_csrf_header() {
    let s = Server::start();
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Another site cannot log a browser in (login CSRF).
    let r = c
        .post(s.url("/login"))
        .header("origin", "http://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .post(s.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", "wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());
    let r = c
        .post(s.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_string();

    let page = c
        .get(s.url("/"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let html = page.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" content=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    assert!(!html.contains(TOKEN), "the page never holds the token");

    // Reads work with the cookie; changes need the CSRF header too.
    let body = serde_json::json!({"to": ["hn"], "title": "T", "text": "x", "at": "in 2h"});
    let r = c
        .get(s.url("/api/v1/queue"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for sent in [None, Some("wrong")] {
        let mut req = c
            .post(s.url("/api/v1/posts"))
            .header("cookie", &session)
            .json(&body);
        if let Some(v) = sent {
            req = req.header("x-distroflow-csrf", v);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 403, "{sent:?}");
        assert_eq!(error_of(r).await["kind"], "csrf");
    }
    let r = c
        .post(s.url("/api/v1/posts"))
        .header("cookie", &session)
        .header("x-distroflow-csrf", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);

    // Logged out, the cookie is worth nothing.
    c.post(s.url("/logout"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    let r = c
        .get(s.url("/api/v1/queue"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn uploads_are_held_to_the_platform_tables_limits_and_never_left_behind() {
    use crate::support::multipart;
    let s = Server::with(|c| {
        let chrome = c.browser.chrome.clone();
        let mut small = String::new();
        // Every platform's table: the largest file any of them takes is
        // the upload limit.
        for p in [
            "x",
            "reddit",
            "hackernews",
            "instagram",
            "bluesky",
            "mastodon",
            "linkedin",
        ] {
            small.push_str(&format!(
                "[limits.{p}]\nimage_bytes = 2000\ngif_bytes = 2000\nvideo_bytes = 2000\n"
            ));
        }
        *c = toml::from_str(&small).unwrap();
        c.browser.chrome = chrome;
    });
    let c = client();
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/example.png"
    ))
    .unwrap();
    let big = vec![0u8; 5000];
    let send = |parts: Vec<(&'static str, Option<&'static str>, Vec<u8>)>| {
        let parts: Vec<(&str, Option<&str>, &[u8])> = parts
            .iter()
            .map(|(n, f, b)| (*n, *f, b.as_slice()))
            .collect();
        let (ct, body) = multipart(&parts);
        c.post(s.url("/api/v1/posts"))
            .header("authorization", bearer())
            .header("content-type", ct)
            .body(body)
            .send()
    };
    // Over the largest file any platform takes.
    let r = send(vec![
        ("to", None, b"x".to_vec()),
        ("text", None, b"hi".to_vec()),
        ("at", None, b"in 2h".to_vec()),
        ("media", Some("big.png"), big),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(error_of(r).await["kind"], "too_large");
    // Not media at all: the CLI's media check says so.
    let r = send(vec![
        ("to", None, b"x".to_vec()),
        ("text", None, b"hi".to_vec()),
        ("media", Some("notes.txt"), b"just some text".to_vec()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    let e = error_of(r).await;
    assert!(e["message"].as_str().unwrap().contains("media file"), "{e}");
    // A field the API does not know.
    let r = send(vec![
        ("to", None, b"x".to_vec()),
        ("colour", None, b"red".to_vec()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 400);
    assert!(error_of(r).await["message"]
        .as_str()
        .unwrap()
        .contains("colour"));
    // Refused uploads leave nothing behind.
    let uploads = s.home_path().join("uploads");
    let left: Vec<_> = std::fs::read_dir(&uploads)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    // Within the limits: scheduled, its upload kept (private) for the job.
    let r = send(vec![
        ("to", None, b"x".to_vec()),
        ("text", None, b"hi".to_vec()),
        ("at", None, b"in 2h".to_vec()),
        ("media", Some("../example.png"), png.clone()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 202);
    let kept: Vec<_> = std::fs::read_dir(&uploads).unwrap().flatten().collect();
    assert_eq!(kept.len(), 1);
    let dir = kept[0].path();
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(std::fs::read(&files[0]).unwrap(), png);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
        0o700
    );
    assert_eq!(
        std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
}
