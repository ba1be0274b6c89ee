//! `distroflow serve` end to end: the binary, its API over real HTTP and
//! its WebSocket, a real headless Chromium, and the replicas.

use std::time::Duration;

use async_tungstenite::tungstenite::client::IntoClientRequest;
use async_tungstenite::tungstenite::Message;
use futures::StreamExt;
use tokio::io::AsyncBufReadExt;

use crate::fanout::{four_sites, Sites};
use crate::harness::{signal, User};

const TOKEN: &str = "e2e-token-0123456789abcdef0123456789abcdef";

type Socket = async_tungstenite::WebSocketStream<async_tungstenite::tokio::ConnectStream>;

/// A running `distroflow serve` of `user`.
struct Serve {
    child: tokio::process::Child,
    port: u16,
    http: reqwest::Client,
}

impl Serve {
    async fn start(user: &mut User, args: &[&str]) -> Serve {
        user.set("DISTROFLOW_API_TOKEN", TOKEN);
        let mut all = vec!["serve", "--listen", "127.0.0.1:0"];
        all.extend_from_slice(args);
        let mut child = user.spawn(&all);
        let stdout = child.stdout.take().unwrap();
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("a first line within 60 s")
            .unwrap()
            .expect("a first line");
        let port = first
            .strip_prefix("listening on http://127.0.0.1:")
            .unwrap_or_else(|| panic!("first line: {first}"))
            .parse()
            .unwrap();
        // Keep reading stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Serve {
            child,
            port,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    async fn get(&self, path: &str) -> serde_json::Value {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// POST `path` with a JSON body and the token: the status and the answer.
    async fn send(&self, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(TOKEN)
            .json(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    /// POST /api/v1/posts: the new post's id.
    async fn post(&self, body: serde_json::Value) -> String {
        let (status, answer) = self.send("/api/v1/posts", &body).await;
        assert_eq!(status, 202, "{body}");
        answer["id"].as_str().unwrap().to_string()
    }

    /// POST /api/v1/prepare: the status and the answer.
    async fn prepare(&self, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.send("/api/v1/prepare", &body).await
    }

    /// A WebSocket on /api/v1/events, subscribed (its `ready` read).
    async fn events(&self) -> Socket {
        let mut req = format!("ws://127.0.0.1:{}/api/v1/events", self.port)
            .into_client_request()
            .unwrap();
        req.headers_mut()
            .insert("authorization", format!("Bearer {TOKEN}").parse().unwrap());
        let (mut socket, _) = async_tungstenite::tokio::connect_async(req).await.unwrap();
        let ready = next_event(&mut socket).await;
        assert_eq!(ready["type"], "ready");
        socket
    }

    /// SIGTERM, then the exit code.
    async fn stop(mut self) -> (i32, String) {
        signal(self.child.id().unwrap(), "TERM");
        let status = tokio::time::timeout(Duration::from_secs(120), self.child.wait())
            .await
            .expect("serve exits within 120 s of SIGTERM")
            .unwrap();
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            use tokio::io::AsyncReadExt;
            let _ = e.read_to_string(&mut stderr).await;
        }
        (status.code().unwrap_or(-1), stderr)
    }
}

async fn next_event(socket: &mut Socket) -> serde_json::Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(120), socket.next())
            .await
            .expect("an event within 120 s")
            .expect("the socket is open")
            .unwrap();
        if let Message::Text(t) = m {
            return serde_json::from_str(t.as_str()).unwrap();
        }
    }
}

/// The events of post `id` up to its `post.finished`.
async fn events_of(socket: &mut Socket, id: &str) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    loop {
        let e = next_event(socket).await;
        if e["post_id"] != id {
            continue;
        }
        let done = e["type"] == "post.finished";
        out.push(e);
        if done {
            return out;
        }
    }
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_post_reaches_the_replicas_with_live_events_and_is_in_history() {
    let (Sites { hn, x, .. }, mut u) = four_sites().await;
    let serve = Serve::start(&mut u, &["--no-daemon"]).await;
    let mut socket = serve.events().await;
    let text = "Posted through the API 🚀";
    let id = serve
        .post(serde_json::json!({"to": ["hn", "x"], "title": "Via the API", "text": text}))
        .await;
    let events = events_of(&mut socket, &id).await;
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types[0], "post.queued", "{events:#?}");
    assert_eq!(
        types.iter().filter(|t| **t == "job.started").count(),
        2,
        "{types:?}"
    );
    let steps: Vec<&str> = events
        .iter()
        .filter(|e| e["type"] == "job.step")
        .map(|e| e["step"].as_str().unwrap())
        .collect();
    assert!(steps.contains(&"posting"), "{steps:?}");
    let finished: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["type"] == "job.finished")
        .collect();
    assert_eq!(finished.len(), 2, "{events:#?}");
    for f in &finished {
        assert_eq!(f["ok"], true, "{f}");
        assert!(
            f["url"].as_str().unwrap().starts_with("http://127.0.0.1:"),
            "{f}"
        );
    }
    let last = events.last().unwrap();
    assert_eq!(last["ok"], true, "{last}");

    // On the sites, once each.
    assert_eq!(x.posts().iter().filter(|p| p.text == text).count(), 1);
    assert_eq!(
        hn.stories()
            .iter()
            .filter(|s| s.title == "Via the API")
            .count(),
        1
    );

    // The post's results are exactly the objects `post --json` prints.
    let view = serve.get(&format!("/api/v1/posts/{id}")).await;
    assert_eq!(view["state"], "done");
    let results = view["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let cli = u
        .run(&["post", "--to", "x", "--json", "And one from the CLI"])
        .await;
    assert_eq!(cli.code, 0, "{cli:?}");
    let cli_line = &cli.json()[0];
    let api_x = results.iter().find(|r| r["platform"] == "x").unwrap();
    assert_eq!(keys(api_x), keys(cli_line));
    let mut live = finished
        .iter()
        .find(|f| f["platform"] == "x")
        .unwrap()
        .as_object()
        .unwrap()
        .clone();
    live.remove("type");
    live.remove("post_id");
    assert_eq!(
        serde_json::Value::Object(live),
        *api_x,
        "the event carries the same object"
    );

    // The CLI's history has the API's posts, and the API the CLI's.
    let history = u.run(&["history", "--json"]).await;
    let urls: Vec<String> = history
        .json()
        .iter()
        .filter_map(|r| r["url"].as_str().map(str::to_string))
        .collect();
    for f in &finished {
        assert!(
            urls.contains(&f["url"].as_str().unwrap().to_string()),
            "{urls:?}"
        );
    }
    let api_history = serve.get("/api/v1/history?platform=x").await;
    assert_eq!(api_history.as_array().unwrap().len(), 2, "{api_history}");
    assert_eq!(api_history[0]["summary"], "And one from the CLI");

    let (code, stderr) = serve.stop().await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn five_concurrent_api_posts_each_land_exactly_once() {
    let (Sites { hn, x, .. }, mut u) = four_sites().await;
    let serve = Serve::start(&mut u, &["--no-daemon"]).await;
    let mut socket = serve.events().await;
    let texts: Vec<String> = (1..=5)
        .map(|i| format!("Concurrent post number {i}"))
        .collect();
    let ids = futures::future::join_all(
        texts
            .iter()
            .map(|t| serve.post(serde_json::json!({"to": ["x", "hn"], "title": t, "text": t}))),
    )
    .await;
    // The same post twice at once: the ledger lets one through.
    let twice = serde_json::json!({"to": ["x"], "text": "The very same post"});
    let dup = futures::future::join_all([serve.post(twice.clone()), serve.post(twice)]).await;
    let mut finished = std::collections::BTreeSet::new();
    while finished.len() < ids.len() + dup.len() {
        let e = next_event(&mut socket).await;
        if e["type"] == "post.finished" {
            finished.insert(e["post_id"].as_str().unwrap().to_string());
        }
    }
    for id in &ids {
        let view = serve.get(&format!("/api/v1/posts/{id}")).await;
        for r in view["results"].as_array().unwrap() {
            assert_eq!(r["ok"], true, "{r}");
        }
    }
    let posts = x.posts();
    let stories = hn.stories();
    for t in &texts {
        assert_eq!(posts.iter().filter(|p| &p.text == t).count(), 1, "{t}");
        assert_eq!(stories.iter().filter(|s| &s.title == t).count(), 1, "{t}");
    }
    assert_eq!(
        posts
            .iter()
            .filter(|p| p.text == "The very same post")
            .count(),
        1,
        "the same post at once lands once"
    );
    assert_eq!(posts.len(), 6);
    assert_eq!(stories.len(), 5);
    let (code, stderr) = serve.stop().await;
    assert_eq!(code, 0, "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_a_running_post_finish_then_exits_0() {
    let (Sites { x, .. }, mut u) = four_sites().await;
    let serve = Serve::start(&mut u, &["--no-daemon"]).await;
    let mut socket = serve.events().await;
    let id = serve
        .post(serde_json::json!({"to": ["x"], "text": "Finished after SIGTERM"}))
        .await;
    loop {
        let e = next_event(&mut socket).await;
        if e["post_id"] == id.as_str() && e["type"] == "job.started" {
            break;
        }
    }
    let (code, stderr) = serve.stop().await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("stopping after the running posts"),
        "{stderr}"
    );
    assert_eq!(
        x.posts()
            .iter()
            .filter(|p| p.text == "Finished after SIGTERM")
            .count(),
        1
    );
    let history = u.run(&["history", "--json", "--status", "posted"]).await;
    assert_eq!(history.json().len(), 1, "{history:?}");
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scheduler_runs_inside_serve_for_cli_and_api_jobs() {
    let (Sites { hn, .. }, mut u) = four_sites().await;
    let soon = (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3)).to_string();
    let out = u
        .run(&[
            "schedule",
            "--at",
            &soon,
            "--to",
            "hn",
            "--title",
            "From the CLI queue",
            "--json",
            "x",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let serve = Serve::start(&mut u, &[]).await;
    // The CLI's job is in the API's queue.
    let queue = serve.get("/api/v1/queue?all=true").await;
    assert_eq!(queue[0]["summary"], "From the CLI queue", "{queue}");
    // And the API's scheduled post in the CLI's.
    let soon = (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3)).to_string();
    let id = serve
        .post(serde_json::json!({"to": ["hn"], "title": "From the API queue", "text": "y", "at": soon}))
        .await;
    assert!(id.starts_with("job-"), "{id}");
    // Scheduled for a platform with no saved session: queued, with the
    // warning `distroflow schedule` gives and the command that fixes it.
    let out = u.run(&["logout", "bluesky"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let later = (jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3600)).to_string();
    let r = serve
        .http
        .post(serve.url("/api/v1/posts"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({"to": ["bluesky"], "text": "later", "at": later}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let accepted: serde_json::Value = r.json().await.unwrap();
    let warning = accepted["warnings"][0].as_str().unwrap_or_default();
    assert!(
        warning.contains("no saved session for Bluesky")
            && warning.contains("distroflow login bluesky"),
        "{accepted}"
    );
    let cancel = serve
        .http
        .delete(serve.url(&format!(
            "/api/v1/queue/{}",
            accepted["id"].as_str().unwrap().trim_start_matches("job-")
        )))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert!(cancel.status().is_success(), "{}", cancel.status());
    let listed = u.run(&["queue", "list", "--all", "--json"]).await;
    assert!(listed.stdout.contains("From the API queue"), "{listed:?}");
    // Both are posted by the server's scheduler.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while hn.stories().len() < 2 {
        assert!(std::time::Instant::now() < deadline, "{:?}", hn.stories());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let view = serve.get(&format!("/api/v1/posts/{id}")).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut view = view;
    while view["state"] != "done" {
        assert!(std::time::Instant::now() < deadline, "{view}");
        tokio::time::sleep(Duration::from_millis(200)).await;
        view = serve.get(&format!("/api/v1/posts/{id}")).await;
    }
    assert_eq!(view["job"]["state"], "done", "{view}");
    let (code, stderr) = serve.stop().await;
    assert_eq!(code, 0, "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_refuses_a_remote_address_and_keeps_its_token_private() {
    let mut u = User::new();
    let out = u.run(&["serve", "--listen", "0.0.0.0:0"]).await;
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("--allow-remote"), "{out:?}");
    // The token file: created on first serve, 0600, and a rotation
    // replaces it.
    u.set("DISTROFLOW_CHROME", "/nonexistent");
    let serve = Serve::start(&mut u, &["--no-daemon"]).await;
    let (code, _) = serve.stop().await;
    assert_eq!(code, 0);
    let file = u.home().join("api-token");
    assert_eq!(crate::harness::mode(&file), 0o600);
    let first = std::fs::read_to_string(&file).unwrap();
    assert_eq!(first.trim().len(), 64);
    let serve = Serve::start(&mut u, &["--no-daemon", "--rotate-token"]).await;
    let (code, stderr) = serve.stop().await;
    assert_eq!(code, 0);
    let second = std::fs::read_to_string(&file).unwrap();
    assert_ne!(first, second);
    assert!(!stderr.contains(first.trim()) && !stderr.contains(second.trim()));
}

/// The dashboard in a real headless Chromium, driven through DistroFlow's
/// own browser crate: log in with the token, compose with live checks,
/// watch the progress row turn into the post's link, find the post in
/// History; every field has a label.
#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_logs_in_posts_with_live_progress_and_shows_history() {
    use distroflow_core::{wait_until, Page, Waits};
    let (Sites { hn, .. }, mut u) = four_sites().await;
    // Two triage runs in the store, as `replies --triage` records them: a
    // priced one of two calls, and one call of a model without a price.
    {
        use distroflow_store::{Store, TriageCall};
        let store = Store::open(u.home().join(Store::FILE_NAME)).unwrap();
        let now = jiff::Timestamp::now();
        let call = |run: &str, cost: Option<f64>| TriageCall {
            model: if cost.is_some() {
                "gpt-4o-mini"
            } else {
                "local-model"
            }
            .into(),
            replies: 50,
            input_tokens: 880,
            cached_tokens: 0,
            output_tokens: 440,
            cost_usd: cost,
            run: Some(run.into()),
        };
        store
            .record_triage_call(&call("a", Some(0.0004)), now)
            .unwrap();
        store
            .record_triage_call(&call("a", Some(0.0004)), now)
            .unwrap();
        let later = now + jiff::SignedDuration::from_secs(1);
        store.record_triage_call(&call("b", None), later).unwrap();
    }
    let serve = Serve::start(&mut u, &["--no-daemon"]).await;
    let browser =
        distroflow_browser::Browser::launch(distroflow_browser::BrowserOptions::from_env(None))
            .await
            .unwrap();
    let base: url::Url = serve.url("/").parse().unwrap();
    let session = browser.session(&base, &[]).await.unwrap();
    let page = session.page();
    let waits = Waits {
        timeout: Duration::from_secs(60),
        ..page.waits()
    };
    let js = |expr: &'static str| async move {
        let v = page.eval(expr).await?;
        Ok::<_, distroflow_core::Error>(Some(v).filter(|v| !v.is_null() && *v != false))
    };

    page.goto(base.as_str()).await.unwrap();
    page.wait_for("#token", "the login form").await.unwrap();
    page.type_text("#token", "not the token at all")
        .await
        .unwrap();
    page.click_and_wait_for_navigation("button[type=submit]")
        .await
        .unwrap();
    let body = page.body_text().await.unwrap();
    assert!(
        body.contains("That is not the token."),
        "{body} {:?}",
        page.current_url().await
    );
    page.type_text("#token", TOKEN).await.unwrap();
    page.click_and_wait_for_navigation("button[type=submit]")
        .await
        .unwrap();
    page.wait_for("#compose", "the compose form").await.unwrap();
    // The session cookie is not readable by the page.
    assert_eq!(page.eval("document.cookie").await.unwrap(), "");
    let unlabelled = page
        .eval("[...document.querySelectorAll('input,textarea,select')].filter(e => !(e.labels && e.labels.length)).length")
        .await
        .unwrap();
    assert_eq!(unlabelled, 0);

    let submits = hn.gets("/submit");
    page.click("input[value=hackernews]").await.unwrap();
    page.type_text("#title", "From the dashboard")
        .await
        .unwrap();
    page.type_text("#text", "Posted with a click")
        .await
        .unwrap();
    let checked = wait_until(waits, "the live check", || {
        js("(document.querySelector('#checks li.ok') || {}).textContent || null")
    })
    .await
    .unwrap();
    assert!(
        checked
            .as_str()
            .unwrap()
            .contains("hackernews: title 18/80"),
        "{checked}"
    );
    // While you write, the server loads Hacker News's submit form ...
    wait_until(waits, "the form loaded ahead", || async {
        Ok((hn.gets("/submit") == submits + 1).then_some(()))
    })
    .await
    .unwrap();

    page.click("#post").await.unwrap();
    let link = wait_until(waits, "the progress row's link", || {
        js("(document.querySelector('#progress a.result-link') || {}).href || null")
    })
    .await
    .unwrap();
    assert!(link.as_str().unwrap().starts_with(&hn.url()), "{link}");
    assert_eq!(hn.stories()[0].title, "From the dashboard");
    // ... and the post is made on it, without loading it again.
    assert_eq!(hn.gets("/submit"), submits + 1);

    page.goto(serve.url("/history").as_str()).await.unwrap();
    page.wait_for("#history", "the history table")
        .await
        .unwrap();
    let body = page.body_text().await.unwrap();
    assert!(body.contains("From the dashboard"), "{body}");
    assert!(body.contains("100% (1/1)"), "{body}");

    // Healing shows what reply triage cost: this month, and per run.
    page.goto(serve.url("/healing").as_str()).await.unwrap();
    page.wait_for("#triage-runs", "the triage runs table")
        .await
        .unwrap();
    let month = page
        .eval("document.querySelector('#triage-month').textContent")
        .await
        .unwrap();
    let month = month.as_str().unwrap();
    assert!(month.contains("3 model calls for 150 replies"), "{month}");
    assert!(
        month.contains("2640 tokens in (0 cached), 1320 tokens out"),
        "{month}"
    );
    assert!(month.contains("$0.000800 + 1 at unknown cost"), "{month}");
    let runs = page
        .eval("[...document.querySelectorAll('#triage-runs tbody tr')].map(r => [...r.cells].map(c => c.textContent))")
        .await
        .unwrap();
    let runs: Vec<Vec<String>> = serde_json::from_value(runs).unwrap();
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(runs[0][1], "local-model", "newest first: {runs:?}");
    assert_eq!(runs[0][7], "$0.000000 + 1 at unknown cost", "{runs:?}");
    assert_eq!(
        &runs[1][1..],
        ["gpt-4o-mini", "2", "100", "1760", "0", "880", "$0.000800"],
        "{runs:?}"
    );

    session.close().await;
    browser.close().await;
    let (code, stderr) = serve.stop().await;
    assert_eq!(code, 0, "{stderr}");
}

/// An image uploaded with the post (multipart) reaches the replica; the
/// upload is removed once the post is done.
#[tokio::test(flavor = "multi_thread")]
async fn a_multipart_upload_posts_its_image_and_leaves_nothing_behind() {
    let (Sites { x, .. }, mut u) = four_sites().await;
    let serve = Serve::start(&mut u, &["--no-daemon"]).await;
    let mut socket = serve.events().await;
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/example.png"
    ))
    .unwrap();
    let boundary = "e2e-boundary-93b1";
    let mut body = Vec::new();
    for (name, value) in [("to", "x"), ("text", "An uploaded picture")] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"pic.png\"\r\nContent-Type: image/png\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(&png);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = serve
        .http
        .post(serve.url("/api/v1/posts"))
        .bearer_auth(TOKEN)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let events = events_of(&mut socket, &id).await;
    assert_eq!(events.last().unwrap()["ok"], true, "{events:#?}");
    let post = x
        .posts()
        .into_iter()
        .find(|p| p.text == "An uploaded picture")
        .unwrap();
    assert_eq!(post.media.len(), 1);
    let uploads = u.home().join("uploads");
    let left: Vec<_> = std::fs::read_dir(&uploads)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    let (code, stderr) = serve.stop().await;
    assert_eq!(code, 0, "{stderr}");
}

/// The compose page each platform's post starts on, as its replica sees
/// the request.
fn compose_loads(s: &Sites, subreddit: &str) -> Vec<(&'static str, usize)> {
    vec![
        ("hackernews", s.hn.gets("/submit")),
        ("x", s.x.gets("/compose/post")),
        (
            "reddit",
            s.reddit.gets(&format!("/r/{subreddit}/submit/?type=IMAGE")),
        ),
        ("instagram", s.ig.gets("/")),
        ("bluesky", s.bsky.gets("/intent/compose")),
        ("mastodon", s.masto.gets("/home")),
        ("linkedin", s.li.gets("/feed/?shareActive=true")),
    ]
}

fn minus(a: &[(&'static str, usize)], b: &[(&'static str, usize)]) -> Vec<(&'static str, usize)> {
    a.iter().zip(b).map(|(x, y)| (x.0, x.1 - y.1)).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_prepared_while_writing_are_loaded_once_and_the_posts_land_on_all_seven() {
    let (sites, mut u) = four_sites().await;
    let serve = Serve::start(&mut u, &["--no-daemon"]).await;
    let mut socket = serve.events().await;
    let png = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png");
    let draft = |text: &str| {
        serde_json::json!({"to": ["all"], "subreddit": "rustlang", "title": text,
                           "text": text, "media": [png]})
    };

    // A post whose jobs load their own pages: how many loads of each
    // compose page one post makes.
    let before = compose_loads(&sites, "rustlang");
    let id = serve.post(draft("Loaded by the post")).await;
    let events = events_of(&mut socket, &id).await;
    assert_eq!(events.last().unwrap()["ok"], true, "{events:#?}");
    let unprepared = minus(&compose_loads(&sites, "rustlang"), &before);
    assert!(unprepared.iter().all(|(_, n)| *n >= 1), "{unprepared:?}");

    // Prepared while writing: each page loads once now (asked twice, as a
    // dashboard asks while you type), ...
    let before = compose_loads(&sites, "rustlang");
    for _ in 0..2 {
        let (status, answer) = serve.prepare(draft("Prepared")).await;
        assert_eq!(status, 200);
        assert_eq!(
            answer["prepared"].as_array().unwrap().len(),
            7,
            "{answer:#}"
        );
        assert_eq!(answer["skipped"], serde_json::json!([]), "{answer:#}");
    }
    let ahead = minus(&compose_loads(&sites, "rustlang"), &before);
    assert!(ahead.iter().all(|(_, n)| *n == 1), "{ahead:?}");
    assert_eq!(
        landed(&sites, "Prepared"),
        [0; 7],
        "preparing posts nothing"
    );

    // ... and the post starts on it: no more loads than a post makes alone.
    let text = "Prepared";
    let id = serve.post(draft(text)).await;
    let events = events_of(&mut socket, &id).await;
    assert_eq!(events.last().unwrap()["ok"], true, "{events:#?}");
    let prepared = minus(&compose_loads(&sites, "rustlang"), &before);
    assert_eq!(prepared, unprepared, "prepare + post = a post alone");
    assert_eq!(landed(&sites, text), [1; 7], "once on each site");

    // A target without a session is skipped with what to do; bad input
    // is refused like a post's.
    std::fs::remove_file(u.home().join("auth").join("x.json")).unwrap();
    let (_, answer) = serve
        .prepare(serde_json::json!({"to": ["x"], "text": "hi"}))
        .await;
    assert_eq!(answer["prepared"], serde_json::json!([]), "{answer:#}");
    assert_eq!(answer["skipped"][0]["platform"], "x");
    assert!(
        answer["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("distroflow login x"),
        "{answer:#}"
    );
    let (status, answer) = serve
        .prepare(serde_json::json!({"to": ["myspace"], "text": "hi"}))
        .await;
    assert_eq!(status, 400, "{answer}");
    let (code, stderr) = serve.stop().await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        u.leftover_browsers().is_empty(),
        "{:?}",
        u.leftover_browsers()
    );
}

/// How many times `text` is on each site (titles on Hacker News and
/// Reddit, captions on Instagram).
fn landed(s: &Sites, text: &str) -> [usize; 7] {
    [
        s.hn.stories().iter().filter(|p| p.title == text).count(),
        s.x.posts().iter().filter(|p| p.text == text).count(),
        s.reddit.posts().iter().filter(|p| p.title == text).count(),
        s.ig.posts().iter().filter(|p| p.caption == text).count(),
        s.bsky.posts().iter().filter(|p| p.text == text).count(),
        s.masto.statuses().iter().filter(|p| p.text == text).count(),
        s.li.posts().iter().filter(|p| p.text == text).count(),
    ]
}
