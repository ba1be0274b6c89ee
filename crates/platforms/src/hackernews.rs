use crate::ui::{goto, snippet, Seen, Signs};
use async_trait::async_trait;
use distroflow_core::{
    Capabilities, Error, Existing, JobContext, Page, Platform, PlatformId, Post, Posted, Reply,
    Result, Secret,
};

use crate::replies;
use serde_json::Value;

const ID: PlatformId = PlatformId::HackerNews;

// Targets, resolved through selectors/hackernews.toml (and repaired there).
const SEL_ME: &str = "@hackernews.me";
const SEL_TITLE: &str = "@hackernews.submit.title";
const SEL_URL: &str = "@hackernews.submit.url";
const SEL_TEXT: &str = "@hackernews.submit.text";
const SEL_SUBMIT: &str = "@hackernews.submit.button";
const SEL_ACCT: &str = "@hackernews.login.acct";
const SEL_PW: &str = "@hackernews.login.pw";
const SEL_LOGIN_SUBMIT: &str = "@hackernews.login.button";

/// Hacker News: link posts (title + url) and text posts (title + text)
/// through `/submit`, the new item found on `/submitted?id=USER`.
#[derive(Clone, Copy, Debug, Default)]
pub struct HackerNews;

#[async_trait]
impl Platform for HackerNews {
    fn id(&self) -> PlatformId {
        ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            text: true,
            title: true,
            link: true,
            media: false,
            threads: false,
            password_login: true,
        }
    }

    fn validate(&self, post: &Post) -> Result<()> {
        let title = post.title_for(ID).map(str::trim).unwrap_or_default();
        if title.is_empty() {
            return Err(Error::usage(
                "Hacker News needs a title",
                Some("add --title \"...\"".into()),
            ));
        }
        // The title's length is the limits table's (content/limits.rs,
        // overridable by [limits.hackernews]), checked before this.
        let url = post.url.as_deref().map(str::trim).unwrap_or_default();
        if !url.is_empty() {
            match url::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => {
                    return Err(Error::usage(
                        format!("`{url}` is not an http(s) URL"),
                        Some("give --url a full address such as https://example.com/page".into()),
                    ))
                }
            }
        }
        if url.is_empty() && post.text_for(ID).trim().is_empty() {
            return Err(Error::usage(
                "Hacker News needs a url or a text",
                Some("add --url URL for a link post, or TEXT for a text post".into()),
            ));
        }
        // Media are not sent: Hacker News has no images (a cross-post with
        // images still goes out here as its title, url and text).
        Ok(())
    }

    fn login_path(&self) -> &'static str {
        "login?goto=news"
    }

    fn logged_in_marker(&self) -> &'static str {
        SEL_ME
    }

    async fn is_logged_in(&self, page: &dyn Page, ctx: &JobContext) -> Result<bool> {
        goto(page, ctx, "news").await?;
        Ok(settle(page).await? == Seen::LoggedIn)
    }

    async fn login_with_password(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        username: &str,
        password: &Secret,
    ) -> Result<()> {
        goto(page, ctx, "login?goto=news").await?;
        check_challenge(page).await?;
        page.type_text(SEL_ACCT, username).await?;
        page.type_text(SEL_PW, password.expose()).await?;
        page.click_and_wait_for_navigation(SEL_LOGIN_SUBMIT).await?;
        check_challenge(page).await?;
        if page.count(SEL_ME).await? > 0 {
            page.confirm_repairs().await?;
            return Ok(());
        }
        let body = page.body_text().await?;
        let message = if body.contains("Bad login") {
            "Bad login.: the username or password is wrong".to_string()
        } else {
            format!("no logged-in marker after login ({})", snippet(&body))
        };
        Err(Error::Auth {
            platform: ID,
            message,
        })
    }

    async fn find_existing(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post: &Post,
    ) -> Result<Existing> {
        goto(page, ctx, "news").await?;
        let user = logged_in_user(page).await?;
        goto(page, ctx, &format!("submitted?id={}", url_encode(&user))).await?;
        let rows = page.eval(JS_LISTED_ITEMS).await?;
        let title = post.title_for(ID).unwrap_or_default().trim().to_lowercase();
        let url = post.url.as_deref().map(str::trim).unwrap_or_default();
        let found = rows.as_array().into_iter().flatten().find(|r| {
            let s = |k: &str| {
                r.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .trim()
                    .to_string()
            };
            s("title").to_lowercase() == title && (url.is_empty() || s("href") == url)
        });
        Ok(
            match found.and_then(|r| r.get("id")).and_then(Value::as_str) {
                Some(id) => Existing::Found(Posted::single(
                    id,
                    ctx.url(&format!("item?id={id}"))?.to_string(),
                )),
                None => Existing::NotFound,
            },
        )
    }

    fn reads_replies(&self) -> bool {
        true
    }

    /// The comments on the item page, every level (`td.ind[indent]`), and
    /// every page ("More", `a.morelink`).
    async fn replies(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post_url: &str,
    ) -> Result<Vec<Reply>> {
        let url = replies::on_site(ID, ctx, post_url)?;
        let rows = replies::read_pages(page, ID, ctx, url, READ_COMMENTS).await?;
        Ok(replies::to_replies(ID, post_url, rows, |r| {
            ctx.url(&format!("item?id={}", r.id))
                .map(|u| u.to_string())
                .unwrap_or_default()
        }))
    }

    fn compose_url(&self, ctx: &JobContext, _post: &Post) -> Option<url::Url> {
        ctx.url(SUBMIT_PATH).ok()
    }

    async fn post(&self, page: &dyn Page, ctx: &JobContext, post: &Post) -> Result<Posted> {
        // Never submitted twice here: after a submit, even a stale-form
        // answer may hide a story that exists (a browser can resend a POST
        // whose connection dropped), so it is reported as uncertain and the
        // next run looks before posting.
        submit(page, ctx, post).await
    }
}

/// The items of a listing (`/submitted?id=USER`), newest first, as
/// `[{id, title, href}]`. Read by structure, not class names: an item row
/// is a `tr` whose id is the item's number (`tr.athing` today), and its
/// title link is the `.titleline` link or, after a redesign, the row's
/// first link that is not one of HN's own (vote, user, item, hide...).
const JS_LISTED_ITEMS: &str = r#"Array.from(document.querySelectorAll('tr[id]')).filter(r => /^[0-9]+$/.test(r.id)).map(r => {
  const own = /^(vote|from|item|user|hide|flag|fave|submitted|threads|https?:\/\/[^/]*ycombinator\.com)/;
  const a = r.querySelector('span.titleline > a') || r.querySelector('.titleline a, a.storylink')
    || Array.from(r.querySelectorAll('a[href]')).find(l => !own.test(l.getAttribute('href')) && (l.textContent || '').trim());
  const sub = r.nextElementSibling;
  const by = sub && (sub.querySelector('a.hnuser') || sub.querySelector('a[href^="user?id="]'));
  return { id: r.id, title: a ? a.textContent : '', href: a ? a.href : '', by: by ? by.textContent.trim() : '' };
})"#;

/// Reads one item page's comments (see `replies::Read`). The real site's
/// markup: `tr.athing.comtr[id]`, its depth in `td.ind[indent]` (or the
/// spacer's width, 40 px a level), `a.hnuser`, `span.age[title]`,
/// `.commtext`; a deleted comment has no author; "More" is `a.morelink`.
const READ_COMMENTS: &str = r#"(() => {
  const item = document.querySelector('table.fatitem');
  const missing = !item && /No such item/i.test(document.body ? document.body.innerText : '');
  const rows = Array.from(document.querySelectorAll('tr.athing.comtr[id]')).map(r => {
    const ind = r.querySelector('td.ind');
    let depth = ind ? parseInt(ind.getAttribute('indent') || '', 10) : 0;
    if (isNaN(depth)) {
      const img = ind && ind.querySelector('img');
      depth = img ? Math.round((parseInt(img.getAttribute('width') || '0', 10) || 0) / 40) : 0;
    }
    const user = r.querySelector('a.hnuser');
    const age = r.querySelector('span.age');
    const body = r.querySelector('.commtext');
    const text = body ? (body.innerText || body.textContent || '') : '';
    return { id: r.id, depth, author: user ? user.textContent.trim() : '',
             at: age ? (age.getAttribute('title') || '') : '', text: text.trim(),
             deleted: !user };
  });
  const more = document.querySelector('a.morelink');
  return { ready: !!item, missing, rows, more: more ? more.getAttribute('href') : null };
})()"#;

async fn check_challenge(page: &dyn Page) -> Result<()> {
    let captcha = page
        .count(".g-recaptcha, iframe[src*=\"recaptcha\"]")
        .await?
        > 0;
    let body = page.body_text().await?;
    if captcha || body.contains("Validation required") {
        return Err(Error::NeedsHuman {
            platform: ID,
            reason: "Hacker News asks for a CAPTCHA (Validation required)".into(),
            url: page.current_url().await.unwrap_or_default(),
        });
    }
    Ok(())
}

/// The submit form, where a post starts.
const SUBMIT_PATH: &str = "submit";

async fn submit(page: &dyn Page, ctx: &JobContext, post: &Post) -> Result<Posted> {
    goto(page, ctx, SUBMIT_PATH).await?;
    let user = logged_in_user(page).await?;
    let title = post.title_for(ID).unwrap_or_default().trim();
    let url = post.url.as_deref().unwrap_or_default().trim();
    let text = post.text_for(ID);

    page.type_text(SEL_TITLE, title).await?;
    if !url.is_empty() {
        page.type_text(SEL_URL, url).await?;
    }
    if !text.trim().is_empty() {
        page.type_text(SEL_TEXT, text).await?;
    }
    // From the click on, a failure may hide a post that exists.
    let unknown = |e: Error| Error::Uncertain {
        platform: ID,
        message: format!("no clear answer after submitting ({e})"),
    };
    match page.click_and_wait_for_navigation(SEL_SUBMIT).await {
        Err(e) if e.is_timeout() || e.is_network() || matches!(e, Error::Browser { .. }) => {
            return Err(unknown(e))
        }
        other => other?,
    }

    let after = url::Url::parse(&page.current_url().await?).map_err(|e| Error::Unexpected {
        message: format!("unreadable URL after submit: {e}"),
    })?;
    let last = after
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_string))
        .unwrap_or_default();
    match last.as_str() {
        "newest" => {
            // The listing HN answers with shows the new story on top; when
            // it does not yet (a busy site's cached page, a title HN
            // rewrote), the account's own list does.
            let posted = match on_newest(page, ctx, &user, title).await {
                Ok(Some(p)) => p,
                _ => find_new_item(page, ctx, &user, title)
                    .await
                    .map_err(unknown)?,
            };
            page.confirm_repairs().await?;
            Ok(posted)
        }
        "item" => {
            let id = after
                .query_pairs()
                .find(|(k, _)| k == "id")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            Err(Error::Duplicate {
                platform: ID,
                existing_url: ctx.url(&format!("item?id={id}"))?.to_string(),
            })
        }
        _ => Err(classify_error_page(page).await),
    }
}

/// What tells Hacker News's pages apart: the account link when logged in;
/// the login form, the top bar's "login" link or the login page otherwise.
const SIGNS: Signs<'static> = Signs {
    name: "Hacker News",
    logged_in: &[SEL_ME],
    login: &[SEL_ACCT, "a[href^=\"login\"]"],
    login_paths: &["/login"],
};

/// Waits for the page to show whether it is logged in (a CAPTCHA ends the
/// wait as `needs_human`).
async fn settle(page: &dyn Page) -> Result<Seen> {
    crate::ui::settle(page, &SIGNS, || check_challenge(page)).await
}

/// The account name from `a#me`, or an auth error when the page is logged out.
async fn logged_in_user(page: &dyn Page) -> Result<String> {
    if settle(page).await? != Seen::LoggedIn {
        let body = page.body_text().await?;
        let message = if body.contains("You have to be logged in") {
            "Hacker News says \"You have to be logged in to submit.\"".to_string()
        } else {
            "no session on Hacker News (no account link on the page)".to_string()
        };
        return Err(Error::Auth {
            platform: ID,
            message,
        });
    }
    let href = page.attr(SEL_ME, "href").await?.unwrap_or_default();
    let from_href = href
        .split_once("id=")
        .map(|(_, u)| u.split('&').next().unwrap_or_default().to_string())
        .filter(|u| !u.is_empty());
    match from_href {
        Some(u) => Ok(u),
        None => Ok(page
            .text(SEL_ME)
            .await?
            .unwrap_or_default()
            .trim()
            .to_string()),
    }
}

/// The new story on the `newest` listing the submit landed on: the row
/// with exactly this title by this account, if it is there.
async fn on_newest(
    page: &dyn Page,
    ctx: &JobContext,
    user: &str,
    title: &str,
) -> Result<Option<Posted>> {
    let rows = page.eval(JS_LISTED_ITEMS).await?;
    let Some(row) = rows
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| field(r, "by") == user && field(r, "title").trim() == title)
    else {
        return Ok(None);
    };
    listed_posted(ctx, row).map(Some)
}

/// One field of a `JS_LISTED_ITEMS` row.
fn field(row: &Value, key: &str) -> String {
    row.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Where the item of a `JS_LISTED_ITEMS` row lives.
fn listed_posted(ctx: &JobContext, row: &Value) -> Result<Posted> {
    let id = field(row, "id");
    Ok(Posted::single(
        id.clone(),
        ctx.url(&format!("item?id={id}"))?.to_string(),
    ))
}

async fn find_new_item(
    page: &dyn Page,
    ctx: &JobContext,
    user: &str,
    title: &str,
) -> Result<Posted> {
    let path = format!("submitted?id={}", url_encode(user));
    goto(page, ctx, &path).await?;
    let rows = page.eval(JS_LISTED_ITEMS).await?;
    let rows = rows.as_array().cloned().unwrap_or_default();
    // HN may rewrite a title (capitals, trailing punctuation): prefer the
    // exact title, else the newest item, which the submit just created.
    let chosen = rows
        .iter()
        .find(|r| field(r, "title").trim().eq_ignore_ascii_case(title))
        .or_else(|| rows.first())
        .ok_or_else(|| Error::Unexpected {
            message: format!("Hacker News accepted the post but {path} lists no items"),
        })?;
    listed_posted(ctx, chosen)
}

async fn classify_error_page(page: &dyn Page) -> Error {
    if let Err(e) = check_challenge(page).await {
        return e;
    }
    let body = match page.body_text().await {
        Ok(b) => b,
        Err(e) => return e,
    };
    if body.contains("submitting too fast") {
        Error::RateLimited {
            platform: ID,
            message: "\"You're submitting too fast. Please slow down.\"".into(),
            retry_after: None,
        }
    } else if body.contains("You have to be logged in") {
        Error::Auth {
            platform: ID,
            message: "the session ended while submitting".into(),
        }
    } else if body.contains("Unknown or expired link") {
        Error::Uncertain {
            platform: ID,
            message: "Hacker News said \"Unknown or expired link.\" after the submit (the form may have been used by a resent request)".into(),
        }
    } else if body.contains("Please make title") {
        Error::InvalidContent {
            platform: ID,
            message: "Hacker News says the title is too long".into(),
        }
    } else {
        // Any other page after a submit (a server error, an unknown page):
        // the story may exist.
        Error::Uncertain {
            platform: ID,
            message: snippet(&body),
        }
    }
}

fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_what_is_missing() {
        let hn = HackerNews;
        let e = hn.validate(&Post::new("x")).unwrap_err();
        assert!(e.is_usage() && e.to_string().contains("title"));
        // Lengths are the limits table's, so an override can raise them.
        let long = "a".repeat(120);
        assert!(hn
            .validate(&Post::new("").with_title(long).with_url("https://e.com"))
            .is_ok());
        let e = hn.validate(&Post::new(" ").with_title("t")).unwrap_err();
        assert!(e.to_string().contains("url or a text"), "{e}");
        assert!(hn
            .validate(&Post::new("").with_title("t").with_url("ftp://x"))
            .is_err());
        assert!(hn
            .validate(&Post::new("body").with_title("é".repeat(80)))
            .is_ok());
    }
}
