use std::path::PathBuf;
use std::time::Duration;

use crate::ui::{Seen, Signs};
use async_trait::async_trait;
use distroflow_core::{
    wait_until_on, Capabilities, Error, Existing, JobContext, Page, Platform, PlatformId, Post,
    Posted, Reply, Result, Waits,
};
use serde_json::Value;

use crate::replies;

const ID: PlatformId = PlatformId::Instagram;

/// The home feed, where a post starts (the sidebar's Create).
const HOME_PATH: &str = "/";

// Targets, resolved through selectors/instagram.toml (and repaired there).
// Class names are obfuscated and change on every load: every candidate is a
// role, a label, an attribute the site needs for accessibility, or text.
const SEL_LOGGED_IN: &str = "@instagram.nav.new_post";
const SEL_HOME: &str = "@instagram.nav.home";
const SEL_LOGIN_FORM: &str = "@instagram.login.username";
const SEL_CREATE: &str = "@instagram.nav.create";
const SEL_CREATE_POST: &str = "@instagram.nav.create_post";
const SEL_FILE_INPUT: &str = "@instagram.create.file_input";
const SEL_NEXT: &str = "@instagram.create.next";
const SEL_SHARE: &str = "@instagram.create.share";
const SEL_CAPTION: &str = "@instagram.create.caption";
const SEL_PROFILE_LINK: &str = "@instagram.nav.profile";
const SEL_NOTICE_DISMISS: &str = "@instagram.notice.dismiss";
// Structure, not a target: the dialog, and post links (`/p/SHORTCODE/`).
/// The text of every dialog on the page (the create dialog is one; a
/// cookie banner or a notice may be others).
const JS_DIALOGS_TEXT: &str = "Array.from(document.querySelectorAll('[role=\"dialog\"], dialog[open]')).map((d) => d.innerText || d.textContent || '').join('\\n')";
const SEL_FIRST_POST: &str = "main a[href*=\"/p/\"], a[href*=\"/p/\"]";
/// How many of the profile's newest posts `find_existing` opens.
const RECENT_POSTS: usize = 12;

// Reading replies (class names are obfuscated: structure, labels and
// text only). A comment is the list item holding its permalink
// (`/p/CODE/c/ID/`, around its `time`); a reply's item sits in its parent's.
const SEL_LOAD_MORE_COMMENTS: &str = "button:has(svg[aria-label=\"Load more comments\"])";
const SEL_VIEW_REPLIES: &str = "button:has-text(\"View replies\")";
/// "Load more comments" and "View replies" presses at most.
const MAX_COMMENT_PRESSES: usize = 200;

const READ_COMMENTS: &str = r#"(() => {
  const idOf = (a) => { const m = (a.getAttribute('href') || '').match(/\/c\/(\d+)/); return m ? m[1] : ''; };
  const own = (li) => Array.from(li.querySelectorAll('a[href*="/c/"]')).find(a => a.querySelector('time') && a.closest('li') === li);
  const items = Array.from(document.querySelectorAll('main li, article li')).filter(li => own(li));
  const rows = items.map(li => {
    const link = own(li);
    const up = li.parentElement ? li.parentElement.closest('li') : null;
    const parentLink = up ? own(up) : null;
    const author = Array.from(li.querySelectorAll('a[href]'))
      .find(a => a.closest('li') === li && /^\/[^\/]+\/$/.test(a.getAttribute('href') || ''));
    const span = Array.from(li.querySelectorAll('span[dir=auto]')).find(s => s.closest('li') === li);
    const time = link.querySelector('time');
    return { id: idOf(link), parent: parentLink ? idOf(parentLink) : null,
             author: author ? author.textContent.trim() : '',
             at: time ? (time.getAttribute('datetime') || '') : '',
             text: span ? (span.innerText || span.textContent || '').trim() : '',
             url: link.getAttribute('href') };
  });
  return { ready: !!document.querySelector('article'), rows, more: null };
})()"#;

/// What the post page shows of its comments now.
#[derive(Clone, serde::Deserialize)]
struct CommentState {
    comments: usize,
    /// A "Load more comments" is left.
    more: bool,
    /// A "Load more comments" pressed and still loading.
    pending: bool,
    /// "View replies" buttons not opened yet.
    closed: usize,
}

const COMMENT_STATE: &str = r#"(() => {
  const article = document.querySelector('article');
  const missing = !article && (document.body ? document.body.innerText : '').includes("isn't available");
  const loaders = Array.from(document.querySelectorAll('button')).filter(b => b.querySelector('svg[aria-label="Load more comments"]'));
  return { ready: !!article, missing,
           comments: document.querySelectorAll('a[href*="/c/"] time').length,
           more: loaders.some(b => !b.disabled), pending: loaders.some(b => b.disabled),
           closed: Array.from(document.querySelectorAll('button')).filter(b => (b.textContent || '').includes('View replies')).length };
})()"#;

async fn comment_state(page: &dyn Page) -> Result<CommentState> {
    wait_until_on(
        page,
        page.waits(),
        "the Instagram post's comments",
        || async {
            let v = page.eval(COMMENT_STATE).await?;
            if v["missing"].as_bool() == Some(true) {
                return Err(Error::usage(
                    "Instagram says this post isn't available",
                    Some("it may have been deleted".into()),
                ));
            }
            if v["ready"].as_bool() != Some(true) {
                return Ok(None);
            }
            serde_json::from_value(v)
                .map(Some)
                .map_err(|e| Error::Unexpected {
                    message: format!("reading the Instagram post page: {e}"),
                })
        },
    )
    .await
}

const SHARED: &str = "Your post has been shared.";
const FAILURES: &[&str] = &[
    "Your post couldn't be shared",
    "Your post could not be shared",
    "Something went wrong",
    "This file is not supported",
    "You can only choose 10 or fewer files",
];

/// Instagram: image and video posts (carousels up to ten) with a caption,
/// through the web app's "New post" dialog.
#[derive(Clone, Copy, Debug, Default)]
pub struct Instagram;

#[async_trait]
impl Platform for Instagram {
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
        if post.media.is_empty() {
            return Err(Error::InvalidContent {
                platform: ID,
                message: "Instagram needs at least one image or video".into(),
            });
        }
        // Count, types and sizes are the limits table's
        // (content/limits.rs, overridable by [limits.instagram]).
        Ok(())
    }

    fn login_path(&self) -> &'static str {
        "accounts/login/"
    }

    fn logged_in_marker(&self) -> &'static str {
        SEL_LOGGED_IN
    }

    async fn account_name(&self, page: &dyn Page, _ctx: &JobContext) -> Result<Option<String>> {
        Ok(profile_user(page)
            .await
            .ok()
            .and_then(|u| distroflow_core::plausible_name(&u)))
    }

    async fn is_logged_in(&self, page: &dyn Page, ctx: &JobContext) -> Result<bool> {
        page.goto(ctx.url("/")?.as_str()).await?;
        Ok(settle(page).await? == Seen::LoggedIn)
    }

    /// Looks among the profile's newest posts for one whose caption is this
    /// post's (whitespace folded): the grid shows no captions, so each of
    /// the newest [`RECENT_POSTS`] is opened.
    async fn find_existing(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post: &Post,
    ) -> Result<Existing> {
        let want = fold_whitespace(post.text_for(ID));
        if want.is_empty() {
            // Without a caption, one post cannot be told from another.
            return Ok(Existing::CannotTell);
        }
        page.goto(ctx.url("/")?.as_str()).await?;
        ensure_logged_in(page).await?;
        let user = profile_user(page).await?;
        page.goto(ctx.url(&format!("{user}/"))?.as_str()).await?;
        check_challenge(page).await?;
        let hrefs = wait_until_on(page, page.waits(), "the profile's posts", || async {
            Ok(page.eval(JS_PROFILE_POSTS).await?.as_array().cloned())
        })
        .await?;
        let mut codes: Vec<String> = Vec::new();
        for code in hrefs.iter().filter_map(Value::as_str).filter_map(shortcode) {
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        for code in codes.into_iter().take(RECENT_POSTS) {
            page.goto(ctx.url(&format!("p/{code}/"))?.as_str()).await?;
            check_challenge(page).await?;
            let caption = wait_until_on(page, page.waits(), "the post's caption", || async {
                Ok(page
                    .eval(JS_POST_CAPTION)
                    .await?
                    .as_str()
                    .map(str::to_string))
            })
            .await?;
            if fold_whitespace(&caption) == want {
                let url = ctx.url(&format!("p/{code}/"))?.to_string();
                return Ok(Existing::Found(Posted::single(code, url)));
            }
        }
        Ok(Existing::NotFound)
    }

    fn reads_replies(&self) -> bool {
        true
    }

    /// The comments on the post's page, after "Load more comments" was
    /// pressed until none is left and every "View replies" opened.
    async fn replies(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post_url: &str,
    ) -> Result<Vec<Reply>> {
        let url = replies::on_site(ID, ctx, post_url)?;
        page.goto(url.as_str()).await?;
        let mut state = comment_state(page).await?;
        for _ in 0..MAX_COMMENT_PRESSES {
            if state.more {
                page.click(SEL_LOAD_MORE_COMMENTS).await?;
            } else if state.closed > 0 {
                page.click(SEL_VIEW_REPLIES).await?;
            } else {
                break;
            }
            let before = state.clone();
            state = wait_until_on(
                page,
                page.waits(),
                "more Instagram comments to show",
                || async {
                    let now = comment_state(page).await?;
                    let changed = now.comments > before.comments
                        || now.closed < before.closed
                        || !(now.more || now.pending || now.closed > 0);
                    Ok(changed.then_some(now))
                },
            )
            .await?;
        }
        let read: replies::Read =
            serde_json::from_value(page.eval(READ_COMMENTS).await?).map_err(|e| {
                Error::Unexpected {
                    message: format!("reading the comments of {url}: {e}"),
                }
            })?;
        Ok(replies::to_replies(ID, post_url, read.rows, |r| {
            replies::link(&url, r)
        }))
    }

    fn compose_url(&self, ctx: &JobContext, _post: &Post) -> Option<url::Url> {
        ctx.url(HOME_PATH).ok()
    }

    async fn post(&self, page: &dyn Page, ctx: &JobContext, post: &Post) -> Result<Posted> {
        self.validate(post)?;
        let files: Vec<PathBuf> = post.media.iter().map(|m| m.path.clone()).collect();
        let caption = post.text_for(ID);

        page.goto(ctx.url(HOME_PATH)?.as_str()).await?;
        ensure_logged_in(page).await?;
        let user = profile_user(page).await?;

        // The sidebar takes clicks only once its script is wired up.
        crate::ui::click_until(
            page,
            SEL_CREATE,
            SEL_CREATE_POST,
            "the Create menu's Post item",
        )
        .await?;
        page.click(SEL_CREATE_POST).await?;
        open_create_dialog(page).await?;
        page.set_files(SEL_FILE_INPUT, &files).await?;

        wait_for_step(page, "Crop").await?;
        page.click(SEL_NEXT).await?;
        wait_for_step(page, "Edit").await?;
        page.click(SEL_NEXT).await?;
        crate::ui::wait_for(page, SEL_CAPTION, "the caption editor").await?;
        if !caption.trim().is_empty() {
            page.type_text(SEL_CAPTION, caption).await?;
        }
        page.click(SEL_SHARE).await?;

        // Uploading can take a while; a failure is stated in the dialog.
        let waits = Waits {
            timeout: page.waits().timeout.max(Duration::from_secs(120)),
            ..page.waits()
        };
        wait_until_on(page, waits, "Instagram to share the post", || async {
            let here = page.current_url().await?;
            if is_challenge_url(&here) {
                return Err(needs_human(&here));
            }
            let text = dialogs_text(page).await?;
            if text.contains(SHARED) {
                return Ok(Some(()));
            }
            if let Some(failure) = FAILURES.iter().find(|f| text.contains(**f)) {
                let detail = text.split_whitespace().collect::<Vec<_>>().join(" ");
                return Err(Error::Rejected {
                    platform: ID,
                    message: format!("Instagram says \"{failure}\" ({detail})"),
                });
            }
            Ok(None)
        })
        .await?;

        // The success message has no link: the new post is the first on
        // the profile.
        page.goto(ctx.url(&format!("{user}/"))?.as_str()).await?;
        check_challenge(page).await?;
        let href = wait_until_on(
            page,
            page.waits(),
            "the new post on the profile",
            || async { page.attr(SEL_FIRST_POST, "href").await },
        )
        .await?;
        let code = shortcode(&href).ok_or_else(|| Error::Unexpected {
            message: format!("the profile's first post link {href:?} has no shortcode"),
        })?;
        page.confirm_repairs().await?;
        Ok(Posted::single(
            code.clone(),
            ctx.url(&format!("p/{code}/"))?.to_string(),
        ))
    }
}

/// The shortcode in `/p/SHORTCODE/` (or a full URL).
fn shortcode(href: &str) -> Option<String> {
    href.split('/')
        .skip_while(|s| *s != "p")
        .nth(1)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Whitespace runs folded to one space, ends trimmed.
fn fold_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The caption of the post page now (line breaks as `\n`), `None` before
/// the post is there.
const JS_POST_CAPTION: &str = "(() => { const h = document.querySelector('main article h1') \
    || document.querySelector('article h1'); \
    return h ? h.innerText : (document.querySelector('main article') ? '' : null); })()";

/// The profile grid's post links, newest first.
const JS_PROFILE_POSTS: &str = "(() => { const m = document.querySelector('main'); \
    if (!m) return null; \
    return Array.from(m.querySelectorAll('a[href*=\"/p/\"]')).map(a => a.getAttribute('href')); })()";

/// What tells Instagram's pages apart. The app draws a splash first and
/// its sidebar later (client rendering), so every check waits for one.
const SIGNS: Signs<'static> = Signs {
    name: "Instagram",
    logged_in: &[SEL_LOGGED_IN, SEL_HOME],
    login: &[SEL_LOGIN_FORM],
    login_paths: &["/accounts/login"],
};

/// Waits for the page to show whether it is logged in (a checkpoint ends
/// the wait as `needs_human`).
async fn settle(page: &dyn Page) -> Result<Seen> {
    crate::ui::settle(page, &SIGNS, || check_challenge(page)).await
}

async fn ensure_logged_in(page: &dyn Page) -> Result<()> {
    match settle(page).await? {
        Seen::LoggedIn => Ok(()),
        Seen::LoginPage => Err(Error::Auth {
            platform: ID,
            message: "Instagram shows the login page: the saved session is missing or expired"
                .into(),
        }),
    }
}

/// The account name from the sidebar's "Profile" link (`/USER/`).
async fn profile_user(page: &dyn Page) -> Result<String> {
    let href = match page.attr(SEL_PROFILE_LINK, "href").await? {
        Some(h) => h,
        None => page
            .eval(
                "(() => { const i = document.querySelector('img[alt$=\"profile picture\"]'); \
                 const a = i && i.closest('a[href]'); return a ? a.getAttribute('href') : null; })()",
            )
            .await?
            .as_str()
            .map(str::to_string)
            .unwrap_or_default(),
    };
    let user = href
        .trim_start_matches(|c| c != '/')
        .trim_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    if user.is_empty() || user.contains(['?', '#']) {
        return Err(Error::NotFound {
            target: "the sidebar's profile link".into(),
            selectors: SEL_PROFILE_LINK.into(),
            url: page.current_url().await.unwrap_or_default(),
        });
    }
    Ok(user)
}

async fn dialogs_text(page: &dyn Page) -> Result<String> {
    Ok(page
        .eval(JS_DIALOGS_TEXT)
        .await?
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// Waits until the dialog's heading is `title` (its steps share one dialog).
async fn wait_for_step(page: &dyn Page, title: &str) -> Result<()> {
    // (A `:text-is` part cannot sit in a comma list.) The dialog by its
    // role or its element: a redesign may swap one for the other.
    let headings = [
        format!("div[role=\"dialog\"] h1:text-is(\"{title}\")"),
        format!("dialog h1:text-is(\"{title}\")"),
    ];
    wait_until_on(
        page,
        page.waits(),
        &format!("the \"{title}\" step"),
        || async {
            for heading in &headings {
                if page.count(heading).await? > 0 {
                    return Ok(Some(()));
                }
            }
            let text = dialogs_text(page).await?;
            if let Some(failure) = FAILURES.iter().find(|f| text.contains(**f)) {
                return Err(Error::Rejected {
                    platform: ID,
                    message: format!("Instagram says \"{failure}\""),
                });
            }
            Ok(None)
        },
    )
    .await
}

/// Waits for the "Create new post" dialog, acknowledging a notice the site
/// shows first now and then ("New: reels"). Known notices only.
async fn open_create_dialog(page: &dyn Page) -> Result<()> {
    let what = "the \"Create new post\" dialog";
    let mut dismissed = 0;
    loop {
        let since = std::time::Instant::now();
        let seen = wait_until_on(page, page.waits(), what, || async {
            if crate::ui::present(page, SEL_FILE_INPUT, since).await? {
                return Ok(Some(true));
            }
            Ok((page.count(SEL_NOTICE_DISMISS).await? > 0).then_some(false))
        })
        .await
        .map_err(|e| {
            if e.is_timeout() {
                Error::NotFound {
                    target: what.to_string(),
                    selectors: SEL_FILE_INPUT.to_string(),
                    url: String::new(),
                }
            } else {
                e
            }
        })?;
        if seen || dismissed >= 3 {
            return crate::ui::wait_for(page, SEL_FILE_INPUT, what).await;
        }
        tracing::debug!("acknowledging a notice before Instagram's create dialog");
        page.click(SEL_NOTICE_DISMISS).await?;
        dismissed += 1;
    }
}

fn is_challenge_url(href: &str) -> bool {
    url::Url::parse(href)
        .map(|u| u.path().starts_with("/challenge") || u.path().starts_with("/checkpoint"))
        .unwrap_or(false)
}

fn needs_human(url: &str) -> Error {
    Error::NeedsHuman {
        platform: ID,
        reason: "Instagram asks for a security check (\"Help us confirm it's you\")".into(),
        url: url.to_string(),
    }
}

async fn check_challenge(page: &dyn Page) -> Result<()> {
    let here = page.current_url().await?;
    if is_challenge_url(&here) {
        return Err(needs_human(&here));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use distroflow_core::Media;

    fn media(n: usize) -> Vec<Media> {
        (0..n)
            .map(|i| Media {
                path: format!("{i}.png").into(),
                mime: "image/png".into(),
                size: 1,
                duration: None,
            })
            .collect()
    }

    #[test]
    fn needs_one_to_ten_images_or_videos() {
        let e = Instagram.validate(&Post::new("caption")).unwrap_err();
        assert!(e.is_usage(), "{e}");
        assert_eq!(e.to_string(), "Instagram needs at least one image or video");
        let mut p = Post::new("c");
        p.media = media(10);
        assert!(Instagram.validate(&p).is_ok());
    }

    #[test]
    fn challenge_urls() {
        assert!(is_challenge_url(
            "https://www.instagram.com/challenge/?next=/"
        ));
        assert!(is_challenge_url(
            "https://www.instagram.com/checkpoint/123/"
        ));
        assert!(!is_challenge_url("https://www.instagram.com/sandbox/"));
    }
}
