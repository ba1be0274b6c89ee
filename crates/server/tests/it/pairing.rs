//! `POST /api/v1/pair` and client tokens: reachable without a token but
//! only with the one-time code; only an extension (or a program) may pair;
//! a client token works from its own origin only, and not once revoked.

use async_tungstenite::tungstenite::Message;
use distroflow_core::Home;

use crate::guards::{next_text, ws};
use crate::support::{bearer, client, error_of, Server};

const EXT: &str = "chrome-extension://oklooclnonolclckffolgnkagndidoma";
const OTHER_EXT: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";

async fn pair(s: &Server, origin: Option<&str>, code: &str) -> reqwest::Response {
    let mut req = client()
        .post(s.url("/api/v1/pair"))
        .json(&serde_json::json!({"code": code, "label": "test browser"}));
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_code_pairs_an_extension_once_and_its_token_works_from_its_origin_only() {
    // Without --pair there is no code to guess.
    let s = Server::start();
    let r = pair(&s, Some(EXT), "ABCD-EFGH").await;
    assert_eq!(r.status(), 401);
    let e = error_of(r).await;
    assert_eq!(e["kind"], "pair");
    assert!(e["hint"].as_str().unwrap().contains("serve --pair"), "{e}");
    drop(s);

    let code = distroflow_server::new_pair_code();
    let s = Server::with_pair_code(|_| {}, Some(code.clone()));
    let c = client();
    // A web page may not pair, even with the code (and it is not used up).
    for origin in ["http://evil.example", "null", &s.origin()] {
        let r = pair(&s, Some(origin), &code).await;
        assert_eq!(r.status(), 403, "{origin}");
        assert_eq!(error_of(r).await["kind"], "origin", "{origin}");
    }
    let r = pair(&s, Some(EXT), "WRNG-CODE").await;
    assert_eq!(r.status(), 401);
    let e = error_of(r).await;
    assert!(e["hint"].as_str().unwrap().contains("4 tries left"), "{e}");

    let r = pair(&s, Some(EXT), &code).await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["access-control-allow-origin"], EXT);
    let paired: serde_json::Value = r.json().await.unwrap();
    let token = paired["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);
    assert_eq!(paired["label"], "test browser");
    assert_eq!(paired["origin"], EXT);
    // Single use.
    let r = pair(&s, Some(EXT), &code).await;
    assert_eq!(r.status(), 401);

    let get = |origin: Option<&str>, auth: String| {
        let mut req = c.get(s.url("/api/v1/queue")).header("authorization", auth);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        req.send()
    };
    let mine = format!("Bearer {token}");
    // From its origin, with CORS; from a program (no Origin).
    let r = get(Some(EXT), mine.clone()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], EXT);
    assert_eq!(get(None, mine.clone()).await.unwrap().status(), 200);
    // Not from another extension or a page; the API token not from the
    // extension's origin (the origin is allowed for its own token only).
    for (origin, auth) in [
        (OTHER_EXT, mine.clone()),
        ("http://evil.example", mine.clone()),
        (EXT, bearer()),
    ] {
        let r = get(Some(origin), auth).await.unwrap();
        assert_eq!(r.status(), 403, "{origin}");
        assert_eq!(error_of(r).await["kind"], "origin");
    }
    // Preflights: the paired origin only.
    let preflight = |origin: &str| {
        c.request(reqwest::Method::OPTIONS, s.url("/api/v1/posts"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
            .send()
    };
    let r = preflight(EXT).await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(r.headers()["access-control-allow-origin"], EXT);
    assert_eq!(preflight(OTHER_EXT).await.unwrap().status(), 403);
    // A state-changing call from its origin.
    let r = c
        .post(s.url("/api/v1/check"))
        .header("origin", EXT)
        .header("authorization", &mine)
        .json(&serde_json::json!({"to": ["x"], "text": "hello"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The WebSocket: its token as the first message, from its origin.
    let mut socket = ws(&s, "", &[("origin", EXT.to_string())]).await.unwrap();
    socket
        .send(Message::Text(format!(r#"{{"token":"{token}"}}"#).into()))
        .await
        .unwrap();
    match next_text(&mut socket).await {
        Some(Message::Text(t)) => assert_eq!(t.as_str(), r#"{"type":"ready"}"#),
        other => panic!("{other:?}"),
    }
    let e = ws(
        &s,
        &format!("?token={token}"),
        &[("origin", OTHER_EXT.to_string())],
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("403"), "{e}");

    // Listed without the token; revoked, refused on the next request.
    let home = Home::at(s.home_path());
    let listed = distroflow_server::client_tokens(&home).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].origin.as_deref(), Some(EXT));
    let file =
        std::fs::read_to_string(s.home_path().join(distroflow_server::CLIENTS_FILE)).unwrap();
    assert!(!file.contains(&token));
    distroflow_server::revoke_client_token(&home, &listed[0].id).unwrap();
    let r = get(Some(EXT), mine.clone()).await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(get(None, mine).await.unwrap().status(), 401);
    assert_eq!(preflight(EXT).await.unwrap().status(), 403);
}

#[tokio::test]
async fn five_wrong_codes_burn_the_code() {
    let code = distroflow_server::new_pair_code();
    let s = Server::with_pair_code(|_| {}, Some(code.clone()));
    for i in 1..distroflow_server::PAIR_ATTEMPTS {
        let r = pair(&s, None, &format!("WRNG-{i:04}")).await;
        assert_eq!(r.status(), 401, "{i}");
    }
    let r = pair(&s, None, "WRNG-LAST").await;
    assert_eq!(r.status(), 429);
    let e = error_of(r).await;
    assert!(e["hint"].as_str().unwrap().contains("serve --pair"), "{e}");
    // The right code no longer works either.
    assert_eq!(pair(&s, None, &code).await.status(), 401);
    // A program (no Origin) may pair with a fresh code.
    let code = distroflow_server::new_pair_code();
    let s = Server::with_pair_code(|_| {}, Some(code.clone()));
    let r = pair(&s, None, &code).await;
    assert_eq!(r.status(), 201);
    let v: serde_json::Value = r.json().await.unwrap();
    assert!(v.get("origin").is_none(), "{v}");
}

/// A revoked client's open WebSocket is closed (at its next ping).
#[tokio::test]
async fn a_revoked_clients_websocket_is_closed() {
    use futures::StreamExt;
    let code = distroflow_server::new_pair_code();
    let s = Server::with_pair_code(|_| {}, Some(code.clone()));
    let r = pair(&s, Some(EXT), &code).await;
    assert_eq!(r.status(), 201);
    let v: serde_json::Value = r.json().await.unwrap();
    let token = v["token"].as_str().unwrap();
    let mut socket = ws(
        &s,
        &format!("?token={token}"),
        &[("origin", EXT.to_string())],
    )
    .await
    .unwrap();
    match next_text(&mut socket).await {
        Some(Message::Text(t)) => assert_eq!(t.as_str(), r#"{"type":"ready"}"#),
        other => panic!("{other:?}"),
    }
    distroflow_server::revoke_client_token(&Home::at(s.home_path()), v["id"].as_str().unwrap())
        .unwrap();
    let deadline = distroflow_server::PING_EVERY * 4;
    let closed = tokio::time::timeout(deadline, async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(Some(f)))) => return Some(f.reason.to_string()),
                None | Some(Err(_)) => return None,
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .expect("the socket is closed after the revocation");
    assert_eq!(closed.as_deref(), Some("the token was revoked"));
}
