use std::time::Duration;

use distroflow_replica::{HackerNews, HnOptions};

use crate::harness::{mode, User};

async fn replica() -> HackerNews {
    HackerNews::start(HnOptions::default()).await.unwrap()
}

fn user_for(hn: &HackerNews) -> User {
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &hn.url());
    u
}

fn chrome_json(value: &str, domain: &str) -> String {
    format!(
        r#"[{{"name":"user","value":"{value}","domain":"{domain}","path":"/","expires":-1,"httpOnly":true,"secure":true,"sameSite":"Lax"}}]"#
    )
}

async fn login_with_cookies(u: &User, hn: &HackerNews) {
    let cookie = hn.session_cookie("sandbox").unwrap();
    let f = u.file("cookies.json", &chrome_json(&cookie, "127.0.0.1"));
    let out = u
        .run(&["login", "hackernews", "--cookies", f.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_cookie_format_logs_in_and_a_link_post_lands() {
    let hn = replica().await;
    let v = hn.session_cookie("sandbox").unwrap();
    let formats = [
        // A real export from news.ycombinator.com: follows the configured URL.
        ("chrome.json", chrome_json(&v, "news.ycombinator.com")),
        (
            "editthiscookie.json",
            format!(r#"[{{"domain":"127.0.0.1","expirationDate":4102444800,"hostOnly":true,"httpOnly":true,"name":"user","path":"/","sameSite":"unspecified","secure":false,"session":false,"storeId":"0","value":"{v}","id":1}}]"#),
        ),
        (
            "state.json",
            format!(r#"{{"cookies":[{{"name":"user","value":"{v}","domain":"127.0.0.1","path":"/","expires":-1,"httpOnly":true,"secure":false,"sameSite":"Lax"}}],"origins":[]}}"#),
        ),
        (
            "cookies.txt",
            format!("# Netscape HTTP Cookie File\n#HttpOnly_news.ycombinator.com\tFALSE\t/\tTRUE\t0\tuser\t{v}\n"),
        ),
    ];
    for (i, (name, body)) in formats.iter().enumerate() {
        let u = user_for(&hn);
        let f = u.file(name, body);
        let out = u
            .run(&["login", "hn", "--cookies", f.to_str().unwrap()])
            .await;
        assert_eq!(out.code, 0, "{name}: {out:?}");
        assert!(
            out.stderr.contains("logged in as sandbox"),
            "{name}: {out:?}"
        );

        let accounts = u.run(&["accounts", "--json"]).await;
        let row = accounts
            .json()
            .into_iter()
            .find(|r| r["platform"] == "hackernews")
            .unwrap();
        assert_eq!(row["status"], "logged_in", "{name}: {accounts:?}");

        let link = format!("https://example.com/{i}");
        let title = format!("Cookie format {name}");
        let out = u
            .run(&["post", "--to", "hn", "--title", &title, "--url", &link])
            .await;
        assert_eq!(out.code, 0, "{name}: {out:?}");
        let story = hn
            .stories()
            .into_iter()
            .find(|s| s.title == title)
            .expect("story on the replica");
        assert_eq!(story.url.as_deref(), Some(link.as_str()));
        assert_eq!(story.by, "sandbox");
        assert!(
            out.stdout
                .contains(&format!("{}/item?id={}", hn.url(), story.id)),
            "{out:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn form_login_then_text_post_keeps_the_exact_text() {
    let hn = replica().await;
    let u = user_for(&hn);
    let out = u
        .run_with_stdin(
            &[
                "login",
                "hackernews",
                "--username",
                "sandbox",
                "--password-stdin",
            ],
            Some("sandbox\n"),
        )
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let auth = u.home().join("auth/hackernews.json");
    assert_eq!(mode(&auth), 0o600);
    assert_eq!(mode(auth.parent().unwrap()), 0o700);
    assert_eq!(mode(&u.home()), 0o700);

    let title = "Ask HN: 你好，世界 👋🏽 café";
    let text = "First paragraph with emoji 👩‍👩‍👧 and 日本語.\n\nSecond paragraph after a blank line.\nA third line <b>not bold</b> & done.";
    let out = u
        .run(&[
            "post",
            "--to",
            "hackernews",
            "--title",
            title,
            "--json",
            text,
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let stories = hn.stories();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].title, title);
    assert_eq!(stories[0].text.as_deref(), Some(text));
    assert_eq!(stories[0].url, None);

    let rows = out.json();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r["platform"], "hackernews");
    assert_eq!(r["ok"], true);
    assert_eq!(r["status"], "posted");
    assert_eq!(r["id"], stories[0].id.to_string());
    assert_eq!(r["url"], format!("{}/item?id={}", hn.url(), stories[0].id));
    assert!(r["error"].is_null());
    assert!(r["duration_ms"].as_u64().is_some());
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn stdin_text_is_posted() {
    let hn = replica().await;
    let u = user_for(&hn);
    login_with_cookies(&u, &hn).await;
    let out = u
        .run_with_stdin(
            &["post", "--to", "hn", "--title", "From stdin", "-"],
            Some("piped text\nsecond line\n"),
        )
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let s = &hn.stories()[0];
    assert_eq!(s.text.as_deref(), Some("piped text\nsecond line"));
}

#[tokio::test(flavor = "multi_thread")]
async fn logged_out_is_an_auth_error_with_the_login_hint() {
    let hn = replica().await;
    // Nothing saved at all: no browser needed to know.
    let u = user_for(&hn);
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
    let r = &out.json()[0];
    assert_eq!(r["ok"], false);
    assert_eq!(r["error"]["kind"], "auth");
    assert_eq!(r["error"]["hint"], "run `distroflow login hackernews`");

    // A saved session the site no longer accepts: the page says so.
    let f = u.file("stale.json", &chrome_json("sandbox&stale", "127.0.0.1"));
    let out = u
        .run(&[
            "login",
            "hn",
            "--cookies",
            f.to_str().unwrap(),
            "--no-check",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "T",
            "--url",
            "https://e.com",
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.contains("You have to be logged in"), "{out:?}");
    assert!(
        out.stdout.contains("distroflow login hackernews"),
        "{out:?}"
    );
    assert!(hn.stories().is_empty());
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );

    let accounts = u.run(&["accounts", "--json"]).await;
    let row = accounts
        .json()
        .into_iter()
        .find(|r| r["platform"] == "hackernews")
        .unwrap();
    assert_eq!(row["status"], "expired", "{accounts:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn checked_cookie_import_refuses_cookies_the_site_rejects() {
    let hn = replica().await;
    let u = user_for(&hn);
    login_with_cookies(&u, &hn).await;
    let before = std::fs::read(u.home().join("auth/hackernews.json")).unwrap();
    let f = u.file("stale.json", &chrome_json("sandbox&stale", "127.0.0.1"));
    let out = u
        .run(&["login", "hn", "--cookies", f.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("do not log in"), "{out:?}");
    assert_eq!(
        std::fs::read(u.home().join("auth/hackernews.json")).unwrap(),
        before
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn duplicate_url_reports_the_existing_item() {
    let hn = replica().await;
    let existing = hn.add_story("pg", "Already here", Some("https://example.com/dup"), None);
    let u = user_for(&hn);
    login_with_cookies(&u, &hn).await;
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "Again",
            "--url",
            "https://example.com/dup",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 1, "{out:?}");
    let r = &out.json()[0];
    assert_eq!(r["status"], "duplicate");
    assert_eq!(r["ok"], false);
    assert_eq!(r["url"], format!("{}/item?id={existing}", hn.url()));
    assert_eq!(r["id"], existing.to_string());
    assert_eq!(r["error"]["kind"], "duplicate");
    assert_eq!(hn.stories().len(), 1, "no new story");
}

#[tokio::test(flavor = "multi_thread")]
async fn submitting_too_fast_is_a_rate_limit() {
    let hn = replica().await;
    hn.set_rate_limit(Some((1, Duration::from_secs(600))));
    let u = user_for(&hn);
    login_with_cookies(&u, &hn).await;
    let first = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "One",
            "--url",
            "https://e.com/1",
        ])
        .await;
    assert_eq!(first.code, 0, "{first:?}");
    let second = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "Two",
            "--url",
            "https://e.com/2",
            "--json",
        ])
        .await;
    assert_eq!(second.code, 1, "{second:?}");
    assert_eq!(second.json()[0]["error"]["kind"], "rate_limited");
    assert_eq!(hn.stories().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn unreachable_platform_is_a_network_error() {
    let mut u = User::new();
    // Port 9 (discard) on loopback: nothing listens.
    u.set("DISTROFLOW_HACKERNEWS_URL", "http://127.0.0.1:9");
    let f = u.file("c.json", &chrome_json("sandbox&x", "127.0.0.1"));
    let out = u
        .run(&[
            "login",
            "hn",
            "--cookies",
            f.to_str().unwrap(),
            "--no-check",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
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
    let r = &out.json()[0];
    assert_eq!(r["error"]["kind"], "network", "{out:?}");
    assert!(r["error"]["message"]
        .as_str()
        .unwrap()
        .contains("127.0.0.1:9"));
    assert!(u.leftover_browsers().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_and_captcha() {
    let hn = HackerNews::start(HnOptions {
        captcha_after_failed_logins: Some(2),
        ..HnOptions::default()
    })
    .await
    .unwrap();
    let u = user_for(&hn);
    let args = ["login", "hn", "--username", "sandbox", "--password-stdin"];
    let out = u.run_with_stdin(&args, Some("wrong")).await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("Bad login"), "{out:?}");
    assert!(!u.home().join("auth/hackernews.json").exists());
    let out = u.run_with_stdin(&args, Some("wrong again")).await;
    assert_eq!(out.code, 1, "{out:?}");
    // After repeated failures the site wants a CAPTCHA: that is for a person.
    let out = u.run_with_stdin(&args, Some("sandbox")).await;
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("asks for a person"), "{out:?}");
    assert!(!u.home().join("auth/hackernews.json").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn no_cookie_value_is_ever_printed() {
    let hn = replica().await;
    let secret = hn.session_cookie("sandbox").unwrap();
    let token = secret.split('&').nth(1).unwrap().to_string();
    let u = user_for(&hn);
    let f = u.file("c.json", &chrome_json(&secret, "127.0.0.1"));
    let mut outputs = vec![
        u.run(&["-vv", "login", "hn", "--cookies", f.to_str().unwrap()])
            .await,
    ];
    outputs.push(
        u.run(&[
            "-vv",
            "post",
            "--to",
            "hn",
            "--title",
            "S",
            "--url",
            "https://e.com/s",
            "--json",
        ])
        .await,
    );
    outputs.push(u.run(&["-vv", "accounts"]).await);
    outputs.push(u.run(&["accounts", "--json"]).await);
    outputs.push(u.run(&["accounts", "--offline", "--json"]).await);
    for o in &outputs {
        assert!(
            !o.stdout.contains(&token) && !o.stderr.contains(&token),
            "cookie value printed: {o:?}"
        );
    }
    assert_eq!(outputs[1].code, 0, "{:?}", outputs[1]);
}

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_post_prints_the_replica_item_url() {
    let u = User::new();
    let out = u
        .run(&[
            "post",
            "--sandbox",
            "--to",
            "hackernews",
            "--title",
            "Hello",
            "--url",
            "https://example.com",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("/item?id="), "{out:?}");
    assert!(out.stdout.starts_with("✓ hackernews"), "{out:?}");
    assert!(u.leftover_browsers().is_empty());
}
