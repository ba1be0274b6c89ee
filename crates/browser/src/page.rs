use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use chromiumoxide::cdp::browser_protocol::dom::SetFileInputFilesParams;
use chromiumoxide::cdp::browser_protocol::input::InsertTextParams;
use chromiumoxide::cdp::browser_protocol::network::GetCookiesParams;
use chromiumoxide::cdp::browser_protocol::page::{
    AddScriptToEvaluateOnNewDocumentParams, CaptureScreenshotFormat, EventFileChooserOpened,
    NavigateParams, SetInterceptFileChooserDialogParams,
};
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::layout::Point;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::Page as RawPage;
use distroflow_core::{wait_until_on, Cookie, ElementInfo, Error, Page, Result, Waits};
use serde_json::Value;

use crate::cookies::from_cdp_cookie;
use crate::js;
use crate::session::timeout_err;
use crate::BrowserOptions;

/// How much longer than its `max` a [`Page::changed_within`] call may take
/// before it counts as "no change" (the page's timer, then the reply).
const CHANGE_GRACE: Duration = Duration::from_millis(50);

/// A tab driven over CDP. Every call has a deadline.
pub struct CdpPage {
    page: RawPage,
    cdp_timeout: Duration,
    waits: Waits,
    /// Set on a prepared tab (`prepared.rs`) until its first navigation.
    preloaded: std::sync::Mutex<Option<crate::prepared::Preloaded>>,
}

pub(crate) fn cdp_err(e: chromiumoxide::error::CdpError) -> Error {
    match e {
        chromiumoxide::error::CdpError::Timeout => Error::Timeout {
            what: "a browser reply".into(),
            after: Duration::ZERO,
        },
        other => Error::Browser {
            message: other.to_string(),
        },
    }
}

impl CdpPage {
    pub(crate) fn new(page: RawPage, options: BrowserOptions) -> Self {
        CdpPage {
            page,
            cdp_timeout: options.cdp_timeout,
            waits: options.waits,
            preloaded: std::sync::Mutex::new(None),
        }
    }

    pub(crate) fn set_preloaded(&self, preloaded: crate::prepared::Preloaded) {
        if let Ok(mut p) = self.preloaded.lock() {
            *p = Some(preloaded);
        }
    }

    /// On a prepared tab's first navigation: whether it goes to the URL
    /// the tab loaded and the tab still holds the document that load made
    /// (then the load is skipped).
    async fn already_there(&self, url: &str) -> bool {
        let preloaded = self.preloaded.lock().ok().and_then(|mut p| p.take());
        if preloaded.is_none_or(|p| p.url != url) {
            return false;
        }
        match self.evaluate(js::STILL_PREPARED.into()).await {
            Ok(Value::Bool(true)) => {
                tracing::debug!(url, "the page was loaded ahead of the job (a prepared tab)");
                true
            }
            _ => false,
        }
    }

    /// The underlying chromiumoxide page, for CDP calls the trait lacks.
    pub fn raw(&self) -> &RawPage {
        &self.page
    }

    pub(crate) async fn with_timeout<T, F>(&self, what: &str, fut: F) -> Result<T>
    where
        F: Future<Output = std::result::Result<T, chromiumoxide::error::CdpError>>,
    {
        tokio::time::timeout(self.cdp_timeout, fut)
            .await
            .map_err(|_| timeout_err(what, self.cdp_timeout))?
            .map_err(cdp_err)
    }

    /// Restores a platform's saved `localStorage` items on `origin` before
    /// the site's own scripts run: a script that runs first in every new
    /// document of that origin sets them once per tab (a flag in
    /// `sessionStorage` keeps later page loads from undoing what the app
    /// wrote since, such as a rotated token).
    pub async fn seed_local_storage(
        &self,
        origin: &str,
        items: &[distroflow_core::StorageItem],
    ) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let pairs: Vec<(&str, &str)> = items
            .iter()
            .map(|i| (i.name.as_str(), i.value.expose()))
            .collect();
        let source = format!(
            "(() => {{ try {{ if (location.origin !== {origin}) return; \
             if (sessionStorage.getItem('__distroflowSeeded')) return; \
             for (const [k, v] of {pairs}) localStorage.setItem(k, v); \
             sessionStorage.setItem('__distroflowSeeded', '1'); }} catch (e) {{}} }})()",
            origin = Value::String(origin.to_string()),
            pairs = serde_json::to_string(&pairs).map_err(|e| Error::Unexpected {
                message: format!("storage: {e}")
            })?,
        );
        self.with_timeout(
            "restoring the saved storage",
            self.page
                .execute(AddScriptToEvaluateOnNewDocumentParams::new(source)),
        )
        .await?;
        Ok(())
    }

    /// Evaluates an expression, returning its value (by value) or the
    /// JavaScript exception as an error.
    async fn evaluate(&self, expression: String) -> Result<Value> {
        let params = EvaluateParams::builder()
            .expression(expression)
            .return_by_value(true)
            .await_promise(true)
            .build()
            .map_err(|message| Error::Browser { message })?;
        let resp = self
            .with_timeout("a script in the page", self.page.execute(params))
            .await?;
        if let Some(ex) = &resp.result.exception_details {
            let detail = ex
                .exception
                .as_ref()
                .and_then(|o| o.description.clone())
                .unwrap_or_else(|| ex.text.clone());
            return Err(Error::Unexpected {
                message: format!("script failed in the page: {detail}"),
            });
        }
        Ok(resp.result.result.value.clone().unwrap_or(Value::Null))
    }

    async fn wait_visible(&self, selector: &str, what: &str) -> Result<()> {
        let count_visible = js::wrap(&format!("return __first({}) ? 1 : 0;", js::lit(selector)));
        wait_until_on(self, self.waits, what, || async {
            let v = self.evaluate(count_visible.clone()).await?;
            Ok((v.as_i64() == Some(1)).then_some(()))
        })
        .await
        .map_err(|e| self.not_found_from(e, selector))
    }

    fn not_found_from(&self, e: Error, selector: &str) -> Error {
        if e.is_timeout() {
            Error::NotFound {
                target: format!("`{selector}`"),
                selectors: selector.to_string(),
                url: String::new(),
            }
        } else {
            e
        }
    }

    /// Clicks with real mouse events where the element shows, and checks
    /// the press reached it: a page whose layout moved between the aim
    /// and the click (an image preview loading above a Post button) is
    /// aimed at again, up to three times, then clicked through the DOM. A
    /// click that reached the element is never repeated.
    async fn mouse_click(&self, selector: &str) -> Result<()> {
        for attempt in 1..=3 {
            if self.evaluate(js::arm_click(selector)).await? != Value::Bool(true) && attempt > 1 {
                return Ok(()); // gone since the last try: the page moved on
            }
            match self.aim_and_click(selector).await? {
                Clicked::Through => return Ok(()),
                Clicked::Mouse => {}
            }
            let reached = self
                .evaluate(js::CLICK_REACHED.into())
                .await
                .unwrap_or(Value::Null);
            if reached != Value::Bool(false) {
                return Ok(());
            }
            tracing::debug!(
                selector,
                attempt,
                "the click missed (the page moved); aiming again"
            );
        }
        let ok = self.evaluate(js::js_click(selector)).await?;
        if ok != Value::Bool(true) {
            tracing::debug!(selector, "the element went away before a click reached it");
        }
        Ok(())
    }

    async fn aim_and_click(&self, selector: &str) -> Result<Clicked> {
        self.wait_visible(selector, &format!("`{selector}` to be visible"))
            .await?;
        // Wait briefly for overlays or animations to clear; then click
        // anyway through the DOM so a stray overlay does not stall a post.
        let short = Waits {
            timeout: Duration::from_secs(2),
            ..self.waits
        };
        let expr = js::click_point(selector);
        let point = wait_until_on(self, short, "an uncovered click point", || async {
            let v = self.evaluate(expr.clone()).await?;
            if v.get("covered").and_then(Value::as_bool) == Some(false) {
                let x = v["x"].as_f64().unwrap_or(0.0);
                let y = v["y"].as_f64().unwrap_or(0.0);
                Ok(Some(Some(Point { x, y })))
            } else if v.get("overlay").and_then(Value::as_bool) == Some(false) {
                // Covered by the page's own content, which will not move.
                Ok(Some(None))
            } else {
                Ok(None)
            }
        })
        .await;
        let point = match point {
            Ok(Some(p)) => Ok(p),
            Ok(None) => Err(Error::Timeout {
                what: "an uncovered click point".into(),
                after: Duration::ZERO,
            }),
            Err(e) => Err(e),
        };
        match point {
            Ok(p) => {
                self.with_timeout("a mouse click", self.page.click(p))
                    .await?;
                Ok(Clicked::Mouse)
            }
            Err(e) if e.is_timeout() => {
                tracing::debug!(selector, "click point covered; clicking through the DOM");
                let ok = self.evaluate(js::js_click(selector)).await?;
                if ok != Value::Bool(true) {
                    return Err(self.not_found_from(e, selector));
                }
                Ok(Clicked::Through)
            }
            Err(e) => Err(e),
        }
    }
}

/// How a click was made.
enum Clicked {
    /// Real mouse events at a point where the element showed.
    Mouse,
    /// Through the DOM (`element.click()`), the point being covered.
    Through,
}

/// Text as compared after typing: editors differ in how they render blank
/// lines (a plain contenteditable turns `\n\n` into three line breaks), so
/// line ends, non-breaking spaces and runs of blank lines are folded.
fn normalize(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\u{a0}', " ");
    let mut out = String::with_capacity(s.len());
    let mut newlines = 0;
    for line in s.trim_end().split('\n') {
        let line = line.trim_end();
        if line.is_empty() {
            newlines += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if newlines > 0 { "\n\n" } else { "\n" });
        }
        newlines = 0;
        out.push_str(line);
    }
    out
}

#[async_trait]
impl Page for CdpPage {
    async fn goto(&self, url: &str) -> Result<()> {
        if self.already_there(url).await {
            return Ok(());
        }
        self.evaluate(js::MARK_DOCUMENT.into()).await?;
        let resp = self
            .with_timeout(
                &format!("loading {url}"),
                self.page.execute(NavigateParams::new(url)),
            )
            .await?;
        if let Some(err) = resp.result.error_text.clone().filter(|e| !e.is_empty()) {
            return Err(Error::Network {
                url: url.to_string(),
                message: err,
            });
        }
        wait_until_on(self, self.waits, &format!("{url} to load"), || async {
            let v = self.evaluate(js::NEW_DOCUMENT_READY.into()).await?;
            Ok((v == Value::Bool(true)).then_some(()))
        })
        .await
    }

    async fn current_url(&self) -> Result<String> {
        let v = self.evaluate("location.href".into()).await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    async fn eval(&self, expression: &str) -> Result<Value> {
        self.evaluate(expression.to_string()).await
    }

    async fn count(&self, selector: &str) -> Result<usize> {
        let v = self.evaluate(js::count(selector)).await?;
        Ok(v.as_u64().unwrap_or(0) as usize)
    }

    async fn text(&self, selector: &str) -> Result<Option<String>> {
        let v = self.evaluate(js::text(selector)).await?;
        Ok(v.as_str().map(str::to_string))
    }

    async fn attr(&self, selector: &str, name: &str) -> Result<Option<String>> {
        let v = self.evaluate(js::attr(selector, name)).await?;
        Ok(v.as_str().map(str::to_string))
    }

    async fn body_text(&self) -> Result<String> {
        let v = self.evaluate(js::BODY_TEXT.into()).await?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    async fn click(&self, selector: &str) -> Result<()> {
        self.mouse_click(selector).await
    }

    async fn click_and_wait_for_navigation(&self, selector: &str) -> Result<()> {
        self.evaluate(js::MARK_DOCUMENT.into()).await?;
        self.mouse_click(selector).await?;
        wait_until_on(
            self,
            self.waits,
            &format!("the page after clicking `{selector}`"),
            || async {
                let v = self.evaluate(js::NEW_DOCUMENT_READY.into()).await?;
                Ok((v == Value::Bool(true)).then_some(()))
            },
        )
        .await
    }

    async fn type_text(&self, selector: &str, text: &str) -> Result<()> {
        self.wait_visible(selector, &format!("`{selector}` to type into"))
            .await?;
        // Never type before the focus is on the element: the text would go
        // to whatever field had it (an editor that turns editable only
        // after its script runs takes no focus until then).
        let focus = js::focus_and_select(selector);
        let focused = wait_until_on(
            self,
            self.waits,
            &format!("`{selector}` to take the focus"),
            || async {
                let kind = self.evaluate(focus.clone()).await?;
                if kind.is_null() {
                    return Err(self.not_found_from(
                        Error::Timeout {
                            what: selector.into(),
                            after: Duration::ZERO,
                        },
                        selector,
                    ));
                }
                Ok((kind != Value::String("busy".into())).then_some(()))
            },
        )
        .await;
        if let Err(e) = focused {
            return Err(if e.is_timeout() {
                Error::Unexpected {
                    message: format!(
                        "`{selector}` is on the page but would not take the focus for typing (disabled, read-only or not editable)"
                    ),
                }
            } else {
                e
            });
        }
        if text.is_empty() {
            self.evaluate("document.execCommand('delete')".into())
                .await?;
        } else {
            self.with_timeout("typing", self.page.execute(InsertTextParams::new(text)))
                .await?;
        }
        let want = normalize(text);
        let short = Waits {
            timeout: Duration::from_secs(3),
            ..self.waits
        };
        let expr = js::read_back(selector);
        let last = std::sync::Mutex::new(String::new());
        let got = wait_until_on(self, short, "typed text to read back", || {
            let expr = expr.clone();
            let (want, last) = (&want, &last);
            async move {
                let v = self.evaluate(expr).await?;
                let read = normalize(v.as_str().unwrap_or_default());
                let same = read == *want;
                if let Ok(mut l) = last.lock() {
                    *l = read;
                }
                Ok(same.then_some(()))
            }
        })
        .await;
        let last = last.into_inner().unwrap_or_default();
        match got {
            Ok(()) => Ok(()),
            Err(e) if e.is_timeout() => {
                // A password's read-back would put it in the error, the
                // step log and a debug bundle: never (nor when unsure).
                let password = self
                    .evaluate(js::is_password(selector))
                    .await
                    .map_or(true, |v| v != Value::Bool(false));
                Err(Error::TextMismatch {
                    target: format!("`{selector}`"),
                    read_back: if password { "[redacted]".into() } else { last },
                })
            }
            Err(e) => Err(e),
        }
    }

    async fn set_files(&self, selector: &str, files: &[PathBuf]) -> Result<()> {
        let params = EvaluateParams::builder()
            .expression(js::element(selector))
            .return_by_value(false)
            .build()
            .map_err(|message| Error::Browser { message })?;
        let resp = self
            .with_timeout("finding the file input", self.page.execute(params))
            .await?;
        let object_id = resp.result.result.object_id.clone().ok_or_else(|| {
            self.not_found_from(
                Error::Timeout {
                    what: selector.into(),
                    after: Duration::ZERO,
                },
                selector,
            )
        })?;
        let mut params = SetFileInputFilesParams::new(
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>(),
        );
        params.object_id = Some(object_id);
        self.with_timeout("attaching files", self.page.execute(params))
            .await?;
        Ok(())
    }

    async fn set_files_via_chooser(&self, trigger: &str, files: &[PathBuf]) -> Result<()> {
        use futures::StreamExt;
        let mut opened = self
            .with_timeout(
                "listening for the file chooser",
                self.page.event_listener::<EventFileChooserOpened>(),
            )
            .await?;
        self.with_timeout(
            "intercepting the file chooser",
            self.page
                .execute(SetInterceptFileChooserDialogParams::new(true)),
        )
        .await?;
        let result = async {
            self.mouse_click(trigger).await?;
            let event = tokio::time::timeout(self.waits.timeout, opened.next())
                .await
                .map_err(|_| Error::Timeout {
                    what: format!("a file chooser after clicking `{trigger}`"),
                    after: self.waits.timeout,
                })?
                .ok_or_else(|| Error::Browser {
                    message: "the tab closed while waiting for the file chooser".into(),
                })?;
            let node = event.backend_node_id.ok_or_else(|| Error::Unexpected {
                message: format!("the file chooser opened by `{trigger}` belongs to no file input"),
            })?;
            let mut params = SetFileInputFilesParams::new(
                files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>(),
            );
            params.backend_node_id = Some(node);
            self.with_timeout("attaching files", self.page.execute(params))
                .await?;
            Ok(())
        }
        .await;
        let _ = self
            .with_timeout(
                "ending the file chooser interception",
                self.page
                    .execute(SetInterceptFileChooserDialogParams::new(false)),
            )
            .await;
        result
    }

    async fn screenshot_png(&self) -> Result<Vec<u8>> {
        let params = ScreenshotParams::builder()
            .format(CaptureScreenshotFormat::Png)
            .build();
        self.with_timeout("a screenshot", self.page.screenshot(params))
            .await
    }

    async fn cookies(&self, url: &str) -> Result<Vec<Cookie>> {
        let params = GetCookiesParams::builder().urls([url.to_string()]).build();
        let resp = self
            .with_timeout("reading cookies", self.page.execute(params))
            .await?;
        Ok(resp.result.cookies.iter().map(from_cdp_cookie).collect())
    }

    fn waits(&self) -> Waits {
        self.waits
    }

    /// One `Runtime.evaluate` of a promise that a `MutationObserver`
    /// settles (see `js::changed_within`); its deadline is `max` plus a
    /// little, so a page too busy to run the timer costs no more than that.
    /// The document going away mid-wait (a navigation destroys the
    /// context) is a change; so is any other error, which the next poll
    /// will report if it matters.
    async fn changed_within(&self, since: Duration, max: Duration) -> Result<bool> {
        let params = EvaluateParams::builder()
            .expression(js::changed_within(since.as_millis(), max.as_millis()))
            .return_by_value(true)
            .await_promise(true)
            .build()
            .map_err(|message| Error::Browser { message })?;
        match tokio::time::timeout(max + CHANGE_GRACE, self.page.execute(params)).await {
            Err(_) => Ok(false),
            Ok(Ok(resp)) => Ok(resp.result.exception_details.is_some()
                || resp.result.result.value == Some(Value::Bool(true))),
            Ok(Err(e)) => {
                tracing::trace!(error = %e, "watching for a change ended early");
                Ok(true)
            }
        }
    }

    async fn describe(&self, selector: &str) -> Result<Option<ElementInfo>> {
        let v = self.evaluate(js::describe(selector)).await?;
        if v.is_null() {
            return Ok(None);
        }
        serde_json::from_value(v)
            .map(Some)
            .map_err(|e| Error::Unexpected {
                message: format!("element description: {e}"),
            })
    }

    async fn scan(&self) -> Result<Vec<ElementInfo>> {
        let v = self.evaluate(js::scan()).await?;
        serde_json::from_value(v).map_err(|e| Error::Unexpected {
            message: format!("page scan: {e}"),
        })
    }

    async fn claim(&self, selector: &str, target: &str) -> Result<()> {
        self.evaluate(js::claim(selector, target)).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn folds_blank_line_runs_only() {
        assert_eq!(normalize("a\n\n\nb\r\n"), "a\n\nb");
        assert_eq!(normalize("a\n\nb"), "a\n\nb");
        assert_ne!(normalize("a\nb"), normalize("a\n\nb"));
        assert_eq!(normalize("x\u{a0}y "), "x y");
    }
}
