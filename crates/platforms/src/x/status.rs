//! Finding posts on X: status URLs and ids, the newest post of a handle,
//! and a thread's URLs (from the conversation, else the profile).

use super::*;

/// Whitespace runs folded to one space, ends trimmed.
pub(super) fn fold_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The handle and id in `/HANDLE/status/ID[/...]` (or a full URL).
pub(super) fn status_parts(href: &str) -> Option<(String, String)> {
    let path = match href.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map_or("", |(_, p)| p),
        None => href.trim_start_matches('/'),
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut segments = path.split('/');
    let (user, status, id) = (segments.next()?, segments.next()?, segments.next()?);
    (!user.is_empty()
        && status == "status"
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit()))
    .then(|| (user.to_string(), id.to_string()))
}

/// The id in `/HANDLE/status/ID[/...]` (or a full URL), for this handle.
pub(super) fn status_id(href: &str, handle: &str) -> Option<String> {
    let path = match href.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map_or("", |(_, p)| p),
        None => href.trim_start_matches('/'),
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut segments = path.split('/');
    let (user, status, id) = (segments.next()?, segments.next()?, segments.next()?);
    (user.eq_ignore_ascii_case(handle)
        && status == "status"
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit()))
    .then(|| id.to_string())
}

/// Snowflake ids grow with time: compare them as numbers.
pub(super) fn id_key(id: &str) -> (usize, &str) {
    let id = id.trim_start_matches('0');
    (id.len(), id)
}

/// The status ids of `handle`'s posts on the page now, ascending.
pub(super) async fn status_ids(page: &dyn Page, handle: &str) -> Result<Vec<String>> {
    let expr = format!(
        "Array.from(document.querySelectorAll({})).map((a) => a.getAttribute('href'))",
        Value::String(SEL_STATUS_LINKS.into())
    );
    let hrefs = page.eval(&expr).await?;
    let mut ids: Vec<String> = hrefs
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .filter_map(|href| status_id(href, handle))
        .collect();
    ids.sort_by(|a, b| id_key(a).cmp(&id_key(b)));
    ids.dedup();
    Ok(ids)
}

/// A success toast without a link: the newest post on the profile.
pub(super) async fn newest_status_href(
    page: &dyn Page,
    ctx: &JobContext,
    handle: &str,
) -> Result<String> {
    goto(page, ctx, handle).await?;
    let id = wait_until_on(
        page,
        page.waits(),
        "the new post on the profile",
        || async { Ok(status_ids(page, handle).await?.pop()) },
    )
    .await?;
    Ok(format!("/{handle}/status/{id}"))
}

/// Every post of the thread just sent, from the profile: the `n` oldest
/// posts from the first one on (a pinned post or older posts do not count,
/// and snowflake ids order them as they were sent).
pub(super) async fn thread_urls(
    page: &dyn Page,
    ctx: &JobContext,
    handle: &str,
    first: &str,
    n: usize,
) -> Result<Vec<String>> {
    let ids = match thread_from_conversation(page, ctx, handle, first, n).await? {
        ids if ids.len() == n => ids,
        _ => thread_from_profile(page, ctx, handle, first, n).await?,
    };
    ids.iter()
        .map(|id| Ok(ctx.url(&format!("{handle}/status/{id}"))?.to_string()))
        .collect()
}

/// The thread from its conversation pages: a post's page lists the
/// replies under it (X shows the whole self-thread there; a page that
/// shows only direct replies is followed reply by reply).
pub(super) async fn thread_from_conversation(
    page: &dyn Page,
    ctx: &JobContext,
    handle: &str,
    first: &str,
    n: usize,
) -> Result<Vec<String>> {
    let mut ids = vec![first.to_string()];
    let waits = Waits {
        timeout: page.waits().timeout.min(Duration::from_secs(10)),
        ..page.waits()
    };
    while ids.len() < n {
        let last = ids.last().cloned().unwrap_or_default();
        goto(page, ctx, &format!("{handle}/status/{last}")).await?;
        let later = wait_until_on(page, waits, "the thread's next post", || async {
            check_session(page).await?;
            let later: Vec<String> = status_ids(page, handle)
                .await?
                .into_iter()
                .filter(|id| id_key(id) > id_key(&last))
                .collect();
            Ok((!later.is_empty()).then_some(later))
        })
        .await;
        match later {
            Ok(later) => ids.extend(later.into_iter().take(n - ids.len())),
            Err(e) if e.is_timeout() => break,
            Err(e) => return Err(e),
        }
    }
    Ok(ids)
}

/// The thread from the profile timeline, where X lists every post.
pub(super) async fn thread_from_profile(
    page: &dyn Page,
    ctx: &JobContext,
    handle: &str,
    first: &str,
    n: usize,
) -> Result<Vec<String>> {
    goto(page, ctx, handle).await?;
    let found = std::sync::Mutex::new(Vec::new());
    let waited = wait_until_on(
        page,
        page.waits(),
        "the thread's posts on the profile",
        || async {
            let ids: Vec<String> = status_ids(page, handle)
                .await?
                .into_iter()
                .filter(|id| id_key(id) >= id_key(first))
                .take(n)
                .collect();
            let complete = ids.len() == n && ids[0] == first;
            if let Ok(mut f) = found.lock() {
                *f = ids.clone();
            }
            Ok(complete.then_some(ids))
        },
    )
    .await;
    let ids = match waited {
        Ok(ids) => ids,
        Err(e) if e.is_timeout() => {
            // The thread was posted: report what the profile shows rather
            // than fail (a failure invites a retry that posts it twice).
            let mut ids = found.into_inner().unwrap_or_default();
            if ids.first().map(String::as_str) != Some(first) {
                ids.insert(0, first.to_string());
            }
            tracing::warn!(
                found = ids.len(),
                expected = n,
                "X's profile does not list every post of the thread yet"
            );
            ids
        }
        Err(e) => return Err(e),
    };
    Ok(ids)
}
