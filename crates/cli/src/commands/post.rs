use distroflow_app::{ledger, make_jobs, Prepared};
use distroflow_core::{AuthStatus, Home, PostResult, Result};

use crate::args::{ContentArgs, PostArgs};
use crate::commands::sandbox::Sandbox;
use crate::commands::validate::{self, refuse};
use crate::commands::{browser_options, check, healer};
use crate::exit::ExitStatus;
use crate::output;
use distroflow_engine::{BrowserSource, RunEnd};

/// The content warnings (split, truncated, hashtags made words) on stderr.
pub(crate) fn warn(prepared: &Prepared) {
    for c in &prepared.checks {
        for w in &c.warnings {
            crate::output::warn(&format!("{}: {w}", c.platform));
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
    let to = crate::commands::targets_or_default(to, config)?;
    distroflow_app::prepare(&to, &validate::content(content)?, config)
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
    warn(&prepared);
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
        sandbox.as_ref().map(|s| s as &dyn distroflow_app::Sites),
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
