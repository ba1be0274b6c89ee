use std::path::PathBuf;
use std::time::Duration;

use crate::replies;
use crate::ui::{Seen, Signs};
use async_trait::async_trait;
use distroflow_core::{
    wait_until_on, Capabilities, Error, Existing, JobContext, Media, Page, Platform, PlatformId,
    Post, Posted, Reply, Result, Waits,
};
use serde_json::Value;

const ID: PlatformId = PlatformId::LinkedIn;

// Targets, resolved through selectors/linkedin.toml (and repaired there).
const SEL_ME: &str = "@linkedin.nav.me";
const SEL_LOGIN: &str = "@linkedin.login.username";

/// The post page now: the post, its comments, a "Load more comments"
/// button to press, or "This post cannot be displayed".
const JS_COMMENTS_STATE: &str = r#"(() => {
  const post = document.querySelector('.feed-shared-update-v2, [data-urn^="urn:li:activity:"]');
  const text = document.body ? (document.body.innerText || '') : '';
  const more = Array.from(document.querySelectorAll('button.comments-comments-list__load-more-comments-button, button'))
    .filter((b) => /^Load more comments$/i.test((b.innerText || b.getAttribute('aria-label') || '').trim()));
  return { ready: !!post, missing: !post && /This post cannot be displayed|This post is unavailable/i.test(text),
           signed_out: /^\/(login|uas\/login|authwall)/.test(location.pathname),
           count: document.querySelectorAll('article.comments-comment-entity, article.comments-comment-item').length,
           more: more.some((b) => !b.disabled), pending: more.some((b) => b.disabled) };
})()"#;

const SEL_LOAD_MORE_COMMENTS: &str = "button:has-text(\"Load more comments\")";

/// Every comment and reply on the post page: its id from its URN
/// (`urn:li:comment:(urn:li:activity:<post>,<id>)`), its parent the
/// comment it is nested in (LinkedIn nests one level: a reply to a reply
/// hangs under the top-level comment), a deleted one marked.
const JS_COMMENTS: &str = r#"(() => {
  const C = 'article.comments-comment-entity, article.comments-comment-item';
  const idOf = (el) => { const m = (el.getAttribute('data-id') || '').match(/,(\d+)\)$/); return m ? m[1] : ''; };
  const own = (el, sel) => Array.from(el.querySelectorAll(sel)).find((x) => x.closest(C) === el);
  const rows = Array.from(document.querySelectorAll(C)).map((el) => {
    const up = el.parentElement ? el.parentElement.closest(C) : null;
    const who = own(el, '.comments-comment-meta__description-title, .comments-post-meta__name-text');
    const body = own(el, '.comments-comment-item__main-content, .comments-comment-item-content-body');
    const time = own(el, 'time[datetime]');
    const urn = el.getAttribute('data-id') || '';
    const deleted = /--deleted/.test(el.className) || !who;
    return { id: idOf(el), parent: up ? idOf(up) : null, deleted,
             author: who ? (who.innerText || '').trim() : '',
             at: time ? time.getAttribute('datetime') : '',
             text: body ? (body.innerText || body.textContent || '').trim() : '',
             url: urn ? location.pathname + '?commentUrn=' + encodeURIComponent(urn) : null };
  });
  return { ready: true, rows };
})()"#;

/// Which share box the member has (both are live, rolled out per member).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ShareBox {
    /// The Ember modal with Quill, in `div#interop-outlet`'s shadow root.
    Classic,
    /// The SDUI `<dialog>` with ProseMirror.
    Sdui,
}

impl ShareBox {
    fn target(self, element: &str) -> String {
        match self {
            ShareBox::Classic => format!("@linkedin.classic.{element}"),
            ShareBox::Sdui => format!("@linkedin.sdui.{element}"),
        }
    }

    /// Images and videos in the share box (previews; counted before and after).
    fn media_selector(self) -> &'static str {
        match self {
            ShareBox::Classic => "div#interop-outlet >>> [role=\"dialog\"] img",
            ShareBox::Sdui => "dialog[open] img",
        }
    }
}

/// How long the share box's known selectors get before a redesigned
/// editor is looked for by likeness (the SDUI box takes ~0.5 s to swap in).
const REPAIR_AFTER: Duration = Duration::from_secs(3);

/// Marks the toasts on screen, so the answer to Post is a new one.
const JS_MARK_TOASTS: &str = r#"(() => {
  const seen = window.__distroflowSeenToasts || (window.__distroflowSeenToasts = new WeakSet());
  document.querySelectorAll('.artdeco-toast-item, [role="alert"]').forEach((t) => seen.add(t));
  return true;
})()"#;

const JS_NEW_TOAST: &str = r#"(() => {
  const seen = window.__distroflowSeenToasts || new WeakSet();
  for (const t of document.querySelectorAll('.artdeco-toast-item, [role="alert"]')) {
    if (seen.has(t)) continue;
    const a = t.querySelector('a[href*="/feed/update/"]');
    return { text: (t.innerText || '').replace(/\s+/g, ' ').trim(), href: a ? a.getAttribute('href') : null };
  }
  return null;
})()"#;

/// The member's posts on their recent-activity page: `[{href, text}]`,
/// newest first (a post is found by its `/feed/update/` permalink; its text
/// is the largest element around it that holds no other post).
const JS_ACTIVITY: &str = r#"(() => {
  const key = (a) => (a.getAttribute('href') || '').split(/[?#]/)[0];
  const links = Array.from(document.querySelectorAll('a[href*="/feed/update/urn:li:"]'));
  const seen = new Set(); const out = [];
  for (const a of links) {
    const href = key(a);
    if (seen.has(href)) continue;
    seen.add(href);
    let item = a;
    while (item.parentElement && item.parentElement !== document.body) {
      if (Array.from(item.parentElement.querySelectorAll('a[href*="/feed/update/"]')).some((b) => key(b) !== href)) break;
      item = item.parentElement;
    }
    out.push({ href, text: item.innerText || '' });
  }
  if (!out.length && !document.querySelector('main')) return null;
  return out;
})()"#;

/// LinkedIn: text posts with images or a video, through whichever share
/// box the member has (the classic Quill modal in a shadow root, or the
/// SDUI dialog), signed in with the `li_at` and `JSESSIONID` cookies. Any
/// checkpoint or verification page is handed to the person (`needs_human`).
#[derive(Clone, Copy, Debug, Default)]
pub struct LinkedIn;

const SIGNS: Signs<'static> = Signs {
    name: "LinkedIn",
    logged_in: &[SEL_ME],
    login: &[SEL_LOGIN],
    login_paths: &["/login", "/authwall", "/uas/login", "/signup"],
};

#[async_trait]
impl Platform for LinkedIn {
    fn id(&self) -> PlatformId {
        ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            text: true,
            title: false,
            link: false,
            media: true,
            threads: false,
            password_login: false,
        }
    }

    fn validate(&self, post: &Post) -> Result<()> {
        if post.text_for(ID).trim().is_empty() && post.media.is_empty() {
            return Err(Error::usage(
                "LinkedIn needs a text or media",
                Some("add TEXT, or attach an image with --media FILE".into()),
            ));
        }
        // 3,000 characters: the limits table's, checked before this.
        Ok(())
    }

    fn login_path(&self) -> &'static str {
        "login"
    }

    fn logged_in_marker(&self) -> &'static str {
        SEL_ME
    }

    async fn is_logged_in(&self, page: &dyn Page, ctx: &JobContext) -> Result<bool> {
        goto(page, ctx, "feed/").await?;
        Ok(settle(page).await? == Seen::LoggedIn)
    }

    async fn account_name(&self, page: &dyn Page, _ctx: &JobContext) -> Result<Option<String>> {
        vanity_now(page).await
    }

    async fn find_existing(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post: &Post,
    ) -> Result<Existing> {
        let want = fold(post.text_for(ID));
        if want.is_empty() {
            return Ok(Existing::CannotTell);
        }
        goto(page, ctx, "feed/").await?;
        let me = signed_in(page).await?;
        Ok(
            match activity(page, ctx, &me)
                .await?
                .into_iter()
                .find(|(_, t)| t.contains(&want))
            {
                Some((href, _)) => Existing::Found(posted(ctx, &href)?),
                None => Existing::NotFound,
            },
        )
    }

    fn reads_replies(&self) -> bool {
        true
    }

    /// The comments on the post's page, after "Load more comments" was
    /// pressed until none is left; replies with the comment they are under.
    async fn replies(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post_url: &str,
    ) -> Result<Vec<Reply>> {
        replies::expanding_thread(
            page,
            ID,
            ctx,
            post_url,
            JS_COMMENTS_STATE,
            SEL_LOAD_MORE_COMMENTS,
            JS_COMMENTS,
        )
        .await
    }

    fn compose_url(&self, ctx: &JobContext, _post: &Post) -> Option<url::Url> {
        ctx.url(SHARE_PATH).ok()
    }

    async fn post(&self, page: &dyn Page, ctx: &JobContext, post: &Post) -> Result<Posted> {
        let text = post.text_for(ID);
        goto(page, ctx, SHARE_PATH).await?;
        let me = signed_in(page).await?;
        let share_box = open_share_box(page).await?;
        tracing::debug!(?share_box, "LinkedIn share box ready");
        if !text.is_empty() {
            page.type_text(&share_box.target("editor"), text).await?;
        }
        attach_media(page, share_box, &post.media).await?;
        let button = share_box.target("post");
        crate::ui::wait_enabled(
            page,
            &button,
            "LinkedIn's Post button",
            "LinkedIn's Post button stayed disabled (over 3,000 characters, or media still uploading?)",
        )
        .await?;
        page.eval(JS_MARK_TOASTS).await?;
        page.click(&button).await?;
        let toast = wait_until_on(
            page,
            long(page.waits()),
            "LinkedIn's answer to Post",
            || async {
                check_checkpoint(page).await?;
                let v = page.eval(JS_NEW_TOAST).await?;
                Ok((!v.is_null()).then_some(v))
            },
        )
        .await
        .map_err(|e| uncertain(&me, &e.to_string()))?;
        let said = toast
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !said.to_lowercase().contains("post successful") {
            return Err(Error::Rejected {
                platform: ID,
                message: format!("LinkedIn says: {said}"),
            });
        }
        let result = match toast.get("href").and_then(Value::as_str) {
            Some(href) => posted(ctx, href),
            None => {
                let want = fold(text);
                let found = wait_until_on(
                    page,
                    page.waits(),
                    "the new post in your activity",
                    || async {
                        Ok(activity(page, ctx, &me)
                            .await?
                            .into_iter()
                            .find(|(_, t)| t.contains(&want))
                            .map(|(h, _)| h))
                    },
                )
                .await
                .map_err(|e| uncertain(&me, &e.to_string()))?;
                posted(ctx, &found)
            }
        }?;
        page.confirm_repairs().await?;
        Ok(result)
    }
}

/// The feed with its share box open, where a post starts.
const SHARE_PATH: &str = "feed/?shareActive=true";

async fn goto(page: &dyn Page, ctx: &JobContext, path: &str) -> Result<()> {
    page.goto(ctx.url(path)?.as_str()).await
}

fn long(waits: Waits) -> Waits {
    Waits {
        timeout: waits.timeout.max(Duration::from_secs(15)) * 4,
        ..waits
    }
}

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn uncertain(me: &str, why: &str) -> Error {
    Error::Uncertain {
        platform: ID,
        message: format!(
            "no clear answer after Post ({why}); look at /in/{me}/recent-activity/all/ before posting again"
        ),
    }
}

/// The post at `/feed/update/urn:li:activity:<id>/`.
fn posted(ctx: &JobContext, href: &str) -> Result<Posted> {
    let urn = href
        .split("/feed/update/")
        .nth(1)
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string();
    Ok(Posted::single(urn, ctx.url(href)?.to_string()))
}

/// Checkpoints (a CAPTCHA, an e-mailed PIN, "let's do a quick security
/// check") are the person's to pass.
async fn check_checkpoint(page: &dyn Page) -> Result<()> {
    let here = page.current_url().await.unwrap_or_default();
    let path = url::Url::parse(&here)
        .map(|u| u.path().to_string())
        .unwrap_or_default();
    if path.starts_with("/checkpoint") || path.starts_with("/uas/consumer-captcha") {
        return Err(Error::NeedsHuman {
            platform: ID,
            reason: "LinkedIn shows a security checkpoint".into(),
            url: here,
        });
    }
    Ok(())
}

async fn settle(page: &dyn Page) -> Result<Seen> {
    crate::ui::settle(page, &SIGNS, || check_checkpoint(page)).await
}

async fn signed_in(page: &dyn Page) -> Result<String> {
    if settle(page).await? != Seen::LoggedIn {
        return Err(Error::Auth {
            platform: ID,
            message: "LinkedIn shows its sign-in page (no saved session, or li_at expired)".into(),
        });
    }
    vanity_now(page).await?.ok_or_else(|| Error::NotFound {
        target: "LinkedIn's Me link".into(),
        selectors: SEL_ME.into(),
        url: String::new(),
    })
}

async fn vanity_now(page: &dyn Page) -> Result<Option<String>> {
    let href = page.attr(SEL_ME, "href").await?.unwrap_or_default();
    let name = href
        .split("/in/")
        .nth(1)
        .and_then(|r| r.split(['/', '?', '#']).next())
        .unwrap_or_default();
    Ok(distroflow_core::plausible_name(name))
}

/// Waits for a share box that holds its editor: the SDUI one mounts a
/// placeholder dialog first and swaps it, so an editor, not a dialog, is
/// what says it is ready.
async fn open_share_box(page: &dyn Page) -> Result<ShareBox> {
    let classic = ShareBox::Classic.target("editor");
    let sdui = ShareBox::Sdui.target("editor");
    let start = std::time::Instant::now();
    wait_until_on(page, page.waits(), "LinkedIn's share box", || async {
        check_checkpoint(page).await?;
        if page.count(&classic).await? > 0 {
            return Ok(Some(ShareBox::Classic));
        }
        if page.count(&sdui).await? > 0 {
            return Ok(Some(ShareBox::Sdui));
        }
        // Known selectors all missing for a while (a redesign): a lookup
        // that describes the editor searches by role and likeness.
        if start.elapsed() >= REPAIR_AFTER {
            if page.describe(&classic).await?.is_some() {
                return Ok(Some(ShareBox::Classic));
            }
            if page.describe(&sdui).await?.is_some() {
                return Ok(Some(ShareBox::Sdui));
            }
        }
        Ok(None)
    })
    .await
    .map_err(|e| {
        if e.is_timeout() {
            Error::NotFound {
                target: "LinkedIn's share box editor".into(),
                selectors: format!("{classic} | {sdui}"),
                url: String::new(),
            }
        } else {
            e
        }
    })
}

async fn attach_media(page: &dyn Page, share_box: ShareBox, media: &[Media]) -> Result<()> {
    if media.is_empty() {
        return Ok(());
    }
    let paths: Vec<PathBuf> = media.iter().map(|m| m.path.clone()).collect();
    let before = page.count(share_box.media_selector()).await?;
    page.eval(JS_MARK_TOASTS).await?;
    // The media button makes its file input when clicked: answer its chooser.
    page.set_files_via_chooser(&share_box.target("media"), &paths)
        .await?;
    wait_until_on(
        page,
        long(page.waits()),
        "LinkedIn to take the media",
        || async {
            let v = page.eval(JS_NEW_TOAST).await?;
            if let Some(t) = v.get("text").and_then(Value::as_str) {
                return Err(Error::Rejected {
                    platform: ID,
                    message: format!("LinkedIn could not take the media: {t}"),
                });
            }
            Ok(
                (page.count(share_box.media_selector()).await? >= before + media.len())
                    .then_some(()),
            )
        },
    )
    .await
}

/// The member's posts as `(href, folded text)`, newest first.
async fn activity(page: &dyn Page, ctx: &JobContext, me: &str) -> Result<Vec<(String, String)>> {
    goto(page, ctx, &format!("in/{me}/recent-activity/all/")).await?;
    let list = wait_until_on(page, page.waits(), "LinkedIn's activity page", || async {
        check_checkpoint(page).await?;
        Ok(page.eval(JS_ACTIVITY).await?.as_array().cloned())
    })
    .await?;
    Ok(list
        .iter()
        .filter_map(|p| {
            Some((
                p.get("href")?.as_str()?.to_string(),
                fold(p.get("text")?.as_str()?),
            ))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permalinks_give_the_activity_urn() {
        let ctx = JobContext::new("https://www.linkedin.com".parse().unwrap());
        let p = posted(&ctx, "/feed/update/urn:li:activity:7123/").unwrap();
        assert_eq!(p.id, "urn:li:activity:7123");
        assert_eq!(
            p.url,
            "https://www.linkedin.com/feed/update/urn:li:activity:7123/"
        );
        assert!(LinkedIn.validate(&Post::new(" ")).is_err());
    }
}
