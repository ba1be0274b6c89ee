//! The "Share with DistroFlow" extension (extension/) in real Chromium
//! (new headless; the headless shell cannot load extensions), against the
//! `distroflow serve` binary on the replicas: pairing, posting with
//! progress and links, revocation; and a web page that tries to reach the
//! server through the extension or around it.
//!
//! Chromium 156 (Debian) loads an unpacked extension with
//! `--load-extension` + `--disable-extensions-except` (even next to the
//! `--disable-extensions` every DistroFlow launch has); branded Google
//! Chrome 137+ would also need
//! `--disable-features=DisableLoadExtensionCommandLineSwitch`.

use std::time::Duration;

use distroflow_browser::{Browser, BrowserOptions, CdpPage};
use distroflow_core::{wait_until, Page, Waits};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use crate::fanout::{four_sites, Sites};
use crate::harness::{signal, User};

/// The id the manifest's `key` pins.
const EXT_ID: &str = "oklooclnonolclckffolgnkagndidoma";
const TOKEN: &str = "e2e-ext-token-0123456789abcdef0123456789abcdef";

fn ext_url(page: &str) -> String {
    format!("chrome-extension://{EXT_ID}/{page}")
}

/// `distroflow serve --pair`: the child, its port and its pairing code.
struct Serve {
    child: tokio::process::Child,
    port: u16,
    code: String,
}

impl Serve {
    async fn start(user: &mut User) -> Serve {
        user.set("DISTROFLOW_API_TOKEN", TOKEN);
        let mut child = user.spawn(&["serve", "--listen", "127.0.0.1:0", "--no-daemon", "--pair"]);
        let stdout = child.stdout.take().unwrap();
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let mut next = async || {
            tokio::time::timeout(Duration::from_secs(60), lines.next_line())
                .await
                .expect("a line within 60 s")
                .unwrap()
                .expect("a line")
        };
        let first = next().await;
        let port = first
            .strip_prefix("listening on http://127.0.0.1:")
            .unwrap_or_else(|| panic!("first line: {first}"))
            .parse()
            .unwrap();
        let second = next().await;
        let code = second
            .strip_prefix("pairing code: ")
            .unwrap_or_else(|| panic!("second line: {second}"))
            .to_string();
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Serve { child, port, code }
    }

    async fn history(&self) -> Vec<serde_json::Value> {
        let r = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{}/api/v1/history", self.port))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        r.json().await.unwrap()
    }

    async fn stop(mut self) {
        signal(self.child.id().unwrap(), "TERM");
        let status = tokio::time::timeout(Duration::from_secs(120), self.child.wait())
            .await
            .expect("serve exits within 120 s of SIGTERM")
            .unwrap();
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut stderr).await;
        }
        assert_eq!(status.code(), Some(0), "{stderr}");
    }
}

/// Real Chromium (not the headless shell) with the repository's extension.
async fn chromium_with_extension() -> Browser {
    let dir =
        std::fs::canonicalize(concat!(env!("CARGO_MANIFEST_DIR"), "/../../extension")).unwrap();
    let mut options = BrowserOptions::from_env(None);
    // The full browser, never the headless shell (no extensions there):
    // DISTROFLOW_CHROME unless it is the shell, else Debian's binary itself
    // (not its launcher script), else the usual names.
    let shell = |p: &std::path::Path| p.to_string_lossy().contains("headless-shell");
    options.chrome = std::env::var_os("DISTROFLOW_CHROME")
        .map(std::path::PathBuf::from)
        .filter(|p| !p.as_os_str().is_empty() && !shell(p))
        .or_else(|| {
            Some(std::path::PathBuf::from("/usr/lib/chromium/chromium")).filter(|p| p.exists())
        })
        .unwrap_or_else(|| distroflow_browser::chrome_path(None));
    assert!(
        options.chrome.exists() && !shell(&options.chrome),
        "no full Chromium at {} (the headless shell cannot load extensions)",
        options.chrome.display()
    );
    options.extra_args.extend([
        format!("--load-extension={}", dir.display()),
        format!("--disable-extensions-except={}", dir.display()),
    ]);
    Browser::launch(options).await.unwrap()
}

fn waits() -> Waits {
    Waits {
        timeout: Duration::from_secs(90),
        every: Duration::from_millis(200),
    }
}

/// Polls `expr` until it is neither null, false nor "".
async fn until(page: &CdpPage, what: &str, expr: &str) -> serde_json::Value {
    wait_until(waits(), what, || async {
        let v = page.eval(expr).await?;
        Ok(Some(v).filter(|v| !v.is_null() && *v != false && *v != ""))
    })
    .await
    .unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Opens an extension page once the extension is there (its worker may
/// still be starting), and waits for its script to be ready.
async fn open(page: &CdpPage, name: &str) {
    wait_until(waits(), "the extension's page", || async {
        if page.goto(&ext_url(name)).await.is_err() {
            return Ok(None);
        }
        let ready = page
            .eval("document.body && document.body.dataset.ready === '1'")
            .await?;
        if ready == true {
            return Ok(Some(()));
        }
        // The page loaded: give its script the rest of the wait.
        let ok = wait_until(
            Waits {
                timeout: Duration::from_secs(30),
                every: Duration::from_millis(200),
            },
            "the page's script",
            || async {
                let v = page
                    .eval("!!(document.body && document.body.dataset.ready === '1')")
                    .await?;
                Ok((v == true).then_some(()))
            },
        )
        .await;
        Ok(ok.ok())
    })
    .await
    .unwrap_or_else(|e| panic!("{name}: {e}"));
}

fn set_value(selector: &str, value: &str) -> String {
    format!(
        "(() => {{ const e = document.querySelector({s}); e.value = {v}; return true; }})()",
        s = serde_json::to_string(selector).unwrap(),
        v = serde_json::to_string(value).unwrap()
    )
}

/// Pairs the extension on its options page: a wrong code first (the
/// server's message, with the tries left), then the right one.
async fn pair(page: &CdpPage, serve: &Serve) {
    open(page, "options.html").await;
    let unlabelled = "[...document.querySelectorAll('input,textarea,select')]\
        .filter(e => !(e.labels && e.labels.length)).length";
    assert_eq!(page.eval(unlabelled).await.unwrap(), 0);
    let state = page
        .eval("document.getElementById('state').dataset.paired")
        .await
        .unwrap();
    assert_eq!(state, "0");
    page.eval(&set_value("#port", &serve.port.to_string()))
        .await
        .unwrap();
    page.eval(&set_value("#code", "WRNG-CODE")).await.unwrap();
    page.click("#pair").await.unwrap();
    let alert = until(
        page,
        "the wrong code's message",
        "document.getElementById('alert').hidden ? null : document.getElementById('alert').innerText",
    )
    .await;
    let alert = alert.as_str().unwrap();
    assert!(
        alert.contains("wrong") && alert.contains("4 tries left"),
        "{alert}"
    );
    page.eval(&set_value("#code", &serve.code.to_lowercase()))
        .await
        .unwrap();
    page.eval(&set_value("#label", "e2e Chromium"))
        .await
        .unwrap();
    page.click("#pair").await.unwrap();
    let state = until(
        page,
        "paired",
        "document.getElementById('state').dataset.paired === '1' && document.getElementById('state').textContent",
    )
    .await;
    assert!(
        state.as_str().unwrap().contains(&serve.port.to_string()),
        "{state}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_extension_pairs_posts_with_progress_and_links_and_reports_a_revoked_token() {
    let (Sites { hn, x, .. }, mut u) = four_sites().await;
    let serve = Serve::start(&mut u).await;
    let browser = chromium_with_extension().await;
    let page = browser.default_context_tab("about:blank").await.unwrap();

    // Before pairing, the popup says what to do.
    open(&page, "popup.html").await;
    let alert = until(&page, "the unpaired alert", "document.getElementById('alert').hidden ? null : document.getElementById('alert').innerText").await;
    assert!(
        alert.as_str().unwrap().contains("distroflow serve --pair"),
        "{alert}"
    );

    pair(&page, &serve).await;
    let out = u.run(&["tokens", "list", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let tokens = out.json();
    assert_eq!(tokens.len(), 1, "{out:?}");
    assert_eq!(tokens[0]["label"], "e2e Chromium");
    assert_eq!(tokens[0]["origin"], format!("chrome-extension://{EXT_ID}"));
    let token_id = tokens[0]["id"].as_str().unwrap().to_string();
    // Stored hashed: the file never holds the token the extension got.
    let stored = page
        .eval("chrome.storage.local.get('token').then(s => s.token)")
        .await
        .unwrap();
    let stored = stored.as_str().unwrap().to_string();
    assert_eq!(stored.len(), 64);
    let file = std::fs::read_to_string(u.home().join("api-clients.json")).unwrap();
    assert!(!file.contains(&stored));
    assert_eq!(
        crate::harness::mode(&u.home().join("api-clients.json")),
        0o600
    );
    // Never in sync storage.
    let synced = page
        .eval("chrome.storage.sync.get(null).then(s => Object.keys(s).length)")
        .await
        .unwrap();
    assert_eq!(synced, 0);

    // The context menu's share (what the worker stores on a click on
    // "Share selection with DistroFlow") prefills the popup: the selection,
    // then the URL; the page's title for the title field.
    page.eval(
        "chrome.storage.session.set({pending: {selection: 'Selected words', \
         url: 'https://example.com/a', title: 'An article', at: Date.now()}}).then(() => true)",
    )
    .await
    .unwrap();
    open(&page, "popup.html").await;
    assert_eq!(
        page.eval("document.getElementById('text').value")
            .await
            .unwrap(),
        "Selected words\n\nhttps://example.com/a"
    );
    assert_eq!(
        page.eval("document.getElementById('title').value")
            .await
            .unwrap(),
        "An article"
    );
    assert_eq!(
        page.eval("document.getElementById('page-url').textContent")
            .await
            .unwrap(),
        "https://example.com/a"
    );

    // Compose: targets, the title field appears for Hacker News, live counts.
    open(&page, "popup.html").await;
    let unlabelled = "[...document.querySelectorAll('input,textarea,select')]\
        .filter(e => !(e.labels && e.labels.length)).length";
    assert_eq!(page.eval(unlabelled).await.unwrap(), 0);
    // The share was used once; what stays is the draft.
    assert_eq!(
        page.eval("document.getElementById('text').value")
            .await
            .unwrap(),
        "Selected words\n\nhttps://example.com/a"
    );
    assert_eq!(
        page.eval("document.getElementById('alert').hidden")
            .await
            .unwrap(),
        true,
        "{:?}",
        page.eval("document.getElementById('alert').innerText")
            .await
    );
    assert_eq!(
        page.eval("document.getElementById('title-row').hidden")
            .await
            .unwrap(),
        true
    );
    let loads = || (hn.gets("/submit"), x.gets("/compose/post"));
    let before = loads();
    page.click("input[value=hackernews]").await.unwrap();
    page.click("input[value=x]").await.unwrap();
    assert_eq!(
        page.eval("document.getElementById('title-row').hidden")
            .await
            .unwrap(),
        false
    );
    let title = "Shared from the extension";
    let text = "Read this 🚀 https://example.com/article";
    // Refused (no title for Hacker News): the server's message in the
    // popup, nothing posted, the text kept.
    page.eval(&set_value("#title", "")).await.unwrap();
    page.click("#post").await.unwrap();
    let alert = until(
        &page,
        "the refusal",
        "document.getElementById('alert').hidden ? null : document.getElementById('alert').innerText",
    )
    .await;
    assert!(alert.as_str().unwrap().contains("hackernews: "), "{alert}");
    assert!(alert.as_str().unwrap().contains("title"), "{alert}");
    assert!(x.posts().is_empty() && hn.stories().is_empty());
    assert_eq!(
        page.eval("document.getElementById('text').value")
            .await
            .unwrap(),
        "Selected words\n\nhttps://example.com/a"
    );
    page.type_text("#title", title).await.unwrap();
    page.type_text("#text", text).await.unwrap();
    let count = until(
        &page,
        "X's live count",
        "(document.querySelector('#counts li.ok[data-platform=x]') || {}).textContent || null",
    )
    .await;
    assert!(count.as_str().unwrap().contains("/280"), "{count}");
    let count = until(
        &page,
        "Hacker News's live count",
        "(document.querySelector('#counts li[data-platform=hackernews]') || {}).textContent || null",
    )
    .await;
    assert!(count.as_str().unwrap().contains("title 25/80"), "{count}");
    // While you write, the server loads both compose pages, once each ...
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while loads() != (before.0 + 1, before.1 + 1) {
        assert!(
            std::time::Instant::now() < deadline,
            "the pages loaded ahead: {:?} then {:?}",
            before,
            loads()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Post: per-platform progress ending in links.
    page.click("#post").await.unwrap();
    let links = until(
        &page,
        "both results' links",
        "(() => { const a = [...document.querySelectorAll('#progress a.result-link')]; \
         return a.length === 2 ? a.map(l => l.closest('li').dataset.platform + ' ' + l.href) : null; })()",
    )
    .await;
    let links: Vec<String> = serde_json::from_value(links).unwrap();
    // The progress came over the WebSocket (the worker also polls).
    assert_eq!(
        page.eval("document.getElementById('progress').dataset.live")
            .await
            .unwrap(),
        "1"
    );
    assert!(
        links
            .iter()
            .any(|l| l.starts_with(&format!("hackernews {}", hn.url()))),
        "{links:?}"
    );
    assert!(
        links
            .iter()
            .any(|l| l.starts_with(&format!("x {}", x.url()))),
        "{links:?}"
    );
    let xs: Vec<_> = x.posts().into_iter().filter(|p| p.text == text).collect();
    assert_eq!(xs.len(), 1);
    let stories = hn.stories();
    assert_eq!(stories.len(), 1);
    assert_eq!(stories[0].title, title);
    assert_eq!(stories[0].text.as_deref(), Some(text));
    // ... and the post is made on them, without loading them again.
    assert_eq!(loads(), (before.0 + 1, before.1 + 1));

    // Posted everywhere: the draft is done with. The targets are remembered.
    until(
        &page,
        "the posted draft to go",
        "chrome.storage.local.get('draft').then(s => s.draft === undefined)",
    )
    .await;
    open(&page, "popup.html").await;
    assert_eq!(
        page.eval("document.getElementById('text').value")
            .await
            .unwrap(),
        ""
    );
    let checked = page
        .eval(
            "[...document.querySelectorAll('input[name=to]:checked')].map(i => i.value).join(',')",
        )
        .await
        .unwrap();
    assert_eq!(checked, "x,hackernews");

    // Revoked: the popup says so and how to fix it, and keeps the text.
    let second = "A second thought, typed before the token was revoked";
    page.type_text("#text", second).await.unwrap();
    let out = u.run(&["tokens", "revoke", &token_id]).await;
    assert_eq!(out.code, 0, "{out:?}");
    page.click("#post").await.unwrap();
    let alert = until(
        &page,
        "the revoked token's alert",
        "document.getElementById('alert').hidden ? null : document.getElementById('alert').innerText",
    )
    .await;
    let alert = alert.as_str().unwrap();
    assert!(alert.contains("refused this extension's token"), "{alert}");
    assert!(alert.contains("distroflow serve --pair"), "{alert}");
    assert_eq!(
        page.eval("document.getElementById('text').value")
            .await
            .unwrap(),
        second
    );
    // A new popup has the draft too, and the same message.
    open(&page, "popup.html").await;
    assert_eq!(
        page.eval("document.getElementById('text').value")
            .await
            .unwrap(),
        second
    );
    let alert = until(
        &page,
        "the alert on opening",
        "document.getElementById('alert').hidden ? null : document.getElementById('alert').innerText",
    )
    .await;
    assert!(alert.as_str().unwrap().contains("revoked"), "{alert}");
    assert_eq!(x.posts().len(), 1, "nothing more was posted");

    // The server stopped: the popup says so and how to start it, and the
    // draft is still there.
    let port = serve.port;
    serve.stop().await;
    open(&page, "popup.html").await;
    assert_eq!(
        page.eval("document.getElementById('text').value")
            .await
            .unwrap(),
        second
    );
    let alert = until(
        &page,
        "the server-down alert",
        "document.getElementById('alert').hidden ? null : document.getElementById('alert').innerText",
    )
    .await;
    let alert = alert.as_str().unwrap();
    assert!(
        alert.contains(&format!("not running on port {port}"))
            && alert.contains("distroflow serve"),
        "{alert}"
    );

    let _ = page.raw().clone().close().await;
    browser.close().await;
}

/// `distroflow extension path` writes the embedded extension once and
/// prints the same folder again; its files are the repository's.
#[tokio::test(flavor = "multi_thread")]
async fn extension_path_installs_the_embedded_files_once() {
    let u = User::new();
    let out = u.run(&["extension", "path"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let dir = std::path::PathBuf::from(out.stdout.trim());
    assert!(dir.starts_with(u.home().join("extension")), "{out:?}");
    assert!(out.stderr.contains("chrome://extensions"), "{out:?}");
    let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../extension");
    for f in std::fs::read_dir(repo).unwrap() {
        let f = f.unwrap();
        let installed = std::fs::read(dir.join(f.file_name())).unwrap();
        assert!(
            installed == std::fs::read(f.path()).unwrap(),
            "{:?}",
            f.file_name()
        );
    }
    let again = u.run(&["extension", "path"]).await;
    assert_eq!(again.stdout, out.stdout);
}

/// A page on 127.0.0.1 (another port) that tries everything a page can:
/// a message to the extension, and fetches to the server with and without
/// credentials, a simple no-cors POST, a WebSocket, a pairing.
fn hostile_page(server_port: u16) -> String {
    format!(
        r#"<!doctype html><html><body><p>hostile</p><script>
const PORT = {server_port}; const EXT = "{EXT_ID}";
const base = "http://127.0.0.1:" + PORT;
const body = JSON.stringify({{to: ["x"], text: "hostile post"}});
window.results = {{}};
async function attempt(name, f) {{
  try {{ window.results[name] = await f(); }} catch (e) {{ window.results[name] = "blocked: " + e.name; }}
}}
(async () => {{
  window.postMessage({{type: "post", fields: {{to: ["x"], text: "hostile post"}}}}, "*");
  await attempt("runtime", async () => {{
    if (!window.chrome || !chrome.runtime || !chrome.runtime.sendMessage) return "no chrome.runtime";
    return await new Promise((res) => chrome.runtime.sendMessage(EXT, {{type: "post", fields: {{to: ["x"], text: "hostile post"}}}},
      (r) => res("answered " + JSON.stringify(r))));
  }});
  await attempt("post", async () => "status " + (await fetch(base + "/api/v1/posts", {{method: "POST", headers: {{"content-type": "application/json"}}, body}})).status);
  await attempt("post_credentials", async () => "status " + (await fetch(base + "/api/v1/posts", {{method: "POST", credentials: "include", headers: {{"content-type": "application/json"}}, body}})).status);
  await attempt("post_no_cors", async () => (await fetch(base + "/api/v1/posts", {{method: "POST", mode: "no-cors", headers: {{"content-type": "text/plain"}}, body}})).type);
  await attempt("history", async () => "status " + (await fetch(base + "/api/v1/history")).status);
  await attempt("history_credentials", async () => "status " + (await fetch(base + "/api/v1/history", {{credentials: "include"}})).status);
  await attempt("pair", async () => "status " + (await fetch(base + "/api/v1/pair", {{method: "POST", headers: {{"content-type": "application/json"}}, body: JSON.stringify({{code: "AAAA-AAAA"}})}})).status);
  await attempt("ws", () => new Promise((res) => {{
    const ws = new WebSocket("ws://127.0.0.1:" + PORT + "/api/v1/events");
    ws.onopen = () => {{ ws.send(JSON.stringify({{token: "guess"}})); res("opened"); }};
    ws.onerror = () => res("blocked: error");
    ws.onclose = () => res("blocked: closed");
  }}));
  window.done = true;
}})();
</script></body></html>"#
    )
}

/// Serves `html` on 127.0.0.1 (any path); returns the port.
async fn serve_page(html: String) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let html = html.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = sock.read(&mut buf).await;
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                    html.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread")]
async fn a_web_page_cannot_reach_the_server_through_the_extension_or_around_it() {
    let (Sites { hn, x, .. }, mut u) = four_sites().await;
    let serve = Serve::start(&mut u).await;
    let browser = chromium_with_extension().await;
    let page = browser.default_context_tab("about:blank").await.unwrap();
    // Paired, so the extension holds a token and its origin is allowed.
    pair(&page, &serve).await;

    let site = serve_page(hostile_page(serve.port)).await;
    page.goto(&format!("http://127.0.0.1:{site}/"))
        .await
        .unwrap();
    until(&page, "the page's attempts", "window.done === true").await;
    let results = page.eval("window.results").await.unwrap();
    let r = |k: &str| results[k].as_str().unwrap_or_default().to_string();
    assert_eq!(r("runtime"), "no chrome.runtime", "{results}");
    for k in [
        "post",
        "post_credentials",
        "history",
        "history_credentials",
        "pair",
    ] {
        assert_eq!(r(k), "blocked: TypeError", "{k}: {results}");
    }
    // A simple request goes out without a preflight: the server refuses
    // it (its Origin), and the page cannot read the answer.
    assert_eq!(r("post_no_cors"), "opaque", "{results}");
    assert!(r("ws").starts_with("blocked"), "{results}");

    // Nothing was posted, and nothing was even attempted.
    assert!(x.posts().is_empty());
    assert!(hn.stories().is_empty());
    assert!(serve.history().await.is_empty());
    // The page's pairing attempt did not use up the code's tries: the
    // extension could pair (done above), and no other token exists.
    let out = u.run(&["tokens", "list", "--json"]).await;
    assert_eq!(out.json().len(), 1, "{out:?}");

    let _ = page.raw().clone().close().await;
    browser.close().await;
    serve.stop().await;
}
