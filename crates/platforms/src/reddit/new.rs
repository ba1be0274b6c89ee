//! New Reddit (www.reddit.com): the shreddit composer, its flair modal,
//! media upload and error banners.

use super::*;

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
pub(super) const JS_NEW_FLAIRS: &str = concat!(
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
pub(super) fn js_check_flair(id: &str) -> String {
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

/// The submit page of `sub`, on `kind`'s tab.
pub(super) fn submit_url(ctx: &JobContext, sub: &str, kind: Kind) -> Result<url::Url> {
    ctx.url(&format!("r/{sub}/submit/?type={}", kind_name(kind)))
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "TEXT",
        Kind::Link => "LINK",
        Kind::Image => "IMAGE",
    }
}

pub(super) async fn post_new(page: &dyn Page, ctx: &JobContext, plan: &Plan<'_>) -> Result<Posted> {
    let kind = kind_name(plan.kind);
    let sub = &plan.subreddit;
    page.goto(submit_url(ctx, sub, plan.kind)?.as_str()).await?;
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
        if let Ok(read) = wait_until_on(page, short, "the flairs of the flair modal", || async {
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
        let checked = wait_until_on(page, page.waits(), "the flair to be chosen", || async {
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

    wait_until_on(
        page,
        page.waits(),
        "the Post button to be enabled",
        || async {
            let disabled = page.attr(SEL_SUBMIT, "disabled").await?;
            let errors = visible_new_error(page).await?;
            if let Some(message) = errors {
                return Err(classify_new_error(sub, &message, &flairs));
            }
            Ok(disabled.is_none().then_some(()))
        },
    )
    .await?;
    page.click(SEL_SUBMIT).await?;

    // Reddit takes its time with media (it processes uploads on submit).
    let patient = Waits {
        timeout: page.waits().timeout.max(Duration::from_secs(60)),
        ..page.waits()
    };
    let created = wait_until_on(page, patient, "Reddit to create the post", || async {
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

pub(super) async fn check_new_page(page: &dyn Page, sub: &str) -> Result<()> {
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
pub(super) const JS_MEDIA_STATE: &str = r#"(() => {
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

pub(super) async fn attach_media(page: &dyn Page, files: &[PathBuf]) -> Result<()> {
    crate::ui::wait_for(page, "r-post-media-input", "the media upload area").await?;
    page.set_files(SEL_MEDIA_INPUT, files).await?;
    let want = files.len();
    let waits = Waits {
        timeout: page.waits().timeout.max(Duration::from_secs(60)),
        ..page.waits()
    };
    wait_until_on(page, waits, "the media to upload", || async {
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

pub(super) async fn visible_new_error(page: &dyn Page) -> Result<Option<String>> {
    if page.count(SEL_NEW_ERROR).await? == 0 {
        return Ok(None);
    }
    Ok(page
        .text(SEL_NEW_ERROR)
        .await?
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty()))
}

pub(super) fn classify_new_error(sub: &str, message: &str, flairs: &Flairs) -> Error {
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
