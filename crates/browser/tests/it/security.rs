//! Sessions never leak through the browser: DevTools on a private pipe,
//! a private profile that goes with the browser, and cookies only for the
//! site they belong to.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::{Cookie, CookieScope, Page, PlatformId, Secret};

#[path = "../../../../tests/support/devtools.rs"]
mod devtools;

use super::{browser, serve, serve_app};

fn cookie(domain: &str, name: &str, secure: bool) -> Cookie {
    Cookie {
        name: name.into(),
        value: Secret::new(format!("value-of-{name}")),
        domain: domain.into(),
        path: "/".into(),
        expires: None,
        http_only: false,
        secure,
        same_site: None,
    }
}

/// A site that records the Cookie header of every request.
async fn cookie_recorder() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = axum::Router::new().fallback({
        let seen = seen.clone();
        move |headers: axum::http::HeaderMap| {
            let seen = seen.clone();
            async move {
                let c = headers
                    .get_all("cookie")
                    .iter()
                    .map(|v| v.to_str().unwrap_or_default().to_string())
                    .collect::<Vec<_>>()
                    .join("; ");
                seen.lock().unwrap().push(c);
                axum::response::Html("<p>ok</p>")
            }
        }
    });
    (serve_app(app).await, seen)
}

fn names(header: &str) -> Vec<String> {
    let mut n: Vec<String> = header
        .split(';')
        .filter_map(|kv| kv.split('=').next())
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .collect();
    n.sort();
    n
}

/// The probe finds a Chromium that listens for DevTools on a port, as
/// DistroFlow's did before the pipe (so the test below can fail).
#[tokio::test(flavor = "multi_thread")]
async fn the_probe_finds_a_debugging_port() {
    let profile = tempfile::tempdir().unwrap();
    let chrome = BrowserOptions::from_env(None).chrome;
    let mut child = tokio::process::Command::new(chrome)
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--remote-debugging-port=0",
            &format!("--user-data-dir={}", profile.path().display()),
            "about:blank",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let active = profile.path().join("DevToolsActivePort");
    let mut found = Vec::new();
    for _ in 0..100 {
        if active.exists() {
            let pids: Vec<u32> = distroflow_browser::browser_processes(profile.path())
                .into_iter()
                .map(|(p, _)| p)
                .chain(child.id())
                .collect();
            found = devtools::devtools_endpoints(&pids).await;
            if !found.is_empty() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill().await;
    assert!(!found.is_empty(), "a DevTools port is seen");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_port_answers_for_devtools_while_a_page_is_open() {
    let mut o = BrowserOptions::from_env(None);
    // Not even when a flag asks for one.
    o.extra_args = vec!["--remote-debugging-port=0".into()];
    let b = Browser::launch(o).await.unwrap();
    let url = serve("<p>page</p>").await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    s.page().goto(&url).await.unwrap();

    let tree = distroflow_browser::browser_processes(b.profile_dir());
    let main = tree
        .iter()
        .find(|(_, cmd)| !cmd.contains("--type="))
        .expect("the browser process");
    assert!(main.1.contains("--remote-debugging-pipe"), "{}", main.1);
    assert!(!main.1.contains("--remote-debugging-port"), "{}", main.1);
    assert!(!b.profile_dir().join("DevToolsActivePort").exists());
    let chromium: Vec<u32> = tree.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        devtools::listening_ports(&chromium),
        Vec::<u16>::new(),
        "Chromium listens on no TCP port"
    );
    let mut ours = chromium.clone();
    ours.push(std::process::id());
    assert_eq!(
        devtools::devtools_endpoints(&ours).await,
        Vec::<String>::new()
    );
    s.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_is_private_and_goes_with_the_browser() {
    use std::os::unix::fs::PermissionsExt;
    let b = browser().await;
    let profile = b.profile_dir().to_path_buf();
    let mode = std::fs::metadata(&profile).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    b.close().await;
    assert!(!profile.exists(), "removed on close");

    // A panic path: dropped without close.
    let b = browser().await;
    let profile = b.profile_dir().to_path_buf();
    drop(b);
    assert!(!profile.exists(), "removed on drop");
}

#[tokio::test(flavor = "multi_thread")]
async fn cookies_reach_only_the_site_they_belong_to() {
    let (url, seen) = cookie_recorder().await;
    let base: url::Url = url.parse().unwrap();
    let b = browser().await;
    // A whole-browser export saved as the X session, by hand.
    let saved = [
        cookie("127.0.0.1", "site", false),
        cookie(".x.com", "xsession", true),
        cookie(".google.com", "google", false),
        cookie("bank.example", "bank", true),
        cookie("127.0.0.1", "secure_here", true),
    ];
    let scope = CookieScope::new(PlatformId::X, &base);
    let s = b.session_in(&scope, &saved).await.unwrap();
    s.page().goto(&url).await.unwrap();
    let header = seen.lock().unwrap().last().cloned().unwrap_or_default();
    assert_eq!(
        names(&header),
        vec!["secure_here", "site", "xsession"],
        "{header}"
    );
    // Never set in the browser at all, not only not sent.
    for other in ["https://google.com/", "https://bank.example/"] {
        assert!(s.page().cookies(other).await.unwrap().is_empty(), "{other}");
    }
    s.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn secure_cookies_never_cross_plain_http_to_another_host() {
    let (url, seen) = cookie_recorder().await;
    let port = url::Url::parse(&url).unwrap().port().unwrap();
    // A mirror with a name (not loopback), served here.
    let mut o = BrowserOptions::from_env(None);
    o.extra_args = vec!["--host-resolver-rules=MAP mirror.test 127.0.0.1".into()];
    let b = Browser::launch(o).await.unwrap();
    let base: url::Url = format!("http://mirror.test:{port}/").parse().unwrap();
    let saved = [
        cookie("mirror.test", "plain", false),
        cookie("mirror.test", "secret", true),
        cookie(".reddit.com", "reddit_secure", true),
    ];
    let s = b
        .session_in(&CookieScope::new(PlatformId::Reddit, &base), &saved)
        .await
        .unwrap();
    s.page().goto(base.as_str()).await.unwrap();
    let header = seen.lock().unwrap().last().cloned().unwrap_or_default();
    assert_eq!(names(&header), vec!["plain"], "{header}");
    s.close().await;
    b.close().await;
}
