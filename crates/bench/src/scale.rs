//! `--scale`: 1, 4, 8 and 16 targets in one run, for how cost grows per
//! added target.
//!
//! The CLI posts to one account per platform, and there are seven
//! platforms, so 8 and 16 targets cannot be one `distroflow post`. What
//! this does instead: the same fan-out `distroflow post` runs
//! (`distroflow_engine::run` with `BrowserSource::Launch`, so Chromium's
//! launch and close are in every run, with the configured default pool),
//! over X, Reddit, Hacker News and Instagram replicas that each have four
//! accounts: 4 targets are the four platforms, 8 the four with two
//! accounts each, 16 with four accounts each; 1 target is X alone. The
//! replicas are served from this process, as `--sandbox` serves them from
//! `distroflow`'s, so the tree measured is this process and everything it
//! starts: memory is its PSS summed at the same instant (this process
//! included), CPU this process's own plus its children's (see `tree.rs`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use distroflow_browser::BrowserOptions;
use distroflow_core::{Cookie, JobContext, PlatformId, Post, Secret};
use distroflow_engine::{BrowserSource, Job, RunEnd};
use distroflow_healer::{Healer, SelectorBook};
use distroflow_replica::{
    HackerNews, HnOptions, Instagram, InstagramOptions, Reddit, RedditOptions, XOptions, X,
};

use crate::process::{Figures, Spread};

const ACCOUNTS: [&str; 4] = ["sandbox", "sandbox2", "sandbox3", "sandbox4"];

struct Sites {
    x: X,
    reddit: Reddit,
    hn: HackerNews,
    instagram: Instagram,
}

impl Sites {
    async fn start() -> std::io::Result<Sites> {
        let users: Vec<String> = ACCOUNTS.iter().map(|s| s.to_string()).collect();
        Ok(Sites {
            x: X::start(XOptions {
                users: users.clone(),
                ..XOptions::default()
            })
            .await?,
            reddit: Reddit::start(RedditOptions {
                users: users.clone(),
                ..RedditOptions::default()
            })
            .await?,
            hn: HackerNews::start(HnOptions {
                users: users.iter().map(|u| (u.clone(), u.clone())).collect(),
                ..HnOptions::default()
            })
            .await?,
            instagram: Instagram::start(InstagramOptions {
                users,
                ..InstagramOptions::default()
            })
            .await?,
        })
    }

    fn job(&self, p: PlatformId, user: &str, healer: &Arc<Healer>) -> Job {
        let (url, name, value) = match p {
            PlatformId::X => (self.x.url(), "auth_token", self.x.session_cookie(user)),
            PlatformId::Reddit => (
                self.reddit.url(),
                "reddit_session",
                self.reddit.session_cookie(user),
            ),
            PlatformId::Instagram => (
                self.instagram.url(),
                "sessionid",
                self.instagram.session_cookie(user),
            ),
            _ => (self.hn.url(), "user", self.hn.session_cookie(user)),
        };
        Job {
            platform: p,
            adapter: distroflow_platforms::adapter(p).expect("adapter").into(),
            ctx: JobContext::new(url.parse().expect("replica url")),
            cookies: Some(vec![Cookie {
                name: name.into(),
                value: Secret::new(value.unwrap_or_default()),
                domain: "127.0.0.1".into(),
                path: "/".into(),
                expires: None,
                http_only: true,
                secure: false,
                same_site: None,
            }]),
            healer: healer.clone(),
            account: user.into(),
            ledger: None,
            bundles: None,
            storage: Vec::new(),
            save_storage: None,
        }
    }

    fn jobs(&self, n: usize, healer: &Arc<Healer>) -> Vec<Job> {
        const FOUR: [PlatformId; 4] = [
            PlatformId::X,
            PlatformId::Reddit,
            PlatformId::HackerNews,
            PlatformId::Instagram,
        ];
        (0..n)
            .map(|i| self.job(FOUR[i % 4], ACCOUNTS[i / 4], healer))
            .collect()
    }
}

/// This process's CPU (user + system) and its waited-for children's.
fn tree_cpu() -> Duration {
    crate::cpu::own() + crate::tree::children_cpu()
}

pub(crate) async fn bench(runs: usize, every: Duration, json: bool) -> Result<(), String> {
    crate::tree::become_subreaper()?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let png = dir.path().join("bench.png");
    std::fs::write(&png, crate::PNG).map_err(|e| e.to_string())?;
    let media = distroflow_core::Media::from_path(&png).map_err(|e| e.to_string())?;
    let sites = Sites::start().await.map_err(|e| e.to_string())?;
    let book =
        SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES).map_err(|e| e.to_string())?;
    let healer = Healer::new(book, None).map_err(|e| e.to_string())?;
    let mut options = BrowserOptions::from_env(None);
    // What `distroflow post` gets without a config file.
    options.max_concurrency = distroflow_core::Config::default().browser.max_concurrency;
    let pool = options.max_concurrency;
    let mut n = 0usize;
    let mut rows = Vec::new();
    for targets in [1usize, 4, 8, 16] {
        let (mut wall, mut cpu, mut pss, mut uss) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut max_procs = 0;
        // One warm-up, then `runs` timed, then `runs` sampled.
        for i in 0..runs * 2 + 1 {
            n += 1;
            let mut post = Post::new(format!(
                "Scale post #{n} from DistroFlow 🚀\n\nMeasuring cost per target."
            ))
            .with_title(format!("Scale post #{n}"));
            post.media.push(media.clone());
            post.set_option(PlatformId::Reddit, "subreddit", "bench");
            let sampled = i > runs;
            let sampler =
                sampled.then(|| crate::tree::TreeSampler::start(std::process::id(), true, every));
            let cpu0 = tree_cpu();
            let start = Instant::now();
            let end = distroflow_engine::run(
                sites.jobs(targets, &healer),
                post,
                BrowserSource::Launch(options.clone()),
                Duration::from_secs(180),
                |_| {},
                std::future::pending(),
            )
            .await;
            let elapsed = start.elapsed();
            tokio::task::spawn_blocking(|| crate::tree::reap_all(Duration::from_secs(10)))
                .await
                .ok();
            let used = tree_cpu().saturating_sub(cpu0);
            let peak = sampler.map(|s| s.stop());
            match end {
                RunEnd::Done(results) => {
                    let failed: Vec<String> = results
                        .iter()
                        .filter(|r| !r.ok)
                        .map(|r| {
                            format!("{}: {:?}", r.platform, r.error.as_ref().map(|e| &e.message))
                        })
                        .collect();
                    if !failed.is_empty() {
                        return Err(format!("{targets} targets: {}", failed.join("; ")));
                    }
                }
                RunEnd::Interrupted => return Err("interrupted".into()),
            }
            if std::env::var_os("BENCH_VERBOSE").is_some() {
                eprintln!("    {targets} targets: wall {elapsed:?} cpu {used:?} pss {peak:?}");
            }
            if let Some((kib, private, _, procs)) = peak {
                pss.push(kib as f64 / 1024.0);
                uss.push(private as f64 / 1024.0);
                max_procs = max_procs.max(procs);
            } else if i > 0 {
                wall.push(crate::ms(elapsed));
                cpu.push(crate::ms(used));
            }
        }
        rows.push(Figures {
            label: format!("{targets} target{}", if targets == 1 { "" } else { "s" }),
            wall_ms: Spread::of(wall),
            cpu_ms: Spread::of(cpu),
            pss_mib: Spread::of(pss),
            uss_mib: Spread::of(uss),
            max_procs,
        });
    }
    let one = rows[0].clone();
    if json {
        println!(
            "{}",
            serde_json::json!({
                "kind": "scale (in-process fan-out, launch included)",
                "machine": crate::process::machine(),
                "browser": crate::browser_used(),
                "pool": pool,
                "runs": runs,
                "rows": rows.iter().map(|r| {
                    let mut v = r.json();
                    v["wall_over_1"] = r.wall_ms.over(&one.wall_ms).json();
                    v["pss_over_1"] = r.pss_mib.over(&one.pss_mib).json();
                    v["uss_over_1"] = r.uss_mib.over(&one.uss_mib).json();
                    v
                }).collect::<Vec<_>>(),
            })
        );
        return Ok(());
    }
    println!(
        "Scale: one run's fan-out with Chromium's launch and close (in-process, as `distroflow post` runs it), pool {pool}, X/Reddit/HN/Instagram with 1-4 accounts each"
    );
    println!("  machine  {}", crate::process::machine());
    println!("  browser  {}", crate::browser_used());
    println!(
        "  median [min-max] of {runs} runs; memory: this process and its children, PSS summed at the same instant every {} ms",
        every.as_millis()
    );
    println!(
        "{}   wall / 1   PSS / 1   USS / 1",
        crate::process::header()
    );
    for r in &rows {
        println!(
            "{}   {:>6.2}x   {:>6.2}x   {:>6.2}x",
            r.row(),
            r.wall_ms.over(&one.wall_ms).median,
            r.pss_mib.over(&one.pss_mib).median,
            r.uss_mib.over(&one.uss_mib).median
        );
    }
    // Cost per added target, from 4 to 16.
    let (a, b) = (&rows[1], &rows[3]);
    println!(
        "  per added target (4 -> 16): wall +{:.0} ms, CPU +{:.0} ms, PSS +{:.1} MiB, USS +{:.1} MiB",
        (b.wall_ms.median - a.wall_ms.median) / 12.0,
        (b.cpu_ms.median - a.cpu_ms.median) / 12.0,
        (b.pss_mib.median - a.pss_mib.median) / 12.0,
        (b.uss_mib.median - a.uss_mib.median) / 12.0
    );
    Ok(())
}
