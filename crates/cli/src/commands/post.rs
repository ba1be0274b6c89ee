use std::sync::Arc;

use distroflow_core::{Error, Home, JobContext, Media, PlatformId, Post, PostResult, Result};

use crate::args::PostArgs;
use crate::commands::sandbox::Sandbox;
use crate::commands::{browser_options, healer, parse_targets, read_text};
use crate::exit::ExitStatus;
use crate::output;
use distroflow_engine::{BrowserSource, Job, RunEnd};

pub(crate) async fn run(args: PostArgs) -> Result<ExitStatus> {
    let targets = parse_targets(&args.to)?;
    let text = read_text(args.text.as_deref())?;
    let mut post = Post::new(text);
    post.title = args.title.filter(|t| !t.trim().is_empty());
    post.url = args.url.filter(|u| !u.trim().is_empty());
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

    // Everything that can be refused is refused here, before any browser.
    let mut adapters = Vec::new();
    let mut problems = Vec::new();
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
    if let Some(last) = problems.pop() {
        for e in &problems {
            output::print_error(e);
        }
        return Err(last);
    }

    let home = Home::from_env()?;
    let config = home.load_config()?;
    let options = browser_options(&config);

    // The sandbox serves replicas in this process with a logged-in account.
    let sandbox = if args.sandbox {
        Some(Sandbox::start(None).await?)
    } else {
        None
    };
    let healer = healer(if sandbox.is_some() { None } else { Some(&home) })?;
    let mut jobs = Vec::new();
    for adapter in adapters {
        let platform = adapter.id();
        let (ctx, cookies) = match &sandbox {
            Some(sb) => {
                let base_url = sb.base_url(platform).ok_or_else(|| {
                    Error::usage(
                        format!("the sandbox has no {} replica yet", platform.display_name()),
                        None,
                    )
                })?;
                let mut ctx = JobContext::new(base_url);
                ctx.settings = config.settings(platform);
                (ctx, sb.cookies(platform))
            }
            None => (
                config.job_context(platform)?,
                home.load_auth(platform)?.map(|a| a.cookies),
            ),
        };
        jobs.push(Job {
            platform,
            adapter,
            ctx,
            cookies,
            healer: healer.clone(),
        });
    }

    let json = args.json;
    let progress =
        output::Progress::new(&jobs.iter().map(|j| j.platform).collect::<Vec<_>>(), !json);
    let end = distroflow_engine::run(
        jobs,
        post,
        BrowserSource::Launch(options),
        config.job_timeout(),
        |r| {
            progress.finish(r.platform);
            progress.suspend(|| output::print_result(r, json));
        },
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
    )
    .await;
    progress.clear();
    if let Some(sb) = sandbox {
        sb.shutdown().await;
    }
    Ok(match end {
        RunEnd::Interrupted => {
            eprintln!("interrupted: the browser was closed; posts already reported above stand");
            ExitStatus::Interrupted
        }
        RunEnd::Done(results) => status_of(&results),
    })
}

fn status_of(results: &[PostResult]) -> ExitStatus {
    if results.iter().all(|r| r.ok) {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}
