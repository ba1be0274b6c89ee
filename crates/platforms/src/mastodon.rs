use std::path::PathBuf;
use std::time::Duration;

use crate::replies;
use crate::ui::{Seen, Signs};
use async_trait::async_trait;
use distroflow_core::{
    check, wait_until_on, Capabilities, Draft, Error, Existing, JobContext, Limits, Media, Network,
    Overflow, Page, Platform, PlatformId, Post, Posted, Reply, Result, Secret, Waits,
};
use serde_json::Value;

const ID: PlatformId = PlatformId::Mastodon;

// Targets, resolved through selectors/mastodon.toml (and repaired there).
/// The compose panel's `@username` link; only when signed in.
const SEL_PROFILE: &str = "@mastodon.nav.profile";
const SEL_EMAIL: &str = "@mastodon.login.email";
const SEL_PASSWORD: &str = "@mastodon.login.password";
const SEL_LOGIN_BUTTON: &str = "@mastodon.login.button";
const SEL_TEXTAREA: &str = "@mastodon.compose.textarea";
const SEL_FILE_INPUT: &str = "@mastodon.compose.file_input";
const SEL_SUBMIT: &str = "@mastodon.compose.submit";
const SEL_UPLOAD: &str = "@mastodon.compose.upload";
const SEL_REPLY: &str = "@mastodon.status.reply";

/// A JavaScript function `__descendants(id)`: the replies of status `id`
/// from the thread's context, the call the web app itself makes
/// (`/api/v1/statuses/<id>/context`, with the token of its initial
/// state); `null` when the call fails.
macro_rules! descendants_js {
    () => {
        r#"const __descendants = async (id) => {
  try {
    let token = null;
    for (const el of [document.getElementById('initial-state'), ...document.querySelectorAll('script[type="application/json"]')]) {
      try { const v = el && JSON.parse(el.textContent); if (v && v.meta && v.meta.access_token) { token = v.meta.access_token; break; } } catch (e) {}
    }
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    const r = await fetch('/api/v1/statuses/' + id + '/context', { headers });
    return r.ok ? ((await r.json()).descendants || []) : null;
  } catch (e) { return null; }
};
"#
    };
}

/// The status page now: the status itself (`.detailed-status`), the
/// replies after it (`article .status[data-id]`), a "Load more" button
/// (`button.load-more`) to press, or "not found". The app renders the
/// replies after the status, when the thread's context has come: the page
/// is ready once it shows as many replies as the context has (the call the
/// web app makes, made once per page), or a "Load more".
const JS_THREAD_STATE: &str = concat!(
    "(async () => {\n",
    descendants_js!(),
    r#"  const root = document.querySelector('.detailed-status[data-id]');
  const empty = document.querySelector('.empty-column-indicator');
  const more = Array.from(document.querySelectorAll('button.load-more'));
  const count = document.querySelectorAll('article .status[data-id]').length;
  let expected = 0;
  if (root) {
    const id = root.getAttribute('data-id');
    const memo = window.__distroflowContext || (window.__distroflowContext = {});
    if (!(id in memo)) memo[id] = __descendants(id).then((d) => (d || []).length);
    expected = await memo[id];
  }
  const loading = more.length > 0;
  return { ready: !!root && (count >= expected || loading), missing: !root && !!empty && /not found|unavailable/i.test(empty.innerText || ''),
           signed_out: location.pathname.startsWith('/auth/sign_in') || !!document.querySelector('form#new_user'),
           count, more: more.some((b) => !b.disabled), pending: more.some((b) => b.disabled) };
})()"#
);

const SEL_LOAD_MORE: &str = "button.load-more";

/// Every reply on the status page, from the page (its id, author, text,
/// time and link); its parent from the thread's context, the call the web
/// app itself makes (`/api/v1/statuses/<id>/context`, with the token of
/// its initial state): Mastodon shows a thread flat, a reply's parent is
/// not on screen. Without the context a reply is listed as one to the post.
const JS_THREAD_REPLIES: &str = concat!(
    "(async () => {\n",
    descendants_js!(),
    r#"  const root = document.querySelector('.detailed-status[data-id]');
  if (!root) return { ready: false, rows: [] };
  const rootId = root.getAttribute('data-id');
  const parents = {};
  for (const s of (await __descendants(rootId)) || []) parents[s.id] = s.in_reply_to_id;
  const rows = Array.from(document.querySelectorAll('article .status[data-id]')).map((st) => {
    const id = st.getAttribute('data-id');
    const who = st.querySelector('.status__display-name');
    const acct = who ? (who.getAttribute('href') || '').replace(/^.*\/@/, '') : '';
    const body = st.querySelector('.status__content');
    const link = st.querySelector('a.status__relative-time');
    const time = st.querySelector('time[datetime]');
    const parent = parents[id] && parents[id] !== rootId ? parents[id] : null;
    return { id, parent, author: acct || (who ? (who.innerText || '').trim().replace(/^@/, '') : ''),
             at: time ? time.getAttribute('datetime') : '',
             text: body ? (body.innerText || body.textContent || '').trim() : '',
             url: link ? link.getAttribute('href') : null };
  });
  return { ready: true, rows };
})()"#
);

/// The instance's limits, as `/api/v2/instance` announces them.
const JS_INSTANCE: &str = r#"(async () => {
  const r = await fetch('/api/v2/instance', { headers: { Accept: 'application/json' } });
  if (!r.ok) return null;
  const c = ((await r.json()).configuration || {}).statuses || {};
  return { max: c.max_characters || null, url: c.characters_reserved_per_url || null };
})()"#;

/// The signed-in account's newest statuses through the REST API, with the
/// token the web app was handed (its initial state): `[{id, url,
/// reply_to, text}]`, the HTML content turned back into text in an inert
/// document.
const JS_OWN_STATUSES: &str = r#"(async () => {
  let st = null;
  for (const el of [document.getElementById('initial-state'), ...document.querySelectorAll('script[type="application/json"]')]) {
    try { const v = el && JSON.parse(el.textContent); if (v && v.meta && v.meta.access_token) { st = v; break; } } catch (e) {}
  }
  if (!st) return { error: 'no initial state (not signed in?)' };
  const r = await fetch('/api/v1/accounts/' + st.meta.me + '/statuses?limit=40',
    { headers: { Authorization: 'Bearer ' + st.meta.access_token, Accept: 'application/json' } });
  if (!r.ok) return { error: 'HTTP ' + r.status };
  const list = await r.json();
  return list.map((s) => {
    const html = (s.content || '').replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>\s*<p>/gi, '\n\n');
    const text = new DOMParser().parseFromString(html, 'text/html').body.textContent || '';
    return { id: s.id, url: s.url, reply_to: s.in_reply_to_id, text };
  });
})()"#;

/// Marks the notification bars on screen, so the answer to a submit is the
/// first bar that is not marked.
const JS_MARK_ALERTS: &str = r#"(() => {
  const seen = window.__distroflowSeenAlerts || (window.__distroflowSeenAlerts = new WeakSet());
  document.querySelectorAll('.notification-bar').forEach((b) => seen.add(b));
  return true;
})()"#;

const JS_NEW_ALERT: &str = r#"(() => {
  const seen = window.__distroflowSeenAlerts || new WeakSet();
  for (const b of document.querySelectorAll('.notification-bar')) {
    if (seen.has(b)) continue;
    const m = b.querySelector('.notification-bar-message');
    return ((m || b).innerText || '').trim();
  }
  return null;
})()"#;

/// Mastodon (one instance's web UI, set with `DISTROFLOW_MASTODON_URL` or
/// `[platforms.mastodon] url`): posts with up to 4 media, threads as a
/// chain of replies (`--split`), signed in with the `_mastodon_session`
/// cookie. The text's limit is the instance's (`/api/v2/instance`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Mastodon;

const SIGNS: Signs<'static> = Signs {
    name: "Mastodon",
    // The compose form is only there for a signed-in account.
    logged_in: &[SEL_PROFILE, SEL_TEXTAREA],
    login: &[SEL_EMAIL],
    login_paths: &["/auth/sign_in"],
};

#[async_trait]
impl Platform for Mastodon {
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
        crate::ui::thread_parts_present(post, ID)
    }

    fn login_path(&self) -> &'static str {
        "auth/sign_in"
    }

    fn logged_in_marker(&self) -> &'static str {
        SEL_PROFILE
    }

    async fn is_logged_in(&self, page: &dyn Page, ctx: &JobContext) -> Result<bool> {
        goto(page, ctx, "home").await?;
        Ok(settle(page).await? == Seen::LoggedIn)
    }

    async fn account_name(&self, page: &dyn Page, _ctx: &JobContext) -> Result<Option<String>> {
        handle_now(page).await
    }

    /// Devise's form at `/auth/sign_in`: the account's e-mail address and
    /// password (`--username` is the e-mail).
    async fn login_with_password(
        &self,
        page: &dyn Page,
        ctx: &JobContext,
        username: &str,
        password: &Secret,
    ) -> Result<()> {
        goto(page, ctx, "auth/sign_in").await?;
        if settle(page).await? == Seen::LoggedIn {
            return Ok(());
        }
        page.type_text(SEL_EMAIL, username).await?;
        page.type_text(SEL_PASSWORD, password.expose()).await?;
        page.click_and_wait_for_navigation(SEL_LOGIN_BUTTON).await?;
        if current_path(page).await?.starts_with("/auth/sign_in") {
            let flash = page
                .eval("(() => { const f = document.querySelector('.flash-message'); return f ? f.innerText.trim() : ''; })()")
                .await?;
            let flash = flash.as_str().unwrap_or_default();
            if page.count(SEL_EMAIL).await? > 0 {
                return Err(Error::Auth {
                    platform: ID,
                    message: if flash.is_empty() {
                        "Mastodon shows its sign-in form again (wrong e-mail or password?)".into()
                    } else {
                        format!(
                            "Mastodon says: {flash} (sign in with the account's e-mail address)"
                        )
                    },
                });
            }
        }
        check_challenge(page).await?;
        if settle(page).await? != Seen::LoggedIn {
            return Err(Error::Auth {
                platform: ID,
                message: "no signed-in page after the sign-in form".into(),
            });
        }
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
        goto(page, ctx, "home").await?;
        signed_in(page).await?;
        let found = own_statuses(page)
            .await?
            .into_iter()
            .find(|s| s.reply_to.is_none() && fold(&s.text) == want);
        Ok(match found {
            Some(s) => Existing::Found(Posted::single(s.id, s.url)),
            None => Existing::NotFound,
        })
    }

    fn reads_replies(&self) -> bool {
        true
    }

    /// The replies on the status page, after "Load more" was pressed until
    /// none is left; replies to replies with their parent.
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
            SEL_LOAD_MORE,
            JS_THREAD_REPLIES,
        )
        .await
    }

    fn compose_url(&self, ctx: &JobContext, _post: &Post) -> Option<url::Url> {
        ctx.url(HOME_PATH).ok()
    }

    async fn post(&self, page: &dyn Page, ctx: &JobContext, post: &Post) -> Result<Posted> {
        let parts = post.parts_for(ID);
        goto(page, ctx, HOME_PATH).await?;
        let handle = signed_in(page).await?;
        check_instance_limit(page, &parts).await?;
        let before: Vec<String> = own_statuses(page)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();

        let mut made: Vec<Status> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            if let Some(prev) = made.last() {
                // A thread is a chain of replies, made from the status page.
                goto(page, ctx, &format!("@{handle}/{}", prev.id)).await?;
                crate::ui::click_until(page, SEL_REPLY, SEL_TEXTAREA, "Mastodon's reply form")
                    .await?;
                wait_until_on(
                    page,
                    page.waits(),
                    "the compose form to be a reply",
                    || async {
                        Ok(page
                            .text(SEL_SUBMIT)
                            .await?
                            .filter(|t| t.trim() == "Reply")
                            .map(|_| ()))
                    },
                )
                .await?;
            } else {
                crate::ui::wait_for(page, SEL_TEXTAREA, "Mastodon's compose form").await?;
            }
            if !part.is_empty() {
                page.type_text(SEL_TEXTAREA, part).await?;
            }
            if i == 0 {
                attach_media(page, &post.media).await?;
            }
            crate::ui::wait_enabled(
                page,
                SEL_SUBMIT,
                "Mastodon's Post button",
                "Mastodon's Post button stayed disabled (over the instance's limit, or an upload still running?)",
            )
            .await?;
            page.eval(JS_MARK_ALERTS).await?;
            page.click(SEL_SUBMIT).await?;
            let after_first = i > 0;
            let want = fold(part);
            let reply_to = made.last().map(|s| s.id.clone());
            let known: Vec<String> = before
                .iter()
                .cloned()
                .chain(made.iter().map(|s| s.id.clone()))
                .collect();
            let new_status = || async {
                Ok::<_, Error>(own_statuses(page).await?.into_iter().find(|s| {
                    !known.contains(&s.id) && fold(&s.text) == want && s.reply_to == reply_to
                }))
            };
            // The answer: the notification bar ("Post published." or the
            // refusal), or, when the page shows none the adapter knows
            // (a redesign), the new status in the account's own list.
            let clicked = std::time::Instant::now();
            let answer = wait_until_on(page, long(page.waits()), "Mastodon's answer", || async {
                if let Some(alert) = page.eval(JS_NEW_ALERT).await?.as_str() {
                    return Ok(Some(Answer::Alert(alert.to_string())));
                }
                if clicked.elapsed() >= Duration::from_secs(2) {
                    if let Some(s) = new_status().await? {
                        return Ok(Some(Answer::Posted(s)));
                    }
                }
                Ok(None)
            })
            .await
            .map_err(|e| uncertain(&handle, &e.to_string()))?;
            let status = match answer {
                Answer::Posted(s) => s,
                Answer::Alert(a) if a.contains("published") => {
                    wait_until_on(page, page.waits(), "the new status", &new_status)
                        .await
                        .map_err(|e| uncertain(&handle, &e.to_string()))?
                }
                Answer::Alert(a) => {
                    let e = classify(&a);
                    return Err(if after_first {
                        uncertain(&handle, &e.to_string())
                    } else {
                        e
                    });
                }
            };
            made.push(status);
        }
        page.confirm_repairs().await?;
        let first = made.first().cloned().ok_or_else(|| Error::Unexpected {
            message: "nothing to post".into(),
        })?;
        Ok(Posted {
            id: first.id,
            url: first.url,
            thread: if made.len() > 1 {
                made.into_iter().map(|s| s.url).collect()
            } else {
                Vec::new()
            },
        })
    }
}

/// What follows a submit.
enum Answer {
    /// A notification bar's text.
    Alert(String),
    /// The new status, found in the account's list.
    Posted(Status),
}

#[derive(Clone, Debug)]
struct Status {
    id: String,
    url: String,
    reply_to: Option<String>,
    text: String,
}

/// The home column with its compose form, where a post starts.
const HOME_PATH: &str = "home";

async fn goto(page: &dyn Page, ctx: &JobContext, path: &str) -> Result<()> {
    page.goto(ctx.url(path)?.as_str()).await
}

async fn current_path(page: &dyn Page) -> Result<String> {
    let now = page.current_url().await?;
    Ok(url::Url::parse(&now)
        .map(|u| u.path().to_string())
        .unwrap_or(now))
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

fn uncertain(handle: &str, why: &str) -> Error {
    Error::Uncertain {
        platform: ID,
        message: format!(
            "no clear answer after posting ({why}); look at /@{handle} before posting again"
        ),
    }
}

/// Two-factor and e-mail confirmation pages are a person's to pass.
async fn check_challenge(page: &dyn Page) -> Result<()> {
    let path = current_path(page).await?;
    let two_factor = page
        .count(
            "input#user_otp_attempt, form[action*='two_factor'], input[name='user[otp_attempt]']",
        )
        .await?
        > 0;
    if two_factor || path.starts_with("/auth/confirmation") || path.starts_with("/auth/setup") {
        return Err(Error::NeedsHuman {
            platform: ID,
            reason: "Mastodon asks for a two-factor code or an e-mail confirmation".into(),
            url: page.current_url().await.unwrap_or_default(),
        });
    }
    Ok(())
}

async fn settle(page: &dyn Page) -> Result<Seen> {
    crate::ui::settle(page, &SIGNS, || check_challenge(page)).await
}

/// The `@username` of the signed-in account, or an auth error.
async fn signed_in(page: &dyn Page) -> Result<String> {
    if settle(page).await? != Seen::LoggedIn {
        return Err(Error::Auth {
            platform: ID,
            message: "Mastodon shows its sign-in page (no saved session, or it expired)".into(),
        });
    }
    handle_now(page).await?.ok_or_else(|| Error::NotFound {
        target: "Mastodon's profile link".into(),
        selectors: SEL_PROFILE.into(),
        url: String::new(),
    })
}

/// The signed-in account's username, as the instance's API tells the web
/// app's token (`verify_credentials`).
const JS_ME: &str = r#"(async () => {
  let st = null;
  for (const el of [document.getElementById('initial-state'), ...document.querySelectorAll('script[type="application/json"]')]) {
    try { const v = el && JSON.parse(el.textContent); if (v && v.meta && v.meta.access_token) { st = v; break; } } catch (e) {}
  }
  if (!st) return null;
  const r = await fetch('/api/v1/accounts/verify_credentials',
    { headers: { Authorization: 'Bearer ' + st.meta.access_token, Accept: 'application/json' } });
  if (!r.ok) return null;
  const a = await r.json();
  return a.username || a.acct || null;
})()"#;

async fn handle_now(page: &dyn Page) -> Result<Option<String>> {
    if let Some(name) = page
        .eval(JS_ME)
        .await?
        .as_str()
        .and_then(distroflow_core::plausible_name)
    {
        return Ok(Some(name));
    }
    let href = page.attr(SEL_PROFILE, "href").await?.unwrap_or_default();
    let name = href
        .rsplit_once("/@")
        .map(|(_, n)| {
            n.split(['/', '?', '#'])
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default();
    Ok(distroflow_core::plausible_name(&name))
}

/// Refuses, before anything is typed, a text over the instance's own limit
/// (which may be lower than the limits table's).
async fn check_instance_limit(page: &dyn Page, parts: &[String]) -> Result<()> {
    let v = page.eval(JS_INSTANCE).await?;
    let Some(max) = v.get("max").and_then(Value::as_u64) else {
        return Ok(());
    };
    let mut limits = Limits::default();
    let l = limits.get_mut(Network::Mastodon);
    l.text = Some(max as usize);
    if let Some(u) = v.get("url").and_then(Value::as_u64) {
        l.url_length = Some(u as usize);
    }
    for (i, part) in parts.iter().enumerate() {
        let c = check(
            Network::Mastodon,
            &Draft::new(part),
            Overflow::Refuse,
            &limits,
        );
        if !c.valid {
            let which = if parts.len() > 1 {
                format!("post {} of the thread", i + 1)
            } else {
                "the text".into()
            };
            return Err(Error::InvalidContent {
                platform: ID,
                message: format!(
                    "this instance takes {max} characters and {which} is {} (URLs count 23); nothing was posted",
                    c.length.or(c.weighted_length).unwrap_or_default()
                ),
            });
        }
    }
    Ok(())
}

async fn own_statuses(page: &dyn Page) -> Result<Vec<Status>> {
    let v = page.eval(JS_OWN_STATUSES).await?;
    if let Some(e) = v.get("error").and_then(Value::as_str) {
        return Err(Error::Unexpected {
            message: format!("Mastodon's API did not list the account's posts: {e}"),
        });
    }
    Ok(v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            Some(Status {
                id: s.get("id")?.as_str()?.to_string(),
                url: s.get("url")?.as_str()?.to_string(),
                reply_to: s
                    .get("reply_to")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                text: s.get("text")?.as_str()?.to_string(),
            })
        })
        .collect())
}

async fn attach_media(page: &dyn Page, media: &[Media]) -> Result<()> {
    if media.is_empty() {
        return Ok(());
    }
    let paths: Vec<PathBuf> = media.iter().map(|m| m.path.clone()).collect();
    page.eval(JS_MARK_ALERTS).await?;
    page.set_files(SEL_FILE_INPUT, &paths).await?;
    wait_until_on(
        page,
        long(page.waits()),
        "Mastodon to upload the media",
        || async {
            if let Some(alert) = page.eval(JS_NEW_ALERT).await?.as_str() {
                return Err(Error::Rejected {
                    platform: ID,
                    message: format!("Mastodon could not take the media: {alert}"),
                });
            }
            Ok((page.count(SEL_UPLOAD).await? >= media.len()).then_some(()))
        },
    )
    .await
}

fn classify(alert: &str) -> Error {
    let says = format!("Mastodon says: {alert}");
    let lower = alert.to_lowercase();
    if lower.contains("too many") || lower.contains("rate") {
        Error::RateLimited {
            platform: ID,
            message: says,
            retry_after: None,
        }
    } else if lower.contains("token") || lower.contains("sign in") {
        Error::Auth {
            platform: ID,
            message: says,
        }
    } else if lower.contains("character limit") {
        Error::InvalidContent {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_classified() {
        assert!(matches!(
            classify("Validation failed: Text character limit of 500 exceeded"),
            Error::InvalidContent { .. }
        ));
        assert!(classify("Too many requests").is_rate_limited());
        assert!(matches!(
            classify("Something went wrong"),
            Error::Rejected { .. }
        ));
    }

    #[test]
    fn validation_needs_text_or_media() {
        let e = Mastodon.validate(&Post::new("")).unwrap_err();
        assert!(e.is_usage(), "{e}");
        assert!(Mastodon.validate(&Post::new("toot #rust")).is_ok());
    }
}
