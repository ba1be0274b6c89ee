//! Reading the replies under one of the person's own posts, shared by the
//! adapters: the post must be on the configured site; each page of comments
//! is read by the site's own script (rows with a depth, and the next page's
//! link), pages are followed to the end, and depth becomes `parent`.
//! Deleted comments are left out (their replies keep them as parent).

use distroflow_core::{wait_until_on, Error, JobContext, Page, PlatformId, Reply, Result};
use serde::Deserialize;
use url::Url;

/// Pages of comments followed at most ("More", "load more").
const MAX_PAGES: usize = 50;

/// One comment row as a site's script reads it.
#[derive(Debug, Deserialize)]
pub(crate) struct Row {
    pub(crate) id: String,
    /// 0 for a reply to the post.
    #[serde(default)]
    pub(crate) depth: usize,
    /// The parent's id when the page names it (else it comes from depth).
    #[serde(default)]
    pub(crate) parent: Option<String>,
    #[serde(default)]
    pub(crate) author: String,
    /// As the page gives it (`2026-12-01T10:00:00 1764583200`, RFC 3339).
    #[serde(default)]
    pub(crate) at: String,
    #[serde(default)]
    pub(crate) text: String,
    #[serde(default)]
    pub(crate) deleted: bool,
    /// The reply's own link as the page gives it (relative or absolute).
    #[serde(default)]
    pub(crate) url: Option<String>,
    /// How many direct replies it has, when the page says.
    #[serde(default)]
    pub(crate) replies: usize,
}

/// What a site's script answers for one page.
#[derive(Debug, Deserialize)]
pub(crate) struct Read {
    /// The page is there (false while it still renders).
    pub(crate) ready: bool,
    /// The site says the post does not exist.
    #[serde(default)]
    pub(crate) missing: bool,
    #[serde(default)]
    pub(crate) rows: Vec<Row>,
    /// The next page's link, if any.
    #[serde(default)]
    pub(crate) more: Option<String>,
}

/// `post_url`, checked to be on the configured site.
pub(crate) fn on_site(platform: PlatformId, ctx: &JobContext, post_url: &str) -> Result<Url> {
    let url = Url::parse(post_url).map_err(|e| {
        Error::usage(
            format!("`{post_url}` is not a {} URL: {e}", platform.display_name()),
            None,
        )
    })?;
    let base = &ctx.base_url;
    if url.host_str() != base.host_str()
        || url.port_or_known_default() != base.port_or_known_default()
    {
        return Err(Error::usage(
            format!(
                "{post_url} is not on {} as configured ({base})",
                platform.display_name()
            ),
            Some(format!(
                "replies are read from your own posts on the configured site; check {}",
                platform.url_env_var()
            )),
        ));
    }
    Ok(url)
}

/// Reads every page from `first`, following `more` links on the same site.
pub(crate) async fn read_pages(
    page: &dyn Page,
    platform: PlatformId,
    ctx: &JobContext,
    first: Url,
    script: &str,
) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    let mut next = Some(first);
    let mut seen = Vec::new();
    while let Some(url) = next.take() {
        if seen.len() >= MAX_PAGES || seen.contains(&url) {
            break;
        }
        page.goto(url.as_str()).await?;
        let read: Read = wait_until_on(page, page.waits(), "the comments to render", || async {
            let v = page.eval(script).await?;
            let read: Read = serde_json::from_value(v).map_err(|e| Error::Unexpected {
                message: format!("reading the comments of {url}: {e}"),
            })?;
            Ok((read.ready || read.missing).then_some(read))
        })
        .await?;
        if read.missing {
            return Err(Error::usage(
                format!(
                    "{} says there is no such post: {url}",
                    platform.display_name()
                ),
                Some("it may have been deleted".into()),
            ));
        }
        rows.extend(read.rows);
        seen.push(url.clone());
        next = read
            .more
            .and_then(|m| url.join(&m).ok())
            .and_then(|m| on_site(platform, ctx, m.as_str()).ok());
    }
    Ok(rows)
}

/// What a single-page app's thread shows now, as a site's state script
/// answers it.
#[derive(Clone, Debug, Deserialize)]
struct Shown {
    /// The thread is there (false while it still renders).
    ready: bool,
    /// The site says the post does not exist.
    #[serde(default)]
    missing: bool,
    /// Replies shown.
    #[serde(default)]
    count: usize,
    /// A "load more" control is there to press.
    #[serde(default)]
    more: bool,
    /// A "load more" control was pressed and is still loading.
    #[serde(default)]
    pending: bool,
    /// The site shows its sign-in page instead.
    #[serde(default)]
    signed_out: bool,
}

/// Opens `url` and presses `more_selector` while the page offers more
/// (each press waited for: more replies shown, or nothing left to load),
/// then reads every row with `read_script`. For sites whose thread is one
/// page that grows ("Show more replies", "Load more comments").
pub(crate) async fn read_expanding(
    page: &dyn Page,
    platform: PlatformId,
    url: &Url,
    state_script: &str,
    more_selector: &str,
    read_script: &str,
) -> Result<Vec<Row>> {
    page.goto(url.as_str()).await?;
    let state = || async {
        let v = page.eval(state_script).await?;
        serde_json::from_value::<Shown>(v).map_err(|e| Error::Unexpected {
            message: format!("reading the replies of {url}: {e}"),
        })
    };
    let mut shown = wait_until_on(page, page.waits(), "the replies to render", || async {
        let s = state().await?;
        Ok((s.ready || s.missing || s.signed_out).then_some(s))
    })
    .await?;
    if shown.signed_out && !shown.ready {
        return Err(Error::Auth {
            platform,
            message: format!(
                "{} shows its sign-in page (no saved session, or it expired)",
                platform.display_name()
            ),
        });
    }
    if shown.missing {
        return Err(Error::usage(
            format!(
                "{} says there is no such post: {url}",
                platform.display_name()
            ),
            Some("it may have been deleted".into()),
        ));
    }
    for _ in 0..MAX_PAGES {
        if !shown.more && !shown.pending {
            break;
        }
        if shown.more {
            page.click(more_selector).await?;
        }
        let before = shown.count;
        shown = wait_until_on(page, page.waits(), "more replies to show", || async {
            let now = state().await?;
            let done = now.count > before || !(now.more || now.pending);
            Ok((now.ready && done).then_some(now))
        })
        .await?;
    }
    let read: Read =
        serde_json::from_value(page.eval(read_script).await?).map_err(|e| Error::Unexpected {
            message: format!("reading the replies of {url}: {e}"),
        })?;
    Ok(read.rows)
}

/// The replies of a thread that is one growing page (see
/// [`read_expanding`]), each reply's link resolved against that page.
pub(crate) async fn expanding_thread(
    page: &dyn Page,
    platform: PlatformId,
    ctx: &JobContext,
    post_url: &str,
    state_script: &str,
    more_selector: &str,
    read_script: &str,
) -> Result<Vec<Reply>> {
    let url = on_site(platform, ctx, post_url)?;
    let rows = read_expanding(
        page,
        platform,
        &url,
        state_script,
        more_selector,
        read_script,
    )
    .await?;
    Ok(to_replies(platform, post_url, rows, |r| link(&url, r)))
}

/// A row's link resolved against `base` (empty when it has none).
pub(crate) fn link(base: &Url, row: &Row) -> String {
    row.url
        .as_deref()
        .and_then(|u| base.join(u).ok())
        .map(|u| u.to_string())
        .unwrap_or_default()
}

/// Rows in reading order to replies: `parent` from the row or from depth,
/// deleted rows and repeats left out.
pub(crate) fn to_replies(
    platform: PlatformId,
    post_url: &str,
    rows: Vec<Row>,
    url_of: impl Fn(&Row) -> String,
) -> Vec<Reply> {
    let mut stack: Vec<String> = Vec::new();
    let mut out: Vec<Reply> = Vec::new();
    for row in rows {
        stack.truncate(row.depth);
        let parent = row
            .parent
            .clone()
            .filter(|p| !p.is_empty())
            .or_else(|| row.depth.checked_sub(1).and_then(|d| stack.get(d).cloned()));
        stack.push(row.id.clone());
        let text = row.text.trim();
        let gone = row.deleted
            || row.author.trim().is_empty()
            || matches!(text, "[deleted]" | "[removed]" | "[flagged]" | "[dead]");
        if gone || row.id.is_empty() || out.iter().any(|r| r.id == row.id) {
            continue;
        }
        out.push(Reply {
            url: url_of(&row),
            id: row.id,
            platform,
            post_url: post_url.to_string(),
            author: row.author.trim().to_string(),
            text: text.to_string(),
            at: rfc3339(&row.at),
            parent,
        });
    }
    out
}

/// A page's time as RFC 3339 (UTC): Hacker News's `2026-12-01T10:00:00
/// 1764583200` or an RFC 3339 time as is; `None` when unreadable.
fn rfc3339(at: &str) -> Option<String> {
    let first = at.split_whitespace().next()?;
    let ok = first.len() >= 19
        && first.as_bytes()[4] == b'-'
        && first.as_bytes()[10] == b'T'
        && first.as_bytes()[13] == b':';
    if !ok {
        return None;
    }
    let has_zone = first.len() > 19;
    Some(if has_zone {
        first.to_string()
    } else {
        format!("{first}Z")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, depth: usize, author: &str, text: &str) -> Row {
        Row {
            id: id.into(),
            depth,
            parent: None,
            author: author.into(),
            at: "2026-12-01T10:00:00 1764583200".into(),
            text: text.into(),
            deleted: false,
            url: None,
            replies: 0,
        }
    }

    #[test]
    fn depth_gives_the_parent_and_deleted_rows_are_left_out() {
        let rows = vec![
            row("1", 0, "a", "top"),
            row("2", 1, "b", "child"),
            row("3", 2, "", "[deleted]"),
            row("4", 3, "c", "under a deleted one"),
            row("5", 1, "d", "second child"),
            row("6", 0, "e", "another top"),
            row("6", 0, "e", "another top"),
        ];
        let r = to_replies(PlatformId::HackerNews, "p", rows, |r| format!("u/{}", r.id));
        let ids: Vec<(&str, Option<&str>)> = r
            .iter()
            .map(|r| (r.id.as_str(), r.parent.as_deref()))
            .collect();
        assert_eq!(
            ids,
            [
                ("1", None),
                ("2", Some("1")),
                ("4", Some("3")),
                ("5", Some("1")),
                ("6", None)
            ]
        );
        assert_eq!(r[0].at.as_deref(), Some("2026-12-01T10:00:00Z"));
        assert_eq!(r[0].url, "u/1");
    }

    #[test]
    fn times_are_read_or_left_unknown() {
        assert_eq!(
            rfc3339("2026-12-01T10:00:00+01:00").as_deref(),
            Some("2026-12-01T10:00:00+01:00")
        );
        assert_eq!(rfc3339("3 hours ago"), None);
        assert_eq!(rfc3339(""), None);
    }
}
