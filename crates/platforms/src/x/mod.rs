use std::path::PathBuf;
use std::time::Duration;

use crate::ui::{goto, Seen, Signs};
use async_trait::async_trait;
use distroflow_core::{
    wait_until_on, Capabilities, Error, Existing, JobContext, Media, Page, Platform, PlatformId,
    Post, Posted, Reply, Result, Waits,
};
use serde_json::Value;

use crate::replies;

mod answer;
mod compose;
mod session;
mod status;

use answer::*;
use compose::*;
use session::*;
use status::*;

const ID: PlatformId = PlatformId::X;

// Reading replies: read only, never a target to act on except "Show more
// replies".
const SEL_SHOW_MORE_REPLIES: &str =
    "[data-testid=cellInnerDiv] button:has-text(\"Show more replies\")";
/// Conversation pages (and "Show more replies" presses per page) at most.
const MAX_CONVERSATION_PAGES: usize = 100;

/// A status page's conversation: the articles after the focal post (its
/// direct replies), each with its id (from its time link), author handle,
/// time, text, link and reply count (the reply button's `aria-label`,
/// "3 Replies. Reply"); and whether "Show more replies" is left.
const READ_CONVERSATION: &str = r#"(() => {
  const focal = __FOCAL__;
  const missing = (document.body ? document.body.innerText : '').includes('this page doesn’t exist');
  const arts = Array.from(document.querySelectorAll('article[data-testid=tweet]'));
  const read = (a) => {
    const link = Array.from(a.querySelectorAll('a[href*="/status/"]')).find(l => l.querySelector('time'));
    const href = link ? link.getAttribute('href') : '';
    const m = href.match(/\/status\/(\d+)/);
    const name = a.querySelector('[data-testid=User-Name]');
    const handle = name ? (Array.from(name.querySelectorAll('a')).map(x => x.textContent.trim()).find(t => t.startsWith('@')) || '') : '';
    const text = a.querySelector('[data-testid=tweetText]');
    const time = a.querySelector('time');
    const rb = a.querySelector('[data-testid=reply]');
    const n = rb ? (parseInt((rb.getAttribute('aria-label') || '').split(' ')[0], 10) || 0) : 0;
    return { id: m ? m[1] : '', author: handle.replace(/^@/, ''), at: time ? (time.getAttribute('datetime') || '') : '',
             text: text ? (text.innerText || text.textContent || '').trim() : '', url: href, replies: n };
  };
  const all = arts.map(read);
  const at = all.findIndex(r => r.id === focal);
  const buttons = Array.from(document.querySelectorAll('[data-testid=cellInnerDiv] button'))
    .filter(b => b.textContent.includes('Show more replies'));
  const more = buttons.some(b => !b.disabled);
  const pending = buttons.some(b => b.disabled);
  return { ready: at >= 0, missing, rows: at >= 0 ? all.slice(at + 1) : [], more, pending };
})()"#;

/// Reads the conversation page of `focal` (at `url`) once it shows it.
async fn read_conversation(page: &dyn Page, focal: &str, url: &url::Url) -> Result<XPage> {
    let script = READ_CONVERSATION.replace(
        "__FOCAL__",
        &serde_json::to_string(focal).unwrap_or_default(),
    );
    wait_until_on(
        page,
        page.waits(),
        "the X conversation to render",
        || async {
            let v = page.eval(&script).await?;
            if v["missing"].as_bool() == Some(true) {
                return Err(Error::usage(
                    format!("X says {url} does not exist"),
                    Some("it may have been deleted".into()),
                ));
            }
            if v["ready"].as_bool() != Some(true) {
                return Ok(None);
            }
            serde_json::from_value::<XPage>(v)
                .map(Some)
                .map_err(|e| Error::Unexpected {
                    message: format!("reading the X conversation: {e}"),
                })
        },
    )
    .await
}

/// One read of a conversation page.
#[derive(serde::Deserialize)]
struct XPage {
    rows: Vec<replies::Row>,
    more: bool,
    /// A "Show more replies" pressed and still loading.
    pending: bool,
}

// Targets, resolved through selectors/x.toml (and repaired there). x.com's
// class names are generated (`css-175oi2r`, `r-...`) and change with every
// deploy; the candidates lean on `data-testid`, roles, ARIA and text.

/// The account button at the foot of the side nav (its text has `@handle`);
/// only when logged in.
const SEL_ACCOUNT_SWITCHER: &str = "@x.nav.account_switcher";
/// The side nav's "Profile" tab, `href="/HANDLE"`; only when logged in.
const SEL_PROFILE_LINK: &str = "@x.nav.profile";
/// "Sign in" on logged-out pages and the login flow.
const SEL_LOGIN_BUTTON: &str = "@x.login.button";
/// The "Phone, email, or username" field of `/i/flow/login`.
const SEL_LOGIN_USERNAME: &str = "@x.login.username";
/// "Got it" of a sheet over the app (a feature tour) that blocks the
/// composer until it is closed. Clicked only when present.
const SEL_INTERSTITIAL: &str = "@x.interstitial.dismiss";
/// Thread editors with a target of their own: `x.<composer>.editor_0` ..=
/// `editor_9`. Later ones get plain CSS (today's test id), not repaired.
const EDITOR_TARGETS: usize = 10;
/// For editors past [`EDITOR_TARGETS`]: the compose modal of `/compose/post`
/// (rendered in `#layers`, above a home timeline that has its own inline
/// composer: scope everything to it) ...
const SEL_DIALOG: &str = r#"div[role="dialog"][aria-modal="true"]"#;
/// ... and the primary column of `/home`, which holds the inline composer.
const SEL_PRIMARY: &str = r#"[data-testid="primaryColumn"]"#;
/// Status permalinks of the posts on a profile timeline. Read by a script
/// (every match at once), so not a target.
const SEL_STATUS_LINKS: &str = r#"article[data-testid="tweet"] a[href*="/status/"]"#;

/// Marks the toasts on screen now, so the answer to the Post click is the
/// first toast that is not marked.
const JS_MARK_TOASTS: &str = r#"(() => {
  const seen = window.__distroflowSeenToasts || (window.__distroflowSeenToasts = new WeakSet());
  document.querySelectorAll('[data-testid="toast"], [role="alert"]').forEach((t) => seen.add(t));
  return true;
})()"#;

/// The first toast not marked by [`JS_MARK_TOASTS`]: its text and the
/// href of its status link, or null. A toast is found by its test id or,
/// when that changed, by its role: X announces it as an alert.
const JS_NEW_TOAST: &str = r#"(() => {
  const seen = window.__distroflowSeenToasts || new WeakSet();
  for (const t of document.querySelectorAll('[data-testid="toast"], [role="alert"]')) {
    if (seen.has(t)) continue;
    const a = t.querySelector('a[href*="/status/"]');
    return { text: (t.innerText || t.textContent || '').replace(/\s+/g, ' ').trim(),
             href: a ? a.getAttribute('href') : null };
  }
  return null;
})()"#;

/// Media types X's composer takes (its file input's `accept`).
/// The profile's posts as `[{href, text}]` once its timeline is there
/// (posts or the empty state), `null` before.
const JS_PROFILE_POSTS: &str = r#"(() => {
  const col = document.querySelector('[data-testid="primaryColumn"]') || document;
  const arts = Array.from(col.querySelectorAll('article[data-testid="tweet"], article[role="article"]'));
  if (!arts.length && !col.querySelector('[data-testid="emptyState"], section[role="region"]')) return null;
  return arts.map((a) => {
    const link = Array.from(a.querySelectorAll('a[href*="/status/"]')).find((l) => l.querySelector('time')) || a.querySelector('a[href*="/status/"]');
    const t = a.querySelector('[data-testid="tweetText"]');
    return { href: link ? link.getAttribute('href') : '', text: t ? t.textContent : '' };
  });
})()"#;

/// X (x.com): posts, threads and up to 4 images or 1 video, through the
/// web composer (`/compose/post`, or the inline composer on `/home`),
/// logged in with the session cookies (`auth_token`, `ct0`).
#[derive(Clone, Copy, Debug, Default)]
pub struct X;

/// Which composer the post goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Composer {
    /// The `/compose/post` modal.
    Modal,
    /// The inline composer of `/home`.
    Inline,
}

impl Composer {
    /// The target `element` of this composer: `@x.compose.ELEMENT` (the
    /// modal) or `@x.home.ELEMENT` (inline).
    fn target(self, element: &str) -> String {
        let step = match self {
            Composer::Modal => "compose",
            Composer::Inline => "home",
        };
        format!("@x.{step}.{element}")
    }

    /// The Draft.js editor of post `i` of the thread (the contenteditable
    /// itself).
    fn editor(self, i: usize) -> String {
        if i < EDITOR_TARGETS {
            return self.target(&format!("editor_{i}"));
        }
        let scope = match self {
            Composer::Modal => SEL_DIALOG,
            Composer::Inline => SEL_PRIMARY,
        };
        format!(r#"{scope} [data-testid="tweetTextarea_{i}"][contenteditable="true"]"#)
    }

    /// "Post" ("Post all" for a thread).
    fn post_button(self) -> String {
        self.target("post_button")
    }

    /// "+": adds the next post of a thread.
    fn add_button(self) -> String {
        self.target("add_button")
    }

    /// The hidden media input of the toolbar.
    fn file_input(self) -> String {
        self.target("file_input")
    }

    /// One thumbnail per attached file, shown once its upload finished.
    fn thumbnail(self) -> String {
        self.target("thumbnail")
    }
}

#[async_trait]
impl Platform for X {
    fn id(&self) -> PlatformId {
        ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            text: true,
            title: false,
            link: false,
            media: true,
            threads: true,
            password_login: false,
        }
    }

    fn validate(&self, post: &Post) -> Result<()> {
        // Media count, types and sizes are the limits table's
        // (content/limits.rs, overridable by [limits.x]), checked before this.
        // The 280-unit limit is counted (twitter-text v3) by the content rules.
        crate::ui::thread_parts_present(post, ID)
    }

    fn login_path(&self) -> &'static str {
        "i/flow/login"
    }

    fn logged_in_marker(&self) -> &'static str {
        SEL_PROFILE_LINK
    }

    async fn is_logged_in(&self, page: &dyn Page, ctx: &JobContext) -> Result<bool> {
        goto(page, ctx, "home").await?;
        // The app renders after hydration: wait for one side or the other.
        Ok(crate::ui::settle(page, &SIGNS, || check_security(page)).await? == Seen::LoggedIn)
    }

    async fn account_name(&self, page: &dyn Page, _ctx: &JobContext) -> Result<Option<String>> {
        handle_now(page).await
    }

    /// Looks for the post among the newest posts of the logged-in profile:
    /// one whose text is the first part of the thread (whitespace folded).
    async fn find_existing(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post: &Post,
    ) -> Result<Existing> {
        let parts = post.parts_for(ID);
        let want = fold_whitespace(parts.first().map(String::as_str).unwrap_or_default());
        if want.is_empty() {
            // A media-only post has no text to recognise it by.
            return Ok(Existing::CannotTell);
        }
        goto(page, ctx, "home").await?;
        wait_until_on(
            page,
            page.waits(),
            "X's home page to show the account",
            || async {
                check_session(page).await?;
                Ok((page.count(SEL_PROFILE_LINK).await? > 0).then_some(()))
            },
        )
        .await
        .map_err(|e| not_found_if_timeout(e, "X's Profile link", SEL_PROFILE_LINK))?;
        let handle = own_handle(page).await?;
        goto(page, ctx, &handle).await?;
        let posts = wait_until_on(page, page.waits(), "X's profile timeline", || async {
            check_session(page).await?;
            let v = page.eval(JS_PROFILE_POSTS).await?;
            Ok(v.as_array().cloned())
        })
        .await?;
        let found = posts.iter().find_map(|p| {
            let href = p.get("href").and_then(Value::as_str)?;
            let text = p.get("text").and_then(Value::as_str)?;
            let id = status_id(href, &handle)?;
            (fold_whitespace(text) == want).then_some(id)
        });
        Ok(match found {
            Some(id) => Existing::Found(Posted::single(
                id.clone(),
                ctx.url(&format!("{handle}/status/{id}"))?.to_string(),
            )),
            None => Existing::NotFound,
        })
    }

    fn reads_replies(&self) -> bool {
        true
    }

    /// The conversation under the post: the replies below it on its status
    /// page ("Show more replies" pressed until none is left), then, for each
    /// reply whose reply button counts replies, that reply's own page.
    async fn replies(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post_url: &str,
    ) -> Result<Vec<Reply>> {
        let root = replies::on_site(ID, ctx, post_url)?;
        let (_, root_id) = status_parts(root.as_str()).ok_or_else(|| {
            Error::usage(
                format!("{post_url} is not the link of a post on X (/USER/status/ID)"),
                None,
            )
        })?;
        let mut queue = std::collections::VecDeque::from([(root, root_id, None::<String>)]);
        let mut rows = Vec::new();
        let mut visits = 0;
        while let Some((url, focal, parent)) = queue.pop_front() {
            if visits == MAX_CONVERSATION_PAGES {
                tracing::warn!(
                    post = post_url,
                    "X: stopped after {visits} conversation pages"
                );
                break;
            }
            visits += 1;
            page.goto(url.as_str()).await?;
            let mut now = read_conversation(page, &focal, &url).await?;
            for _ in 0..MAX_CONVERSATION_PAGES {
                if !now.more {
                    break;
                }
                page.click(SEL_SHOW_MORE_REPLIES).await?;
                let before = now.rows.len();
                now = wait_until_on(page, page.waits(), "more X replies to load", || async {
                    let next = read_conversation(page, &focal, &url).await?;
                    let settled = next.rows.len() > before || !(next.more || next.pending);
                    Ok(settled.then_some(next))
                })
                .await?;
            }
            for mut row in now.rows {
                row.parent = parent.clone();
                if row.replies > 0 {
                    if let Some(u) = row.url.as_deref().and_then(|u| url.join(u).ok()) {
                        queue.push_back((u, row.id.clone(), Some(row.id.clone())));
                    }
                }
                rows.push(row);
            }
        }
        Ok(replies::to_replies(ID, post_url, rows, |r| {
            replies::link(&ctx.base_url, r)
        }))
    }

    fn compose_url(&self, ctx: &JobContext, _post: &Post) -> Option<url::Url> {
        ctx.url(compose::COMPOSE_PATH).ok()
    }

    async fn post(&self, page: &dyn Page, ctx: &JobContext, post: &Post) -> Result<Posted> {
        let parts = post.parts_for(ID);
        let composer = open_composer(page, ctx).await?;
        // Known before the click if the page shows it; else from the link
        // X answers with.
        let short = Waits {
            timeout: page.waits().timeout.min(Duration::from_secs(5)),
            ..page.waits()
        };
        let known_handle = match own_handle_within(page, short).await {
            Ok(h) => Some(h),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e),
        };
        dismiss_interstitials(page).await?;
        tracing::debug!(
            ?composer,
            ?known_handle,
            parts = parts.len(),
            "X composer ready"
        );

        // Media first: each upload re-renders the editors.
        attach_media(page, composer, &post.media).await?;
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                add_thread_post(page, composer, i).await?;
            }
            if !part.is_empty() {
                page.type_text(&composer.editor(i), part).await?;
            }
        }

        let button = composer.post_button();
        wait_enabled(page, &button, "X's Post button to be enabled").await?;
        dismiss_interstitials(page).await?;
        page.eval(JS_MARK_TOASTS).await?;
        page.click(&button).await?;
        let where_to_look = known_handle.as_deref().unwrap_or("your profile");
        let (handle, id, href) = match wait_for_answer(page, where_to_look).await? {
            Some(href) => {
                let (user, id) = status_parts(&href).ok_or_else(|| Error::Unexpected {
                    message: format!("X said the post was sent but linked to `{href}`"),
                })?;
                if known_handle
                    .as_deref()
                    .is_some_and(|h| !h.eq_ignore_ascii_case(&user))
                {
                    tracing::warn!(?known_handle, link = %href, "X's View link names another handle");
                }
                (user, id, href)
            }
            None => {
                let Some(handle) = known_handle else {
                    return Err(Error::Uncertain {
                        platform: ID,
                        message: "X said the post was sent without a link, and the page shows no profile link to find it by; check your profile".into(),
                    });
                };
                let href = newest_status_href(page, ctx, &handle).await?;
                let id = status_id(&href, &handle).ok_or_else(|| Error::Unexpected {
                    message: format!("X's newest post links to `{href}`"),
                })?;
                (handle, id, href)
            }
        };
        let url = ctx.url(&href)?.to_string();
        if parts.len() == 1 {
            page.confirm_repairs().await?;
            return Ok(Posted::single(id, url));
        }
        let thread = thread_urls(page, ctx, &handle, &id, parts.len()).await?;
        page.confirm_repairs().await?;
        Ok(Posted { id, url, thread })
    }
}

/// The path of the page now, e.g. `/i/flow/login`.
async fn current_path(page: &dyn Page) -> Result<String> {
    let now = page.current_url().await?;
    Ok(url::Url::parse(&now)
        .map(|u| u.path().to_string())
        .unwrap_or(now))
}

/// `Err(Auth)` when the page is X's login flow or a logged-out page,
/// `Err(NeedsHuman)` on a challenge (Arkose, a locked account, consent).
/// What tells X's pages apart: the account menu or the profile link once
/// the app rendered logged in; the login flow or its buttons otherwise.
const SIGNS: Signs<'static> = Signs {
    name: "X",
    logged_in: &[SEL_ACCOUNT_SWITCHER, SEL_PROFILE_LINK],
    login: &[SEL_LOGIN_BUTTON, SEL_LOGIN_USERNAME],
    login_paths: &["/login", "/i/flow/login"],
};

/// A security check (access, locked, consent) is a person's to pass.
async fn check_security(page: &dyn Page) -> Result<()> {
    let path = current_path(page).await?;
    if path.starts_with("/account/access")
        || path.starts_with("/account/locked")
        || path.starts_with("/i/flow/consent")
    {
        return Err(Error::NeedsHuman {
            platform: ID,
            reason: format!("X shows a security check ({path})"),
            url: page.current_url().await.unwrap_or_default(),
        });
    }
    Ok(())
}

async fn check_session(page: &dyn Page) -> Result<()> {
    let path = current_path(page).await?;
    if path.starts_with("/account/access")
        || path.starts_with("/account/locked")
        || path.starts_with("/i/flow/consent")
    {
        return Err(Error::NeedsHuman {
            platform: ID,
            reason: format!("X shows a security check ({path})"),
            url: page.current_url().await.unwrap_or_default(),
        });
    }
    let login_flow = path == "/login" || path.starts_with("/i/flow/login");
    let logged_out_page = (page.count(SEL_LOGIN_BUTTON).await? > 0
        || page.count(SEL_LOGIN_USERNAME).await? > 0)
        && page.count(SEL_PROFILE_LINK).await? == 0;
    if login_flow || logged_out_page {
        return Err(Error::Auth {
            platform: ID,
            message: "X shows its login page (no saved session, or it expired)".into(),
        });
    }
    Ok(())
}

fn not_found_if_timeout(e: Error, target: &str, selectors: &str) -> Error {
    if e.is_timeout() {
        Error::NotFound {
            target: target.into(),
            selectors: selectors.into(),
            url: String::new(),
        }
    } else {
        e
    }
}

/// Longer waits for work X does in the background (uploads).
fn long(waits: Waits) -> Waits {
    Waits {
        timeout: waits.timeout.max(Duration::from_secs(15)) * 4,
        ..waits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_links_give_their_handle_and_id() {
        assert_eq!(
            status_parts("/alice/status/123/photo/1"),
            Some(("alice".into(), "123".into()))
        );
        assert_eq!(
            status_parts("https://x.com/Bob/status/9?s=20"),
            Some(("Bob".into(), "9".into()))
        );
        assert_eq!(status_parts("/alice/likes"), None);
        assert_eq!(status_parts("/alice/status/12a"), None);
    }

    #[test]
    fn handles_come_from_profile_links() {
        assert_eq!(handle_from_href("/alice").as_deref(), Some("alice"));
        assert_eq!(
            handle_from_href("https://x.com/Bob_2/").as_deref(),
            Some("Bob_2")
        );
        assert_eq!(handle_from_href("/carol?lang=en").as_deref(), Some("carol"));
        assert_eq!(handle_from_href(""), None);
    }

    fn media(mime: &str, size: u64) -> Media {
        Media {
            path: PathBuf::from(format!("/tmp/file.{}", mime.rsplit('/').next().unwrap())),
            mime: mime.into(),
            size,
            duration: None,
        }
    }

    #[test]
    fn validation_needs_text_or_media() {
        let x = X;
        let e = x.validate(&Post::new("  \n")).unwrap_err();
        assert!(
            e.is_usage() && e.to_string().contains("text or media"),
            "{e}"
        );
        let mut with_image = Post::new("");
        with_image.media.push(media("image/png", 10));
        assert!(x.validate(&with_image).is_ok());
        assert!(x.validate(&Post::new("hello 😀")).is_ok());

        let mut thread = Post::new("ignored");
        thread
            .thread_overrides
            .insert(ID, vec!["one".into(), " ".into()]);
        let e = x.validate(&thread).unwrap_err();
        assert!(e.to_string().contains("post 2 of 2"), "{e}");
    }

    #[test]
    fn status_ids_come_from_the_handles_links() {
        assert_eq!(
            status_id("/Sandbox/status/1234567890123456789", "sandbox").as_deref(),
            Some("1234567890123456789")
        );
        assert_eq!(
            status_id("https://x.com/sandbox/status/42/photo/1", "sandbox").as_deref(),
            Some("42")
        );
        assert_eq!(status_id("/other/status/42", "sandbox"), None);
        assert_eq!(status_id("/sandbox/status/abc", "sandbox"), None);
        assert_eq!(status_id("/sandbox", "sandbox"), None);
        assert!(id_key("999") < id_key("1000"));
    }
}
