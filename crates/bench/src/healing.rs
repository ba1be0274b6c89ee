//! `distroflow-bench --healing`: posts on every UI version of every replica
//! (renamed, reworded, restructured), with a fresh healer per version and
//! no model configured, and prints what repaired what.

use std::collections::BTreeMap;
use std::time::Instant;

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::{
    Cookie, CookieScope, Home, JobContext, PlatformId, Post, Secret, StorageItem,
};
use distroflow_healer::{read_repairs, Healer, Repair, SelectorBook};
use distroflow_replica::{
    Bluesky, BlueskyOptions, HackerNews, HnOptions, Instagram, InstagramOptions, LinkedIn,
    LinkedInOptions, Mastodon, MastodonOptions, Reddit, RedditOptions, XOptions,
    BLUESKY_UI_VERSIONS, HN_UI_VERSIONS, INSTAGRAM_UI_VERSIONS, LINKEDIN_UI_VERSIONS,
    MASTODON_UI_VERSIONS, REDDIT_UI_VERSIONS, X, X_UI_VERSIONS,
};

fn cookie(name: &str, value: String) -> Cookie {
    Cookie {
        name: name.into(),
        value: Secret::new(value),
        domain: "127.0.0.1".into(),
        path: "/".into(),
        expires: None,
        http_only: true,
        secure: false,
        same_site: None,
    }
}

/// A fresh `BSKY_STORAGE` session of the sandbox account.
pub(crate) fn bsky_storage(b: &Bluesky) -> Vec<StorageItem> {
    vec![StorageItem {
        name: "BSKY_STORAGE".into(),
        value: Secret::new(b.storage_value("sandbox").unwrap_or_default()),
    }]
}

struct VersionRun {
    platform: PlatformId,
    ui: u8,
    posts: usize,
    ok: usize,
    repairs: Vec<Repair>,
    seconds: f64,
}

async fn run_version(
    platform: PlatformId,
    ui: u8,
    posts: usize,
    browser: &Browser,
    media: &distroflow_core::Media,
) -> Result<VersionRun, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let home = Home::at(dir.path());
    let book =
        SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES).map_err(|e| e.to_string())?;
    let healer = Healer::new(book, Some(home.clone())).map_err(|e| e.to_string())?;
    let adapter = distroflow_platforms::adapter(platform).map_err(|e| e.to_string())?;
    let (hn, x, reddit, ig, bsky, masto, li);
    // Bluesky's session is in localStorage, given out fresh per post (its
    // refresh token rotates).
    let mut bluesky: Option<&Bluesky> = None;
    let (url, cookies) = match platform {
        PlatformId::Bluesky => {
            bsky = Bluesky::start(BlueskyOptions {
                ui_version: ui,
                ..BlueskyOptions::default()
            })
            .await
            .map_err(|e| e.to_string())?;
            bluesky = Some(&bsky);
            (bsky.url(), Vec::new())
        }
        PlatformId::LinkedIn => {
            li = LinkedIn::start(LinkedInOptions {
                ui_version: ui,
                ..LinkedInOptions::default()
            })
            .await
            .map_err(|e| e.to_string())?;
            (
                li.url(),
                vec![cookie(
                    "li_at",
                    li.session_cookie("sandbox").unwrap_or_default(),
                )],
            )
        }
        PlatformId::Mastodon => {
            masto = Mastodon::start(MastodonOptions {
                ui_version: ui,
                ..MastodonOptions::default()
            })
            .await
            .map_err(|e| e.to_string())?;
            (
                masto.url(),
                vec![cookie(
                    "_mastodon_session",
                    masto.session_cookie("sandbox").unwrap_or_default(),
                )],
            )
        }
        PlatformId::Reddit => {
            reddit = Reddit::start(RedditOptions {
                ui_version: ui,
                ..RedditOptions::default()
            })
            .await
            .map_err(|e| e.to_string())?;
            (
                reddit.url(),
                vec![cookie(
                    "reddit_session",
                    reddit.session_cookie("sandbox").unwrap_or_default(),
                )],
            )
        }
        PlatformId::Instagram => {
            ig = Instagram::start(InstagramOptions {
                ui_version: ui,
                ..InstagramOptions::default()
            })
            .await
            .map_err(|e| e.to_string())?;
            (
                ig.url(),
                vec![cookie(
                    "sessionid",
                    ig.session_cookie("sandbox").unwrap_or_default(),
                )],
            )
        }
        PlatformId::X => {
            x = X::start(XOptions {
                ui_version: ui,
                ..XOptions::default()
            })
            .await
            .map_err(|e| e.to_string())?;
            (
                x.url(),
                vec![cookie(
                    "auth_token",
                    x.session_cookie("sandbox").unwrap_or_default(),
                )],
            )
        }
        _ => {
            hn = HackerNews::start(HnOptions {
                ui_version: ui,
                ..HnOptions::default()
            })
            .await
            .map_err(|e| e.to_string())?;
            (
                hn.url(),
                vec![cookie(
                    "user",
                    hn.session_cookie("sandbox").unwrap_or_default(),
                )],
            )
        }
    };
    let ctx = JobContext::new(url.parse().map_err(|e| format!("{e}"))?);
    let start = Instant::now();
    let mut ok = 0;
    for n in 0..posts {
        let mut post = Post::new(format!("Healing benchmark post {n} on ui {ui}"))
            .with_title(format!("Healing benchmark {n} ui {ui}"));
        post.set_option(PlatformId::Reddit, "subreddit", "healing");
        if platform == PlatformId::Instagram {
            post.media.push(media.clone());
        }
        let session = browser
            .session(&ctx.base_url, &cookies)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(b) = bluesky {
            let items = bsky_storage(b);
            let origin = CookieScope::site(&ctx.base_url).origin();
            session
                .page()
                .seed_local_storage(&origin, &items)
                .await
                .map_err(|e| e.to_string())?;
        }
        let page = healer.page(session.page(), platform);
        if adapter.post(&page, &ctx, &post).await.is_ok() {
            ok += 1;
        }
        page.finish();
        session.close().await;
    }
    Ok(VersionRun {
        platform,
        ui,
        posts,
        ok,
        repairs: read_repairs(&home).map_err(|e| e.to_string())?,
        seconds: start.elapsed().as_secs_f64(),
    })
}

pub(crate) async fn bench(posts: usize, json: bool) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let png = dir.path().join("heal.png");
    std::fs::write(&png, crate::PNG).map_err(|e| e.to_string())?;
    let media = distroflow_core::Media::from_path(&png).map_err(|e| e.to_string())?;
    let browser = Browser::launch(BrowserOptions::from_env(None))
        .await
        .map_err(|e| e.to_string())?;
    let mut runs = Vec::new();
    for (platform, versions) in [
        (PlatformId::HackerNews, HN_UI_VERSIONS),
        (PlatformId::X, X_UI_VERSIONS),
        (PlatformId::Reddit, REDDIT_UI_VERSIONS),
        (PlatformId::Instagram, INSTAGRAM_UI_VERSIONS),
        (PlatformId::Bluesky, BLUESKY_UI_VERSIONS),
        (PlatformId::Mastodon, MASTODON_UI_VERSIONS),
        (PlatformId::LinkedIn, LINKEDIN_UI_VERSIONS),
    ] {
        for &ui in versions {
            runs.push(run_version(platform, ui, posts, &browser, &media).await?);
        }
    }
    browser.close().await;

    let drifted: Vec<&VersionRun> = runs.iter().filter(|r| r.ui != 0).collect();
    let repaired_no_model = drifted
        .iter()
        .filter(|r| r.ok == r.posts && r.repairs.iter().all(|x| x.tier != "model"))
        .count();
    let all_repairs: Vec<&Repair> = runs.iter().flat_map(|r| r.repairs.iter()).collect();
    let mut by_tier: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &all_repairs {
        *by_tier.entry(r.tier.as_str()).or_default() += 1;
    }
    let total_posts: usize = runs.iter().map(|r| r.posts).sum();
    let model_calls = all_repairs.iter().filter(|r| r.tier == "model").count();
    let cost: f64 = all_repairs.iter().filter_map(|r| r.cost_usd).sum();
    let lat: Vec<u64> = all_repairs
        .iter()
        .filter(|r| r.tier != "retry")
        .map(|r| r.latency_ms)
        .collect();
    let mean_lat = if lat.is_empty() {
        0.0
    } else {
        lat.iter().sum::<u64>() as f64 / lat.len() as f64
    };
    let max_lat = lat.iter().copied().max().unwrap_or(0);
    // At a 10% drift rate, 100 posts meet 10 drifted pages; each costs what
    // the drifted runs here cost per post.
    let drifted_posts: usize = drifted.iter().map(|r| r.posts).sum();
    let cost_per_drifted_post = if drifted_posts == 0 {
        0.0
    } else {
        cost / drifted_posts as f64
    };
    let report = serde_json::json!({
        "posts_per_version": posts,
        "versions": runs.iter().map(|r| serde_json::json!({
            "platform": r.platform.as_str(), "ui": r.ui, "posted": r.ok, "of": r.posts,
            "repairs": r.repairs.len(), "seconds": r.seconds,
            "tiers": r.repairs.iter().fold(BTreeMap::<String, usize>::new(), |mut m, x| { *m.entry(x.tier.clone()).or_default() += 1; m }),
        })).collect::<Vec<_>>(),
        "drift_versions": drifted.len(),
        "drift_versions_repaired_without_model": repaired_no_model,
        "repairs_by_tier": by_tier,
        "model_calls_per_100_posts": model_calls as f64 * 100.0 / total_posts.max(1) as f64,
        "mean_latency_added_ms": mean_lat,
        "max_latency_added_ms": max_lat,
        "cost_usd_per_100_posts_at_10pct_drift": cost_per_drifted_post * 10.0,
    });
    if json {
        println!("{report}");
        return Ok(());
    }
    println!("DistroFlow self-healing benchmark: {posts} posts per UI version, fresh healer per version, no model");
    for r in &runs {
        let mut tiers: BTreeMap<&str, usize> = BTreeMap::new();
        for x in &r.repairs {
            *tiers.entry(x.tier.as_str()).or_default() += 1;
        }
        println!(
            "  {:<10} ui {}  posted {}/{}  repairs {:>2} {:?}  ({:.1}s)",
            r.platform.as_str(),
            r.ui,
            r.ok,
            r.posts,
            r.repairs.len(),
            tiers,
            r.seconds
        );
    }
    println!(
        "  drift versions repaired with zero model calls: {}/{} ({:.0}%)",
        repaired_no_model,
        drifted.len(),
        100.0 * repaired_no_model as f64 / drifted.len().max(1) as f64
    );
    println!("  repairs by tier: {by_tier:?}");
    println!(
        "  model calls per 100 posts: {:.2}",
        model_calls as f64 * 100.0 / total_posts.max(1) as f64
    );
    println!("  latency added per repair: mean {mean_lat:.0} ms, max {max_lat} ms");
    println!(
        "  model cost per 100 posts at a 10% drift rate: ${:.4}",
        cost_per_drifted_post * 10.0
    );
    println!("{report}");
    Ok(())
}
