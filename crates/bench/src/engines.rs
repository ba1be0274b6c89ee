//! `--engines N`: the engine pool against the replicas. Starts local
//! Chromiums with `--remote-debugging-port` as `cdp` engines (as a remote
//! host would run them) and measures:
//!
//! - throughput (posts per minute) with 1, 2, 4 … N engines, each kept full
//!   (one post to all four replicas per 4 sessions of room);
//! - the coordinator's own CPU and memory (this process: the pool, the
//!   fan-out, the adapters' logic), scaled to 100 concurrent jobs;
//! - memory per session: the PSS of one engine's processes with 0, 1, 2, 4
//!   and 8 sessions open on a replica page.
//!
//! It asserts nothing. On a machine with fewer cores than engines the
//! engines share the cores, and throughput cannot grow with them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use distroflow_browser::{BrowserOptions, Engines};
use distroflow_core::{CookieScope, Endpoint, EngineKind, Page, PlatformId};
use distroflow_engine::{BrowserSource, RunEnd};

use crate::{cpu, mem, ms, post, Args, Setup, ALL};

/// Sessions per engine (each post to all four takes four).
const SESSIONS: usize = 4;

/// A Chromium listening on a free DevTools port, killed on drop.
struct EngineProc {
    child: tokio::process::Child,
    /// Holds the profile folder until the engine stops.
    _profile: tempfile::TempDir,
    endpoint: Endpoint,
}

impl EngineProc {
    /// Starts engine `n` with its profile folder in `under`.
    async fn start(n: usize, under: &std::path::Path) -> Result<EngineProc, String> {
        let profile = tempfile::tempdir_in(under).map_err(|e| e.to_string())?;
        let chrome = BrowserOptions::from_env(None).chrome;
        let mut cmd = tokio::process::Command::new(&chrome);
        cmd.args([
            "--headless=new",
            "--disable-gpu",
            "--no-first-run",
            "--remote-debugging-port=0",
            &format!("--user-data-dir={}", profile.path().display()),
            "about:blank",
        ]);
        if running_as_root() {
            cmd.arg("--no-sandbox");
        }
        let child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", chrome.display()))?;
        let active = profile.path().join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(text) = std::fs::read_to_string(&active) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    let url = format!("ws://127.0.0.1:{port}{path}")
                        .parse()
                        .map_err(|e| format!("{e}"))?;
                    return Ok(EngineProc {
                        child,
                        _profile: profile,
                        endpoint: Endpoint {
                            name: format!("engine{n}"),
                            kind: EngineKind::Cdp,
                            url: Some(url),
                            max_sessions: SESSIONS,
                            token: None,
                        },
                    });
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("an engine never wrote DevToolsActivePort".into())
    }

    fn pss_kb(&self) -> u64 {
        self.child.id().map(mem::group_pss).unwrap_or(0)
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

fn running_as_root() -> bool {
    // Chromium refuses to run as root with its sandbox.
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

fn options() -> BrowserOptions {
    BrowserOptions::from_env(None)
}

pub(crate) async fn bench(args: &Args, max_engines: usize) -> Result<(), String> {
    let setup = Setup::new(args).await?;
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    println!(
        "Engine pool: local Chromiums as cdp engines ({SESSIONS} sessions each), {} ms replica latency, {} rounds\n  browser: {}\n  cores: {cores} (shared by every engine and this coordinator)",
        args.latency.as_millis(),
        args.runs,
        crate::browser_used()
    );
    let mut counts: Vec<usize> = [1, 2, 4, 8, 16]
        .into_iter()
        .filter(|n| *n <= max_engines)
        .collect();
    if !counts.contains(&max_engines) {
        counts.push(max_engines);
    }
    let mut n_post = 0;
    let mut base_rate = None;
    for n in counts {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut procs = Vec::new();
        for i in 0..n {
            procs.push(EngineProc::start(i + 1, dir.path()).await?);
        }
        let engines = Engines::new(
            procs.iter().map(|p| p.endpoint.clone()).collect(),
            options(),
        );
        // Warm-up: every engine connected, its first pages loaded.
        let warm: Vec<_> = (0..n)
            .map(|_| {
                n_post += 1;
                fan_out(&engines, &setup, n_post)
            })
            .collect();
        for r in futures::future::join_all(warm).await {
            r?;
        }
        // Timed rounds, not sampled (reading /proc costs this process CPU).
        let meter = cpu::Meter::start();
        let start = Instant::now();
        let mut posts = 0;
        for _ in 0..args.runs {
            // Every engine full: one post to all four per engine at once.
            let wave: Vec<_> = (0..n)
                .map(|_| {
                    n_post += 1;
                    fan_out(&engines, &setup, n_post)
                })
                .collect();
            for r in futures::future::join_all(wave).await {
                posts += r?;
            }
        }
        let wall = start.elapsed();
        let (machine, own) = meter.stop();
        // One more round for memory, sampled: this process and every
        // engine's processes.
        let groups: Vec<u32> = procs.iter().filter_map(|p| p.child.id()).collect();
        let engines_pss = move || groups.iter().map(|g| mem::group_pss(*g)).sum::<u64>();
        let (own_before, engines_before) = (mem::pss_kb("self"), engines_pss());
        let sampler = mem::Sampler::start_with(engines_pss);
        let wave: Vec<_> = (0..n)
            .map(|_| {
                n_post += 1;
                fan_out(&engines, &setup, n_post)
            })
            .collect();
        for r in futures::future::join_all(wave).await {
            r?;
        }
        let (own_peak, engines_peak) = sampler.stop();
        let rate = posts as f64 / wall.as_secs_f64() * 60.0;
        let concurrent = n * SESSIONS;
        // This process's CPU while `concurrent` jobs ran, as a share of
        // one core, and scaled linearly to 100 concurrent jobs.
        let own_core = own.as_secs_f64() / wall.as_secs_f64();
        let own_mem_per_job = own_peak.saturating_sub(own_before) as f64 / concurrent as f64;
        let scaling = base_rate
            .map(|b: f64| format!("  ({:.2}x of 1 engine)", rate / b))
            .unwrap_or_default();
        base_rate.get_or_insert(rate);
        println!(
            "  {n} engine(s): {posts} posts in {:.1} s = {rate:.1} posts/min{scaling}; {concurrent} concurrent jobs\n    machine CPU {:.0} ms/post; coordinator CPU {:.0} ms/post, {:.1}% of a core -> ~{:.0}% of a core for 100 concurrent jobs (linear)\n    coordinator memory: {} MiB before, peak {} MiB (+{:.0} KiB per concurrent job -> ~{:.0} MiB with 100)\n    engines' memory: {} MiB warmed up, peak {} MiB while posting ({:.0} MiB per busy session)",
            wall.as_secs_f64(),
            ms(machine) / posts.max(1) as f64,
            ms(own) / posts.max(1) as f64,
            own_core * 100.0,
            own_core * 100.0 / concurrent as f64 * 100.0,
            own_before / 1024,
            own_peak / 1024,
            own_mem_per_job,
            (own_before as f64 + own_mem_per_job * 100.0) / 1024.0,
            engines_before / 1024,
            engines_peak / 1024,
            engines_peak.saturating_sub(engines_before) as f64 / 1024.0 / concurrent as f64,
        );
        engines.close().await;
        for p in procs {
            p.stop().await;
        }
    }
    session_memory(&setup).await?;
    Ok(())
}

/// One post to all four replicas on the pool; the number of posts made.
async fn fan_out(engines: &Arc<Engines>, setup: &Setup, n: usize) -> Result<usize, String> {
    let jobs = ALL
        .iter()
        .map(|p| setup.replicas.job(*p, &setup.healer))
        .collect();
    let end = distroflow_engine::run(
        jobs,
        post(n, &setup.media),
        BrowserSource::Pool(engines.clone()),
        Duration::from_secs(120),
        |_| {},
        std::future::pending(),
    )
    .await;
    match end {
        RunEnd::Done(results) => {
            let failed: Vec<String> = results
                .iter()
                .filter(|r| !r.ok)
                .map(|r| format!("{}: {:?}", r.platform, r.error.as_ref().map(|e| &e.message)))
                .collect();
            if failed.is_empty() {
                Ok(results.len())
            } else {
                Err(failed.join("; "))
            }
        }
        RunEnd::Interrupted => Err("interrupted".into()),
    }
}

/// PSS of one engine with k sessions open on the X replica's home page
/// (logged in: a context, its cookies, one tab, the page's scripts).
async fn session_memory(setup: &Setup) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let engine = EngineProc::start(0, dir.path()).await?;
    let mut endpoint = engine.endpoint.clone();
    endpoint.max_sessions = 8;
    let engines = Engines::new(vec![endpoint], options());
    let (url, cookie, value) = setup.replicas.site(PlatformId::X);
    let base: url::Url = url.parse().map_err(|e| format!("{e}"))?;
    let scope = CookieScope::new(PlatformId::X, &base);
    let cookies = vec![distroflow_core::Cookie {
        name: cookie.into(),
        value: distroflow_core::Secret::new(value),
        domain: "127.0.0.1".into(),
        path: "/".into(),
        expires: None,
        http_only: true,
        secure: false,
        same_site: None,
    }];
    let settle = || tokio::time::sleep(Duration::from_millis(1500));
    settle().await;
    let idle = engine.pss_kb();
    println!(
        "Memory per session (PSS of one engine's processes, X replica home page open in each)\n  0 sessions: {} MiB (the idle browser)",
        idle / 1024
    );
    let mut open = Vec::new();
    let mut one = 0;
    for k in [1usize, 2, 4, 8] {
        while open.len() < k {
            let s = engines
                .session_in(&scope, &cookies)
                .await
                .map_err(|e| e.to_string())?;
            s.page()
                .goto(base.join("home").map_err(|e| e.to_string())?.as_str())
                .await
                .map_err(|e| e.to_string())?;
            open.push(s);
        }
        settle().await;
        let pss = engine.pss_kb();
        if k == 1 {
            one = pss;
            println!("  1 session: {} MiB", pss / 1024);
        } else {
            // The first session also wakes the browser's shared parts up:
            // each further one is what a session costs.
            println!(
                "  {k} sessions: {} MiB, {:.0} MiB per session beyond the first",
                pss / 1024,
                pss.saturating_sub(one) as f64 / 1024.0 / (k - 1) as f64
            );
        }
    }
    for s in open {
        s.close().await;
    }
    engines.close().await;
    engine.stop().await;
    Ok(())
}
