//! The X replica over real HTTP: sessions, the CreateTweet and upload APIs,
//! and the served pages. The app's browser behaviour (editor, composer,
//! toasts) is tested through the adapter in distroflow-platforms.

use std::time::Duration;

use distroflow_replica::{XOptions, XRefusal, X};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CT0: &str = "0123456789abcdef0123456789abcdef";

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("utf-8 body")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("json body")
    }
}

/// One HTTP/1.1 request with these extra header lines and body.
async fn send(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let addr = base.strip_prefix("http://").expect("http url");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("write head");
    stream.write_all(body).await.expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = std::str::from_utf8(&raw[..split]).expect("ascii head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// A logged-in API client for `handle`: session cookie, `ct0`, and the
/// matching `x-csrf-token` header.
struct Api {
    base: String,
    cookie: String,
}

impl Api {
    fn new(x: &X, handle: &str) -> Self {
        Api {
            base: x.url(),
            cookie: format!(
                "auth_token={}; ct0={CT0}",
                x.session_cookie(handle).expect("known handle")
            ),
        }
    }

    async fn get(&self, path: &str) -> Reply {
        send(&self.base, "GET", path, &[("Cookie", &self.cookie)], b"").await
    }

    async fn create(&self, text: &str, media: &[&str], reply_to: Option<&str>) -> Reply {
        let mut variables = json!({
            "tweet_text": text,
            "media": {
                "media_entities": media.iter().map(|id| json!({ "media_id": id, "tagged_users": [] })).collect::<Vec<_>>(),
                "possibly_sensitive": false,
            },
        });
        if let Some(parent) = reply_to {
            variables["reply"] =
                json!({ "in_reply_to_tweet_id": parent, "exclude_reply_user_ids": [] });
        }
        let body = json!({ "variables": variables, "queryId": "q" }).to_string();
        send(
            &self.base,
            "POST",
            "/i/api/graphql/oB-5XsHNAbjvARJEc8CZFw/CreateTweet",
            &[
                ("Cookie", &self.cookie),
                ("x-csrf-token", CT0),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )
        .await
    }

    async fn upload(&self, name: &str, mime: &str, bytes: &[u8]) -> Reply {
        let path = format!(
            "/i/api/1.1/media/upload.json?media_type={}&name={name}",
            mime.replace('/', "%2F")
        );
        send(
            &self.base,
            "POST",
            &path,
            &[("Cookie", &self.cookie), ("x-csrf-token", CT0)],
            bytes,
        )
        .await
    }
}

fn rest_id(reply: &Reply) -> String {
    let json = reply.json();
    json.pointer("/data/create_tweet/tweet_results/result/rest_id")
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no rest_id in {json}"))
        .to_owned()
}

fn error_code(reply: &Reply) -> Option<u64> {
    reply
        .json()
        .pointer("/errors/0/code")
        .and_then(Value::as_u64)
}

async fn start() -> X {
    X::start(XOptions::default()).await.expect("start")
}

#[tokio::test]
async fn logged_out_goes_to_the_login_flow() {
    let x = start().await;
    for (path, back) in [("/home", "%2Fhome"), ("/compose/post", "%2Fcompose%2Fpost")] {
        let r = send(&x.url(), "GET", path, &[], b"").await;
        assert_eq!(r.status, 302, "{path}");
        assert_eq!(
            r.header("location"),
            Some(format!("/i/flow/login?redirect_after_login={back}").as_str())
        );
    }
    let forged = send(
        &x.url(),
        "GET",
        "/home",
        &[(
            "Cookie",
            "auth_token=0000000000000000000000000000000000000000",
        )],
        b"",
    )
    .await;
    assert_eq!(forged.status, 302);

    let login = send(&x.url(), "GET", "/i/flow/login", &[], b"").await;
    assert_eq!(login.status, 200);
    let body = login.text();
    // Rendered by the script: the document itself has an empty root.
    assert!(body.contains("<div id=\"react-root\" style=\"height:100%;display:flex;\"></div>"));
    assert!(body.contains("\"page\":\"login\""), "{body}");
    assert!(body.contains("/responsive-web/client-web/main.js"));

    let task = send(
        &x.url(),
        "POST",
        "/i/api/1.1/onboarding/task.json",
        &[],
        b"{}",
    )
    .await;
    assert_eq!(task.status, 400);
    assert_eq!(error_code(&task), Some(399));
    x.shutdown().await;
}

#[tokio::test]
async fn logged_in_home_is_an_empty_shell_that_sets_ct0() {
    let x = start().await;
    let token = x.session_cookie("sandbox").unwrap();
    assert_eq!(token.len(), 40);
    assert_eq!(x.session_cookie("nobody"), None);
    let r = send(
        &x.url(),
        "GET",
        "/home",
        &[("Cookie", &format!("auth_token={token}"))],
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    let body = r.text();
    assert!(body.contains("\"handle\":\"sandbox\""), "{body}");
    assert!(
        !body.contains("tweetTextarea_0"),
        "composer must come from the script"
    );
    let ct0 = r
        .headers
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case("set-cookie") && v.starts_with("ct0="))
        .expect("ct0 set");
    assert!(!ct0.1.contains("HttpOnly"), "the page script reads ct0");

    let js = send(
        &x.url(),
        "GET",
        "/responsive-web/client-web/main.js",
        &[],
        b"",
    )
    .await;
    assert_eq!(js.status, 200);
    assert!(js.text().contains("beforeinput"));
    x.shutdown().await;
}

#[tokio::test]
async fn create_tweet_stores_the_exact_text_and_threads() {
    let x = start().await;
    let api = Api::new(&x, "sandbox");
    let text = "first line 😀\n\n第二段 — with  two spaces ";
    let r = api.create(text, &[], None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let id = rest_id(&r);
    assert_eq!(id.len(), 19, "{id}");
    assert!(id.bytes().all(|b| b.is_ascii_digit()));
    let reply = rest_id(&api.create("second", &[], Some(&id)).await);

    let posts = x.posts();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].id, id);
    assert_eq!(posts[0].text, text);
    assert_eq!(posts[0].user, "sandbox");
    assert_eq!(posts[0].reply_to, None);
    assert_eq!(posts[1].id, reply);
    assert_eq!(posts[1].reply_to.as_deref(), Some(id.as_str()));

    // Replying to nothing is refused.
    let r = api.create("orphan", &[], Some("1")).await;
    assert_eq!(error_code(&r), Some(385));

    // Without the CSRF header, or without a session: nothing is stored.
    let no_csrf = send(
        &x.url(),
        "POST",
        "/i/api/graphql/CreateTweet",
        &[("Cookie", &api.cookie)],
        json!({ "variables": { "tweet_text": "csrf?" } })
            .to_string()
            .as_bytes(),
    )
    .await;
    assert_eq!(no_csrf.status, 403);
    let anonymous = send(
        &x.url(),
        "POST",
        "/i/api/graphql/CreateTweet",
        &[("Cookie", &format!("ct0={CT0}")), ("x-csrf-token", CT0)],
        json!({ "variables": { "tweet_text": "anon?" } })
            .to_string()
            .as_bytes(),
    )
    .await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(x.posts().len(), 2);
    x.shutdown().await;
}

#[tokio::test]
async fn duplicates_limits_and_refusals_store_nothing() {
    let x = start().await;
    let api = Api::new(&x, "sandbox");
    rest_id(&api.create("same text", &[], None).await);
    let again = api.create("same text", &[], None).await;
    assert_eq!(again.status, 200);
    assert_eq!(error_code(&again), Some(187));
    assert_eq!(x.posts().len(), 1);

    x.set_daily_limit(Some(1));
    assert_eq!(
        error_code(&api.create("new text", &[], None).await),
        Some(185)
    );
    x.set_daily_limit(None);

    x.set_refusal(Some(XRefusal::Automated));
    assert_eq!(
        error_code(&api.create("new text", &[], None).await),
        Some(226)
    );
    x.set_refusal(Some(XRefusal::SomethingWentWrong));
    assert_eq!(api.create("new text", &[], None).await.status, 503);
    x.set_refusal(None);

    assert_eq!(x.posts().len(), 1);
    rest_id(&api.create("new text", &[], None).await);
    x.shutdown().await;
}

#[tokio::test]
async fn status_and_profile_pages_escape_html() {
    let x = start().await;
    let api = Api::new(&x, "sandbox");
    let first = rest_id(
        &api.create("<script>alert(1)</script> & \"q\"", &[], None)
            .await,
    );
    let second = rest_id(&api.create("line one\nline two", &[], None).await);

    let status = api.get(&format!("/sandbox/status/{first}")).await;
    assert_eq!(status.status, 200);
    let body = status.text();
    assert!(body.contains("data-testid=\"tweetText\""));
    assert!(
        body.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"q\""),
        "{body}"
    );
    assert!(!body.contains("<script>alert"), "{body}");
    assert!(body.contains("data-testid=\"AppTabBar_Profile_Link\""));

    let profile = api.get("/sandbox").await;
    assert_eq!(profile.status, 200);
    let body = profile.text();
    let a = body
        .find(&format!("href=\"/sandbox/status/{second}\""))
        .expect("second listed");
    let b = body
        .find(&format!("href=\"/sandbox/status/{first}\""))
        .expect("first listed");
    assert!(a < b, "newest first");

    let wrong_user = send(
        &x.url(),
        "GET",
        &format!("/someone/status/{first}"),
        &[],
        b"",
    )
    .await;
    assert_eq!(wrong_user.status, 404);
    let nobody = send(&x.url(), "GET", "/nobody", &[], b"").await;
    assert_eq!(nobody.status, 404);
    assert!(nobody.text().contains("This account doesn’t exist"));
    x.shutdown().await;
}

#[tokio::test]
async fn uploads_attach_to_posts_and_are_served() {
    let x = start().await;
    let api = Api::new(&x, "sandbox");
    let png = b"\x89PNG\r\n\x1a\nnot really a png";
    let up = api.upload("cat.png", "image/png", png).await;
    assert_eq!(up.status, 200, "{}", up.text());
    let media_id = up.json()["media_id_string"]
        .as_str()
        .expect("media_id_string")
        .to_owned();

    let bad = api.upload("notes.txt", "text/plain", b"hello").await;
    assert_eq!(bad.status, 400);

    let id = rest_id(&api.create("", &[&media_id], None).await);
    let posts = x.posts();
    assert_eq!(posts[0].media.len(), 1);
    assert_eq!(posts[0].media[0].name, "cat.png");
    assert_eq!(posts[0].media[0].mime, "image/png");
    assert_eq!(posts[0].media[0].bytes, png.len());

    // A media id is used once.
    assert_eq!(
        error_code(&api.create("again", &[&media_id], None).await),
        Some(324)
    );

    let page = api.get(&format!("/sandbox/status/{id}")).await.text();
    assert!(page.contains(&format!("<div class=\"css-175oi2r r-4qtqp9\" data-testid=\"tweetPhoto\"><img alt=\"Image\" draggable=\"true\" src=\"/media/{media_id}\"")), "{page}");
    let served = send(&x.url(), "GET", &format!("/media/{media_id}"), &[], b"").await;
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type"), Some("image/png"));
    assert_eq!(served.body, png);
    x.shutdown().await;
}

#[tokio::test]
async fn compose_route_can_be_switched_off() {
    let x = start().await;
    let api = Api::new(&x, "sandbox");
    assert_eq!(api.get("/compose/post").await.status, 200);
    x.set_compose_modal(false);
    let r = api.get("/compose/post").await;
    assert_eq!(r.status, 302);
    assert_eq!(r.header("location"), Some("/home"));
    x.shutdown().await;
}

#[tokio::test]
async fn ui_versions_change_the_app_and_the_api_takes_them_all() {
    assert_eq!(distroflow_replica::X_UI_VERSIONS, &[0, 1, 2]);
    let x = X::start(XOptions {
        ui_version: 1,
        ..XOptions::default()
    })
    .await
    .expect("start");
    let api = Api::new(&x, "sandbox");
    let page = api.get("/home").await.text();
    assert!(page.contains("\"ui\":1"), "{page}");
    x.set_ui_version(2);
    let page = api.get("/compose/post").await.text();
    assert!(page.contains("\"ui\":2"), "{page}");
    // Each version's app calls CreateTweet under its own query id.
    let id = page
        .split("\"createTweetQueryId\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a query id in the state")
        .to_owned();
    let body = json!({ "variables": { "tweet_text": "from ui 2" }, "queryId": id }).to_string();
    let r = send(
        &api.base,
        "POST",
        &format!("/i/api/graphql/{id}/CreateTweet"),
        &[
            ("Cookie", &api.cookie),
            ("x-csrf-token", CT0),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(x.posts()[0].text, "from ui 2");
    let js = api.get("/responsive-web/client-web/main.js").await.text();
    assert!(js.contains("postTextarea_") && js.contains("Got it"));
    x.shutdown().await;
}

#[tokio::test]
async fn hang_holds_requests_until_released() {
    let x = start().await;
    x.set_hang(true);
    let url = x.url();
    let mut pending =
        tokio::spawn(async move { send(&url, "GET", "/i/flow/login", &[], b"").await });
    // Still unanswered a while later...
    let waited = tokio::time::timeout(Duration::from_millis(300), &mut pending).await;
    assert!(waited.is_err(), "a hung request was answered");
    // ...and answered once released.
    x.set_hang(false);
    assert_eq!(pending.await.unwrap().status, 200);
    x.shutdown().await;
}
