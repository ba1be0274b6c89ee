//! What X answered after the Post click: its toasts ("Your post was
//! sent", errors) and the new post's URL.

use super::*;

/// A toast that appeared after [`JS_MARK_TOASTS`].
pub(super) struct Toast {
    pub(super) text: String,
    href: Option<String>,
}

pub(super) async fn new_toast(page: &dyn Page) -> Result<Option<Toast>> {
    let v = page.eval(JS_NEW_TOAST).await?;
    if v.is_null() {
        return Ok(None);
    }
    Ok(Some(Toast {
        text: v
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        href: v.get("href").and_then(Value::as_str).map(str::to_string),
    }))
}

/// Waits for X's answer to the Post click: the status link of "Your post
/// was sent." (`None` when the toast has no link), or the refusal as an error.
pub(super) async fn wait_for_answer(page: &dyn Page, handle: &str) -> Result<Option<String>> {
    let toast = wait_until_on(page, long(page.waits()), "X's answer to the Post click", || async {
        check_session(page).await?;
        new_toast(page).await
    })
    .await
    .map_err(|e| {
        if e.is_timeout() {
            // Not transient: a retry could post twice.
            Error::Unexpected {
                message: format!(
                    "X did not confirm the post after the Post click; it may exist: check /{handle} before posting again"
                ),
            }
        } else {
            e
        }
    })?;
    classify_toast(page, toast).await
}

pub(super) async fn classify_toast(page: &dyn Page, toast: Toast) -> Result<Option<String>> {
    let text = toast.text;
    let lower = text.to_lowercase();
    if lower.contains("your post was sent") || lower.contains("your posts were sent") {
        return Ok(toast.href);
    }
    let says = format!("X says: {text}");
    Err(if lower.contains("already said that") {
        Error::Rejected {
            platform: ID,
            message: "X says: Whoops! You already said that.".into(),
        }
    } else if lower.contains("daily limit") {
        Error::RateLimited {
            platform: ID,
            message: says,
            retry_after: None,
        }
    } else if lower.contains("automated") {
        Error::NeedsHuman {
            platform: ID,
            reason: says,
            url: page.current_url().await.unwrap_or_default(),
        }
    } else if lower.contains("something went wrong") {
        Error::Rejected {
            platform: ID,
            message: format!(
                "{says} (a temporary failure on X's side; nothing was posted, try again later)"
            ),
        }
    } else {
        Error::Rejected {
            platform: ID,
            message: says,
        }
    })
}
