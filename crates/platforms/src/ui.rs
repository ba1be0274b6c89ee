//! Interaction patterns the sites share.

use std::time::Duration;

use distroflow_core::{wait_until_on, Error, JobContext, Page, PlatformId, Post, Result, Waits};

/// Starts counting DOM changes from now (a counter on `window`).
const JS_WATCH_CHANGES: &str = r#"(() => {
  window.__distroflowChanges = 0;
  if (!window.__distroflowObserver) {
    window.__distroflowObserver = new MutationObserver((m) => { window.__distroflowChanges += m.length; });
    window.__distroflowObserver.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  }
  return true;
})()"#;

/// How long a click may take to show its effect before it counts as lost.
const EFFECT_WINDOW: Duration = Duration::from_millis(1500);

/// Clicks `trigger` and waits until `appears` is on the page. A site that
/// renders its markup first and wires it up a moment later (hydration)
/// silently drops a click that lands in between: the page looks ready but
/// nothing happens. So when nothing at all changed in the page within
/// [`EFFECT_WINDOW`] of a click, the click is repeated (up to three times).
/// A click that changed something is never repeated (the trigger may be a
/// toggle), and a missing `appears` then ends as the usual wait's error.
pub(crate) async fn click_until(
    page: &dyn Page,
    trigger: &str,
    appears: &str,
    what: &str,
) -> Result<()> {
    let present = || async { Ok((page.count(appears).await? > 0).then_some(())) };
    for attempt in 1..=3 {
        page.eval(JS_WATCH_CHANGES).await?;
        page.click(trigger).await?;
        let short = Waits {
            timeout: EFFECT_WINDOW,
            ..page.waits()
        };
        if wait_until_on(page, short, what, present).await.is_ok() {
            return Ok(());
        }
        let changes = page
            .eval("window.__distroflowChanges || 0")
            .await?
            .as_u64()
            .unwrap_or(0);
        if changes > 0 {
            break;
        }
        tracing::debug!(
            trigger,
            attempt,
            "the click changed nothing; clicking again"
        );
    }
    wait_for(page, appears, what).await
}

/// Waits for an element the flow needs (a gate): for a named target, the
/// healer repairs it on the way. A timeout is reported as the element not
/// found, naming `what`.
pub(crate) async fn wait_for(page: &dyn Page, selector: &str, what: &str) -> Result<()> {
    page.wait_for(selector, what).await.map_err(|e| {
        if e.is_timeout() {
            distroflow_core::Error::NotFound {
                target: what.to_string(),
                selectors: selector.to_string(),
                url: String::new(),
            }
        } else {
            e
        }
    })
}

/// Waits for a button the flow needs (a gate: repaired like any lookup),
/// then until it is enabled (neither `disabled` nor `aria-disabled`).
/// Missing: `NotFound` naming `what`; still disabled at the deadline:
/// `Unexpected` with `stayed`, which says why a site keeps it off.
pub(crate) async fn wait_enabled(
    page: &dyn Page,
    selector: &str,
    what: &str,
    stayed: &str,
) -> Result<()> {
    wait_for(page, selector, what).await?;
    let waited = wait_until_on(page, page.waits(), what, || async {
        if page.count(selector).await? == 0 {
            return Ok(None);
        }
        let off = page.attr(selector, "disabled").await?.is_some()
            || page.attr(selector, "aria-disabled").await?.as_deref() == Some("true");
        Ok((!off).then_some(()))
    })
    .await;
    match waited {
        Err(e) if e.is_timeout() => Err(distroflow_core::Error::Unexpected {
            message: stayed.to_string(),
        }),
        other => other,
    }
}

/// What a page turned out to be, once it rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seen {
    /// The app is there, logged in (a logged-in marker was seen).
    LoggedIn,
    /// The login page or form was positively seen.
    LoginPage,
}

/// What tells a platform's page states apart.
pub(crate) struct Signs<'a> {
    /// The platform, for messages.
    pub(crate) name: &'static str,
    /// Any one present: the app rendered, logged in. Named targets are
    /// repaired when their known selectors all fail (after a moment).
    pub(crate) logged_in: &'a [&'a str],
    /// Any one present: the login page or form.
    pub(crate) login: &'a [&'a str],
    /// URL paths (prefixes) of the login page.
    pub(crate) login_paths: &'a [&'a str],
}

/// How long the logged-in markers get before a broken one is looked for
/// by role and likeness (a client-rendered app may still be drawing).
const REPAIR_MARKERS_AFTER: Duration = Duration::from_millis(1500);

/// Waits, against the page's deadline, until the page shows what state it
/// is in, and names it: logged in, or the login page. Every poll first
/// asks `check` about the other outcomes (a challenge, an error page, a
/// missing community), which end the wait with their own error. Nothing
/// is decided from an absence seen once: "not logged in" needs the login
/// page positively seen; a page that shows neither by the deadline is a
/// timeout that says so (and leaves a debug bundle), not an auth error.
pub(crate) async fn settle<F, Fut>(page: &dyn Page, signs: &Signs<'_>, check: F) -> Result<Seen>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let waits = page.waits();
    let start = std::time::Instant::now();
    let what = format!(
        "{}'s page to show a logged-in marker or the login page",
        signs.name
    );
    let seen = wait_until_on(page, waits, &what, || async {
        check().await?;
        for m in signs.logged_in {
            if page.count(m).await? > 0 {
                return Ok(Some(Seen::LoggedIn));
            }
        }
        let here = page.current_url().await.unwrap_or_default();
        let path = url::Url::parse(&here)
            .map(|u| u.path().to_string())
            .unwrap_or_default();
        if signs.login_paths.iter().any(|p| path.starts_with(p)) {
            return Ok(Some(Seen::LoginPage));
        }
        for m in signs.login {
            if page.count(m).await? > 0 {
                return Ok(Some(Seen::LoginPage));
            }
        }
        // Known markers all missing for a while: a broken one is repaired
        // like any other target (a lookup that describes it searches).
        for m in signs.logged_in {
            if present(page, m, start).await? {
                return Ok(Some(Seen::LoggedIn));
            }
        }
        Ok(None)
    })
    .await;
    match seen {
        Err(e) if e.is_timeout() => Err(distroflow_core::Error::Timeout {
            what: format!(
                "{}'s page to render: it never showed a logged-in marker or the login page",
                signs.name
            ),
            after: waits.timeout,
        }),
        other => other,
    }
}

/// Whether `selector` is on the page, for a poll that started at `since`
/// and decides between outcomes (so a plain wait, which would repair, does
/// not fit): its known selectors at once; once they have all been missing
/// for a moment (a client-rendered app may still be drawing), a named
/// target is looked for by the healer's tiers like any other lookup.
pub(crate) async fn present(
    page: &dyn Page,
    selector: &str,
    since: std::time::Instant,
) -> Result<bool> {
    if page.count(selector).await? > 0 {
        return Ok(true);
    }
    Ok(selector.starts_with('@')
        && since.elapsed() >= REPAIR_MARKERS_AFTER
        && page.describe(selector).await?.is_some())
}

/// Opens `path` on the platform's site.
pub(crate) async fn goto(page: &dyn Page, ctx: &JobContext, path: &str) -> Result<()> {
    page.goto(ctx.url(path)?.as_str()).await
}

/// The start of a page's text, for an error that must say what the page
/// showed instead of what was expected.
pub(crate) fn snippet(body: &str) -> String {
    let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = flat.chars().take(160).collect();
    if cut.is_empty() {
        "an empty page".into()
    } else {
        format!("page says: {cut}")
    }
}

/// Every part of a thread has text (the first may be media alone): the
/// check X, Bluesky and Mastodon share before a browser starts.
pub(crate) fn thread_parts_present(post: &Post, platform: PlatformId) -> Result<()> {
    let parts = post.parts_for(platform);
    let name = platform.display_name();
    for (i, part) in parts.iter().enumerate() {
        if !part.trim().is_empty() || (i == 0 && !post.media.is_empty()) {
            continue;
        }
        return Err(if parts.len() > 1 {
            Error::InvalidContent {
                platform,
                message: format!(
                    "post {} of {} of the {name} thread is empty",
                    i + 1,
                    parts.len()
                ),
            }
        } else {
            Error::usage(
                format!("{name} needs a text or media"),
                Some("add TEXT, or attach an image with --media FILE".into()),
            )
        });
    }
    Ok(())
}
