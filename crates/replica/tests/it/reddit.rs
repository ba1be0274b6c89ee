//! The Reddit replica over real HTTP: both UIs' pages, the new UI's submit
//! and upload calls, the old UI's form, errors and faults. What the pages'
//! scripts do in a browser is tested through the adapter in
//! distroflow-platforms.

use std::time::Duration;

use distroflow_replica::{Reddit, RedditOptions};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("json body")
    }

    /// The value of attribute `attr` on the first element that has it.
    pub(crate) fn attr(&self, attr: &str) -> Option<String> {
        let needle = format!("{attr}=\"");
        let start = self.body.find(&needle)? + needle.len();
        let end = self.body[start..].find('"')? + start;
        Some(self.body[start..end].to_owned())
    }
}

/// One HTTP/1.1 request (no redirects followed); `cookie` is `NAME=VALUE`.
pub(crate) async fn send(
    base: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> Reply {
    let addr = base.strip_prefix("http://").expect("http url");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(cookie) = cookie {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if !content_type.is_empty() {
        head.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("write");
    stream.write_all(body).await.expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    }) {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body: String::from_utf8(body).expect("utf-8 body"),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = data.windows(2).position(|w| w == b"\r\n").expect("size");
        let size = usize::from_str_radix(
            std::str::from_utf8(&data[..end])
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .expect("hex size");
        data = &data[end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

pub(crate) fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
        .into_bytes()
}

const FORM: &str = "application/x-www-form-urlencoded";

struct Site {
    reddit: Reddit,
    cookie: String,
}

impl Site {
    async fn start() -> Site {
        let reddit = Reddit::start(RedditOptions::default()).await.unwrap();
        let cookie = format!(
            "reddit_session={}",
            reddit.session_cookie("sandbox").unwrap()
        );
        Site { reddit, cookie }
    }

    async fn get(&self, path: &str) -> Reply {
        send(&self.reddit.url(), "GET", path, Some(&self.cookie), "", b"").await
    }

    async fn anon(&self, path: &str) -> Reply {
        send(&self.reddit.url(), "GET", path, None, "", b"").await
    }

    async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        send(
            &self.reddit.url(),
            "POST",
            path,
            Some(&self.cookie),
            FORM,
            &form(pairs),
        )
        .await
    }

    /// Submits through the new UI's call, with the page's csrf token.
    async fn new_submit(&self, pairs: &[(&str, &str)]) -> Value {
        let page = self.get("/r/rust/submit/?type=TEXT").await;
        let csrf = page.attr("csrf-token").expect("csrf-token");
        let mut all = pairs.to_vec();
        all.push(("csrf_token", &csrf));
        let reply = self.post("/svc/shreddit/submit", &all).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()
    }

    /// Submits old Reddit's form with its `uh`.
    async fn old_submit(&self, sub: &str, pairs: &[(&str, &str)]) -> Reply {
        let page = self.get(&format!("/r/{sub}/submit")).await;
        let uh = input_value(&page.body, "uh").expect("uh");
        let mut all = pairs.to_vec();
        all.push(("uh", &uh));
        self.post(&format!("/r/{sub}/submit"), &all).await
    }
}

fn input_value(body: &str, name: &str) -> Option<String> {
    let needle = format!("name=\"{name}\" value=\"");
    let start = body.find(&needle)? + needle.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_owned())
}

#[tokio::test]
async fn new_ui_composer_page_has_the_real_structure() {
    let site = Site::start().await;
    let page = site.get("/r/RuSt/submit/?type=TEXT").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    for needle in [
        "<shreddit-app user-logged-in=\"true\"",
        "<r-post-composer-form subreddit-name=\"rust\" post-type=\"TEXT\"",
        "<r-post-type-select selected=\"TEXT\">",
        "<faceplate-textarea-input name=\"title\" label=\"Title\" maxlength=\"300\" required>",
        "<faceplate-textarea-input name=\"link\"",
        "<r-post-media-input>",
        "<shreddit-composer name=\"body\"",
        "<div slot=\"rte\" contenteditable=\"true\" role=\"textbox\" data-lexical-editor=\"true\" aria-label=\"Post body text field\"",
        "<r-post-form-submit-button id=\"submit-post-button\">",
        "customElements.define('r-post-composer-form'",
        "attachShadow({ mode: 'open' })",
        "id=\"innerTextArea\"",
        "id=\"inner-post-submit-button\" type=\"submit\" disabled>Post</button>",
        "accept=\"image/*,video/*\"",
        "id=\"reddit-post-flair-button\"",
    ] {
        assert!(page.body.contains(needle), "missing {needle}");
    }
    // No flair on an ordinary subreddit.
    assert!(!page.body.contains(" flairs-required"));
    assert!(site
        .get("/r/rust/submit/?type=LINK")
        .await
        .body
        .contains("post-type=\"LINK\""));
    assert!(site
        .get("/r/rust/submit?type=IMAGE")
        .await
        .body
        .contains("post-type=\"IMAGE\""));

    let flair = site.get("/r/FlairTest/submit/").await;
    assert!(flair.body.contains(" flairs-required data-flairs=\""));
    for name in ["Discussion", "Show and Tell", "Question"] {
        assert!(
            flair
                .body
                .contains(&format!("&quot;text&quot;:&quot;{name}&quot;")),
            "{name}"
        );
    }

    let out = site.anon("/r/rust/submit/?type=TEXT").await;
    assert_eq!(out.status, 302);
    assert_eq!(
        out.header("location"),
        Some("/login/?dest=%2Fr%2Frust%2Fsubmit%2F%3Ftype%3DTEXT")
    );
    let login = site.anon("/login/").await;
    assert!(login
        .body
        .contains("<shreddit-app user-logged-in=\"false\""));
    assert!(login.body.contains("<input name=\"username\""));

    for bad in [
        "/r/ab/submit/",
        "/r/has-dash/submit/",
        "/r/abcdefghijklmnopqrstuv/",
    ] {
        let r = site.get(bad).await;
        assert_eq!(r.status, 404, "{bad}");
        assert!(r
            .body
            .contains("Sorry, there aren't any communities on Reddit with that name."));
    }
    site.reddit.shutdown().await;
}

#[tokio::test]
async fn new_ui_submit_call_stores_posts_and_refuses_like_reddit() {
    let site = Site::start().await;
    let body = "para ✨\n\n中文\n\n\nend";
    let ok = site
        .new_submit(&[
            ("sr", "Rust"),
            ("kind", "self"),
            ("title", "  Hello 🦀  "),
            ("text", body),
        ])
        .await;
    assert_eq!(ok["ok"], true, "{ok}");
    let posts = site.reddit.posts();
    assert_eq!(posts.len(), 1);
    let p = &posts[0];
    assert_eq!(
        (
            p.subreddit.as_str(),
            p.kind.as_str(),
            p.title.as_str(),
            p.body.as_str()
        ),
        ("rust", "self", "Hello 🦀", body)
    );
    assert_eq!((p.author.as_str(), p.ui.as_str()), ("sandbox", "new"));
    assert!(p.id.len() >= 6 && p.id.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(
        ok["redirect"],
        format!("/r/rust/?created=t3_{}&createdPostType=TEXT", p.id)
    );

    // The post page and the listing.
    let page = site.anon(&format!("/r/rust/comments/{}/", p.id)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&format!(
        "<shreddit-post id=\"t3_{}\" post-title=\"Hello 🦀\"",
        p.id
    )));
    assert!(page.body.contains("<h1 slot=\"title\""));
    assert!(page.body.contains("<p>para ✨</p><p>中文</p><p>end</p>"));
    let slugged = site
        .anon(&format!("/r/rust/comments/{}/hello/", p.id))
        .await;
    assert_eq!(slugged.status, 200);
    assert!(site
        .anon("/r/rust/")
        .await
        .body
        .contains(&format!("id=\"t3_{}\"", p.id)));
    assert_eq!(site.anon("/r/rust/comments/zzzzzzz/").await.status, 404);

    let link = site
        .new_submit(&[
            ("sr", "rust"),
            ("kind", "link"),
            ("title", "A link"),
            ("url", "https://example.com/x"),
        ])
        .await;
    assert_eq!(link["ok"], true, "{link}");
    assert_eq!(
        site.reddit.posts()[1].url.as_deref(),
        Some("https://example.com/x")
    );

    let refusals = [
        (
            vec![("sr", "flairtest"), ("kind", "self"), ("title", "t")],
            "Your post must contain post flair.",
        ),
        (
            vec![("sr", "rust"), ("kind", "self"), ("title", " ")],
            "Please fill out this field.",
        ),
        (
            vec![
                ("sr", "rust"),
                ("kind", "link"),
                ("title", "t"),
                ("url", "javascript:x"),
            ],
            "Link doesn't look right",
        ),
        (
            vec![
                ("sr", "rust"),
                ("kind", "image"),
                ("title", "t"),
                ("media", "nope"),
            ],
            "Add an image or video to your post",
        ),
        (
            vec![("sr", "x"), ("kind", "self"), ("title", "t")],
            "Sorry, there aren't any communities on Reddit with that name.",
        ),
    ];
    for (pairs, message) in refusals {
        let reply = site.new_submit(&pairs).await;
        assert_eq!(reply["ok"], false);
        assert_eq!(reply["message"], message);
    }
    let long = "é".repeat(301);
    let reply = site
        .new_submit(&[("sr", "rust"), ("kind", "self"), ("title", &long)])
        .await;
    assert_eq!(reply["message"], "Title must be 300 characters or less");
    assert_eq!(site.reddit.posts().len(), 2);

    // Flair by the template id the page lists.
    let page = site.get("/r/flairtest/submit/").await;
    let flairs: Value =
        serde_json::from_str(&page.attr("data-flairs").unwrap().replace("&quot;", "\"")).unwrap();
    let question = flairs
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["text"] == "Question")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = site
        .new_submit(&[
            ("sr", "flairtest"),
            ("kind", "self"),
            ("title", "flaired"),
            ("flair_id", &question),
        ])
        .await;
    assert_eq!(reply["ok"], true, "{reply}");
    assert_eq!(site.reddit.posts()[2].flair.as_deref(), Some("Question"));

    // The rate limit, as new Reddit words it.
    site.reddit
        .set_rate_limit(Some((1, Duration::from_secs(600))));
    let reply = site
        .new_submit(&[("sr", "rust"), ("kind", "self"), ("title", "t")])
        .await;
    assert_eq!(
        reply["message"],
        "You're doing that too much. Try again in 10 minutes."
    );
    assert_eq!(reply["error"], "RATELIMIT");
    assert_eq!(site.reddit.posts().len(), 3);

    // No session, no post; a wrong csrf token, no post.
    let anon = send(
        &site.reddit.url(),
        "POST",
        "/svc/shreddit/submit",
        None,
        FORM,
        &form(&[("sr", "rust"), ("kind", "self"), ("title", "t")]),
    )
    .await;
    assert_eq!(anon.status, 401);
    let forged = site
        .post(
            "/svc/shreddit/submit",
            &[
                ("sr", "rust"),
                ("kind", "self"),
                ("title", "t"),
                ("csrf_token", "x"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(site.reddit.posts().len(), 3);
    site.reddit.shutdown().await;
}

#[tokio::test]
async fn media_uploads_then_image_post() {
    let site = Site::start().await;
    let url = site.reddit.url();
    let up = send(
        &url,
        "POST",
        "/svc/shreddit/media-upload?filename=cat%20pic.png",
        Some(&site.cookie),
        "image/png",
        b"\x89PNG\r\n\x1a\nfake",
    )
    .await;
    assert_eq!(up.status, 200, "{}", up.body);
    let id = up.json()["id"].as_str().unwrap().to_owned();
    let refused = send(
        &url,
        "POST",
        "/svc/shreddit/media-upload?filename=a.txt",
        Some(&site.cookie),
        "text/plain",
        b"hello",
    )
    .await;
    assert_eq!(refused.status, 400);
    let anon = send(
        &url,
        "POST",
        "/svc/shreddit/media-upload?filename=a.png",
        None,
        "image/png",
        b"x",
    )
    .await;
    assert_eq!(anon.status, 401);

    let reply = site
        .new_submit(&[
            ("sr", "pics"),
            ("kind", "image"),
            ("title", "a cat"),
            ("media", &id),
        ])
        .await;
    assert_eq!(reply["ok"], true, "{reply}");
    let p = &site.reddit.posts()[0];
    assert_eq!(
        (p.kind.as_str(), p.media.clone()),
        ("image", vec!["cat pic.png".to_string()])
    );
    assert!(reply["redirect"]
        .as_str()
        .unwrap()
        .ends_with("createdPostType=IMAGE"));
    site.reddit.shutdown().await;
}

#[tokio::test]
async fn old_ui_form_errors_and_success() {
    let site = Site::start().await;
    let page = site.get("/r/Rust/submit").await;
    assert_eq!(page.status, 200);
    for needle in [
        "<form id=\"newlink\" class=\"submit content warn-on-unload\" action=\"/r/rust/submit\" method=\"post\">",
        "<input type=\"hidden\" name=\"uh\" value=\"",
        "<input type=\"hidden\" name=\"kind\" value=\"link\">",
        "<a class=\"link-button choice\"",
        "<a class=\"text-button choice\"",
        "<textarea name=\"title\"",
        "<input id=\"url\" name=\"url\" type=\"url\" value=\"\">",
        "<textarea rows=\"6\" cols=\"1\" name=\"text\" disabled>",
        "<input id=\"sr-autocomplete\" name=\"sr\" type=\"text\" autocomplete=\"off\" value=\"rust\">",
        "<button class=\"btn\" name=\"submit\" value=\"form\" type=\"submit\">submit</button>",
        "<div id=\"header-bottom-right\"><span class=\"user\"><a href=\"/user/sandbox/\">sandbox</a>",
        "<form method=\"post\" action=\"/logout\" class=\"logout hover\">",
    ] {
        assert!(page.body.contains(needle), "missing {needle}");
    }
    let text_tab = site.get("/r/rust/submit?selftext=true").await;
    assert!(text_tab.body.contains("name=\"kind\" value=\"self\""));
    assert!(text_tab
        .body
        .contains("<input id=\"url\" name=\"url\" type=\"url\" value=\"\" disabled>"));
    assert!(!site
        .get("/r/rust/submit")
        .await
        .body
        .contains("flair-field"));

    let flair_page = site.get("/r/flairtest/submit").await;
    assert!(flair_page
        .body
        .contains("id=\"flair-field\" data-required=\"true\""));
    assert!(flair_page.body.contains(">select flair</a>"));
    assert!(flair_page
        .body
        .contains("data-flair-text=\"Show and Tell\">Show and Tell</a>"));

    let out = site.anon("/r/rust/submit").await;
    assert_eq!(out.status, 302);
    assert_eq!(
        out.header("location"),
        Some("/login?dest=%2Fr%2Frust%2Fsubmit")
    );

    let no_title = site
        .old_submit(
            "rust",
            &[
                ("kind", "self"),
                ("title", ""),
                ("text", "body kept"),
                ("sr", "rust"),
            ],
        )
        .await;
    assert_eq!(no_title.status, 200);
    assert!(no_title
        .body
        .contains("<span class=\"error NO_TEXT field-title\">we need something here</span>"));
    assert!(no_title.body.contains(">body kept</textarea>"));

    let no_flair = site
        .old_submit(
            "flairtest",
            &[("kind", "self"), ("title", "t"), ("sr", "flairtest")],
        )
        .await;
    assert!(no_flair.body.contains(
        "<span class=\"error SUBMIT_VALIDATION_FLAIR_REQUIRED field-flair\">Your post must contain post flair.</span>"
    ));
    let bad_url = site
        .old_submit(
            "rust",
            &[
                ("kind", "link"),
                ("title", "t"),
                ("url", "notaurl"),
                ("sr", "rust"),
            ],
        )
        .await;
    assert!(bad_url
        .body
        .contains("<span class=\"error BAD_URL field-url\">"));
    assert!(site.reddit.posts().is_empty());

    let text = "old ✨\r\n\r\n第二段";
    let ok = site
        .old_submit(
            "rust",
            &[
                ("kind", "self"),
                ("title", "Old 🦀"),
                ("text", text),
                ("sr", "rust"),
            ],
        )
        .await;
    assert_eq!(ok.status, 302, "{}", ok.body);
    let p = site.reddit.posts().pop().unwrap();
    assert_eq!(
        ok.header("location").unwrap(),
        format!("/r/rust/comments/{}/old/", p.id)
    );
    assert_eq!(
        (
            p.kind.as_str(),
            p.title.as_str(),
            p.body.as_str(),
            p.ui.as_str()
        ),
        ("self", "Old 🦀", "old ✨\n\n第二段", "old")
    );

    site.reddit
        .set_rate_limit(Some((1, Duration::from_secs(120))));
    let limited = site
        .old_submit(
            "rust",
            &[
                ("kind", "link"),
                ("title", "t"),
                ("url", "https://e.com"),
                ("sr", "rust"),
            ],
        )
        .await;
    assert!(limited.body.contains(
        "<span class=\"error RATELIMIT field-ratelimit\">you are doing that too much. try again in 2 minutes.</span>"
    ));
    let forged = send(
        &site.reddit.url(),
        "POST",
        "/r/rust/submit",
        Some(&site.cookie),
        FORM,
        &form(&[("kind", "self"), ("title", "t"), ("uh", "forged")]),
    )
    .await;
    assert_eq!(forged.status, 403);
    assert_eq!(site.reddit.posts().len(), 1);
    site.reddit.shutdown().await;
}

#[tokio::test]
async fn hang_holds_requests_until_released() {
    let site = Site::start().await;
    site.reddit.set_latency(Duration::from_millis(1));
    assert_eq!(site.get("/").await.status, 200);
    site.reddit.set_hang(true);
    let url = site.reddit.url();
    let mut pending =
        tokio::spawn(async move { send(&url, "GET", "/", None, "", b"").await.status });
    assert!(
        tokio::time::timeout(Duration::from_millis(300), &mut pending)
            .await
            .is_err(),
        "a request answered while hanging"
    );
    site.reddit.set_hang(false);
    assert_eq!(pending.await.unwrap(), 200);
    site.reddit.shutdown().await;
}

/// Every composer version keeps the components and takes the same submit
/// call; later versions rename and move what the adapter looked for.
#[tokio::test]
async fn ui_versions_drift_the_composer_and_all_submit() {
    let site = Site::start().await;
    for &ui in distroflow_replica::REDDIT_UI_VERSIONS {
        site.reddit.set_ui_version(ui);
        let page = site.get("/r/rust/submit/?type=TEXT").await;
        assert_eq!(page.status, 200);
        let b = &page.body;
        assert!(b.contains("<r-post-composer-form"), "ui {ui}");
        assert!(b.contains("<r-post-form-submit-button"), "ui {ui}");
        assert!(b.contains("slot=\"rte\""), "ui {ui}");
        assert_eq!(
            b.contains("faceplate-textarea-input name=\"title\""),
            ui == 0,
            "ui {ui}"
        );
        assert_eq!(b.contains("id=\"submit-post-button\""), ui == 0, "ui {ui}");
        assert_eq!(b.contains("inner-post-submit-button"), ui == 0, "ui {ui}");
        match ui {
            1 => assert!(
                b.contains("name=\"post-title\"") && b.contains("id=\"post-submit-button\"")
            ),
            2 => assert!(b.contains("name=\"post_title\"") && b.contains("composer-actions")),
            _ => {}
        }
        let title = format!("Drift {ui}");
        let j = site
            .new_submit(&[
                ("sr", "rust"),
                ("kind", "self"),
                ("title", &title),
                ("text", "b"),
            ])
            .await;
        assert_eq!(j["ok"], Value::Bool(true), "ui {ui}: {j}");
    }
    assert_eq!(site.reddit.posts().len(), 3);
}

/// `/user/NAME/submitted/` lists the user's posts, newest first, as
/// `shreddit-post` elements with their permalink and title.
#[tokio::test]
async fn user_submitted_page_lists_shreddit_posts() {
    let site = Site::start().await;
    let j = site
        .new_submit(&[
            ("sr", "rust"),
            ("kind", "link"),
            ("title", "A \"quoted\" link"),
            ("url", "https://example.com/x"),
            ("text", ""),
        ])
        .await;
    assert_eq!(j["ok"], Value::Bool(true), "{j}");
    let id = site.reddit.posts()[0].id.clone();
    let page = site.get("/user/sandbox/submitted/").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains(&format!("<shreddit-post id=\"t3_{id}\"")),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("post-title=\"A &quot;quoted&quot; link\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains(&format!("permalink=\"/r/rust/comments/{id}/")),
        "{}",
        page.body
    );
    assert!(page.body.contains("subreddit-prefixed-name=\"r/rust\""));
    assert!(page.body.contains("content-href=\"https://example.com/x\""));
}
