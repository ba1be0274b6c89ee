//! `distroflow replies`: the replies to the person's own recent posts
//! (from `history`), collected through the platforms' adapters and stored,
//! optionally triaged by a model; and `distroflow replies eval`. Reads
//! only: nothing here posts a reply.

use std::collections::BTreeMap;
use std::sync::Arc;

use distroflow_core::{CookieScope, Error, Home, Platform, PlatformId, Reply, Result};
use distroflow_store::{AttemptState, HistoryFilter, ReplyFilter, Store};
use distroflow_triage::{TriageConfig, Triager, Verdict};
use jiff::{Timestamp, Zoned};
use serde::Serialize;

use crate::args::{RepliesAction, RepliesArgs};
use distroflow_app::{parse_since, parse_targets};

use crate::exit::ExitStatus;
use crate::output;

/// Posts looked at, at most (the newest).
const MAX_POSTS: usize = 200;

const NO_MODEL_HINT: &str = "no model configured for triage: replies are listed unscored. \
Set DISTROFLOW_AI_BASE_URL (and DISTROFLOW_AI_MODEL, OPENAI_API_KEY); a local llama.cpp \
server or Ollama works too (docs/triage.md)";

#[derive(Serialize)]
struct WireReply<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    reply: &'a Reply,
    needs_reply: Option<bool>,
    priority: Option<u8>,
    label: Option<&'static str>,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct WireSummary {
    #[serde(rename = "type")]
    kind: &'static str,
    replies: usize,
    new: usize,
    model_calls: u32,
    from_cache: usize,
    unscored: usize,
    input_tokens: u64,
    /// Input tokens the provider served from its prompt cache.
    cached_tokens: u64,
    output_tokens: u64,
    cost_usd: Option<f64>,
    model: Option<String>,
}

/// One of the person's posts, from history.
struct MyPost {
    platform: PlatformId,
    url: String,
    summary: String,
    at: Timestamp,
}

pub(crate) async fn run(args: RepliesArgs) -> Result<ExitStatus> {
    if let Some(RepliesAction::Eval {
        models,
        batching,
        json,
    }) = &args.action
    {
        return eval(models, *batching, *json).await;
    }
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let platforms = if args.to.is_empty() {
        PlatformId::ALL.to_vec()
    } else {
        parse_targets(&args.to)?
    };
    let since = parse_since(&args.since, &Zoned::now())?;
    let want_triage = args.triage || args.min_priority.is_some();
    // Read the model settings first: a bad one is refused before any browser.
    let triage = if want_triage {
        let prices = distroflow_healer::Prices::from_config(
            &config.ai,
            &home.config_path().display().to_string(),
        )?;
        TriageConfig::from_env(&prices)?
    } else {
        None
    };

    let store = Store::open_home(&home)?;
    let posts: Vec<MyPost> = store
        .history_where(&HistoryFilter {
            platform: None,
            state: Some(AttemptState::Posted),
            since: Some(since),
            limit: MAX_POSTS,
        })?
        .into_iter()
        .filter(|r| platforms.contains(&r.platform))
        .filter_map(|r| {
            Some(MyPost {
                platform: r.platform,
                url: r.url?,
                summary: r.summary,
                at: r.created_at,
            })
        })
        .collect();
    if posts.is_empty() && !args.json {
        output::warn(&format!(
            "no posts of yours since {} on {}: nothing to read replies of (see `distroflow history`)",
            since.strftime("%Y-%m-%d %H:%M UTC"),
            platforms
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    let new = if args.offline || posts.is_empty() {
        0
    } else {
        collect(&home, &config, &store, &posts).await?
    };

    let post_urls: Vec<String> = posts.iter().map(|p| p.url.clone()).collect();
    let replies = if post_urls.is_empty() {
        Vec::new()
    } else {
        store.replies(&ReplyFilter {
            platforms: platforms.clone(),
            post_urls,
        })?
    };

    let mut verdicts: Vec<Option<Verdict>> = vec![None; replies.len()];
    let mut summary = WireSummary {
        kind: "summary",
        replies: replies.len(),
        new,
        model_calls: 0,
        from_cache: 0,
        unscored: 0,
        input_tokens: 0,
        cached_tokens: 0,
        output_tokens: 0,
        cost_usd: Some(0.0),
        model: None,
    };
    match triage {
        None if want_triage => output::warn(NO_MODEL_HINT),
        None => {}
        Some(tc) => {
            summary.model = Some(tc.model.model.clone());
            let texts: Vec<&str> = replies.iter().map(|r| r.text.as_str()).collect();
            let t = Triager::new(tc).triage(&store, &texts).await?;
            if let Some(why) = &t.stats.failed {
                output::warn(&format!(
                    "triage stopped: {why}; {} replies left unscored",
                    t.stats.unscored
                ));
            } else if t.stats.capped {
                output::warn(&format!(
                    "triage stopped at the call cap ({} / {}): {} replies left unscored",
                    distroflow_triage::MAX_CALLS_PER_RUN_ENV,
                    distroflow_triage::MAX_CALLS_PER_DAY_ENV,
                    t.stats.unscored
                ));
            }
            summary.model_calls = t.stats.calls;
            summary.from_cache = t.stats.from_cache;
            summary.unscored = t.stats.unscored;
            summary.input_tokens = t.stats.input_tokens;
            summary.cached_tokens = t.stats.cached_tokens;
            summary.output_tokens = t.stats.output_tokens;
            summary.cost_usd = t.stats.cost_usd;
            verdicts = t.verdicts;
        }
    }

    // Newest post first; in each, newest reply first.
    let mut shown: Vec<(usize, &Reply, Option<&Verdict>)> = Vec::new();
    let post_rank = |url: &str| {
        posts
            .iter()
            .position(|p| p.url == url)
            .unwrap_or(usize::MAX)
    };
    for (i, (r, v)) in replies.iter().zip(&verdicts).enumerate() {
        if let (Some(min), Some(v)) = (args.min_priority, v) {
            if v.priority < min {
                continue;
            }
        }
        shown.push((i, r, v.as_ref()));
    }
    shown.sort_by(|a, b| {
        post_rank(&a.1.post_url)
            .cmp(&post_rank(&b.1.post_url))
            .then_with(|| b.1.at.cmp(&a.1.at))
            .then_with(|| b.0.cmp(&a.0))
    });
    summary.replies = shown.len();

    if args.json {
        for (_, r, v) in &shown {
            output::json_line(&WireReply {
                kind: "reply",
                reply: r,
                needs_reply: v.map(|v| v.needs_reply),
                priority: v.map(|v| v.priority),
                label: v.map(|v| v.label.as_str()),
                reason: v.map(|v| v.reason.as_str()),
            });
        }
        output::json_line(&summary);
        return Ok(ExitStatus::Success);
    }
    let mut by_post: BTreeMap<usize, Vec<(&Reply, Option<&Verdict>)>> = BTreeMap::new();
    for (_, r, v) in &shown {
        by_post
            .entry(post_rank(&r.post_url))
            .or_default()
            .push((r, *v));
    }
    for (rank, rows) in by_post {
        if let Some(p) = posts.get(rank) {
            output::line(&format!(
                "{} {}  {}  {}",
                p.platform.as_str(),
                p.at.strftime("%Y-%m-%d %H:%M"),
                clip(&p.summary, 50),
                p.url
            ));
        }
        for (r, v) in rows {
            output::line(&reply_line(r, v));
        }
        output::line("");
    }
    output::line(&format!(
        "{} replies ({} new), {} model calls, {}",
        summary.replies,
        summary.new,
        summary.model_calls,
        money(summary.cost_usd)
    ));
    Ok(ExitStatus::Success)
}

fn reply_line(r: &Reply, v: Option<&Verdict>) -> String {
    let when =
        r.at.as_deref()
            .and_then(|a| a.parse::<Timestamp>().ok())
            .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "-".repeat(16));
    let triage = match v {
        Some(v) => format!(
            "{} p{} {:<9} ",
            if v.needs_reply { "!" } else { " " },
            v.priority,
            v.label.as_str()
        ),
        None => String::new(),
    };
    let nest = if r.parent.is_some() { "↳ " } else { "" };
    let mut line = format!(
        "  {when}  {:<14} {triage}{nest}{}  {}",
        clip(&r.author, 14),
        clip(&r.text.split_whitespace().collect::<Vec<_>>().join(" "), 70),
        r.url
    );
    if let Some(v) = v {
        line.push_str(&format!("\n  {:>16}  {}", "", clip(&v.reason, 100)));
    }
    line
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(n.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

/// Dollars, with enough digits for fractions of a cent.
fn money(cost: Option<f64>) -> String {
    match cost {
        None => "$? (no price known for the model)".into(),
        Some(0.0) => "$0".into(),
        Some(c) if c < 0.01 => format!("${c:.6}"),
        Some(c) => format!("${c:.2}"),
    }
}

/// Visits each post with the platform's adapter and stores the replies
/// not seen before; returns how many were new. A platform that cannot read
/// replies yet, has a failing post, or no browser is a warning, not a
/// failure.
async fn collect(
    home: &Home,
    config: &distroflow_core::Config,
    store: &Store,
    posts: &[MyPost],
) -> Result<usize> {
    let mut by_platform: BTreeMap<PlatformId, Vec<&MyPost>> = BTreeMap::new();
    for p in posts {
        by_platform.entry(p.platform).or_default().push(p);
    }
    let mut readers: Vec<(PlatformId, Arc<dyn Platform>, Vec<&MyPost>)> = Vec::new();
    for (platform, posts) in by_platform {
        let adapter: Arc<dyn Platform> = match distroflow_platforms::adapter(platform) {
            Ok(a) => a.into(),
            Err(e) => {
                output::warn(&format!("{platform}: {e}"));
                continue;
            }
        };
        if !adapter.reads_replies() {
            output::warn(&format!(
                "{platform}: reading replies on {} is not supported yet; skipped",
                platform.display_name()
            ));
            continue;
        }
        readers.push((platform, adapter, posts));
    }
    if readers.is_empty() {
        return Ok(0);
    }
    // On a remote engine when engines are configured, like a post.
    let browser = match distroflow_app::checking_browser(config).await {
        Ok(b) => b,
        Err(e) => {
            output::warn(&format!("browser: {e}; listing the replies already stored"));
            return Ok(0);
        }
    };
    let healer = crate::commands::healer(Some(home))?;
    let mut new = 0;
    let run = async {
        for (platform, adapter, posts) in &readers {
            let auth = match home.load_auth(*platform) {
                Ok(a) => a,
                Err(e) => {
                    output::warn(&format!("{platform}: {e}"));
                    continue;
                }
            };
            let ctx = config.job_context(*platform)?;
            let scope = CookieScope::new(*platform, &ctx.base_url);
            let cookies = auth.as_ref().map(|a| a.cookies.clone()).unwrap_or_default();
            let session = match browser.session_in(&scope, &cookies).await {
                Ok(s) => s,
                Err(e) => {
                    output::warn(&format!("{platform}: {e}"));
                    continue;
                }
            };
            // A session kept in the site's storage (Bluesky) is in place
            // before the app boots, as when posting.
            let storage = auth
                .as_ref()
                .map(|a| a.storage_for(&scope))
                .unwrap_or_default();
            if let Err(e) = session
                .page()
                .seed_local_storage(&scope.origin(), &storage)
                .await
            {
                output::warn(&format!("{platform}: {e}"));
                session.close().await;
                continue;
            }
            let page = healer.page(session.page(), *platform);
            for post in posts {
                match adapter.replies(&page, &ctx, &post.url).await {
                    Ok(found) => {
                        let added = store.save_replies(&found, Timestamp::now())?;
                        tracing::info!(
                            post = %post.url,
                            found = found.len(),
                            new = added.len(),
                            "replies read"
                        );
                        new += added.len();
                    }
                    Err(e) => output::warn(&format!(
                        "{platform}: could not read the replies of {}: {e}{}",
                        post.url,
                        e.hint().map(|h| format!(" ({h})")).unwrap_or_default()
                    )),
                }
            }
            // A token the site rotated while reading is the one the next
            // run needs.
            if !storage.is_empty() {
                distroflow_engine::save_storage(home, *platform, &scope, &page).await;
            }
            page.finish();
            session.close().await;
        }
        Ok::<_, Error>(())
    };
    let done = tokio::select! {
        r = run => Some(r),
        _ = crate::signals::requested() => None,
    };
    browser.close().await;
    match done {
        None => Err(Error::usage(crate::signals::name(), None)),
        Some(r) => r.map(|()| new),
    }
}

#[derive(Serialize)]
struct WireEval<'a> {
    #[serde(flatten)]
    result: &'a distroflow_triage::EvalResult,
    recommended: bool,
}

/// `distroflow replies eval`.
async fn eval(models: &[String], batching: bool, json: bool) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let prices = distroflow_healer::Prices::from_config(
        &config.ai,
        &home.config_path().display().to_string(),
    )?;
    let Some(base) = TriageConfig::from_env(&prices)? else {
        return Err(Error::usage(
            "no model configured to evaluate",
            Some(
                "set DISTROFLOW_AI_BASE_URL (and DISTROFLOW_AI_MODEL, OPENAI_API_KEY); \
                 a local llama.cpp server or Ollama works too (docs/triage.md)"
                    .into(),
            ),
        ));
    };
    let mut names: Vec<String> = models
        .iter()
        .flat_map(|m| m.split(','))
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect();
    names.dedup();
    if names.is_empty() {
        names.push(base.model.model.clone());
    }
    let set = distroflow_triage::eval_set()?;
    let mut results = Vec::new();
    for name in &names {
        let mut c = base.clone();
        c.model.price = prices.get(name).or(if *name == base.model.model {
            base.model.price
        } else {
            None
        });
        c.model.model = name.clone();
        let r = distroflow_triage::evaluate(c, &set).await?;
        if let Some(why) = &r.failed {
            output::warn(&format!("{name}: {why}"));
        }
        results.push(r);
    }
    let best = distroflow_triage::recommend(&results).map(|r| r.model.clone());
    if json {
        for r in &results {
            output::json_line(&WireEval {
                result: r,
                recommended: best.as_deref() == Some(r.model.as_str()),
            });
        }
    } else {
        output::line(&format!(
            "{:<24} {:>9} {:>11} {:>6} {:>10} {:>10} {:>14}",
            "model", "agreement", "needs_reply", "calls", "tokens in", "tokens out", "per 100"
        ));
        for r in &results {
            output::line(&format!(
                "{:<24} {:>8.0}% {:>10.0}% {:>6} {:>10} {:>10} {:>14}",
                clip(&r.model, 24),
                r.agreement,
                r.needs_reply_agreement,
                r.calls,
                r.input_tokens,
                r.output_tokens,
                money(r.cost_per_100).split(' ').next().unwrap_or_default()
            ));
        }
        match &best {
            Some(m) => output::line(&format!(
                "recommended: {m} (the cheapest within {} points of the best agreement, on {} labelled replies)",
                distroflow_triage::WITHIN_POINTS,
                set.len()
            )),
            None => output::line("recommended: none (no model scored any reply)"),
        }
    }
    if batching {
        let mut c = base.clone();
        if let Some(m) = &best {
            c.model.price = prices.get(m).or(c.model.price);
            c.model.model = m.clone();
        }
        let f = distroflow_triage::batching_figures(c, &set).await?;
        if json {
            output::json_line(&f);
        } else {
            output::line(&format!(
                "batching ({}), per 100 replies: batched {} calls, {} tokens in, {} out, {}; \
                 one call per reply {} calls, {} tokens in, {} out, {}; {:.0}x fewer calls",
                f.model,
                f.batched.calls,
                f.batched.input_tokens,
                f.batched.output_tokens,
                money(f.batched.cost_usd),
                f.one_per_reply.calls,
                f.one_per_reply.input_tokens,
                f.one_per_reply.output_tokens,
                money(f.one_per_reply.cost_usd),
                f.call_ratio()
            ));
            output::line(&format!(
                "second pass (the same 100 + 20 new): {} calls with the cache, {} without: {:.0}% saved",
                f.second_pass_calls,
                f.second_pass_calls_without_cache,
                f.second_pass_saving()
            ));
        }
    }
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_shows_fractions_of_a_cent_and_unknown() {
        assert_eq!(money(Some(0.0)), "$0");
        assert_eq!(money(Some(0.000_42)), "$0.000420");
        assert_eq!(money(Some(1.5)), "$1.50");
        assert!(money(None).starts_with("$?"));
    }
}
