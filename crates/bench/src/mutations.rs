//! `distroflow-bench --healing --mutations N`: for each platform, one post
//! on the original replica (the healer learns its fingerprints), then one
//! post on each of N seeded redesigns (`distroflow_replica::Mutations`),
//! each with a fresh healer that knows only what the original taught it.
//! Prints, per platform and per repair tier (read from the repair log, so
//! new tiers show up): the repair rate (the post landed with the right
//! text), wrong clicks (decoys the replica saw activated, and posts with
//! the wrong text), model calls and cost per 100 posts, and the median and
//! maximum latency added per repair. Asserts nothing.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::{Cookie, CookieScope, Home, JobContext, Media, PlatformId, Post, Secret};
use distroflow_healer::{read_repairs, Healer, ModelConfig, Repair, SelectorBook};
use distroflow_replica::{
    mutation_plan, Bluesky, BlueskyOptions, FakeModel, HackerNews, HnOptions, Instagram,
    InstagramOptions, LinkedIn, LinkedInOptions, Mastodon, MastodonOptions, Mutations, Reddit,
    RedditOptions, XOptions, X,
};

/// What `--healing --mutations` was asked for.
pub(crate) struct MutationArgs {
    pub(crate) mutations: u64,
    pub(crate) platforms: Vec<PlatformId>,
    pub(crate) hydration_in_mix: bool,
    pub(crate) fake_model: bool,
    /// The role and similarity tiers off: the model tier repairs alone.
    pub(crate) model_only: bool,
    pub(crate) first_seed: u64,
    pub(crate) json: bool,
}

/// Longest one post may take before it counts as failed.
const POST_DEADLINE: Duration = Duration::from_secs(60);

enum Site {
    Hn(HackerNews),
    X(X),
    Reddit(Reddit),
    Instagram(Instagram),
    Bluesky(Bluesky),
    Mastodon(Mastodon),
    LinkedIn(LinkedIn),
}

impl Site {
    async fn start(p: PlatformId) -> Result<Site, String> {
        let e = |e: std::io::Error| e.to_string();
        Ok(match p {
            PlatformId::X => Site::X(X::start(XOptions::default()).await.map_err(e)?),
            PlatformId::Reddit => {
                Site::Reddit(Reddit::start(RedditOptions::default()).await.map_err(e)?)
            }
            PlatformId::Instagram => Site::Instagram(
                Instagram::start(InstagramOptions::default())
                    .await
                    .map_err(e)?,
            ),
            PlatformId::Bluesky => {
                Site::Bluesky(Bluesky::start(BlueskyOptions::default()).await.map_err(e)?)
            }
            PlatformId::LinkedIn => Site::LinkedIn(
                LinkedIn::start(LinkedInOptions::default())
                    .await
                    .map_err(e)?,
            ),
            PlatformId::Mastodon => Site::Mastodon(
                Mastodon::start(MastodonOptions::default())
                    .await
                    .map_err(e)?,
            ),
            _ => Site::Hn(HackerNews::start(HnOptions::default()).await.map_err(e)?),
        })
    }

    fn switches(&self) -> &dyn Mutations {
        match self {
            Site::Hn(s) => s,
            Site::X(s) => s,
            Site::Reddit(s) => s,
            Site::Instagram(s) => s,
            Site::Bluesky(s) => s,
            Site::Mastodon(s) => s,
            Site::LinkedIn(s) => s,
        }
    }

    fn url(&self) -> String {
        match self {
            Site::Hn(s) => s.url(),
            Site::X(s) => s.url(),
            Site::Reddit(s) => s.url(),
            Site::Instagram(s) => s.url(),
            Site::Bluesky(s) => s.url(),
            Site::Mastodon(s) => s.url(),
            Site::LinkedIn(s) => s.url(),
        }
    }

    fn cookie(&self) -> Cookie {
        let (name, value) = match self {
            Site::Hn(s) => ("user", s.session_cookie("sandbox")),
            Site::X(s) => ("auth_token", s.session_cookie("sandbox")),
            Site::Reddit(s) => ("reddit_session", s.session_cookie("sandbox")),
            Site::Instagram(s) => ("sessionid", s.session_cookie("sandbox")),
            Site::Mastodon(s) => ("_mastodon_session", s.session_cookie("sandbox")),
            Site::LinkedIn(s) => ("li_at", s.session_cookie("sandbox")),
            // Bluesky's session is in localStorage (see `storage`).
            Site::Bluesky(_) => ("unused", None),
        };
        Cookie {
            name: name.into(),
            value: Secret::new(value.unwrap_or_default()),
            domain: "127.0.0.1".into(),
            path: "/".into(),
            expires: None,
            http_only: true,
            secure: false,
            same_site: None,
        }
    }

    /// The texts of every post, oldest first (the title for Hacker News
    /// and Reddit, whose titles carry the marker).
    fn texts(&self) -> Vec<String> {
        match self {
            Site::Hn(s) => s.stories().into_iter().rev().map(|p| p.title).collect(),
            Site::X(s) => s.posts().into_iter().map(|p| p.text).collect(),
            Site::Reddit(s) => s
                .posts()
                .into_iter()
                .map(|p| format!("{}\n{}", p.title, p.body))
                .collect(),
            Site::Instagram(s) => s.posts().into_iter().map(|p| p.caption).collect(),
            Site::Bluesky(s) => s.posts().into_iter().map(|p| p.text).collect(),
            Site::Mastodon(s) => s.statuses().into_iter().map(|p| p.text).collect(),
            Site::LinkedIn(s) => s.posts().into_iter().map(|p| p.text).collect(),
        }
    }

    /// A fresh localStorage session, for a site that keeps it there.
    fn storage(&self) -> Vec<distroflow_core::StorageItem> {
        match self {
            Site::Bluesky(s) => crate::healing::bsky_storage(s),
            _ => Vec::new(),
        }
    }

    async fn shutdown(self) {
        match self {
            Site::Hn(s) => s.shutdown().await,
            Site::X(s) => s.shutdown().await,
            Site::Reddit(s) => s.shutdown().await,
            Site::Instagram(s) => s.shutdown().await,
            Site::Bluesky(s) => s.shutdown().await,
            Site::Mastodon(s) => s.shutdown().await,
            Site::LinkedIn(s) => s.shutdown().await,
        }
    }
}

/// One post's outcome.
struct Outcome {
    seed: Option<u64>,
    /// The post exists with the right text.
    landed: bool,
    /// A post appeared with another text.
    wrong_text: bool,
    decoy_hits: usize,
    adapter_ok: bool,
    error: Option<String>,
    repairs: Vec<Repair>,
    seconds: f64,
}

fn post_for(p: PlatformId, marker: &str, media: &Media) -> (Post, String) {
    let text = format!("Mutation benchmark {marker} body");
    let title = format!("Mutation benchmark {marker}");
    let mut post = Post::new(text.clone()).with_title(title.clone());
    post.set_option(PlatformId::Reddit, "subreddit", "healing");
    if p == PlatformId::Instagram {
        post.media.push(media.clone());
    }
    let expected = match p {
        PlatformId::HackerNews => title,
        PlatformId::Reddit => format!("{title}\n{text}"),
        _ => text,
    };
    (post, expected)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn one_post(
    platform: PlatformId,
    site: &Site,
    browser: &Browser,
    home: &Home,
    model: Option<ModelConfig>,
    seed: Option<u64>,
    media: &Media,
    search: bool,
) -> Result<Outcome, String> {
    let book =
        SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES).map_err(|e| e.to_string())?;
    let healer: Arc<Healer> = Healer::new(book, Some(home.clone()))
        .map_err(|e| e.to_string())?
        .with_options(distroflow_healer::HealOptions {
            search,
            ..Default::default()
        })
        .with_model(model);
    let adapter = distroflow_platforms::adapter(platform).map_err(|e| e.to_string())?;
    site.switches().set_mutation(seed);
    site.switches().clear_decoy_hits();
    let before_repairs = read_repairs(home).map_err(|e| e.to_string())?.len();
    let before = site.texts().len();
    let marker = match seed {
        Some(s) => format!("seed {s} on {}", platform.as_str()),
        None => format!("original on {}", platform.as_str()),
    };
    let (post, expected) = post_for(platform, &marker, media);
    let ctx = JobContext::new(site.url().parse().map_err(|e| format!("{e}"))?);
    let start = Instant::now();
    let session = browser
        .session(&ctx.base_url, &[site.cookie()])
        .await
        .map_err(|e| e.to_string())?;
    session
        .page()
        .seed_local_storage(&CookieScope::site(&ctx.base_url).origin(), &site.storage())
        .await
        .map_err(|e| e.to_string())?;
    let page = healer.page(session.page(), platform);
    let result = tokio::time::timeout(POST_DEADLINE, adapter.post(&page, &ctx, &post)).await;
    page.finish();
    session.close().await;
    let seconds = start.elapsed().as_secs_f64();
    let (adapter_ok, error) = match result {
        Ok(Ok(_)) => (true, None),
        Ok(Err(e)) => (false, Some(e.to_string())),
        Err(_) => (false, Some(format!("no answer in {POST_DEADLINE:?}"))),
    };
    let new: Vec<String> = site.texts().into_iter().skip(before).collect();
    let landed = new.iter().any(|t| t.trim() == expected.trim());
    let wrong_text = new.iter().any(|t| t.trim() != expected.trim());
    let repairs = read_repairs(home)
        .map_err(|e| e.to_string())?
        .into_iter()
        .skip(before_repairs)
        .collect();
    Ok(Outcome {
        seed,
        landed,
        wrong_text,
        decoy_hits: site.switches().decoy_hits().len(),
        adapter_ok,
        error,
        repairs,
        seconds,
    })
}

struct PlatformRun {
    platform: PlatformId,
    original: Outcome,
    runs: Vec<Outcome>,
}

async fn run_platform(
    platform: PlatformId,
    args: &MutationArgs,
    browser: &Browser,
    model: Option<&ModelConfig>,
    media: &Media,
) -> Result<PlatformRun, String> {
    let site = Site::start(platform).await?;
    site.switches()
        .set_mutation_hydration(args.hydration_in_mix);
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let learned = dir.path().join("learned");
    let home = Home::at(&learned);
    let original = one_post(
        platform,
        &site,
        browser,
        &home,
        model.cloned(),
        None,
        media,
        true,
    )
    .await?;
    let mut runs = Vec::new();
    for seed in args.first_seed..args.first_seed + args.mutations {
        // Each redesign starts from what the original taught, nothing more.
        let each = dir.path().join(format!("seed-{seed}"));
        if learned.exists() {
            copy_dir(&learned, &each).map_err(|e| e.to_string())?;
        }
        let home = Home::at(&each);
        let outcome = one_post(
            platform,
            &site,
            browser,
            &home,
            model.cloned(),
            Some(seed),
            media,
            !args.model_only,
        )
        .await?;
        if !args.json {
            eprintln!(
                "  {:<10} seed {:>4}: {} {:>5.1}s {:?}{}",
                platform.as_str(),
                seed,
                if outcome.landed { "landed" } else { "FAILED" },
                outcome.seconds,
                mutation_plan(seed, args.hydration_in_mix),
                outcome
                    .error
                    .as_deref()
                    .map(|e| format!("  ({})", e.chars().take(140).collect::<String>()))
                    .unwrap_or_default()
            );
        }
        let _ = std::fs::remove_dir_all(&each);
        runs.push(outcome);
    }
    site.shutdown().await;
    Ok(PlatformRun {
        platform,
        original,
        runs,
    })
}

fn median(v: &mut [u64]) -> u64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    v[v.len() / 2]
}

fn summarize(run: &PlatformRun, hydration_in_mix: bool) -> serde_json::Value {
    let n = run.runs.len().max(1) as f64;
    let landed = run.runs.iter().filter(|r| r.landed).count();
    let decoys: usize = run.runs.iter().map(|r| r.decoy_hits).sum();
    let wrong_text = run.runs.iter().filter(|r| r.wrong_text).count();
    let needed_no_repair = run
        .runs
        .iter()
        .filter(|r| r.landed && r.repairs.is_empty())
        .count();
    let mut tiers: BTreeMap<String, Vec<&Repair>> = BTreeMap::new();
    for r in run.runs.iter().flat_map(|r| r.repairs.iter()) {
        tiers.entry(r.tier.clone()).or_default().push(r);
    }
    let tier_rows: BTreeMap<String, serde_json::Value> = tiers
        .iter()
        .map(|(tier, reps)| {
            let mut lat: Vec<u64> = reps.iter().map(|r| r.latency_ms).collect();
            let cost: f64 = reps.iter().filter_map(|r| r.cost_usd).sum();
            let landed_with = run
                .runs
                .iter()
                .filter(|o| o.landed && o.repairs.iter().any(|r| &r.tier == tier))
                .count();
            let model_calls = if tier == "model" { reps.len() } else { 0 };
            (
                tier.clone(),
                serde_json::json!({
                    "repairs": reps.len(),
                    "confirmed": reps.iter().filter(|r| r.confirmed).count(),
                    "posts_landed_using_tier": landed_with,
                    "repair_rate_pct": 100.0 * landed_with as f64 / n,
                    "model_calls_per_100_posts": 100.0 * model_calls as f64 / n,
                    "cost_usd_per_100_posts": 100.0 * cost / n,
                    "median_latency_ms": median(&mut lat),
                    "max_latency_ms": lat.iter().copied().max().unwrap_or(0),
                }),
            )
        })
        .collect();
    // Which mutations the failed posts had, against how often each was drawn.
    let mut drawn: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for o in &run.runs {
        for op in mutation_plan(o.seed.unwrap_or_default(), hydration_in_mix) {
            let e = drawn.entry(op).or_default();
            e.0 += 1;
            if !o.landed {
                e.1 += 1;
            }
        }
    }
    let failures: Vec<serde_json::Value> = run
        .runs
        .iter()
        .filter(|o| !o.landed)
        .map(|o| {
            serde_json::json!({
                "seed": o.seed,
                "mutations": mutation_plan(o.seed.unwrap_or_default(), hydration_in_mix),
                "error": o.error,
            })
        })
        .collect();
    serde_json::json!({
        "platform": run.platform.as_str(),
        "original_landed": run.original.landed,
        "original_repairs": run.original.repairs.len(),
        "mutations": run.runs.len(),
        "landed": landed,
        "repair_rate_pct": 100.0 * landed as f64 / n,
        "adapter_reported_ok": run.runs.iter().filter(|r| r.adapter_ok).count(),
        "landed_without_any_repair": needed_no_repair,
        "wrong_clicks": decoys + wrong_text,
        "decoy_activations": decoys,
        "posts_with_wrong_text": wrong_text,
        "tiers": tier_rows,
        "failure_rate_by_mutation": drawn.iter().map(|(op, (d, f))| (op.to_string(), serde_json::json!({"drawn": d, "failed": f}))).collect::<BTreeMap<_, _>>(),
        "failures": failures,
        "seconds": run.runs.iter().map(|r| r.seconds).sum::<f64>() + run.original.seconds,
    })
}

pub(crate) async fn bench(args: MutationArgs) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let png = dir.path().join("heal.png");
    std::fs::write(&png, crate::PNG).map_err(|e| e.to_string())?;
    let media = Media::from_path(&png).map_err(|e| e.to_string())?;
    let fake = if args.fake_model {
        Some(FakeModel::start().await.map_err(|e| e.to_string())?)
    } else {
        None
    };
    let model = fake.as_ref().map(|f| ModelConfig {
        base_url: f.url(),
        model: "fake-vision".into(),
        api_key: Secret::new("not-a-key".to_string()),
        max_calls_per_run: 5,
        max_calls_per_day: 1_000_000,
        // gpt-4o-mini's list prices, as a stand-in for the fake model.
        price: Some(distroflow_healer::Price::new(0.15, 0.60)),
        timeout: Duration::from_secs(30),
    });
    let browser = Browser::launch(BrowserOptions::from_env(None))
        .await
        .map_err(|e| e.to_string())?;
    let mut summaries = Vec::new();
    for &p in &args.platforms {
        match run_platform(p, &args, &browser, model.as_ref(), &media).await {
            Ok(run) => summaries.push(summarize(&run, args.hydration_in_mix)),
            Err(e) => summaries.push(serde_json::json!({"platform": p.as_str(), "error": e})),
        }
    }
    browser.close().await;
    let model_requests = fake.as_ref().map(|f| f.requests().len());
    if let Some(f) = fake {
        f.shutdown().await;
    }
    let report = serde_json::json!({
        "mutations_per_platform": args.mutations,
        "first_seed": args.first_seed,
        "hydration_in_mix": args.hydration_in_mix,
        "model": if args.fake_model { "fake (distroflow_replica::FakeModel)" } else { "none" },
        "model_only": args.model_only,
        "fake_model_requests": model_requests,
        "platforms": summaries,
    });
    if args.json {
        println!("{report}");
        return Ok(());
    }
    println!(
        "DistroFlow healing benchmark on seeded redesigns: {} mutations per platform (seeds {}..{}), model: {}{}",
        args.mutations,
        args.first_seed,
        args.first_seed + args.mutations,
        if args.fake_model { "fake" } else { "none" },
        if args.hydration_in_mix { ", late hydration in the mix" } else { "" }
    );
    for s in report["platforms"].as_array().into_iter().flatten() {
        if let Some(e) = s.get("error") {
            println!("  {:<10} error: {e}", s["platform"].as_str().unwrap_or("?"));
            continue;
        }
        println!(
            "  {:<10} original posted: {}  repair rate {}/{} ({:.0}%)  no repair needed {}  wrong clicks {} (decoys {}, wrong text {})  adapter said ok {}",
            s["platform"].as_str().unwrap_or("?"),
            s["original_landed"],
            s["landed"],
            s["mutations"],
            s["repair_rate_pct"].as_f64().unwrap_or(0.0),
            s["landed_without_any_repair"],
            s["wrong_clicks"],
            s["decoy_activations"],
            s["posts_with_wrong_text"],
            s["adapter_reported_ok"],
        );
        for (tier, t) in s["tiers"].as_object().into_iter().flatten() {
            println!(
                "      {:<13} repairs {:>4} (confirmed {:>4})  posts landed using it {:>4} ({:>3.0}%)  model calls/100 {:>5.1}  cost/100 ${:.5}  latency median {:>5} ms max {:>6} ms",
                tier,
                t["repairs"],
                t["confirmed"],
                t["posts_landed_using_tier"],
                t["repair_rate_pct"].as_f64().unwrap_or(0.0),
                t["model_calls_per_100_posts"].as_f64().unwrap_or(0.0),
                t["cost_usd_per_100_posts"].as_f64().unwrap_or(0.0),
                t["median_latency_ms"],
                t["max_latency_ms"],
            );
        }
        let failing: Vec<String> = s["failure_rate_by_mutation"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, v)| v["failed"].as_u64().unwrap_or(0) > 0)
            .map(|(op, v)| format!("{op} {}/{}", v["failed"], v["drawn"]))
            .collect();
        if !failing.is_empty() {
            println!("      failed posts had: {}", failing.join(", "));
        }
    }
    println!("{report}");
    Ok(())
}
