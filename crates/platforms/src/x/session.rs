//! Whose session this is: the handle from X's navigation, and the
//! interstitials that stand in the way.

use super::*;

/// The logged-in handle, from the Profile tab's `href="/HANDLE"` or the
/// account button's `@handle`, whichever the page shows.
pub(super) async fn own_handle(page: &dyn Page) -> Result<String> {
    own_handle_within(page, page.waits()).await
}

pub(super) async fn own_handle_within(page: &dyn Page, waits: Waits) -> Result<String> {
    wait_until_on(page, waits, "X's Profile link", || handle_now(page))
        .await
        .map_err(|e| {
            not_found_if_timeout(
                e,
                "X's Profile link",
                &format!("{SEL_PROFILE_LINK} | {SEL_ACCOUNT_SWITCHER}"),
            )
        })
}

/// The handle as the page shows it now, if it does.
pub(super) async fn handle_now(page: &dyn Page) -> Result<Option<String>> {
    if let Some(h) = page
        .attr(SEL_PROFILE_LINK, "href")
        .await?
        .as_deref()
        .and_then(handle_from_href)
    {
        return Ok(Some(h));
    }
    // The account button's text: "Name @handle".
    let text = page.text(SEL_ACCOUNT_SWITCHER).await?.unwrap_or_default();
    Ok(text
        .split_whitespace()
        .find(|w| w.starts_with('@'))
        .and_then(distroflow_core::plausible_name))
}

/// The handle in a profile link, `/HANDLE` or `https://x.com/HANDLE`.
pub(super) fn handle_from_href(href: &str) -> Option<String> {
    let handle = href
        .rsplit("://")
        .next()
        .unwrap_or_default()
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .split('/')
        .rfind(|s| !s.is_empty())?;
    distroflow_core::plausible_name(handle)
}

/// Closes the sheets X puts over the app now and then (feature tours with a
/// "Got it"), which leave the composer inert until closed. Known sheets
/// only: anything else is left alone.
pub(super) async fn dismiss_interstitials(page: &dyn Page) -> Result<()> {
    for _ in 0..3 {
        if page.count(SEL_INTERSTITIAL).await? == 0 {
            return Ok(());
        }
        tracing::debug!("closing a sheet over X's composer");
        page.click(SEL_INTERSTITIAL).await?;
        wait_until_on(page, page.waits(), "X's sheet to close", || async {
            Ok((page.count(SEL_INTERSTITIAL).await? == 0).then_some(()))
        })
        .await?;
    }
    Ok(())
}
