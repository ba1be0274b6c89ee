use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;

use crate::{Cookie, Error, Result};

/// How long waits last and how often they poll.
#[derive(Clone, Copy, Debug)]
pub struct Waits {
    /// Deadline for one wait (an element to appear, a page to load).
    pub timeout: Duration,
    /// Time between two polls.
    pub every: Duration,
}

impl Default for Waits {
    fn default() -> Self {
        Waits {
            timeout: Duration::from_secs(15),
            every: Duration::from_millis(100),
        }
    }
}

/// One browser tab, as adapters see it. Implemented over CDP in
/// `distroflow-browser`; adapters never touch CDP directly.
///
/// Selectors are CSS; `a >>> b` looks for `b` inside the shadow root of `a`
/// (and `>>>` may repeat); a part may end in `:text-is("Next")` (its whole
/// visible text, whitespace folded) or `:has-text("next")` (a
/// case-insensitive substring), e.g. `div[role=button]:text-is("Share")`.
/// Every method has its own deadline.
#[async_trait]
pub trait Page: Send + Sync {
    /// Loads a URL and waits until the document is ready.
    async fn goto(&self, url: &str) -> Result<()>;

    /// The URL of the current document.
    async fn current_url(&self) -> Result<String>;

    /// Evaluates a JavaScript expression (promises are awaited) and returns its JSON value.
    async fn eval(&self, expression: &str) -> Result<serde_json::Value>;

    /// How many elements match right now. Absence is an answer: a named
    /// target is looked up by its known selectors (and a repair this page
    /// already made), never repaired here, since callers tell states apart
    /// by what is present. To wait for an element that must come, use
    /// [`Page::wait_for`], which repairs.
    async fn count(&self, selector: &str) -> Result<usize>;

    /// Waits until `selector` matches something (`what` names it in the
    /// error). For a named target this is where a broken gate is repaired:
    /// the same tiers as acting on it.
    async fn wait_for(&self, selector: &str, what: &str) -> Result<()> {
        wait_until(self.waits(), what, || async {
            Ok((self.count(selector).await? > 0).then_some(()))
        })
        .await
    }

    /// Visible text of the first match, if any.
    async fn text(&self, selector: &str) -> Result<Option<String>>;

    /// An attribute of the first match, if the element and attribute exist.
    async fn attr(&self, selector: &str, name: &str) -> Result<Option<String>>;

    /// The whole page's visible text.
    async fn body_text(&self) -> Result<String>;

    /// Clicks the first visible match with real mouse events.
    async fn click(&self, selector: &str) -> Result<()>;

    /// Clicks and waits until a new document has loaded (form submits, links).
    async fn click_and_wait_for_navigation(&self, selector: &str) -> Result<()>;

    /// Replaces the content of an input, textarea or rich editor with `text`
    /// through CDP `Input.insertText`, then reads it back; a mismatch is
    /// [`Error::TextMismatch`].
    async fn type_text(&self, selector: &str, text: &str) -> Result<()>;

    /// Sets the files of an `input[type=file]`.
    async fn set_files(&self, selector: &str, files: &[PathBuf]) -> Result<()>;

    /// Attaches files through a picker that has no file input until it is
    /// clicked (the input is made at click time, as Bluesky's is): the
    /// page's file chooser is intercepted, `trigger` clicked, and the
    /// chooser answered with `files`.
    async fn set_files_via_chooser(&self, trigger: &str, _files: &[PathBuf]) -> Result<()> {
        Err(Error::Unexpected {
            message: format!("this page cannot answer a file chooser (opened by `{trigger}`)"),
        })
    }

    /// A PNG of the viewport.
    async fn screenshot_png(&self) -> Result<Vec<u8>>;

    /// The cookies this tab's context would send to `url`.
    async fn cookies(&self, url: &str) -> Result<Vec<Cookie>>;

    /// The wait settings for this tab.
    fn waits(&self) -> Waits;

    /// What identifies the first visible match (for fingerprints), if any.
    async fn describe(&self, selector: &str) -> Result<Option<ElementInfo>>;

    /// Every element a person could act on (inputs, buttons, links, rich
    /// editors, elements with a role or a test id), across shadow roots,
    /// each with a selector that reaches it alone.
    async fn scan(&self) -> Result<Vec<ElementInfo>>;

    /// Marks the element `selector` reaches as `target`'s (scans report
    /// it in [`ElementInfo::claimed`]), so that no repair of another target
    /// picks it. The page's own markup is not touched.
    async fn claim(&self, _selector: &str, _target: &str) -> Result<()> {
        Ok(())
    }

    /// The step's expected outcome followed (the editor holds the text, the
    /// post exists): repairs made on the way can be trusted and kept.
    async fn confirm_repairs(&self) -> Result<()> {
        Ok(())
    }
}

/// One node on the way from the document root to an element.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PathNode {
    pub tag: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub classes: Vec<String>,
    /// Position among its parent's element children.
    #[serde(default)]
    pub index: usize,
}

/// What a page says about one element: enough to find it again after the
/// page changed (Healenium's path, Similo's properties).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ElementInfo {
    /// A selector that matches this element alone on the page it came from.
    #[serde(default)]
    pub selector: String,
    pub tag: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub classes: Vec<String>,
    /// Other attributes (name, type, role, aria-label, data-testid,
    /// placeholder, href, ...).
    #[serde(default)]
    pub attrs: std::collections::BTreeMap<String, String>,
    /// Own visible text (trimmed, at most 200 characters).
    #[serde(default)]
    pub text: String,
    /// Role (explicit or implied by the tag).
    #[serde(default)]
    pub role: String,
    /// Accessible name: aria-label, a label, placeholder, alt, title or text.
    #[serde(default)]
    pub name: String,
    /// Text of a label or the nearest preceding text.
    #[serde(default)]
    pub neighbor_text: String,
    #[serde(default)]
    pub path: Vec<PathNode>,
    /// x, y, width, height in CSS pixels.
    #[serde(default)]
    pub rect: [f64; 4],
    #[serde(default)]
    pub visible: bool,
    /// The target a step already acted on this element as, if any.
    #[serde(default)]
    pub claimed: String,
    /// Behind an open modal dialog: out of a person's reach while the
    /// modal is open, so never a repair.
    #[serde(default)]
    pub inert: bool,
}

/// What one poll of [`wait_until`] found.
pub type Poll<T> = Result<Option<T>>;

/// Polls `check` (at once, then after 10, 20, 40, 80 ms, then every
/// `waits.every`) until it returns `Some`, a non-transient
/// error, or the deadline passes ([`Error::Timeout`] naming `what`, or the
/// last transient error's message).
pub async fn wait_until<T, F, Fut>(waits: Waits, what: &str, mut check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Poll<T>>,
{
    let start = tokio::time::Instant::now();
    let deadline = start + waits.timeout;
    let mut last_transient: Option<Error> = None;
    let mut polls = 0u32;
    loop {
        let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
        match tokio::time::timeout(remaining.max(Duration::from_millis(1)), check()).await {
            Ok(Ok(Some(v))) => return Ok(v),
            Ok(Ok(None)) => {}
            Ok(Err(e)) if e.is_transient() || matches!(e, Error::Browser { .. }) => {
                tracing::trace!(what, error = %e, "poll failed, retrying");
                last_transient = Some(e);
            }
            Ok(Err(e)) => return Err(e),
            Err(_) => {}
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Err(match last_transient {
                Some(e) if !e.is_timeout() && !matches!(e, Error::Browser { .. }) => e,
                _ => Error::Timeout {
                    what: what.to_string(),
                    after: now - start,
                },
            });
        }
        // Poll fast at first (most conditions hold within milliseconds),
        // then back off to `every`.
        let pause = Duration::from_millis(10u64 << polls.min(4)).min(waits.every);
        polls += 1;
        tokio::time::sleep(pause.min(deadline - now)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_until_returns_value_or_times_out() {
        let waits = Waits {
            timeout: Duration::from_millis(200),
            every: Duration::from_millis(10),
        };
        let mut n = 0;
        let v = wait_until(waits, "three polls", || {
            n += 1;
            let r = (n >= 3).then_some(n);
            async move { Ok(r) }
        })
        .await
        .unwrap();
        assert_eq!(v, 3);
        let e = wait_until::<(), _, _>(waits, "never", || async { Ok(None) })
            .await
            .unwrap_err();
        assert!(e.is_timeout() && e.to_string().contains("never"), "{e}");
    }
}
