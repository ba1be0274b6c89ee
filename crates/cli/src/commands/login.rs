use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use distroflow_browser::{Browser, BrowserOptions};
use distroflow_core::{
    parse_session_file, wait_until, AuthConfig, CookieScope, Error, Home, JobContext, Page,
    Platform, Result, Secret, Waits,
};

use crate::args::{LoginArgs, LogoutArgs};
use crate::commands::{browser_options, healer, parse_platform};
use crate::exit::ExitStatus;

pub(crate) async fn run(args: LoginArgs) -> Result<ExitStatus> {
    let platform = parse_platform(&args.platform)?;
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let ctx = config.job_context(platform)?;
    let options = browser_options(&config);
    let healer = healer(Some(&home))?;

    if let Some(file) = &args.cookies {
        let bytes = std::fs::read(file).map_err(|e| {
            Error::usage(
                format!("cannot read cookie file {}: {e}", file.display()),
                Some("give --cookies the path of a file exported from your browser".into()),
            )
        })?;
        let session = parse_session_file(file, &bytes)?;
        let cookies = session.cookies;
        let total = cookies.len();
        // Only the platform's own cookies: a whole-browser export also
        // holds every other site's session, which must never reach this one.
        let scope = CookieScope::new(platform, &ctx.base_url);
        let scoped = scope.filter(cookies);
        // And only its own origins' session keys (Bluesky's BSKY_STORAGE).
        let mut probe = AuthConfig::new(platform, Vec::new());
        probe.origins = session.origins;
        let storage = probe.storage_for(&scope);
        if scoped.kept.is_empty() && storage.is_empty() {
            return Err(Error::usage(
                format!(
                    "none of the {total} cookies in {} are for {} ({scope}); nothing was saved{}",
                    file.display(),
                    platform.display_name(),
                    if home.load_auth(platform).ok().flatten().is_some() {
                        " and the saved session is unchanged"
                    } else {
                        ""
                    }
                ),
                Some(format!(
                    "export the cookies while you are logged in to {} ({})",
                    platform.display_name(),
                    ctx.base_url
                )),
            ));
        }
        if let Some(summary) = scoped.summary() {
            eprintln!(
                "kept {} of {total} cookies for {}; {summary} (they belong to other sites and are never saved or sent)",
                scoped.kept.len(),
                platform.display_name()
            );
        }
        let mut auth = AuthConfig::new(platform, scoped.kept);
        auth.set_storage(&scope, storage);
        let adapter = distroflow_platforms::adapter(platform).ok();
        if let (false, Some(adapter)) = (args.no_check, adapter) {
            match check_session(&config, &healer, adapter.as_ref(), &ctx, &mut auth).await {
                Ok(Some(user)) => auth.username = Some(user).filter(|u| !u.is_empty()),
                Ok(None) => {
                    return Err(Error::Auth {
                        platform,
                        message: format!(
                            "the cookies in {} do not log in to {} (expired or for another account); the saved session is unchanged",
                            file.display(),
                            ctx.base_url
                        ),
                    })
                }
                Err(e) if crate::signals::stopped_by().is_some() => {
                    return Err(e)
                }
                Err(e) => {
                    tracing::warn!("could not check the session at {}: {e}", ctx.base_url);
                    crate::output::warn(&format!("saved without checking: {e}"));
                }
            }
        }
        let path = home.save_auth(&auth)?;
        crate::commands::resume_waiting_jobs(&home, auth.platform);
        let what = if auth.origins.is_empty() {
            format!("{} cookies", auth.cookies.len())
        } else {
            format!("the {} session (browser storage)", platform.display_name())
        };
        eprintln!(
            "saved {what} for {}{} in {}",
            platform,
            auth.username
                .as_deref()
                .map(|u| format!(" (logged in as {u})"))
                .unwrap_or_default(),
            path.display()
        );
        return Ok(ExitStatus::Success);
    }

    let adapter: Arc<dyn Platform> = distroflow_platforms::adapter(platform)?.into();
    if let Some(user) = &args.username {
        if !adapter.capabilities().password_login {
            return Err(Error::usage(
                format!(
                    "{} has no plain login form DistroFlow may fill",
                    platform.display_name()
                ),
                Some(format!("use `distroflow login {platform} --cookies FILE`")),
            ));
        }
        let password = read_password()?;
        let auth = with_checking_browser(&config, |browser| async move {
            let session = browser.session(&ctx.base_url, &[]).await?;
            let page = healer.page(session.page(), platform);
            let scope = CookieScope::new(platform, &ctx.base_url);
            let result = async {
                adapter
                    .login_with_password(&page, &ctx, user, &password)
                    .await?;
                let storage = distroflow_engine::read_storage(platform, &scope, &page)
                    .await?
                    .unwrap_or_default();
                Ok::<_, Error>((page.cookies(ctx.base_url.as_str()).await?, storage))
            }
            .await;
            page.finish();
            session.close().await;
            let (cookies, storage) = result?;
            let mut auth = AuthConfig::new(platform, cookies);
            auth.set_storage(&scope, storage);
            auth.username = Some(user.clone());
            Ok(auth)
        })
        .await?;
        let path = home.save_auth(&auth)?;
        crate::commands::resume_waiting_jobs(&home, auth.platform);
        eprintln!(
            "logged in to {platform} as {user}; session saved in {}",
            path.display()
        );
        return Ok(ExitStatus::Success);
    }

    // A page of the site to open instead of the login page (the check a
    // post stopped at), with the saved session: only ever on the site.
    let start_url = match &args.at {
        Some(at) => {
            let url = url::Url::parse(at)
                .map_err(|e| Error::usage(format!("--at {at}: not a URL ({e})"), None))?;
            if url.host_str() != ctx.base_url.host_str()
                || url.port_or_known_default() != ctx.base_url.port_or_known_default()
            {
                return Err(Error::usage(
                    format!(
                        "--at {at} is not on {} ({})",
                        platform.display_name(),
                        ctx.base_url
                    ),
                    Some("give the address of the page the post stopped at, as printed".into()),
                ));
            }
            Some(url)
        }
        None => None,
    };
    let saved_auth = if start_url.is_some() {
        home.load_auth(platform)?
    } else {
        None
    };
    let saved_storage = saved_auth
        .as_ref()
        .map(|a| a.storage_for(&CookieScope::new(platform, &ctx.base_url)))
        .unwrap_or_default();
    let saved = saved_auth.map(|a| a.cookies).unwrap_or_default();

    // No flags: a visible browser for the person to log in by hand.
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err(Error::usage(
            "no display for a visible browser",
            Some(format!(
                "export cookies from a browser where you are logged in and run `distroflow login {platform} --cookies FILE`{}",
                if adapter.capabilities().password_login {
                    format!(", or `distroflow login {platform} --username NAME --password-stdin`")
                } else {
                    String::new()
                }
            )),
        ));
    }
    let mut visible = options;
    visible.headless = false;
    let login_url = match start_url {
        Some(u) => u,
        None => ctx.url(adapter.login_path())?,
    };
    let timeout = Duration::from_secs(args.timeout.max(1));
    eprintln!(
        "log in to {} in the browser window; waiting up to {}s",
        platform.display_name(),
        timeout.as_secs()
    );
    let marker = adapter.logged_in_marker();
    let auth = with_browser(visible, |browser| async move {
        let scope = CookieScope::new(platform, &ctx.base_url);
        let session = browser.session_in(&scope, &saved).await?;
        session
            .page()
            .seed_local_storage(&scope.origin(), &saved_storage)
            .await?;
        let page = healer.page(session.page(), platform);
        let result = async {
            page.goto(login_url.as_str()).await?;
            let waits = Waits {
                timeout,
                every: Duration::from_millis(500),
            };
            wait_until(waits, "you to log in", || async {
                Ok((page.count(marker).await? > 0).then_some(()))
            })
            .await?;
            let storage = distroflow_engine::read_storage(platform, &scope, &page)
                .await?
                .unwrap_or_default();
            Ok::<_, Error>((page.cookies(ctx.base_url.as_str()).await?, storage))
        }
        .await;
        page.finish();
        session.close().await;
        let (cookies, storage) = result?;
        let mut auth = AuthConfig::new(platform, cookies);
        auth.set_storage(&scope, storage);
        Ok(auth)
    })
    .await?;
    let path = home.save_auth(&auth)?;
    crate::commands::resume_waiting_jobs(&home, auth.platform);
    eprintln!(
        "logged in to {platform}; session saved in {}",
        path.display()
    );
    Ok(ExitStatus::Success)
}

pub(crate) fn logout(args: LogoutArgs) -> Result<ExitStatus> {
    let platforms = match &args.platform {
        Some(name) if !args.all => vec![parse_platform(name)?],
        _ => distroflow_core::PlatformId::ALL.to_vec(),
    };
    let home = Home::from_env()?;
    let mut removed = 0;
    for platform in platforms {
        if home.remove_auth(platform)? {
            removed += 1;
            eprintln!("removed the saved {platform} session");
        } else if !args.all {
            eprintln!("no saved {platform} session");
        }
    }
    if args.all && removed == 0 {
        eprintln!("no saved sessions");
    }
    Ok(ExitStatus::Success)
}

fn read_password() -> Result<Secret> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).map_err(|e| {
        Error::usage(
            format!("cannot read the password from standard input: {e}"),
            None,
        )
    })?;
    let pw = s.trim_end_matches(['\n', '\r']);
    if pw.is_empty() {
        return Err(Error::usage(
            "no password on standard input",
            Some("pipe it in: `printf %s \"$PASSWORD\" | distroflow login hackernews --username NAME --password-stdin`".into()),
        ));
    }
    Ok(Secret::new(pw))
}

/// Runs `f` with the browser for one visit (a remote engine when engines
/// are configured, see [`distroflow_app::checking_browser`]), closing or
/// disconnecting it whatever happens.
pub(crate) async fn with_checking_browser<T, F, Fut>(
    config: &distroflow_core::Config,
    f: F,
) -> Result<T>
where
    F: FnOnce(Browser) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let browser = distroflow_app::checking_browser(config).await?;
    let result = tokio::select! {
        r = f(browser.clone()) => r,
        _ = crate::signals::requested() => Err(Error::usage(crate::signals::name(), None)),
    };
    browser.close().await;
    result
}

/// Runs `f` with a fresh browser, closing it whatever happens.
pub(crate) async fn with_browser<T, F, Fut>(options: BrowserOptions, f: F) -> Result<T>
where
    F: FnOnce(Browser) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let browser = Browser::launch(options).await?;
    let result = tokio::select! {
        r = f(browser.clone()) => r,
        _ = crate::signals::requested() => Err(Error::usage(crate::signals::name(), None)),
    };
    browser.close().await;
    result
}

/// Visits the site with the session: `Some(account)` when logged in
/// (the account name may be empty when the page does not show it). A
/// session kept in the page's storage is read back into `auth` after the
/// visit: the site may have rotated its tokens.
pub(crate) async fn check_session(
    config: &distroflow_core::Config,
    healer: &std::sync::Arc<distroflow_healer::Healer>,
    adapter: &dyn Platform,
    ctx: &JobContext,
    auth: &mut AuthConfig,
) -> Result<Option<String>> {
    with_checking_browser(config, |browser| async move {
        check_in(&browser, healer, adapter, ctx, auth).await
    })
    .await
}

pub(crate) use distroflow_app::check_in;
