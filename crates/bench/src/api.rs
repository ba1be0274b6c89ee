//! `--api`: `distroflow serve` against the CLI, on the replicas.
//!
//! - the latency of an API post (the request to its `post.finished` event
//!   on the WebSocket, on the server's warm browser) against a CLI post of
//!   the same content (process start to exit: it launches its browser),
//!   both with the post loading its pages and with the pages prepared
//!   while the person writes (`POST /api/v1/prepare`, as the dashboard
//!   and the extension do);
//! - the server's requests per second on `GET /api/v1/history` with
//!   10,000 records in the store;
//! - the server process's memory (PSS) when idle, without the browser.
//!
//! Runs the `distroflow` binary named by `DISTROFLOW_BIN` (scripts/bench
//! builds it). Prints numbers; asserts nothing.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::client::IntoClientRequest;
use futures::StreamExt;
use tokio::io::AsyncBufReadExt;

use crate::{median, ms, Replicas};

const TOKEN: &str = "bench-token-0123456789abcdef0123456789abcdef";
const RECORDS: usize = 10_000;

pub(crate) struct ApiArgs {
    pub(crate) latency: Duration,
    pub(crate) runs: usize,
    pub(crate) json: bool,
}

struct Home {
    dir: tempfile::TempDir,
    bin: PathBuf,
    env: Vec<(String, String)>,
}

impl Home {
    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(&self.bin);
        c.args(args)
            .stdin(Stdio::null())
            .kill_on_drop(true)
            .env_remove("RUST_LOG");
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("DISTROFLOW_")) {
            c.env_remove(k);
        }
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    async fn run(&self, args: &[&str]) -> Result<String, String> {
        let out = self
            .command(args)
            .output()
            .await
            .map_err(|e| format!("{}: {e}", self.bin.display()))?;
        if !out.status.success() {
            return Err(format!(
                "distroflow {}: {}{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// 10,000 finished attempts, as many runs would have left.
fn seed(home: &Path) -> Result<(), String> {
    use distroflow_core::{PlatformId, Post};
    use distroflow_store::{NewAttempt, Outcome, Store};
    let store = Store::open(home.join(Store::FILE_NAME)).map_err(|e| e.to_string())?;
    let now = jiff::Timestamp::now();
    for i in 0..RECORDS {
        let p = [PlatformId::X, PlatformId::HackerNews, PlatformId::Reddit][i % 3];
        let post = Post::new(format!("Seeded post {i}")).with_title(format!("Seeded {i}"));
        let new = NewAttempt::for_post(p, "sandbox", &post).map_err(|e| e.to_string())?;
        let id = store.begin_attempt(&new, now).map_err(|e| e.to_string())?;
        store
            .finish_attempt(
                id,
                &Outcome::Posted {
                    url: format!("http://127.0.0.1/item?id={i}"),
                    id: Some(i.to_string()),
                },
                now,
            )
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub(crate) async fn bench(args: ApiArgs) -> Result<(), String> {
    let bin = std::env::var_os("DISTROFLOW_BIN")
        .map(PathBuf::from)
        .ok_or("--api runs the distroflow binary: set DISTROFLOW_BIN (scripts/bench --api does)")?;
    let replicas = Replicas::start(args.latency)
        .await
        .map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::create_dir_all(dir.path().join("tmp")).map_err(|e| e.to_string())?;
    let home_path = dir.path().join("home");
    let mut home = Home {
        env: vec![
            ("DISTROFLOW_HOME".into(), home_path.display().to_string()),
            (
                "TMPDIR".into(),
                dir.path().join("tmp").display().to_string(),
            ),
            ("DISTROFLOW_RATE_LIMITS".into(), "off".into()),
            ("DISTROFLOW_API_TOKEN".into(), TOKEN.into()),
            ("DISTROFLOW_HACKERNEWS_URL".into(), replicas.hn.url()),
            ("DISTROFLOW_X_URL".into(), replicas.x.url()),
        ],
        dir,
        bin,
    };
    if let Some(chrome) = std::env::var_os("DISTROFLOW_CHROME") {
        home.env
            .push(("DISTROFLOW_CHROME".into(), chrome.to_string_lossy().into()));
    }
    for (p, cookie, value) in [
        (
            "hn",
            "user",
            replicas.hn.session_cookie("sandbox").unwrap_or_default(),
        ),
        (
            "x",
            "auth_token",
            replicas.x.session_cookie("sandbox").unwrap_or_default(),
        ),
    ] {
        let f = home.dir.path().join(format!("{p}.json"));
        let json = serde_json::json!([{"name": cookie, "value": value, "domain": "127.0.0.1", "path": "/"}]);
        std::fs::write(&f, json.to_string()).map_err(|e| e.to_string())?;
        home.run(&[
            "login",
            p,
            "--cookies",
            f.to_str().unwrap_or_default(),
            "--no-check",
        ])
        .await?;
    }

    // CLI posts: each launches its browser.
    let mut cli = Vec::new();
    for i in 0..args.runs + 1 {
        let text = format!("CLI post {i} for the API benchmark");
        let start = Instant::now();
        let out = home
            .run(&["post", "--to", "hn,x", "--title", &text, "--json", &text])
            .await?;
        if std::env::var_os("BENCH_VERBOSE").is_some() {
            let jobs: Vec<String> = out
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .map(|r| format!("{} {} ms", r["platform"], r["duration_ms"]))
                .collect();
            eprintln!(
                "    CLI post {i}: {:?} ({})",
                start.elapsed(),
                jobs.join(", ")
            );
        }
        if i > 0 {
            cli.push(start.elapsed()); // the first warms the disk cache
        }
    }

    seed(&home_path)?;

    // The server.
    let mut child = home
        .command(&["serve", "--listen", "127.0.0.1:0", "--no-daemon"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let pid = child.id().unwrap_or_default();
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = lines
        .next_line()
        .await
        .map_err(|e| e.to_string())?
        .ok_or("serve printed nothing")?;
    let base = first
        .strip_prefix("listening on ")
        .ok_or(format!("serve said: {first}"))?
        .to_string();
    let http = reqwest::Client::new();

    // Idle memory of the server process alone (its Chromium is separate
    // processes and not counted), once the warm browser is up.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle_kb = crate::mem::pss_kb(&pid.to_string());

    let ws_url = format!("{}/api/v1/events", base.replacen("http://", "ws://", 1));
    let mut req = ws_url.into_client_request().map_err(|e| e.to_string())?;
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {TOKEN}").parse().map_err(|_| "header")?,
    );
    let (mut socket, _) = async_tungstenite::tokio::connect_async(req)
        .await
        .map_err(|e| e.to_string())?;
    let mut api = Vec::new();
    let mut prepared = Vec::new();
    // Cold: the post's jobs load their pages (spare contexts only). Then
    // prepared: the dashboard and the extension ask the server to load the
    // compose pages while you write (`POST /api/v1/prepare`); the post
    // follows a second later, as the person finishes.
    for (i, prepare) in (0..args.runs + 1)
        .map(|i| (i, false))
        .chain((0..args.runs + 1).map(|i| (i, true)))
    {
        let text = format!(
            "API post {i}{} for the API benchmark",
            if prepare { " (prepared)" } else { "" }
        );
        let draft = serde_json::json!({"to": ["hn", "x"], "title": text, "text": text});
        let send = |route: &str| {
            http.post(format!("{base}/api/v1/{route}"))
                .bearer_auth(TOKEN)
                .json(&draft)
                .send()
        };
        if prepare {
            let r = send("prepare").await.map_err(|e| e.to_string())?;
            let v: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
            if v["prepared"].as_array().map(Vec::len) != Some(2) {
                return Err(format!("the pages were not prepared: {v}"));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let start = Instant::now();
        let r = send("posts").await.map_err(|e| e.to_string())?;
        let v: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
        let id = v["id"].as_str().ok_or(format!("no id: {v}"))?.to_string();
        loop {
            let m = tokio::time::timeout(Duration::from_secs(120), socket.next())
                .await
                .map_err(|_| "no post.finished within 120 s")?
                .ok_or("the WebSocket closed")?
                .map_err(|e| e.to_string())?;
            let Ok(text) = m.into_text() else { continue };
            let e: serde_json::Value = serde_json::from_str(text.as_str()).unwrap_or_default();
            if e["type"] == "post.finished" && e["post_id"] == id.as_str() {
                if std::env::var_os("BENCH_VERBOSE").is_some() {
                    let jobs: Vec<String> = e["results"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|r| format!("{} {} ms", r["platform"], r["duration_ms"]))
                        .collect();
                    eprintln!(
                        "    API post {i}{}: {:?} ({})",
                        if prepare { " (prepared)" } else { "" },
                        start.elapsed(),
                        jobs.join(", ")
                    );
                }
                if e["ok"] != true {
                    return Err(format!("API post failed: {e}"));
                }
                break;
            }
        }
        if i > 0 {
            // The first of each loads the pages once.
            if prepare {
                prepared.push(start.elapsed());
            } else {
                api.push(start.elapsed());
            }
        }
    }

    // GET /api/v1/history, 8 clients on keep-alive connections, 5 s.
    let url = format!("{base}/api/v1/history");
    let deadline = Instant::now() + Duration::from_secs(5);
    let start = Instant::now();
    let counts = futures::future::join_all((0..8).map(|_| {
        let http = reqwest::Client::new();
        let url = url.clone();
        async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                match http.get(&url).bearer_auth(TOKEN).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        n += 1;
                    }
                    _ => return Err("a history request failed".to_string()),
                }
            }
            Ok(n)
        }
    }))
    .await;
    let elapsed = start.elapsed();
    let total: u64 = counts
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?
        .iter()
        .sum();
    let rps = total as f64 / elapsed.as_secs_f64();

    if let Some(pid) = child.id() {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
    }
    let _ = tokio::time::timeout(Duration::from_secs(60), child.wait()).await;

    let (cli_ms, api_ms) = (ms(median(cli)), ms(median(api)));
    let prepared_ms = ms(median(prepared));
    let ratio = api_ms / cli_ms;
    let prepared_ratio = prepared_ms / cli_ms;
    let idle_mb = idle_kb as f64 / 1024.0;
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "latency_ms": args.latency.as_millis() as u64,
                "runs": args.runs,
                "cli_post_ms": cli_ms,
                "api_post_ms": api_ms,
                "api_over_cli": ratio,
                "api_prepared_post_ms": prepared_ms,
                "api_prepared_over_cli": prepared_ratio,
                "history_records": RECORDS,
                "history_rps": rps,
                "server_idle_pss_mb": idle_mb,
            })
        );
    } else {
        println!(
            "API vs CLI, hn+x, {} ms latency, median of {} posts each",
            args.latency.as_millis(),
            args.runs
        );
        println!("  CLI post (process start to exit)     {cli_ms:>7.0} ms");
        println!(
            "  API post (request to post.finished)  {api_ms:>7.0} ms   (pages loaded by the post)"
        );
        println!("  API post, pages prepared             {prepared_ms:>7.0} ms   (POST /api/v1/prepare while writing)");
        println!("  API / CLI                            {ratio:>7.2}");
        println!(
            "  API prepared / CLI                   {prepared_ratio:>7.2}   (target <= 0.60: {})",
            if prepared_ratio <= 0.6 {
                "met"
            } else {
                "not met"
            }
        );
        println!(
            "  GET /api/v1/history, {RECORDS} records: {rps:.0} requests/s, 8 clients (target >= 2000: {})",
            if rps >= 2000.0 { "met" } else { "not met" }
        );
        println!(
            "  server idle memory (PSS, without the browser): {idle_mb:.1} MB (target <= 30: {})",
            if idle_mb <= 30.0 { "met" } else { "not met" }
        );
    }
    Ok(())
}
