use std::sync::Arc;

use distroflow_core::{
    AuthStatus, Check, Error, Home, JobContext, Network, PlatformId, Post, PostResult, Result,
};

use crate::args::{ContentArgs, PostArgs};
use crate::commands::sandbox::Sandbox;
use crate::commands::validate::{overflow, post_from, refuse, validate, Problem};
use crate::commands::{browser_options, check, healer, parse_targets};
use crate::exit::ExitStatus;
use crate::output;
use distroflow_engine::{BrowserSource, Job, RunEnd};

/// A post, checked for every target: what `post` and `schedule` share.
pub(crate) struct Prepared {
    pub(crate) targets: Vec<PlatformId>,
    pub(crate) post: Post,
    pub(crate) checks: Vec<Check>,
    pub(crate) adapters: Vec<Arc<dyn distroflow_core::Platform>>,
    /// Everything refused (empty when the post may go out).
    pub(crate) problems: Vec<Problem>,
}

impl Prepared {
    /// The content warnings (split, truncated, hashtags made words) on stderr.
    pub(crate) fn warn(&self) {
        for c in &self.checks {
            for w in &c.warnings {
                crate::output::warn(&format!("{}: {w}", c.platform));
            }
        }
    }
}

/// Reads the post from the arguments and checks it for every target with
/// the one validation `check` uses, before any browser starts.
pub(crate) fn prepare(
    to: &[String],
    content: &ContentArgs,
    config: &distroflow_core::Config,
) -> Result<Prepared> {
    let targets = parse_targets(&crate::commands::targets_or_default(to, config)?)?;
    let networks: Vec<Network> = targets.iter().map(|&t| Network::from(t)).collect();
    let post = post_from(content, &networks)?;
    let mut limits = config.content_limits()?;
    crate::commands::instance::apply(&mut limits, config, &networks);
    let v = validate(&networks, post, overflow(content.fit), &limits);
    let problems = v.problems();
    let mut adapters = Vec::new();
    for &t in &targets {
        adapters.push(Arc::<dyn distroflow_core::Platform>::from(
            distroflow_platforms::adapter(t)?,
        ));
    }
    Ok(Prepared {
        targets,
        post: v.post,
        checks: v.checks,
        adapters,
        problems,
    })
}

pub(crate) async fn run(args: PostArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let prepared = prepare(&args.to, &args.content, &config)?;
    if args.dry_run {
        return dry_run(&home, &prepared, args.sandbox, args.json);
    }
    if !prepared.problems.is_empty() {
        refuse(&prepared.problems, args.json);
        return Ok(ExitStatus::Usage);
    }
    prepared.warn();
    let Prepared { post, adapters, .. } = prepared;
    let options = browser_options(&config);

    // The sandbox serves replicas in this process with a logged-in account.
    let sandbox = if args.sandbox {
        Some(Sandbox::start(None).await?)
    } else {
        None
    };
    let healer = healer(if sandbox.is_some() { None } else { Some(&home) })?;
    // The records: not for the sandbox, whose replicas live for this run only.
    let ledger = if sandbox.is_some() {
        None
    } else {
        Some(ledger(&home, &config, args.no_rate_limit, args.force)?)
    };
    let jobs = make_jobs(
        adapters,
        &home,
        &config,
        sandbox.as_ref(),
        &healer,
        ledger.as_ref(),
    )?;
    let json = args.json;
    let progress =
        output::Progress::new(&jobs.iter().map(|j| j.platform).collect::<Vec<_>>(), !json);
    let end = distroflow_engine::run(
        jobs,
        post,
        if sandbox.is_some() {
            BrowserSource::Launch(options)
        } else {
            crate::commands::browser_source(&config)?
        },
        config.job_timeout(),
        |r| {
            progress.finish(r.platform);
            progress.suspend(|| output::print_result(r, json));
        },
        crate::signals::requested(),
    )
    .await;
    progress.clear();
    if let Some(sb) = sandbox {
        sb.shutdown().await;
    }
    Ok(match end {
        RunEnd::Interrupted => {
            eprintln!(
                "{}: the browser was closed; posts already reported above stand",
                crate::signals::name()
            );
            ExitStatus::Interrupted
        }
        RunEnd::Done(results) => status_of(&results),
    })
}

/// The store and rate limits of a run.
pub(crate) fn ledger(
    home: &Home,
    config: &distroflow_core::Config,
    no_rate_limit: bool,
    force: bool,
) -> Result<Arc<distroflow_engine::Ledger>> {
    Ok(Arc::new(ledger_for(home, config, no_rate_limit, force)?))
}

/// The ledger itself, for a caller that adds to it (a scheduled job's).
pub(crate) fn ledger_for(
    home: &Home,
    config: &distroflow_core::Config,
    no_rate_limit: bool,
    force: bool,
) -> Result<distroflow_engine::Ledger> {
    let store = distroflow_store::Store::open_home(home)?;
    let mut limits = distroflow_store::RateLimits::from_toml(&config.rate_limits)?.with_env();
    if no_rate_limit {
        limits = limits.disable_all();
    }
    Ok(distroflow_engine::Ledger::new(store, limits, force))
}

/// One engine job per adapter: where the platform lives, the saved
/// session, the account.
pub(crate) fn make_jobs(
    adapters: Vec<Arc<dyn distroflow_core::Platform>>,
    home: &Home,
    config: &distroflow_core::Config,
    sandbox: Option<&Sandbox>,
    healer: &Arc<distroflow_healer::Healer>,
    ledger: Option<&Arc<distroflow_engine::Ledger>>,
) -> Result<Vec<Job>> {
    let mut jobs = Vec::new();
    for adapter in adapters {
        let platform = adapter.id();
        let (ctx, auth) = match sandbox {
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
                    a.username = Some(crate::commands::sandbox::SANDBOX_USER.into());
                    let scope = distroflow_core::CookieScope::new(platform, &ctx.base_url);
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
        let scope = distroflow_core::CookieScope::new(platform, &ctx.base_url);
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
            save_storage: match sandbox {
                Some(_) => None,
                None => Some(home.clone()),
            },
            cookies: auth.map(|a| a.cookies),
            healer: healer.clone(),
            account,
            ledger: ledger.cloned(),
            bundles: match sandbox {
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

pub(crate) fn status_of(results: &[PostResult]) -> ExitStatus {
    if results.iter().all(|r| r.ok) {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

/// `post --dry-run`: the verdict `post` would act on for each platform,
/// and whether a session is saved for it (from the files; nothing is
/// visited, nothing posted). Exit 2 when `post` would refuse the input,
/// 1 when it is valid but a platform has no usable session, else 0.
///
/// With `--sandbox` every replica has a logged-in account (the sandbox
/// makes one), so the login is `saved` without looking at the files.
fn dry_run(home: &Home, prepared: &Prepared, sandbox: bool, json: bool) -> Result<ExitStatus> {
    let mut logged_in = true;
    for (t, c) in prepared.targets.iter().zip(&prepared.checks) {
        let login = match home.load_auth(*t)? {
            _ if sandbox => AuthStatus::Saved,
            None => AuthStatus::None,
            Some(a) if a.all_expired() => AuthStatus::Expired,
            Some(_) => AuthStatus::Saved,
        };
        logged_in &= login == AuthStatus::Saved;
        if json {
            let mut v = serde_json::to_value(c).unwrap_or_default();
            v["login"] = login.as_str().into();
            output::json_line(&v);
        } else {
            check::print_check(c, false);
            output::line(&format!("  login: {}", login.as_str().replace('_', " ")));
        }
    }
    Ok(if !prepared.problems.is_empty() {
        ExitStatus::Usage
    } else if logged_in {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
