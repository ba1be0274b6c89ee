use std::sync::Arc;

use distroflow_browser::Browser;
use distroflow_core::{AuthConfig, AuthStatus, Error, Home, PlatformId, Result};
use serde::Serialize;

use crate::args::AccountsArgs;
use crate::commands::browser_options;
use crate::commands::login::check_in;
use crate::exit::ExitStatus;
use crate::output;

#[derive(Serialize)]
struct WireAccount {
    platform: &'static str,
    status: &'static str,
    username: Option<String>,
    /// When the session was saved, RFC 3339 (UTC).
    saved_at: Option<String>,
    checked: bool,
    error: Option<String>,
}

pub(crate) async fn run(args: AccountsArgs) -> Result<ExitStatus> {
    let home = Home::from_env()?;
    let config = home.load_config()?;
    let mut saved: Vec<(PlatformId, Option<AuthConfig>, Option<String>)> = Vec::new();
    for p in PlatformId::ALL {
        match home.load_auth(p) {
            Ok(a) => saved.push((p, a, None)),
            Err(e) => saved.push((p, None, Some(e.to_string()))),
        }
    }

    let needs_browser = !args.offline
        && saved.iter().any(|(p, a, _)| {
            a.as_ref().is_some_and(|a| !a.all_expired())
                && distroflow_platforms::adapter(*p).is_ok()
        });
    let browser = if needs_browser {
        Some(Browser::launch(browser_options(&config)).await)
    } else {
        None
    };

    let healer = crate::commands::healer(Some(&home))?;
    let mut checks = Vec::new();
    for (p, auth, err) in saved {
        let browser = browser.as_ref().and_then(|b| b.as_ref().ok()).cloned();
        let launch_err = match &browser {
            None if needs_browser => browser_error(&config),
            _ => None,
        };
        let config = config.clone();
        let healer = healer.clone();
        let home = home.clone();
        checks.push(async move {
            let mut row = WireAccount {
                platform: p.as_str(),
                status: AuthStatus::None.as_str(),
                username: None,
                saved_at: None,
                checked: false,
                error: err,
            };
            let Some(mut auth) = auth else { return row };
            row.username = auth.username.clone();
            row.saved_at = rfc3339(auth.saved_at);
            if auth.all_expired() {
                row.status = AuthStatus::Expired.as_str();
                return row;
            }
            row.status = AuthStatus::Saved.as_str();
            let (Some(browser), Ok(adapter)) = (browser, distroflow_platforms::adapter(p)) else {
                row.error = row.error.or(launch_err);
                return row;
            };
            let adapter: Arc<dyn distroflow_core::Platform> = adapter.into();
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
                    row.status = AuthStatus::LoggedIn.as_str();
                    if !user.is_empty() {
                        row.username = Some(user);
                    }
                }
                Ok(None) => {
                    row.checked = true;
                    row.status = AuthStatus::Expired.as_str();
                }
                Err(e) => row.error = Some(e.to_string()),
            }
            row
        });
    }
    let rows = tokio::select! {
        rows = futures::future::join_all(checks) => Some(rows),
        _ = crate::signals::requested() => None,
    };
    if let Some(Ok(b)) = &browser {
        b.close().await;
    }
    let Some(rows) = rows else {
        return Err(Error::usage(crate::signals::name(), None));
    };

    for row in &rows {
        if args.json {
            output::json_line(row);
        } else {
            let mut s = format!("{:<11} {}", row.platform, row.status.replace('_', " "));
            if let Some(u) = &row.username {
                s.push_str(&format!(" as {u}"));
            }
            if let Some(t) = &row.saved_at {
                s.push_str(&format!(" (saved {t})"));
            }
            if let Some(e) = &row.error {
                s.push_str(&format!(" (could not check: {e})"));
            }
            output::line(&s);
        }
    }
    Ok(ExitStatus::Success)
}

fn browser_error(config: &distroflow_core::Config) -> Option<String> {
    Some(format!(
        "Chromium could not start ({})",
        browser_options(config).chrome.display()
    ))
}

/// Epoch seconds (as auth files store them) as RFC 3339 in UTC.
fn rfc3339(epoch_secs: u64) -> Option<String> {
    let secs = i64::try_from(epoch_secs).ok()?;
    jiff::Timestamp::from_second(secs)
        .ok()
        .map(|t| t.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn saved_times_are_rfc_3339() {
        assert_eq!(
            super::rfc3339(1_772_704_800).as_deref(),
            Some("2026-03-05T10:00:00Z")
        );
        assert_eq!(super::rfc3339(u64::MAX), None);
    }
}
