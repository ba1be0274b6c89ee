//! `accounts`: which platforms have a working session, checked on the
//! sites in one browser (or from the saved files only).

use std::future::Future;
use std::sync::Arc;

use distroflow_browser::Browser;
use distroflow_core::{
    AuthConfig, AuthStatus, Config, CookieScope, Home, JobContext, Platform, PlatformId, Result,
};

use crate::jobs::browser_options;
use crate::wire::{rfc3339, WireAccount};

/// Visits the site with the saved session: the account's name when it is
/// logged in (empty when the site does not show it), `None` when not. A
/// session kept in the page's storage is read back into `auth` after the
/// visit: the site may have rotated its tokens.
pub async fn check_in(
    browser: &Browser,
    healer: &Arc<distroflow_healer::Healer>,
    adapter: &dyn Platform,
    ctx: &JobContext,
    auth: &mut AuthConfig,
) -> Result<Option<String>> {
    let scope = CookieScope::new(adapter.id(), &ctx.base_url);
    let session = browser.session_in(&scope, &auth.cookies).await?;
    if let Err(e) = session
        .page()
        .seed_local_storage(&scope.origin(), &auth.storage_for(&scope))
        .await
    {
        session.close().await;
        return Err(e);
    }
    let page = healer.page(session.page(), adapter.id());
    let result = async {
        let logged_in = adapter.is_logged_in(&page, ctx).await?;
        if let Some(items) = distroflow_engine::read_storage(adapter.id(), &scope, &page).await? {
            if !items.is_empty() {
                auth.set_storage(&scope, items);
            }
        }
        if !logged_in {
            return Ok(None);
        }
        let name = adapter.account_name(&page, ctx).await.unwrap_or_else(|e| {
            tracing::debug!("could not read the account name: {e}");
            None
        });
        Ok(Some(
            name.or_else(|| auth.username.clone()).unwrap_or_default(),
        ))
    }
    .await;
    page.finish();
    session.close().await;
    result
}

/// Every platform's session: from the saved files, and unless `offline`
/// checked on the site in one browser (`warm`: a running one to use, else
/// one is launched and closed). `None` when `interrupt` completed first.
pub async fn accounts(
    home: &Home,
    config: &Config,
    offline: bool,
    warm: Option<Browser>,
    interrupt: impl Future<Output = ()>,
) -> Result<Option<Vec<WireAccount>>> {
    let mut saved: Vec<(PlatformId, Option<AuthConfig>, Option<String>)> = Vec::new();
    for p in PlatformId::ALL {
        match home.load_auth(p) {
            Ok(a) => saved.push((p, a, None)),
            Err(e) => saved.push((p, None, Some(e.to_string()))),
        }
    }

    let needs_browser = !offline
        && saved.iter().any(|(p, a, _)| {
            a.as_ref().is_some_and(|a| !a.all_expired())
                && distroflow_platforms::adapter(*p).is_ok()
        });
    let owned = warm.is_none();
    let browser = match (needs_browser, warm) {
        (false, _) => None,
        (true, Some(b)) => Some(Ok(b)),
        (true, None) => Some(crate::jobs::checking_browser(config).await),
    };

    let healer = crate::jobs::healer(Some(home))?;
    let mut checks = Vec::new();
    for (p, auth, err) in saved {
        let browser = browser.as_ref().and_then(|b| b.as_ref().ok()).cloned();
        let launch_err = match &browser {
            None if needs_browser => Some(format!(
                "Chromium could not start ({})",
                browser_options(config).chrome.display()
            )),
            _ => None,
        };
        let config = config.clone();
        let healer = healer.clone();
        let home = home.clone();
        checks.push(async move {
            let mut row = WireAccount {
                platform: p.as_str().to_string(),
                status: AuthStatus::None.as_str().to_string(),
                username: None,
                saved_at: None,
                checked: false,
                error: err,
            };
            let Some(mut auth) = auth else { return row };
            row.username = auth.username.clone();
            row.saved_at = rfc3339(auth.saved_at);
            if auth.all_expired() {
                row.status = AuthStatus::Expired.as_str().to_string();
                return row;
            }
            row.status = AuthStatus::Saved.as_str().to_string();
            let (Some(browser), Ok(adapter)) = (browser, distroflow_platforms::adapter(p)) else {
                row.error = row.error.or(launch_err);
                return row;
            };
            let adapter: Arc<dyn Platform> = adapter.into();
            let ctx = match config.job_context(p) {
                Ok(c) => c,
                Err(e) => {
                    row.error = Some(e.to_string());
                    return row;
                }
            };
            let before = auth.origins.clone();
            let checked = check_in(&browser, &healer, adapter.as_ref(), &ctx, &mut auth).await;
            // A session in the page's storage may have rotated on the visit.
            if auth.origins != before {
                if let Err(e) = home.save_auth(&auth) {
                    tracing::warn!("cannot save the {p} session back: {e}");
                }
            }
            match checked {
                Ok(Some(user)) => {
                    row.checked = true;
                    row.status = AuthStatus::LoggedIn.as_str().to_string();
                    if !user.is_empty() {
                        row.username = Some(user);
                    }
                }
                Ok(None) => {
                    row.checked = true;
                    row.status = AuthStatus::Expired.as_str().to_string();
                }
                Err(e) => row.error = Some(e.to_string()),
            }
            row
        });
    }
    let rows = tokio::select! {
        rows = futures::future::join_all(checks) => Some(rows),
        _ = interrupt => None,
    };
    if let (Some(Ok(b)), true) = (&browser, owned) {
        b.close().await;
    }
    Ok(rows)
}
