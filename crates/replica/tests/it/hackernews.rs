//! The Hacker News replica over real HTTP.

use std::time::{Duration, Instant};

use distroflow_replica::{HackerNews, HnOptions};

use crate::client::{Client, Response};

async fn start() -> HackerNews {
    HackerNews::start(HnOptions::default())
        .await
        .expect("start")
}

/// A client logged in as `sandbox` through the login form.
async fn sandbox(hn: &HackerNews) -> Client {
    let mut client = Client::new(&hn.url());
    let response = client.login("sandbox", "sandbox").await;
    assert_eq!(response.status, 302, "{}", response.body);
    client
}

/// Fetches a fresh submit form and posts it with these fields.
async fn submit(client: &Client, title: &str, url: &str, text: &str) -> Response {
    let form = client.get("/submit").await;
    let fnid = form.input_value("fnid").expect("fnid in submit form");
    client
        .post(
            "/r",
            &[
                ("fnid", &fnid),
                ("fnop", "submit-page"),
                ("title", title),
                ("url", url),
                ("text", text),
            ],
        )
        .await
}

/// The id of the first `tr.athing` on a page.
fn first_athing_id(body: &str) -> Option<u64> {
    let needle = "<tr class=\"athing submission\" id=\"";
    let start = body.find(needle)? + needle.len();
    let end = body[start..].find('"')? + start;
    body[start..end].parse().ok()
}

fn assert_html(response: &Response) {
    assert_eq!(
        response.header("content-type"),
        Some("text/html; charset=utf-8")
    );
}

#[tokio::test]
async fn url_has_no_trailing_slash_and_pages_are_html() {
    let hn = start().await;
    let url = hn.url();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(!url.ends_with('/'));

    let client = Client::new(&url);
    for path in [
        "/",
        "/news",
        "/newest",
        "/login",
        "/submit",
        "/user?id=sandbox",
    ] {
        let response = client.get(path).await;
        assert_eq!(response.status, 200, "{path}");
        assert_html(&response);
        assert!(
            response.body.starts_with("<html lang=\"en\" op=\""),
            "{path}"
        );
        assert!(response.body.contains("<meta charset=\"utf-8\">"), "{path}");
    }
    let news = client.get("/news").await;
    assert!(news.body.contains("<table id=\"hnmain\""));
    assert!(news.body.contains("<span class=\"pagetop\">"));
    assert!(news.body.contains("<a href=\"submit\">submit</a>"));
    assert!(news.body.contains("<a href=\"login?goto=news\">login</a>"));

    let unknown = client.get("/nope").await;
    assert_eq!(unknown.status, 404);
    assert_html(&unknown);
    assert!(unknown.body.contains("Unknown."));
    assert!(client
        .get("/item?id=1")
        .await
        .body
        .contains("No such item."));
    assert!(client
        .get("/submitted?id=ghost")
        .await
        .body
        .contains("No such user."));
    hn.shutdown().await;
}

#[tokio::test]
async fn login_sets_the_issued_cookie_and_shows_the_user() {
    let hn = start().await;
    let mut client = Client::new(&hn.url());

    let page = client.get("/login?goto=submit").await;
    assert!(page.body.contains(concat!(
        "<b>Login</b><br><br><form action=\"login\" method=\"post\"><input type=\"hidden\" name=\"goto\" value=\"submit\">",
        "<table border=\"0\"><tr><td>username:</td><td><input type=\"text\" name=\"acct\" size=\"20\" autocorrect=\"off\" spellcheck=\"false\" autocapitalize=\"off\" autofocus=\"true\"></td></tr>",
        "<tr><td>password:</td><td><input type=\"password\" name=\"pw\" size=\"20\"></td></tr></table><br><input type=\"submit\" value=\"login\"></form>"
    )));

    let response = client.login("sandbox", "sandbox").await;
    assert_eq!(response.status, 302);
    assert_eq!(response.location(), Some("news"));
    let set_cookie = response.header("set-cookie").unwrap();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("Path=/"),
        "{set_cookie}"
    );
    let cookie = response.set_cookie("user").unwrap();
    assert!(cookie.starts_with("sandbox&"));
    assert_eq!(hn.session_cookie("sandbox"), Some(cookie.clone()));
    assert_eq!(hn.session_cookie("nobody"), None);

    let news = client.get("/news").await;
    assert!(news.body.contains("<a id=\"me\" href=\"user?id=sandbox\">sandbox</a> (1) | <a id=\"logout\" rel=\"nofollow\" href=\"logout?auth="));
    assert!(news.body.contains("&amp;goto=news\">logout</a>"));

    // A cookie built from session_cookie works without the form.
    let from_file = Client::with_cookie(&hn.url(), &hn.session_cookie("sandbox").unwrap());
    assert!(from_file.get("/newest").await.body.contains("id=\"me\""));
    // A forged one does not.
    let forged = Client::with_cookie(&hn.url(), "sandbox&notissued");
    assert!(!forged.get("/newest").await.body.contains("id=\"me\""));

    let logout = client.get("/logout?auth=x&goto=newest").await;
    assert_eq!(logout.status, 302);
    assert_eq!(logout.location(), Some("newest"));
    assert_eq!(logout.set_cookie("user").as_deref(), Some(""));
    hn.shutdown().await;
}

#[tokio::test]
async fn bad_login_then_validation_required() {
    let hn = HackerNews::start(HnOptions {
        captcha_after_failed_logins: Some(2),
        ..HnOptions::default()
    })
    .await
    .unwrap();
    let mut client = Client::new(&hn.url());

    let bad = client.login("sandbox", "wrong").await;
    assert_eq!(bad.status, 200);
    assert!(bad.header("set-cookie").is_none());
    assert!(bad.body.contains("Bad login.<br><br><b>Login</b>"));
    assert!(bad.body.contains("<input type=\"password\" name=\"pw\""));

    let second = client.login("nobody", "x").await;
    let challenge =
        "Validation required. If this doesn't work, you can email hn@ycombinator.com for help.";
    assert!(second.body.contains(challenge), "{}", second.body);
    assert!(second
        .body
        .contains("<div class=\"g-recaptcha\" data-sitekey=\"x\"></div>"));

    // No way through, even with the right password.
    let right = client.login("sandbox", "sandbox").await;
    assert_eq!(right.status, 200);
    assert!(right.header("set-cookie").is_none());
    assert!(right.body.contains(challenge));
    assert!(client.get("/login").await.body.contains("g-recaptcha"));
    hn.shutdown().await;
}

#[tokio::test]
async fn submit_needs_login() {
    let hn = start().await;
    let client = Client::new(&hn.url());
    let page = client.get("/submit").await;
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains("You have to be logged in to submit.<br><br><b>Login</b>"));
    assert!(page.body.contains("name=\"goto\" value=\"submit\""));

    // A logged-out post creates nothing.
    let logged_in = sandbox(&hn).await;
    let fnid = logged_in.get("/submit").await.input_value("fnid").unwrap();
    let post = client
        .post("/r", &[("fnid", &fnid), ("title", "t"), ("text", "x")])
        .await;
    assert!(post.body.contains("You have to be logged in to submit."));
    assert!(hn.stories().is_empty());
    hn.shutdown().await;
}

#[tokio::test]
async fn submit_form_matches_the_real_page() {
    let hn = start().await;
    let client = sandbox(&hn).await;
    let page = client.get("/submit").await;
    let body = &page.body;
    assert!(body.contains(
        "<form action=\"r\" method=\"post\"><input type=\"hidden\" name=\"fnid\" value=\""
    ));
    assert!(body.contains("<input type=\"hidden\" name=\"fnop\" value=\"submit-page\">"));
    assert!(body.contains("<input type=\"text\" name=\"title\" value=\"\" size=\"50\" maxlength=\"80\" oninput=\"tlen(this)\" onfocus=\"tlen(this)\">"));
    assert!(body.contains("<input type=\"url\" name=\"url\" value=\"\" size=\"50\">"));
    assert!(body
        .contains("<textarea name=\"text\" rows=\"4\" cols=\"49\" wrap=\"virtual\"></textarea>"));
    assert!(body.contains("<input type=\"submit\" value=\"submit\">"));
    assert!(body.contains("Leave url blank to submit a question for discussion."));
    // Each visit issues a different one-time id.
    let again = client.get("/submit").await;
    assert_ne!(page.input_value("fnid"), again.input_value("fnid"));
    hn.shutdown().await;
}

#[tokio::test]
async fn fnid_is_one_time() {
    let hn = start().await;
    let client = sandbox(&hn).await;
    let fnid = client.get("/submit").await.input_value("fnid").unwrap();
    let form = [
        ("fnid", fnid.as_str()),
        ("fnop", "submit-page"),
        ("title", "Once"),
        ("url", ""),
        ("text", "body"),
    ];
    let first = client.post("/r", &form).await;
    assert_eq!(first.status, 302);
    let second = client.post("/r", &form).await;
    assert_eq!(second.status, 200);
    assert!(second.body.contains("Unknown or expired link."));
    let bogus = client
        .post("/r", &[("fnid", "bogus"), ("title", "t"), ("text", "x")])
        .await;
    assert!(bogus.body.contains("Unknown or expired link."));
    assert_eq!(hn.stories().len(), 1);
    hn.shutdown().await;
}

#[tokio::test]
async fn title_over_80_characters_is_refused() {
    let hn = start().await;
    let client = sandbox(&hn).await;
    let long = "字".repeat(81);
    let refused = submit(&client, &long, "", "text").await;
    assert_eq!(refused.status, 200);
    assert!(refused
        .body
        .contains("Please make title &lt; 80 characters."));
    // The form comes back filled in, with a fresh id.
    assert!(refused
        .body
        .contains(&format!("name=\"title\" value=\"{long}\"")));
    assert!(refused.input_value("fnid").is_some());
    assert!(hn.stories().is_empty());

    let exactly = "字".repeat(80);
    let accepted = submit(&client, &exactly, "", "text").await;
    assert_eq!(accepted.status, 302);
    assert_eq!(hn.stories()[0].title, exactly);

    let blank = submit(&client, "   ", "", "text").await;
    assert!(blank.body.contains("Please submit a title."));
    assert_eq!(hn.stories().len(), 1);
    hn.shutdown().await;
}

#[tokio::test]
async fn url_or_text_is_required() {
    let hn = start().await;
    let client = sandbox(&hn).await;
    let neither = submit(&client, "Title", " ", " \r\n ").await;
    assert_eq!(neither.status, 200);
    assert!(neither.body.contains("Please enter a url, or some text."));
    assert!(hn.stories().is_empty());

    assert_eq!(
        submit(&client, "Link", "https://example.com/a ", "")
            .await
            .status,
        302
    );
    let story = &hn.stories()[0];
    assert_eq!(story.url.as_deref(), Some("https://example.com/a"));
    assert_eq!(story.text, None);
    hn.shutdown().await;
}

#[tokio::test]
async fn duplicate_url_upvotes_the_existing_story() {
    let hn = start().await;
    let seeded = hn.add_story("someone", "Original", Some("https://example.com/x"), None);
    let client = sandbox(&hn).await;
    let response = submit(&client, "Again", " https://example.com/x ", "").await;
    assert_eq!(response.status, 302);
    assert_eq!(
        response.location(),
        Some(format!("item?id={seeded}").as_str())
    );
    let stories = hn.stories();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].points, 2);
    let item = client.get(&format!("/item?id={seeded}")).await;
    assert!(item.body.contains(&format!(
        "<span class=\"score\" id=\"score_{seeded}\">2 points</span>"
    )));
    hn.shutdown().await;
}

#[tokio::test]
async fn rate_limit_refuses_the_next_submission() {
    let hn = HackerNews::start(HnOptions {
        rate_limit: Some((2, Duration::from_secs(3600))),
        ..HnOptions::default()
    })
    .await
    .unwrap();
    let client = sandbox(&hn).await;
    assert_eq!(submit(&client, "One", "", "1").await.status, 302);
    assert_eq!(submit(&client, "Two", "", "2").await.status, 302);
    let third = submit(&client, "Three", "", "3").await;
    assert_eq!(third.status, 200);
    assert!(third
        .body
        .contains("You're submitting too fast. Please slow down. Thanks."));
    assert_eq!(hn.stories().len(), 2);

    hn.set_rate_limit(None);
    assert_eq!(submit(&client, "Three", "", "3").await.status, 302);
    assert_eq!(hn.stories().len(), 3);

    // A short window lets submissions through again once it has passed.
    hn.set_rate_limit(Some((1, Duration::ZERO)));
    assert_eq!(submit(&client, "Four", "", "4").await.status, 302);
    hn.shutdown().await;
}

#[tokio::test]
async fn submitted_story_shows_exactly_as_written() {
    let hn = start().await;
    hn.add_story(
        "other",
        "Older story",
        Some("https://www.example.org/old"),
        None,
    );
    let client = sandbox(&hn).await;

    let title = "Rust <b>&</b> \"quotes\" 🦀 漢字 ";
    let text = "First line 😀\r\nsame paragraph 日本語\r\n\r\n<script>alert(1)</script> & more\r\n\r\n\r\nLast ✓";
    let response = submit(&client, title, "", text).await;
    assert_eq!(response.status, 302);
    assert_eq!(response.location(), Some("newest"));

    let story = hn.stories()[0].clone();
    assert_eq!(story.title, "Rust <b>&</b> \"quotes\" 🦀 漢字");
    assert_eq!(
        story.text.as_deref(),
        Some(text.replace("\r\n", "\n").as_str())
    );
    assert_eq!(story.by, "sandbox");
    assert_eq!(story.points, 1);
    assert!(story.id >= 10_000_000, "8-digit ids: {}", story.id);

    let escaped_title = "Rust &lt;b&gt;&amp;&lt;/b&gt; \"quotes\" 🦀 漢字";
    let newest = client.get("/newest").await;
    assert_eq!(first_athing_id(&newest.body), Some(story.id));
    assert!(newest.body.contains(&format!(
        "<span class=\"titleline\"><a href=\"item?id={}\">{escaped_title}</a></span>",
        story.id
    )));
    assert!(newest
        .body
        .contains("<tr class=\"spacer\" style=\"height:5px\"></tr>"));
    assert!(!newest.body.contains("<script>alert"));

    let submitted = client.get("/submitted?id=sandbox").await;
    assert_eq!(first_athing_id(&submitted.body), Some(story.id));
    assert!(!submitted.body.contains("Older story"));

    let item = client.get(&format!("/item?id={}", story.id)).await;
    assert_eq!(item.status, 200);
    assert!(item.body.contains("<table class=\"fatitem\""));
    assert!(item.body.contains(&format!(
        "<tr class=\"athing submission\" id=\"{id}\"><td align=\"right\" valign=\"top\" class=\"title\"><span class=\"rank\"></span></td>",
        id = story.id
    )));
    assert!(item.body.contains(&format!(
        "<span class=\"score\" id=\"score_{id}\">1 point</span> by <a href=\"user?id=sandbox\" class=\"hnuser\">sandbox</a> <span class=\"age\" title=\"",
        id = story.id
    )));
    assert!(item.body.contains(concat!(
        "<div class=\"toptext\">First line 😀\nsame paragraph 日本語",
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</p><p>Last ✓</p></div>"
    )));
    assert!(item
        .body
        .contains(&format!("<title>{escaped_title} | Hacker News</title>")));

    // Link posts show their site.
    let old = client
        .get(&format!("/item?id={}", hn.stories()[1].id))
        .await;
    assert!(old.body.contains("<a href=\"https://www.example.org/old\">Older story</a><span class=\"sitebit comhead\"> (<a href=\"from?site=example.org\"><span class=\"sitestr\">example.org</span></a>)</span>"));
    hn.shutdown().await;
}

#[tokio::test]
async fn user_page_and_karma() {
    let hn = start().await;
    let client = Client::new(&hn.url());
    let page = client.get("/user?id=sandbox").await;
    assert!(page
        .body
        .contains("<a href=\"user?id=sandbox\" class=\"hnuser\">sandbox</a>"));
    assert!(page
        .body
        .contains("<td valign=\"top\">karma:</td><td>1</td>"));
    assert!(client
        .get("/user?id=ghost")
        .await
        .body
        .contains("No such user."));
    hn.shutdown().await;
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let hn = start().await;
    let addr = hn.url().trim_start_matches("http://").to_owned();
    hn.shutdown().await;
    assert!(tokio::net::TcpStream::connect(&addr).await.is_err());

    let hn = start().await;
    let addr = hn.url().trim_start_matches("http://").to_owned();
    drop(hn);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if tokio::net::TcpStream::connect(&addr).await.is_err() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "server still accepting after drop"
        );
        tokio::task::yield_now().await;
    }
}

/// Comments: nested in the item page (depth in `td.ind[indent]`), whole
/// threads per page with a "More" link, a deleted one kept as `[deleted]`
/// with its replies; the "add comment" form takes a logged-in user's new
/// comment or reply, and refuses a logged-out one.
#[tokio::test]
async fn comments_nest_page_and_take_new_ones() {
    let hn = start().await;
    hn.set_comment_threads_per_page(1);
    let story = hn.add_story(
        "sandbox",
        "Show HN: replies",
        Some("https://example.com"),
        None,
    );
    let a = hn
        .add_comment(story, None, "alice", "First", Duration::from_secs(60))
        .unwrap();
    let gone = hn
        .add_comment(story, None, "troll", "gone", Duration::from_secs(50))
        .unwrap();
    hn.add_comment(
        story,
        Some(gone),
        "bob",
        "under gone",
        Duration::from_secs(40),
    )
    .unwrap();
    hn.delete_comment(gone);
    assert!(hn
        .add_comment(story + 999_999, None, "x", "no story", Duration::ZERO)
        .is_none());

    let anon = Client::new(&hn.url());
    let page1 = anon.get(&format!("/item?id={story}")).await.body;
    assert!(
        page1.contains(&format!("<tr class=\"athing comtr\" id=\"{a}\">")),
        "{page1}"
    );
    assert!(page1.contains("class=\"morelink\""), "{page1}");
    assert!(!page1.contains("under gone"));
    let page2 = anon.get(&format!("/item?id={story}&p=2")).await.body;
    assert!(
        page2.contains("[deleted]") && !page2.contains(">troll<"),
        "{page2}"
    );
    assert!(
        page2.contains("indent=\"1\"") && page2.contains("under gone"),
        "{page2}"
    );
    assert!(!page2.contains("class=\"morelink\""));

    let refused = anon
        .post(
            "/comment",
            &[("parent", &story.to_string()), ("text", "anon")],
        )
        .await;
    assert!(refused.body.contains("logged in"), "{}", refused.body);

    let me = sandbox(&hn).await;
    let goto = format!("item?id={story}");
    let r = me
        .post(
            "/comment",
            &[
                ("parent", &a.to_string()),
                ("goto", &goto),
                ("text", "A reply"),
            ],
        )
        .await;
    assert_eq!(r.status, 302, "{}", r.body);
    assert_eq!(r.location(), Some(goto.as_str()));
    let page1 = anon.get(&format!("/item?id={story}")).await.body;
    assert!(
        page1.contains("A reply") && page1.contains("indent=\"1\""),
        "{page1}"
    );
}
