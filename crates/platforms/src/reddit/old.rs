//! Old Reddit (old.reddit.com): the classic submit form.

use super::*;

/// Reads old Reddit's flair selector (present in the page, hidden until
/// "select flair" is clicked).
pub(super) const JS_OLD_FLAIRS: &str = r#"(() => {
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
pub(super) const JS_OLD_FLAIR_CHOSEN: &str = r#"(() => {
  const form = document.querySelector('form#newlink');
  if (!form) return { ids: [], label: '' };
  const ids = Array.from(form.querySelectorAll('input[type="hidden"][name*="flair"][name$="id"]')).map((i) => i.value);
  const l = form.querySelector('#chosen-flair, #flair-current, .flairselection');
  return { ids, label: l ? l.textContent.replace(/\s+/g, ' ').trim() : '' };
})()"#;

/// Old Reddit's visible form errors, `span.error.CODE.field-FIELD`.
pub(super) const JS_OLD_ERRORS: &str = r#"Array.from(document.querySelectorAll('span.error'))
  .filter((e) => e.getClientRects().length > 0 && e.textContent.trim() !== '')
  .map((e) => ({ classes: e.className, text: e.textContent.replace(/\s+/g, ' ').trim() }))"#;

/// Where old Reddit lives: `[platforms.reddit] old_url`, else
/// `old.reddit.com` for the real site, else the configured site itself
/// (a replica serves both UIs).
pub(super) fn old_base(ctx: &JobContext) -> Result<JobContext> {
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

pub(super) async fn post_old(page: &dyn Page, ctx: &JobContext, plan: &Plan<'_>) -> Result<Posted> {
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
        wait_until_on(
            page,
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

pub(super) fn classify_old_error(sub: &str, classes: &str, text: &str, flairs: &Flairs) -> Error {
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
