use std::sync::Arc;

use distroflow_core::{
    check_post, AuthStatus, Check, Error, Home, JobContext, Media, Network, PlatformId, Post,
    PostResult, Result,
};

use crate::args::PostArgs;
use crate::commands::sandbox::Sandbox;
use crate::commands::{browser_options, check, healer, parse_targets, read_text};
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
    pub(crate) problems: Vec<Error>,
}

/// Reads the post from the arguments and checks it for every target
/// (content rules, then each adapter's own), before any browser starts.
pub(crate) fn prepare(args: &PostArgs, config: &distroflow_core::Config) -> Result<Prepared> {
    let targets = parse_targets(&args.to)?;
    let text = read_text(args.text.as_deref())?;
    let mut post = Post::new(text);
    post.title = args.title.clone().filter(|t| !t.trim().is_empty());
    post.url = args.url.clone().filter(|u| !u.trim().is_empty());
    for path in &args.media {
        post.media.push(Media::from_path(path)?);
    }
    if let Some(sub) = args
        .subreddit
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let sub = sub.trim_start_matches("/r/").trim_start_matches("r/");
        post.set_option(PlatformId::Reddit, "subreddit", sub);
    }
    if let Some(flair) = args
        .flair
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        post.set_option(PlatformId::Reddit, "flair", flair);
    }
    for spec in &args.text_for {
        let (platform, text) = spec.split_once('=').ok_or_else(|| {
            Error::usage(
                format!("--text-for `{spec}` is not PLATFORM=TEXT"),
                Some("e.g. --text-for x=\"the short version\"".into()),
            )
        })?;
        let platform: PlatformId = platform.parse()?;
        if !targets.contains(&platform) {
            return Err(Error::usage(
                format!("--text-for {platform} but {platform} is not in --to"),
                None,
            ));
        }
        post.text_overrides.insert(platform, text.to_string());
    }

    // Everything that can be refused is refused here, before any browser:
    // the content rules (fixed with --split / --truncate where asked), then
    // each adapter's own requirements.
    let limits = config.content_limits()?;
    let mode = check::overflow(args.fit);
    let checks: Vec<Check> = targets
        .iter()
        .map(|t| check_post(Network::from(*t), &post, mode, &limits))
        .collect();
    let mut problems = Vec::new();
    for (t, c) in targets.iter().zip(&checks) {
        if !args.dry_run {
            for w in &c.warnings {
                eprintln!("warning: {t}: {w}");
            }
        }
        if c.valid {
            c.apply_to(&mut post);
        } else {
            problems.extend(c.errors.iter().map(|e| Error::InvalidContent {
                platform: *t,
                message: e.clone(),
            }));
        }
    }
    let mut adapters = Vec::new();
    for &t in &targets {
        match distroflow_platforms::adapter(t) {
            Ok(a) => {
                if let Err(e) = a.validate(&post) {
                    problems.push(e);
                }
                adapters.push(Arc::<dyn distroflow_core::Platform>::from(a));
            }
            Err(e) => problems.push(e),
        }
    }
    // One message per problem: the content rules and an adapter may say
    // the same thing.
    let mut seen = std::collections::HashSet::new();
    problems.retain(|e| seen.insert(e.to_string()));
    Ok(Prepared {
        targets,
        post,
        checks,
        adapters,
        problems,
    })
}

/// Fails with every problem printed (the last one is returned).
pub(crate) fn refuse(mut problems: Vec<Error>) -> Result<()> {
    match problems.pop() {
        None => Ok(()),
        Some(last) => {
            for e in &problems {
                output::print_error(e);
            }
            Err(last)
        }
    }
}

pub(crate) async fn run(args: PostArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let Prepared {
        targets,
        post,
        checks,
        adapters,
        problems,
    } = prepare(&args, &config)?;
    if args.dry_run {
        return dry_run(&home, &targets, &checks, &problems, args.json);
    }
    refuse(problems)?;
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
    let store = distroflow_store::Store::open_home(home)?;
    let mut limits = distroflow_store::RateLimits::from_toml(&config.rate_limits)?.with_env();
    if no_rate_limit {
        limits = limits.disable_all();
    }
    Ok(Arc::new(distroflow_engine::Ledger::new(
        store, limits, force,
    )))
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
        jobs.push(Job {
            platform,
            adapter,
            ctx,
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

/// `post --dry-run`: what each platform would get, and whether a session is
/// saved for it (from the files; nothing is visited, nothing posted).
fn dry_run(
    home: &Home,
    targets: &[PlatformId],
    checks: &[Check],
    problems: &[Error],
    json: bool,
) -> Result<ExitStatus> {
    let mut ready = problems.is_empty();
    for (t, c) in targets.iter().zip(checks) {
        let login = match home.load_auth(*t)? {
            None => AuthStatus::None,
            Some(a) if a.all_expired() => AuthStatus::Expired,
            Some(_) => AuthStatus::Saved,
        };
        ready &= login == AuthStatus::Saved;
        if json {
            let mut v = serde_json::to_value(c).unwrap_or_default();
            v["login"] = login.as_str().into();
            let extra: Vec<String> = problems
                .iter()
                .filter(|e| !matches!(e, Error::InvalidContent { .. }))
                .map(|e| e.to_string())
                .filter(|m| m.contains(t.display_name()))
                .collect();
            if let Some(errs) = v["errors"].as_array_mut() {
                errs.extend(extra.into_iter().map(Into::into));
            }
            output::json_line(&v);
        } else {
            check::print_check(c, false);
            output::line(&format!("  login: {}", login.as_str().replace('_', " ")));
        }
    }
    if !json {
        for e in problems
            .iter()
            .filter(|e| !matches!(e, Error::InvalidContent { .. }))
        {
            output::print_error(e);
        }
    }
    Ok(if ready {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
