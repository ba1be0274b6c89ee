//! `distroflow-bench`: prints the numbers issue targets are judged by. It
//! asserts nothing. Run it through `scripts/bench`, which builds the
//! workspace's release binaries first (the same build as `cargo build
//! --release`, so nothing is rebuilt with other features).
//!
//! With no mode, the default: the `distroflow` binary as a whole process
//! (see `process.rs`: `distroflow post --sandbox` for each of X, Reddit,
//! Hacker News and Instagram alone, the four at once and all seven, against
//! the floor of the headless shell loading one page; wall, the process
//! tree's CPU and its same-instant PSS; median, min and max of `--runs`),
//! then the in-process engine figures as a second table (a browser already
//! launched; `--latency-ms` of injected latency, 0 by default).
//!
//! ```text
//! scripts/bench [--runs 5] [--seed 1] [--sample-ms 25] [--json]
//! scripts/bench --process | --in-process [--latency-ms N] | --scale
//! scripts/bench --cpu [--latency-ms 100] [--runs 3]
//! ```
//!
//! `--scale` runs 1, 4, 8 and 16 targets (several accounts per replica)
//! through the engine's fan-out with the browser's launch (see `scale.rs`).
//!
//! `--api` compares `distroflow serve` with the CLI (see `api.rs`).
//!
//! `--engines N` measures the engine pool: throughput with 1, 2, 4 … N
//! local engines, the coordinator's CPU and memory, memory per session
//! (see `engines.rs`).
//!
//! `--cpu` posts to each platform alone, then to all of them, on one
//! warmed-up browser and prints the CPU each post cost (the whole machine's
//! busy time, so run it on a quiet machine).

#![allow(clippy::print_stdout, clippy::print_stderr)]

mod api;
mod cpu;
mod engines;
mod healing;
mod mem;
mod mutations;
mod process;
mod scale;
mod tree;

use std::sync::Arc;
use std::time::{Duration, Instant};

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::{Cookie, JobContext, Media, PlatformId, Post, Secret};
use distroflow_engine::{BrowserSource, Job, RunEnd};
use distroflow_healer::{Healer, SelectorBook};
use distroflow_replica::{
    Bluesky, BlueskyOptions, HackerNews, HnOptions, Instagram, InstagramOptions, LinkedIn,
    LinkedInOptions, Mastodon, MastodonOptions, Reddit, RedditOptions, XOptions, X,
};

struct Args {
    latency: Duration,
    runs: usize,
    json: bool,
    healing: bool,
    cpu: bool,
    /// `--api`: `distroflow serve` against the CLI.
    api: bool,
    /// `--mutations N` (with `--healing`): seeded redesigns per platform.
    mutations: Option<u64>,
    platforms: Vec<PlatformId>,
    mix_hydration: bool,
    fake_model: bool,
    model_only: bool,
    first_seed: u64,
    /// `--engines N`: the engine pool with 1, 2, 4 … N local engines.
    engines: Option<usize>,
    /// `--process`: the whole-process figures only.
    process: bool,
    /// `--in-process`: the in-process engine figures only.
    in_process: bool,
    /// `--scale`: 1, 4, 8 and 16 targets.
    scale: bool,
    /// `--seed N`: fixes the replicas' random delays.
    seed: u64,
    /// `--sample-ms N`: how often memory is sampled.
    sample_ms: u64,
    /// `--pool N`: the whole-process runs' `[browser] max_concurrency`.
    pool: Option<usize>,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        latency: Duration::ZERO,
        runs: 5,
        json: false,
        healing: false,
        cpu: false,
        api: false,
        mutations: None,
        platforms: vec![
            PlatformId::HackerNews,
            PlatformId::X,
            PlatformId::Reddit,
            PlatformId::Instagram,
            PlatformId::Bluesky,
            PlatformId::Mastodon,
            PlatformId::LinkedIn,
        ],
        mix_hydration: false,
        fake_model: false,
        model_only: false,
        first_seed: 1,
        engines: None,
        process: false,
        in_process: false,
        scale: false,
        seed: 1,
        sample_ms: 25,
        pool: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or(format!("{name} needs a number"))
        };
        match arg.as_str() {
            "--latency-ms" => a.latency = Duration::from_millis(num("--latency-ms")?),
            "--runs" => a.runs = num("--runs")?.max(1) as usize,
            "--json" => a.json = true,
            "--healing" => a.healing = true,
            "--cpu" => a.cpu = true,
            "--api" => a.api = true,
            "--mutations" => a.mutations = Some(num("--mutations")?),
            "--first-seed" => a.first_seed = num("--first-seed")?,
            "--mix-hydration" => a.mix_hydration = true,
            "--fake-model" => a.fake_model = true,
            "--model-only" => a.model_only = true,
            "--engines" => a.engines = Some(num("--engines")?.max(1) as usize),
            "--process" => a.process = true,
            "--in-process" => a.in_process = true,
            "--scale" => a.scale = true,
            "--seed" => a.seed = num("--seed")?,
            "--pool" => a.pool = Some(num("--pool")?.max(1) as usize),
            "--sample-ms" => a.sample_ms = num("--sample-ms")?.clamp(5, 1000),
            "--platforms" => {
                let list = it.next().ok_or("--platforms needs a list such as hn,x")?;
                a.platforms = list
                    .split(',')
                    .map(|p| p.trim().parse::<PlatformId>().map_err(|e| format!("--platforms: {e}")))
                    .collect::<Result<_, _>>()?;
            }
            "-h" | "--help" => return Err(
                "usage: distroflow-bench [--runs N] [--seed N] [--sample-ms N] [--pool N] [--json] [--process | --in-process [--latency-ms N] | --scale | --healing [--mutations N [--platforms hn,x,reddit,instagram,bluesky,mastodon,linkedin] [--first-seed N] [--mix-hydration] [--fake-model] [--model-only]] | --cpu | --engines N | --api]"
                    .into(),
            ),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

struct Replicas {
    hn: HackerNews,
    x: X,
    reddit: Reddit,
    instagram: Instagram,
    bluesky: Bluesky,
    mastodon: Mastodon,
    linkedin: LinkedIn,
}

impl Replicas {
    async fn start(latency: Duration) -> std::io::Result<Replicas> {
        Ok(Replicas {
            hn: HackerNews::start(HnOptions {
                latency,
                ..HnOptions::default()
            })
            .await?,
            x: X::start(XOptions {
                latency,
                ..XOptions::default()
            })
            .await?,
            reddit: Reddit::start(RedditOptions {
                latency,
                ..RedditOptions::default()
            })
            .await?,
            instagram: Instagram::start(InstagramOptions {
                latency,
                ..InstagramOptions::default()
            })
            .await?,
            bluesky: Bluesky::start(BlueskyOptions {
                latency,
                ..BlueskyOptions::default()
            })
            .await?,
            mastodon: Mastodon::start(MastodonOptions {
                latency,
                ..MastodonOptions::default()
            })
            .await?,
            linkedin: LinkedIn::start(LinkedInOptions {
                latency,
                ..LinkedInOptions::default()
            })
            .await?,
        })
    }

    fn site(&self, p: PlatformId) -> (String, &'static str, String) {
        match p {
            PlatformId::X => (
                self.x.url(),
                "auth_token",
                self.x.session_cookie("sandbox").unwrap_or_default(),
            ),
            PlatformId::Reddit => (
                self.reddit.url(),
                "reddit_session",
                self.reddit.session_cookie("sandbox").unwrap_or_default(),
            ),
            PlatformId::Instagram => (
                self.instagram.url(),
                "sessionid",
                self.instagram.session_cookie("sandbox").unwrap_or_default(),
            ),
            PlatformId::Mastodon => (
                self.mastodon.url(),
                "_mastodon_session",
                self.mastodon.session_cookie("sandbox").unwrap_or_default(),
            ),
            PlatformId::LinkedIn => (
                self.linkedin.url(),
                "li_at",
                self.linkedin.session_cookie("sandbox").unwrap_or_default(),
            ),
            // Bluesky's session is the job's storage, not a cookie.
            PlatformId::Bluesky => (self.bluesky.url(), "unused", String::new()),
            _ => (
                self.hn.url(),
                "user",
                self.hn.session_cookie("sandbox").unwrap_or_default(),
            ),
        }
    }

    fn job(&self, p: PlatformId, healer: &Arc<Healer>) -> Job {
        let (url, name, value) = self.site(p);
        Job {
            platform: p,
            adapter: distroflow_platforms::adapter(p).expect("adapter").into(),
            ctx: JobContext::new(url.parse().expect("replica url")),
            cookies: Some(vec![Cookie {
                name: name.into(),
                value: Secret::new(value),
                domain: "127.0.0.1".into(),
                path: "/".into(),
                expires: None,
                http_only: true,
                secure: false,
                same_site: None,
            }]),
            healer: healer.clone(),
            account: "sandbox".into(),
            ledger: None,
            bundles: None,
            storage: match p {
                PlatformId::Bluesky => crate::healing::bsky_storage(&self.bluesky),
                _ => Vec::new(),
            },
            save_storage: None,
        }
    }
}

fn post(n: usize, media: &Media) -> Post {
    let mut p = Post::new(format!(
        "Benchmark post #{n} from DistroFlow 🚀\n\nMeasuring the fan-out."
    ))
    .with_title(format!("Benchmark post #{n}"));
    p.url = None;
    p.media.push(media.clone());
    p.set_option(PlatformId::Reddit, "subreddit", "bench");
    p
}

/// Runs `targets` at once on `browser`; returns wall time, or the failures.
async fn run(
    browser: &Browser,
    replicas: &Replicas,
    healer: &Arc<Healer>,
    targets: &[PlatformId],
    post: Post,
) -> Result<Duration, String> {
    let jobs = targets.iter().map(|p| replicas.job(*p, healer)).collect();
    let start = Instant::now();
    let end = distroflow_engine::run(
        jobs,
        post,
        BrowserSource::Shared(browser.clone()),
        Duration::from_secs(120),
        |r| {
            if std::env::var_os("BENCH_VERBOSE").is_some() {
                eprintln!(
                    "    {} {:?} at {:?}",
                    r.platform,
                    r.duration,
                    start.elapsed()
                );
            }
        },
        std::future::pending(),
    )
    .await;
    let elapsed = start.elapsed();
    match end {
        RunEnd::Done(results) => {
            let failed: Vec<String> = results
                .iter()
                .filter(|r| !r.ok)
                .map(|r| format!("{}: {:?}", r.platform, r.error.as_ref().map(|e| &e.message)))
                .collect();
            if failed.is_empty() {
                Ok(elapsed)
            } else {
                Err(failed.join("; "))
            }
        }
        RunEnd::Interrupted => Err("interrupted".into()),
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let result = if let (true, Some(n)) = (args.healing, args.mutations) {
        mutations::bench(mutations::MutationArgs {
            mutations: n,
            platforms: args.platforms.clone(),
            hydration_in_mix: args.mix_hydration,
            fake_model: args.fake_model || args.model_only,
            model_only: args.model_only,
            first_seed: args.first_seed,
            json: args.json,
        })
        .await
    } else if args.healing {
        healing::bench(args.runs, args.json).await
    } else if args.api {
        api::bench(api::ApiArgs {
            latency: args.latency,
            runs: args.runs,
            json: args.json,
        })
        .await
    } else if let Some(n) = args.engines {
        engines::bench(&args, n).await
    } else if args.cpu {
        cpu_profile(&args).await
    } else if args.scale {
        scale::bench(args.runs, Duration::from_millis(args.sample_ms), args.json).await
    } else if args.in_process {
        bench(&args).await
    } else {
        let whole = process::bench(process::ProcessArgs {
            runs: args.runs,
            seed: args.seed,
            json: args.json,
            every: Duration::from_millis(args.sample_ms),
            pool: args.pool,
        })
        .await;
        match whole {
            Ok(()) if !args.process => {
                println!();
                bench(&args).await
            }
            other => other,
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The headless binary and its version, as printed by `--version`.
fn browser_used() -> String {
    let exe = BrowserOptions::from_env(None).chrome;
    let version = std::process::Command::new(&exe)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("{} ({version})", exe.display())
}

/// A browser as `distroflow post` launches it without a config file (its
/// default pool).
async fn launch() -> Result<Browser, String> {
    let mut o = BrowserOptions::from_env(None);
    o.max_concurrency = distroflow_core::Config::default().browser.max_concurrency;
    Browser::launch(o).await.map_err(|e| e.to_string())
}

/// The platforms, in the order the reports list them.
const ALL: [PlatformId; 7] = [
    PlatformId::X,
    PlatformId::Reddit,
    PlatformId::HackerNews,
    PlatformId::Instagram,
    PlatformId::Bluesky,
    PlatformId::Mastodon,
    PlatformId::LinkedIn,
];

/// The four platforms the fan-out and memory ratios are about.
const FOUR: [PlatformId; 4] = [
    PlatformId::X,
    PlatformId::Reddit,
    PlatformId::HackerNews,
    PlatformId::Instagram,
];

/// What every benchmark mode posts with: an image, the seven replicas at
/// the configured latency, a healer with the built-in selectors.
struct Setup {
    /// Holds the image until the run ends.
    _dir: tempfile::TempDir,
    media: Media,
    replicas: Replicas,
    healer: Arc<Healer>,
}

impl Setup {
    async fn new(args: &Args) -> Result<Setup, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let png = dir.path().join("bench.png");
        std::fs::write(&png, PNG).map_err(|e| e.to_string())?;
        let media = Media::from_path(&png).map_err(|e| e.to_string())?;
        let replicas = Replicas::start(args.latency)
            .await
            .map_err(|e| e.to_string())?;
        let book = SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES)
            .map_err(|e| e.to_string())?;
        let healer = Healer::new(book, None).map_err(|e| e.to_string())?;
        Ok(Setup {
            _dir: dir,
            media,
            replicas,
            healer,
        })
    }
}

/// `--cpu`: each platform alone on a warmed-up browser, `runs` times, with
/// the CPU it cost (whole machine, and this process) next to the wall time.
async fn cpu_profile(args: &Args) -> Result<(), String> {
    let Setup {
        _dir,
        media,
        replicas,
        healer,
    } = Setup::new(args).await?;
    let b = launch().await?;
    println!(
        "CPU per post, {} ms latency, mean of {} posts each (warmed-up browser)\n  browser: {}",
        args.latency.as_millis(),
        args.runs,
        browser_used()
    );
    let mut n = 0;
    for (label, targets) in ALL
        .iter()
        .map(|p| (p.as_str(), std::slice::from_ref(p)))
        .chain([("all seven", &ALL[..])])
    {
        n += 1;
        run(&b, &replicas, &healer, targets, post(n, &media)).await?; // warm-up
        let meter = cpu::Meter::start();
        let start = Instant::now();
        for _ in 0..args.runs {
            n += 1;
            run(&b, &replicas, &healer, targets, post(n, &media)).await?;
        }
        let wall = start.elapsed() / args.runs as u32;
        let (machine, own) = meter.stop();
        let (machine, own) = (machine / args.runs as u32, own / args.runs as u32);
        println!(
            "  {label:<12} wall {:>6.0} ms   cpu {:>6.0} ms (chromium ~{:>5.0} ms, bench {:>4.0} ms)",
            ms(wall),
            ms(machine),
            ms(machine.saturating_sub(own)),
            ms(own)
        );
    }
    b.close().await;
    Ok(())
}

async fn bench(args: &Args) -> Result<(), String> {
    let Setup {
        _dir,
        media,
        replicas,
        healer,
    } = Setup::new(args).await?;
    let mut n = 0;
    let mut next_post = || {
        n += 1;
        post(n, &media)
    };

    // Browser start.
    let mut starts = Vec::new();
    for _ in 0..args.runs {
        let b = launch().await?;
        starts.push(b.start_time());
        b.close().await;
    }

    // Each platform alone, on a fresh browser each time. Timing runs are
    // not sampled (reading /proc costs CPU); memory has its own runs.
    let mut single = std::collections::BTreeMap::new();
    let (mut peak1_self, mut peak1_browser, mut peak1) = (0, 0, 0);
    for p in FOUR {
        let mut times = Vec::new();
        for _ in 0..args.runs {
            let b = launch().await?;
            // Warm-up: the first page load of a fresh browser.
            run(&b, &replicas, &healer, &[p], next_post())
                .await
                .map_err(|e| format!("{p}: {e}"))?;
            times.push(
                run(&b, &replicas, &healer, &[p], next_post())
                    .await
                    .map_err(|e| format!("{p}: {e}"))?,
            );
            let sampler = mem::Sampler::start(b.profile_dir());
            run(&b, &replicas, &healer, &[p], next_post())
                .await
                .map_err(|e| format!("{p}: {e}"))?;
            let (me, browser, total) = sampler.stop_all();
            peak1_self = peak1_self.max(me);
            peak1_browser = peak1_browser.max(browser);
            peak1 = peak1.max(total);
            b.close().await;
        }
        single.insert(p, median(times));
    }
    let slowest = single.values().copied().max().unwrap_or_default();

    // All of them, one after another, and all at once.
    let mut seq = Vec::new();
    let mut conc = Vec::new();
    let (mut peak4_self, mut peak4_browser, mut peak4) = (0, 0, 0);
    for _ in 0..args.runs {
        let b = launch().await?;
        run(&b, &replicas, &healer, &FOUR, next_post()).await?; // warm-up
        let start = Instant::now();
        for p in FOUR {
            run(&b, &replicas, &healer, &[p], next_post()).await?;
        }
        seq.push(start.elapsed());
        b.close().await;

        let b = launch().await?;
        run(&b, &replicas, &healer, &FOUR, next_post()).await?; // warm-up
        conc.push(run(&b, &replicas, &healer, &FOUR, next_post()).await?);
        let sampler = mem::Sampler::start(b.profile_dir());
        run(&b, &replicas, &healer, &FOUR, next_post()).await?;
        let (me, browser, total) = sampler.stop_all();
        peak4_self = peak4_self.max(me);
        peak4_browser = peak4_browser.max(browser);
        peak4 = peak4.max(total);
        b.close().await;
    }
    let (seq, conc) = (median(seq), median(conc));
    let start = median(starts);

    // The tree's peak: this process and the browser at the same instant.
    let (mem1, mem4) = (peak1, peak4);
    let browser = browser_used();
    if !browser.contains("headless-shell") {
        eprintln!(
            "note: Chromium's headless shell is not installed, so these runs used the full browser, which costs about four times the CPU per post (apt-get install chromium-headless-shell, or scripts/bench, which installs it)"
        );
    }
    let report = serde_json::json!({
        "browser": browser,
        "latency_ms": args.latency.as_millis(),
        "runs": args.runs,
        "browser_start_ms": ms(start),
        "single_ms": single.iter().map(|(p, d)| (p.as_str(), ms(*d))).collect::<std::collections::BTreeMap<_, _>>(),
        "slowest_single_ms": ms(slowest),
        "sequential_ms": ms(seq),
        "concurrent_ms": ms(conc),
        "concurrent_over_slowest": conc.as_secs_f64() / slowest.as_secs_f64(),
        "speedup_over_sequential": seq.as_secs_f64() / conc.as_secs_f64(),
        "kind": "in-process engine figures (browser already launched)",
        "pool": distroflow_core::Config::default().browser.max_concurrency,
        "peak_pss_kib_1_target": { "bench_process": peak1_self, "chromium": peak1_browser, "total_same_instant": mem1 },
        "peak_pss_kib_4_targets": { "bench_process": peak4_self, "chromium": peak4_browser, "total_same_instant": mem4 },
        "memory_4_over_1": mem4 as f64 / mem1.max(1) as f64,
        "memory_4_over_1_chromium": peak4_browser as f64 / peak1_browser.max(1) as f64,
    });
    if args.json {
        println!("{report}");
        return Ok(());
    }
    println!(
        "In-process engine figures (NOT the whole process: a browser already launched and warmed up, jobs run in this process): {} ms injected latency per request, pool {}, median of {} runs",
        args.latency.as_millis(),
        distroflow_core::Config::default().browser.max_concurrency,
        args.runs
    );
    println!("  machine                      {}", process::machine());
    println!("  browser                      {browser}");
    println!("  browser start                {:>8.0} ms", ms(start));
    for (p, d) in &single {
        println!("  {:<28} {:>8.0} ms", format!("{p} alone"), ms(*d));
    }
    println!("  sequential (4 platforms)     {:>8.0} ms", ms(seq));
    println!("  concurrent (4 platforms)     {:>8.0} ms", ms(conc));
    println!(
        "  concurrent / slowest single  {:>8.2}x   (target <= 1.2x)",
        conc.as_secs_f64() / slowest.as_secs_f64()
    );
    println!(
        "  speed-up over sequential     {:>8.2}x",
        seq.as_secs_f64() / conc.as_secs_f64()
    );
    println!(
        "  peak PSS, 1 target           {:>8.1} MiB  (same instant; separate peaks: chromium {:.1}, bench process {:.1})",
        mem1 as f64 / 1024.0,
        peak1_browser as f64 / 1024.0,
        peak1_self as f64 / 1024.0
    );
    println!(
        "  peak PSS, 4 targets          {:>8.1} MiB  (same instant; separate peaks: chromium {:.1}, bench process {:.1})",
        mem4 as f64 / 1024.0,
        peak4_browser as f64 / 1024.0,
        peak4_self as f64 / 1024.0
    );
    println!(
        "  memory 4 / 1 targets         {:>8.2}x   (target <= 1.6x; chromium alone {:.2}x)",
        mem4 as f64 / mem1.max(1) as f64,
        peak4_browser as f64 / peak1_browser.max(1) as f64
    );
    Ok(())
}

/// A 2x2 PNG.
pub(crate) const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x02, 0x00, 0x00, 0x00, 0xfd, 0xd4, 0x9a,
    0x73, 0x00, 0x00, 0x00, 0x10, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xe0, 0x3a, 0x21, 0x07,
    0x44, 0x0c, 0x10, 0x0a, 0x00, 0x19, 0xfe, 0x03, 0xc1, 0xab, 0x30, 0x1f, 0x52, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
