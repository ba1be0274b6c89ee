//! A post's jobs: where each platform lives, its saved session, the
//! healer, the records (ledger) and where the browsers come from.

use std::sync::Arc;

use distroflow_browser::BrowserOptions;
use distroflow_core::{
    Config, Cookie, CookieScope, Error, Home, JobContext, PlatformId, Result, StorageItem,
};
use distroflow_engine::{BrowserSource, Job, Ledger};
use url::Url;

/// Sites other than the configured ones, each with a logged-in session
/// (the CLI's sandbox of replicas).
pub trait Sites {
    fn base_url(&self, platform: PlatformId) -> Option<Url>;
    fn cookies(&self, platform: PlatformId) -> Option<Vec<Cookie>>;
    /// The account those sessions belong to.
    fn user(&self) -> &str;
    /// The session a site keeps in the page's `localStorage` (Bluesky);
    /// none by default.
    fn storage(&self, _platform: PlatformId) -> Vec<StorageItem> {
        Vec::new()
    }
}

/// The healer of a run: the built-in selector data with the person's
/// overrides from `$DISTROFLOW_HOME/selectors/`, remembering in `home`
/// (`None`: remember nothing, as in the sandbox).
pub fn healer(home: Option<&Home>) -> Result<Arc<distroflow_healer::Healer>> {
    let mut book = distroflow_healer::SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES)?;
    let mut prices = distroflow_healer::Prices::default();
    if let Some(h) = home {
        book = book.with_overrides(&h.root().join("selectors"))?;
        let source = h.config_path().display().to_string();
        prices = distroflow_healer::Prices::from_config(&h.load_config()?.ai, &source)?;
    }
    Ok(distroflow_healer::Healer::new(book, home.cloned())?
        .with_model(distroflow_healer::ModelConfig::from_env(&prices)?))
}

/// Where a run's browsers come from: Chromium launched here, unless
/// remote engines are configured (`DISTROFLOW_BROWSER_ENDPOINTS`,
/// `[[browser.endpoints]]`), over which the jobs are spread.
pub fn browser_source(config: &Config) -> Result<BrowserSource> {
    let options = browser_options(config);
    let engines = config.endpoints()?;
    if engines.len() == 1 && engines[0].kind == distroflow_core::EngineKind::Local {
        return Ok(BrowserSource::Launch(options));
    }
    Ok(BrowserSource::Engines(distroflow_browser::Engines::new(
        engines, options,
    )))
}

/// A browser for one visit (checking a saved session, a password login):
/// with remote engines configured, the first one that answers (no local
/// Chromium is launched unless `local` is listed first); else Chromium
/// launched here. Its `close` disconnects from a remote engine and leaves
/// the engine running.
pub async fn checking_browser(config: &Config) -> Result<distroflow_browser::Browser> {
    let options = browser_options(config);
    let mut last = None;
    for e in config.endpoints()? {
        if e.kind == distroflow_core::EngineKind::Local {
            return distroflow_browser::Browser::launch(options).await;
        }
        match distroflow_browser::Browser::connect(&e, options.clone()).await {
            Ok(b) => return Ok(b),
            Err(err) => {
                tracing::warn!("{err}; trying the next engine");
                last = Some(err);
            }
        }
    }
    Err(last.unwrap_or_else(|| distroflow_core::Error::Browser {
        message: "no browser engine is configured".into(),
    }))
}

pub fn browser_options(config: &Config) -> BrowserOptions {
    let mut o = BrowserOptions::from_env(config.browser.chrome.as_deref());
    o.max_concurrency = config.browser.max_concurrency;
    o.session_timeout = config.job_timeout();
    o
}

/// The store and rate limits of a run.
pub fn ledger(
    home: &Home,
    config: &Config,
    no_rate_limit: bool,
    force: bool,
) -> Result<Arc<Ledger>> {
    Ok(Arc::new(ledger_for(home, config, no_rate_limit, force)?))
}

/// The ledger itself, for a caller that adds to it (a scheduled job's).
pub fn ledger_for(
    home: &Home,
    config: &Config,
    no_rate_limit: bool,
    force: bool,
) -> Result<Ledger> {
    let store = distroflow_store::Store::open_home(home)?;
    let mut limits = distroflow_store::RateLimits::from_toml(&config.rate_limits)?.with_env();
    if no_rate_limit {
        limits = limits.disable_all();
    }
    Ok(Ledger::new(store, limits, force))
}

/// One engine job per adapter: where the platform lives, the saved
/// session, the account. With `sites`, their URLs and sessions instead of
/// the configured ones, and no debug bundles.
pub fn make_jobs(
    adapters: Vec<Arc<dyn distroflow_core::Platform>>,
    home: &Home,
    config: &Config,
    sites: Option<&dyn Sites>,
    healer: &Arc<distroflow_healer::Healer>,
    ledger: Option<&Arc<Ledger>>,
) -> Result<Vec<Job>> {
    let mut jobs = Vec::new();
    for adapter in adapters {
        let platform = adapter.id();
        let (ctx, auth) = match sites {
            Some(sb) => {
                let base_url = sb.base_url(platform).ok_or_else(|| {
                    Error::usage(
                        format!("the sandbox has no {} replica yet", platform.display_name()),
                        None,
                    )
                })?;
                let mut ctx = JobContext::new(base_url);
                ctx.settings = config.settings(platform);
                let auth = sb.cookies(platform).map(|c| {
                    let mut a = distroflow_core::AuthConfig::new(platform, c);
                    a.username = Some(sb.user().into());
                    let scope = CookieScope::new(platform, &ctx.base_url);
                    a.set_storage(&scope, sb.storage(platform));
                    a
                });
                (ctx, auth)
            }
            None => (config.job_context(platform)?, home.load_auth(platform)?),
        };
        let account = auth
            .as_ref()
            .and_then(|a| a.username.clone())
            .unwrap_or_else(|| "default".into());
        let scope = CookieScope::new(platform, &ctx.base_url);
        let storage = auth
            .as_ref()
            .map(|a| a.storage_for(&scope))
            .unwrap_or_default();
        jobs.push(Job {
            platform,
            adapter,
            ctx,
            storage,
            // The site may rotate the session's tokens: the saved one is
            // kept current (never the sandbox's, which lives in memory).
            save_storage: match sites {
                Some(_) => None,
                None => Some(home.clone()),
            },
            cookies: auth.map(|a| a.cookies),
            healer: healer.clone(),
            account,
            ledger: ledger.cloned(),
            bundles: match sites {
                Some(_) => None,
                None => {
                    // 0700, also when an older version made it 0755.
                    home.private_dir("runs")?;
                    Some(distroflow_engine::Bundles::new(
                        home.clone(),
                        config.debug.keep_bundles,
                    ))
                }
            },
        });
    }
    Ok(jobs)
}
