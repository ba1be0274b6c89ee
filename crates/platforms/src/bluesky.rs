use std::path::PathBuf;
use std::time::Duration;

use crate::replies;
use crate::ui::{Seen, Signs};
use async_trait::async_trait;
use distroflow_core::{
    wait_until_on, Capabilities, Error, Existing, JobContext, Media, Page, Platform, PlatformId,
    Post, Posted, Reply, Result, Secret, Waits,
};
use serde_json::Value;

const ID: PlatformId = PlatformId::Bluesky;

// Targets, resolved through selectors/bluesky.toml (and repaired there).
/// The left nav's Profile link (`/profile/<handle>`); only when logged in.
const SEL_PROFILE: &str = "@bluesky.nav.profile";
/// "Sign in" on the logged-out splash.
const SEL_SIGN_IN: &str = "@bluesky.splash.sign_in";
const SEL_USERNAME: &str = "@bluesky.login.username";
const SEL_PASSWORD: &str = "@bluesky.login.password";
const SEL_NEXT: &str = "@bluesky.login.next";
const SEL_PUBLISH: &str = "@bluesky.compose.publish";
const SEL_MEDIA: &str = "@bluesky.compose.media";
const SEL_ADD_POST: &str = "@bluesky.compose.add_post";
const SEL_THUMBNAIL: &str = "@bluesky.compose.thumbnail";
/// Every image or video in the composer (avatars included: counted before
/// and after attaching).
const JS_COMPOSER_MEDIA: &str =
    r#"[role="dialog"][aria-modal="true"] img, [role="dialog"][aria-modal="true"] video"#;
/// Thread editors with a target of their own: `editor_0` ..= `editor_9`.
const EDITOR_TARGETS: usize = 10;

/// What the page says after the Publish click: the toast, or the
/// composer's error, or `null` while it is still at work.
const JS_ANSWER: &str = r#"(() => {
  const view = document.querySelector('[data-testid="composePostView"]') || document.querySelector('[role="dialog"][aria-modal="true"]');
  const err = view && view.querySelector('[role="alert"]');
  if (err && (err.innerText || '').trim()) return { error: err.innerText.trim() };
  const text = (document.body.innerText || '');
  if (/Your posts? (was|were) sent/i.test(text)) return { sent: true };
  return null;
})()"#;

/// The posts listed on a profile as `[{href, text, whole}]` (in page
/// order, newest first), `null` while none is there. A post is found by
/// its permalink (`/profile/<handle>/post/<rkey>`); its text is its
/// `postText` element's, else the text of the largest element around the
/// link that holds no other post (`whole`: the text is that element's,
/// with the handle and time in it).
const JS_PROFILE_POSTS: &str = r#"(() => {
  const links = Array.from(document.querySelectorAll('a[href*="/profile/"][href*="/post/"]'));
  const key = (a) => (a.getAttribute('href') || '').split(/[?#]/)[0];
  const seen = new Set();
  const out = [];
  for (const a of links) {
    const href = key(a);
    if (seen.has(href)) continue;
    seen.add(href);
    let item = a;
    while (item.parentElement && item.parentElement !== document.body) {
      const others = Array.from(item.parentElement.querySelectorAll('a[href*="/post/"]')).some((b) => key(b) !== href);
      if (others) break;
      item = item.parentElement;
    }
    const t = item.querySelector('[data-testid="postText"]');
    out.push({ href, text: (t || item).innerText || '', whole: !t });
  }
  return out.length ? out : null;
})()"#;

/// The post thread screen now: its replies (`postThreadItem-by-<handle>`
/// items after the post's own), whether "Show more replies" is there to
/// press, or "Post not found".
const JS_THREAD_STATE: &str = r#"(() => {
  const items = document.querySelectorAll('[data-testid^="postThreadItem-"]');
  const screen = document.querySelector('[data-testid="postThreadScreen"]') || document.querySelector('main');
  const text = screen ? (screen.innerText || '') : '';
  const more = Array.from(document.querySelectorAll('[role="button"], button'))
    .filter((b) => /^Show more replies$/i.test((b.getAttribute('aria-label') || b.innerText || '').trim()));
  const off = (b) => b.disabled || b.getAttribute('aria-disabled') === 'true';
  return { ready: items.length > 0, missing: items.length === 0 && /Post not found/i.test(text),
           signed_out: !!document.querySelector('[data-testid="splashScreen"], [data-testid="loginForm"]'),
           count: Math.max(0, items.length - 1),
           more: more.some((b) => !off(b)), pending: more.some(off) };
})()"#;

const SEL_SHOW_MORE_REPLIES: &str = r#"[role="button"][aria-label="Show more replies"]"#;

/// Every reply on the thread screen: its own permalink (the rkey is its
/// id), its author from the item's testID, its text, its time (the time
/// link's label), and its parent (the thread item it sits in, when that is
/// not the post itself). A deleted reply is a placeholder without a link.
const JS_THREAD_REPLIES: &str = r#"(() => {
  const ITEM = '[data-testid^="postThreadItem-"]';
  const items = Array.from(document.querySelectorAll(ITEM));
  const anchor = items[0];
  const own = (el, sel) => Array.from(el.querySelectorAll(sel)).find((x) => x.closest(ITEM) === el);
  const link = (el) => own(el, 'a[href*="/post/"]');
  const rkey = (a) => a ? (a.getAttribute('href') || '').split(/[?#]/)[0].split('/').pop() : '';
  const rows = items.slice(1).map((el) => {
    const a = link(el);
    const up = el.parentElement ? el.parentElement.closest(ITEM) : null;
    const by = (el.getAttribute('data-testid') || '').match(/^postThreadItem-by-(.+)$/);
    const body = own(el, '[data-testid="postText"]');
    const label = a ? (a.getAttribute('aria-label') || a.getAttribute('title') || '') : '';
    const t = label ? new Date(label) : null;
    return { id: rkey(a), parent: up && up !== anchor ? rkey(link(up)) : null,
             author: by ? by[1] : '', deleted: !a || !by,
             at: t && !isNaN(t) ? t.toISOString() : '',
             text: body ? (body.innerText || body.textContent || '').trim() : '',
             url: a ? a.getAttribute('href') : null };
  });
  return { ready: !!anchor, rows };
})()"#;

/// Bluesky (bsky.app): posts, native threads (`--split`) and up to 4
/// images or 1 video, through the web app's composer (opened with its
/// intent URL), logged in with the session the app keeps in
/// `localStorage["BSKY_STORAGE"]` (restored before the app boots and saved
/// back after every run, as its refresh token rotates).
#[derive(Clone, Copy, Debug, Default)]
pub struct Bluesky;

fn editor(i: usize) -> String {
    if i < EDITOR_TARGETS {
        return format!("@bluesky.compose.editor_{i}");
    }
    format!(
        r#"[data-testid="composePostView"] :nth-child({} of :has(.ProseMirror[contenteditable="true"])) .ProseMirror[contenteditable="true"]"#,
        i + 1
    )
}

const SIGNS: Signs<'static> = Signs {
    name: "Bluesky",
    logged_in: &[SEL_PROFILE],
    login: &[SEL_SIGN_IN, SEL_USERNAME],
    login_paths: &[],
};

#[async_trait]
impl Platform for Bluesky {
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
            password_login: true,
        }
    }

    fn validate(&self, post: &Post) -> Result<()> {
        // Lengths (300 graphemes after link shortening), media counts and
        // sizes are the limits table's, checked before this.
        crate::ui::thread_parts_present(post, ID)
    }

    fn login_path(&self) -> &'static str {
        ""
    }

    fn logged_in_marker(&self) -> &'static str {
        SEL_PROFILE
    }

    async fn is_logged_in(&self, page: &dyn Page, ctx: &JobContext) -> Result<bool> {
        goto(page, ctx, "").await?;
        Ok(crate::ui::settle(page, &SIGNS, || async { Ok(()) }).await? == Seen::LoggedIn)
    }

    async fn account_name(&self, page: &dyn Page, _ctx: &JobContext) -> Result<Option<String>> {
        handle_now(page).await
    }

    /// Through the app's own form (an app password): "Sign in", the
    /// handle, the password, "Next".
    async fn login_with_password(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        username: &str,
        password: &Secret,
    ) -> Result<()> {
        goto(page, ctx, "").await?;
        if crate::ui::settle(page, &SIGNS, || async { Ok(()) }).await? == Seen::LoggedIn {
            return Ok(());
        }
        if page.count(SEL_USERNAME).await? == 0 {
            crate::ui::click_until(page, SEL_SIGN_IN, SEL_USERNAME, "Bluesky's login form").await?;
        }
        page.type_text(SEL_USERNAME, username).await?;
        page.type_text(SEL_PASSWORD, password.expose()).await?;
        page.click(SEL_NEXT).await?;
        let outcome = wait_until_on(page, page.waits(), "Bluesky to sign in", || async {
            if page.count(SEL_PROFILE).await? > 0 {
                return Ok(Some(Ok(())));
            }
            let err = page
                .eval("(() => { const e = document.querySelector('[data-testid=\"loginErrorMessage\"], [data-testid=\"loginForm\"] [role=\"alert\"]'); return e ? e.innerText.trim() : null; })()")
                .await?;
            Ok(err.as_str().filter(|s| !s.is_empty()).map(|s| {
                Err(Error::Auth {
                    platform: ID,
                    message: format!("Bluesky says: {s} (use an app password: Settings > Privacy and security > App passwords)"),
                })
            }))
        })
        .await?;
        outcome?;
        page.confirm_repairs().await
    }

    async fn find_existing(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post: &Post,
    ) -> Result<Existing> {
        let parts = post.parts_for(ID);
        let want = fold(parts.first().map(String::as_str).unwrap_or_default());
        if want.is_empty() {
            return Ok(Existing::CannotTell);
        }
        goto(page, ctx, "").await?;
        let handle = logged_in_handle(page).await?;
        let posts = profile_posts(page, ctx, &handle).await?;
        Ok(match posts.iter().find(|p| p.is(&want)) {
            Some(p) => {
                let rkey = rkey_of(&p.href).unwrap_or_default();
                Existing::Found(Posted::single(rkey, ctx.url(&p.href)?.to_string()))
            }
            None => Existing::NotFound,
        })
    }

    fn reads_replies(&self) -> bool {
        true
    }

    /// The replies on the post's thread screen, after "Show more replies"
    /// was pressed until none is left; replies to replies with their parent.
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
            JS_THREAD_STATE,
            SEL_SHOW_MORE_REPLIES,
            JS_THREAD_REPLIES,
        )
        .await
    }

    fn compose_url(&self, ctx: &JobContext, _post: &Post) -> Option<url::Url> {
        ctx.url(COMPOSE_PATH).ok()
    }

    async fn post(&self, page: &dyn Page, ctx: &JobContext, post: &Post) -> Result<Posted> {
        let parts = post.parts_for(ID);
        // The intent URL opens the composer (the field's advice: clicking
        // the compose button is flaky under automation, the intent is not).
        goto(page, ctx, COMPOSE_PATH).await?;
        wait_until_on(page, page.waits(), "Bluesky's composer", || async {
            if page.count(&editor(0)).await? > 0 {
                return Ok(Some(()));
            }
            if page.count(SEL_SIGN_IN).await? > 0 || page.count(SEL_USERNAME).await? > 0 {
                return Err(Error::Auth {
                    platform: ID,
                    message: "Bluesky shows its sign-in screen (no saved session, or it expired: its refresh token was used elsewhere)".into(),
                });
            }
            Ok(None)
        })
        .await
        .map_err(|e| not_found_if_timeout(e, "Bluesky's composer", &editor(0)))?;
        let handle = handle_now(page).await?;

        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                crate::ui::click_until(
                    page,
                    SEL_ADD_POST,
                    &editor(i),
                    &format!("editor {} of the thread", i + 1),
                )
                .await?;
            }
            if !part.is_empty() {
                page.type_text(&editor(i), part).await?;
            }
            if i == 0 {
                attach_media(page, &post.media).await?;
            }
        }

        crate::ui::wait_enabled(
            page,
            SEL_PUBLISH,
            "Bluesky's Publish button",
            "Bluesky's Publish button stayed disabled (a post over 300 characters, or media still loading?)",
        )
        .await?;
        page.click(SEL_PUBLISH).await?;
        // From the click on, a failure may hide a post that exists.
        let answer = wait_until_on(
            page,
            long(page.waits()),
            "Bluesky's answer to Publish",
            || async {
                let v = page.eval(JS_ANSWER).await?;
                Ok((!v.is_null()).then_some(v))
            },
        )
        .await
        .map_err(|e| Error::Uncertain {
            platform: ID,
            message: format!(
                "no answer after Publish ({e}); look on your profile before posting again"
            ),
        })?;
        if let Some(err) = answer.get("error").and_then(Value::as_str) {
            return Err(classify_error(err));
        }
        let handle = match handle {
            Some(h) => h,
            None => logged_in_handle(page).await.map_err(|e| Error::Uncertain {
                platform: ID,
                message: format!(
                    "Bluesky said the post was sent, but its profile is unknown ({e})"
                ),
            })?,
        };
        let posted = find_thread(page, ctx, &handle, &parts).await?;
        page.confirm_repairs().await?;
        Ok(posted)
    }
}

/// The compose intent, where a post starts.
const COMPOSE_PATH: &str = "intent/compose";

async fn goto(page: &dyn Page, ctx: &JobContext, path: &str) -> Result<()> {
    page.goto(ctx.url(path)?.as_str()).await
}

fn long(waits: Waits) -> Waits {
    Waits {
        timeout: waits.timeout.max(Duration::from_secs(15)) * 4,
        ..waits
    }
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

fn fold(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The handle in `/profile/<handle>[/...]`.
fn handle_of(href: &str) -> Option<String> {
    let path = href.split("://").last()?;
    let at = path.find("/profile/")?;
    let handle = path[at + "/profile/".len()..]
        .split(['/', '?', '#'])
        .next()?;
    distroflow_core::plausible_name(handle)
}

/// The rkey in `/profile/<handle>/post/<rkey>`.
fn rkey_of(href: &str) -> Option<String> {
    let at = href.find("/post/")?;
    let rkey = href[at + "/post/".len()..].split(['/', '?', '#']).next()?;
    (!rkey.is_empty()).then(|| rkey.to_string())
}

async fn handle_now(page: &dyn Page) -> Result<Option<String>> {
    Ok(page
        .attr(SEL_PROFILE, "href")
        .await?
        .as_deref()
        .and_then(handle_of))
}

async fn logged_in_handle(page: &dyn Page) -> Result<String> {
    if crate::ui::settle(page, &SIGNS, || async { Ok(()) }).await? != Seen::LoggedIn {
        return Err(Error::Auth {
            platform: ID,
            message: "Bluesky shows its sign-in screen (no saved session, or it expired)".into(),
        });
    }
    handle_now(page).await?.ok_or_else(|| Error::NotFound {
        target: "Bluesky's Profile link".into(),
        selectors: SEL_PROFILE.into(),
        url: String::new(),
    })
}

async fn attach_media(page: &dyn Page, media: &[Media]) -> Result<()> {
    if media.is_empty() {
        return Ok(());
    }
    let paths: Vec<PathBuf> = media.iter().map(|m| m.path.clone()).collect();
    // Previews are the gallery's; on a page without it, as many more
    // images or videos in the composer as files attached.
    let before = page.count(JS_COMPOSER_MEDIA).await?;
    // The app makes its file input only when the button is clicked: the
    // file chooser that click opens is answered instead.
    page.set_files_via_chooser(SEL_MEDIA, &paths).await?;
    wait_until_on(
        page,
        long(page.waits()),
        "Bluesky to show the media",
        || async {
            let shown = page.count(SEL_THUMBNAIL).await? >= media.len()
                || page.count(JS_COMPOSER_MEDIA).await? >= before + media.len();
            Ok(shown.then_some(()))
        },
    )
    .await
    .map_err(|e| {
        if e.is_timeout() {
            Error::Rejected {
                platform: ID,
                message: "Bluesky did not take the media (no preview appeared)".into(),
            }
        } else {
            e
        }
    })
}

fn classify_error(err: &str) -> Error {
    let says = format!("Bluesky says: {err}");
    if err.to_lowercase().contains("rate limit") {
        Error::RateLimited {
            platform: ID,
            message: says,
            retry_after: None,
        }
    } else if err.contains("Token") || err.contains("Authentication") {
        Error::Auth {
            platform: ID,
            message: says,
        }
    } else {
        Error::Rejected {
            platform: ID,
            message: says,
        }
    }
}

/// The profile's posts as `(href, text)`, newest first.
async fn profile_posts(page: &dyn Page, ctx: &JobContext, handle: &str) -> Result<Vec<FeedPost>> {
    goto(page, ctx, &format!("profile/{handle}")).await?;
    // A profile without posts shows none: a short wait, then an empty list.
    let waits = Waits {
        timeout: page.waits().timeout.min(Duration::from_secs(8)),
        ..page.waits()
    };
    let list = match wait_until_on(page, waits, "Bluesky's profile feed", || async {
        Ok(page.eval(JS_PROFILE_POSTS).await?.as_array().cloned())
    })
    .await
    {
        Ok(l) => l,
        Err(e) if e.is_timeout() => Vec::new(),
        Err(e) => return Err(e),
    };
    Ok(list
        .iter()
        .filter_map(|p| {
            Some(FeedPost {
                href: p.get("href")?.as_str()?.to_string(),
                text: fold(p.get("text")?.as_str()?),
                whole: p.get("whole").and_then(Value::as_bool).unwrap_or(false),
            })
        })
        .filter(|p| rkey_of(&p.href).is_some())
        .collect())
}

/// A post on a profile page.
struct FeedPost {
    href: String,
    /// Its text, whitespace folded.
    text: String,
    /// `text` is the whole item's (handle, time and all), not the post's own.
    whole: bool,
}

impl FeedPost {
    /// Whether this is the post with the (folded) text `want`.
    fn is(&self, want: &str) -> bool {
        if self.whole {
            self.text.contains(want)
        } else {
            self.text == want
        }
    }
}

/// The posts just sent, from the profile (the toast has no link): for each
/// part, the newest post with its text; the first of them is the post.
async fn find_thread(
    page: &dyn Page,
    ctx: &JobContext,
    handle: &str,
    parts: &[String],
) -> Result<Posted> {
    let wanted: Vec<String> = parts.iter().map(|p| fold(p)).collect();
    let found = wait_until_on(page, page.waits(), "the new post on the profile", || async {
        let posts = profile_posts(page, ctx, handle).await?;
        let mut hrefs: Vec<String> = Vec::new();
        for w in &wanted {
            match posts.iter().find(|p| p.is(w) && !hrefs.contains(&p.href)) {
                Some(p) => hrefs.push(p.href.clone()),
                None => return Ok(None),
            }
        }
        Ok(Some(hrefs))
    })
    .await
    .map_err(|e| Error::Uncertain {
        platform: ID,
        message: format!(
            "Bluesky said the post was sent, but it is not on /profile/{handle} yet ({e}); look there before posting again"
        ),
    })?;
    let urls = found
        .iter()
        .map(|h| Ok(ctx.url(h)?.to_string()))
        .collect::<Result<Vec<_>>>()?;
    let id = rkey_of(&found[0]).unwrap_or_default();
    Ok(Posted {
        id,
        url: urls[0].clone(),
        thread: if urls.len() > 1 { urls } else { Vec::new() },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_give_handles_and_rkeys() {
        assert_eq!(
            handle_of("/profile/alice.bsky.social").as_deref(),
            Some("alice.bsky.social")
        );
        assert_eq!(
            handle_of("https://bsky.app/profile/bob.example.com/post/3k").as_deref(),
            Some("bob.example.com")
        );
        assert_eq!(
            rkey_of("/profile/a.bsky.social/post/3kabc234?x").as_deref(),
            Some("3kabc234")
        );
        assert_eq!(rkey_of("/profile/a.bsky.social"), None);
    }

    #[test]
    fn validation_needs_text_or_media() {
        let e = Bluesky.validate(&Post::new(" ")).unwrap_err();
        assert!(
            e.is_usage() && e.to_string().contains("text or media"),
            "{e}"
        );
        assert!(Bluesky.validate(&Post::new("hello #rust")).is_ok());
    }
}
