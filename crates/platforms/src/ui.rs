//! Interaction patterns the sites share.

use std::time::Duration;

use distroflow_core::{wait_until, Page, Result, Waits};

/// Starts counting DOM changes from now (a counter on `window`).
const JS_WATCH_CHANGES: &str = r#"(() => {
  window.__distroflowChanges = 0;
  if (!window.__distroflowObserver) {
    window.__distroflowObserver = new MutationObserver((m) => { window.__distroflowChanges += m.length; });
    window.__distroflowObserver.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  }
  return true;
})()"#;

/// How long a click may take to show its effect before it counts as lost.
const EFFECT_WINDOW: Duration = Duration::from_millis(1500);

/// Clicks `trigger` and waits until `appears` is on the page. A site that
/// renders its markup first and wires it up a moment later (hydration)
/// silently drops a click that lands in between: the page looks ready but
/// nothing happens. So when nothing at all changed in the page within
/// [`EFFECT_WINDOW`] of a click, the click is repeated (up to three times).
/// A click that changed something is never repeated (the trigger may be a
/// toggle), and a missing `appears` then ends as the usual wait's error.
pub(crate) async fn click_until(
    page: &dyn Page,
    trigger: &str,
    appears: &str,
    what: &str,
) -> Result<()> {
    let present = || async { Ok((page.count(appears).await? > 0).then_some(())) };
    for attempt in 1..=3 {
        page.eval(JS_WATCH_CHANGES).await?;
        page.click(trigger).await?;
        let short = Waits {
            timeout: EFFECT_WINDOW,
            ..page.waits()
        };
        if wait_until(short, what, present).await.is_ok() {
            return Ok(());
        }
        let changes = page
            .eval("window.__distroflowChanges || 0")
            .await?
            .as_u64()
            .unwrap_or(0);
        if changes > 0 {
            break;
        }
        tracing::debug!(
            trigger,
            attempt,
            "the click changed nothing; clicking again"
        );
    }
    wait_for(page, appears, what).await
}

/// Waits for an element the flow needs (a gate): for a named target, the
/// healer repairs it on the way. A timeout is reported as the element not
/// found, naming `what`.
pub(crate) async fn wait_for(page: &dyn Page, selector: &str, what: &str) -> Result<()> {
    page.wait_for(selector, what).await.map_err(|e| {
        if e.is_timeout() {
            distroflow_core::Error::NotFound {
                target: what.to_string(),
                selectors: selector.to_string(),
                url: String::new(),
            }
        } else {
            e
        }
    })
}
