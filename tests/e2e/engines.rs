//! Remote browser engines: two Chromiums started with a debugging port act
//! as two remote engines; a fan-out to all four replicas runs on them with
//! no local launch, and an engine that answers 429 is passed over.

use std::time::Duration;

use crate::fanout::{four_sites, Sites};
use crate::harness::User;
use distroflow_replica::HnFault;

/// A Chromium listening for DevTools on a free port, as a remote engine.
struct Engine {
    /// Killed when the engine is dropped.
    child: tokio::process::Child,
    _profile: tempfile::TempDir,
    ws: String,
    port: u16,
}

impl Engine {
    async fn start() -> Engine {
        let profile = tempfile::tempdir().unwrap();
        let chrome = distroflow_browser::headless_chrome_path(None);
        let child = tokio::process::Command::new(chrome)
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
            // Its own process group, so that the whole engine (browser,
            // renderers, helpers) can be killed at once, as a host dies.
            .process_group(0)
            .spawn()
            .unwrap();
        let active = profile.path().join("DevToolsActivePort");
        for _ in 0..100 {
            if let Ok(text) = std::fs::read_to_string(&active) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    let ws = format!("ws://127.0.0.1:{port}{path}");
                    return Engine {
                        child,
                        _profile: profile,
                        ws,
                        port: port.parse().unwrap(),
                    };
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the engine never wrote DevToolsActivePort");
    }

    /// The engine's name in DistroFlow's output (`host:port`).
    fn name(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The addresses of the engine's open tabs.
    async fn tab_urls(&self) -> Vec<String> {
        let list: Vec<serde_json::Value> =
            reqwest::get(format!("http://127.0.0.1:{}/json/list", self.port))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        list.iter()
            .filter_map(|t| t["url"].as_str().map(str::to_string))
            .collect()
    }

    /// Kills the engine's whole process group with SIGKILL: no close
    /// frame, no goodbye, as a host that dies or a session timer that fires.
    async fn kill(&mut self) {
        let pgid = self.child.id().unwrap() as i32;
        nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pgid),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
        let _ = self.child.wait().await;
    }
}

/// An endpoint that answers every WebSocket upgrade with 429, as a full
/// browserless does.
async fn full_engine() -> String {
    let app = axum::Router::new()
        .fallback(|| async { (axum::http::StatusCode::TOO_MANY_REQUESTS, "queue full") });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("ws://127.0.0.1:{port}/chromium?token=t0ken-never-shown")
}

/// A post to the four original sites (what failover is about does not
/// depend on the platform; the fan-out test above covers all seven).
fn post_four_args(text: &str) -> Vec<&str> {
    let mut a = post_all_args(text);
    a[2] = "x,reddit,hackernews,instagram";
    a
}

fn post_all_args(text: &str) -> Vec<&str> {
    vec![
        "post",
        "--to",
        "all",
        "--subreddit",
        "rustlang",
        "--title",
        "On engines",
        "--media",
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png"),
        "--json",
        text,
    ]
}

async fn post_all(u: &User, text: &str) -> crate::harness::Output {
    u.run(&post_all_args(text)).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fan_out_runs_on_two_remote_engines_with_no_local_chromium() {
    let (
        Sites {
            hn,
            x,
            reddit,
            ig,
            bsky,
            masto,
            li,
        },
        mut u,
    ) = four_sites().await;
    let (a, b) = (Engine::start().await, Engine::start().await);
    let full = full_engine().await;
    u.set(
        "DISTROFLOW_BROWSER_ENDPOINTS",
        &format!("{full},{},{}", a.ws, b.ws),
    );
    // No local Chromium can start.
    u.set("DISTROFLOW_CHROME", "/bin/false");

    let out = u.run(&["engines", "--json"]).await;
    let rows = out.json();
    assert_eq!(rows.len(), 3, "{out:?}");
    assert_eq!(rows[0]["reachable"], false, "{out:?}");
    assert!(
        rows[0]["error"].as_str().unwrap().contains("429"),
        "{out:?}"
    );
    assert!(rows[1]["reachable"].as_bool().unwrap(), "{out:?}");
    assert!(
        rows[1]["version"].as_str().unwrap().contains("Chrome"),
        "{out:?}"
    );
    assert!(!out.stdout.contains("t0ken-never-shown"), "{out:?}");

    let text = "Posted on a remote engine 🛰";
    let out = post_all(&u, text).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stderr.contains("t0ken-never-shown"), "{out:?}");
    let engines: Vec<String> = out
        .json()
        .iter()
        .map(|r| r["engine"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(engines.len(), 7);
    for e in &engines {
        assert!(
            e == "127.0.0.1:0" || e.starts_with("127.0.0.1:"),
            "{engines:?}"
        );
        assert!(!e.is_empty());
    }
    // Spread over both engines, never the full one.
    let full_name = url::Url::parse(&full).unwrap().port().unwrap().to_string();
    assert!(
        engines.iter().all(|e| !e.ends_with(&full_name)),
        "{engines:?}"
    );
    let distinct: std::collections::BTreeSet<&String> = engines.iter().collect();
    assert_eq!(distinct.len(), 2, "both engines took jobs: {engines:?}");
    assert_eq!(x.posts()[0].text, text);
    assert_eq!(reddit.posts()[0].title, "On engines");
    assert_eq!(hn.stories()[0].text.as_deref(), Some(text));
    assert_eq!(ig.posts()[0].caption, text);
    assert_eq!(bsky.posts()[0].text, text);
    assert_eq!(masto.statuses()[0].text, text);
    assert_eq!(li.posts()[0].text, text);
    assert_eq!(
        x.posts().len() + reddit.posts().len() + hn.stories().len() + ig.posts().len(),
        4
    );
    drop((a, b));
}

/// Kill -9 the whole engine that holds Hacker News's job just after the
/// story is stored (the site's answer hangs, so the job is past its
/// submit): that job is looked for from the other engine and found, jobs
/// still running there move to the other engine, and every site has its
/// post exactly once, in the same run or after one re-run.
#[tokio::test(flavor = "multi_thread")]
async fn an_engine_killed_mid_run_loses_and_duplicates_nothing() {
    let (
        Sites {
            hn, x, reddit, ig, ..
        },
        mut u,
    ) = four_sites().await;
    let mut engines = [Engine::start().await, Engine::start().await];
    u.set(
        "DISTROFLOW_BROWSER_ENDPOINTS",
        &format!("{},{}", engines[0].ws, engines[1].ws),
    );
    u.set("DISTROFLOW_CHROME", "/bin/false");
    // The other sites are slow, so that their jobs are still running on
    // the engine when it dies.
    x.set_latency(Duration::from_millis(150));
    reddit.set_latency(Duration::from_millis(150));
    ig.set_latency(Duration::from_millis(150));
    hn.set_fault(Some(HnFault::HangAfterStore));

    let text = "Posted once, whatever happens to the engine 🛰";
    let args = post_four_args(text);
    let started = std::time::Instant::now();
    let child = u.spawn(&args);
    let mut stored = false;
    for _ in 0..600 {
        if !hn.stories().is_empty() {
            stored = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(stored, "the Hacker News submit reached the site");
    // The engine whose tab is on Hacker News.
    let mut holder = None;
    for (i, e) in engines.iter().enumerate() {
        if e.tab_urls().await.iter().any(|t| t.starts_with(&hn.url())) {
            holder = Some(i);
        }
    }
    let holder = holder.expect("one engine has the Hacker News tab");
    let killed = engines[holder].name();
    let survivor = engines[1 - holder].name();
    engines[holder].kill().await;
    hn.set_fault(None);

    let out = tokio::time::timeout(Duration::from_secs(110), child.wait_with_output())
        .await
        .expect("the run ends well before the job deadline")
        .unwrap();
    let out = crate::harness::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    println!("run with a killed engine: {:?}\n{out:?}", started.elapsed());
    let rows = out.json();
    assert_eq!(rows.len(), 4, "{out:?}");
    let hn_row = rows.iter().find(|r| r["platform"] == "hackernews").unwrap();
    assert_eq!(
        hn_row["status"], "posted",
        "found from the other engine: {out:?}"
    );
    assert_eq!(hn_row["engine"], survivor.as_str(), "{out:?}");
    assert!(
        out.stderr.contains(&format!("{killed} was lost")),
        "the loss is said: {out:?}"
    );
    if out.code != 0 {
        // A job that could not be settled in the run is settled by one
        // re-run, which looks before posting.
        for r in rows.iter().filter(|r| r["ok"] != true) {
            assert_eq!(
                r["error"]["kind"], "uncertain",
                "never a plain failure: {out:?}"
            );
        }
        let again = u.run(&args).await;
        assert_eq!(again.code, 0, "{again:?}");
    } else {
        for r in &rows {
            assert_eq!(r["status"], "posted", "{out:?}");
            assert_ne!(r["engine"], killed.as_str(), "{out:?}");
        }
    }
    assert_eq!(hn.stories().len(), 1, "exactly one story");
    assert_eq!(x.posts().len(), 1, "exactly one X post");
    assert_eq!(reddit.posts().len(), 1, "exactly one Reddit post");
    assert_eq!(ig.posts().len(), 1, "exactly one Instagram post");
    assert_eq!(x.posts()[0].text, text);
    assert_eq!(ig.posts()[0].caption, text);
    let history = u.run(&["history", "--json"]).await.json();
    assert!(
        history
            .iter()
            .all(|h| h["state"] == "posted" || h["state"] == "failed"),
        "nothing left running or uncertain: {history:?}"
    );
}

/// `http://localhost:PORT/?probe=1`: the WebSocket is discovered through
/// `/json/version` asked by address (Chromium refuses a Host that is a
/// name) with the query string kept in its place (chromiumoxide's own
/// discovery appends the path after it), and a post runs there.
#[tokio::test(flavor = "multi_thread")]
async fn an_http_endpoint_named_by_host_name_with_a_query_is_discovered() {
    let hn = distroflow_replica::HackerNews::start(distroflow_replica::HnOptions::default())
        .await
        .unwrap();
    let mut u = User::logged_in_to_hn(&hn.url()).await;
    let engine = Engine::start().await;
    u.set(
        "DISTROFLOW_BROWSER_ENDPOINTS",
        &format!("http://localhost:{}/?probe=1", engine.port),
    );
    u.set("DISTROFLOW_CHROME", "/bin/false");
    let out = u.run(&["engines", "--json"]).await;
    let rows = out.json();
    assert_eq!(rows[0]["reachable"], true, "{out:?}");
    assert!(
        rows[0]["version"].as_str().unwrap().contains("Chrome"),
        "{out:?}"
    );
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "Found by name",
            "--url",
            "https://example.com/by-name",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.json()[0]["engine"],
        format!("localhost:{}", engine.port),
        "{out:?}"
    );
    assert_eq!(hn.stories().len(), 1);
    assert_eq!(hn.stories()[0].title, "Found by name");
}

/// The browserless image, when Docker runs and the image is already here
/// (nothing is pulled: the tests never touch the internet):
/// `docker run --rm -d --network host -e PORT=<free> -e TOKEN=<random>
/// -e CONCURRENT=2 ghcr.io/browserless/chromium`. A post to all four
/// replicas runs on it, one connection (one browser) per job, and the
/// token is never printed. Otherwise skipped, saying why.
#[tokio::test(flavor = "multi_thread")]
async fn a_browserless_container_posts_to_all_four() {
    const IMAGE: &str = "ghcr.io/browserless/chromium";
    let docker = |args: &[&str]| {
        std::process::Command::new("docker")
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
    };
    match docker(&["image", "inspect", IMAGE]) {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            println!(
                "SKIPPED: no usable Docker with {IMAGE} here (docker image inspect: {})",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            return;
        }
        Err(e) => {
            println!("SKIPPED: Docker is not installed ({e})");
            return;
        }
    }
    let (
        Sites {
            hn, x, reddit, ig, ..
        },
        mut u,
    ) = four_sites().await;
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let token = format!("df-test-{}", std::process::id());
    // Host networking: the container's Chromium reaches the replicas on
    // 127.0.0.1.
    let started = docker(&[
        "run",
        "--rm",
        "-d",
        "--network",
        "host",
        "-e",
        &format!("PORT={port}"),
        "-e",
        &format!("TOKEN={token}"),
        "-e",
        "CONCURRENT=2",
        IMAGE,
    ])
    .unwrap();
    assert!(
        started.status.success(),
        "docker run: {}",
        String::from_utf8_lossy(&started.stderr)
    );
    let id = String::from_utf8_lossy(&started.stdout).trim().to_string();
    struct Stop(String);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = std::process::Command::new("docker")
                .args(["stop", "-t", "2", &self.0])
                .output();
        }
    }
    let _stop = Stop(id);
    let mut ready = false;
    for _ in 0..120 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(ready, "browserless listens on {port}");
    u.file(
        "home/config.toml",
        &format!(
            "[[browser.endpoints]]\nname = \"pool\"\nurl = \"ws://127.0.0.1:{port}/chromium\"\nkind = \"browserless\"\nmax_sessions = 2\ntoken_env = \"DF_TEST_BROWSERLESS_TOKEN\"\n"
        ),
    );
    u.set("DF_TEST_BROWSERLESS_TOKEN", &token);
    u.set("DISTROFLOW_CHROME", "/bin/false");
    let out = u.run(&["engines", "--json"]).await;
    assert_eq!(out.json()[0]["reachable"], true, "{out:?}");
    let text = "Posted through browserless";
    let out = u.run(&post_four_args(text)).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        !out.stdout.contains(&token) && !out.stderr.contains(&token),
        "{out:?}"
    );
    for r in out.json() {
        assert_eq!(r["engine"], "pool", "{out:?}");
    }
    assert_eq!(x.posts().len(), 1);
    assert_eq!(reddit.posts().len(), 1);
    assert_eq!(hn.stories().len(), 1);
    assert_eq!(ig.posts().len(), 1);
}

/// The daemon is one coordinator over the engines: one pool for its life,
/// two scheduled jobs (to different sites) run at once over both engines,
/// each target posted once, and each result line names its engine.
#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_spreads_scheduled_jobs_over_the_engines() {
    let (
        Sites {
            hn, x, reddit, ig, ..
        },
        mut u,
    ) = four_sites().await;
    let (a, b) = (Engine::start().await, Engine::start().await);
    u.set(
        "DISTROFLOW_BROWSER_ENDPOINTS",
        &format!("{},{}", a.ws, b.ws),
    );
    u.set("DISTROFLOW_CHROME", "/bin/false");
    let media = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/example.png");
    for args in [
        vec![
            "schedule", "--at", "in 1s", "--to", "hn,x", "--title", "Job A", "Text A",
        ],
        vec![
            "schedule",
            "--at",
            "in 1s",
            "--to",
            "reddit,instagram",
            "--subreddit",
            "rustlang",
            "--title",
            "Job B",
            "--media",
            media,
            "Text B",
        ],
    ] {
        let out = u.run(&args).await;
        assert_eq!(out.code, 0, "{out:?}");
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let out = u.run(&["daemon", "--exit-when-idle"]).await;
    println!("{out:?}");
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .chain(out.stderr.lines())
        .filter(|l| l.starts_with("job ") && l.contains("(engine "))
        .collect();
    assert_eq!(lines.len(), 4, "one line per target: {out:?}");
    let used: std::collections::BTreeSet<&str> = lines
        .iter()
        .filter_map(|l| l.rsplit("(engine ").next())
        .collect();
    assert_eq!(used.len(), 2, "both engines ran targets: {out:?}");
    assert_eq!(hn.stories().len(), 1);
    assert_eq!(hn.stories()[0].title, "Job A");
    assert_eq!(x.posts().len(), 1);
    assert_eq!(x.posts()[0].text, "Text A");
    assert_eq!(reddit.posts().len(), 1);
    assert_eq!(ig.posts().len(), 1);
    assert_eq!(ig.posts()[0].caption, "Text B");
    let q = u.run(&["queue", "list", "--all", "--json"]).await.json();
    assert_eq!(q.len(), 2, "{q:?}");
    assert!(q.iter().all(|j| j["state"] == "done"), "{q:?}");
    drop((a, b));
}

/// A TLS proxy in front of an engine (as on another host: Chromium never
/// speaks TLS itself), with a certificate for `localhost` made here and
/// trusted through `SSL_CERT_FILE`. Returns the proxy's port.
async fn tls_proxy(u: &User, engine_port: u16) -> u16 {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    // A CA (what SSL_CERT_FILE trusts) and a certificate for localhost
    // signed by it.
    let dir = u.dir.path();
    let (ca, ca_key) = (dir.join("cert.pem"), dir.join("ca-key.pem"));
    let (cert, key, csr) = (
        dir.join("leaf.pem"),
        dir.join("key.pem"),
        dir.join("leaf.csr"),
    );
    let ext = u.file(
        "leaf.ext",
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    );
    let openssl = |args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl {args:?}: {out:?}");
    };
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    openssl(&[
        os("req"),
        os("-x509"),
        os("-newkey"),
        os("rsa:2048"),
        os("-nodes"),
        os("-days"),
        os("1"),
        os("-subj"),
        os("/CN=DistroFlow test CA"),
        os("-keyout"),
        ca_key.as_os_str(),
        os("-out"),
        ca.as_os_str(),
    ]);
    openssl(&[
        os("req"),
        os("-newkey"),
        os("rsa:2048"),
        os("-nodes"),
        os("-subj"),
        os("/CN=localhost"),
        os("-keyout"),
        key.as_os_str(),
        os("-out"),
        csr.as_os_str(),
    ]);
    openssl(&[
        os("x509"),
        os("-req"),
        os("-in"),
        csr.as_os_str(),
        os("-CA"),
        ca.as_os_str(),
        os("-CAkey"),
        ca_key.as_os_str(),
        os("-CAcreateserial"),
        os("-days"),
        os("1"),
        os("-extfile"),
        ext.as_os_str(),
        os("-out"),
        cert.as_os_str(),
    ]);
    let certs = rustls::pki_types::CertificateDer::pem_file_iter(&cert)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = rustls::pki_types::PrivateKeyDer::from_pem_file(&key).unwrap();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else {
                    return;
                };
                let Ok(mut up) = tokio::net::TcpStream::connect(("127.0.0.1", engine_port)).await
                else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut up).await;
            });
        }
    });
    port
}

/// `https://localhost:PORT` and `wss://localhost:PORT/devtools/browser/ID`
/// through a TLS proxy: discovery by name over TLS, the certificate
/// checked (trusted through `SSL_CERT_FILE`), and a post runs over `wss`.
#[tokio::test(flavor = "multi_thread")]
async fn engines_behind_tls_are_reached_over_https_and_wss() {
    let hn = distroflow_replica::HackerNews::start(distroflow_replica::HnOptions::default())
        .await
        .unwrap();
    let mut u = User::logged_in_to_hn(&hn.url()).await;
    let engine = Engine::start().await;
    let port = tls_proxy(&u, engine.port).await;
    let path = url::Url::parse(&engine.ws).unwrap().path().to_string();
    u.set(
        "SSL_CERT_FILE",
        u.dir.path().join("cert.pem").to_str().unwrap(),
    );
    u.set("DISTROFLOW_CHROME", "/bin/false");
    u.set(
        "DISTROFLOW_BROWSER_ENDPOINTS",
        &format!("https://localhost:{port},wss://localhost:{port}{path}"),
    );
    let out = u.run(&["engines", "--json"]).await;
    let rows = out.json();
    assert_eq!(rows.len(), 2, "{out:?}");
    for r in &rows {
        assert_eq!(r["reachable"], true, "{out:?}");
    }
    // Only the wss endpoint: the post runs over it.
    u.set(
        "DISTROFLOW_BROWSER_ENDPOINTS",
        &format!("wss://localhost:{port}{path}"),
    );
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "Over TLS",
            "--url",
            "https://example.com/tls",
            "--json",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(hn.stories().len(), 1);

    // An untrusted certificate is refused, and said so.
    u.unset("SSL_CERT_FILE");
    let out = u.run(&["engines", "--json"]).await;
    let row = &out.json()[0];
    assert_eq!(row["reachable"], false, "{out:?}");
    assert!(
        row["error"].as_str().unwrap().contains("certificate"),
        "{out:?}"
    );
}

/// The `browserless` kind's own path without Docker: a Chromium's socket
/// configured as `kind = "browserless"` gets one connection per job (with
/// `?token=` from `token_env` and `&timeout=`), all four posts land, and
/// the token is never printed.
#[tokio::test(flavor = "multi_thread")]
async fn the_browserless_kind_opens_one_connection_per_job() {
    let (
        Sites {
            hn, x, reddit, ig, ..
        },
        mut u,
    ) = four_sites().await;
    let engine = Engine::start().await;
    // A plain TCP relay in front of the engine that counts connections.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay = listener.local_addr().unwrap().port();
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = connections.clone();
    let engine_port = engine.port;
    tokio::spawn(async move {
        while let Ok((mut down, _)) = listener.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                if let Ok(mut up) = tokio::net::TcpStream::connect(("127.0.0.1", engine_port)).await
                {
                    let _ = tokio::io::copy_bidirectional(&mut down, &mut up).await;
                }
            });
        }
    });
    let path = url::Url::parse(&engine.ws).unwrap().path().to_string();
    u.file(
        "home/config.toml",
        &format!(
            "[[browser.endpoints]]\nname = \"pool\"\nurl = \"ws://127.0.0.1:{relay}{path}\"\nkind = \"browserless\"\nmax_sessions = 4\ntoken_env = \"DF_TEST_TOKEN\"\n"
        ),
    );
    u.set("DF_TEST_TOKEN", "s3cret-t0ken");
    u.set("DISTROFLOW_CHROME", "/bin/false");
    let out = u.run(&post_four_args("One connection each")).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        !out.stdout.contains("s3cret-t0ken") && !out.stderr.contains("s3cret-t0ken"),
        "{out:?}"
    );
    for r in out.json() {
        assert_eq!(r["engine"], "pool", "{out:?}");
    }
    assert_eq!(
        x.posts().len() + reddit.posts().len() + hn.stories().len() + ig.posts().len(),
        4
    );
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        4,
        "one connection per job"
    );
    // Every connection closed with its job: the engine keeps no tab of ours.
    let tabs = engine.tab_urls().await;
    assert!(
        tabs.iter().all(|t| !t.starts_with("http://127.0.0.1")),
        "{tabs:?}"
    );
}

/// Before the submit: a run looking for an earlier uncertain post (its
/// answer never came) loses its engine while the look is under way; the
/// look moves to the other engine, finds the post, and nothing is posted
/// twice.
#[tokio::test(flavor = "multi_thread")]
async fn an_engine_lost_before_the_submit_moves_the_job() {
    let hn = distroflow_replica::HackerNews::start(distroflow_replica::HnOptions::default())
        .await
        .unwrap();
    let mut u = User::logged_in_to_hn(&hn.url()).await;
    u.file("home/config.toml", "[browser]\njob_timeout_secs = 8\n");
    let args = [
        "post",
        "--to",
        "hn",
        "--title",
        "Looked for twice",
        "--url",
        "https://example.com/looked",
        "--json",
    ];
    // The story is stored but its answer never comes: uncertain.
    hn.set_fault(Some(HnFault::HangAfterStore));
    let out = u.run(&args).await;
    assert_eq!(out.code, 1, "{out:?}");
    let history = u.run(&["history", "--json"]).await.json();
    assert_eq!(history[0]["state"], "uncertain", "{history:?}");
    hn.set_fault(None);
    assert_eq!(hn.stories().len(), 1);

    let mut engines = [Engine::start().await, Engine::start().await];
    u.set(
        "DISTROFLOW_BROWSER_ENDPOINTS",
        &format!("{},{}", engines[0].ws, engines[1].ws),
    );
    u.set("DISTROFLOW_CHROME", "/bin/false");
    // The look hangs on the site until its engine is killed.
    hn.set_hang(true);
    let child = u.spawn(&args);
    let mut holder = None;
    for _ in 0..400 {
        for (i, e) in engines.iter().enumerate() {
            if e.tab_urls().await.iter().any(|t| t.starts_with(&hn.url())) {
                holder = Some(i);
            }
        }
        if holder.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let holder = holder.expect("an engine opened Hacker News to look");
    let survivor = engines[1 - holder].name();
    engines[holder].kill().await;
    hn.set_hang(false);
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the run ends")
        .unwrap();
    let out = crate::harness::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_eq!(out.code, 0, "{out:?}");
    let row = &out.json()[0];
    assert_eq!(row["status"], "skipped", "found, not posted again: {out:?}");
    assert_eq!(row["engine"], survivor.as_str(), "{out:?}");
    assert!(out.stderr.contains("lost before the submit"), "{out:?}");
    assert_eq!(hn.stories().len(), 1, "exactly one story");
}

/// With engines configured and no local Chromium at all, the visits that
/// are not posts go to an engine too: `login --cookies` checks the session
/// there, a password login fills the form there, `accounts` checks every
/// session there, and `replies` reads there. The engine is left running.
#[tokio::test(flavor = "multi_thread")]
async fn login_and_accounts_use_the_engines_with_no_local_chromium() {
    let hn = distroflow_replica::HackerNews::start(distroflow_replica::HnOptions::default())
        .await
        .unwrap();
    let engine = Engine::start().await;
    let mut u = User::new();
    u.set("DISTROFLOW_HACKERNEWS_URL", &hn.url());
    u.set("DISTROFLOW_BROWSER_ENDPOINTS", &engine.ws);
    u.set("DISTROFLOW_CHROME", "/bin/false");

    // A password login through the engine.
    let out = u
        .run_with_stdin(
            &["login", "hn", "--username", "sandbox", "--password-stdin"],
            Some("sandbox"),
        )
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("logged in to hackernews as sandbox"),
        "{out:?}"
    );

    // A cookie login, checked on the site through the engine.
    let cookie = hn.session_cookie("sandbox").unwrap();
    let f = u.cookie_file("hn.json", "user", &cookie);
    let out = u
        .run(&["login", "hn", "--cookies", f.to_str().unwrap()])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stderr.contains("logged in as sandbox"), "{out:?}");
    assert!(!out.stderr.contains("saved without checking"), "{out:?}");

    // Every saved session checked by visiting, through the engine.
    let out = u.run(&["accounts", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    let hn_row = out
        .json()
        .into_iter()
        .find(|a| a["platform"] == "hackernews")
        .unwrap();
    assert_eq!(hn_row["status"], "logged_in", "{out:?}");
    assert_eq!(hn_row["checked"], true, "{out:?}");

    // A post, then its replies read, both on the engine.
    let out = u
        .run(&[
            "post",
            "--to",
            "hn",
            "--title",
            "On the engine",
            "--url",
            "https://example.com/e",
        ])
        .await;
    assert_eq!(out.code, 0, "{out:?}");
    let out = u.run(&["replies", "--to", "hn", "--json"]).await;
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        !out.stderr.contains("browser:"),
        "no local Chromium was needed: {out:?}"
    );

    // The engine is still there for the next job.
    let list = reqwest::get(format!("http://127.0.0.1:{}/json/version", engine.port))
        .await
        .unwrap();
    assert!(list.status().is_success());
}
