use std::path::PathBuf;
use std::time::Duration;

use crate::ui::{Seen, Signs};
use async_trait::async_trait;
use distroflow_core::{
    wait_until, Capabilities, Error, Existing, JobContext, Page, Platform, PlatformId, Post,
    Posted, Reply, Result, Waits,
};

use crate::replies;
use serde_json::Value;

const ID: PlatformId = PlatformId::Reddit;

// Targets in `selectors/reddit.toml` (candidates, alternatives and seeds);
// the healer resolves and repairs them.
// New Reddit (www.reddit.com): shreddit web components.
const SEL_NEW_LOGGED_IN: &str = "@reddit.new.app.logged_in";
const SEL_COMPOSER: &str = "@reddit.new.submit.composer";
const SEL_TITLE: &str = "@reddit.new.submit.title";
const SEL_BODY: &str = "@reddit.new.submit.body";
const SEL_LINK: &str = "@reddit.new.submit.link";
const SEL_MEDIA_INPUT: &str = "@reddit.new.submit.media_input";
const SEL_FLAIR_BUTTON: &str = "@reddit.new.submit.flair_button";
const SEL_FLAIR_APPLY: &str = "@reddit.new.submit.flair_apply";
const SEL_SUBMIT: &str = "@reddit.new.submit.button";
const SEL_NEW_ERROR: &str = "@reddit.new.submit.error";

// Reading replies (new Reddit's post page; read only, never a target to
// act on except the "View more comments" button).
const SEL_MORE_COMMENTS: &str = "shreddit-comment-tree faceplate-partial[loading=action] button";
/// "View more comments" pressed at most this many times.
const MAX_COMMENT_PAGES: usize = 50;

/// The comments of new Reddit's post page: `shreddit-comment[thingid]`
/// with `depth`, `parentid` (`t1_` a comment, `t3_` the post), `author`,
/// `created`, `permalink`, the text in its own `[slot=comment]`; a deleted
/// one has author `[deleted]`.
const READ_COMMENTS: &str = r#"(() => {
  const strip = (v) => (v || '').replace(/^t1_/, '');
  const rows = Array.from(document.querySelectorAll('shreddit-comment[thingid]')).map(c => {
    const slot = Array.from(c.children).find(k => k.getAttribute('slot') === 'comment');
    const parent = c.getAttribute('parentid') || '';
    const author = c.getAttribute('author') || '';
    return {
      id: strip(c.getAttribute('thingid')),
      depth: parseInt(c.getAttribute('depth') || '0', 10) || 0,
      parent: parent.startsWith('t1_') ? strip(parent) : null,
      author: author === '[deleted]' ? '' : author,
      at: c.getAttribute('created') || '',
      text: slot ? (slot.innerText || slot.textContent || '').trim() : '',
      deleted: c.hasAttribute('is-comment-deleted') || author === '[deleted]',
      url: c.getAttribute('permalink'),
    };
  });
  return { ready: !!document.querySelector('shreddit-post'), rows, more: null };
})()"#;

/// Whether the post page is there, how many comments it shows, and
/// whether a "View more comments" button is left.
#[derive(serde::Deserialize)]
struct CommentState {
    comments: usize,
    more: bool,
    /// A "View more comments" pressed and still loading.
    pending: bool,
}

async fn comment_state(page: &dyn Page) -> Result<CommentState> {
    let script = format!(
        r#"(() => {{
  const post = !!document.querySelector('shreddit-post');
  const missing = !post && (document.body ? document.body.innerText : '').includes("doesn't exist");
  const buttons = Array.from(document.querySelectorAll({more}));
  const more = buttons.some(b => !b.disabled);
  const pending = buttons.some(b => b.disabled);
  return {{ ready: post, missing, comments: document.querySelectorAll('shreddit-comment[thingid]').length, more, pending }};
}})()"#,
        more = serde_json::to_string(SEL_MORE_COMMENTS).unwrap_or_default()
    );
    wait_until(page.waits(), "the Reddit post's comments", || async {
        let v = page.eval(&script).await?;
        if v["missing"].as_bool() == Some(true) {
            return Err(Error::usage(
                "Reddit says this post was deleted or does not exist",
                None,
            ));
        }
        if v["ready"].as_bool() != Some(true) {
            return Ok(None);
        }
        serde_json::from_value(v)
            .map(Some)
            .map_err(|e| Error::Unexpected {
                message: format!("reading the Reddit post page: {e}"),
            })
    })
    .await
}

// Old Reddit (old.reddit.com): one plain form.
const SEL_OLD_USER: &str = "@reddit.old.header.user";
const SEL_OLD_FORM: &str = "@reddit.old.submit.form";
const SEL_OLD_LINK_TAB: &str = "@reddit.old.submit.link_tab";
const SEL_OLD_TEXT_TAB: &str = "@reddit.old.submit.text_tab";
const SEL_OLD_TITLE: &str = "@reddit.old.submit.title";
const SEL_OLD_URL: &str = "@reddit.old.submit.url";
const SEL_OLD_TEXT: &str = "@reddit.old.submit.text";
const SEL_OLD_SR: &str = "@reddit.old.submit.subreddit";
const SEL_OLD_FLAIR_OPEN: &str = "@reddit.old.submit.flair_open";
const SEL_OLD_SUBMIT: &str = "@reddit.old.submit.button";

/// Where a flair modal renders its radios (`m` is the modal element): its
/// shadow root, its light DOM, or a dialog it opened.
macro_rules! flair_roots {
    () => {
        r#"const roots = [m && m.shadowRoot, m, ...document.querySelectorAll('dialog[open], [role="dialog"]')].filter(Boolean);"#
    };
}

/// Reads the new composer's flair modal: whether flair is required and the
/// flairs on offer (radio inputs `name=flairId`, in the modal's shadow
/// root, its light DOM, or a dialog it opened; some are only rendered once
/// the modal is opened).
const JS_NEW_FLAIRS: &str = concat!(
    r#"(() => {
  const m = document.querySelector('r-post-flairs-modal');
  if (!m) return { present: false, required: false, flairs: [] };
"#,
    flair_roots!(),
    r#"
  const seen = new Set();
  const flairs = [];
  for (const root of roots) {
    for (const i of root.querySelectorAll('input[name="flairId"]')) {
      if (seen.has(i.value)) continue;
      seen.add(i.value);
      const forLabel = i.id && i.getRootNode().querySelector ? i.getRootNode().querySelector('label[for="' + CSS.escape(i.id) + '"]') : null;
      const label = i.closest('label') || forLabel;
      const text = (label ? label.textContent : (i.getAttribute('aria-label') || (i.parentElement || {}).textContent || ''))
        .replace(/\s+/g, ' ').trim();
      flairs.push({ id: i.value, text });
    }
  }
  return { present: true, required: m.hasAttribute('flairs-required'), flairs };
})()"#
);

/// Chooses the flair radio with this value wherever the modal rendered it
/// (a radio styled away behind its label gets the label's click), and says
/// whether it is now checked.
fn js_check_flair(id: &str) -> String {
    format!(
        r#"(() => {{
  const want = {id};
  const m = document.querySelector('r-post-flairs-modal');
  {roots}
  for (const root of roots) {{
    for (const i of root.querySelectorAll('input[name="flairId"]')) {{
      if (i.value !== want) continue;
      if (!i.checked) i.click();
      if (!i.checked) {{
        const label = i.closest('label');
        if (label) label.click();
      }}
      return i.checked;
    }}
  }}
  return false;
}})()"#,
        id = serde_json::Value::String(id.to_string()),
        roots = flair_roots!()
    )
}

/// Reads old Reddit's flair selector (present in the page, hidden until
/// "select flair" is clicked).
const JS_OLD_FLAIRS: &str = r#"(() => {
  const field = document.querySelector('#flair-field');
  const flairs = Array.from(document.querySelectorAll('form#newlink .flairselector a.flairsample, form#newlink .flairselector [data-flair-id]'))
    .map((a) => ({ id: a.getAttribute('data-flair-id') || '', text: (a.getAttribute('data-flair-text') || a.textContent || '').trim() }))
    .filter((f) => f.id);
  const required = !!(field && (field.getAttribute('data-required') === 'true'
    || field.querySelector('.required-asterisk, [aria-required="true"]')));
  return { present: !!field, required, flairs };
})()"#;

/// What old Reddit's form says the chosen flair is: the hidden flair id
/// inputs' values and the label that shows the choice.
const JS_OLD_FLAIR_CHOSEN: &str = r#"(() => {
  const form = document.querySelector('form#newlink');
  if (!form) return { ids: [], label: '' };
  const ids = Array.from(form.querySelectorAll('input[type="hidden"][name*="flair"][name$="id"]')).map((i) => i.value);
  const l = form.querySelector('#chosen-flair, #flair-current, .flairselection');
  return { ids, label: l ? l.textContent.replace(/\s+/g, ' ').trim() : '' };
})()"#;

/// Old Reddit's visible form errors, `span.error.CODE.field-FIELD`.
const JS_OLD_ERRORS: &str = r#"Array.from(document.querySelectorAll('span.error'))
  .filter((e) => e.getClientRects().length > 0 && e.textContent.trim() !== '')
  .map((e) => ({ classes: e.className, text: e.textContent.replace(/\s+/g, ' ').trim() }))"#;

/// Reddit: text, link and image posts to a subreddit through new Reddit's
/// composer (default) or old Reddit's form (`ui = "old"` in config).
#[derive(Clone, Copy, Debug, Default)]
pub struct Reddit;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Link,
    Image,
}

impl Kind {
    fn of(post: &Post) -> Kind {
        if !post.media.is_empty() {
            Kind::Image
        } else if post.url.as_deref().is_some_and(|u| !u.trim().is_empty()) {
            Kind::Link
        } else {
            Kind::Text
        }
    }
}

/// Everything a submission needs, checked once.
struct Plan<'a> {
    subreddit: String,
    kind: Kind,
    title: &'a str,
    body: &'a str,
    url: &'a str,
    media: Vec<PathBuf>,
    flair: Option<&'a str>,
}

#[derive(Debug, Default)]
struct Flairs {
    required: bool,
    /// `(id, text)` in page order.
    options: Vec<(String, String)>,
}

#[async_trait]
impl Platform for Reddit {
    fn id(&self) -> PlatformId {
        ID
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            text: true,
            title: true,
            link: true,
            media: true,
            threads: false,
            password_login: false,
        }
    }

    fn validate(&self, post: &Post) -> Result<()> {
        plan(post).map(|_| ())
    }

    fn login_path(&self) -> &'static str {
        "login/"
    }

    fn logged_in_marker(&self) -> &'static str {
        "shreddit-app[user-logged-in=\"true\"], #header-bottom-right span.user > a[href^=\"/user/\"]"
    }

    async fn is_logged_in(&self, page: &dyn Page, ctx: &JobContext) -> Result<bool> {
        page.goto(ctx.url("/")?.as_str()).await?;
        let here = page.current_url().await?;
        // Either UI may be configured (or redirected to): the signs of both.
        Ok(
            crate::ui::settle(page, &ANY_SIGNS, || check_challenge(page, &here)).await?
                == Seen::LoggedIn,
        )
    }

    async fn account_name(&self, page: &dyn Page, _ctx: &JobContext) -> Result<Option<String>> {
        let v = page.eval(JS_USER_NAME).await?;
        Ok(distroflow_core::plausible_name(
            v.as_str().unwrap_or_default(),
        ))
    }

    /// Looks through the user's own recent posts (`/user/NAME/submitted/`)
    /// for one to the same subreddit with the same title (and the same
    /// link, or the same body on the post's page).
    async fn find_existing(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post: &Post,
    ) -> Result<Existing> {
        let plan = plan(post)?;
        find_existing(page, ctx, &plan).await
    }

    fn reads_replies(&self) -> bool {
        true
    }

    /// The comments on the post's page (new Reddit's `shreddit-comment`,
    /// nested), after "View more comments" was pressed until none is left.
    async fn replies(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        post_url: &str,
    ) -> Result<Vec<Reply>> {
        let url = replies::on_site(ID, ctx, &on_new_reddit(ctx, post_url)?)?;
        page.goto(url.as_str()).await?;
        for _ in 0..MAX_COMMENT_PAGES {
            let state = comment_state(page).await?;
            if !state.more {
                break;
            }
            page.click(SEL_MORE_COMMENTS).await?;
            wait_until(page.waits(), "more Reddit comments to load", || async {
                let now = comment_state(page).await?;
                let settled = now.comments > state.comments || !(now.more || now.pending);
                Ok(settled.then_some(()))
            })
            .await?;
        }
        let read: replies::Read =
            serde_json::from_value(page.eval(READ_COMMENTS).await?).map_err(|e| {
                Error::Unexpected {
                    message: format!("reading the comments of {url}: {e}"),
                }
            })?;
        Ok(replies::to_replies(ID, post_url, read.rows, |r| {
            r.url
                .as_deref()
                .and_then(|u| url.join(u).ok())
                .map(|u| u.to_string())
                .unwrap_or_default()
        }))
    }

    async fn post(&self, page: &dyn Page, ctx: &JobContext, post: &Post) -> Result<Posted> {
        let plan = plan(post)?;
        match ctx.setting("ui").map(str::trim) {
            None | Some("") | Some("new") => post_new(page, ctx, &plan).await,
            Some("old") => post_old(page, ctx, &plan).await,
            Some(other) => Err(Error::Config {
                message: format!(
                    "[platforms.reddit] ui = \"{other}\" is not a Reddit UI; use \"new\" or \"old\""
                ),
            }),
        }
    }
}

fn plan(post: &Post) -> Result<Plan<'_>> {
    let subreddit = post
        .option(ID, "subreddit")
        .map(str::trim)
        .map(|s| {
            s.trim_start_matches("https://www.reddit.com")
                .trim_start_matches('/')
                .trim_start_matches("r/")
                .trim_end_matches('/')
        })
        .unwrap_or_default();
    if subreddit.is_empty() {
        return Err(Error::usage(
            "Reddit needs a subreddit",
            Some("add --subreddit NAME".into()),
        ));
    }
    if !(3..=21).contains(&subreddit.len())
        || !subreddit
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(Error::usage(
            format!("`{subreddit}` is not a subreddit name (3-21 letters, digits or _)"),
            Some("add --subreddit NAME, e.g. --subreddit rust".into()),
        ));
    }
    let title = post
        .title_for(PlatformId::Reddit)
        .map(str::trim)
        .unwrap_or_default();
    if title.is_empty() {
        return Err(Error::usage(
            "Reddit needs a title",
            Some("add --title \"...\"".into()),
        ));
    }
    // Title and body lengths, media count, types and sizes are the limits
    // table's (content/limits.rs, overridable by [limits.reddit]), checked
    // before this.
    let body = post.text_for(ID);
    let kind = Kind::of(post);
    let url = post.url.as_deref().map(str::trim).unwrap_or_default();
    if kind == Kind::Link {
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
    let flair = post
        .option(ID, "flair")
        .map(str::trim)
        .filter(|f| !f.is_empty());
    Ok(Plan {
        subreddit: subreddit.to_string(),
        kind,
        title,
        body,
        url,
        media: post.media.iter().map(|m| m.path.clone()).collect(),
        flair,
    })
}

// ---------------------------------------------------------------- new UI

async fn post_new(page: &dyn Page, ctx: &JobContext, plan: &Plan<'_>) -> Result<Posted> {
    let kind = match plan.kind {
        Kind::Text => "TEXT",
        Kind::Link => "LINK",
        Kind::Image => "IMAGE",
    };
    let sub = &plan.subreddit;
    page.goto(ctx.url(&format!("r/{sub}/submit/?type={kind}"))?.as_str())
        .await?;
    check_new_page(page, sub).await?;
    crate::ui::wait_for(page, SEL_COMPOSER, "the post composer").await?;
    crate::ui::wait_for(page, SEL_TITLE, "the post title field").await?;

    let tab = format!("r-post-type-select >>> [data-type=\"{kind}\"]");
    if page.count(&tab).await? > 0
        && page.attr(&tab, "aria-selected").await?.as_deref() != Some("true")
    {
        page.click(&tab).await?;
    }

    // Everything that can refuse the post is checked before anything is
    // typed. Some modals render their flairs only once opened: open it to
    // read them.
    let mut flairs = read_flairs(page, JS_NEW_FLAIRS).await?;
    let mut modal_open = false;
    if flairs.options.is_empty()
        && (flairs.required || plan.flair.is_some())
        && page.count(SEL_FLAIR_BUTTON).await? > 0
    {
        page.click(SEL_FLAIR_BUTTON).await?;
        modal_open = true;
        let short = Waits {
            timeout: Duration::from_secs(5).min(page.waits().timeout),
            ..page.waits()
        };
        if let Ok(read) = wait_until(short, "the flairs of the flair modal", || async {
            let f = read_flairs(page, JS_NEW_FLAIRS).await?;
            Ok((!f.options.is_empty()).then_some(f))
        })
        .await
        {
            flairs = read;
        }
    }
    let flair = choose_flair(sub, &flairs, plan.flair)?;
    if let Some((id, text)) = &flair {
        if !modal_open {
            page.click(SEL_FLAIR_BUTTON).await?;
        }
        let checked = wait_until(page.waits(), "the flair to be chosen", || async {
            let v = page.eval(&js_check_flair(id)).await?;
            Ok((v == Value::Bool(true)).then_some(()))
        })
        .await;
        if checked.is_err() {
            return Err(Error::Unexpected {
                message: format!("the flair modal would not take flair {text:?}"),
            });
        }
        page.click(SEL_FLAIR_APPLY).await?;
    }
    page.type_text(SEL_TITLE, plan.title).await?;
    match plan.kind {
        Kind::Link => page.type_text(SEL_LINK, plan.url).await?,
        Kind::Image => attach_media(page, &plan.media).await?,
        Kind::Text => {}
    }
    if !plan.body.trim().is_empty() {
        page.type_text(SEL_BODY, plan.body).await?;
    }
    if let Some((_, text)) = &flair {
        // The button shows the chosen flair on Reddit; a page that shows it
        // elsewhere is not an error, but one that shows another flair is.
        let label = page.text(SEL_FLAIR_BUTTON).await?.unwrap_or_default();
        let others = flairs.options.iter().any(|(_, t)| {
            t != text && !label.contains(text.as_str()) && label.contains(t.as_str())
        });
        if others {
            return Err(Error::Unexpected {
                message: format!(
                    "the flair button shows {:?} after choosing flair {text:?}",
                    label.trim()
                ),
            });
        }
    }

    wait_until(page.waits(), "the Post button to be enabled", || async {
        let disabled = page.attr(SEL_SUBMIT, "disabled").await?;
        let errors = visible_new_error(page).await?;
        if let Some(message) = errors {
            return Err(classify_new_error(sub, &message, &flairs));
        }
        Ok(disabled.is_none().then_some(()))
    })
    .await?;
    page.click(SEL_SUBMIT).await?;

    // Reddit takes its time with media (it processes uploads on submit).
    let patient = Waits {
        timeout: page.waits().timeout.max(Duration::from_secs(60)),
        ..page.waits()
    };
    let created = wait_until(patient, "Reddit to create the post", || async {
        let here = page.current_url().await?;
        if let Some(found) = created_from_url(&here) {
            return Ok(Some(found));
        }
        if is_login_url(&here) {
            return Err(logged_out());
        }
        if let Some(message) = visible_new_error(page).await? {
            return Err(classify_new_error(sub, &message, &flairs));
        }
        Ok(None)
    })
    .await?;
    let (sub, id) = created;
    let sub = sub.unwrap_or_else(|| plan.subreddit.clone());
    // The post exists: the steps that led here were right.
    page.confirm_repairs().await?;
    Ok(Posted::single(
        id.clone(),
        ctx.url(&format!("r/{sub}/comments/{id}/"))?.to_string(),
    ))
}

/// Auth, a missing community, or a page that is not the composer.
/// What tells new Reddit's pages apart: the app says whether a user is
/// logged in, once it rendered.
const NEW_SIGNS: Signs<'static> = Signs {
    name: "Reddit",
    logged_in: &[SEL_NEW_LOGGED_IN],
    login: &["shreddit-app[user-logged-in=\"false\"]", "#login-button"],
    login_paths: &["/login", "/account/login"],
};

/// Either UI, for the logged-in check of `login` and `accounts`.
const ANY_SIGNS: Signs<'static> = Signs {
    name: "Reddit",
    logged_in: &[SEL_NEW_LOGGED_IN, SEL_OLD_USER],
    login: &[
        "shreddit-app[user-logged-in=\"false\"]",
        "#login-button",
        ".login-required",
        "form#login_login-main",
        "form.login-form",
    ],
    login_paths: &["/login", "/account/login"],
};

/// Old Reddit: the header names the user, or offers to log in.
const OLD_SIGNS: Signs<'static> = Signs {
    name: "Reddit",
    logged_in: &[SEL_OLD_USER],
    login: &[
        ".login-required",
        "form#login_login-main",
        "form.login-form",
    ],
    login_paths: &["/login", "/account/login"],
};

async fn check_new_page(page: &dyn Page, sub: &str) -> Result<()> {
    let check = || async {
        let here = page.current_url().await?;
        check_challenge(page, &here).await?;
        let body = page.body_text().await?;
        if body.contains("aren't any communities") || body.contains("aren’t any communities") {
            return Err(no_community(sub));
        }
        Ok(())
    };
    match crate::ui::settle(page, &NEW_SIGNS, check).await? {
        Seen::LoggedIn => Ok(()),
        Seen::LoginPage => Err(logged_out()),
    }
}

/// The media input's state: upload states (`data-status`) where the page
/// shows them, else how many files show a preview (an image or video of
/// the file, or a button to remove it), and an error it states.
const JS_MEDIA_STATE: &str = r#"(() => {
  const m = document.querySelector('r-post-media-input');
  const r = m && m.shadowRoot;
  if (!r) return null;
  const items = Array.from(r.querySelectorAll('[data-status]')).map((e) => e.getAttribute('data-status'));
  const shown = [r, m];
  const count = (sel) => shown.reduce((n, root) => n + root.querySelectorAll(sel).length, 0);
  const previews = Math.max(
    count('img[src^="blob:"], img[src^="data:"], video[src^="blob:"]'),
    count('[aria-label^="Remove"], [aria-label^="Delete"]'));
  const err = r.querySelector('[role=alert]:not([hidden])');
  return { items, previews, error: err ? err.textContent.trim() : '' };
})()"#;

async fn attach_media(page: &dyn Page, files: &[PathBuf]) -> Result<()> {
    crate::ui::wait_for(page, "r-post-media-input", "the media upload area").await?;
    page.set_files(SEL_MEDIA_INPUT, files).await?;
    let want = files.len();
    let waits = Waits {
        timeout: page.waits().timeout.max(Duration::from_secs(60)),
        ..page.waits()
    };
    wait_until(waits, "the media to upload", || async {
        let v = page.eval(JS_MEDIA_STATE).await?;
        let error = v["error"].as_str().unwrap_or_default();
        if !error.is_empty() {
            return Err(Error::Rejected {
                platform: ID,
                message: format!("Reddit refused the media: {error}"),
            });
        }
        let items: Vec<&str> = v["items"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if items.contains(&"error") {
            return Err(Error::Rejected {
                platform: ID,
                message: "Reddit says \"Upload failed\" for an image or video".into(),
            });
        }
        let done = if items.is_empty() {
            // No upload states shown: files attached count by their previews.
            v["previews"].as_u64().unwrap_or(0) as usize
        } else {
            items.iter().filter(|s| **s == "done").count()
        };
        Ok((done >= want).then_some(()))
    })
    .await
}

async fn visible_new_error(page: &dyn Page) -> Result<Option<String>> {
    if page.count(SEL_NEW_ERROR).await? == 0 {
        return Ok(None);
    }
    Ok(page
        .text(SEL_NEW_ERROR)
        .await?
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty()))
}

fn classify_new_error(sub: &str, message: &str, flairs: &Flairs) -> Error {
    let lower = message.to_lowercase();
    if lower.contains("doing that too much") {
        return Error::RateLimited {
            platform: ID,
            message: format!("Reddit says \"{message}\""),
            retry_after: retry_after(message),
        };
    }
    if lower.contains("flair") {
        return flair_refusal(sub, flairs, None, Some(message));
    }
    if lower.contains("log in") || lower.contains("login") {
        return logged_out();
    }
    Error::Rejected {
        platform: ID,
        message: format!("Reddit says \"{message}\""),
    }
}

/// `(subreddit, id)` from `/r/SUB/?created=t3_ID...` or a post URL.
fn created_from_url(href: &str) -> Option<(Option<String>, String)> {
    let u = url::Url::parse(href).ok()?;
    let sub = {
        let mut segs = u.path_segments()?;
        match (segs.next(), segs.next()) {
            (Some("r"), Some(s)) if !s.is_empty() => Some(s.to_string()),
            _ => None,
        }
    };
    if let Some((_, v)) = u.query_pairs().find(|(k, _)| k == "created") {
        let id = v.trim_start_matches("t3_").to_string();
        if !id.is_empty() {
            return Some((sub, id));
        }
    }
    post_from_path(u.path()).map(|(s, id)| (Some(s), id))
}

/// `(subreddit, id)` from `/r/SUB/comments/ID/...`.
fn post_from_path(path: &str) -> Option<(String, String)> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["r", sub, "comments", id, ..] => Some((sub.to_string(), id.to_string())),
        _ => None,
    }
}

// ---------------------------------------------------------- find_existing

/// The logged-in user's name from new Reddit's header (the user drawer's
/// profile link), else old Reddit's.
const JS_USER_NAME: &str = r#"(() => {
  const a = document.querySelector('#expand-user-drawer-button a[href*="/user/"], reddit-header-large a[href*="/user/"], #header-bottom-right span.user > a[href*="/user/"]');
  if (!a) {
    const b = document.querySelector('#expand-user-drawer-button[data-username], [data-testid="user-drawer-username"]');
    return b ? (b.getAttribute('data-username') || b.textContent || '').trim().replace(/^u\//, '') : '';
  }
  const m = new URL(a.href, location.href).pathname.match(/^\/user\/([^/]+)/);
  return m ? decodeURIComponent(m[1]) : '';
})()"#;

/// The `shreddit-post` elements of a listing, as real Reddit renders them.
const JS_LISTED_POSTS: &str = r#"Array.from(document.querySelectorAll('shreddit-post')).map((p) => ({
  id: (p.getAttribute('id') || '').replace(/^t3_/, ''),
  title: p.getAttribute('post-title') || '',
  permalink: p.getAttribute('permalink') || '',
  sub: (p.getAttribute('subreddit-prefixed-name') || '').replace(/^r\//i, ''),
  href: p.getAttribute('content-href') || '',
}))"#;

/// The body text of the post on a post page.
const JS_POST_BODY: &str = r#"(() => {
  const b = document.querySelector('shreddit-post [slot="text-body"]');
  return b ? b.innerText : '';
})()"#;

async fn find_existing(page: &dyn Page, ctx: &JobContext, plan: &Plan<'_>) -> Result<Existing> {
    page.goto(ctx.url("/")?.as_str()).await?;
    let here = page.current_url().await?;
    if is_login_url(&here) {
        return Err(logged_out());
    }
    check_challenge(page, &here).await?;
    let user = page.eval(JS_USER_NAME).await?;
    let user = user.as_str().unwrap_or_default().trim().to_string();
    if user.is_empty() {
        if page.count("shreddit-app[user-logged-in=\"false\"]").await? > 0 {
            return Err(logged_out());
        }
        return Ok(Existing::CannotTell);
    }
    let mut path = ctx.url("user/")?;
    path.path_segments_mut()
        .map_err(|_| Error::Unexpected {
            message: "the Reddit address cannot have a path".into(),
        })?
        .pop_if_empty()
        .push(&user)
        .push("submitted")
        .push("");
    page.goto(path.as_str()).await?;
    let listed = page.eval(JS_LISTED_POSTS).await?;
    let field = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().trim().to_string();
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    for item in listed.as_array().into_iter().flatten() {
        let id = field(item, "id");
        if id.is_empty()
            || !field(item, "sub").eq_ignore_ascii_case(&plan.subreddit)
            || field(item, "title") != plan.title.trim()
        {
            continue;
        }
        match plan.kind {
            Kind::Link if field(item, "href") != plan.url => continue,
            Kind::Text if !plan.body.trim().is_empty() => {
                let link = field(item, "permalink");
                let target = if link.is_empty() {
                    ctx.url(&format!("r/{}/comments/{id}/", plan.subreddit))?
                } else {
                    ctx.url(&link)?
                };
                page.goto(target.as_str()).await?;
                let body = page.eval(JS_POST_BODY).await?;
                if squash(body.as_str().unwrap_or_default()) != squash(plan.body) {
                    // Same title, other text: keep looking.
                    page.goto(path.as_str()).await?;
                    continue;
                }
            }
            _ => {}
        }
        let sub = field(item, "sub").to_lowercase();
        return Ok(Existing::Found(Posted::single(
            id.clone(),
            ctx.url(&format!("r/{sub}/comments/{id}/"))?.to_string(),
        )));
    }
    Ok(Existing::NotFound)
}

/// A post made through old Reddit is read on new Reddit's page: the same
/// path on the configured site. Other links are kept as they are.
fn on_new_reddit(ctx: &JobContext, post_url: &str) -> Result<String> {
    let old = old_base(ctx)?.base_url;
    Ok(match url::Url::parse(post_url) {
        Ok(mut u)
            if u.host_str() == old.host_str() && old.host_str() != ctx.base_url.host_str() =>
        {
            let _ = u.set_scheme(ctx.base_url.scheme());
            let _ = u.set_host(ctx.base_url.host_str());
            let _ = u.set_port(ctx.base_url.port());
            u.to_string()
        }
        _ => post_url.to_string(),
    })
}

// ---------------------------------------------------------------- old UI

/// Where old Reddit lives: `[platforms.reddit] old_url`, else
/// `old.reddit.com` for the real site, else the configured site itself
/// (a replica serves both UIs).
fn old_base(ctx: &JobContext) -> Result<JobContext> {
    if let Some(u) = ctx.setting("old_url").filter(|u| !u.trim().is_empty()) {
        let base = u.trim().parse().map_err(|e| Error::Config {
            message: format!("[platforms.reddit] old_url `{u}` is not a URL: {e}"),
        })?;
        return Ok(JobContext {
            base_url: base,
            settings: ctx.settings.clone(),
        });
    }
    let mut base = ctx.base_url.clone();
    if matches!(base.host_str(), Some("www.reddit.com") | Some("reddit.com")) {
        base.set_host(Some("old.reddit.com"))
            .map_err(|e| Error::Config {
                message: format!("cannot derive old Reddit's address: {e}"),
            })?;
    }
    Ok(JobContext {
        base_url: base,
        settings: ctx.settings.clone(),
    })
}

async fn post_old(page: &dyn Page, ctx: &JobContext, plan: &Plan<'_>) -> Result<Posted> {
    if plan.kind == Kind::Image {
        return Err(Error::InvalidContent {
            platform: ID,
            message: "old Reddit has no image upload; post images with the new UI (remove ui = \"old\" from [platforms.reddit])".into(),
        });
    }
    let old = old_base(ctx)?;
    let sub = &plan.subreddit;
    let path = match plan.kind {
        Kind::Text => format!("r/{sub}/submit?selftext=true"),
        _ => format!("r/{sub}/submit"),
    };
    page.goto(old.url(&path)?.as_str()).await?;
    let check = || async {
        let here = page.current_url().await?;
        check_challenge(page, &here).await?;
        let body = page.body_text().await?;
        if body.contains("aren't any communities") || body.contains("doesn't exist") {
            return Err(no_community(sub));
        }
        Ok(())
    };
    if crate::ui::settle(page, &OLD_SIGNS, check).await? != Seen::LoggedIn {
        return Err(logged_out());
    }
    crate::ui::wait_for(page, SEL_OLD_FORM, "the submit form").await?;

    let flairs = read_flairs(page, JS_OLD_FLAIRS).await?;
    let flair = choose_flair(sub, &flairs, plan.flair)?;

    let (tab, field, value) = match plan.kind {
        Kind::Text => (SEL_OLD_TEXT_TAB, SEL_OLD_TEXT, plan.body),
        _ => (SEL_OLD_LINK_TAB, SEL_OLD_URL, plan.url),
    };
    page.click(tab).await?;
    page.type_text(SEL_OLD_TITLE, plan.title).await?;
    if !value.trim().is_empty() {
        page.type_text(field, value).await?;
    }
    let sr = page.text(SEL_OLD_SR).await?.unwrap_or_default();
    if !sr.trim().eq_ignore_ascii_case(sub) {
        page.type_text(SEL_OLD_SR, sub).await?;
    }
    if let Some((id, text)) = &flair {
        page.click(SEL_OLD_FLAIR_OPEN).await?;
        page.click(&format!(
            "form#newlink .flairselector [data-flair-id=\"{}\"]",
            css_escape(id)
        ))
        .await?;
        // The form shows the choice in a label, a hidden input, or both;
        // it is wrong only if one of them says something else.
        let chosen = page.eval(JS_OLD_FLAIR_CHOSEN).await?;
        let ids: Vec<&str> = chosen["ids"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let label = chosen["label"].as_str().unwrap_or_default();
        let id_ok = ids.is_empty() || ids.contains(&id.as_str());
        let label_ok = label.is_empty() || label.contains(text.as_str());
        if !(id_ok && label_ok) {
            return Err(Error::Unexpected {
                message: format!("old Reddit shows flair {label:?} after choosing {text:?}"),
            });
        }
    }
    // Old Reddit submits with a script: success is a new page (the post),
    // a refusal shows in the form without one. A plain form post gives a
    // new page either way.
    page.eval("window.__distroflowSubmit = 1; true").await?;
    page.click(SEL_OLD_SUBMIT).await?;
    let answered =
        wait_until(
            page.waits(),
            "old Reddit's answer to the submit",
            || async {
                let new_page = page
            .eval("window.__distroflowSubmit === undefined && document.readyState === 'complete'")
            .await?;
                if new_page == Value::Bool(true) {
                    return Ok(Some(()));
                }
                let errors = page.eval(JS_OLD_ERRORS).await?;
                Ok((errors.as_array().is_some_and(|a| !a.is_empty())).then_some(()))
            },
        )
        .await;
    if let Err(e) = answered {
        return Err(if e.is_timeout() {
            // Not transient: the post may exist.
            Error::Uncertain {
                platform: ID,
                message: format!(
                    "old Reddit did not answer the submit; the post may exist: check r/{sub} before posting again"
                ),
            }
        } else {
            e
        });
    }

    let after = page.current_url().await?;
    if let Some((sub, id)) = url::Url::parse(&after)
        .ok()
        .and_then(|u| post_from_path(u.path()))
    {
        page.confirm_repairs().await?;
        return Ok(Posted::single(
            id.clone(),
            ctx.url(&format!("r/{sub}/comments/{id}/"))?.to_string(),
        ));
    }
    if is_login_url(&after) {
        return Err(logged_out());
    }
    check_challenge(page, &after).await?;
    let errors = page.eval(JS_OLD_ERRORS).await?;
    let errors = errors.as_array().cloned().unwrap_or_default();
    let first = errors.first().map(|e| {
        (
            e["classes"].as_str().unwrap_or_default().to_string(),
            e["text"].as_str().unwrap_or_default().to_string(),
        )
    });
    Err(match first {
        Some((classes, text)) => classify_old_error(sub, &classes, &text, &flairs),
        None => Error::Rejected {
            platform: ID,
            message: format!(
                "old Reddit did not accept the post ({})",
                snippet(&page.body_text().await.unwrap_or_default())
            ),
        },
    })
}

fn classify_old_error(sub: &str, classes: &str, text: &str, flairs: &Flairs) -> Error {
    let code = classes
        .split_whitespace()
        .find(|c| *c != "error" && !c.starts_with("field-"))
        .unwrap_or_default();
    match code {
        "RATELIMIT" => Error::RateLimited {
            platform: ID,
            message: format!("Reddit says \"{text}\""),
            retry_after: retry_after(text),
        },
        "SUBMIT_VALIDATION_FLAIR_REQUIRED" | "INVALID_FLAIR_TEMPLATE_ID" => {
            flair_refusal(sub, flairs, None, Some(text))
        }
        "NO_TEXT" | "TOO_LONG" | "BAD_URL" | "NO_URL" => Error::InvalidContent {
            platform: ID,
            message: format!("Reddit says {code}: \"{text}\""),
        },
        "SUBREDDIT_NOEXIST" | "SUBREDDIT_NOTALLOWED" => Error::Rejected {
            platform: ID,
            message: format!("r/{sub}: Reddit says \"{text}\" ({code})"),
        },
        "USER_REQUIRED" => logged_out(),
        "ALREADY_SUB" => Error::Rejected {
            platform: ID,
            message: format!("Reddit says \"{text}\" (the link was already submitted to r/{sub})"),
        },
        _ => Error::Rejected {
            platform: ID,
            message: format!("Reddit says \"{text}\" ({code})"),
        },
    }
}

// ---------------------------------------------------------------- shared

async fn read_flairs(page: &dyn Page, script: &str) -> Result<Flairs> {
    let v = page.eval(script).await?;
    let options = v["flairs"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["id"].as_str().unwrap_or_default().to_string(),
                        f["text"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .filter(|(id, text)| !id.is_empty() && !text.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Ok(Flairs {
        required: v["required"].as_bool().unwrap_or(false),
        options,
    })
}

/// The flair to pick, or the refusal that stops the post before any click.
fn choose_flair(
    sub: &str,
    flairs: &Flairs,
    wanted: Option<&str>,
) -> Result<Option<(String, String)>> {
    match wanted {
        Some(name) => {
            let norm = |s: &str| {
                s.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            };
            flairs
                .options
                .iter()
                .find(|(_, text)| norm(text) == norm(name))
                .cloned()
                .map(Some)
                .ok_or_else(|| flair_refusal(sub, flairs, Some(name), None))
        }
        None if flairs.required => Err(flair_refusal(sub, flairs, None, None)),
        None => Ok(None),
    }
}

fn flair_refusal(sub: &str, flairs: &Flairs, unknown: Option<&str>, said: Option<&str>) -> Error {
    let available = if flairs.options.is_empty() {
        "none".to_string()
    } else {
        flairs
            .options
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let head = match (unknown, said) {
        (Some(name), _) => format!("r/{sub} has no post flair named \"{name}\""),
        (None, Some(said)) => format!("r/{sub} requires a flair (Reddit says \"{said}\")"),
        (None, None) => format!("r/{sub} requires a flair"),
    };
    Error::Rejected {
        platform: ID,
        message: format!("{head}; available: {available}; use --flair NAME"),
    }
}

/// "try again in 9 minutes" / "1 minute" / "30 seconds".
fn retry_after(message: &str) -> Option<Duration> {
    let words: Vec<&str> = message.split_whitespace().collect();
    words.windows(2).find_map(|w| {
        let n: u64 = w[0].parse().ok()?;
        let unit = w[1].trim_end_matches(['.', ',', '!']).to_ascii_lowercase();
        match unit.as_str() {
            "minute" | "minutes" => Some(Duration::from_secs(n * 60)),
            "second" | "seconds" => Some(Duration::from_secs(n)),
            "hour" | "hours" => Some(Duration::from_secs(n * 3600)),
            _ => None,
        }
    })
}

fn is_login_url(href: &str) -> bool {
    url::Url::parse(href)
        .map(|u| {
            let p = u.path();
            p == "/login" || p.starts_with("/login/") || p.starts_with("/account/login")
        })
        .unwrap_or(false)
}

async fn check_challenge(page: &dyn Page, here: &str) -> Result<()> {
    let captcha = page
        .count("iframe[src*=\"recaptcha\"], iframe[src*=\"hcaptcha\"], .g-recaptcha")
        .await?
        > 0;
    if captcha || here.contains("/challenge") || here.contains("/checkpoint") {
        return Err(Error::NeedsHuman {
            platform: ID,
            reason: "Reddit asks for a CAPTCHA or a security check".into(),
            url: here.to_string(),
        });
    }
    Ok(())
}

fn logged_out() -> Error {
    Error::Auth {
        platform: ID,
        message: "Reddit shows the login page: the saved session is missing or expired".into(),
    }
}

fn no_community(sub: &str) -> Error {
    Error::Rejected {
        platform: ID,
        message: format!(
            "r/{sub} does not exist (Reddit: \"Sorry, there aren't any communities on Reddit with that name.\")"
        ),
    }
}

/// Escapes a value for a double-quoted CSS attribute selector.
fn css_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn snippet(body: &str) -> String {
    let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = flat.chars().take(160).collect();
    if cut.is_empty() {
        "an empty page".into()
    } else {
        format!("page says: {cut}")
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn replies_of_an_old_reddit_post_are_read_on_new_reddit() {
        let ctx = JobContext::new("https://www.reddit.com".parse().unwrap());
        assert_eq!(
            on_new_reddit(&ctx, "https://old.reddit.com/r/rust/comments/abc/t/").unwrap(),
            "https://www.reddit.com/r/rust/comments/abc/t/"
        );
        let same = "https://www.reddit.com/r/rust/comments/abc/t/";
        assert_eq!(on_new_reddit(&ctx, same).unwrap(), same);
        let replica = JobContext::new("http://127.0.0.1:4000".parse().unwrap());
        let local = "http://127.0.0.1:4000/r/rust/comments/abc/t/";
        assert_eq!(on_new_reddit(&replica, local).unwrap(), local);
    }
    use super::*;

    fn post(sub: Option<&str>, title: &str) -> Post {
        let mut p = Post::new("body").with_title(title);
        if let Some(s) = sub {
            p.set_option(ID, "subreddit", s);
        }
        p
    }

    #[test]
    fn validation_names_what_is_missing() {
        let e = Reddit.validate(&post(None, "t")).unwrap_err();
        assert!(
            e.is_usage() && e.to_string() == "Reddit needs a subreddit",
            "{e}"
        );
        assert_eq!(e.hint().as_deref(), Some("add --subreddit NAME"));
        let e = Reddit.validate(&post(Some("rust"), " ")).unwrap_err();
        assert!(e.to_string().contains("title"), "{e}");
        assert!(Reddit
            .validate(&post(Some("r/rust"), &"é".repeat(300)))
            .is_ok());
        assert!(Reddit.validate(&post(Some("no-dash"), "t")).is_err());
        // Lengths are the limits table's, so an override can raise them.
        let mut long = post(Some("rust"), &"é".repeat(301));
        long.text = "x".repeat(40_001);
        assert!(Reddit.validate(&long).is_ok());
    }

    #[test]
    fn kinds_follow_media_then_url() {
        let mut p = post(Some("rust"), "t").with_url("https://e.com");
        assert_eq!(Kind::of(&p), Kind::Link);
        p.media.push(distroflow_core::Media {
            path: "a.png".into(),
            mime: "image/png".into(),
            size: 1,
            duration: None,
        });
        assert_eq!(Kind::of(&p), Kind::Image);
        assert_eq!(Kind::of(&post(Some("rust"), "t")), Kind::Text);
    }

    #[test]
    fn parses_retry_after_and_created_ids() {
        assert_eq!(
            retry_after("You're doing that too much. Try again in 9 minutes."),
            Some(Duration::from_secs(540))
        );
        assert_eq!(
            retry_after("you are doing that too much. try again in 1 minute."),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            created_from_url("http://h/r/rust/?created=t3_1h2k3l4&createdPostType=TEXT"),
            Some((Some("rust".into()), "1h2k3l4".into()))
        );
        assert_eq!(
            post_from_path("/r/rust/comments/abc/slug/"),
            Some(("rust".into(), "abc".into()))
        );
    }

    #[test]
    fn flair_choice_refuses_with_the_list() {
        let flairs = Flairs {
            required: true,
            options: vec![
                ("1".into(), "Discussion".into()),
                ("2".into(), "Show and Tell".into()),
            ],
        };
        let e = choose_flair("flairtest", &flairs, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Reddit refused the post: r/flairtest requires a flair; available: Discussion, Show and Tell; use --flair NAME"
        );
        assert_eq!(
            choose_flair("flairtest", &flairs, Some("show  and tell")).unwrap(),
            Some(("2".into(), "Show and Tell".into()))
        );
        assert!(choose_flair("x", &flairs, Some("Nope")).is_err());
        assert_eq!(choose_flair("x", &Flairs::default(), None).unwrap(), None);
    }
}
